"""Every agent's state sequence follows the allowed transitions (an independent checker).

The checker has its own copy of the agent's map, written from the agent's
workday (comes on duty, takes work, talks, wraps up, goes idle, goes away),
and checks the engine's opt-in agent trace over Hypothesis-generated routing
and rotation scenarios: each step is allowed by this map *and* by the
engine's ``AGENT_TRANSITIONS``; an agent holds at most its capacity of
contacts (one slot for every group today), and becomes busy exactly when it
answers a contact; it is on duty exactly while present.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import routing_scenarios

from simcenter.engine import run_replication
from simcenter.scenario import Scenario, build_scenario
from simcenter.states import AGENT_TRANSITIONS

ALLOWED = {
    ("off_duty", "idle"),  # rostered, nothing waiting
    ("off_duty", "busy"),  # rostered, takes a waiting contact at once
    ("off_duty", "away"),  # the plan rosters it, another source keeps it away
    ("off_duty", "on_break"),  # ... a break
    ("away", "idle"),
    ("away", "busy"),
    ("away", "off_duty"),  # the plan no longer rosters it
    ("away", "on_break"),  # away over, the break goes on
    ("on_break", "idle"),
    ("on_break", "busy"),
    ("on_break", "off_duty"),
    ("on_break", "away"),  # away outranks a break
    ("idle", "busy"),
    ("idle", "off_duty"),  # an idle agent leaves at once
    ("idle", "away"),
    ("idle", "on_break"),
    ("busy", "wrap_up"),
    ("busy", "busy"),  # no wrap-up: the next contact at once
    ("busy", "idle"),
    ("busy", "off_duty"),  # leaves after its talk (no wrap-up)
    ("busy", "away"),
    ("busy", "on_break"),
    ("wrap_up", "busy"),
    ("wrap_up", "idle"),
    ("wrap_up", "off_duty"),  # leaves after its wrap-up
    ("wrap_up", "away"),
    ("wrap_up", "on_break"),
}
ABSENT_FOR_ANOTHER_SOURCE = {"away", "on_break"}
"""States only a source besides the staffing plan gives (tests/test_presence.py)."""
PRESENT = {"idle", "busy", "wrap_up"}


def engine_map() -> set[tuple[str, str]]:
    """The engine's agent map as (from, to) pairs of state values."""
    return {
        (before.value, after.value)
        for before, targets in AGENT_TRANSITIONS.items()
        for after in targets
    }


def check(scenario: Scenario, replication: int) -> set[tuple[str, str]]:
    """Run one replication with the agent trace on; check every agent; the steps seen."""
    trace: list[Any] = []
    record = run_replication(scenario, replication, agent_trace=trace)
    engine = engine_map()
    paths: dict[int, list[str]] = defaultdict(lambda: ["off_duty"])
    busy_at: dict[int, list[float]] = defaultdict(list)
    last_time: dict[int, float] = {}
    seen = set()
    for time, agent, before, after in trace:
        path = paths[agent.index]
        assert path[-1] == before.value, f"{agent.name} jumped from {path[-1]}"
        step = (before.value, after.value)
        assert step in ALLOWED, f"{agent.name}: {step}"
        assert step in engine, f"{agent.name}: {step} is not in AGENT_TRANSITIONS"
        assert time >= last_time.get(agent.index, 0.0)
        assert agent.capacity == 1
        last_time[agent.index] = time
        path.append(after.value)
        seen.add(step)
        if after.value == "busy":
            busy_at[agent.index].append(time)
    table = pd.DataFrame(record.contacts)
    served = table[table["answered_s"].notna()]
    for agent, answers in served.groupby("agent")["answered_s"]:
        times = list(busy_at[agent])
        for time in answers:  # each logged answer is one of its agent's steps into busy
            assert time in times, (agent, time)
            times.remove(time)
        if scenario.warmup == 0:  # every contact is logged: no other step into busy
            assert not times, (agent, times)
    _check_slots(served, record.end_s)
    _check_presence(record, paths)
    return seen


def _check_slots(served: pd.DataFrame, end_of_run: float) -> None:
    """No agent ever talks to more contacts at once than its one slot."""
    talk_end = served["end_s"].fillna(end_of_run)
    for _, periods in served.assign(talk_end=talk_end).groupby("agent"):
        events = sorted(
            [(time, 1) for time in periods["answered_s"]]
            + [(time, -1) for time in periods["talk_end"]]
        )
        held = 0
        for _, change in events:  # at one instant, an ending (-1) sorts before an answer
            held += change
            assert held <= 1


def _check_presence(record: Any, paths: dict[int, list[str]]) -> None:
    """Agents with an on-duty period were present; agents never present have none."""
    presence = pd.DataFrame(record.presence)
    with_periods = set(presence["agent"]) if len(presence) else set()
    for agent, path in paths.items():
        assert (agent in with_periods) == bool(PRESENT & set(path)), (agent, path)


@settings(max_examples=60, deadline=None)
@given(scenario=routing_scenarios(), replication=st.integers(0, 3))
def test_every_agent_state_sequence_follows_the_allowed_transitions(
    scenario: Scenario, replication: int
) -> None:
    check(scenario, replication)


@settings(max_examples=15, deadline=None)
@given(scenario=routing_scenarios(closing="clear"), replication=st.integers(0, 3))
def test_agent_state_sequences_with_a_clear_closing(scenario: Scenario, replication: int) -> None:
    check(scenario, replication)


def test_the_reference_centres_take_every_step_of_the_workday() -> None:
    """Over the 60 drawn reference centres every step is taken but away and on break.

    (No source of the scenarios gives those yet: tests/test_presence.py takes them.)
    """
    drawn = json.loads((Path(__file__).parent / "data" / "reference_scenarios.json").read_text())
    seen: set[tuple[str, str]] = set()
    for data in drawn:
        seen |= check(build_scenario(data), 0)
    assert seen == {step for step in ALLOWED if not ABSENT_FOR_ANOTHER_SOURCE & set(step)}


def test_the_checkers_map_is_the_engines_map() -> None:
    assert engine_map() == ALLOWED


def test_the_diagram_in_the_docs_is_the_engines_map() -> None:
    """docs/architecture.md's agent diagram (the second) has exactly the engine's transitions."""
    text = (Path(__file__).parents[1] / "docs" / "architecture.md").read_text()
    diagram = text.split("stateDiagram-v2")[2].split("```", 1)[0]
    drawn = {
        (first, second)
        for first, second in re.findall(r"^\s*(\w+)\s*-->\s*(\w+)", diagram, re.MULTILINE)
        if first != "[*]"
    }
    assert drawn == engine_map()
