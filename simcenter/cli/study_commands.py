"""The study commands of the command line: ``compare`` and ``staff``, and two ``run`` options.

Each command reads its scenarios as ``run`` does (every problem reported,
exit code 2), runs the study through the Python API, prints a short table
and writes its files into the output folder atomically. ``run --precision``
adds replications until every queue's service level is precise enough, and
``run --control-variates`` also estimates every summary figure with the
offered count and work as control variates (``control_variates.csv``).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simcenter.cli import executor_options
from simcenter.errors import Problem, ScenarioError, SimcenterError, describe
from simcenter.formats import MISSING, percent, percent_points, seconds, seconds_number
from simcenter.text import csv_safe, printable

if TYPE_CHECKING:
    from simcenter.cli.options import RunOptions
    from simcenter.experiments import ProgressCallback
    from simcenter.results import Results
    from simcenter.scenario import Scenario
    from simcenter.studies.precision import ControlledSummary

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
    executor_options.add_arguments(compare)

    staff = commands.add_parser(
        "staff", help="fewest agents per interval that meet the targets (Erlang, then simulation)"
    )
    staff.add_argument("scenario", help="scenario YAML file")
    staff.add_argument("--target", help="required service level, e.g. 0.8 or 80%%")
    staff.add_argument("--threshold", help="service-level threshold, e.g. 20s")
    staff.add_argument("--max-abandon", help="highest abandonment rate, e.g. 0.05")
    staff.add_argument("--max-asa", help="highest ASA, e.g. 30s")
    staff.add_argument(
        "--objective",
        choices=("targets", "cost"),
        default="targets",
        help="targets (default) or cost: least agent cost plus abandon_cost per abandoned contact",
    )
    staff.add_argument(
        "-n", "--replications", help="replications per candidate at first (default 20)"
    )
    staff.add_argument("--seed", help="base seed (default: the scenario's)")
    staff.add_argument("--jobs", help="worker processes (default and at most: one per core)")
    staff.add_argument(
        "-o", "--outdir", help="output folder (default results/<scenario name>-staffing/)"
    )
    executor_options.add_arguments(staff)


def add_run_options(run: argparse.ArgumentParser) -> None:
    """Add ``--precision`` and ``--control-variates`` to ``simcenter run``."""
    run.add_argument(
        "--precision",
        metavar="HALF_WIDTH",
        help="add replications until every queue's service level has a 95%% half-width "
        "below this (a fraction: 0.01 = one percentage point)",
    )
    run.add_argument(
        "--control-variates",
        action="store_true",
        help="also estimate every figure with the offered count and work as control variates "
        "(control_variates.csv)",
    )


@dataclass
class RunStudy:
    """What ``--precision`` and ``--control-variates`` add to one ``simcenter run``.

    Attributes:
        precision: The required half-width, or None.
        control_variates: Whether to estimate with control variates.
        seed: The ``--seed`` option (None: the scenario's).
        initial: Replications of the first batch of a precision-driven run.
        keep_contacts: Whether the run keeps the contact log.
        reached: After a precision-driven run: whether the precision was reached.
        replications: After a precision-driven run: replications it took.
        controlled: After the run, with control variates: the controlled summary.
    """

    precision: float | None
    control_variates: bool
    seed: int | None
    initial: int | None
    keep_contacts: bool
    reached: bool = False
    replications: int = 0
    controlled: ControlledSummary | None = None

    def to_precision(
        self, scenario: Scenario, jobs: int, progress: ProgressCallback | None
    ) -> Results:
        """Run replications in batches until the precision is reached."""
        from simcenter.studies.precision import simulate_to_precision

        assert self.precision is not None
        run = simulate_to_precision(
            scenario,
            self.precision,
            seed=self.seed,
            initial=self.initial,
            jobs=jobs,
            keep_contacts=self.keep_contacts,
            progress=progress,
        )
        self.reached, self.replications = run.reached, run.replications
        return run.results

    def finish(self, results: Results, target: Path) -> None:
        """With control variates: estimate and write ``control_variates.csv`` into ``target``."""
        if not self.control_variates:
            return
        from simcenter.outdir import add_to_marker
        from simcenter.studies.precision import controlled_summary

        self.controlled = controlled_summary(results)
        staging = target / f".control_variates.csv.tmp-{id(self)}"
        csv_safe(self.controlled.reduction).to_csv(staging, index=False)
        staging.replace(target / "control_variates.csv")
        add_to_marker(target, "control_variates.csv")

    def json(self, document: dict[str, Any]) -> dict[str, Any]:
        """The run's JSON document with ``precision`` and ``control_variates`` added."""
        from simcenter.cli.console import json_records

        if self.precision is not None:
            document["precision"] = {
                "half_width": self.precision,
                "replications": self.replications,
                "reached": self.reached,
            }
        if self.controlled is not None:
            document["control_variates"] = json_records(self.controlled.reduction)
        return document

    def print(self) -> None:
        """Print how many replications the precision took, and what the control achieved."""
        if self.precision is not None:
            verdict = "reached" if self.reached else "NOT reached (the cap was hit)"
            print(
                f"precision ±{percent_points(self.precision)} points of service level "
                f"{verdict} with {self.replications:,} replications"
            )
        if self.controlled is not None:
            print(printable(controlled_text(self.controlled.reduction), keep_newlines=True))


def controlled_text(reduction: pd.DataFrame) -> str:
    """Service level and ASA per queue with control variates, and the variance reduction."""
    lines = ["with control variates (offered count and work):"]
    table = reduction.set_index(["queue", "figure"])
    for queue in dict.fromkeys(reduction["queue"]):
        level, asa = table.loc[(queue, "service_level")], table.loc[(queue, "asa_s")]
        gain = level["variance_reduction"]
        lines.append(
            f"  {queue}: service level {percent(level['controlled_mean'])} "
            f"± {percent_points(level['controlled_ci95'])} (plain ± "
            f"{percent_points(level['ci95'])}), ASA {seconds(asa['controlled_mean'])} "
            f"± {seconds_number(asa['controlled_ci95'])}, variance reduction "
            + (MISSING if math.isnan(gain) else f"{gain:.2f}x")
        )
    return "\n".join(lines)


def run_study(args: argparse.Namespace, options: RunOptions, count: int) -> RunStudy:
    """Check ``--precision`` and ``--control-variates`` against the run.

    Raises:
        ScenarioError: ``--precision`` is not a fraction between 0 and 1, or
            control variates are asked for with fewer than 3 replications.
    """
    problems = []
    precision = None
    if args.precision is not None:
        try:
            precision = float(args.precision)
        except ValueError:
            precision = math.nan
        if not 0 < precision < 1:
            problems.append(
                Problem(
                    ("--precision",),
                    f"must be a fraction between 0 and 1 (got {describe(args.precision)})",
                )
            )
    if args.control_variates and precision is None and count < 3:
        problems.append(
            Problem(("--control-variates",), f"needs at least 3 replications (got {count})")
        )
    if problems:
        raise ScenarioError(problems)
    return RunStudy(
        precision,
        args.control_variates,
        options.seed,
        max(3, count) if options.replications else None,
        not args.no_contacts,
    )


def _compare(args: argparse.Namespace) -> int:
    from simcenter import outdir
    from simcenter.cli.options import run_options
    from simcenter.loading import read_scenario
    from simcenter.studies.compare import compare

    options = run_options(args.replications, args.seed, args.jobs)
    executor_options.check(args)
    first = read_scenario(args.scenario_a).scenario
    second = read_scenario(args.scenario_b).scenario
    target = Path(args.outdir) if args.outdir else outdir.default_outdir("compare")
    outdir.prepare(target)
    table = compare(
        first,
        second,
        replications=max(2, options.replications or 20),
        seed=options.seed,
        jobs=_jobs(args.executor, options.jobs),
        executor=args.executor,
        address=args.address,
    )
    with outdir.staged(target) as staging:
        csv_safe(table).to_csv(staging / "compare.csv", index=False)
    print(printable(comparison_text(table, first.name, second.name), keep_newlines=True))
    print(printable(f"comparison written to {target / 'compare.csv'}"))
    return 0


def _staff(args: argparse.Namespace) -> int:
    from simcenter import outdir
    from simcenter.cli import erlang_command as parse
    from simcenter.cli.options import run_options
    from simcenter.cli.progress import progress_bar
    from simcenter.loading import read_scenario
    from simcenter.studies.staffing import staff

    options = run_options(args.replications, args.seed, args.jobs)
    executor_options.check(args)
    problems: list[str] = []
    target = parse.option_value(problems, "--target", args.target, parse.fraction)
    threshold = parse.option_value(problems, "--threshold", args.threshold, parse.duration)
    max_abandon = parse.option_value(problems, "--max-abandon", args.max_abandon, parse.fraction)
    max_asa = parse.option_value(problems, "--max-asa", args.max_asa, parse.positive_duration)
    if problems:
        raise SimcenterError("\n".join(problems))
    scenario = read_scenario(args.scenario).scenario
    target_dir = (
        Path(args.outdir) if args.outdir else outdir.default_outdir(f"{scenario.name}-staffing")
    )
    replications = options.replications or 20
    with progress_bar(replications) as progress:
        plan = staff(
            scenario,
            target,
            threshold,
            max_abandon=max_abandon,
            max_asa=max_asa,
            objective=args.objective,
            replications=max(2, replications),
            max_replications=max(2, replications) * 4,
            seed=options.seed,
            jobs=_jobs(args.executor, options.jobs),
            executor=args.executor,
            address=args.address,
            outdir=target_dir,
            progress=progress,
        )
    print(printable(staffing_text(plan.table), keep_newlines=True))
    print(
        printable(
            f"{plan.evaluations} candidates with {plan.replications} replications each; "
            f"staffing written to {target_dir} (staffing.csv, staffing.png, staffed.yaml)"
        )
    )
    return 0


def staffing_text(table: pd.DataFrame) -> str:
    """The staffing plan as aligned plain text."""
    headers = ["interval", "group", "Erlang C", "Erlang A", "required", "service level"]
    rows = [headers]
    for row in table.itertuples():
        level = percent(row.service_level)
        if not math.isnan(row.service_level_ci95):
            level += f" ± {percent_points(row.service_level_ci95)}"
        rows.append(
            [
                row.interval_start.strftime("%Y-%m-%d %H:%M"),
                str(row.group),
                str(row.erlang_agents),
                str(row.erlang_a_agents),
                str(row.required_agents),
                level,
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(headers))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:2], widths[:2], strict=True)]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _jobs(executor: str, jobs: int | None) -> int | None:
    """Workers: at most one per core locally; as given (None: the default) on Dask."""
    from simcenter.stops import capped_jobs

    return capped_jobs(jobs) if executor == "local" else jobs


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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"compare": _compare, "staff": _staff}
"""Command name -> handler, merged into the command line's table."""
