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

from simcenter._version import __version__
from simcenter.cli import erlang_command, study_commands, sweep_command
from simcenter.cli.options import run_options
from simcenter.cli.progress import progress_bar
from simcenter.errors import Problem, SimcenterError
from simcenter.stops import Stopped, available_cores, capped_jobs, exit_code, stop_on_signals
from simcenter.text import printable

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
    run.add_argument("-n", "--replications", help="number of replications")
    run.add_argument("--seed", help="base seed")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value, e.g. agents.tier1.count=32",
    )
    run.add_argument("--jobs", help="worker processes (default and at most: one per core)")
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
    study_commands.add_run_options(run)

    report = commands.add_parser("report", help="write report.html from a results folder")
    report.add_argument("outdir", help="results folder written by simcenter run")

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("scenarios", nargs="+", help="scenario YAML files")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")

    commands.add_parser("schema", help="print the JSON Schema of the scenario format")

    erlang = commands.add_parser("erlang", help="analytic Erlang C / Erlang A figures")
    erlang_command.add_arguments(erlang)
    study_commands.add_parsers(commands)

    sweep = commands.add_parser("sweep", help="simulate a scenario at every point of a grid")
    sweep_command.add_arguments(sweep)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    SIGTERM and SIGHUP stop a command like Ctrl-C: the output folder is left
    as it was and the exit code is 128 + the signal number (130 for Ctrl-C).
    """
    args = _parser().parse_args(argv)
    try:
        with stop_on_signals():
            return _COMMANDS[args.command](args)
    except SimcenterError as error:
        _error(str(error))
        return 2
    except BrokenPipeError:  # e.g. `simcenter schema | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt as stop:
        _error("interrupted" if not isinstance(stop, Stopped) else f"stopped by {stop}")
        return exit_code(stop)
    except Exception as error:  # a bug: keep the user's screen clean unless asked
        if args.debug:
            raise
        _error(internal_error_message(error))
        return 1


def internal_error_message(error: BaseException) -> str:
    """One line for a bug in simcenter (not in the user's input)."""
    detail = " ".join(str(error).split())
    return (
        f"internal error (a bug in simcenter): {type(error).__name__}: {detail} "
        "(rerun with --debug for the traceback, and please report it)"
    )


def _error(text: str) -> None:
    """Print to stderr, with control characters escaped (text may quote a scenario)."""
    print(printable(text, keep_newlines=True), file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from simcenter import outdir, workload
    from simcenter.cli import console
    from simcenter.experiments import simulate
    from simcenter.loading import read_scenario

    options = run_options(args.replications, args.seed, args.jobs)
    scenario_file = read_scenario(args.scenario, overrides=args.set)
    scenario = scenario_file.scenario
    warnings = _warnings(scenario_file, scenario, args.strict)
    count = options.replications or scenario.replications
    jobs = _capped_jobs(options.jobs)
    estimate = workload.estimate(scenario, count, keep_contacts=not args.no_contacts)
    warning = workload.check(estimate, min(jobs, count))
    if warning:
        _error(warning)
    target = Path(args.outdir) if args.outdir else outdir.default_outdir(scenario.name)
    outdir.prepare(target)
    study = study_commands.run_study(args, options, count)
    with progress_bar(0 if args.quiet else count) as progress:
        if study.precision is not None:
            results = study.to_precision(scenario, jobs, progress)
        else:
            results = simulate(
                scenario,
                replications=count,
                seed=options.seed,
                jobs=jobs,
                keep_contacts=not args.no_contacts,
                progress=progress,
            )
    results.save(target, plots=not args.no_plots, report=args.report)
    study.finish(results, target)
    if args.format == "json":
        console.print_json(study.json(console.json_document(results, target, warnings)))
    elif not args.quiet:
        console.print_summary(results, all_queues=args.all_queues)
        study.print()
        print(printable(f"results written to {target}"))
        if args.report:
            print(printable(f"report written to {target / 'report.html'}"))
    return 0


def _capped_jobs(jobs: int | None) -> int:
    """Worker processes for ``--jobs``: at most one per core, with a note when capped."""
    cores = available_cores()
    if jobs is not None and jobs > cores:
        _error(f"note: --jobs {jobs} is more than the {cores} cores here; using {cores}")
    return capped_jobs(jobs)


def _report(args: argparse.Namespace) -> int:
    from simcenter.outdir import add_to_marker
    from simcenter.report_html import write_report

    report = write_report(Path(args.outdir))
    add_to_marker(report.parent, report.name)
    print(printable(f"report written to {report}"))
    return 0


def _warnings(scenario_file: ScenarioFile, scenario: Scenario, strict: bool) -> list[Problem]:
    """Print the lint warnings of a scenario read from a file; with ``strict``, fail on any."""
    from simcenter.cli import console
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


def _validate(args: argparse.Namespace) -> int:
    from simcenter.loading import read_scenario

    failed = False
    for path in args.scenarios:
        try:
            scenario_file = read_scenario(path)
            warnings = _warnings(scenario_file, scenario_file.scenario, args.strict)
        except SimcenterError as error:  # an invalid scenario, or warnings with --strict
            _error(str(error))
            failed = True
        else:
            text = f"{path}: ok ({_warning_count(warnings)})" if warnings else f"{path}: ok"
            print(printable(text))
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
    **study_commands.COMMANDS,
    "sweep": sweep_command.run,
}
