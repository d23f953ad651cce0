"""What ``simcenter COMMAND --help`` says besides the options: a description, examples, exit codes.

Every command's help starts with a one-line description and ends with two
examples and the exit codes, so that a user who has only the terminal can
start from ``--help``.
"""

from __future__ import annotations

import argparse

EXIT_CODES = """exit codes:
  0    done
  1    an internal error (a bug in simcenter: rerun with --debug for the traceback)
  2    bad input: every problem printed with file:line and key path, nothing written
  130  interrupted by Ctrl-C (128 + the signal number for SIGTERM or SIGHUP)"""

COMMANDS: dict[str, tuple[str, tuple[str, str]]] = {
    "run": (
        "Simulate a scenario and write its result tables, plots and (with --report) report.html.",
        (
            "simcenter run scenarios/single_queue.yaml -n 10 --seed 3 -o out/single",
            "simcenter run scenarios/two_queues.yaml --set agents.team.count=32 --report",
        ),
    ),
    "report": (
        "Write report.html (self-contained, no network) from a folder written by simcenter run.",
        (
            "simcenter report results/single-queue",
            "simcenter report out/single",
        ),
    ),
    "validate": (
        "Check scenario files: every problem with file:line and key path, then warnings.",
        (
            "simcenter validate scenarios/*.yaml",
            "simcenter validate --strict scenarios/single_queue.yaml",
        ),
    ),
    "schema": (
        "Print the JSON Schema of the scenario format (for editors and other tools).",
        (
            "simcenter schema > scenario.schema.json",
            "simcenter schema | python3 -m json.tool | head",
        ),
    ),
    "erlang": (
        "Analytic Erlang C (or Erlang A with --patience) figures, or the agents a target needs.",
        (
            "simcenter erlang --rate 360/h --aht 240s --agents 30 --threshold 20s",
            "simcenter erlang --rate 360/h --aht 4min --target 80% --patience 2min",
        ),
    ),
    "compare": (
        "Compare two scenarios (or one and its --set variant) replication by replication "
        "under common random numbers; rerun into the same -o to resume.",
        (
            "simcenter compare scenarios/single_queue.yaml bigger.yaml -n 20 -o out/compare",
            "simcenter compare scenarios/single_queue.yaml --set agents.team.count=31",
        ),
    ),
    "staff": (
        "The fewest agents per interval and group that meet the targets (Erlang, then simulation).",
        (
            "simcenter staff scenarios/single_queue.yaml --target 80% --threshold 20s",
            "simcenter staff scenarios/two_queues.yaml --max-asa 30s -n 10 -o out/staffing",
        ),
    ),
    "sweep": (
        "Simulate a scenario at every point of a grid of values (common random numbers).",
        (
            "simcenter sweep scenarios/single_queue.yaml --vary agents.team.count=27:33",
            "simcenter sweep scenarios/single_queue.yaml --vary agents.team.count=27:33 "
            "--vary queues.support.patience.mean=60s,120s -n 10",
        ),
    ),
}
"""Per command: its one-line description and two examples."""

MAIN_EPILOG = (
    "Run 'simcenter COMMAND --help' for a command's options, examples and exit codes.\n\n"
    + EXIT_CODES
)
"""The end of ``simcenter --help``."""


def describe(commands: argparse._SubParsersAction) -> None:
    """Give every subcommand its description, examples and exit codes."""
    for name, parser in commands.choices.items():
        description, examples = COMMANDS[name]
        parser.description = description
        parser.epilog = "examples:\n" + "".join(f"  {line}\n" for line in examples) + "\n"
        parser.epilog += EXIT_CODES
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
