"""Queue templates: how a queue's keys override its template's, and where problems point."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from simcenter.errors import ScenarioError
from simcenter.loading import load_scenario, scenario_json_schema
from simcenter.scenario import QueueSpec, build_scenario

ROOT = Path(__file__).resolve().parents[1]

AGENTS = [{"name": "team", "count": 5, "skills": ["a", "b"]}]
TEMPLATE = {
    "arrivals": {"rate": "10/h", "weekdays": {"sun": 0}},
    "handle_time": {"distribution": "lognormal", "mean": "3min", "cv": 0.5},
    "patience": {"distribution": "exponential", "mean": "90s"},
    "balking": {"max_queue": 10},
}


def _queues(*entries: dict[str, Any]) -> list[QueueSpec]:
    scenario = build_scenario(
        {
            "name": "t",
            "templates": {"client": TEMPLATE},
            "queues": [
                {
                    "name": "b",
                    "arrivals": {"rate": "1/h"},
                    "handle_time": {"distribution": "constant", "mean": 60},
                },
                *entries,
            ],
            "agents": [
                {"name": "team", "count": 5, "skills": ["b", *(e["name"] for e in entries)]}
            ],
        }
    )
    return scenario.queues[1:]


def _problems(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(problem).removeprefix(f"{path}") for problem in caught.value.problems]


# --- how keys override ------------------------------------------------------------------


def test_a_queue_takes_every_key_of_its_template() -> None:
    (queue,) = _queues({"name": "a", "template": "client"})
    assert queue.arrivals.rate == pytest.approx(10 / 3600)
    assert queue.arrivals.weekdays == {"sun": 0.0}
    assert (queue.handle_time.distribution, queue.handle_time.mean, queue.handle_time.cv) == (
        "lognormal",
        180.0,
        0.5,
    )
    assert queue.patience is not None
    assert queue.patience.mean == 90.0
    assert queue.balking is not None
    assert queue.balking.max_queue == 10
    assert queue.template == "client"


def test_a_mapping_is_merged_key_by_key() -> None:
    (queue,) = _queues({"name": "a", "template": "client", "handle_time": {"mean": "221s"}})
    assert (queue.handle_time.distribution, queue.handle_time.mean, queue.handle_time.cv) == (
        "lognormal",
        221.0,
        0.5,
    )


def test_another_distribution_replaces_the_template_mapping() -> None:
    (queue,) = _queues(
        {
            "name": "a",
            "template": "client",
            "handle_time": {"distribution": "exponential", "mean": "2min"},
        }
    )
    assert queue.handle_time.model_dump() == {"distribution": "exponential", "mean": 120.0}


def test_an_alternative_key_drops_the_template_alternatives() -> None:
    (queue,) = _queues(
        {
            "name": "a",
            "template": "client",
            "arrivals": {"profile": {"interval": "1h", "volumes": [3, 4]}},
            "balking": {"probability": 0.1},
        }
    )
    assert queue.arrivals.rate is None
    assert queue.arrivals.profile is not None
    assert queue.arrivals.profile.volumes == [3.0, 4.0]
    assert queue.arrivals.weekdays == {"sun": 0.0}  # not an alternative: kept
    assert queue.balking is not None
    assert (queue.balking.probability, queue.balking.max_queue) == (0.1, None)


def test_null_drops_a_template_key_and_scalars_replace() -> None:
    (queue,) = _queues({"name": "a", "template": "client", "patience": None, "priority": 3})
    assert queue.patience is None
    assert queue.priority == 3


def test_the_resolved_scenario_is_written_out_in_full() -> None:
    data = {
        "name": "t",
        "templates": {"client": TEMPLATE},
        "queues": [{"name": "a", "template": "client"}],
        "agents": [{"name": "team", "count": 5, "skills": ["a"]}],
    }
    scenario = build_scenario(data)
    resolved = scenario.to_dict()
    assert "templates" not in resolved
    assert "template" not in resolved["queues"][0]
    assert resolved["queues"][0]["handle_time"] == {
        "distribution": "lognormal",
        "mean": "3min",
        "cv": 0.5,
    }
    assert build_scenario(resolved).to_dict() == resolved
    bigger = scenario.with_overrides({"queues.a.patience.mean": "2min"})
    assert bigger.queues[0].patience is not None
    assert bigger.queues[0].patience.mean == 120.0


def test_the_template_data_is_not_changed() -> None:
    template = {"handle_time": {"distribution": "exponential", "mean": "3min"}}
    data = {
        "name": "t",
        "templates": {"client": template},
        "queues": [
            {"name": "a", "template": "client", "arrivals": {"rate": 1}, "handle_time": {"mean": 5}}
        ],
        "agents": [{"name": "team", "count": 5, "skills": ["a"]}],
    }
    build_scenario(data)
    assert template == {"handle_time": {"distribution": "exponential", "mean": "3min"}}
    assert data["queues"][0] == {
        "name": "a",
        "template": "client",
        "arrivals": {"rate": 1},
        "handle_time": {"mean": 5},
    }


# --- problems and where they point ------------------------------------------------------

_FILE = """\
name: t
templates:
  client:
    arrivals: {rate: 10/h}
    handle_time: {distribution: exponential, mean: 4 minutes}
queues:
  - {name: a, template: client}
  - {name: b, template: client}
  - {name: c, template: client, patience: {distribution: exponential, mean: soon}}
agents:
  - {name: team, count: 3, skills: [a, b, c]}
"""


def test_a_problem_in_a_template_points_to_the_template_line_once(tmp_path: Path) -> None:
    assert _problems(_FILE, tmp_path) == [
        ':5 templates.client.handle_time.mean: "4 minutes" is not a duration',
        ':9 queues[2].patience.mean: "soon" is not a duration',
    ]


def test_an_unknown_template_is_an_error_with_its_location(tmp_path: Path) -> None:
    text = _FILE.replace("4 minutes", "4min").replace("mean: soon", "mean: 1min")
    text = text.replace("{name: b, template: client}", "{name: b, template: cleint}")
    assert _problems(text, tmp_path) == [
        ':8 queues[1].template: unknown template "cleint" (templates: client)'
    ]


def test_a_template_without_templates(tmp_path: Path) -> None:
    text = """\
    name: t
    queues:
      - {name: a, template: client}
    agents:
      - {name: team, count: 3, skills: [a]}
    """
    assert _problems(text, tmp_path) == [
        ':3 queues[0].template: unknown template "client" (the scenario has no templates)'
    ]


def test_a_template_holds_queue_keys_only(tmp_path: Path) -> None:
    text = """\
    name: t
    templates:
      client:
        name: x
        template: other
        handel_time: {distribution: exponential, mean: 3min}
        colour: red
    queues:
      - name: a
        arrivals: {rate: 10/h}
        handle_time: {distribution: exponential, mean: 3min}
    agents:
      - {name: team, count: 3, skills: [a]}
    """
    problems = _problems(text, tmp_path)
    assert problems[:3] == [
        ":4 templates.client.name: a template cannot give a name; each queue has its own",
        ":5 templates.client.template: a template cannot itself use a template",
        ':6 templates.client.handel_time: unknown key (did you mean "handle_time"?)',
    ]
    assert problems[3] == (
        ":7 templates.client.colour: unknown key (a template holds queue keys: channel, "
        "arrivals, handle_time, wrap_up, patience, priority, service_level, routing, overflow, "
        "balking, max_wait, transfer, repeat, retrial, ivr, abandon_cost)"
    )


# --- the JSON Schema --------------------------------------------------------------------


def test_the_schema_describes_templates() -> None:
    schema = scenario_json_schema()
    template = schema["properties"]["templates"]["additionalProperties"]
    queue = schema["$defs"]["QueueSpec"]
    assert set(template["properties"]) == set(queue["properties"]) - {"name", "template"}
    assert template["additionalProperties"] is False
    assert queue["required"] == ["name"]
    assert queue["if"] == {"not": {"required": ["template"]}}
    assert queue["then"] == {"required": ["name", "arrivals", "handle_time"]}
    assert "template" in schema["properties"]["templates"]["description"]


# --- the secretarial service ------------------------------------------------------------


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_secretarial", ROOT / "scenarios" / "make_secretarial.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_secretarial"] = module
    spec.loader.exec_module(module)
    return module


def test_the_secretarial_file_is_what_its_generator_writes(tmp_path: Path) -> None:
    generator = _generator()
    generator.main([str(tmp_path / "secretarial.yaml")])
    written = (tmp_path / "secretarial.yaml").read_text(encoding="utf-8")
    assert written == (ROOT / "scenarios" / "secretarial.yaml").read_text(encoding="utf-8")


def test_the_secretarial_queues_are_the_generated_clients_written_out() -> None:
    """Every templated queue line expands to the full queue the generator drew."""
    generator = _generator()
    import numpy as np

    clients = generator.draw_clients(np.random.default_rng(generator.SEED))
    scenario = load_scenario(ROOT / "scenarios" / "secretarial.yaml")
    assert len(scenario.queues) == len(clients) == 500
    for queue, client in zip(scenario.queues, clients, strict=True):
        assert queue.name == client.name
        assert queue.arrivals.rate == pytest.approx(client.rate_per_h / 3600, rel=1e-12)
        assert queue.handle_time.model_dump() == {
            "distribution": "exponential",
            "mean": client.handle_s,
        }
        assert queue.patience is not None
        assert queue.patience.model_dump() == {
            "distribution": "exponential",
            "mean": client.patience_s,
        }
    lines = (ROOT / "scenarios" / "secretarial.yaml").read_text(encoding="utf-8").splitlines()
    queue_lines = [line for line in lines if line.startswith("  - {name: client-")]
    assert len(queue_lines) == 500
    assert max(len(line) for line in queue_lines) <= 120
