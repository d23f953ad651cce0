"""``--help`` of every command: a description, options with defaults, examples, exit codes."""

from __future__ import annotations

import argparse
import shlex

import pytest

from simcenter.cli import main
from simcenter.cli.app import build_parser

COMMANDS = ["run", "report", "validate", "schema", "erlang", "compare", "staff", "sweep"]
SHELL = {"|", ">", "&&", ";"}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    found = [action for action in build_parser()._actions if action.dest == "command"]
    return dict(found[0].choices)  # type: ignore[arg-type]


def help_of(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main([*arguments, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_every_command_has_help() -> None:
    assert sorted(subcommands()) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_help_has_a_description_examples_and_exit_codes(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    text = help_of(capsys, command)
    parser = subcommands()[command]

    assert parser.description
    assert "\n" not in parser.description
    assert parser.description in text
    examples = text.split("examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(examples) == 2
    assert all(line.startswith(f"  simcenter {command} ") for line in examples)
    codes = text.split("exit codes:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in codes] == ["0", "1", "2", "130"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_example_is_a_valid_command_line(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    text = help_of(capsys, command)
    for line in text.split("examples:\n", 1)[1].split("\n\n", 1)[0].splitlines():
        words = shlex.split(line)
        if SHELL & set(words):
            words = words[: min(words.index(word) for word in SHELL & set(words))]
        parsed = build_parser().parse_args(words[1:])
        assert parsed.command == command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_that_takes_a_value_says_its_default(command: str) -> None:
    parser = subcommands()[command]
    for action in parser._actions:
        if not action.option_strings or action.nargs == 0 or action.required:
            continue  # positional, a flag, or an option that must be given
        assert "default" in str(action.help), action.option_strings


@pytest.mark.parametrize(
    ("command", "option", "unit"),
    [
        ("erlang", "--rate", "/h"),
        ("erlang", "--aht", "s"),
        ("erlang", "--threshold", "s"),
        ("erlang", "--patience", "s"),
        ("staff", "--threshold", "s"),
        ("staff", "--max-asa", "s"),
        ("staff", "--target", "fraction"),
        ("run", "--precision", "fraction"),
    ],
)
def test_options_with_units_show_one(command: str, option: str, unit: str) -> None:
    action = next(a for a in subcommands()[command]._actions if option in a.option_strings)
    assert "unit" in str(action.help) or unit == "fraction"
    assert unit in str(action.help)


def test_the_main_help_lists_the_commands_and_the_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = help_of(capsys)
    assert all(command in text for command in COMMANDS)
    assert "exit codes:" in text
