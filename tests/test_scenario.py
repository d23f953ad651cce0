"""Tests of simcenter.scenario: defaults, units, rules, overrides, round trips, JSON Schema."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from simcenter import distributions as dist
from simcenter.errors import ScenarioError
from simcenter.loading import parse_yaml, scenario_json_schema
from simcenter.scenario import (
    CLOCK_PATTERN,
    DURATION_PATTERN,
    RATE_PATTERN,
    AgentGroupSpec,
    QueueSpec,
    Scenario,
    build_scenario,
)
from simcenter.units import UnitError, parse_duration, parse_rate


def minimal(**keys: Any) -> dict[str, Any]:
    """The smallest valid scenario, with top-level ``keys`` replaced."""
    return {
        "name": "test",
        "queues": [
            {
                "name": "billing",
                "arrivals": {"rate": "360/h"},
                "handle_time": {"distribution": "exponential", "mean": "240s"},
            }
        ],
        "agents": [{"name": "tier1", "count": 30, "skills": ["billing"]}],
        **keys,
    }


def two_queues() -> dict[str, Any]:
    data = minimal()
    data["queues"].append(
        {
            "name": "tech",
            "arrivals": {"rate": 0.01},
            "handle_time": {"distribution": "gamma", "mean": "8min", "cv": 0.7},
            "patience": {"distribution": "exponential", "mean": "2min"},
            "service_level": {"target": 0.9},
        }
    )
    data["agents"].append({"name": "tier2", "count": 4, "skills": {"tech": 1, "billing": 2}})
    return data


def problems_of(data: Any) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        build_scenario(data)
    return str(caught.value).splitlines()


# --- defaults and units -----------------------------------------------------------


def test_defaults() -> None:
    scenario = build_scenario(minimal())
    assert scenario.description == ""
    assert (scenario.seed, scenario.timezone, scenario.replications, scenario.closing) == (
        0,
        "UTC",
        1,
        "drain",
    )
    assert (scenario.horizon, scenario.warmup, scenario.interval) == (86400.0, 0.0, 900.0)
    assert scenario.start == datetime(2026, 1, 5)
    assert scenario.start_at.weekday() == 0  # a Monday
    assert scenario.start_at.utcoffset() == timedelta(0)
    assert scenario.service_level.model_dump() == {
        "threshold": 20.0,
        "target": 0.8,
        "definition": "offered",
    }
    queue = scenario.queues[0]
    assert (queue.channel, queue.priority, queue.patience) == ("voice", 0, None)
    assert queue.wrap_up.build() == dist.Constant(0.0)
    assert queue.arrivals.weekdays == {}
    assert scenario.agents[0].cost_per_hour == 0.0


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("20s", 20.0),
        ("4.5min", 270.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        (90, 90.0),
        ("1.5 h", 5400.0),
    ],
)
def test_durations_with_units_become_seconds(written: Any, seconds: float) -> None:
    assert build_scenario(minimal(horizon=written)).horizon == seconds


@pytest.mark.parametrize(
    ("written", "per_second"), [("360/h", 0.1), ("6/min", 0.1), ("8640/d", 0.1), (0.1, 0.1)]
)
def test_rates_with_units_become_per_second(written: Any, per_second: float) -> None:
    data = minimal()
    data["queues"][0]["arrivals"]["rate"] = written
    assert build_scenario(data).queues[0].arrivals.rate == per_second


def test_end_and_calendar_start() -> None:
    scenario = build_scenario(
        minimal(warmup="1h", horizon="1d", start="2026-03-02T08:00", timezone="Europe/Berlin")
    )
    assert scenario.end_s == 3600 + 86400
    assert scenario.start_at.isoformat() == "2026-03-02T08:00:00+01:00"


def test_skills_as_a_list_are_all_primary() -> None:
    scenario = build_scenario(two_queues())
    assert scenario.agents[0].skill_levels == {"billing": 1}
    assert scenario.agents[1].skill_levels == {"tech": 1, "billing": 2}


def test_service_level_of_a_queue_inherits_unset_keys() -> None:
    scenario = build_scenario(two_queues() | {"service_level": {"threshold": "30s", "target": 0.7}})
    billing, tech = scenario.queues
    assert scenario.service_level_of(billing).model_dump() == {
        "threshold": 30.0,
        "target": 0.7,
        "definition": "offered",
    }
    assert scenario.service_level_of(tech).model_dump() == {
        "threshold": 30.0,
        "target": 0.9,
        "definition": "offered",
    }


def test_weekday_factor() -> None:
    data = minimal()
    data["queues"][0]["arrivals"]["weekdays"] = {"sat": 0.5, "sun": 0}
    arrivals = build_scenario(data).queues[0].arrivals
    assert [arrivals.weekday_factor(day) for day in range(7)] == [1, 1, 1, 1, 1, 0.5, 0]


@pytest.mark.parametrize(
    ("plan", "period"),
    [
        ({"interval": "1h", "start": "08:00", "counts": [1] * 10}, 86400.0),
        ({"interval": "1h", "start": "20:00", "counts": [1] * 6}, 86400.0),
        ({"interval": "1h", "counts": [1] * 25}, 2 * 86400.0),
        ({"interval": "1d", "counts": [5, 5, 5, 5, 5, 2, 2]}, 7 * 86400.0),
    ],
)
def test_staffing_period(plan: dict[str, Any], period: float) -> None:
    data = minimal()
    data["agents"][0] = {"name": "tier1", "staffing": plan, "skills": ["billing"]}
    staffing = build_scenario(data).agents[0].staffing
    assert staffing is not None
    assert staffing.period_s == period


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"distribution": "exponential", "mean": "4min"}, dist.Exponential(240.0)),
        ({"distribution": "constant", "mean": "30s"}, dist.Constant(30.0)),
        ({"distribution": "lognormal", "mean": "4min", "cv": 0.5}, dist.Lognormal(240.0, 0.5)),
        ({"distribution": "lognormal", "mean": "4min", "sd": "2min"}, dist.Lognormal(240.0, 0.5)),
        ({"distribution": "gamma", "mean": "4min", "cv": 2}, dist.Gamma(240.0, 2.0)),
        ({"distribution": "weibull", "mean": "4min", "shape": 1.5}, dist.Weibull(240.0, 1.5)),
        ({"distribution": "uniform", "low": "1min", "high": "3min"}, dist.Uniform(60.0, 180.0)),
        ({"distribution": "empirical", "values": ["1min", 90]}, dist.Empirical((60.0, 90.0))),
        (
            {
                "distribution": "mixture",
                "components": [
                    {"distribution": "constant", "mean": "1min"},
                    {"distribution": "exponential", "mean": "10min"},
                ],
                "weights": [3, 1],
            },
            dist.Mixture((dist.Constant(60.0), dist.Exponential(600.0)), (3.0, 1.0)),
        ),
    ],
)
def test_distribution_specs_build_their_distribution(spec: dict[str, Any], expected: Any) -> None:
    data = minimal()
    data["queues"][0]["handle_time"] = spec
    assert build_scenario(data).queues[0].handle_time.build() == expected


# --- rules: the exact message of each --------------------------------------------------


def _with_handle_time(spec: Any) -> dict[str, Any]:
    data = minimal()
    data["queues"][0]["handle_time"] = spec
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            [1, 2],
            "the scenario must be a mapping of keys (got a list)",
        ),
        (
            _with_handle_time({"distribution": "uniform", "low": "3min", "high": "1min"}),
            "queues[0].handle_time: needs low <= high (got low 3min, high 1min)",
        ),
        (
            _with_handle_time({"distribution": "lognormal", "mean": "3min"}),
            "queues[0].handle_time: needs exactly one of cv, sd (got neither)",
        ),
        (
            _with_handle_time({"distribution": "exponential", "mean": 0}),
            "queues[0].handle_time.mean: must be a positive duration (got 0)",
        ),
        (
            _with_handle_time({"distribution": "constant", "mean": "-5s"}),
            'queues[0].handle_time.mean: must be a non-negative duration (got "-5s")',
        ),
        (
            _with_handle_time({"distribution": "gamma", "mean": "1min", "cv": 0}),
            "queues[0].handle_time.cv: must be a number from 0.001 to 100 (got 0)",
        ),
        (
            _with_handle_time({"distribution": "empirical", "values": []}),
            "queues[0].handle_time.values: must not be empty",
        ),
        (
            _with_handle_time(
                {
                    "distribution": "mixture",
                    "components": [{"distribution": "constant", "mean": 1}],
                    "weights": [1, 2],
                }
            ),
            "queues[0].handle_time: needs one weight per component (got 1 components, 2 weights)",
        ),
        (
            _with_handle_time(
                {
                    "distribution": "mixture",
                    "components": [{"distribution": "gamma", "mean": 1, "shape": 2}],
                    "weights": [1],
                }
            ),
            "queues[0].handle_time.components[0].cv: required key is missing\n"
            "queues[0].handle_time.components[0].shape: unknown key (allowed: distribution, "
            "mean, cv)",
        ),
        (
            _with_handle_time({"mean": "4min"}),
            "queues[0].handle_time.distribution: required key is missing (one of exponential, "
            "constant, lognormal, gamma, weibull, uniform, empirical, mixture)",
        ),
        (
            minimal(seed=-1),
            "seed: must be a non-negative integer (got -1)",
        ),
        (
            minimal(replications=0),
            "replications: must be a positive integer (got 0)",
        ),
        (
            minimal(interval=True),
            'interval: must be a duration such as "4.5min" or a number of seconds (got true)',
        ),
        (
            minimal(start="Monday"),
            'start: must be a date and time such as 2026-01-05T08:00 (got "Monday")',
        ),
        (
            minimal(closing="hangup"),
            'closing: must be one of drain, clear, stop (got "hangup")',
        ),
        (
            minimal(timezone="Mars/Olympus"),
            'timezone: unknown time zone "Mars/Olympus" (expected an IANA name such as '
            "Europe/Berlin)",
        ),
        (
            minimal(service_level={"definition": "all"}),
            "service_level.definition: must be one of offered, answered, "
            'exclude_short_abandons (got "all")',
        ),
        (
            minimal(name=2026),
            'name: must be text (got 2026); write "2026" in quotes',
        ),
        (
            minimal(description=["a"]),
            'description: must be text (got ["a"])',
        ),
        (
            minimal(queues="billing"),
            'queues: must be a list (got "billing")',
        ),
    ],
)
def test_each_rule_has_its_message(data: Any, expected: str) -> None:
    assert problems_of(data) == expected.splitlines()


def _weibull_accepts(shape: float) -> bool:
    try:
        dist.Weibull(240.0, shape)
    except ValueError:
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(shape=st.floats(0.005, 0.05) | st.floats(1e-6, 100.0))
def test_weibull_spec_accepts_exactly_the_shapes_the_distribution_accepts(shape: float) -> None:
    data = _with_handle_time({"distribution": "weibull", "mean": "4min", "shape": shape})
    if _weibull_accepts(shape):
        assert build_scenario(data).queues[0].handle_time.build() == dist.Weibull(240.0, shape)
    else:
        assert problems_of(data) == [
            "queues[0].handle_time.shape: must be at least about 0.012, for a finite variance "
            f"(got {shape!r})"
        ]


@pytest.mark.parametrize(("shape", "accepted"), [(0.0117, False), (0.012, True)])
def test_the_weibull_shape_named_in_the_message_is_accepted(shape: float, accepted: bool) -> None:
    assert _weibull_accepts(shape) is accepted
    data = _with_handle_time({"distribution": "weibull", "mean": "4min", "shape": shape})
    if accepted:
        assert build_scenario(data).queues[0].handle_time.build() == dist.Weibull(240.0, shape)
    else:
        assert len(problems_of(data)) == 1


def test_empirical_needs_values_or_a_file_not_both(tmp_path: Path) -> None:
    (tmp_path / "times.csv").write_text("60\n")
    spec = {"distribution": "empirical", "values": [1], "file": "times.csv"}
    with pytest.raises(ScenarioError) as caught:
        build_scenario(_with_handle_time(spec), base_dir=tmp_path)
    assert (
        str(caught.value) == "queues[0].handle_time: needs exactly one of values, file (got both)"
    )


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            {"name": "tier1", "skills": ["billing"]},
            "agents[0]: needs at least one of count, staffing, shifts (got none)",
        ),
        (
            {"name": "tier1", "count": 3, "skills": []},
            "agents[0].skills: must not be empty",
        ),
        (
            {"name": "tier1", "count": 3, "skills": "billing"},
            "agents[0].skills: must be a list of queue names or a mapping of queue name to level "
            '(got "billing")',
        ),
        (
            {"name": "tier1", "count": 3, "skills": {"billing": 0}},
            "agents[0].skills.billing: must be a positive integer (got 0)",
        ),
        (
            {"name": "tier1", "count": 3, "skills": ["billing", "billing"]},
            'agents[0].skills[1]: duplicate queue "billing" (also skills[0])',
        ),
        (
            {"name": "tier1", "count": 2.5, "skills": ["billing"]},
            "agents[0].count: must be a non-negative integer (got 2.5)",
        ),
        (
            {"name": "tier1", "staffing": {"counts": [3, -1]}, "skills": ["billing"]},
            "agents[0].staffing.counts[1]: must be a non-negative integer (got -1)",
        ),
        (
            {"name": "tier1", "count": 3, "skills": ["billing"], "cost_per_hour": "20 EUR"},
            'agents[0].cost_per_hour: must be a non-negative number (got "20 EUR")',
        ),
    ],
)
def test_agent_group_rules(agent: dict[str, Any], expected: str) -> None:
    assert problems_of(minimal(agents=[agent])) == [expected]


def test_arrivals_need_exactly_one_source() -> None:
    data = minimal()
    data["queues"][0]["arrivals"] = {"rate": 1, "profile": {"volumes": [1]}}
    assert problems_of(data) == [
        "queues[0].arrivals: needs exactly one of rate, profile (got both)"
    ]


def test_a_broken_queue_list_does_not_echo_as_unknown_skills() -> None:
    data = minimal()
    data["queues"][0].pop("name")
    assert problems_of(data) == ["queues[0].name: required key is missing"]


def test_schema_and_reference_problems_are_reported_together() -> None:
    data = two_queues()
    data["queues"][1]["priority"] = "high"
    data["agents"][1]["skills"] = {"tec": 1, "billing": 2}
    assert problems_of(data) == [
        'queues[1].priority: must be an integer (got "high")',
        'agents[1].skills.tec: unknown queue "tec" (queues: billing, tech)',
        'queues[1].name: no agent group has the skill "tech"',
    ]


# --- overrides ------------------------------------------------------------------------


def test_overrides_name_list_entries_by_name_or_index() -> None:
    scenario = build_scenario(two_queues())
    changed = scenario.with_overrides(
        {
            "agents.tier2.count": 6,
            "queues.1.priority": 3,
            "queues.billing.patience": {"distribution": "constant", "mean": "1min"},
            "horizon": "2h",
        }
    )
    assert changed.agents[1].count == 6
    assert changed.queues[1].priority == 3
    assert changed.queues[0].patience is not None
    assert changed.queues[0].patience.build() == dist.Constant(60.0)
    assert changed.horizon == 7200.0
    assert (scenario.agents[1].count, scenario.horizon, scenario.queues[0].patience) == (
        4,
        86400.0,
        None,
    )


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "agents.tier9.count",
            'agents: no entry "tier9" (in override "agents.tier9.count"; entries: tier1, tier2)',
        ),
        (
            "queues.billing.arrivals.profile.volumes",
            "queues[0].arrivals.profile: no such key "
            '(in override "queues.billing.arrivals.profile.volumes")',
        ),
        (
            "seed.value",
            'seed: is not a mapping or list (in override "seed.value")',
        ),
    ],
)
def test_an_override_that_names_nothing_is_a_problem(key: str, expected: str) -> None:
    scenario = build_scenario(two_queues())
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides({key: 1})
    assert str(caught.value) == expected


def test_an_override_is_validated() -> None:
    scenario = build_scenario(two_queues())
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides({"agents.tier1.count": -3, "queues.tech.handle_tme": "4min"})
    assert str(caught.value).splitlines() == [
        'queues[1].handle_tme: unknown key (did you mean "handle_time"?)',
        "agents[0].count: must be a non-negative integer (got -3)",
    ]


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(0, 500),
    priority=st.integers(-10, 10),
    seed=st.integers(0, 2**32),
    horizon_h=st.integers(1, 24 * 14),
)
def test_overrides_return_a_new_scenario_and_never_mutate_the_input(
    count: int, priority: int, seed: int, horizon_h: int
) -> None:
    scenario = build_scenario(two_queues())
    before = copy.deepcopy(scenario.to_dict())
    overrides = {
        "agents.tier1.count": count,
        "queues.tech.priority": priority,
        "seed": seed,
        "horizon": f"{horizon_h}h",
    }
    given_overrides = copy.deepcopy(overrides)
    changed = scenario.with_overrides(overrides)
    assert scenario.to_dict() == before
    assert scenario == build_scenario(two_queues())
    assert overrides == given_overrides
    edited_by_hand = copy.deepcopy(before)
    edited_by_hand["agents"][0]["count"] = count
    edited_by_hand["queues"][1]["priority"] = priority
    edited_by_hand |= {"seed": seed, "horizon": horizon_h * 3600}
    assert changed == build_scenario(edited_by_hand)
    assert changed.agents[0].count == count


# --- round trips ------------------------------------------------------------------------


def test_to_dict_round_trips() -> None:
    scenario = build_scenario(two_queues() | {"warmup": "30min", "start": "2026-01-05T08:00+01:00"})
    assert build_scenario(scenario.to_dict()) == scenario


def test_to_dict_writes_units_and_clock_times() -> None:
    data = two_queues()
    data["queues"][0]["arrivals"] = {
        "profile": {"interval": "30min", "start": "8:00", "volumes": [1, 2]}
    }
    resolved = build_scenario(data).to_dict()
    assert resolved["horizon"] == "1d"
    assert resolved["queues"][0]["arrivals"]["profile"] == {
        "interval": "30min",
        "start": "08:00",
        "volumes": [1.0, 2.0],
    }
    assert resolved["queues"][1]["arrivals"]["rate"] == "36/h"
    assert resolved["queues"][1]["handle_time"] == {
        "distribution": "gamma",
        "mean": "8min",
        "cv": 0.7,
    }


def test_the_resolved_scenario_round_trips_through_yaml() -> None:
    scenario = build_scenario(two_queues() | {"horizon": 1234.5678})
    text = yaml.safe_dump(scenario.to_dict(), sort_keys=False)
    assert build_scenario(parse_yaml(text).data) == scenario


def test_specs_are_immutable() -> None:
    scenario = build_scenario(minimal())
    with pytest.raises(ValueError, match="frozen"):
        scenario.queues[0].priority = 3  # type: ignore[misc]
    assert isinstance(scenario.queues[0], QueueSpec)
    assert isinstance(scenario.agents[0], AgentGroupSpec)


# --- JSON Schema --------------------------------------------------------------------------


def test_json_schema_is_json_and_describes_every_key() -> None:
    schema = json.loads(json.dumps(scenario_json_schema()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert schema["required"] == ["name", "queues", "agents"]
    models = [schema, *schema["$defs"].values()]
    assert all(model["additionalProperties"] is False for model in models)
    queue = schema["$defs"]["QueueSpec"]["properties"]
    assert queue["patience"]["description"].startswith("Time a caller is willing to wait")
    for reference in re.findall(r'"\$ref": "#/\$defs/(\w+)"', json.dumps(schema)):
        assert reference in schema["$defs"]


def _string_pattern(schema: dict[str, Any]) -> str:
    (pattern,) = [option["pattern"] for option in schema["anyOf"] if option.get("type") == "string"]
    return pattern


def test_json_schema_accepts_durations_and_rates_with_units() -> None:
    schema = scenario_json_schema()
    horizon = schema["properties"]["horizon"]
    assert {"type": "number", "minimum": 0} in horizon["anyOf"]
    assert re.search(_string_pattern(horizon), "20s")
    assert not re.search(_string_pattern(horizon), "4 minutes")
    rate = schema["$defs"]["ArrivalsSpec"]["properties"]["rate"]["anyOf"][0]
    assert re.search(_string_pattern(rate), "360/h")
    start = schema["$defs"]["ProfileSpec"]["properties"]["start"]
    assert start["pattern"] == CLOCK_PATTERN


def _parses(parse: Any, text: str) -> bool:
    """Whether units.py reads ``text`` as a value >= 0 (the schema also rejects ``"-0s"``)."""
    try:
        return parse(text) >= 0 and "-" not in text.split("e")[0]
    except UnitError:
        return False


unit_texts = st.from_regex(
    r"\A ?[-+]?[0-9]{0,3}\.?[0-9]{0,2}(e-?[0-9])? ?(s|sec|ms|min|h|d|m|hours|/h|/min|/ s|/x)? ?\Z"
)


@settings(max_examples=300, deadline=None)
@given(text=unit_texts)
def test_schema_patterns_accept_exactly_what_units_parses(text: str) -> None:
    assert bool(re.search(DURATION_PATTERN, text)) == _parses(parse_duration, text)
    assert bool(re.search(RATE_PATTERN, text)) == _parses(parse_rate, text)
