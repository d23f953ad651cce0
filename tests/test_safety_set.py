"""``--set`` problems: the file line of the key they change, together with the file's problems.

The scenario file is ``TINY`` (``count: 3`` is on line 9, ``skills`` on line 10).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from safety import TINY, run_cli, write

from simcenter.errors import ScenarioError
from simcenter.loading import load_scenario


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TINY)
    return tmp_path


def problems(*pairs: str) -> list[str]:
    try:
        load_scenario("scenario.yaml", overrides=list(pairs))
    except ScenarioError as error:
        return [str(problem) for problem in error.problems]
    return []


def test_a_bad_value_has_the_line_of_the_key_it_changes(here: Path) -> None:
    assert problems("agents.team.count=-3") == [
        "scenario.yaml:9 agents[0].count: must be a non-negative integer (got -3) "
        "(set by --set agents.team.count=-3)"
    ]


def test_a_new_key_has_the_line_of_its_parent(here: Path) -> None:
    assert problems("queues.support.patience={distribution: exponential, mean: -1}") == [
        "scenario.yaml:4 queues[0].patience.mean: must be a positive duration (got -1) "
        "(set by --set queues.support.patience={distribution: exponential, mean: -1})"
    ]


def test_a_path_that_names_nothing_has_the_line_of_the_list(here: Path) -> None:
    assert problems("agents.tier9.count=3") == [
        'scenario.yaml:7 agents: no entry "tier9" (in override "agents.tier9.count"; entries: team)'
    ]


def test_set_problems_come_with_the_files_own_problems(here: Path) -> None:
    write(here, TINY.replace("mean: 2min", "mean: 2 minutes"))

    assert problems("agents.team.count=-3", "bad pair", "horizon=-1h") == [
        'scenario.yaml:2 horizon: must be a positive duration (got "-1h") '
        "(set by --set horizon=-1h)",
        'scenario.yaml:6 queues[0].handle_time.mean: "2 minutes" is not a duration',
        "scenario.yaml:9 agents[0].count: must be a non-negative integer (got -3) "
        "(set by --set agents.team.count=-3)",
        '--set "bad pair": expected key=value',
    ]


def test_set_problems_come_with_a_broken_file(here: Path) -> None:
    write(here, "name: [unclosed\n")

    assert problems("bad pair") == [
        "scenario.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>' (column 1)",
        '--set "bad pair": expected key=value',
    ]


def test_the_index_form_of_a_skill_list(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        here,
        TINY.replace(
            "agents:",
            "  - name: sales\n    arrivals: {rate: 1/h}\n"
            "    handle_time: {distribution: exponential, mean: 1min}\n"
            "agents:\n  - {name: other, count: 3, skills: [support]}",
        ),
    )

    scenario = load_scenario("scenario.yaml", overrides=["agents.team.skills.0=sales"])
    assert list(scenario.agents[1].skills) == ["sales"]

    code, _, err = run_cli(
        capsys,
        "run",
        "scenario.yaml",
        "--no-plots",
        "--set",
        "agents.team.skills.0=sales",
        "--set",
        "queues.0.priority=2",
    )
    assert (code, err) == (0, "")
    assert "priority: 2" in (here / "results" / "tiny" / "scenario.yaml").read_text()


def test_an_override_changes_one_place_only_even_through_an_alias(here: Path) -> None:
    write(
        here,
        TINY.replace(
            "handle_time: {distribution: exponential, mean: 2min}",
            "handle_time: &aht {distribution: exponential, mean: 2min}\n    wrap_up: *aht",
        ),
    )

    scenario = load_scenario("scenario.yaml", overrides=["queues.support.wrap_up.mean=10s"])

    assert scenario.queues[0].wrap_up.mean == 10.0
    assert scenario.queues[0].handle_time.mean == 120.0


def test_the_cli_prints_every_problem_and_exits_2(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "run", "scenario.yaml", "--set", "agents.team.count=99999999999999999999999"
    )

    assert (code, out) == (2, "")
    assert err == (
        "scenario.yaml:9 agents[0].count: must be at most 100,000 (got "
        "99999999999999999999999) (set by --set agents.team.count=99999999999999999999999)\n"
    )
