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
