"""The ``simcenter compare`` command: two scenarios, replication by replication, paired.

B is a scenario file of its own, or A with ``--set KEY=VALUE`` overrides (B's
file with them when both are given), read as ``run`` reads them (every
problem with its file and line, exit code 2). A and B are named after their
files (``--label A_LABEL --label B_LABEL`` names them otherwise). The table
gives the main figures of every queue as ``run`` writes them (service levels
as percentages, differences in percentage points, durations in seconds),
then the agent cost of each and its difference, then the verdicts. Each
finished replication is kept in the output folder, so the same command with
the same ``-o`` resumes an interrupted comparison; ``compare.csv`` appears
when both scenarios are done.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from simcenter.cli import executor_options
from simcenter.errors import ScenarioError, SimcenterError
from simcenter.formats import (
    MISSING,
    money,
    percent,
    percent_points,
    seconds,
    seconds_number,
    signed_money,
    signed_percent_points,
    signed_seconds,
)
from simcenter.text import printable

if TYPE_CHECKING:
    import pandas as pd

    from simcenter.scenario import Scenario

SHOWN_FIGURES = ("service_level", "asa_s", "abandon_rate", "mean_wait_s", "occupancy")
"""Figures ``compare`` prints (``compare.csv`` holds every figure)."""

FRACTIONS = ("service_level", "abandon_rate", "occupancy")
"""Figures that are fractions: printed as percentages, their differences in points."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``simcenter compare``."""
    parser.add_argument("scenario_a", help="reference scenario YAML file")
    parser.add_argument(
        "scenario_b",
        nargs="?",
        help="alternative scenario YAML file (default: scenario A with the --set overrides)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a value of B, e.g. agents.team.count=31; repeat for several (default: none)",
    )
    parser.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="NAME",
        help="names of A and B in the table: give it twice, A's then B's (default: the file names)",
    )
    parser.add_argument("-n", "--replications", help="replications of each (default 20)")
    parser.add_argument("--seed", help="base seed of both (default: scenario A's)")
    parser.add_argument("--jobs", help="worker processes (default and at most: one per core)")
    parser.add_argument(
        "-o",
        "--outdir",
        help="output folder (default results/compare/); the same folder resumes an "
        "interrupted comparison",
    )
    executor_options.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run the comparison of ``args``, write ``compare.csv`` and print the table."""
    from simcenter import outdir
    from simcenter.cli.options import run_options
    from simcenter.cli.progress import progress_bar
    from simcenter.studies.compare import default_labels, run_compare

    options = run_options(args.replications, args.seed, args.jobs)
    executor_options.check(args)
    labels = _labels(args.label)
    first, second = _scenarios(args)
    named = labels or default_labels(args.scenario_a, args.scenario_b, args.set)
    target = Path(args.outdir) if args.outdir else outdir.default_outdir("compare")
    replications = max(2, options.replications or 20)
    with progress_bar(2 * replications) as progress:
        done = run_compare(
            first,
            second,
            labels=named,
            replications=replications,
            seed=options.seed,
            jobs=executor_options.workers(args, options.jobs),
            executor=args.executor,
            address=args.address,
            outdir=target,
            progress=progress,
        )
    if done.rejected:
        print(
            f"note: {done.rejected} replication file(s) in {printable(str(target))} did not "
            "match their record (changed or copied since simcenter wrote them): they were "
            "run again",
            file=sys.stderr,
        )
    print(printable(comparison_text(done.table, *done.labels), keep_newlines=True))
    resumed = f" ({done.resumed} replications found finished, not rerun)" if done.resumed else ""
    print(printable(f"comparison written to {target / 'compare.csv'}{resumed}"))
    return 0


def _labels(given: list[str]) -> tuple[str, str] | None:
    """The ``--label`` names of A and B, or None for the default.

    Raises:
        SimcenterError: Not two different, non-empty names.
    """
    if not given:
        return None
    if len(given) != 2:
        raise SimcenterError(
            f"--label: give it twice, A's name then B's (got {len(given)} name"
            f"{'' if len(given) == 1 else 's'})"
        )
    if not all(name.strip() for name in given):
        raise SimcenterError("--label: a name must not be empty")
    if given[0] == given[1]:
        raise SimcenterError(f"--label: A and B need different names (got {given[0]!r} twice)")
    return given[0], given[1]


def _scenarios(args: argparse.Namespace) -> tuple[Scenario, Scenario]:
    """A, and B (its file, or A's, with the ``--set`` overrides); every problem of both at once.

    Raises:
        SimcenterError: Neither B nor ``--set`` given.
        ScenarioError: A or B is not valid (each problem with its file and line).
    """
    from simcenter.loading import read_scenario

    if args.scenario_b is None and not args.set:
        raise SimcenterError(
            "compare: give scenario B, or --set KEY=VALUE to compare A with A changed"
        )
    problems = []
    read = []
    for path, overrides in ((args.scenario_a, ()), (args.scenario_b or args.scenario_a, args.set)):
        try:
            read.append(read_scenario(path, overrides=overrides).scenario)
        except ScenarioError as error:
            problems += [problem for problem in error.problems if problem not in problems]
    if problems:
        raise ScenarioError(problems)
    return read[0], read[1]


def comparison_text(table: pd.DataFrame, label_a: str, label_b: str) -> str:
    """The comparison as aligned text: the main figures of every queue, the cost, the verdicts."""
    headers = ["queue", "figure", "A", "B", "B - A", "± paired", "± unpaired", "narrower"]
    rows = [headers]
    for row in table[table["figure"].isin(SHOWN_FIGURES)].itertuples():
        figure = str(row.figure)
        rows.append(
            [
                str(row.queue),
                figure,
                _value(figure, row.a),
                _value(figure, row.b),
                _difference(figure, row.difference),
                _half_width(figure, row.difference_ci95),
                _half_width(figure, row.unpaired_ci95),
                MISSING if math.isnan(row.narrowing) else f"{row.narrowing:.1f}x",
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(headers))]
    names = f"A = {printable(label_a)}, B = {printable(label_b)}"  # one line, whatever the names
    lines = [f"{names}; ± are 95 % half-widths of B - A"]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:2], widths[:2], strict=True)]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines + cost_lines(table) + verdict_lines(table))


def _value(figure: str, value: float) -> str:
    if figure in FRACTIONS:
        return percent(value)
    if figure.endswith("_s"):
        return seconds(value)
    return MISSING if math.isnan(value) else f"{value:.4g}"


def _difference(figure: str, value: float) -> str:
    if figure in FRACTIONS:
        return signed_percent_points(value)
    if figure.endswith("_s"):
        return signed_seconds(value)
    return MISSING if math.isnan(value) else f"{value:+.4g}"


def _half_width(figure: str, value: float) -> str:
    if math.isnan(value):
        return MISSING
    if figure in FRACTIONS:
        return f"{percent_points(value)} pts"
    if figure.endswith("_s"):
        return f"{seconds_number(value)} s"
    return f"{value:.4g}"


def cost_lines(table: pd.DataFrame) -> list[str]:
    """The agent cost per replication of A and B and its difference; their staffed hours.

    ``cost per replication: A 6,968.43, B 7,225.29, B - A +256.86 ± 0.00 (+3.7%)``, then
    the staffed agent-hours and the cost per agent-hour of each.
    """
    rows = table[(table["queue"] == "ALL") & (table["figure"].isin(["cost", "staffed_h"]))]
    if len(rows) < 2:
        return []
    cost, hours = (rows[rows["figure"] == name].iloc[0] for name in ("cost", "staffed_h"))
    change = cost["difference"] / cost["a"] if cost["a"] else math.nan
    relative = MISSING if math.isnan(change) else f"{change * 100:+.1f}%"
    per_hour = [money(cost[side] / hours[side]) if hours[side] else MISSING for side in "ab"]
    return [
        f"cost per replication: A {money(cost['a'])}, B {money(cost['b'])}, "
        f"B - A {signed_money(cost['difference'])} ± {money(cost['difference_ci95'])} "
        f"({relative})",
        f"staffed agent-hours per replication: A {hours['a']:,.1f}, B {hours['b']:,.1f}, "
        f"B - A {hours['difference']:+,.1f}; cost per agent-hour: A {per_hour[0]}, "
        f"B {per_hour[1]}",
    ]


def verdict_lines(table: pd.DataFrame) -> list[str]:
    """``service level against target: billing A met, B too close to call; ...``."""
    rows = table[(table["figure"] == "service_level") & table["a_verdict"].notna()]
    if rows.empty:
        return []
    verdicts = "; ".join(
        f"{row.queue} A {row.a_verdict}, B {row.b_verdict or MISSING}" for row in rows.itertuples()
    )
    return [f"service level against target: {verdicts}"]
