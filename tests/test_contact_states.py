"""Every contact's state sequence follows the allowed transitions (an independent checker).

The checker below has its own copy of the state map, written from the
contact's story (arrives, goes through an IVR, waits in its queue or for its
last agent, gives up or is served, ends), and does not use the engine's table. It checks the
engine's opt-in trace of state changes over Hypothesis-generated routing
scenarios (lines, policies, overflow, balking, maximum waits, transfers,
repeat contacts, retrials, IVRs, rotation; every closing), contact by contact, against its
own map, the engine's ``CONTACT_TRANSITIONS`` and the outcomes the recorder
wrote. A last test checks that the state diagram in
docs/architecture.md is the engine's map.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import routing_scenarios

from simcenter.engine import run_replication
from simcenter.records import OUTCOMES
from simcenter.scenario import Scenario
from simcenter.states import CONTACT_TRANSITIONS, ContactState

ALLOWED = {
    ("arriving", "in_ivr"),  # a new call at a queue with an IVR
    ("in_ivr", "queued"),
    ("in_ivr", "waiting_for_last_agent"),
    ("in_ivr", "in_service"),
    ("in_ivr", "ended"),  # resolved there, hung up there, or balked or disconnected after it
    ("arriving", "queued"),
    ("arriving", "waiting_for_last_agent"),
    ("arriving", "in_service"),
    ("arriving", "ended"),  # blocked, balked, disconnected on arrival after a clear closing
    ("waiting_for_last_agent", "queued"),  # its affinity wait is over
    ("waiting_for_last_agent", "in_service"),
    ("waiting_for_last_agent", "ended"),
    ("queued", "in_service"),
    ("queued", "ended"),  # abandoned, voicemail, rerouted, disconnected
    ("in_service", "ended"),  # answered or transferred after its talk
}
ENGINE_MAP = {
    (before.value, after.value)
    for before, targets in CONTACT_TRANSITIONS.items()
    for after in targets
}
"""The engine's map, as (from, to) pairs: every step must be in both."""
WAITING = {"queued", "waiting_for_last_agent"}
STILL_IN_SYSTEM = WAITING | {"in_service", "in_ivr"}
"""The states a contact recorded ``in_system`` may end the run in."""
PATHS = {
    "answered": lambda states: "in_service" in states,
    "abandoned": lambda states: bool(WAITING & set(states)),
    "voicemail": lambda states: bool(WAITING & set(states)),
    "blocked": lambda states: states == ["arriving", "ended"],
    "balked": lambda states: states in (["arriving", "ended"], ["arriving", "in_ivr", "ended"]),
    "self_served": lambda states: states == ["arriving", "in_ivr", "ended"],
    "abandoned_in_ivr": lambda states: states == ["arriving", "in_ivr", "ended"],
    "transferred": lambda states: states[-1] == "ended",
    "disconnected": lambda states: "in_service" not in states,
    "in_system": lambda states: states[-1] in STILL_IN_SYSTEM,
}
"""Outcome -> what the contact's states must show."""


def sequences(trace: list[Any]) -> tuple[dict[int, list[str]], dict[int, list[float]]]:
    """Per contact id: its states in order (starting with ``arriving``) and the change times."""
    states: dict[int, list[str]] = {}
    times: dict[int, list[float]] = defaultdict(list)
    for time, contact, before, after in trace:
        path = states.setdefault(contact.contact_id, [before.value])
        assert path[-1] == before.value, f"contact {contact.contact_id} jumped from {path[-1]}"
        path.append(after.value)
        times[contact.contact_id].append(time)
    return states, times


def check(scenario: Scenario, replication: int) -> None:
    """Run one replication with the trace on and check every contact's sequence."""
    trace: list[Any] = []
    record = run_replication(scenario, replication, trace=trace)
    states, times = sequences(trace)
    for contact_id, path in states.items():
        assert path[0] == "arriving"
        for step in pairwise(path):
            assert step in ALLOWED, f"contact {contact_id}: {step[0]} -> {step[1]}"
            assert step in ENGINE_MAP, f"contact {contact_id}: {step} is not in the engine's map"
        assert times[contact_id] == sorted(times[contact_id])
    table = pd.DataFrame(record.contacts)
    recorded = set(table["contact_id"])
    assert recorded <= set(states)  # every recorded contact changed state at least once
    for contact_id, code in zip(table["contact_id"], table["outcome"], strict=True):
        outcome = OUTCOMES[code]
        path = states[contact_id]
        assert PATHS[outcome](path), f"contact {contact_id} ({outcome}): {path}"
        assert (path[-1] == "ended") == (outcome != "in_system")
    arrivals = {contact.contact_id: contact.arrival_s for _, contact, _, _ in trace}
    for contact_id in set(states) - recorded:  # only contacts of the warm-up are not recorded
        assert arrivals[contact_id] < scenario.warmup


@settings(max_examples=60, deadline=None)
@given(scenario=routing_scenarios(), replication=st.integers(0, 3))
def test_every_state_sequence_follows_the_allowed_transitions(
    scenario: Scenario, replication: int
) -> None:
    """Random routing scenarios: each contact moves only along allowed transitions."""
    check(scenario, replication)


@settings(max_examples=15, deadline=None)
@given(scenario=routing_scenarios(closing="clear"), replication=st.integers(0, 3))
def test_state_sequences_with_a_clear_closing(scenario: Scenario, replication: int) -> None:
    """The same with every waiting contact disconnected at the horizon."""
    check(scenario, replication)


@settings(max_examples=10, deadline=None)
@given(scenario=routing_scenarios())
def test_tracing_changes_nothing(scenario: Scenario) -> None:
    """A traced run records exactly the contacts of an untraced one."""
    plain = pd.DataFrame(run_replication(scenario, 0).contacts)
    traced = pd.DataFrame(run_replication(scenario, 0, trace=[]).contacts)
    pd.testing.assert_frame_equal(plain, traced, check_exact=True)


def test_the_diagram_in_the_docs_is_the_engines_map() -> None:
    """docs/architecture.md's Mermaid diagram has exactly the engine's transitions."""
    text = (Path(__file__).parents[1] / "docs" / "architecture.md").read_text()
    diagram = text.split("stateDiagram-v2", 1)[1].split("```", 1)[0]
    drawn = {
        (first.lower(), second.lower())
        for first, second in re.findall(r"^\s*(\w+)\s*-->\s*(\w+)", diagram, re.MULTILINE)
        if first != "[*]"
    }
    engine = {
        (before.value, after.value)
        for before, targets in CONTACT_TRANSITIONS.items()
        for after in targets
    }
    assert drawn == engine == ALLOWED
    assert {state.value for state in ContactState} >= {state for step in ALLOWED for state in step}
