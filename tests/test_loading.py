"""Tests of simcenter.loading: YAML 1.2 scalars, key lines, files, ``--set`` overrides."""

from __future__ import annotations

import math
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from simcenter.errors import ScenarioError
from simcenter.loading import load_overrides, load_scenario, parse_yaml
from simcenter.scenario import EmpiricalSpec, Scenario

DATA = Path(__file__).parent / "data"

NESTED = """\
# a comment line
name: Retail support
queues:
  - name: billing
    handle_time:
      distribution: lognormal
      mean: 4min
      cv: 0.5
  - {name: tech, priority: 2}
agents:
  - name: tier1
    skills:
      - billing
      - tech
"""


# --- lines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        ((), 2),
        (("name",), 2),
        (("queues",), 3),
        (("queues", 0), 4),
        (("queues", 0, "name"), 4),
        (("queues", 0, "handle_time"), 5),
        (("queues", 0, "handle_time", "mean"), 7),
        (("queues", 0, "handle_time", "cv"), 8),
        (("queues", 1), 9),
        (("queues", 1, "priority"), 9),
        (("agents", 0, "skills", 1), 14),
    ],
)
def test_every_key_and_item_has_its_line(loc: tuple[Any, ...], line: int) -> None:
    assert parse_yaml(NESTED).line_of(loc) == line


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("queues", 0, "handle_time", "shape"), 5),  # missing key: its parent mapping
        (("queues", 0, "patience", "mean"), 4),  # missing subtree: the deepest existing node
        (("agents", 3, "count"), 10),  # no such item: the list
        (("horizon",), 2),  # missing top-level key: the document
    ],
)
def test_a_missing_key_gets_the_line_of_its_deepest_existing_parent(
    loc: tuple[Any, ...], line: int
) -> None:
    assert parse_yaml(NESTED).line_of(loc) == line


def test_merged_keys_point_at_the_anchor() -> None:
    document = parse_yaml(
        textwrap.dedent(
            """\
            defaults: &defaults
              mean: 4min
              distribution: exponential
            handle_time:
              <<: *defaults
              mean: 5min
            """
        )
    )
    assert document.data["handle_time"] == {"mean": "5min", "distribution": "exponential"}
    assert document.line_of(("handle_time", "mean")) == 6
    assert document.line_of(("handle_time", "distribution")) == 3
    assert document.problems == []


def test_duplicate_keys_are_problems_and_the_first_value_is_kept() -> None:
    document = parse_yaml("queues:\n  - name: billing\n    priority: 1\n    priority: 2\n")
    assert document.data == {"queues": [{"name": "billing", "priority": 1}]}
    assert [(problem.loc, problem.line, problem.message) for problem in document.problems] == [
        (("queues", 0), 4, 'duplicate key "priority" (first on line 3)')
    ]


# --- YAML 1.2 scalars -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8:00", "8:00"),  # YAML 1.1: the sexagesimal integer 480
        ("12:30:00", "12:30:00"),
        ("2026-01-05T08:00", "2026-01-05T08:00"),  # YAML 1.1: a datetime
        ("2026-01-05", "2026-01-05"),  # YAML 1.1: a date
        ("yes", "yes"),
        ("no", "no"),  # also a language code
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("010", 10),  # YAML 1.1: octal 8
        ("0o17", 15),
        ("0x1F", 31),
        ("-3", -3),
        ("1_000", "1_000"),  # YAML 1.1: 1000
        ("1e3", 1000.0),  # YAML 1.1: text (no dot)
        (".5", 0.5),
        ("-2.5", -2.5),
        ("~", None),
        ("null", None),
        ("=", "="),
        ("360/h", "360/h"),
        ("20s", "20s"),
    ],
)
def test_plain_scalars_follow_yaml_1_2(text: str, value: Any) -> None:
    assert parse_yaml(f"key: {text}\n").data == {"key": value}


def test_special_floats() -> None:
    values = parse_yaml("[.inf, -.Inf, .NaN]").data
    assert values[:2] == [math.inf, -math.inf]
    assert math.isnan(values[2])


def test_a_clock_time_reaches_the_scenario_unquoted() -> None:
    scenario = load_scenario(DATA / "retail.yaml")
    assert scenario.queues[0].arrivals.profile is not None
    assert scenario.queues[0].arrivals.profile.start == 8 * 3600
    assert scenario.agents[0].staffing is not None
    assert scenario.agents[0].staffing.start == 8 * 3600


# --- files --------------------------------------------------------------------------


def _handle_time_of(scenario: Scenario) -> EmpiricalSpec:
    handle_time = scenario.queues[0].handle_time
    assert isinstance(handle_time, EmpiricalSpec)
    return handle_time


def test_a_relative_empirical_file_is_found_next_to_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # somewhere else than tests/data
    handle_time = _handle_time_of(load_scenario(str(DATA / "retail.yaml")))
    assert handle_time.file == str((DATA / "handle_times.csv").resolve())
    assert handle_time.build().values == (180.0, 240.0, 330.0, 90.0)


def test_the_resolved_file_name_survives_a_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load_scenario(DATA / "retail.yaml")
    monkeypatch.chdir(tmp_path)
    assert load_scenario(scenario.to_dict()) == scenario


def test_a_mapping_resolves_relative_files_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DATA / "handle_times.csv", tmp_path / "times.csv")
    monkeypatch.chdir(tmp_path)
    data = parse_yaml((DATA / "retail.yaml").read_text()).data
    data["queues"][0]["handle_time"]["file"] = "times.csv"
    handle_time = _handle_time_of(load_scenario(data))
    assert handle_time.file == str((tmp_path / "times.csv").resolve())


def test_a_bad_cell_in_an_empirical_file_is_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(DATA / "retail.yaml", tmp_path / "retail.yaml")
    (tmp_path / "handle_times.csv").write_text("handle_time\n3min\nabout 4 minutes\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario("retail.yaml")
    assert str(caught.value) == (
        "retail.yaml:17 queues[0].handle_time.file: handle_times.csv line 3: "
        '"about 4 minutes" is not a duration'
    )


def test_a_scenario_loads_from_a_path_object_and_from_a_mapping() -> None:
    from_path = load_scenario(DATA / "retail.yaml")
    assert from_path.name == "Retail support"
    assert from_path.agents[0].skill_levels == {"billing": 1, "tech": 2}
    assert load_scenario(from_path.to_dict()) == from_path


def test_problems_of_a_mapping_have_no_file_or_line() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario({"name": "x", "queues": [], "agents": []})
    assert [(problem.file, problem.line) for problem in caught.value.problems] == [(None, None)] * 2
    assert str(caught.value) == "queues: must not be empty\nagents: must not be empty"


# --- overrides --------------------------------------------------------------------------


def test_override_values_are_read_as_yaml() -> None:
    assert load_overrides(
        [
            "agents.tier1.count=32",
            "queues.billing.patience={distribution: constant, mean: 2min}",
            "start=2026-01-05T08:00",
            "horizon = 2d",
            "description='Peak week: forecast'",
            "queues.tech.priority=",
        ]
    ) == {
        "agents.tier1.count": 32,
        "queues.billing.patience": {"distribution": "constant", "mean": "2min"},
        "start": "2026-01-05T08:00",
        "horizon": "2d",
        "description": "Peak week: forecast",
        "queues.tech.priority": None,
    }


def test_a_later_override_of_the_same_key_wins() -> None:
    assert load_overrides(["seed=1", "seed=2"]) == {"seed": 2}


def test_every_malformed_override_is_reported() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_overrides(["agents.tier1.count", "=3", "agents..count=3", "seed=4", "skills=[a, b"])
    assert str(caught.value).splitlines() == [
        '--set "agents.tier1.count": expected key=value',
        '--set "=3": expected key=value',
        '--set "agents..count=3": expected key=value',
        "--set \"skills=[a, b\": invalid YAML: expected ',' or ']', but got '<stream end>' "
        "(column 13)",
    ]


def test_overrides_apply_to_a_loaded_scenario() -> None:
    scenario = load_scenario(DATA / "retail.yaml")
    changed = scenario.with_overrides(load_overrides(["agents.tier2.count=5", "horizon=1d"]))
    assert (changed.agents[1].count, changed.horizon) == (5, 86400.0)


def test_the_global_yaml_safe_loader_is_left_alone() -> None:
    parse_yaml("start: 8:00\n")
    assert yaml.safe_load("start: 8:00\nopen: yes\n") == {"start": 480, "open": True}


def test_overrides_set_the_routing_keys_of_a_loaded_scenario() -> None:
    scenario = load_scenario(DATA / "retail.yaml")
    changed = scenario.with_overrides(
        load_overrides(
            [
                "routing.agent_selection=fewest_skills",
                "queues.billing.overflow={after: 1min, to: [tier2]}",
                "agents.tier1.skills.tech={priority: 2, handle_time_factor: 1.3}",
                "agents.tier1.rotation={every: 2h, skill_sets: [[billing], [tech]], stagger: true}",
            ]
        )
    )
    assert changed.routing.agent_selection == "fewest_skills"
    assert changed.queues[0].overflow is not None
    assert (changed.queues[0].overflow.after, changed.queues[0].overflow.to) == (60.0, ["tier2"])
    assert changed.agents[0].handle_time_factors == {"billing": 1.0, "tech": 1.3}
    assert changed.agents[0].rotation is not None
    assert changed.agents[0].rotation.stagger is True
    assert load_scenario(changed.to_dict()) == changed
