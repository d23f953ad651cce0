"""The study commands of the command line: ``compare`` and ``staff``.

Each one reads its scenarios as ``run`` does (every problem reported, exit
code 2), runs the study through the Python API, prints a short table and
writes its files into the output folder atomically.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from simcenter.formats import MISSING
from simcenter.text import printable

SHOWN_FIGURES = ("service_level", "asa_s", "abandon_rate", "mean_wait_s", "occupancy")
"""Figures ``compare`` prints (``compare.csv`` holds every figure)."""


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add ``compare`` and ``staff`` to the command line's subcommands."""
    compare = commands.add_parser(
        "compare", help="compare two scenarios under common random numbers (paired)"
    )
    compare.add_argument("scenario_a", help="reference scenario YAML file")
    compare.add_argument("scenario_b", help="alternative scenario YAML file")
    compare.add_argument("-n", "--replications", help="replications of each (default 20)")
    compare.add_argument("--seed", help="base seed of both (default: scenario A's)")
    compare.add_argument("--jobs", help="worker processes (default and at most: one per core)")
    compare.add_argument("-o", "--outdir", help="output folder (default results/compare/)")


def _compare(args: argparse.Namespace) -> int:
    from simcenter import outdir
    from simcenter.loading import read_scenario
    from simcenter.options import run_options
    from simcenter.stops import capped_jobs
    from simcenter.studies.compare import compare
    from simcenter.text import csv_safe

    options = run_options(args.replications, args.seed, args.jobs)
    first = read_scenario(args.scenario_a).scenario
    second = read_scenario(args.scenario_b).scenario
    target = Path(args.outdir) if args.outdir else outdir.default_outdir("compare")
    outdir.prepare(target)
    table = compare(
        first,
        second,
        replications=max(2, options.replications or 20),
        seed=options.seed,
        jobs=capped_jobs(options.jobs),
    )
    with outdir.staged(target) as staging:
        csv_safe(table).to_csv(staging / "compare.csv", index=False)
    print(printable(comparison_text(table, first.name, second.name)))
    print(printable(f"comparison written to {target / 'compare.csv'}"))
    return 0


def comparison_text(table: pd.DataFrame, name_a: str, name_b: str) -> str:
    """The comparison as aligned plain text: the main figures of every queue."""
    headers = ["queue", "figure", "A", "B", "B - A", "± paired", "± unpaired", "narrower"]
    rows = [headers]
    for row in table[table["figure"].isin(SHOWN_FIGURES)].itertuples():
        rows.append(
            [
                str(row.queue),
                str(row.figure),
                _number(row.a),
                _number(row.b),
                _number(row.difference, signed=True),
                _number(row.difference_ci95),
                _number(row.unpaired_ci95),
                MISSING if math.isnan(row.narrowing) else f"{row.narrowing:.1f}x",
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(headers))]
    lines = [f"A = {name_a}, B = {name_b}; 95 % half-widths"]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:2], widths[:2], strict=True)]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _number(value: float, signed: bool = False) -> str:
    if math.isnan(value):
        return MISSING
    return f"{value:+.4g}" if signed else f"{value:.4g}"



COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"compare": _compare}
"""Command name -> handler, merged into the command line's table."""
