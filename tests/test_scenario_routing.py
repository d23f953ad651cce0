"""Tests of the scenario keys of the routing features (issue 3).

Covers ``lines``, ``routing`` (scenario and queue level), the queue keys
``overflow``, ``balking``, ``max_wait``, ``transfer`` and ``repeat``, the
long form of agent skills, and ``rotation``: their defaults, what they
validate into, the checks across keys, round trips through ``to_dict()`` and
YAML, overrides and the JSON Schema. The exact message of every rule, with
file and line, is in ``test_bad_input.py``.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from simcenter import distributions as dist
from simcenter.errors import ScenarioError
from simcenter.loading import parse_yaml, scenario_json_schema
from simcenter.scenario import (
    BalkingSpec,
    MaxWaitSpec,
    OverflowSpec,
    QueueRoutingSpec,
    RepeatSpec,
    RotationSpec,
    RoutingSpec,
    SkillSpec,
    TransferSpec,
    build_scenario,
)


def _queue(name: str, **keys: Any) -> dict[str, Any]:
    return {
        "name": name,
        "arrivals": {"rate": "60/h"},
        "handle_time": {"distribution": "exponential", "mean": "4min"},
        **keys,
    }


def centre(**keys: Any) -> dict[str, Any]:
    """Two queues (billing, tech) and two groups (tier1: billing; tier2: both), ``keys`` added."""
    return {
        "name": "routing",
        "queues": [_queue("billing"), _queue("tech")],
        "agents": [
            {"name": "tier1", "count": 10, "skills": ["billing"]},
            {"name": "tier2", "count": 4, "skills": {"tech": 1, "billing": 2}},
        ],
        **keys,
    }


def every_new_key() -> dict[str, Any]:
    """A scenario that sets every key of issue 3, with units where the format allows them."""
    data = centre(
        lines=40,
        routing={
            "agent_selection": "priority",
            "contact_selection": "sl_urgency",
            "repeat_contacts": "prefer_last_agent",
            "affinity_wait": "2min",
            "handover_factor": 1.2,
        },
    )
    data["queues"][0] |= {
        "routing": {"repeat_contacts": "last_agent_only", "handover_factor": 1.5},
        "overflow": {"after": "1min", "to": ["tier2"]},
        "balking": {"max_expected_wait": "5min"},
        "max_wait": {"after": "3min", "outcome": "voicemail"},
        "transfer": {"probability": 0.1, "to": "tech"},
        "repeat": {"probability": 0.2, "delay": {"distribution": "exponential", "mean": "1d"}},
    }
    data["queues"][1] |= {"balking": {"max_queue": 20}, "max_wait": {"after": 90, "to": "billing"}}
    data["agents"][1] |= {
        "skills": {"tech": {"priority": 1, "handle_time_factor": 0.75}, "billing": 2},
        "rotation": {"every": "2h", "skill_sets": [["tech"], ["billing", "tech"]], "stagger": True},
    }
    return data


def problems_of(data: Any) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        build_scenario(data)
    return str(caught.value).splitlines()


# --- defaults ---------------------------------------------------------------------------


def test_new_keys_default_to_the_behaviour_before_issue_3() -> None:
    scenario = build_scenario(centre())
    assert scenario.lines is None
    assert scenario.routing == RoutingSpec(
        agent_selection="longest_idle",
        contact_selection="priority",  # tier2 gives its skills levels: they act
        repeat_contacts="any_agent",
        affinity_wait=60.0,
        handover_factor=1.0,
    )
    without_levels = centre()
    without_levels["agents"][1]["skills"] = ["tech", "billing"]
    assert build_scenario(without_levels).routing == RoutingSpec(
        agent_selection="longest_idle",
        contact_selection="oldest",
        repeat_contacts="any_agent",
        affinity_wait=60.0,
        handover_factor=1.0,
    )
    for queue in scenario.queues:
        assert queue.routing == QueueRoutingSpec()
        assert queue.routing.model_dump() == {
            "agent_selection": None,
            "repeat_contacts": None,
            "affinity_wait": None,
            "handover_factor": None,
        }
        assert (queue.overflow, queue.balking, queue.max_wait, queue.transfer, queue.repeat) == (
            None,
            None,
            None,
            None,
            None,
        )
    assert [group.rotation for group in scenario.agents] == [None, None]
    assert [group.handle_time_factors for group in scenario.agents] == [
        {"billing": 1.0},
        {"tech": 1.0, "billing": 1.0},
    ]


# --- routing_of -------------------------------------------------------------------------


def test_routing_of_a_queue_merges_its_own_keys_over_the_scenario_routing() -> None:
    scenario = build_scenario(every_new_key())
    billing, tech = scenario.queues
    assert scenario.routing_of(billing) == RoutingSpec(
        agent_selection="priority",
        contact_selection="sl_urgency",
        repeat_contacts="last_agent_only",
        affinity_wait=120.0,
        handover_factor=1.5,
    )
    assert scenario.routing_of(tech) == scenario.routing
    assert scenario.routing.repeat_contacts == "prefer_last_agent"  # unchanged by the merge


def test_routing_of_inherits_the_defaults_when_the_scenario_sets_no_routing() -> None:
    data = centre()
    data["queues"][1]["routing"] = {"agent_selection": "round_robin", "affinity_wait": 0}
    scenario = build_scenario(data)
    levels_act = RoutingSpec(contact_selection="priority")  # tier2 gives its skills levels
    assert scenario.routing_of(scenario.queues[0]) == levels_act
    assert scenario.routing_of(scenario.queues[1]) == levels_act.model_copy(
        update={"agent_selection": "round_robin", "affinity_wait": 0.0}
    )


@pytest.mark.parametrize(
    "policy", ["longest_idle", "random", "round_robin", "fewest_skills", "priority"]
)
def test_every_agent_selection_policy_is_accepted(policy: str) -> None:
    scenario = build_scenario(centre(routing={"agent_selection": policy}))
    assert scenario.routing.agent_selection == policy


@pytest.mark.parametrize("policy", ["oldest", "priority", "sl_urgency"])
def test_every_contact_selection_policy_is_accepted(policy: str) -> None:
    assert build_scenario(centre(routing={"contact_selection": policy})).routing == RoutingSpec(
        contact_selection=policy  # type: ignore[arg-type]
    )


# --- skills -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("skills", "levels", "factors"),
    [
        (["billing", "tech"], {"billing": 1, "tech": 1}, {"billing": 1.0, "tech": 1.0}),
        ({"billing": 2, "tech": 1}, {"billing": 2, "tech": 1}, {"billing": 1.0, "tech": 1.0}),
        (
            {"billing": {"priority": 1, "handle_time_factor": 0.75}, "tech": 2},
            {"billing": 1, "tech": 2},
            {"billing": 0.75, "tech": 1.0},
        ),
        (
            {"billing": {"handle_time_factor": 1.4}, "tech": {"priority": 3}},
            {"billing": 1, "tech": 3},
            {"billing": 1.4, "tech": 1.0},
        ),
    ],
)
def test_skills_in_every_form_give_levels_and_handle_time_factors(
    skills: Any, levels: dict[str, int], factors: dict[str, float]
) -> None:
    data = centre()
    data["agents"][1]["skills"] = skills
    group = build_scenario(data).agents[1]
    assert group.skill_levels == levels
    assert group.handle_time_factors == factors
    assert group.skills == {
        queue: SkillSpec(priority=levels[queue], handle_time_factor=factors[queue])
        for queue in levels
    }


# --- queue and group keys ---------------------------------------------------------------


def test_new_queue_and_group_keys_validate_into_seconds_and_specs() -> None:
    scenario = build_scenario(every_new_key())
    billing, tech = scenario.queues
    assert scenario.lines == 40
    assert billing.overflow == OverflowSpec(after=60.0, to=["tier2"])
    assert billing.balking == BalkingSpec(max_expected_wait=300.0)
    assert billing.max_wait == MaxWaitSpec(after=180.0, outcome="voicemail")
    assert billing.transfer == TransferSpec(probability=0.1, to="tech")
    assert isinstance(billing.repeat, RepeatSpec)
    assert billing.repeat.probability == 0.2
    assert billing.repeat.delay.build() == dist.Exponential(86400.0)
    assert tech.balking == BalkingSpec(max_queue=20)
    assert tech.max_wait == MaxWaitSpec(after=90.0, to="billing")
    assert scenario.agents[1].rotation == RotationSpec(
        every=7200.0, skill_sets=[["tech"], ["billing", "tech"]], stagger=True
    )


@pytest.mark.parametrize(
    "balking", [{"probability": 0}, {"probability": 1}, {"max_queue": 0}, {"max_expected_wait": 0}]
)
def test_each_balking_rule_is_accepted_alone(balking: dict[str, Any]) -> None:
    data = centre()
    data["queues"][0]["balking"] = balking
    spec = build_scenario(data).queues[0].balking
    assert spec is not None
    assert spec.model_dump(exclude_none=True) == balking


@pytest.mark.parametrize(("probability", "accepted"), [(0, True), (0.999, True), (1, False)])
def test_a_repeat_probability_must_stay_below_one(probability: float, accepted: bool) -> None:
    data = centre()
    data["queues"][0]["repeat"] = {
        "probability": probability,
        "delay": {"distribution": "constant", "mean": "1h"},
    }
    if accepted:
        assert build_scenario(data).queues[0].repeat is not None
    else:
        assert problems_of(data) == [
            "queues[0].repeat.probability: must be a number from 0 to less than 1 (got 1)"
        ]


def test_rotation_stagger_defaults_to_false() -> None:
    data = centre()
    data["agents"][1]["rotation"] = {"every": "1h", "skill_sets": [["tech"], ["billing"]]}
    rotation = build_scenario(data).agents[1].rotation
    assert rotation is not None
    assert rotation.stagger is False


# --- checks across keys -----------------------------------------------------------------


def test_a_queue_served_only_through_overflow_counts_as_served() -> None:
    data = centre()
    data["agents"][1]["skills"] = ["billing"]
    assert problems_of(data) == ['queues[1].name: no agent group has the skill "tech"']
    data["queues"][1]["overflow"] = {"after": "30s", "to": ["tier1"]}
    assert build_scenario(data).queues[1].overflow == OverflowSpec(after=30.0, to=["tier1"])


def test_a_queue_overflowing_to_an_unknown_group_is_reported_once() -> None:
    data = centre()
    data["agents"][1]["skills"] = ["billing"]
    data["queues"][1]["overflow"] = {"after": "30s", "to": ["tier3"]}
    assert problems_of(data) == [
        'queues[1].overflow.to[0]: unknown agent group "tier3" (groups: tier1, tier2)'
    ]


def test_an_unreadable_group_list_skips_the_overflow_group_check() -> None:
    data = centre()
    del data["agents"][0]["name"]
    data["queues"][0]["overflow"] = {"after": 0, "to": ["tier9"]}
    assert problems_of(data) == ["agents[0].name: required key is missing"]


def test_an_unreadable_queue_list_skips_unknown_queue_checks_but_not_self_references() -> None:
    data = centre()
    del data["queues"][1]["name"]
    data["queues"][0]["transfer"] = {"probability": 0.5, "to": "sales"}
    data["queues"][0]["max_wait"] = {"after": 60, "to": "billing"}
    assert problems_of(data) == [
        "queues[1].name: required key is missing",
        'queues[0].max_wait.to: must name another queue, not this one (got "billing")',
    ]


def test_a_rotation_may_only_use_the_group_skills() -> None:
    data = centre()
    data["agents"][0]["rotation"] = {"every": "1h", "skill_sets": [["billing"], ["tech"]]}
    data["agents"][1]["rotation"] = {"every": "1h", "skill_sets": [["billing"], ["tech"]]}
    assert problems_of(data) == [
        'agents[0].rotation.skill_sets[1][0]: "tech" is not one of the group\'s skills'
    ]


def test_transfer_and_max_wait_may_name_each_others_queue() -> None:
    data = centre()
    data["queues"][0]["transfer"] = {"probability": 1, "to": "tech"}
    data["queues"][1]["max_wait"] = {"after": "2min", "to": "billing"}
    scenario = build_scenario(data)
    assert scenario.queues[0].transfer == TransferSpec(probability=1.0, to="tech")
    assert scenario.queues[1].max_wait == MaxWaitSpec(after=120.0, to="billing")


@pytest.mark.parametrize("name", ["ALL2", "TOTAL", "allocation"])
def test_only_the_name_all_is_reserved(name: str) -> None:
    data = centre()
    data["queues"][1]["name"] = name
    data["agents"][1]["skills"] = {name: 1, "billing": 2}
    assert build_scenario(data).queues[1].name == name


# --- round trips ------------------------------------------------------------------------


def test_to_dict_round_trips_every_new_key() -> None:
    scenario = build_scenario(every_new_key())
    assert build_scenario(scenario.to_dict()) == scenario


def test_every_new_key_round_trips_through_yaml() -> None:
    scenario = build_scenario(every_new_key())
    text = yaml.safe_dump(scenario.to_dict(), sort_keys=False)
    assert build_scenario(parse_yaml(text).data) == scenario


def test_to_dict_writes_the_new_keys_with_units_and_skills_in_long_form() -> None:
    resolved = build_scenario(every_new_key()).to_dict()
    assert resolved["lines"] == 40
    assert resolved["routing"] == {
        "agent_selection": "priority",
        "contact_selection": "sl_urgency",
        "repeat_contacts": "prefer_last_agent",
        "affinity_wait": "2min",
        "handover_factor": 1.2,
    }
    billing, tech = resolved["queues"]
    assert billing["routing"] == {"repeat_contacts": "last_agent_only", "handover_factor": 1.5}
    assert billing["overflow"] == {"after": "1min", "to": ["tier2"]}
    assert billing["balking"] == {"max_expected_wait": "5min"}
    assert billing["max_wait"] == {"after": "3min", "outcome": "voicemail"}
    assert billing["repeat"] == {
        "probability": 0.2,
        "delay": {"distribution": "exponential", "mean": "1d"},
    }
    assert tech["max_wait"] == {"after": "1.5min", "to": "billing"}
    assert tech["routing"] == {}
    assert resolved["agents"][1]["skills"] == {
        "tech": {"priority": 1, "handle_time_factor": 0.75},
        "billing": {"priority": 2, "handle_time_factor": 1.0},
    }
    assert resolved["agents"][1]["rotation"] == {
        "every": "2h",
        "skill_sets": [["tech"], ["billing", "tech"]],
        "stagger": True,
    }


def test_to_dict_leaves_out_queue_keys_that_are_not_set() -> None:
    resolved = build_scenario(centre()).to_dict()
    assert "lines" not in resolved
    for key in ("overflow", "balking", "max_wait", "transfer", "repeat"):
        assert key not in resolved["queues"][0]
    assert "rotation" not in resolved["agents"][0]


# --- overrides --------------------------------------------------------------------------


def test_overrides_reach_the_new_keys_and_leave_the_original_alone() -> None:
    scenario = build_scenario(every_new_key())
    before = copy.deepcopy(scenario.to_dict())
    changed = scenario.with_overrides(
        {
            "routing.agent_selection": "random",
            "queues.tech.routing.affinity_wait": "30s",
            "queues.tech.overflow": {"after": "2min", "to": ["tier1"]},
            "agents.tier2.skills.tech.handle_time_factor": 0.5,
            "lines": None,
        }
    )
    assert changed.routing.agent_selection == "random"
    assert changed.routing_of(changed.queues[1]).affinity_wait == 30.0
    assert changed.queues[1].overflow == OverflowSpec(after=120.0, to=["tier1"])
    assert changed.agents[1].handle_time_factors == {"tech": 0.5, "billing": 1.0}
    assert changed.lines is None
    assert scenario.to_dict() == before


def test_an_override_of_a_new_key_is_validated() -> None:
    scenario = build_scenario(centre())
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides({"queues.billing.overflow": {"after": "1min", "to": ["tier7"]}})
    assert str(caught.value) == (
        'queues[0].overflow.to[0]: unknown agent group "tier7" (groups: tier1, tier2)'
    )


# --- JSON Schema ------------------------------------------------------------------------


def test_json_schema_describes_the_new_keys() -> None:
    schema = json.loads(json.dumps(scenario_json_schema()))
    definitions = schema["$defs"]
    assert {"lines", "routing"} <= set(schema["properties"])
    assert schema["properties"]["routing"]["$ref"] == "#/$defs/RoutingSpec"
    queue = definitions["QueueSpec"]["properties"]
    assert {"routing", "overflow", "balking", "max_wait", "transfer", "repeat"} <= set(queue)
    assert queue["name"]["not"] == {"const": "ALL"}
    assert "contact_selection" not in definitions["QueueRoutingSpec"]["properties"]
    assert set(definitions["RoutingSpec"]["properties"]) == set(RoutingSpec.model_fields)
    assert definitions["RotationSpec"]["properties"]["skill_sets"]["minItems"] == 2
    assert definitions["RepeatSpec"]["properties"]["probability"]["exclusiveMaximum"] == 1
    agent_selection = definitions["RoutingSpec"]["properties"]["agent_selection"]
    assert agent_selection["enum"] == [
        "longest_idle",
        "random",
        "round_robin",
        "fewest_skills",
        "priority",
    ]
    assert agent_selection["description"].startswith("Which free eligible agent answers")


def test_json_schema_accepts_skills_as_a_list_levels_or_the_long_form() -> None:
    schema = scenario_json_schema()
    skills = schema["$defs"]["AgentGroupSpec"]["properties"]["skills"]
    as_list, as_mapping = skills["anyOf"]
    assert as_list == {"type": "array", "items": {"type": "string"}, "minItems": 1}
    assert as_mapping["minProperties"] == 1
    assert as_mapping["additionalProperties"]["anyOf"] == [
        {"type": "integer", "minimum": 1},
        {"$ref": "#/$defs/SkillSpec"},
    ]
    skill = schema["$defs"]["SkillSpec"]
    assert set(skill["properties"]) == {"priority", "handle_time_factor"}
    assert skill["additionalProperties"] is False


# --- docs -------------------------------------------------------------------------------

DOCS = Path(__file__).parent.parent / "docs" / "scenario.md"


def _docs_section(title: str) -> str:
    """The text of docs/scenario.md from the heading ``title`` to the next ``##`` heading."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def test_the_docs_example_of_the_routing_features_is_valid() -> None:
    section = _docs_section("Routing and queue control")
    example = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert example is not None
    scenario = build_scenario(parse_yaml("name: docs example\n" + example[1]).data)
    billing = scenario.queues[0]
    assert scenario.lines == 40
    assert scenario.routing_of(billing).repeat_contacts == "last_agent_only"
    assert scenario.agents[0].handle_time_factors == {"billing": 0.9, "tech": 1.0}


@pytest.mark.parametrize(
    "model",
    [
        RoutingSpec,
        OverflowSpec,
        BalkingSpec,
        MaxWaitSpec,
        TransferSpec,
        RepeatSpec,
        SkillSpec,
        RotationSpec,
    ],
)
def test_every_key_of_the_routing_features_is_documented(model: type[BaseModel]) -> None:
    section = _docs_section("Routing and queue control")
    assert [key for key in model.model_fields if f"| `{key}` |" not in section] == []


@pytest.mark.parametrize(
    ("section", "keys"),
    [
        ("Top level", ["lines", "routing"]),
        ("Queues", ["routing", "overflow", "balking", "max_wait", "transfer", "repeat"]),
        ("Agent groups", ["rotation"]),
    ],
)
def test_the_new_keys_are_listed_with_their_owner(section: str, keys: list[str]) -> None:
    text = _docs_section(section)
    assert [key for key in keys if f"| `{key}` |" not in text] == []
