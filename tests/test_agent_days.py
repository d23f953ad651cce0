"""Tests of agent_days: agent-hours, shrinkage, occupancy and cost per calendar day and group."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from simcenter.records import RunMeta, run_meta
from simcenter.reports import AGENT_DAY_FIGURES, agent_days
from simcenter.scenario import build_scenario

LEVELS = ("scheduled", "present", "on_break", "absent", "in_outage", "busy")


def two_days_meta() -> RunMeta:
    """Berlin, 28 March 2026 (24 h) to 30 March 00:30: the spring change, a short last interval."""
    return run_meta(
        build_scenario(
            {
                "name": "agent days",
                "start": "2026-03-28T00:00",
                "timezone": "Europe/Berlin",
                "horizon": "47.5h",
                "interval": "1h",
                "queues": [
                    {
                        "name": "q",
                        "arrivals": {"rate": "10/h"},
                        "handle_time": {"distribution": "exponential", "mean": "3min"},
                    }
                ],
                "agents": [
                    {"name": "early", "skills": ["q"], "count": 3},
                    {"name": "late", "skills": ["q"], "count": 2},
                ],
            }
        )
    )


def synthetic_intervals(meta: RunMeta, seed: int = 4) -> pd.DataFrame:
    """Random agent levels per interval and group, in the columns of agent_intervals.csv."""
    rng = np.random.default_rng(seed)
    count = 48  # 47 whole hours and a half hour
    rows = count * len(meta.groups)
    frame: dict[str, Any] = {
        "interval": np.repeat(np.arange(count), len(meta.groups)),
        "start_s": np.repeat(3600.0 * np.arange(count), len(meta.groups)),
        "group": pd.Categorical(list(meta.groups) * count, categories=list(meta.groups)),
    }
    frame |= {name: rng.uniform(0.0, 10.0, rows) for name in LEVELS}
    frame["present"] = frame["on_break"] + frame["busy"] + rng.uniform(0.0, 2.0, rows)
    frame["overtime_h"] = rng.uniform(0.0, 0.5, rows)
    frame["occupancy"] = rng.uniform(0.0, 1.0, rows)
    frame["cost"] = rng.uniform(0.0, 300.0, rows)
    return pd.DataFrame(frame)


def expected_days(meta: RunMeta, frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, float]]:
    """The day figures computed here, interval by interval with the standard library's zones."""
    zone = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 28, tzinfo=zone).astimezone(timezone.utc)
    end_s = meta.warmup_s + meta.horizon_s
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in frame.itertuples():
        local = (start + timedelta(seconds=row.start_s)).astimezone(zone)
        hours = (min(row.start_s + 3600.0, end_s) - row.start_s) / 3600.0
        cell = sums[(local.date().isoformat(), str(row.group))]
        for name in LEVELS:
            cell[f"{name}_h"] += getattr(row, name) * hours
        cell["overtime_h"] += row.overtime_h
        cell["cost"] += row.cost
        cell["length_h"] += hours
    return sums


def test_day_figures_are_the_sums_of_their_intervals() -> None:
    meta = two_days_meta()
    frame = synthetic_intervals(meta)
    expected = expected_days(meta, frame)

    days = agent_days(meta, frame)

    assert list(days.columns) == [
        "day", "day_start", "start_s", "length_h", "group", *AGENT_DAY_FIGURES,
    ]  # fmt: skip
    assert list(days["day"]) == ["2026-03-28"] * 2 + ["2026-03-29"] * 2 + ["2026-03-30"] * 2
    assert list(days["group"]) == ["early", "late"] * 3
    assert list(days["length_h"]) == [24.0, 24.0, 23.0, 23.0, 0.5, 0.5]
    assert [stamp.isoformat() for stamp in days["day_start"][::2]] == [
        "2026-03-28T00:00:00+01:00",
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
    ]
    assert len(expected) == len(days)
    for row in days.itertuples():
        cell = expected[(row.day, str(row.group))]
        assert row.length_h == pytest.approx(cell["length_h"])
        for name in (*(f"{level}_h" for level in LEVELS), "overtime_h", "cost"):
            assert getattr(row, name) == pytest.approx(cell[name], rel=1e-12), name


def test_shrinkage_and_occupancy_follow_their_definitions() -> None:
    meta = two_days_meta()
    days = agent_days(meta, synthetic_intervals(meta, seed=9))

    lost = days["absent_h"] + days["in_outage_h"] + days["on_break_h"]

    assert list(days["shrinkage"]) == pytest.approx(list(lost / days["scheduled_h"]))
    assert list(days["occupancy"]) == pytest.approx(
        list(days["busy_h"] / (days["present_h"] - days["on_break_h"]))
    )


def test_a_day_without_scheduled_time_has_no_shrinkage() -> None:
    meta = two_days_meta()
    frame = synthetic_intervals(meta)
    frame.loc[frame["group"] == "late", ["scheduled", "present", "on_break", "busy"]] = 0.0

    days = agent_days(meta, frame)

    late = days[days["group"] == "late"]
    assert late["shrinkage"].isna().all()
    assert late["occupancy"].isna().all()
    assert days.loc[days["group"] == "early", "shrinkage"].notna().all()


def test_missing_interval_values_count_as_nothing() -> None:
    meta = two_days_meta()
    frame = synthetic_intervals(meta)
    frame.loc[0, "cost"] = np.nan

    days = agent_days(meta, frame)

    first = frame[(frame["group"] == "early") & (frame["interval"] < 24)]
    assert days.loc[0, "cost"] == pytest.approx(first["cost"].sum())
    assert np.isfinite(days["cost"]).all()


# --- end to end: a week of shifts -------------------------------------------------------------


def shift_week(**keys: Any) -> dict[str, Any]:
    """Berlin, Thursday 26 March to Monday 30 March 2026 (clocks forward on Sunday the 29th).

    ``early``: 06:00-14:00 on weekdays, 3 agents, a 30-minute lunch at 10:00;
    ``night``: 22:00-06:00 every day, 2 agents (7 real hours on the night of the change).
    """
    return {
        "name": "shift week",
        "seed": 11,
        "start": "2026-03-26T00:00",
        "timezone": "Europe/Berlin",
        "horizon": "4d",
        "interval": "30min",
        "closing": "clear",
        "replications": 2,
        "queues": [
            {
                "name": "q",
                "arrivals": {"rate": "20/h"},
                "handle_time": {"distribution": "exponential", "mean": "4min"},
                "patience": {"distribution": "exponential", "mean": "3min"},
            }
        ],
        "agents": [
            {
                "name": "early",
                "skills": ["q"],
                "cost_per_hour": 20,
                "shifts": [
                    {
                        "name": "day",
                        "start": "06:00",
                        "end": "14:00",
                        "count": 3,
                        "days": ["mon", "tue", "wed", "thu", "fri"],
                        "breaks": [{"at": "10:00", "duration": "30min"}],
                    }
                ],
            },
            {
                "name": "night",
                "skills": ["q"],
                "cost_per_hour": 30,
                "shifts": [{"name": "n", "start": "22:00", "end": "06:00", "count": 2}],
            },
        ],
        **keys,
    }


@pytest.fixture(scope="module")
def week() -> Any:
    import simcenter

    return simcenter.simulate(shift_week(), jobs=1)


def test_scheduled_hours_per_day_follow_the_shifts(week: Any) -> None:
    table = week.agent_days
    assert table is not None
    scheduled = table.pivot(index="day", columns="group", values="scheduled_h")

    assert list(scheduled.index) == ["2026-03-26", "2026-03-27", "2026-03-28", "2026-03-29",
                                     "2026-03-30"]  # fmt: skip
    # early: 3 agents × 8 h on Thursday and Friday, none at the weekend.
    assert list(scheduled["early"]) == pytest.approx([24.0, 24.0, 0.0, 0.0, 0.0])
    # night: 2 agents from midnight to 06:00 (the previous night's shift, the one that
    # began before the run included) and from 22:00. Sunday 29 March: 02:00-03:00 does not
    # exist (7 hours); the run ends at 01:00 on Monday.
    assert list(scheduled["night"]) == pytest.approx(
        [2 * 8.0, 2 * 8.0, 2 * 8.0, 2 * 7.0, 2 * 1.0]
    )
    assert list(table.groupby("day", sort=False)["length_h"].first()) == [24, 24, 24, 23, 1]


def test_breaks_and_shrinkage_of_a_day(week: Any) -> None:
    table = week.agent_days.set_index(["day", "group"])

    thursday = table.loc[("2026-03-26", "early")]
    # Every agent takes the whole half hour, late only if a contact was in hand.
    assert thursday["on_break_h"] == pytest.approx(3 * 0.5)
    assert thursday["absent_h"] == thursday["in_outage_h"] == 0.0
    assert thursday["shrinkage"] == pytest.approx(1.5 / 24.0)
    assert np.isnan(table.loc[("2026-03-28", "early"), "shrinkage"])
    assert table.loc[("2026-03-27", "night"), "shrinkage"] == 0.0


def test_day_sums_equal_the_interval_and_group_totals(week: Any) -> None:
    table, intervals = week.agent_days, week.agent_intervals
    hours = 0.5

    for group in ("early", "night"):
        days = table[table["group"] == group]
        rows = intervals[intervals["group"] == group]
        assert days["present_h"].sum() == pytest.approx((rows["present"] * hours).sum())
        assert days["busy_h"].sum() == pytest.approx((rows["busy"] * hours).sum())
        assert days["overtime_h"].sum() == pytest.approx(rows["overtime_h"].sum())
        assert days["cost"].sum() == pytest.approx(rows["cost"].sum())
    agents = week.agents.set_index("group")
    # closing: clear ends the run at the horizon: the days hold every hour of agents.csv.
    assert list(table.groupby("group", sort=False)["scheduled_h"].sum()) == pytest.approx(
        list(agents["scheduled_h"])
    )
    assert "present_h_ci95" in table.columns


def test_agent_days_csv_is_written_with_daily_csv(week: Any, tmp_path: Any) -> None:
    week.save(tmp_path / "out", plots=False)

    written = pd.read_csv(tmp_path / "out" / "agent_days.csv")

    assert list(written.columns[:5]) == ["day", "day_start", "start_s", "length_h", "group"]
    assert written["day_start"][0] == "2026-03-26T00:00:00+01:00"
    assert len(written) == 5 * 2
    assert (tmp_path / "out" / "daily.csv").is_file()
