"""The ``simcenter sweep`` command: a scenario at every point of a grid of values.

``--vary KEY=SPEC`` gives the values of one key (:func:`simcenter.studies.grid.parse_vary`);
several ``--vary`` make the Cartesian product. Each finished point is kept in
the output folder, so the same command with the same ``-o`` resumes an
interrupted sweep; ``sweep.csv`` and ``sweep.png`` appear when every point
is done.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from simcenter import outdir
from simcenter.cli import executor_options
from simcenter.cli.options import RunOptions, run_options
from simcenter.errors import ScenarioError
from simcenter.formats import money, percent, percent_points, seconds, with_half_width
from simcenter.reports import ALL
from simcenter.studies.grid import Grid
from simcenter.studies.runner import ProgressCallback
from simcenter.text import printable


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
    parser.add_argument("-n", "--replications", help="replications per point")
    parser.add_argument("--seed", help="base seed (the same for every point)")
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
        help="override a scenario value at every point, e.g. horizon=4h",
    )
    parser.add_argument("--jobs", help="workers (default: one per core)")
    executor_options.add_arguments(parser)
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
            options.replications,
            options.seed,
            jobs=options.jobs,
            executor=args.executor,
            address=args.address,
            outdir=target,
            progress=progress,
        )
    if not args.quiet:
        print(printable(overall_table(done.table, done.keys), keep_newlines=True))
        resumed = f" ({done.resumed} found finished, not rerun)" if done.resumed else ""
        print(printable(f"{done.points} points{resumed}; results written to {target}"))
    return 0


def _checked(args: argparse.Namespace) -> tuple[RunOptions, Grid]:
    """The checked ``-n``, ``--seed``, ``--jobs`` and ``--vary``: every problem at once."""
    from simcenter.studies.grid import parse_vary

    problems = []
    try:
        options = run_options(args.replications, args.seed, args.jobs)
    except ScenarioError as error:
        problems += error.problems
    try:
        grid = parse_vary(args.vary)
    except ScenarioError as error:
        problems += error.problems
    if problems:
        raise ScenarioError(problems)
    return options, grid


def default_outdir(scenario_name: str) -> Path:
    """``results/<slug of the name>-sweep``, beside the folder of ``simcenter run``."""
    folder = outdir.default_outdir(scenario_name)
    return folder.with_name(f"{folder.name}-sweep")


def overall_table(table: pd.DataFrame, keys: list[str]) -> str:
    """The ``ALL`` row of every point as aligned text: values, service level, ASA, cost."""
    rows = [[*keys, "service level", "ASA", "abandoned", "cost"]]
    for _, row in table[table["queue"] == ALL].iterrows():
        level = with_half_width(percent(row["service_level"]), _half(row, "service_level"))
        rows.append(
            [
                *(str(row[key]) for key in keys),
                level,
                seconds(row["asa_s"]),
                percent(row["abandon_rate"]),
                money(row["cost"]),
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


def _half(row: pd.Series, column: str) -> str | None:
    value = row.get(f"{column}_ci95")
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
