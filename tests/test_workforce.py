"""Shift-based agents in the engine: coverage, breaks, absence, outages, cost, CRN.

Every expectation is computed independently of the engine and of
``simcenter.rota``: shift windows are localised with pandas
(``Timestamp.tz_localize``) and subtracted from the localised scenario
start; who is present when is read from the engine's agent trace (the event
log of every change of an agent's state); who is absent is drawn from the
documented stream ``absence/<agent name>`` (one uniform per occurrence).
The daylight-saving days are those of 2026: Europe/Berlin on 29 March and
25 October, America/New_York on 8 March and 1 November.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simcenter as sc
from simcenter.engine import run_replication
from simcenter.records import OUTCOME_CODE
from simcenter.scenario import Scenario, build_scenario
from simcenter.streams import stream

HOUR = 3600.0
PRESENT = {"idle", "busy", "wrap_up", "on_break"}
QUIET = {
    "name": "q",
    "arrivals": {"rate": "0.0001/h"},
    "handle_time": {"distribution": "constant", "mean": "1min"},
}
"""A queue with (almost surely) no contact: agents are present exactly when rostered."""


def _scenario(
    groups: list[dict[str, Any]], queue: dict[str, Any] | None = None, **top: Any
) -> Scenario:
    queue = queue or QUIET
    return build_scenario(
        {
            "name": "workforce",
            "queues": [queue],
            "agents": [{"skills": [queue["name"]], **group} for group in groups],
            **top,
        }
    )


def _seconds(scenario: Scenario, local: str, zone: str | None = None) -> float:
    """Seconds from the scenario start to wall-clock ``local`` in ``zone`` (pandas)."""
    origin = pd.Timestamp(scenario.start).tz_localize(scenario.timezone)
    moment = pd.Timestamp(local).tz_localize(zone or scenario.timezone)
    return (moment - origin).total_seconds()


def _edges(scenario: Scenario) -> np.ndarray:
    return np.arange(0.0, scenario.end_s + 1.0, scenario.interval)


def _overlap(windows: list[tuple[float, float, float]], edges: np.ndarray) -> np.ndarray:
    """Time-average of ``count`` over each interval, for windows ``(start, end, count)``."""
    out = np.zeros(len(edges) - 1)
    for start, end, count in windows:
        for index in range(len(out)):
            low, high = edges[index], edges[index + 1]
            out[index] += count * max(0.0, min(end, high) - max(start, low)) / (high - low)
    return out


def _periods(
    trace: list[Any], end_s: float, states: set[str]
) -> dict[str, list[tuple[float, float]]]:
    """Per agent name, its periods in ``states``, from the agent trace (all start off duty)."""
    current: dict[str, tuple[str, float]] = {}
    periods: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for time, agent, _, after in trace:
        state, since = current.get(agent.name, ("off_duty", 0.0))
        if state in states and time > since:
            periods[agent.name].append((since, time))
        current[agent.name] = (after.value, time)
    for name, (state, since) in current.items():
        if state in states and end_s > since:
            periods[name].append((since, end_s))
    return periods


def _traced(
    scenario: Scenario, replication: int = 0, seed: int | None = None
) -> tuple[Any, list[Any]]:
    trace: list[Any] = []
    record = run_replication(scenario, replication, seed, agent_trace=trace)
    return record, trace


def _level(
    trace: list[Any], end_s: float, states: set[str], edges: np.ndarray, prefix: str = ""
) -> np.ndarray:
    """Time-average number of agents (names starting with ``prefix``) in ``states`` per interval."""
    windows = [
        (start, end, 1.0)
        for name, spans in _periods(trace, end_s, states).items()
        if name.startswith(prefix)
        for start, end in spans
    ]
    return _overlap(windows, edges)


def _agent_intervals(scenario: Scenario, seed: int | None = None) -> pd.DataFrame:
    return sc.simulate(scenario, replications=1, seed=seed, jobs=1).agent_intervals


# --- coverage: scheduled agents per interval equal the plan --------------------------------

COVERAGE_CASES = {
    "ordinary-tuesday-berlin": (
        "Europe/Berlin",
        "2026-01-06T00:00",
        [
            {"name": "early", "start": "06:00", "end": "14:00", "count": 3},
            {"name": "late", "start": "14:00", "end": "22:30", "count": 2},
        ],
        [
            ("2026-01-06 06:00", "2026-01-06 14:00", 3),
            ("2026-01-06 14:00", "2026-01-06 22:30", 2),
        ],
    ),
    "berlin-spring-forward": (
        "Europe/Berlin",
        "2026-03-29T00:00",
        [
            {"name": "night", "start": "22:00", "end": "06:00", "count": 2},
            {"name": "day", "start": "08:00", "end": "16:00", "count": 4},
        ],
        [
            ("2026-03-28 22:00", "2026-03-29 06:00", 2),  # 7 real hours
            ("2026-03-29 08:00", "2026-03-29 16:00", 4),
            ("2026-03-29 22:00", "2026-03-30 06:00", 2),
        ],
    ),
    "berlin-fall-back": (
        "Europe/Berlin",
        "2026-10-25T00:00",
        [
            {"name": "night", "start": "22:00", "end": "06:00", "count": 2},
            {"name": "day", "start": "08:00", "end": "16:00", "count": 4},
        ],
        [
            ("2026-10-24 22:00", "2026-10-25 06:00", 2),  # 9 real hours
            ("2026-10-25 08:00", "2026-10-25 16:00", 4),
            ("2026-10-25 22:00", "2026-10-26 06:00", 2),
        ],
    ),
    "new-york-spring-forward": (
        "America/New_York",
        "2026-03-08T00:00",
        [
            {"name": "night", "start": "23:00", "end": "07:00", "count": 3},
            {"name": "day", "start": "09:00", "end": "17:30", "count": 5},
        ],
        [
            ("2026-03-07 23:00", "2026-03-08 07:00", 3),
            ("2026-03-08 09:00", "2026-03-08 17:30", 5),
            ("2026-03-08 23:00", "2026-03-09 07:00", 3),
        ],
    ),
    "new-york-fall-back": (
        "America/New_York",
        "2026-11-01T00:00",
        [
            {"name": "night", "start": "23:00", "end": "07:00", "count": 3},
            {"name": "day", "start": "09:00", "end": "17:30", "count": 5},
        ],
        [
            ("2026-10-31 23:00", "2026-11-01 07:00", 3),
            ("2026-11-01 09:00", "2026-11-01 17:30", 5),
            ("2026-11-01 23:00", "2026-11-02 07:00", 3),
        ],
    ),
}


@pytest.mark.parametrize("case", list(COVERAGE_CASES))
def test_scheduled_and_present_agents_per_interval_equal_the_plan(case: str) -> None:
    zone, start, shifts, windows = COVERAGE_CASES[case]
    scenario = _scenario(
        [{"name": "team", "count": 1, "shifts": shifts}],
        start=start,
        timezone=zone,
        horizon="1d",
        interval="30min",
        closing="stop",
    )
    edges = _edges(scenario)
    plan = [(0.0, scenario.end_s, 1.0)]  # the group's count agent
    plan += [(_seconds(scenario, a), _seconds(scenario, b), float(n)) for a, b, n in windows]
    expected = _overlap(plan, edges)

    record, trace = _traced(scenario)
    table = _agent_intervals(scenario)

    assert list(table["scheduled"]) == pytest.approx(expected, abs=1e-9)
    assert _level(trace, record.end_s, PRESENT, edges) == pytest.approx(expected, abs=1e-9)
    assert list(table["present"]) == pytest.approx(expected, abs=1e-9)


def test_a_weekend_shift_covers_saturday_and_sunday_only() -> None:
    scenario = _scenario(
        [
            {
                "name": "team",
                "shifts": [
                    {
                        "name": "weekend",
                        "start": "09:00",
                        "end": "17:00",
                        "count": 2,
                        "days": ["sat", "sun"],
                    }
                ],
            }
        ],
        start="2026-01-05T00:00",
        timezone="Europe/Berlin",
        horizon="7d",
        interval="1h",
        closing="stop",
    )
    edges = _edges(scenario)
    windows = [
        (
            _seconds(scenario, f"2026-01-{day} 09:00"),
            _seconds(scenario, f"2026-01-{day} 17:00"),
            2.0,
        )
        for day in (10, 11)
    ]
    expected = _overlap(windows, edges)
    record, trace = _traced(scenario)

    assert _level(trace, record.end_s, PRESENT, edges) == pytest.approx(expected, abs=1e-9)
    assert list(_agent_intervals(scenario)["scheduled"]) == pytest.approx(expected, abs=1e-9)
    assert expected.sum() == pytest.approx(2 * 2 * 8)  # two days, two agents, eight hours


def test_shift_agents_keep_their_names_in_the_agent_details() -> None:
    scenario = _scenario(
        [
            {
                "name": "team",
                "count": 1,
                "shifts": [{"name": "early", "start": "00:00", "end": "04:00", "count": 2}],
            }
        ],
        horizon="6h",
        closing="stop",
    )
    details = sc.simulate(scenario, replications=1, jobs=1).agent_details
    assert list(details["agent"]) == ["team-001", "team-early-001", "team-early-002"]
    assert list(details["staffed_h"]) == pytest.approx([6.0, 4.0, 4.0])


# --- absence ---------------------------------------------------------------------------------


def test_absence_lowers_mean_present_hours_by_the_factor_one_minus_p() -> None:
    """10 agents, 8 hours, p = 0.3: present hours per replication 80 × Binomial(10, 0.7) / 10."""
    p, replications = 0.3, 200
    scenario = _scenario(
        [
            {
                "name": "team",
                "absence": {"probability": p},
                "shifts": [{"name": "day", "start": "08:00", "end": "16:00", "count": 10}],
            }
        ],
        horizon="1d",
        closing="stop",
    )
    present = []
    for replication in range(replications):
        record = run_replication(scenario, replication, seed=7, contact_log=None)
        agents = record.tallies.agents
        present.append(agents.group_staffed_total_s[0] / HOUR)
        scheduled_h = agents.group_scheduled_s.sum() / HOUR
        absent_h = agents.group_absent_s.sum() / HOUR
        assert scheduled_h == pytest.approx(80.0)
        assert present[-1] + absent_h == pytest.approx(scheduled_h)  # absent = the rest, exactly
    mean = float(np.mean(present))
    half_width = 3.29 * float(np.std(present, ddof=1)) / math.sqrt(replications)  # 99.9 %
    assert abs(mean - 80.0 * (1 - p)) <= half_width
    assert half_width < 0.05 * 80.0 * (1 - p)  # the test can tell (1 - p) from 1 - p ± 5 %


def _absent_agents(seed: int, replication: int, names: list[str], p: float) -> set[str]:
    """Who misses the first occurrence of their shift: the documented stream, drawn here."""
    return {name for name in names if stream(seed, replication, f"absence/{name}").random() < p}


def test_absence_of_one_group_does_not_change_another_groups() -> None:
    def centre(p_first: float) -> Scenario:
        return _scenario(
            [
                {
                    "name": "first",
                    "absence": {"probability": p_first},
                    "shifts": [{"name": "day", "start": "08:00", "end": "16:00", "count": 8}],
                },
                {
                    "name": "second",
                    "absence": {"probability": 0.4},
                    "shifts": [{"name": "day", "start": "08:00", "end": "16:00", "count": 8}],
                },
            ],
            queue={
                "name": "q",
                "arrivals": {"rate": "120/h"},
                "handle_time": {"distribution": "constant", "mean": "3min"},
            },
            horizon="1d",
            closing="stop",
        )

    def came(scenario: Scenario) -> set[str]:
        _, trace = _traced(scenario, 0, seed=11)
        return {agent.name for _, agent, before, _ in trace if before.value == "off_duty"}

    low, high = came(centre(0.1)), came(centre(0.6))
    second = [f"second-day-{number:03d}" for number in range(1, 9)]
    expected_second = set(second) - _absent_agents(11, 0, second, 0.4)
    assert {name for name in low if name.startswith("second")} == expected_second
    assert {name for name in high if name.startswith("second")} == expected_second
    first = [f"first-day-{number:03d}" for number in range(1, 9)]
    assert {name for name in high if name.startswith("first")} == set(first) - _absent_agents(
        11, 0, first, 0.6
    )


# --- shifts, breaks, absence and an outage all overlapping ------------------------------------


def test_shifts_breaks_absence_and_an_outage_compose() -> None:
    """One count agent and a shift of 6 (break 12:00-12:30, absence 0.5); an outage of 2
    agents from 11:45 to 12:45. No contacts: every window is exact.

    The outage takes the two most recently idle agents: shift agents (on duty
    since 08:00, after the count agent), who are away rather than on their
    break; the other working shift agents take the break.
    """
    seed, p = 3, 0.5
    scenario = _scenario(
        [
            {
                "name": "team",
                "count": 1,
                "absence": {"probability": p},
                "shifts": [
                    {
                        "name": "day",
                        "start": "08:00",
                        "end": "16:00",
                        "count": 6,
                        "breaks": [{"at": "12:00", "duration": "30min"}],
                    }
                ],
                "outages": [{"at": "2026-01-05T11:45", "duration": "1h", "agents": 2}],
            }
        ],
        start="2026-01-05T00:00",
        horizon="1d",
        interval="15min",
        closing="stop",
        seed=seed,
    )
    names = [f"team-day-{number:03d}" for number in range(1, 7)]
    working = len(names) - len(_absent_agents(seed, 0, names, p))
    assert working >= 3  # the case this test is about (fixed by the seed)
    at = lambda clock: _seconds(scenario, f"2026-01-05 {clock}")  # noqa: E731
    edges = _edges(scenario)

    scheduled = _overlap([(0.0, scenario.end_s, 1.0), (at("08:00"), at("16:00"), 6.0)], edges)
    absent = _overlap([(at("08:00"), at("16:00"), float(6 - working))], edges)
    in_outage = _overlap([(at("11:45"), at("12:45"), 2.0)], edges)
    on_break = _overlap([(at("12:00"), at("12:30"), float(working - 2))], edges)
    present = scheduled - absent - in_outage

    record, trace = _traced(scenario)
    table = _agent_intervals(scenario, seed=seed)
    end = record.end_s
    assert list(table["scheduled"]) == pytest.approx(scheduled, abs=1e-9)
    assert list(table["absent"]) == pytest.approx(absent, abs=1e-9)
    assert list(table["in_outage"]) == pytest.approx(in_outage, abs=1e-9)
    assert list(table["on_break"]) == pytest.approx(on_break, abs=1e-9)
    assert list(table["present"]) == pytest.approx(present, abs=1e-9)
    assert _level(trace, end, {"away"}, edges) == pytest.approx(in_outage, abs=1e-9)
    assert _level(trace, end, {"on_break"}, edges) == pytest.approx(on_break, abs=1e-9)
    assert _level(trace, end, PRESENT, edges) == pytest.approx(present, abs=1e-9)
    assert table["overtime_h"].sum() == 0.0


def test_a_busy_agent_takes_its_outage_when_the_contact_ends() -> None:
    """One agent with a contact in hand at 00:30: its outage starts when the contact ends."""
    scenario = _scenario(
        [
            {
                "name": "team",
                "count": 1,
                "outages": [{"at": "2026-01-05T00:30", "duration": "1h", "agents": 1}],
            }
        ],
        queue={
            "name": "q",
            "arrivals": {"rate": "4/h"},
            "handle_time": {"distribution": "constant", "mean": "50min"},
        },
        start="2026-01-05T00:00",
        horizon="3h",
        closing="stop",
        seed=5,
    )
    record, trace = _traced(scenario)
    contacts = pd.DataFrame(record.contacts)
    busy = contacts[contacts["answered_s"].notna()]
    in_hand = busy[(busy["answered_s"] < 1800) & (busy["end_s"] > 1800)]
    assert len(in_hand) == 1  # the case this test is about (fixed by the seed)
    finish = float(in_hand["end_s"].iloc[0])
    away = _periods(trace, record.end_s, {"away"})["team-001"]
    assert away == [(pytest.approx(finish), pytest.approx(5400.0))]


# --- cost per interval ----------------------------------------------------------------------------


def test_cost_per_interval_is_presence_overtime_bonus_and_abandons() -> None:
    rate, factor, bonus, abandon_cost = 20.0, 1.5, 0.25, 2.0
    scenario = _scenario(
        [
            {
                "name": "team",
                "count": 1,
                "cost_per_hour": rate,
                "overtime_factor": factor,
                "cost_per_contact": bonus,
                "shifts": [
                    {
                        "name": "a",
                        "start": "01:00",
                        "end": "03:00",
                        "count": 3,
                        "breaks": [{"at": "02:00", "duration": "15min"}],
                    },
                    {"name": "b", "start": "02:30", "end": "04:10", "count": 2},
                ],
            }
        ],
        queue={
            "name": "q",
            "arrivals": {"rate": "150/h"},
            "abandon_cost": abandon_cost,
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "2min"},
        },
        start="2026-01-05T00:00",
        horizon="5h",
        interval="20min",
        closing="stop",
        seed=9,
    )
    record, trace = _traced(scenario)
    edges = _edges(scenario)
    end = record.end_s
    at = lambda clock: _seconds(scenario, f"2026-01-05 {clock}")  # noqa: E731
    rostered = {f"team-a-{n:03d}": (at("01:00"), at("03:00")) for n in (1, 2, 3)}
    rostered |= {f"team-b-{n:03d}": (at("02:30"), at("04:10")) for n in (1, 2)}
    present_windows, overtime_windows = [], []
    for name, spans in _periods(trace, end, PRESENT).items():
        for start, stop in spans:
            present_windows.append((start, stop, 1.0))
            if name in rostered:  # present past the shift's end
                shift_end = rostered[name][1]
                if stop > shift_end:
                    overtime_windows.append((max(start, shift_end), stop, 1.0))
    lengths_h = np.diff(edges) / HOUR
    present_h = _overlap(present_windows, edges) * lengths_h
    overtime_h = _overlap(overtime_windows, edges) * lengths_h
    contacts = pd.DataFrame(record.contacts)
    interval = np.searchsorted(edges, contacts["arrival_s"], side="right") - 1
    handled = (contacts["agent"] >= 0) & contacts["answered_s"].notna()
    handled &= contacts["outcome"] != OUTCOME_CODE["in_system"]
    handled_per = np.bincount(interval[handled], minlength=len(edges) - 1)
    abandoned = contacts["outcome"] == OUTCOME_CODE["abandoned"]
    abandons_per = np.bincount(interval[abandoned], minlength=len(edges) - 1)
    agent_part = present_h * rate + overtime_h * rate * (factor - 1) + handled_per * bonus
    expected_total = agent_part + abandons_per * abandon_cost
    assert overtime_h.sum() > 0  # the case this test is about: contacts past a shift's end
    assert abandons_per.sum() > 0

    results = sc.simulate(scenario, replications=1, jobs=1)
    table = results.agent_intervals
    assert list(table["cost"]) == pytest.approx(agent_part, rel=1e-9, abs=1e-9)
    assert list(table["overtime_h"]) == pytest.approx(overtime_h, abs=1e-9)
    queue_rows = results.intervals[results.intervals["queue"] == "q"]
    total = table["cost"].to_numpy() + queue_rows["abandoned"].to_numpy() * abandon_cost
    assert list(total) == pytest.approx(expected_total, rel=1e-9, abs=1e-9)
    agents = results.agents.iloc[0]
    assert agents["cost"] == pytest.approx(
        agents["present_h"] * rate
        + agents["overtime_h"] * rate * (factor - 1)
        + agents["contacts_handled"] * bonus,
        rel=1e-12,
    )
    assert agents["cost_per_contact_handled"] == pytest.approx(
        agents["cost"] / agents["contacts_handled"]
    )


# --- common random numbers ----------------------------------------------------------------------


def _first_time_draws(scenario: Scenario) -> list[tuple[float, float, float]]:
    """(arrival, patience, base handle time) of every first-time contact, in arrival order."""
    trace: list[Any] = []
    run_replication(scenario, 0, seed=21, trace=trace)
    contacts = {id(contact): contact for _, contact, _, _ in trace if contact.linked_id < 0}
    return sorted(
        (contact.arrival_s, contact.patience_s, contact.base_handle_s)
        for contact in contacts.values()
    )


def test_shifts_and_breaks_leave_every_contacts_draws_unchanged() -> None:
    def centre(shifts: list[dict[str, Any]]) -> Scenario:
        return _scenario(
            [{"name": "team", "count": 2, "shifts": shifts}],
            queue={
                "name": "q",
                "arrivals": {"rate": "90/h"},
                "handle_time": {"distribution": "exponential", "mean": "4min"},
                "patience": {"distribution": "exponential", "mean": "3min"},
            },
            horizon="6h",
            closing="stop",
        )

    plain = _first_time_draws(centre([{"start": "01:00", "end": "05:00", "count": 3}]))
    other_shifts = _first_time_draws(
        centre(
            [
                {"start": "00:30", "end": "03:00", "count": 5},
                {"start": "03:00", "end": "06:00", "count": 1},
            ]
        )
    )
    with_breaks = _first_time_draws(
        centre(
            [
                {
                    "start": "01:00",
                    "end": "05:00",
                    "count": 3,
                    "breaks": [
                        {"at": "02:00", "duration": "30min"},
                        {"after": "3h", "duration": "10min"},
                    ],
                }
            ]
        )
    )
    assert len(plain) > 400
    assert other_shifts == plain
    assert with_breaks == plain


def test_a_count_only_centre_runs_as_before() -> None:
    """Without shifts, the new columns are what a count implies: scheduled = present, no rest."""
    scenario = _scenario(
        [{"name": "team", "count": 3}],
        queue={
            "name": "q",
            "arrivals": {"rate": "40/h"},
            "handle_time": {"distribution": "constant", "mean": "3min"},
        },
        horizon="4h",
        closing="stop",
    )
    results = sc.simulate(scenario, replications=1, jobs=1)
    table = results.agent_intervals
    assert list(table["scheduled"]) == pytest.approx([3.0] * len(table))
    assert list(table["present"]) == pytest.approx([3.0] * len(table))
    for column in ("on_break", "absent", "in_outage", "overtime_h"):
        assert (table[column] == 0).all()
    agents = results.agents.iloc[0]
    assert agents["breaks_delayed"] == 0
    assert agents["present_h"] == agents["staffed_h"]


# --- older output folders ------------------------------------------------------------------------


def test_a_report_reads_an_older_folders_agent_intervals(tmp_path: Any) -> None:
    """An output folder written before the rename (``agents_staffed``, ``busy_agents``)."""
    from simcenter.report_html import report_text

    scenario = _scenario(
        [{"name": "team", "count": 2}],
        queue={
            "name": "q",
            "arrivals": {"rate": "30/h"},
            "handle_time": {"distribution": "constant", "mean": "3min"},
        },
        horizon="3h",
        closing="stop",
    )
    results = sc.simulate(scenario, replications=2, jobs=1)
    folder = tmp_path / "out"
    results.save(folder, plots=False)
    path = folder / "agent_intervals.csv"
    table = pd.read_csv(path)
    old = table[
        [
            "interval",
            "interval_start",
            "start_s",
            "group",
            "present",
            "present_ci95",
            "busy",
            "busy_ci95",
            "occupancy",
            "occupancy_ci95",
        ]
    ]
    old.rename(
        columns={
            "present": "agents_staffed",
            "present_ci95": "agents_staffed_ci95",
            "busy": "busy_agents",
            "busy_ci95": "busy_agents_ci95",
        }
    ).to_csv(path, index=False)

    page = report_text(folder)
    assert "Occupancy" in page
    renamed = sc.analysis.with_current_agent_columns(pd.read_csv(path))
    assert list(renamed["present"]) == pytest.approx(list(table["present"]))
    assert list(renamed["busy"]) == pytest.approx(list(table["busy"]))
    assert (renamed["on_break"] == 0).all()
