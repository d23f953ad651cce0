"""Presence as composition: the staffing plan and a second presence source overlap.

The second source is test-only: a "meeting" that keeps given agents away
over a given period, through the same two calls any source uses
(``Centre.keep_away`` and ``Centre.release``). An agent is present exactly
when neither source keeps it away, and a busy agent finishes its contact
first. Times are whole seconds, so the expected event log is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from scripted import ArrivalScript, ScenarioFactory, assert_log, group, queue, run, table_of

from simcenter.centre import Centre
from simcenter.engine import run_replication
from simcenter.timer import Timer

Meeting = Callable[[list[int], float, float], None]


@pytest.fixture
def meeting(monkeypatch: pytest.MonkeyPatch) -> Meeting:
    """Add a presence source to the next runs: agents (by index) away from ``start`` to ``end``."""

    def add(agents: list[int], start: float, end: float) -> None:
        original = Centre.__init__

        def init(self: Centre, *args: Any, **keys: Any) -> None:
            original(self, *args, **keys)

            def begins(timer: Timer) -> None:
                for index in agents:
                    self.keep_away(self.agents[index], "meeting")

            def ends(timer: Timer) -> None:
                for index in agents:
                    self.release(self.agents[index], "meeting")

            Timer(self.env, start, begins, None)
            Timer(self.env, end, ends, None)

        monkeypatch.setattr(Centre, "__init__", init)

    return add


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
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript, meeting: Meeting
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
    meeting([0, 1], 1800, 5400)
    scenario = plan_scenario(make_scenario, [3, 1, 3])
    record = run_replication(scenario, 0)
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
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript, meeting: Meeting
) -> None:
    """The meeting starts while the only agent talks: it leaves at the end of the talk."""
    script_arrivals({"a": [100, 200]})
    meeting([0], 150, 1000)
    scenario = make_scenario([queue("a", handle_s=300)], [group("g", ["a"])], horizon=2000)
    record = run_replication(scenario, 0)
    assert presence_of(record) == [(0, 0.0, 400.0), (0, 1000.0, 2000.0)]
    assert_log(
        table_of(scenario, record),
        [
            ("a", 100, "answered", 100, 400, 0),
            ("a", 200, "answered", 1000, 1300, 800),
        ],
    )


def test_a_meeting_of_an_unrostered_agent_changes_nothing_until_it_is_rostered(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript, meeting: Meeting
) -> None:
    """Plan 1, 2: agent 1 is rostered at 1:00 but in a meeting until 1:30; it comes at 1:30."""
    script_arrivals({})
    meeting([1], 1800, 5400)
    scenario = make_scenario(
        [queue("a")],
        [{"name": "g", "staffing": {"interval": "1h", "counts": [1, 2]}, "skills": ["a"]}],
        horizon="2h",
    )
    record = run_replication(scenario, 0)
    assert presence_of(record) == [(0, 0.0, 7200.0), (1, 5400.0, 7200.0)]


def test_the_router_counts_the_free_agents_of_the_composed_presence(
    make_scenario: ScenarioFactory,
    script_arrivals: ArrivalScript,
    meeting: Meeting,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The scenario of the first test, probed: free agents and slots as the router counts them.

    At 1750 s agent 0 talks (2 free); 1900 s agent 1 is in the meeting and
    agent 0 talks (1); 3700 s nobody is present (0); 5500 s agent 0 talks to
    the waiting contact (0); 7300 s all three are present and idle (3).
    """
    script_arrivals({"a": [1700, 4000]})
    meeting([0, 1], 1800, 5400)
    probes: list[tuple[int, int, int]] = []
    with_meeting = Centre.__init__

    def init(self: Centre, *args: Any, **keys: Any) -> None:
        with_meeting(self, *args, **keys)

        def probe(timer: Timer) -> None:
            group = self.groups[0]
            idle = sum(agent.state.value == "idle" for agent in group.agents)
            probes.append((self.router.free_agents(group), self.router.free_slots(group), idle))

        for time in (1750, 1900, 3700, 5500, 7300):
            Timer(self.env, time, probe, None)

    monkeypatch.setattr(Centre, "__init__", init)
    run_replication(plan_scenario(make_scenario, [3, 1, 3]), 0)
    assert probes == [(2, 2, 2), (1, 1, 1), (0, 0, 0), (0, 0, 0), (3, 3, 3)]
