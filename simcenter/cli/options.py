"""Command-line numbers checked like the same values in a scenario file.

``-n``, ``--seed`` and ``--jobs`` are read as text and checked here, so that
``-n 0``, ``--seed -1`` or ``--jobs many`` are reported together, each with
the option's name and the same message as in a file (exit code 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from simcenter.errors import Problem, ScenarioError, describe
from simcenter.scenario.values import MAX_COUNT, MAX_REPLICATIONS, MAX_SEED


@dataclass(frozen=True)
class RunOptions:
    """The checked numbers of ``simcenter run`` (None where the option was not given)."""

    replications: int | None
    seed: int | None
    jobs: int | None


def run_options(replications: str | None, seed: str | None, jobs: str | None) -> RunOptions:
    """Check ``-n``, ``--seed`` and ``--jobs`` as given on the command line.

    Raises:
        ScenarioError: Every bad option, e.g. ``-n: must be a positive
            integer (got 0)``.
    """
    problems: list[Problem] = []
    checked = RunOptions(
        replications=_integer("-n", replications, 1, MAX_REPLICATIONS, problems),
        seed=_integer("--seed", seed, 0, MAX_SEED, problems),
        jobs=_integer("--jobs", jobs, 1, MAX_COUNT, problems),
    )
    if problems:
        raise ScenarioError(problems)
    return checked


def _integer(
    option: str, text: str | None, low: int, high: int, problems: list[Problem]
) -> int | None:
    """The option's integer from ``low`` to ``high``; a problem (and None) otherwise."""
    if text is None:
        return None
    kind = "a positive integer" if low == 1 else "a non-negative integer"
    try:
        value = int(text.strip(), 10)
    except ValueError:
        problems.append(Problem((option,), f"must be {kind} (got {describe(text)})"))
        return None
    if value < low:
        problems.append(Problem((option,), f"must be {kind} (got {value})"))
        return None
    if value > high:
        problems.append(Problem((option,), f"must be at most {high:,} (got {value:,})"))
        return None
    return value
