"""The ``simcenter sweep`` command: a scenario at every point of a grid of values.

``--vary KEY=SPEC`` gives the values of one key (:func:`simcenter.studies.grid.parse_vary`);
several ``--vary`` make the Cartesian product. Each finished point is kept in
the output folder, so the same command with the same ``-o`` resumes an
interrupted sweep; ``sweep.csv`` and ``sweep.png`` appear when every point
is done.

The table printed has a line per point and queue, then the channels' total
rows (several channels only), then ``ALL``: the varied
values, the service level with its 95 % half-width, the queue's objective
and its verdict (:mod:`simcenter.verdicts`), the ASA, the abandonment rate,
and the centre's cost on the ``ALL`` line. As for ``run``, a sweep of more
than :data:`~simcenter.cli.console.MANY_QUEUES` queues shows the
:data:`~simcenter.cli.console.WORST_QUEUES` queues whose service level is
lowest at some point, and one line counting the rest (all of them with
``--all-queues``).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from simcenter.cli import executor_options
from simcenter.cli.console import MANY_QUEUES, WORST_QUEUES
from simcenter.cli.options import RunOptions, run_options
from simcenter.errors import Problem, ScenarioError
from simcenter.formats import (
    MISSING,
    money,
    percent,
    percent_points,
    seconds,
    with_half_width,
)
from simcenter.text import printable
from simcenter.units import format_duration
from simcenter.verdicts import MET, MISSED, TOO_CLOSE

if TYPE_CHECKING:
    import pandas as pd

    from simcenter.studies.grid import Grid
    from simcenter.studies.runner import ProgressCallback


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``simcenter sweep``."""
    parser.add_argument("scenario", help="scenario YAML file")
    parser.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=VALUES",
        help="a key and its values: 24:36 (integers, both ends included), a:b:step, "
        "or a list 60s,120s,300s; repeat for a grid of several keys",
    )
    parser.add_argument(
        "-n", "--replications", help="replications per point (default: the scenario's)"
    )
    parser.add_argument(
        "--seed", help="base seed, the same for every point (default: the scenario's)"
    )
    parser.add_argument(
        "-o",
        "--outdir",
        help="output folder (default results/<scenario name>-sweep/); "
        "the same folder resumes an interrupted sweep",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value at every point, e.g. horizon=4h (default: none)",
    )
    parser.add_argument("--jobs", help="workers (default: one per core)")
    executor_options.add_arguments(parser)
    parser.add_argument(
        "--all-queues",
        action="store_true",
        help=f"show every queue (default: the {WORST_QUEUES} worst beyond {MANY_QUEUES} queues)",
    )
    parser.add_argument("--quiet", action="store_true", help="no table and no progress bar")


def run(args: argparse.Namespace) -> int:
    """Run the sweep of ``args``, write its folder and print the overall figure of each point."""
    from simcenter.loading import read_scenario
    from simcenter.studies.sweep import run_sweep

    executor_options.check(args)
    options, grid = _checked(args)
    scenario = read_scenario(args.scenario, overrides=args.set).scenario
    target = Path(args.outdir) if args.outdir else default_outdir(scenario.name)
    with _progress(args.quiet) as progress:
        done = run_sweep(
            scenario,
            grid,
            replications=options.replications,
            seed=options.seed,
            jobs=executor_options.workers(args, options.jobs),
            executor=args.executor,
            address=args.address,
            outdir=target,
            progress=progress,
        )
    if done.rejected:
        print(
            f"note: {done.rejected} point file(s) in {printable(str(target))} did not match "
            "their record (changed or copied since simcenter wrote them): their points were "
            "run again",
            file=sys.stderr,
        )
    if not args.quiet:
        print(printable(sweep_text(done.table, done.keys, args.all_queues), keep_newlines=True))
        resumed = f" ({done.resumed} found finished, not rerun)" if done.resumed else ""
        print(printable(f"{done.points} points{resumed}; results written to {target}"))
    return 0


def _checked(args: argparse.Namespace) -> tuple[RunOptions, Grid]:
    """The checked ``-n``, ``--seed``, ``--jobs`` and ``--vary``: every problem at once."""
    from simcenter.studies.grid import as_grid, parse_vary

    problems = []
    try:
        options = run_options(args.replications, args.seed, args.jobs)
    except ScenarioError as error:
        problems += error.problems
    try:
        grid = as_grid(parse_vary(args.vary))
    except ScenarioError as error:
        problems += error.problems
    except ValueError as error:  # too many points in all
        problems.append(Problem(("--vary",), str(error)))
    if problems:
        raise ScenarioError(problems)
    return options, grid


def default_outdir(scenario_name: str) -> Path:
    """``results/<slug of the name>-sweep``, beside the folder of ``simcenter run``."""
    from simcenter import outdir

    folder = outdir.default_outdir(scenario_name)
    return folder.with_name(f"{folder.name}-sweep")


SWEEP_HEADERS = ("queue", "service level", "target", "verdict", "ASA", "abandoned", "cost")
"""Columns of the printed table after the varied values."""


def shown_queues(table: pd.DataFrame, all_queues: bool) -> tuple[list[str], int]:
    """The rows the table shows at every point, in order (the channel rows, then ``ALL``,
    last), and how many queues are not.

    With at most :data:`MANY_QUEUES` queues, or ``all_queues``, every queue in
    the scenario's order; otherwise the :data:`WORST_QUEUES` whose lowest
    service level over the points is lowest, worst first (ties by name;
    queues with no contact offered last).
    """
    from simcenter.reports import is_total

    names = table["queue"].astype(str)
    queues = [name for name in dict.fromkeys(names) if not is_total(name)]
    totals = [name for name in dict.fromkeys(names) if is_total(name)]
    if all_queues or len(queues) <= MANY_QUEUES:
        return [*queues, *totals], 0
    lowest = table["service_level"].groupby(names, sort=False).min()
    ranked = sorted(queues, key=lambda name: (math.isnan(lowest[name]), lowest[name], name))
    return [*ranked[:WORST_QUEUES], *totals], len(queues) - WORST_QUEUES


def sweep_text(table: pd.DataFrame, keys: list[str], all_queues: bool = False) -> str:
    """The sweep as aligned text: a line per point and shown queue, then the rest counted."""
    from simcenter.reports import ALL

    queues, left_out = shown_queues(table, all_queues)
    rows = [[*keys, *SWEEP_HEADERS]]
    for _, row in _in_order(table, queues).iterrows():
        level = with_half_width(percent(row["service_level"]), _half(row, "service_level"))
        rows.append(
            [
                *(str(row[key]) for key in keys),
                str(row["queue"]),
                level,
                _objective(row),
                row["sl_verdict"] if isinstance(row["sl_verdict"], str) else MISSING,
                seconds(row["asa_s"]),
                percent(row["abandon_rate"]),
                money(row["cost"]) if str(row["queue"]) == ALL else "",
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    queue_column = len(keys)
    lines = [
        "  ".join(
            cell.ljust(width) if column == queue_column else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    if left_out:
        lines.append(rest_line(table, queues, left_out))
    return "\n".join(lines)


def _in_order(table: pd.DataFrame, queues: list[str]) -> pd.DataFrame:
    """The rows of ``queues`` at every point, point by point, each in the order of ``queues``."""
    import pandas as pd

    from simcenter.reports import ALL

    names = table["queue"].astype(str)
    point = (names == ALL).shift(fill_value=False).cumsum()  # ALL ends each point
    rank = names.map({name: position for position, name in enumerate(queues)})
    order = pd.DataFrame({"point": point, "rank": rank})[names.isin(queues)]
    return table.loc[order.sort_values(["point", "rank"], kind="stable").index]


def _objective(row: pd.Series) -> str:
    """``80.0% in 20s``, or ``-`` without one (``ALL`` when the queues' objectives differ)."""
    if math.isnan(row["sl_target"]):
        return MISSING
    return f"{percent(row['sl_target'])} in {format_duration(row['sl_threshold_s'])}"


def rest_line(table: pd.DataFrame, shown: list[str], left_out: int) -> str:
    """The line counting the queues not shown, by their worst verdict over the points."""
    from simcenter.reports import TOTAL_ROWS

    names = table["queue"].astype(str)
    rest = table[~names.isin(shown) & ~names.isin(TOTAL_ROWS)]
    worst: dict[str | None, int] = {MISSED: 0, TOO_CLOSE: 0, MET: 0, None: 0}
    for _, verdicts in rest["sl_verdict"].groupby(names[rest.index], sort=False):
        found = set(verdicts.dropna())
        worst[next((kind for kind in (MISSED, TOO_CLOSE, MET) if kind in found), None)] += 1
    parts = [
        f"{worst[MET]:,} met the target at every point",
        f"{worst[MISSED]:,} missed it at some point",
    ]
    if worst[TOO_CLOSE]:
        parts.append(f"{worst[TOO_CLOSE]:,} too close to call at some point")
    if worst[None]:
        parts.append(f"{worst[None]:,} had no contact")
    return f"{left_out:,} more queues not shown ({', '.join(parts)}); --all-queues shows them all"


def _half(row: pd.Series, column: str) -> str | None:
    value = row.get(f"{column}_ci95")
    import pandas as pd

    return None if value is None or pd.isna(value) else percent_points(value)


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[ProgressCallback | None]:
    """A progress bar over the replications to run, on a terminal and unless quiet."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("sweep", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
