"""Names and text: trimmed, NFC, no hidden characters, ``ALL`` reserved; safe CSVs and terminals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from safety import TINY, run_cli, write

from simcenter.errors import ScenarioError
from simcenter.loading import load_scenario
from simcenter.text import csv_safe, printable


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems_with_queue_name(here: Path, name: str) -> list[str]:
    write(
        here,
        TINY.replace("- name: support", f"- name: {name}").replace(
            "skills: [support]", f"skills: [{name}]"
        ),
    )
    try:
        load_scenario("scenario.yaml")
    except ScenarioError as error:
        return [str(problem) for problem in error.problems]
    return []


@pytest.mark.parametrize("name", ['" ALL "', "all", '"All"', '"\\tALL"', '"ＡＬＬ"'])
def test_all_is_reserved_whatever_the_spacing_case_or_width(here: Path, name: str) -> None:
    found = problems_with_queue_name(here, name)

    assert found[0].startswith(
        'scenario.yaml:4 queues[0].name: "ALL" is reserved for the total row of the reports'
    )


def test_names_are_trimmed_and_nfc(here: Path) -> None:
    decomposed = "cafe\u0301"  # e + combining acute accent
    write(
        here,
        TINY.replace("- name: support", f'- name: "  {decomposed} "').replace(
            "skills: [support]", "skills: [caf\u00e9]"
        ),
    )

    scenario = load_scenario("scenario.yaml")

    assert scenario.queues[0].name == "caf\u00e9"
    assert list(scenario.agents[0].skills) == ["caf\u00e9"]


def test_names_equal_after_normalisation_are_duplicates(here: Path) -> None:
    text = TINY.replace(
        "agents:",
        '  - name: " support"\n    arrivals: {rate: 1/h}\n'
        "    handle_time: {distribution: exponential, mean: 1min}\nagents:",
    )
    write(here, text)

    with pytest.raises(ScenarioError) as error:
        load_scenario("scenario.yaml")

    assert (
        str(error.value)
        == 'scenario.yaml:7 queues[1].name: duplicate name "support" (also queues[0])'
    )


@pytest.mark.parametrize(
    ("name", "code", "position", "shown"),
    [
        ('"sup\\u200bport"', "U+200B", 4, '"sup\\u200bport"'),
        ('"red\\e[31m"', "U+001B", 4, '"red\\x1b[31m"'),
        ('"a\\u202eb"', "U+202E", 2, '"a\\u202eb"'),
        ('"line\\nbreak"', "U+000A", 5, '"line\\x0abreak"'),
    ],
)
def test_hidden_characters_are_refused_with_their_position(
    here: Path, name: str, code: str, position: int, shown: str
) -> None:
    found = problems_with_queue_name(here, name)

    assert found[0] == (
        f"scenario.yaml:4 queues[0].name: must not contain control or invisible characters "
        f"(got {code} at position {position} of {shown})"
    )


def test_terminal_escapes_are_never_printed_raw(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(here, TINY.replace("name: tiny", 'name: tiny\nhorizon: "\\e]0;pwned\\a"'))

    code, _out, err = run_cli(capsys, "validate", "scenario.yaml")

    assert code == 2
    assert "\x1b" not in err
    assert "\x07" not in err
    assert '"\\x1b]0;pwned\\x07" is not a duration' in err
    assert printable("a\x1bb\u200bc\nd", keep_newlines=True) == "a\\x1bb\\u200bc\nd"


def test_csv_cells_that_would_be_formulas_are_escaped(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("=HYPERLINK(x)", "+1", "-x", "@SUM(A1)"):
        text = (
            TINY.replace("- name: support", f'- name: "{name}"')
            .replace("skills: [support]", f'skills: ["{name}"]')
            .replace("name: tiny", "name: tiny\nhorizon: 1h")
        )
        write(here, text.replace("horizon: 1h\nhorizon: 1h", "horizon: 1h"))

        assert run_cli(capsys, "run", "scenario.yaml", "--no-plots")[0] == 0

        summary = (here / "results" / "tiny" / "summary.csv").read_text().splitlines()
        assert summary[1].startswith(f"'{name},")
        assert pd.read_csv(here / "results" / "tiny" / "summary.csv")["queue"][0] == f"'{name}"


def test_csv_safe_changes_only_text_cells() -> None:
    frame = pd.DataFrame({"queue": ["=x", "ok", "\tx"], "value": [-1.0, 2.0, -3.0]})

    escaped = csv_safe(frame)

    assert escaped["queue"].tolist() == ["'=x", "ok", "'\tx"]
    assert escaped["value"].tolist() == [-1.0, 2.0, -3.0]
    assert frame["queue"].tolist() == ["=x", "ok", "\tx"]


def test_a_start_in_a_daylight_saving_gap_is_an_error(here: Path) -> None:
    write(
        here,
        TINY.replace("name: tiny", "name: tiny\nstart: 2026-03-29T02:30\ntimezone: Europe/Berlin"),
    )

    with pytest.raises(ScenarioError) as error:
        load_scenario("scenario.yaml")

    assert str(error.value) == (
        "scenario.yaml:2 start: 2026-03-29T02:30 does not exist in Europe/Berlin: the clocks "
        "skip it when summer time begins; choose a time outside the gap or give an offset"
    )


@pytest.mark.parametrize(
    "start", ["2026-03-29T01:59", "2026-03-29T03:00", "2026-03-29T02:30+01:00"]
)
def test_a_start_outside_the_gap_or_with_an_offset_is_fine(here: Path, start: str) -> None:
    write(here, TINY.replace("name: tiny", f"name: tiny\nstart: {start}\ntimezone: Europe/Berlin"))

    assert load_scenario("scenario.yaml").start_at.tzinfo is not None
