"""The ``simcenter erlang`` command: analytic figures of one queue from the command line.

Durations and rates must carry a unit (``--aht 4min``, ``--rate 400/h``): a
bare number is an error that names the option, because ``--aht 4`` would
silently mean 4 seconds and ``--rate 400`` 400 per second. Every error
names its option (``--aht "4 minutes": ...``).

With ``--agents`` the command prints the figures of that staffing; without
it, ``--target`` (and ``--threshold``) ask for the fewest agents that meet
the service-level target (:func:`simcenter.erlang.agents_for_service_level`).
Erlang C is used without ``--patience``, Erlang A with it. An Erlang C queue
whose offered load is at least the number of agents is reported as unstable
rather than with infinite waits.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable

from simcenter import erlang
from simcenter.errors import SimcenterError
from simcenter.formats import erlangs, percent, seconds
from simcenter.units import UnitError, format_duration, format_rate, parse_duration, parse_rate

_BARE_NUMBER = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``simcenter erlang``."""
    parser.add_argument("--rate", required=True, help='arrival rate with a unit, e.g. "360/h"')
    parser.add_argument("--aht", required=True, help='mean handle time with a unit, e.g. "240s"')
    parser.add_argument("--agents", type=int, help="number of agents (omit to solve for it)")
    parser.add_argument(
        "--target", help="service-level target to solve for, e.g. 0.8 or 80%% (without --agents)"
    )
    parser.add_argument("--threshold", default="20s", help="service-level threshold (default 20s)")
    parser.add_argument("--patience", help='mean patience for Erlang A, e.g. "120s"')


def run(args: argparse.Namespace) -> int:
    """Print the figures of ``args``; raises SimcenterError naming every bad option."""
    problems: list[str] = []
    rate = option_value(problems, "--rate", args.rate, _rate)
    aht = option_value(problems, "--aht", args.aht, positive_duration)
    threshold = option_value(problems, "--threshold", args.threshold, duration)
    patience = option_value(problems, "--patience", args.patience, positive_duration)
    target = option_value(problems, "--target", args.target, fraction)
    if args.agents is not None and args.agents < 1:
        problems.append(f"--agents {args.agents}: must be at least 1")
    if args.agents is None and args.target is None:
        problems.append("give --agents N, or --target (with --threshold) to find the agents needed")
    if problems or rate is None or aht is None or threshold is None:
        raise SimcenterError("\n".join(problems))
    try:
        lines = _answer(rate, aht, threshold, patience, args.agents, target)
    except ValueError as error:  # the formulas name their argument: "patience: ..."
        name, _, reason = str(error).partition(": ")
        given = getattr(args, name, None)
        where = f'--{name} "{given}"' if isinstance(given, str) else f"--{name}"
        raise SimcenterError(f"{where}: {reason}") from None
    print("\n".join(lines))
    return 0


def _answer(
    rate: float,
    aht: float,
    threshold: float,
    patience: float | None,
    agents: int | None,
    target: float | None,
) -> list[str]:
    """The lines printed: the figures of ``agents``, or of the fewest agents meeting ``target``."""
    if agents is not None:
        return _report(rate, aht, threshold, patience, agents, target)
    if target is None:
        raise ValueError("agents: give --agents N, or --target to find the agents needed")
    agents = erlang.agents_for_service_level(rate, aht, target, threshold, patience)
    lines = _report(rate, aht, threshold, patience, agents, target)
    lines.insert(
        1,
        f"  {agents} agents are the fewest that answer {percent(target)} "
        f"within {format_duration(threshold)}",
    )
    return lines


def _report(
    rate: float,
    aht: float,
    threshold: float,
    patience: float | None,
    agents: int,
    target: float | None,
) -> list[str]:
    """The lines printed for the figures of one staffing (and whether it meets ``target``)."""
    load = rate * aht
    model = "Erlang C" if patience is None else f"Erlang A (patience {format_duration(patience)})"
    lines = [
        f"{model}: {format_rate(rate)}, AHT {format_duration(aht)}, "
        f"offered load {erlangs(load)} Erlang"
    ]
    if patience is None and load >= agents:
        lines.append(
            f"  unstable: offered load {erlangs(load)} Erlang ≥ {agents} agents; "
            "waits grow without bound"
        )
        lines.append(f"  at least {math.floor(load) + 1} agents are needed for a stable queue")
        return lines
    result = (
        erlang.erlang_c(rate, aht, agents, threshold)
        if patience is None
        else erlang.erlang_a(rate, aht, patience, agents, threshold)
    )
    service_level = f"{percent(result.service_level)} within {format_duration(threshold)}"
    if target is not None:
        service_level += " (target met)" if result.service_level >= target else " (target missed)"
    rows = [
        ("agents", str(agents)),
        ("p_wait", percent(result.p_wait)),
        ("asa", seconds(result.asa)),
        ("mean_wait", seconds(result.mean_wait)),
        ("service_level", service_level),
        ("p_abandon", percent(result.p_abandon)),
        ("occupancy", percent(result.occupancy)),
    ]
    lines += [f"  {name:<15}{value}" for name, value in rows]
    return lines


def option_value(
    problems: list[str], option: str, text: str | None, parse: Callable[[str], float]
) -> float | None:
    """``parse(text)``; None if not given, or after adding ``--option "text": why`` to problems."""
    if text is None:
        return None
    try:
        return parse(text)
    except UnitError as error:
        problems.append(f'{option} "{text}": {error}')
        return None


def duration(text: str) -> float:
    """A duration option in seconds; a bare number (no unit) is refused."""
    if _BARE_NUMBER.fullmatch(text):
        raise UnitError(f'give a unit, e.g. "{text.strip()}s" or "{text.strip()}min"')
    try:
        return parse_duration(text)
    except UnitError:
        raise UnitError('is not a duration (use a unit: ms, s, min, h or d, e.g. "4min")') from None


def positive_duration(text: str) -> float:
    """A duration option in seconds that must be positive."""
    value = duration(text)
    if not value > 0:
        raise UnitError("must be positive")
    return value


def _rate(text: str) -> float:
    if _BARE_NUMBER.fullmatch(text):
        raise UnitError(f'give a unit, e.g. "{text.strip()}/h" or "{text.strip()}/min"')
    try:
        value = parse_rate(text)
    except UnitError:
        raise UnitError('is not a rate (use contacts per unit of time, e.g. "360/h")') from None
    if not value > 0:
        raise UnitError("must be positive")
    return value


def fraction(text: str) -> float:
    """A fraction option: ``0.8`` or ``80%``."""
    stripped = text.strip()
    try:
        value = float(stripped[:-1]) / 100 if stripped.endswith("%") else float(stripped)
    except ValueError:
        value = math.nan
    if not 0.0 < value < 1.0:
        raise UnitError("must be a fraction strictly between 0 and 1, e.g. 0.8 or 80%")
    return value
