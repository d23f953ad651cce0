"""Agent levels from the agents' changes of state, against second computations.

The recorder tallies busy, on-duty, away and on-break time from the agents'
changes of state, never from the contacts. Here, for Hypothesis-drawn
routing scenarios (rotation, transfers, repeat contacts, overflow, the three
closings), the busy time per group and reporting interval equals, exactly
(``==``), the sum of the contacts' own service and wrap-up periods
``[answered_s, end_s + wrap_s]`` (until the end of the run for a contact
still talking), clipped to the intervals and the measured window: from the
contact log when there is no warm-up, and from the contacts of the contact
trace (the warm-up's included) when there is one; and so for a scripted
centre that rotates, transfers and repeats, with a warm-up, under each
closing. On-duty, away and on-break time are recomputed from the agent
trace.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from scripted import ArrivalScript, ScenarioFactory, queue
from strategies import routing_scenarios
from test_presence import Meeting

from simcenter.bins import clipped_seconds, interval_edges, seconds_per_bin
from simcenter.centre import AgentTransition, Transition
from simcenter.engine import run_replication
from simcenter.presence import Reason
from simcenter.records import OUTCOME_CODE, ReplicationRecord, run_meta
from simcenter.scenario import Scenario, build_scenario
from simcenter.states import ENDED, PRESENT, AgentState

EXAMPLES = settings(max_examples=30, deadline=None)


def log_periods(record: ReplicationRecord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The busy period ``(start, end, group)`` of every served contact of the log, in log order."""
    log = record.contacts
    assert log is not None
    served = np.isfinite(log["answered_s"]) & (log["group"] >= 0)
    talk_end = np.where(np.isnan(log["end_s"]), record.end_s, log["end_s"])  # still talking
    end = talk_end + log["wrap_s"]
    return log["answered_s"][served], end[served], log["group"][served]


def trace_periods(
    trace: list[Transition], end_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every served contact's busy period, warm-up ones included, in the order they were recorded.

    A contact is recorded when its talk ends (its change to ``ended``); a
    contact still talking when the run ends is recorded then, by agent.
    """
    ended, last_state = [], {}
    for _, contact, _, to in trace:
        last_state[contact] = to
        if to is ENDED and not math.isnan(contact.answered_s):
            ended.append(contact)
    talking = sorted(
        (
            c
            for c, state in last_state.items()
            if state is not ENDED and not math.isnan(c.answered_s)
        ),
        key=lambda contact: contact.agent.index,
    )
    start = [c.answered_s for c in ended] + [c.answered_s for c in talking]
    end = [c.answered_s + c.handle_s + c.wrap_s for c in ended] + [end_s] * len(talking)
    group = [c.agent.group.index for c in ended + talking]
    return np.array(start), np.array(end), np.array(group, dtype=np.int64)


def state_periods(
    trace: list[AgentTransition], states: set[AgentState], end_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The periods ``(start, end, group)`` spent in ``states`` (open ones end at ``end_s``)."""
    since: dict[Any, float] = {}
    start, end, group = [], [], []
    for time, agent, _, to in trace:
        if to in states:
            since.setdefault(agent, time)
        elif agent in since:
            start.append(since.pop(agent))
            end.append(time)
            group.append(agent.group.index)
    for agent, began in since.items():
        start.append(began)
        end.append(end_s)
        group.append(agent.group.index)
    return np.array(start, dtype=float), np.array(end, dtype=float), np.array(group, dtype=int)


def per_interval(scenario: Scenario, periods: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Any:
    """Seconds of the periods per group (rows) and reporting interval (columns)."""
    start, end, group = periods
    return seconds_per_bin(
        start, end, group, len(scenario.agents), interval_edges(run_meta(scenario))
    )


@EXAMPLES
@given(scenario=routing_scenarios(warmup=False))
def test_busy_time_per_group_and_interval_is_the_log_s_service_and_wrap_up(
    scenario: Scenario,
) -> None:
    record = run_replication(scenario, 0)
    expected = per_interval(scenario, log_periods(record))
    assert np.array_equal(record.tallies.agents.group_busy_s, expected)
    assert record.tallies.agents.group_busy_s.sum() > 0 or expected.sum() == 0


@EXAMPLES
@given(scenario=routing_scenarios(warmup=False))
def test_busy_time_per_agent_is_the_log_s_service_and_wrap_up(scenario: Scenario) -> None:
    """Within ``[warmup, end of run]``: inside the horizon, plus the drain after it."""
    record = run_replication(scenario, 0)
    log = record.contacts
    assert log is not None
    start, end, _ = log_periods(record)
    served = np.isfinite(log["answered_s"]) & (log["agent"] >= 0)
    agent = log["agent"][served].astype(np.int64)
    horizon_end = scenario.warmup + scenario.horizon
    count = len(record.tallies.agents.agent_busy_s)
    inside = np.bincount(
        agent, weights=clipped_seconds(start, end, scenario.warmup, horizon_end), minlength=count
    )
    after = np.bincount(
        agent, weights=clipped_seconds(start, end, horizon_end, record.end_s), minlength=count
    )
    assert np.allclose(record.tallies.agents.agent_busy_s, inside + after, rtol=1e-12, atol=1e-9)


@EXAMPLES
@given(scenario=routing_scenarios(warmup=True))
def test_with_a_warm_up_busy_time_is_every_contact_s_after_it(scenario: Scenario) -> None:
    """Contacts that arrived in the warm-up keep their agents busy after it, too."""
    trace: list[Transition] = []
    record = run_replication(scenario, 0, trace=trace)
    expected = per_interval(scenario, trace_periods(trace, record.end_s))
    assert np.array_equal(record.tallies.agents.group_busy_s, expected)
    assert (per_interval(scenario, log_periods(record)) <= expected + 1e-9).all()


@EXAMPLES
@given(scenario=routing_scenarios())
def test_on_duty_time_per_group_and_interval_is_the_agent_trace_s(scenario: Scenario) -> None:
    trace: list[AgentTransition] = []
    record = run_replication(scenario, 0, agent_trace=trace)
    expected = per_interval(scenario, state_periods(trace, set(PRESENT), record.end_s))
    assert np.allclose(record.tallies.agents.group_staffed_s, expected, rtol=1e-12, atol=1e-9)
    busy = per_interval(
        scenario, state_periods(trace, {AgentState.BUSY, AgentState.WRAP_UP}, record.end_s)
    )
    assert np.allclose(record.tallies.agents.group_busy_s, busy, rtol=1e-12, atol=1e-6)
    assert (
        record.tallies.agents.group_busy_s <= record.tallies.agents.group_staffed_s + 1e-6
    ).all()


def test_away_and_on_break_time_come_from_the_agent_s_states(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Agent 0 of 2: a meeting 1000-3000 s and a break 2000-4000 s (away, then on break)."""
    script_arrivals({"a": [100]})
    scenario = make_scenario(
        [queue("a", handle_s=300)],
        [{"name": "g", "staffing": {"interval": "90min", "counts": [2, 1]}, "skills": ["a"]}],
        horizon="3h",
        interval="1h",
    )
    sources = [Meeting([0], 1000, 3000), Meeting([0], 2000, 4000, kind=Reason.ON_BREAK)]
    record = run_replication(scenario, 0, presence=sources)
    agents = record.tallies.agents
    assert agents.group_away_s.tolist() == [[2000.0, 0.0, 0.0]]
    assert agents.group_on_break_s.tolist() == [[600.0, 400.0, 0.0]]
    # present: agent 0 0-1000 s and 4000-5400 s, agent 1 all along; busy: 100-400 s
    assert agents.group_staffed_s.tolist() == [[3600.0 + 1000.0, 3600.0 + 1400.0, 3600.0]]
    assert agents.group_busy_s.tolist() == [[300.0, 0.0, 0.0]]


ROTATING_CENTRE: dict[str, Any] = {
    "name": "rotating",
    "seed": 11,
    "horizon": "3h",
    "warmup": "20min",
    "interval": "30min",
    "queues": [
        {
            "name": "billing",
            "arrivals": {"rate": "150/h"},
            "handle_time": {"distribution": "exponential", "mean": "4min"},
            "wrap_up": {"distribution": "uniform", "low": "10s", "high": "50s"},
            "patience": {"distribution": "exponential", "mean": "3min"},
            "transfer": {"probability": 0.15, "to": "tech"},
            "repeat": {"probability": 0.2, "delay": {"distribution": "constant", "mean": "10min"}},
        },
        {
            "name": "tech",
            "arrivals": {"rate": "40/h"},
            "handle_time": {"distribution": "exponential", "mean": "6min"},
            "patience": {"distribution": "exponential", "mean": "4min"},
        },
    ],
    "agents": [
        {
            "name": "tier1",
            "count": 9,
            "skills": ["billing", "tech"],
            "rotation": {"every": "25min", "skill_sets": [["billing"], ["tech"]], "stagger": True},
        },
        {"name": "tier2", "count": 4, "skills": {"tech": 1, "billing": 2}},
    ],
    "routing": {"handover_factor": 1.2},
}


@pytest.mark.parametrize("closing", ["drain", "clear", "stop"])
def test_busy_time_is_exact_with_rotation_transfers_and_repeats(closing: str) -> None:
    """A centre that rotates, transfers and repeats, with a warm-up: per group and interval."""
    scenario = build_scenario({**ROTATING_CENTRE, "closing": closing})
    trace: list[Transition] = []
    record = run_replication(scenario, 0, trace=trace)
    log = record.contacts
    assert log is not None
    assert (log["outcome"] == OUTCOME_CODE["transferred"]).any()
    assert (log["attempt"] > 1).any()  # repeat contacts
    assert len(np.unique(log["skill_set"][log["group"] == 0])) == 2  # tier1 rotated
    expected = per_interval(scenario, trace_periods(trace, record.end_s))
    assert np.array_equal(record.tallies.agents.group_busy_s, expected)
    # the log holds the contacts of the measured window only: never more than the levels
    assert (per_interval(scenario, log_periods(record)) <= expected + 1e-9).all()
