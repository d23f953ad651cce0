"""Keys of later versions are refused as such, never read as typos of other keys.

``callback`` is close to ``balking``'s neighbours, ``dates`` to ``rate``; a
"did you mean" there would send the planner to a key that means something
else. Every reserved key, at every place it will
belong, gets "not supported in this version" and no suggestion.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from simcenter.cli import main
from simcenter.errors import ScenarioError
from simcenter.reserved_keys import DISTRIBUTION_KEYS, MESSAGE, RESERVED_KEYS
from simcenter.scenario.model import build_scenario

BASE: dict[str, Any] = {
    "name": "reserved",
    "queues": [
        {
            "name": "billing",
            "arrivals": {"rate": "60/h"},
            "handle_time": {"distribution": "exponential", "mean": "4min"},
        }
    ],
    "agents": [
        {
            "name": "tier1",
            "staffing": {"interval": "1h", "counts": [3]},
            "skills": ["billing"],
        }
    ],
}

PLACES: dict[str, tuple[Any, ...]] = {
    "Scenario": (),
    "QueueSpec": ("queues", 0),
    "ArrivalsSpec": ("queues", 0, "arrivals"),
    "AgentGroupSpec": ("agents", 0),
}
"""Where each model's keys are written in a scenario."""

CASES = [(model, key) for model, keys in RESERVED_KEYS.items() for key in sorted(keys)]


def _with(path: tuple[Any, ...], key: str) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    node: Any = data
    for part in path:
        node = node[part]
    node[key] = {"some": "value"}
    return data


@pytest.mark.parametrize(("model", "key"), CASES)
def test_a_reserved_key_is_not_supported_and_never_a_typo(model: str, key: str) -> None:
    problems = [
        problem for problem in _problems(_with(PLACES[model], key)) if problem.loc[-1] == key
    ]
    assert [problem.message for problem in problems] == [MESSAGE]
    assert "did you mean" not in MESSAGE


def _problems(data: dict[str, Any]) -> list[Any]:
    with pytest.raises(ScenarioError) as caught:
        build_scenario(data)
    return list(caught.value.problems)


@pytest.mark.parametrize("key", sorted(DISTRIBUTION_KEYS))
def test_a_reserved_distribution_key_is_not_supported(key: str) -> None:
    problems = _problems(_with(("queues", 0, "handle_time"), key))
    assert [problem.message for problem in problems] == [MESSAGE]


def test_a_typo_still_gets_its_suggestion() -> None:
    problems = _problems(_with(("agents", 0), "staffng"))
    assert [problem.message for problem in problems] == ['unknown key (did you mean "staffing"?)']


def test_the_command_line_names_file_line_and_key_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "name: later\n"
        "templates:\n"
        "  client: {concurrency: 3}\n"
        "queues:\n"
        "  - name: billing\n"
        "    template: client\n"
        "    arrivals: {rate: 60/h, trace: calls.csv}\n"
        "    handle_time: {distribution: exponential, mean: 4min}\n"
        "    callback: {acceptance: 0.5}\n"
        "agents:\n"
        "  - {name: tier1, count: 3, skills: [billing], training: []}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(scenario)]) == 2
    errors = capsys.readouterr().err
    for line, key in [
        (3, "templates.client.concurrency"),
        (7, "queues[0].arrivals.trace"),
        (9, "queues[0].callback"),
        (11, "agents[0].training"),
    ]:
        assert f"{scenario}:{line} {key}: {MESSAGE}" in errors
    assert "did you mean" not in errors
    assert "Traceback" not in errors


def test_the_scenario_page_lists_exactly_the_reserved_keys() -> None:
    """docs/scenario.md's table of keys of later versions is the code's, place by place."""
    page = (Path(__file__).parents[1] / "docs" / "scenario.md").read_text(encoding="utf-8")
    section = page.split("## Keys of later versions", 1)[1]
    rows = {
        place: set(re.findall(r"`(\w+)`", keys))
        for place, keys in re.findall(
            r"^\| ([^|]+?) \| ((?:`\w+`(?:, )?)+) \|$", section, re.MULTILINE
        )
    }
    places = {
        "top level": "Scenario",
        "a queue (or a template)": "QueueSpec",
        "a queue's `arrivals`": "ArrivalsSpec",
        "an agent group": "AgentGroupSpec",
    }
    listed = {places[place]: keys for place, keys in rows.items()}
    assert listed == {model: set(keys) for model, keys in RESERVED_KEYS.items()}
