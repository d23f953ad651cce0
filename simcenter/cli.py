"""The ``simcenter`` command line: a thin layer over the Python API.

Exit codes: 0 ok, 2 bad input (every problem printed, no traceback), 1 an
internal error (a bug: rerun with ``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from simcenter import erlang_command
from simcenter._version import __version__
from simcenter.errors import Problem, SimcenterError

if TYPE_CHECKING:
    from simcenter.loading import ScenarioFile
    from simcenter.scenario import Scenario


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
    run.add_argument(
        "--no-contacts",
        action="store_true",
        help="keep no per-contact data and write no contacts.parquet",
    )
    run.add_argument("--no-plots", action="store_true", help="do not draw plots")
    run.add_argument("--strict", action="store_true", help="treat scenario warnings as errors")
    run.add_argument("--quiet", action="store_true", help="no summary table and no progress bar")
    run.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json: one JSON document on standard output",
    )
    run.add_argument(
        "--all-queues", action="store_true", help="show every queue, however many there are"
    )
    run.add_argument(
        "--report", action="store_true", help="also write a self-contained report.html"
    )

    report = commands.add_parser("report", help="write report.html from a results folder")
    report.add_argument("outdir", help="results folder written by simcenter run")

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("scenarios", nargs="+", help="scenario YAML files")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")

    commands.add_parser("schema", help="print the JSON Schema of the scenario format")

    erlang = commands.add_parser("erlang", help="analytic Erlang C / Erlang A figures")
    erlang_command.add_arguments(erlang)
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
        print(
            f"internal error: {type(error).__name__}: {error}\n"
            "(rerun with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1


def _run(args: argparse.Namespace) -> int:
    from simcenter import console
    from simcenter.experiments import simulate
    from simcenter.loading import load_overrides, read_scenario

    scenario_file = read_scenario(args.scenario)
    scenario = scenario_file.scenario
    if args.set:
        scenario = scenario.with_overrides(load_overrides(args.set))
    warnings = _warnings(scenario_file, scenario, args.strict)
    count = args.replications or scenario.replications
    with _progress(0 if args.quiet else count) as progress:
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
    if args.format == "json":
        console.print_json(console.json_document(results, outdir, warnings))
    elif not args.quiet:
        console.print_summary(results, all_queues=args.all_queues)
        print(f"results written to {outdir}")
    if args.report:
        report_file = _write_report(outdir)
        if args.format != "json" and not args.quiet:
            print(f"report written to {report_file}")
    return 0


def _report(args: argparse.Namespace) -> int:
    print(f"report written to {_write_report(Path(args.outdir))}")
    return 0


def _write_report(outdir: Path) -> Path:
    from simcenter.report_html import write_report

    return write_report(outdir)


def _warnings(scenario_file: ScenarioFile, scenario: Scenario, strict: bool) -> list[Problem]:
    """Print the lint warnings of a scenario read from a file; with ``strict``, fail on any."""
    from simcenter import console
    from simcenter.lint import lint

    warnings = [scenario_file.locate(warning) for warning in lint(scenario)]
    warnings.sort(key=lambda warning: warning.line or 0)
    console.print_warnings(warnings)
    if strict and warnings:
        count = _warning_count(warnings)
        raise SimcenterError(f"{scenario_file.file}: {count}, treated as errors (--strict)")
    return warnings


def _warning_count(warnings: list[Problem]) -> str:
    return f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"


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


def _validate(args: argparse.Namespace) -> int:
    from simcenter.loading import read_scenario

    failed = False
    for path in args.scenarios:
        try:
            scenario_file = read_scenario(path)
            warnings = _warnings(scenario_file, scenario_file.scenario, args.strict)
        except SimcenterError as error:  # an invalid scenario, or warnings with --strict
            print(error, file=sys.stderr)
            failed = True
        else:
            print(f"{path}: ok ({_warning_count(warnings)})" if warnings else f"{path}: ok")
    return 2 if failed else 0


def _schema(args: argparse.Namespace) -> int:
    from simcenter.loading import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return 0


def _erlang(args: argparse.Namespace) -> int:
    return erlang_command.run(args)


_COMMANDS = {
    "run": _run,
    "validate": _validate,
    "schema": _schema,
    "erlang": _erlang,
    "report": _report,
}
