"""Presence as composition: the staffing plan and a second presence source overlap.

The second source is test-only: a "meeting" that keeps given agents away
over a given period, through the same narrow interface any source uses
(``keep_away`` and ``release``; :class:`simcenter.presence.Presence`), and is
handed to the run like the scenario's own sources; nothing is patched. An
agent is present exactly when no source keeps it away, and a busy agent
finishes its contact first. Times are whole seconds, so the expected event
log is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import simpy
from scripted import ArrivalScript, ScenarioFactory, assert_log, group, queue, run, table_of
from test_agent_states import ALLOWED

from simcenter.engine import run_replication
from simcenter.presence import Absence, Presence, Reason
from simcenter.timer import Timer


@dataclass
class Meeting:
    """A presence source: agents (by index) away for ``kind`` from ``start_s`` to ``end_s``."""

    agents: list[int]
    start_s: float
    end_s: float
    kind: Reason = Reason.AWAY
    reason: Absence = field(init=False)

    def __post_init__(self) -> None:
        self.reason = Absence(self.kind, "meeting")

    def start(self, env: simpy.Environment, presence: Presence) -> None:
        """Set the timers of the meeting's beginning and end."""

        def begins(timer: Timer) -> None:
            for index in self.agents:
                presence.keep_away(presence.agents[index], self.reason)

        def ends(timer: Timer) -> None:
            for index in self.agents:
                presence.release(presence.agents[index], self.reason)

        Timer(env, self.start_s, begins, None)
        Timer(env, self.end_s, ends, None)


@dataclass
class Probe:
    """Not a source of reasons: looks at the router's free agents and slots at given times."""

    times: list[float]
    seen: list[tuple[int, int, int]] = field(default_factory=list)

    def start(self, env: simpy.Environment, presence: Any) -> None:
        """Set a timer per probe time."""

        def probe(timer: Timer) -> None:
            group = presence.groups[0]
            idle = sum(agent.state.value == "idle" for agent in group.agents)
            router = presence.router
            self.seen.append((router.free_agents(group), router.free_slots(group), idle))

        for time in self.times:
            Timer(env, time, probe, None)


def presence_of(record: Any) -> list[tuple[int, float, float]]:
    """The on-duty periods ``(agent, start_s, end_s)``, by agent and start."""
    table = pd.DataFrame(record.presence).sort_values(["agent", "start_s"])
    return [(int(a), float(s), float(e)) for a, s, e in table[["agent", "start_s", "end_s"]].values]


def plan_scenario(make_scenario: ScenarioFactory, counts: list[int]) -> Any:
    """One queue (handle 300 s, no abandons) and a group of 3 following an hourly plan."""
    return make_scenario(
        [queue("a", handle_s=300)],
        [{"name": "g", "staffing": {"interval": "1h", "counts": counts}, "skills": ["a"]}],
        horizon="3h",
    )


def test_plan_and_meeting_compose(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Plan 3, 1, 3 agents per hour; agents 0 and 1 in a meeting from 0:30 to 1:30.

    - 0:28:20 (1700 s) a contact goes to agent 0 (longest idle) and talks to 2000 s;
    - 0:30 the meeting starts: agent 1 (idle) leaves at once, agent 0 after its talk (2000 s);
    - 1:00 the plan drops to 1: it unrosters the idle agent 2, then agent 1 (away
      for the meeting), and keeps agent 0, who is in the meeting: nobody is present;
    - 1:06:40 (4000 s) a contact arrives and waits;
    - 1:30 the meeting ends: agent 0 (rostered) comes back and answers it; agent 1
      stays off (not rostered);
    - 2:00 the plan rosters 3 again: agents 1 and 2 come on.
    """
    script_arrivals({"a": [1700, 4000]})
    scenario = plan_scenario(make_scenario, [3, 1, 3])
    record = run_replication(scenario, 0, presence=[Meeting([0, 1], 1800, 5400)])
    assert presence_of(record) == [
        (0, 0.0, 2000.0),
        (0, 5400.0, 10800.0),
        (1, 0.0, 1800.0),
        (1, 7200.0, 10800.0),
        (2, 0.0, 3600.0),
        (2, 7200.0, 10800.0),
    ]
    table = table_of(scenario, record)
    assert_log(
        table,
        [
            ("a", 1700, "answered", 1700, 2000, 0),
            ("a", 4000, "answered", 5400, 5700, 1400),
        ],
    )
    assert table["agent"].tolist() == [0, 0]


def test_without_the_second_source_the_plan_alone_decides(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """The same plan and contacts without the meeting: the plan's counts, busy agents last."""
    script_arrivals({"a": [1700, 4000]})
    scenario = plan_scenario(make_scenario, [3, 1, 3])
    record = run_replication(scenario, 0)
    assert presence_of(record) == [
        (0, 0.0, 3600.0),  # idle again since 2000 s: the most recently idle leaves first
        (0, 7200.0, 10800.0),
        (1, 0.0, 10800.0),
        (2, 0.0, 3600.0),
        (2, 7200.0, 10800.0),
    ]
    assert_log(
        run(scenario),
        [
            ("a", 1700, "answered", 1700, 2000, 0),
            ("a", 4000, "answered", 4000, 4300, 0),
        ],
    )


def test_a_busy_agent_finishes_its_contact_before_the_meeting(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """The meeting starts while the only agent talks: it leaves at the end of the talk."""
    script_arrivals({"a": [100, 200]})
    scenario = make_scenario([queue("a", handle_s=300)], [group("g", ["a"])], horizon=2000)
    record = run_replication(scenario, 0, presence=[Meeting([0], 150, 1000)])
    assert presence_of(record) == [(0, 0.0, 400.0), (0, 1000.0, 2000.0)]
    assert_log(
        table_of(scenario, record),
        [
            ("a", 100, "answered", 100, 400, 0),
            ("a", 200, "answered", 1000, 1300, 800),
        ],
    )


def test_a_meeting_of_an_unrostered_agent_changes_nothing_until_it_is_rostered(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Plan 1, 2: agent 1 is rostered at 1:00 but in a meeting until 1:30; it comes at 1:30."""
    script_arrivals({})
    scenario = make_scenario(
        [queue("a")],
        [{"name": "g", "staffing": {"interval": "1h", "counts": [1, 2]}, "skills": ["a"]}],
        horizon="2h",
    )
    record = run_replication(scenario, 0, presence=[Meeting([1], 1800, 5400)])
    assert presence_of(record) == [(0, 0.0, 7200.0), (1, 5400.0, 7200.0)]


def test_the_router_counts_the_free_agents_of_the_composed_presence(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """The scenario of the first test, probed: free agents and slots as the router counts them.

    At 1750 s agent 0 talks (2 free); 1900 s agent 1 is in the meeting and
    agent 0 talks (1); 3700 s nobody is present (0); 5500 s agent 0 talks to
    the waiting contact (0); 7300 s all three are present and idle (3).
    """
    script_arrivals({"a": [1700, 4000]})
    probe = Probe([1750, 1900, 3700, 5500, 7300])
    meeting = Meeting([0, 1], 1800, 5400)
    run_replication(plan_scenario(make_scenario, [3, 1, 3]), 0, presence=[meeting, probe])
    assert probe.seen == [(2, 2, 2), (1, 1, 1), (0, 0, 0), (0, 0, 0), (3, 3, 3)]


def test_a_break_during_a_meeting_the_states_follow_the_precedence(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Agent 0 (of 2, plan 2 then 1): a meeting 1000-3000 s and a break 2000-4000 s.

    Off duty > away > on break: away at 1000 s, still away at 2000 s (the
    break as well), on break at 3000 s, present at 4000 s; at 5400 s the plan
    drops to one agent and unrosters the idle agent 0 (the most recently
    idle): off duty. Every step is one the agent checker allows.
    """
    script_arrivals({"a": [100]})
    scenario = make_scenario(
        [queue("a", handle_s=300)],
        [{"name": "g", "staffing": {"interval": "90min", "counts": [2, 1]}, "skills": ["a"]}],
        horizon="3h",
    )
    trace: list[Any] = []
    sources = [Meeting([0], 1000, 3000), Meeting([0], 2000, 4000, kind=Reason.ON_BREAK)]
    run_replication(scenario, 0, agent_trace=trace, presence=sources)
    steps = [
        (time, before.value, after.value)
        for time, agent, before, after in trace
        if agent.index == 0
    ]
    assert steps == [
        (0.0, "off_duty", "idle"),
        (100.0, "idle", "busy"),
        (400.0, "busy", "idle"),
        (1000.0, "idle", "away"),
        (3000.0, "away", "on_break"),
        (4000.0, "on_break", "idle"),
        (5400.0, "idle", "off_duty"),
    ]
    assert {(before, after) for _, before, after in steps} <= ALLOWED
