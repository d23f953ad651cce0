"""The shift calendar: shifts, breaks and outages of the scenario in seconds of the run.

Every expectation is computed independently of ``simcenter.rota`` and
``simcenter.clock``: wall-clock times are localised with pandas
(``Timestamp.tz_localize``) and subtracted from the localised scenario start.
The daylight-saving days are those of 2026: Europe/Berlin on 29 March and
25 October, America/New_York on 8 March and 1 November.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from simcenter.agents import agent_names, group_size, staffing_changes
from simcenter.clock import ScenarioClock
from simcenter.records import run_meta
from simcenter.rota import BreakTime, OutageTime, ShiftTime, outage_times, shift_times
from simcenter.scenario import Scenario, build_scenario

HOUR = 3600.0
DAY = 86_400.0


def _scenario(group: dict[str, Any], **top: Any) -> Scenario:
    return build_scenario(
        {
            "name": "calendar",
            "queues": [
                {
                    "name": "q",
                    "arrivals": {"rate": "60/h"},
                    "handle_time": {"distribution": "exponential", "mean": "4min"},
                }
            ],
            "agents": [{"name": "team", "skills": ["q"], **group}],
            **top,
        }
    )


def _shifts(scenario: Scenario, group: int = 0) -> list[ShiftTime]:
    return shift_times(group, scenario.agents[group], scenario.start_at, scenario.end_s)


def _seconds(scenario: Scenario, local: str, zone: str | None = None) -> float:
    """Seconds from the scenario start to wall-clock ``local`` in ``zone`` (pandas)."""
    origin = pd.Timestamp(scenario.start).tz_localize(scenario.timezone)
    moment = pd.Timestamp(local).tz_localize(
        zone or scenario.timezone, ambiguous=True, nonexistent="shift_forward"
    )
    return (moment - origin).total_seconds()


def _local(scenario: Scenario, seconds: float, zone: str | None = None) -> pd.Timestamp:
    origin = pd.Timestamp(scenario.start).tz_localize(scenario.timezone)
    return (origin + pd.Timedelta(seconds=seconds)).tz_convert(zone or scenario.timezone)


# --- an ordinary week -------------------------------------------------------------------


def test_a_weekday_shift_occurs_on_each_weekday_of_an_ordinary_week() -> None:
    scenario = _scenario(
        {
            "shifts": [
                {
                    "start": "08:00",
                    "end": "16:30",
                    "count": 3,
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                }
            ]
        },
        start="2026-01-05T00:00",
        timezone="Europe/Berlin",
        horizon="7d",
    )
    dates = [date(2026, 1, 5) + timedelta(days=offset) for offset in range(5)]
    assert _shifts(scenario) == [
        ShiftTime(
            group=0,
            shift=0,
            day=offset,
            start_s=_seconds(scenario, f"{day} 08:00"),
            end_s=_seconds(scenario, f"{day} 16:30"),
            first_agent=0,
            count=3,
        )
        for offset, day in enumerate(dates)
    ]


def test_occurrences_of_several_shifts_come_in_time_order() -> None:
    scenario = _scenario(
        {
            "shifts": [
                {"name": "late", "start": "14:00", "end": "22:00", "count": 2},
                {"name": "early", "start": "06:00", "end": "14:00", "count": 2},
            ]
        },
        horizon="3d",
    )
    occurrences = _shifts(scenario)
    assert [occurrence.shift for occurrence in occurrences] == [1, 0] * 3
    starts = [occurrence.start_s for occurrence in occurrences]
    assert starts == sorted(starts)
    assert [occurrence.first_agent for occurrence in occurrences[:2]] == [2, 0]


# --- daylight saving ----------------------------------------------------------------------

CHANGES = [
    # zone, the Saturday before the change, real hours of 22:00-06:00 across it
    ("Europe/Berlin", "2026-03-28", 7.0),
    ("Europe/Berlin", "2026-10-24", 9.0),
    ("America/New_York", "2026-03-07", 7.0),
    ("America/New_York", "2026-10-31", 9.0),
]


@pytest.mark.parametrize(("zone", "saturday", "hours"), CHANGES)
def test_a_night_shift_across_the_change_keeps_its_wall_clock_hours(
    zone: str, saturday: str, hours: float
) -> None:
    scenario = _scenario(
        {"shifts": [{"start": "22:00", "end": "06:00", "count": 2, "days": ["sat"]}]},
        start=f"{saturday}T12:00",
        timezone=zone,
        horizon="1d",
    )
    (night,) = _shifts(scenario)
    sunday = (pd.Timestamp(saturday) + pd.Timedelta(days=1)).date()
    assert night.day == 0
    assert night.start_s == _seconds(scenario, f"{saturday} 22:00")
    assert night.end_s == _seconds(scenario, f"{sunday} 06:00")
    assert night.end_s - night.start_s == hours * HOUR
    assert _local(scenario, night.end_s).strftime("%Y-%m-%d %H:%M") == f"{sunday} 06:00"


@pytest.mark.parametrize(("zone", "saturday", "hours"), CHANGES)
def test_a_day_shift_on_the_change_day_keeps_its_wall_clock_hours(
    zone: str, saturday: str, hours: float
) -> None:
    scenario = _scenario(
        {"shifts": [{"start": "08:00", "end": "16:30", "count": 2, "days": ["sun"]}]},
        start=f"{saturday}T00:00",
        timezone=zone,
        horizon="2d",
    )
    (day_shift,) = _shifts(scenario)
    sunday = (pd.Timestamp(saturday) + pd.Timedelta(days=1)).date()
    assert day_shift.day == 1
    assert day_shift.end_s - day_shift.start_s == 8.5 * HOUR
    assert _local(scenario, day_shift.start_s).strftime("%Y-%m-%d %H:%M") == f"{sunday} 08:00"
    assert _local(scenario, day_shift.end_s).strftime("%Y-%m-%d %H:%M") == f"{sunday} 16:30"
    assert day_shift.start_s == _seconds(scenario, f"{sunday} 08:00")
    # the clocks changed that night: 08:00 is an hour earlier or later than 32 h after the start
    assert day_shift.start_s == DAY + 8 * HOUR + (hours - 8) * HOUR


def test_breaks_on_the_spring_change_day() -> None:
    """At 02:00 (skipped) means the instant of the change; ``after`` counts real hours.

    A break due after the end of the shortened shift is left out.
    """
    scenario = _scenario(
        {
            "shifts": [
                {
                    "start": "22:00",
                    "end": "06:00",
                    "count": 1,
                    "days": ["sat"],
                    "breaks": [
                        {"at": "02:30", "duration": "20min"},
                        {"after": "5h", "duration": "15min"},
                        {"after": "450min", "duration": "15min"},
                    ],
                }
            ]
        },
        start="2026-03-28T12:00",
        timezone="Europe/Berlin",
    )
    (night,) = _shifts(scenario)
    assert night.breaks == (
        BreakTime(_seconds(scenario, "2026-03-29 02:30"), 1200.0),
        BreakTime(night.start_s + 5 * HOUR, 900.0),
    )
    assert _local(scenario, night.breaks[0].start_s).strftime("%H:%M") == "03:00"


# --- which day a shift belongs to -----------------------------------------------------------


def test_a_shift_across_midnight_belongs_to_the_day_it_starts() -> None:
    scenario = _scenario(
        {
            "shifts": [
                {
                    "start": "22:00",
                    "end": "06:00",
                    "count": 2,
                    "days": ["fri"],
                    "breaks": [
                        {"at": "23:00", "duration": "15min"},
                        {"at": "02:00", "duration": "30min"},
                    ],
                }
            ]
        },
        start="2026-01-05T00:00",
        horizon="14d",
    )
    occurrences = _shifts(scenario)
    assert [occurrence.day for occurrence in occurrences] == [4, 11]
    for occurrence in occurrences:
        begin, end = _local(scenario, occurrence.start_s), _local(scenario, occurrence.end_s)
        assert (begin.day_name(), begin.strftime("%H:%M")) == ("Friday", "22:00")
        assert (end.day_name(), end.strftime("%H:%M")) == ("Saturday", "06:00")
        friday = begin.date()
        assert occurrence.breaks == (
            BreakTime(_seconds(scenario, f"{friday} 23:00"), 900.0),
            BreakTime(_seconds(scenario, f"{friday + timedelta(days=1)} 02:00"), 1800.0),
        )


def test_a_weekend_shift_occurs_only_on_saturday_and_sunday() -> None:
    scenario = _scenario(
        {"shifts": [{"start": "09:00", "end": "17:00", "count": 1, "days": ["sat", "sun"]}]},
        start="2026-01-05T00:00",
        timezone="Europe/Berlin",
        horizon="21d",
    )
    occurrences = _shifts(scenario)
    assert len(occurrences) == 6
    assert {_local(scenario, o.start_s).day_name() for o in occurrences} == {"Saturday", "Sunday"}
    assert [o.day for o in occurrences] == [5, 6, 12, 13, 19, 20]


def test_a_shift_in_another_zone_than_the_scenarios() -> None:
    """Monday 20:00 in New York is Tuesday 01:00 in UTC: the shift still belongs to Monday."""
    scenario = _scenario(
        {
            "shifts": [
                {
                    "start": "20:00",
                    "end": "23:00",
                    "count": 1,
                    "days": ["mon"],
                    "timezone": "America/New_York",
                    "breaks": [{"at": "21:00", "duration": "10min"}],
                }
            ]
        },
        start="2026-01-05T00:00",
        timezone="UTC",
        horizon="9d",
    )
    first, second = _shifts(scenario)
    assert (first.day, second.day) == (0, 7)
    assert first.start_s == _seconds(scenario, "2026-01-05 20:00", "America/New_York")
    assert first.start_s == 25 * HOUR  # 01:00 UTC on Tuesday
    assert first.end_s == _seconds(scenario, "2026-01-05 23:00", "America/New_York")
    assert first.breaks == (
        BreakTime(_seconds(scenario, "2026-01-05 21:00", "America/New_York"), 600.0),
    )


# --- a run that starts mid-shift ------------------------------------------------------------


def test_a_run_starting_mid_shift_includes_the_running_occurrence() -> None:
    scenario = _scenario(
        {"shifts": [{"start": "08:00", "end": "16:30", "count": 2, "days": ["mon", "tue"]}]},
        start="2026-01-05T10:00",
        timezone="Europe/Berlin",
        horizon="1d",
    )
    first, second = _shifts(scenario)
    assert (first.day, first.start_s, first.end_s) == (0, -2 * HOUR, 6.5 * HOUR)
    assert (second.day, second.start_s) == (1, 22 * HOUR)


def test_a_night_shift_of_the_day_before_the_run_is_included() -> None:
    scenario = _scenario(
        {"shifts": [{"start": "22:00", "end": "06:00", "count": 2}]},
        start="2026-01-05T02:00",
        horizon="1d",
    )
    occurrences = _shifts(scenario)
    assert [(o.day, o.start_s, o.end_s) for o in occurrences] == [
        (-1, -4 * HOUR, 4 * HOUR),
        (0, 20 * HOUR, 28 * HOUR),
    ]


def test_occurrences_that_ended_before_the_run_or_start_after_it_are_left_out() -> None:
    scenario = _scenario(
        {"shifts": [{"start": "08:00", "end": "09:00", "count": 2}]},
        start="2026-01-05T09:00",
        horizon="23h",
    )
    assert _shifts(scenario) == []


# --- agents and their names -----------------------------------------------------------------


def test_shift_agents_follow_the_count_agents_and_are_named_after_their_shift() -> None:
    scenario = _scenario(
        {
            "count": 2,
            "shifts": [
                {"name": "early", "start": "06:00", "end": "14:00", "count": 2},
                {"start": "14:00", "end": "22:00", "count": 1},
            ],
        }
    )
    group = scenario.agents[0]
    expected = ["team-001", "team-002", "team-early-001", "team-early-002", "team-shift2-001"]
    assert group_size(group) == 5
    assert agent_names(group) == expected
    assert list(run_meta(scenario).agent_names) == expected
    assert [(o.shift, o.first_agent, o.count) for o in _shifts(scenario)] == [(0, 2, 2), (1, 4, 1)]


def test_staffing_agents_come_first_with_their_peak() -> None:
    scenario = _scenario(
        {
            "staffing": {"interval": "1h", "start": "08:00", "days": {"mon": [1, 3], "sat": [4]}},
            "shifts": [{"name": "night", "start": "22:00", "end": "06:00", "count": 2}],
        }
    )
    group = scenario.agents[0]
    assert group_size(group) == 6
    assert agent_names(group)[3:] == ["team-004", "team-night-001", "team-night-002"]
    assert {o.first_agent for o in _shifts(scenario)} == {4}


# --- per-weekday staffing -------------------------------------------------------------------


def test_per_weekday_staffing_uses_each_days_counts() -> None:
    scenario = _scenario(
        {"staffing": {"interval": "1h", "start": "08:00", "days": {"mon": [2, 4], "sat": [1]}}},
        start="2026-01-05T00:00",  # a Monday
        horizon="7d",
    )
    changes = list(
        staffing_changes(scenario.agents[0], ScenarioClock(scenario.start_at), scenario.end_s)
    )
    saturday = 5 * DAY
    assert changes == [
        (0.0, 0),
        (8 * HOUR, 2),
        (9 * HOUR, 4),
        (10 * HOUR, 0),
        (saturday + 8 * HOUR, 1),
        (saturday + 9 * HOUR, 0),
    ]


def test_per_weekday_staffing_past_midnight_carries_into_the_next_day() -> None:
    """Sunday's plan from 22:00 runs into Monday; a run from Monday 00:00 starts inside it."""
    scenario = _scenario(
        {"staffing": {"interval": "1h", "start": "22:00", "days": {"sun": [1, 2, 3, 4]}}},
        start="2026-01-05T00:00",
        timezone="Europe/Berlin",
        horizon="8d",
    )
    changes = list(
        staffing_changes(scenario.agents[0], ScenarioClock(scenario.start_at), scenario.end_s)
    )
    sunday = _seconds(scenario, "2026-01-11 22:00")
    assert changes == [
        (0.0, 3),
        (HOUR, 4),
        (2 * HOUR, 0),
        (sunday, 1),
        (sunday + HOUR, 2),
        (sunday + 2 * HOUR, 3),
        (sunday + 3 * HOUR, 4),
        (sunday + 4 * HOUR, 0),
    ]


# --- outages --------------------------------------------------------------------------------


def test_outages_are_wall_clock_times_in_the_scenario_zone() -> None:
    scenario = _scenario(
        {
            "count": 5,
            "outages": [
                {"at": "2026-03-29T10:00", "duration": "1h", "agents": 2},
                {"at": "2026-03-28T10:00+00:00", "duration": "30min", "agents": 1},
                {"at": "2026-03-27T23:00", "duration": "2h", "agents": 3},
                {"at": "2026-03-27T20:00", "duration": "1h", "agents": 3},
                {"at": "2026-03-30T01:00", "duration": "1h", "agents": 4},  # at the end
            ],
        },
        start="2026-03-28T00:00",
        timezone="Europe/Berlin",
        horizon="2d",
    )
    group = scenario.agents[0]
    assert outage_times(0, group, scenario.start_at, scenario.end_s) == [
        OutageTime(0, -HOUR, 7200.0, 3),
        OutageTime(0, 11 * HOUR, 1800.0, 1),  # 10:00 UTC is 11:00 in Berlin in March
        OutageTime(0, _seconds(scenario, "2026-03-29 10:00"), 3600.0, 2),
    ]
    assert _seconds(scenario, "2026-03-29 10:00") == 33 * HOUR  # one hour skipped that night


# --- the resolved scenario -------------------------------------------------------------------


def test_a_scenario_with_shifts_reads_back_from_its_resolved_form() -> None:
    scenario = _scenario(
        {
            "count": 2,
            "shifts": [
                {
                    "name": "night",
                    "start": "22:00",
                    "end": "06:00",
                    "count": 3,
                    "days": ["sat", "sun"],
                    "timezone": "America/New_York",
                    "breaks": [
                        {"at": "02:00", "duration": "30min"},
                        {"after": "6h", "duration": "15min"},
                    ],
                },
                {"start": "00:00", "end": "24:00", "count": 1},
            ],
            "absence": {"probability": 0.05},
            "outages": [
                {"at": "2026-01-05T10:00", "duration": "1h", "agents": 5},
                {"at": "2026-01-06T10:00+01:00", "duration": "90s", "agents": 1},
            ],
            "cost_per_contact": 0.5,
            "overtime_factor": 1.25,
        },
        timezone="Europe/Berlin",
    )
    again = build_scenario(scenario.to_dict())
    assert again == scenario
    assert again.agents[0].shifts is not None
    assert again.agents[0].shifts[1].length_s == DAY
    assert again.agents[0].shifts[1].days == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
