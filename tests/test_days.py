"""Tests of simcenter.days: the day table and the staffing line, on made-up tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simcenter import days, erlang
from simcenter.records import RunMeta, run_meta
from simcenter.scenario import build_scenario


def meta_of(horizon: str = "3h", patience: bool = False) -> RunMeta:
    """Two queues and one group, hourly intervals, a half-hour last interval for 2.5h."""
    queue = {"arrivals": {"rate": "60/h"}, "handle_time": {"distribution": "exponential",
                                                           "mean": "4min"}}  # fmt: skip
    if patience:
        queue["patience"] = {"distribution": "exponential", "mean": "2min"}
    return run_meta(
        build_scenario(
            {
                "name": "made up",
                "horizon": horizon,
                "interval": "1h",
                "service_level": {"threshold": "20s", "target": 0.8},
                "queues": [{"name": "a", **queue}, {"name": "b", **queue}],
                "agents": [
                    {"name": "g", "skills": ["a", "b"], "count": 10},
                    {"name": "h", "skills": ["b"], "count": 2},
                ],
            }
        )
    )


def made_up_tables(meta: RunMeta) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An interval table (queues and ALL) and an agent interval table with scheduled agents."""
    count = math.ceil(meta.horizon_s / meta.interval_s)
    start = meta.interval_s * np.arange(count)
    offered = {"a": [60.0, 120.0, 20.0][:count], "b": [30.0, 0.0, 10.0][:count]}
    rows = []
    for interval in range(count):
        for queue in ("a", "b"):
            rows.append((interval, start[interval], queue, offered[queue][interval], 240.0))
        rows.append((interval, start[interval], "ALL", math.nan, math.nan))
    intervals = pd.DataFrame(rows, columns=["interval", "start_s", "queue", "offered", "aht_s"])
    agent_rows = []
    for interval in range(count):
        agent_rows.append((interval, start[interval], "g", 10.0, [9.0, 6.0, 10.0][interval]))
        agent_rows.append((interval, start[interval], "h", 2.0, 2.0))
    agent_intervals = pd.DataFrame(
        agent_rows, columns=["interval", "start_s", "group", "scheduled", "present"]
    )
    return intervals, agent_intervals


def test_staffing_sums_agent_hours_against_the_erlang_requirement() -> None:
    meta = meta_of("2.5h")
    intervals, agent_intervals = made_up_tables(meta)

    figures = days.staffing(intervals, agent_intervals, meta)

    assert figures is not None
    hours = [1.0, 1.0, 0.5]
    assert figures.scheduled_h == pytest.approx(12.0 * 2.5)
    assert figures.present_h == pytest.approx(11 * 1.0 + 8 * 1.0 + 12 * 0.5)
    required = []
    for interval, length in enumerate(hours):
        needed = 0
        for queue in ("a", "b"):
            offered = intervals.loc[
                (intervals["interval"] == interval) & (intervals["queue"] == queue), "offered"
            ].iloc[0]
            rate = offered / (length * 3600.0)
            if rate > 0:
                needed += erlang.agents_for_service_level(rate, 240.0, 0.8, 20.0)
        required.append(needed)
    agent_hours = sum(n * h for n, h in zip(required, hours, strict=True))
    assert figures.required_h == pytest.approx(agent_hours)
    present = [11.0, 8.0, 12.0]
    short = sum(p < r for p, r in zip(present, required, strict=True))
    assert figures.short_intervals == short >= 1
    assert figures.intervals == 3
    text = days.staffing_text(figures)
    assert text.startswith(f"staffing: {figures.scheduled_h:,.1f} agent-hours scheduled, ")
    assert f"{figures.required_h:,.1f} required by Erlang" in text
    assert f"in {figures.short_intervals} of 3 intervals" in text


def test_staffing_needs_scheduled_agents() -> None:
    meta = meta_of()
    intervals, agent_intervals = made_up_tables(meta)
    old = agent_intervals.drop(columns="scheduled").rename(columns={"present": "agents_staffed"})

    assert days.staffing(intervals, old, meta) is None


def test_the_requirement_is_skipped_for_too_many_intervals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meta = meta_of()
    intervals, agent_intervals = made_up_tables(meta)
    monkeypatch.setattr(days, "REQUIREMENT_CELLS", 5)

    figures = days.staffing(intervals, agent_intervals, meta)

    assert figures is not None
    assert math.isnan(figures.required_h)
    assert "requirement not computed" in days.staffing_text(figures)


def test_the_day_cost_adds_the_abandon_cost_of_each_queue() -> None:
    daily = pd.DataFrame(
        {
            "day": ["2026-01-05"] * 3 + ["2026-01-06"] * 3,
            "length_h": [24.0] * 6,
            "queue": ["a", "b", "ALL"] * 2,
            "offered": [10.0, 20.0, 30.0, 5.0, 5.0, 10.0],
            "abandoned": [1.0, 4.0, 5.0, 0.0, 2.0, 2.0],
            "service_level": [0.9, 0.7, 0.8, 1.0, 0.6, 0.8],
            "asa_s": [5.0] * 6,
            "abandon_rate": [0.1] * 6,
            "occupancy": [math.nan, math.nan, 0.7, math.nan, math.nan, 0.6],
        }
    )
    agent_days = pd.DataFrame(
        {
            "day": ["2026-01-05", "2026-01-05", "2026-01-06", "2026-01-06"],
            "group": ["g", "h", "g", "h"],
            "cost": [100.0, 50.0, 80.0, 40.0],
        }
    )

    table = days.day_table(daily, agent_days, {"a": 3.0, "b": 0.5})

    assert list(table["day"]) == ["2026-01-05", "2026-01-06"]
    assert list(table["cost"]) == pytest.approx([150.0 + 3.0 + 2.0, 120.0 + 0.0 + 1.0])
    assert list(table["occupancy"]) == [0.7, 0.6]
    assert "service_level_ci95" not in table.columns
    assert days.day_table(daily, None, {})["cost"].isna().all()


def test_abandon_costs_of_a_resolved_scenario() -> None:
    scenario = {"queues": [{"name": "a", "abandon_cost": 2.5}, {"name": "b"}]}

    assert days.abandon_costs(scenario) == {"a": 2.5, "b": 0.0}
