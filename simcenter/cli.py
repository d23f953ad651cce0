"""The ``simcenter`` command line: a thin layer over the Python API.

Exit codes: 0 ok, 2 bad input (every problem printed, no traceback), 1 an
internal error (a bug: rerun with ``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from simcenter._version import __version__
from simcenter.errors import SimcenterError

_SUMMARY_COLUMNS = (
    "queue",
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_s",
    "abandon_rate",
    "occupancy",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simcenter", description="Contact-centre simulator.")
    parser.add_argument("--version", action="version", version=f"simcenter {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="simulate a scenario and write its results")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("-o", "--outdir", help="output folder (default results/<scenario name>/)")
    run.add_argument("-n", "--replications", type=int, help="number of replications")
    run.add_argument("--seed", type=int, help="base seed")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value, e.g. agents.tier1.count=32",
    )
    run.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    run.add_argument("--no-contacts", action="store_true", help="do not write contacts.parquet")
    run.add_argument("--no-plots", action="store_true", help="do not draw plots")

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("scenarios", nargs="+", help="scenario YAML files")

    commands.add_parser("schema", help="print the JSON Schema of the scenario format")

    erlang = commands.add_parser("erlang", help="analytic Erlang C / Erlang A figures")
    erlang.add_argument("--rate", required=True, help='arrival rate, e.g. "360/h"')
    erlang.add_argument("--aht", required=True, help='average handle time, e.g. "240s"')
    erlang.add_argument("--agents", required=True, type=int, help="number of agents")
    erlang.add_argument("--patience", help='mean patience for Erlang A, e.g. "120s"')
    erlang.add_argument("--threshold", default="20s", help="service-level threshold (default 20s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except SimcenterError as error:
        print(error, file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `simcenter schema | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: keep the user's screen clean unless asked
        if args.debug:
            raise
        print(internal_error_message(error), file=sys.stderr)
        return 1


def internal_error_message(error: BaseException) -> str:
    """One line for a bug in simcenter (not in the user's input)."""
    detail = " ".join(str(error).split())
    return (
        f"internal error (a bug in simcenter): {type(error).__name__}: {detail} "
        "(rerun with --debug for the traceback, and please report it)"
    )


def _run(args: argparse.Namespace) -> int:
    from simcenter.experiments import simulate
    from simcenter.loading import load_overrides, load_scenario

    scenario = load_scenario(args.scenario)
    if args.set:
        scenario = scenario.with_overrides(load_overrides(args.set))
    count = args.replications or scenario.replications
    with _progress(count) as progress:
        results = simulate(
            scenario,
            replications=count,
            seed=args.seed,
            jobs=args.jobs,
            keep_contacts=not args.no_contacts,
            progress=progress,
        )
    outdir = Path(args.outdir or Path("results") / scenario.name)
    results.save(outdir, plots=not args.no_plots)
    _print_summary(results.summary)
    print(f"results written to {outdir}")
    return 0


def _progress(total: int):
    import contextlib

    if total <= 1 or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from rich.progress import Progress

    @contextlib.contextmanager
    def bar():
        with Progress(transient=True) as progress:
            task = progress.add_task("replications", total=total)
            yield lambda done, _total: progress.update(task, completed=done)

    return bar()


def _print_summary(summary) -> None:
    columns = [column for column in _SUMMARY_COLUMNS if column in summary.columns]
    rows = [[_cell(row[column]) for column in columns] for _, row in summary.iterrows()]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    widths = [max(len(column), *(len(row[i]) for row in rows)) for i, column in enumerate(columns)]
    print("  ".join(column.rjust(width) for column, width in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def _validate(args: argparse.Namespace) -> int:
    from simcenter.errors import ScenarioError
    from simcenter.loading import load_scenario

    failed = False
    for path in args.scenarios:
        try:
            load_scenario(path)
        except ScenarioError as error:
            print(error, file=sys.stderr)
            failed = True
        else:
            print(f"{path}: ok")
    return 2 if failed else 0


def _schema(args: argparse.Namespace) -> int:
    from simcenter.loading import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return 0


def _erlang(args: argparse.Namespace) -> int:
    from simcenter import erlang
    from simcenter.errors import Problem, ScenarioError
    from simcenter.units import UnitError, parse_duration, parse_rate

    try:
        rate, aht = parse_rate(args.rate), parse_duration(args.aht)
        threshold = parse_duration(args.threshold)
        patience = None if args.patience is None else parse_duration(args.patience)
    except UnitError as error:
        raise ScenarioError([Problem((), str(error))]) from None
    try:
        if patience is None:
            result = erlang.erlang_c(rate, aht, args.agents, threshold)
            title = f"Erlang C: M/M/{args.agents}"
        else:
            result = erlang.erlang_a(rate, aht, patience, args.agents, threshold)
            title = f"Erlang A: M/M/{args.agents}+M"
    except ValueError as error:
        raise ScenarioError([Problem((), str(error))]) from None
    print(f"{title}, offered load {rate * aht:.4g} Erlangs")
    for name in ("p_wait", "asa", "mean_wait", "service_level", "p_abandon", "occupancy"):
        unit = " s" if name in ("asa", "mean_wait") else ""
        print(f"  {name:<14}{getattr(result, name):.4f}{unit}")
    return 0


_COMMANDS = {"run": _run, "validate": _validate, "schema": _schema, "erlang": _erlang}
