"""Tests of staffing plans: when agents come on and off duty, and what they do meanwhile.

``staffing_changes`` is checked against times computed independently with
``zoneinfo`` (wall-clock times stay put across daylight-saving changes). In
simulations, the agents' on-duty periods (``record.presence``) must add up to
the planned agent-hours, and an agent whose count drops while busy finishes its
contact and wrap-up first.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from simcenter.agents import staffing_changes
from simcenter.clock import ScenarioClock
from simcenter.engine import run_replication
from simcenter.records import OUTCOME_CODE
from simcenter.scenario import Scenario

HOUR = 3600.0
DAY = 86_400.0
WEEK = 7 * DAY
HANDLE = {"distribution": "constant", "mean": "25min"}

ScenarioFactory = Callable[..., Scenario]
"""The ``make_scenario`` fixture (tests/conftest.py)."""


def plan_scenario(
    make_scenario: ScenarioFactory, staffing: dict[str, Any], **keys: Any
) -> Scenario:
    """One queue without arrivals and one group following ``staffing``."""
    return make_scenario(
        [{"name": "a", "arrivals": {"rate": 0}, "handle_time": HANDLE}],
        [{"name": "g", "staffing": staffing, "skills": ["a"]}],
        **keys,
    )


def changes_of(scenario: Scenario) -> list[tuple[float, int]]:
    """The group's staffing changes over the scenario's whole run."""
    clock = ScenarioClock(scenario.start_at)
    return list(staffing_changes(scenario.agents[0], clock, scenario.end_s))


def count_at(changes: list[tuple[float, int]], time_s: float) -> int:
    """The on-duty count the changes prescribe at ``time_s``."""
    times = [time for time, _ in changes]
    return changes[bisect.bisect_right(times, time_s) - 1][1]


def elapsed_seconds(start: datetime, day: int, hour: float) -> float:
    """Elapsed seconds from ``start`` to wall-clock ``hour`` on local day ``day`` (through UTC)."""
    date = start.date() + timedelta(days=day)
    wall = datetime(date.year, date.month, date.day, tzinfo=start.tzinfo) + timedelta(hours=hour)
    return wall.timestamp() - start.timestamp()


# --- staffing_changes ------------------------------------------------------------


def test_daily_plan_changes_at_the_same_times_every_day(make_scenario: ScenarioFactory) -> None:
    """08:00 2, 08:30 3, 09:00 1, 09:30 off, on each of three days (UTC)."""
    staffing = {"interval": "30min", "start": "08:00", "counts": [2, 3, 1]}
    scenario = plan_scenario(make_scenario, staffing, horizon="3d")
    expected = [(0.0, 0)]
    for day in range(3):
        base = day * DAY
        expected += [(base + 8 * HOUR, 2), (base + 8.5 * HOUR, 3), (base + 9 * HOUR, 1)]
        expected += [(base + 9.5 * HOUR, 0)]
    assert changes_of(scenario) == expected


@pytest.mark.parametrize(
    "first_day",
    ["2026-03-28", "2026-10-24"],  # the Sundays after are 23 h and 25 h long in Berlin
)
def test_plan_keeps_wall_clock_times_across_a_daylight_saving_change(
    make_scenario: ScenarioFactory, first_day: str
) -> None:
    """In Europe/Berlin 08:00 stays 08:00 local time on the days after the clocks change."""
    staffing = {"interval": "1h", "start": "08:00", "counts": [4, 2]}
    scenario = plan_scenario(
        make_scenario, staffing, horizon="3d", timezone="Europe/Berlin", start=first_day
    )
    start = datetime.fromisoformat(first_day).replace(tzinfo=ZoneInfo("Europe/Berlin"))
    expected = [(0.0, 0)]
    for day in range(3):
        expected += [
            (elapsed_seconds(start, day, hour), count) for hour, count in [(8, 4), (9, 2), (10, 0)]
        ]
    assert changes_of(scenario) == expected
    day_lengths = {expected[4][0] - expected[1][0], expected[7][0] - expected[4][0]}
    assert day_lengths == {DAY, DAY + (-HOUR if first_day.endswith("28") else HOUR)}


def test_weekly_plan_repeats_every_week(make_scenario: ScenarioFactory) -> None:
    """A plan of 7 x 24 hourly counts (day d: d+1 agents from 09:00 to 17:00) repeats weekly."""
    counts = [day + 1 if 9 <= hour < 17 else 0 for day in range(7) for hour in range(24)]
    staffing = {"interval": "1h", "start": "00:00", "counts": counts}
    scenario = plan_scenario(make_scenario, staffing, horizon="14d")
    changes = changes_of(scenario)
    assert changes[0] == (0.0, 0)
    for hour in range(14 * 24):
        assert count_at(changes, hour * HOUR + 1800) == counts[hour % len(counts)], hour
    assert [time for time, _ in changes if time >= WEEK] == [
        time + WEEK for time, _ in changes if 0 < time < WEEK
    ]


def test_plan_crossing_midnight_repeats_daily(make_scenario: ScenarioFactory) -> None:
    """A night plan 22:00-02:00 spans 4 hours, so it repeats daily.

    The run starts at midnight inside the previous night's repetition: one
    agent is on duty from time 0 until 02:00.
    """
    staffing = {"interval": "1h", "start": "22:00", "counts": [1, 1, 1, 1]}
    scenario = plan_scenario(make_scenario, staffing, horizon="3d")
    expected = [(0.0, 1)]
    for day in range(3):
        expected += [(day * DAY + 2 * HOUR, 0), (day * DAY + 22 * HOUR, 1)]
    assert changes_of(scenario) == expected


def test_run_starting_inside_the_plan_starts_with_the_current_count(
    make_scenario: ScenarioFactory,
) -> None:
    """A run starting at 09:15 in a plan from 08:00 (30-min counts 5, 1, 2, 3, 4) starts with 2."""
    staffing = {"interval": "30min", "start": "08:00", "counts": [5, 1, 2, 3, 4]}
    scenario = plan_scenario(make_scenario, staffing, horizon="4h", start="2026-01-05T09:15")
    changes = changes_of(scenario)
    assert count_at(changes, 0.0) == 2
    assert [change for change in changes if change[0] > 0] == [(900.0, 3), (2700.0, 4), (4500.0, 0)]


def test_run_starting_inside_the_plan_has_no_empty_on_duty_periods(
    make_scenario: ScenarioFactory,
) -> None:
    """Agents who were never really on duty leave no on-duty period of zero length."""
    staffing = {"interval": "30min", "start": "08:00", "counts": [5, 1, 2, 3, 4]}
    scenario = plan_scenario(make_scenario, staffing, horizon="4h", start="2026-01-05T09:15")
    times = [time for time, _ in changes_of(scenario)]
    assert times == sorted(set(times))
    presence = pd.DataFrame(run_replication(scenario).presence)
    assert (presence["end_s"] > presence["start_s"]).all()


def test_half_hour_plan_changes_stay_in_time_order_on_the_spring_forward_day(
    make_scenario: ScenarioFactory,
) -> None:
    """Half-hourly counts 1-6 from 01:00 in Europe/Berlin on 29 March 2026 (02:00-03:00 skipped).

    The changes must be in time order, and from 03:00 local time (2 h after
    the start) the 03:00 count (5) must apply.
    """
    staffing = {"interval": "30min", "start": "01:00", "counts": [1, 2, 3, 4, 5, 6]}
    scenario = plan_scenario(
        make_scenario, staffing, horizon="1d", timezone="Europe/Berlin", start="2026-03-29"
    )
    changes = changes_of(scenario)
    times = [time for time, _ in changes]
    assert times == sorted(times)
    assert count_at(changes, 2 * HOUR + 60) == 5


# --- presence in a simulation ------------------------------------------------------


def presence_table(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Contacts, on-duty periods and end of the run of one replication."""
    record = run_replication(scenario)
    return pd.DataFrame(record.contacts), pd.DataFrame(record.presence), record.end_s


@pytest.mark.parametrize("closing", ["drain", "clear", "stop"])
def test_presence_adds_up_to_the_planned_agent_hours(
    make_scenario: ScenarioFactory, closing: str
) -> None:
    """Without contacts, agents are on duty exactly as planned, interval by interval."""
    counts = [2, 5, 3, 0, 4, 4, 1]
    staffing = {"interval": "30min", "start": "08:00", "counts": counts}
    scenario = plan_scenario(make_scenario, staffing, horizon="2d", closing=closing)
    contacts, presence, _ = presence_table(scenario)
    assert contacts.empty
    on_duty = (presence["end_s"] - presence["start_s"]).sum()
    assert on_duty == 2 * sum(counts) * 1800
    for day in range(2):
        for index, count in enumerate(counts):
            middle = day * DAY + 8 * HOUR + (index + 0.5) * 1800
            present = (presence["start_s"] <= middle) & (presence["end_s"] > middle)
            assert present.sum() == count, (day, index)


def busy_drop_scenario(make_scenario: ScenarioFactory, closing: str) -> Scenario:
    """A busy queue (load about 8) and a plan that drops the count every half hour."""
    return make_scenario(
        [
            {
                "name": "a",
                "arrivals": {"rate": "20/min"},
                "handle_time": HANDLE,
                "wrap_up": {"distribution": "constant", "mean": "1min"},
                "patience": {"distribution": "exponential", "mean": "2min"},
            }
        ],
        [
            {
                "name": "g",
                "staffing": {"interval": "30min", "counts": [8, 3, 6, 0, 5, 1, 7, 2]},
                "skills": ["a"],
            }
        ],
        horizon="4h",
        closing=closing,
    )


@pytest.mark.parametrize("closing", ["drain", "clear", "stop"])
def test_agents_finish_their_contact_before_going_off_duty(
    make_scenario: ScenarioFactory, closing: str
) -> None:
    """When the count drops, busy agents stay until their talk and wrap-up end.

    No answered contact is cut short, every contact is served by an agent on
    duty for the whole talk and wrap-up (up to the end of the run), and an
    agent who leaves between plan boundaries leaves exactly when the wrap-up of
    its last contact ends.
    """
    scenario = busy_drop_scenario(make_scenario, closing)
    contacts, presence, end_of_run = presence_table(scenario)
    answered = contacts[contacts["outcome"] == OUTCOME_CODE["answered"]]
    assert (answered["handle_s"] == 25 * 60).all()
    assert (answered["wrap_s"] == 60).all()
    assert (answered["end_s"] == answered["answered_s"] + answered["handle_s"]).all()
    served = contacts[contacts["answered_s"].notna()]
    busy_until = np.minimum(served["end_s"].fillna(end_of_run) + served["wrap_s"], end_of_run)
    for agent, answered_s, until in zip(
        served["agent"], served["answered_s"], busy_until, strict=True
    ):
        periods = presence[presence["agent"] == agent]
        inside = (periods["start_s"] <= answered_s) & (periods["end_s"] >= until)
        assert inside.sum() == 1, (agent, answered_s, until)
    late = presence[(presence["end_s"] % 1800 != 0) & (presence["end_s"] < scenario.end_s)]
    assert len(late) > 5  # the plan did catch busy agents within the horizon
    wrap_ends = set(answered["end_s"] + answered["wrap_s"])
    assert set(late["end_s"]) <= wrap_ends


def test_on_duty_agents_follow_the_plan_apart_from_busy_leavers(
    make_scenario: ScenarioFactory,
) -> None:
    """At every interval's middle the planned agents are on duty, and no more of them idle.

    Agents beyond the plan are on duty only while finishing a contact.
    """
    scenario = busy_drop_scenario(make_scenario, "drain")
    counts = scenario.agents[0].staffing.counts
    contacts, presence, _ = presence_table(scenario)
    served = contacts[contacts["answered_s"].notna()]
    busy_until = served["end_s"] + served["wrap_s"]
    for index, count in enumerate(counts):
        middle = (index + 0.5) * 1800
        present = presence[(presence["start_s"] <= middle) & (presence["end_s"] > middle)]
        busy = served[(served["answered_s"] <= middle) & (busy_until > middle)]
        idle = set(present["agent"]) - set(busy["agent"])
        assert len(present) >= count, index
        assert len(idle) <= count, index
