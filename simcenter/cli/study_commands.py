"""The study commands of the command line: ``compare`` and ``staff``, and two ``run`` options.

``compare`` lives in :mod:`simcenter.cli.compare_command`. Each command reads
its scenarios as ``run`` does (every problem reported, exit code 2), runs the
study through the Python API, prints a short table and writes its files into
the output folder atomically. ``run --precision`` adds replications until
every queue's service level is precise enough, and ``run --control-variates``
also estimates every summary figure with the offered count and work as
control variates (``control_variates.csv``).
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simcenter.cli import compare_command, executor_options
from simcenter.errors import Problem, ScenarioError, SimcenterError, describe
from simcenter.formats import MISSING, percent, percent_points, seconds, seconds_number
from simcenter.text import csv_safe, printable

if TYPE_CHECKING:
    import pandas as pd

    from simcenter.cli.options import RunOptions
    from simcenter.experiments import ProgressCallback
    from simcenter.results import Results
    from simcenter.scenario import Scenario
    from simcenter.studies.precision import ControlledSummary


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add ``compare`` and ``staff`` to the command line's subcommands."""
    compare = commands.add_parser(
        "compare", help="compare two scenarios under common random numbers (paired)"
    )
    compare_command.add_arguments(compare)

    staff = commands.add_parser(
        "staff", help="fewest agents per interval that meet the targets (Erlang, then simulation)"
    )
    staff.add_argument("scenario", help="scenario YAML file")
    staff.add_argument(
        "--target",
        help="required service level of every queue, a fraction: 0.8 or 80%% "
        "(default: each queue's own target)",
    )
    staff.add_argument(
        "--threshold",
        help="service-level threshold of every queue with a unit, e.g. 20s "
        "(default: each queue's own)",
    )
    staff.add_argument(
        "--max-abandon",
        help="highest abandonment rate, a fraction, e.g. 0.05 (default: no such limit)",
    )
    staff.add_argument(
        "--max-asa", help="highest ASA with a unit, e.g. 30s (default: no such limit)"
    )
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
        "below this (a fraction: 0.01 = one percentage point; default: a fixed count)",
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
        from simcenter import outdir
        from simcenter.studies.precision import controlled_summary

        self.controlled = controlled_summary(results)
        reduction = csv_safe(self.controlled.reduction)
        outdir.write_into(
            target.resolve(),
            "control_variates.csv",
            outdir.RUN,
            lambda path: reduction.to_csv(path, index=False),
        )

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


def _staff(args: argparse.Namespace) -> int:
    from simcenter import outdir
    from simcenter.cli import erlang_command as parse
    from simcenter.cli.options import run_options
    from simcenter.cli.progress import progress_bar
    from simcenter.loading import read_scenario
    from simcenter.studies.staffing import StaffingWarning, staff

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
    with progress_bar(replications) as progress, warnings.catch_warnings():
        warnings.simplefilter("always", StaffingWarning)
        warnings.showwarning = _show_warning
        plan = staff(
            scenario,
            target=target,
            threshold=threshold,
            max_abandon=max_abandon,
            max_asa=max_asa,
            objective=args.objective,
            replications=max(2, replications),
            max_replications=max(2, replications) * 4,
            seed=options.seed,
            jobs=executor_options.workers(args, options.jobs),
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


def _show_warning(message: Warning | str, *args: object, **kwargs: object) -> None:
    """Print a warning of simcenter's as its message alone (no file and line)."""
    print(printable(str(message)), file=sys.stderr)


def staffing_text(table: pd.DataFrame) -> str:
    """The staffing plan as aligned plain text."""
    headers = ["interval", "group", "Erlang C", "Erlang A", "required", "service level", "verdict"]
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
                row.verdict or MISSING,
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(headers))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:2], widths[:2], strict=True)]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "compare": compare_command.run,
    "staff": _staff,
}
"""Command name -> handler, merged into the command line's table."""
