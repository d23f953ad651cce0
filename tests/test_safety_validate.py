"""What ``validate`` accepts, ``run`` runs: calendar starts, names read as markup, descriptions.

Each value was accepted by ``validate`` and then crashed ``run`` with an
internal error (exit 1), or was shown as it should not be.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from safety import TINY, run_cli

import simcenter
from simcenter.outdir import foreign_files

MARKUP_QUEUE = "$\\frac{$"
MARKUP_GROUP = "te$^am$_{"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scenario_with(here: Path, **changes: object) -> int:
    """Write the tiny scenario with ``changes``; the line of the last one changed."""
    data = yaml.safe_load(TINY) | changes
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (here / "scenario.yaml").write_text(text, encoding="utf-8")
    key = list(changes)[-1]
    return 1 + next(n for n, line in enumerate(text.splitlines()) if line.startswith(f"{key}:"))


@pytest.mark.parametrize("start", ["0001-01-01T00:00", "9999-12-31T00:00", "1677-09-21T12:00"])
def test_a_start_outside_the_calendar_the_tables_hold_is_refused_by_validate(
    here: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    line = scenario_with(here, start=start)

    code, _, err = run_cli(capsys, "validate", "scenario.yaml")

    assert code == 2
    assert err == (
        f"scenario.yaml:{line} start: the run from {start} to the end of the horizon must lie "
        "between 1677-09-23 and 2262-04-10 (the calendar simcenter's tables can hold)\n"
    )
    assert run_cli(capsys, "run", "scenario.yaml", "-o", "out")[0] == 2


@pytest.mark.parametrize("start", ["1677-09-24T00:00", "2262-04-08T00:00"])
def test_a_start_near_the_edges_of_the_calendar_runs(
    here: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    scenario_with(here, start=start)

    assert run_cli(capsys, "validate", "scenario.yaml")[0] == 0
    assert run_cli(capsys, "run", "scenario.yaml", "-o", "out", "--report", "--quiet")[0] == 0
    assert foreign_files(here / "out") == []


def test_names_that_read_as_plot_markup_are_drawn_as_written(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(TINY)
    data["queues"][0]["name"] = MARKUP_QUEUE
    data["agents"][0] |= {"name": MARKUP_GROUP, "skills": [MARKUP_QUEUE]}
    data["name"] = "x$^{$"
    (here / "scenario.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")

    code, _, err = run_cli(capsys, "run", "scenario.yaml", "-o", "out", "-n", "2", "--report")
    assert (code, err) == (0, "")
    assert len(list((here / "out" / "plots").glob("*.png"))) >= 6
    assert (here / "out" / "report.html").is_file()
    vary = f"agents.{MARKUP_GROUP}.count=3:4"
    assert run_cli(capsys, "sweep", "scenario.yaml", "--vary", vary, "-o", "s", "-n", "2")[0] == 0
    assert run_cli(capsys, "staff", "scenario.yaml", "-o", "st", "-n", "2", "--jobs", "1")[0] == 0

    figure = simcenter.simulate(data, replications=2).plot.service_level()
    texts = [text.get_text() for text in figure.findobj(lambda artist: hasattr(artist, "get_text"))]
    assert any(MARKUP_QUEUE in text for text in texts)
    figure.savefig(here / "check.png")  # draws the names as text


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\u200f", "\x1b"])
def test_descriptions_with_hidden_direction_or_control_characters_are_refused(
    here: Path, capsys: pytest.CaptureFixture[str], character: str
) -> None:
    line = scenario_with(here, description=f"safe {character}text")

    code, _, err = run_cli(capsys, "validate", "scenario.yaml")

    assert code == 2
    assert err.startswith(
        f"scenario.yaml:{line} description: must not contain control or invisible characters other "
        f"than line breaks and tabs (got U+{ord(character):04X} at position 6)"
    )


def test_descriptions_keep_their_line_breaks_and_tabs(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario_with(here, description="first line\nsecond\tline")

    assert run_cli(capsys, "validate", "scenario.yaml")[0] == 0
