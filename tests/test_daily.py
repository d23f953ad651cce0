"""Tests of the calendar days: daily.csv (queue figures per day) and the days of the intervals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

import simcenter
from simcenter import histogram
from simcenter.clock import ScenarioClock
from simcenter.records import run_meta
from simcenter.reports import interval_days
from simcenter.results import Results
from simcenter.scenario import build_scenario

COUNTS = ("offered", "answered", "abandoned", "answered_in_target", "abandoned_in_target")


def week_scenario(**keys: Any) -> dict[str, Any]:
    """Two queues open 08:00-20:00 every day, 30-minute intervals, over the Berlin spring change."""
    profile = {"start": "08:00", "interval": "1h", "volumes": [30, 50, 60, 55, 50, 45] * 2}
    return {
        "name": "days",
        "seed": 3,
        "start": "2026-03-27T00:00",  # a Friday; clocks go forward on Sunday 29 March
        "timezone": "Europe/Berlin",
        "horizon": "3d",
        "interval": "30min",
        "replications": 2,
        "service_level": {"threshold": "20s", "target": 0.8},
        "queues": [
            {
                "name": "billing",
                "arrivals": {"profile": profile, "weekdays": {"sat": 0.5}},
                "handle_time": {"distribution": "exponential", "mean": "4min"},
                "patience": {"distribution": "exponential", "mean": "2min"},
            },
            {
                "name": "tech",
                "arrivals": {"profile": profile},
                "handle_time": {"distribution": "exponential", "mean": "6min"},
                "patience": {"distribution": "exponential", "mean": "3min"},
                "service_level": {"threshold": "60s", "target": 0.7},
            },
        ],
        "agents": [
            {"name": "team", "skills": ["billing", "tech"], "count": 9, "cost_per_hour": 30},
        ],
        **keys,
    }


@pytest.fixture(scope="module")
def results() -> Results:
    """Three days (the last one 23 hours long) of two replications, with the contact log."""
    return simcenter.simulate(week_scenario())


@pytest.fixture(scope="module")
def one() -> Results:
    """The same run with one replication."""
    return simcenter.simulate(week_scenario(), replications=1)


# ------------------------------------------------------------------------------ the days


@pytest.mark.parametrize(
    ("zone", "first", "changed", "hours"),
    [
        ("Europe/Berlin", "2026-03-28", "2026-03-29", 23.0),
        ("Europe/Berlin", "2026-10-24", "2026-10-25", 25.0),
        ("America/New_York", "2026-03-07", "2026-03-08", 23.0),
        ("America/New_York", "2026-10-31", "2026-11-01", 25.0),
    ],
)
def test_daylight_saving_days_have_their_length(
    zone: str, first: str, changed: str, hours: float
) -> None:
    meta = run_meta(
        build_scenario(
            {**week_scenario(), "start": f"{first}T00:00", "timezone": zone, "horizon": "3d"}
        )
    )
    clock = ScenarioClock(meta.start)

    days = interval_days(meta)

    assert days.names[:2] == (first, changed)
    assert days.length_s[0] == 24 * 3600.0
    assert days.length_s[1] == hours * 3600.0
    # Each whole day starts at its local midnight, in simulation seconds through UTC.
    assert list(days.start_s[:3]) == [clock.seconds_at(day, 0.0) for day in range(3)]
    # Three elapsed days: after a short day, an hour of a fourth day; after a long one, the
    # third day ends an hour before its midnight.
    assert list(days.length_s[2:] / 3600.0) == ([24.0, 1.0] if hours == 23.0 else [23.0])
    assert sum(days.length_s) == 3 * 86400.0


def test_days_start_with_the_measured_window() -> None:
    meta = run_meta(
        build_scenario(
            {**week_scenario(), "start": "2026-01-05T08:00", "warmup": "1h", "horizon": "2d"}
        )
    )

    days = interval_days(meta)

    assert days.names == ("2026-01-05", "2026-01-06", "2026-01-07")
    assert list(days.start_s) == [3600.0, 16 * 3600.0, 40 * 3600.0]
    assert list(days.length_s / 3600.0) == [15.0, 24.0, 9.0]


def test_an_interval_across_midnight_belongs_to_the_day_it_starts_in() -> None:
    # 5-hour intervals from midnight: the one from 20:00 to 01:00 belongs to its first day.
    meta = run_meta(build_scenario({**week_scenario(), "interval": "5h", "horizon": "2d"}))

    days = interval_days(meta)

    assert list(days.of_interval) == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert list(days.start_s / 3600.0) == [0.0, 25.0]
    assert list(days.length_s / 3600.0) == [25.0, 23.0]


# ------------------------------------------------------------------------------ daily table


def test_daily_columns_come_first_and_name_each_day(results: Results) -> None:
    daily = results.daily
    assert daily is not None

    assert list(daily.columns[:5]) == ["day", "day_start", "start_s", "length_h", "queue"]
    assert list(daily["day"].unique()) == ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]
    assert list(daily.groupby("day", sort=False)["length_h"].first()) == [24.0, 24.0, 23.0, 1.0]
    assert list(daily["queue"][:3]) == ["billing", "tech", "ALL"]
    starts = daily.groupby("day", sort=False)["day_start"].first()
    assert [stamp.isoformat() for stamp in starts] == [
        "2026-03-27T00:00:00+01:00",
        "2026-03-28T00:00:00+01:00",
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
    ]
    assert "service_level_ci95" in daily.columns
    assert results.day_count == 4


def test_daily_counts_add_up_to_the_summary(results: Results) -> None:
    daily = results.daily
    assert daily is not None
    summary = results.summary.set_index("queue")
    outcome_columns = [name for name in ("disconnected", "in_system") if name in summary]

    totals = daily.groupby("queue", observed=True, sort=False)[[*COUNTS, *outcome_columns]].sum()
    longest = daily.groupby("queue", observed=True, sort=False)["max_wait_s"].max()

    assert summary.loc["ALL", "offered"] > 2000
    for name in [*COUNTS, *outcome_columns]:
        assert list(totals[name]) == pytest.approx(list(summary[name]), rel=1e-12), name
    assert list(longest) == pytest.approx(list(summary["max_wait_s"]), rel=1e-12)


def test_a_day_equals_the_contacts_that_arrived_in_it(one: Results) -> None:
    """Saturday's figures against the contacts that arrived on Saturday, counted here."""
    daily, contacts = one.daily, one.contacts
    assert daily is not None
    assert contacts is not None
    zone = ZoneInfo("Europe/Berlin")
    low = datetime(2026, 3, 28, tzinfo=zone)
    high = low + timedelta(days=1)
    day = contacts[(contacts["arrival"] >= low) & (contacts["arrival"] < high)]
    row = daily[(daily["day"] == "2026-03-28") & (daily["queue"] == "tech")].iloc[0]
    tech = day[day["queue"] == "tech"]
    answered = tech[tech["outcome"] == "answered"]

    assert row["offered"] == len(tech) > 200
    assert row["answered"] == len(answered)
    assert row["abandoned"] == (tech["outcome"] == "abandoned").sum()
    assert row["service_level"] == pytest.approx((answered["wait_s"] <= 60).sum() / len(tech))
    assert row["asa_s"] == pytest.approx(answered["wait_s"].mean(), rel=1e-12)
    assert row["mean_wait_s"] == pytest.approx(tech["wait_s"].mean(), rel=1e-12)
    assert row["aht_s"] == pytest.approx(answered["handle_s"].mean(), rel=1e-12)
    assert row["max_wait_s"] == pytest.approx(tech["wait_s"].max(), rel=1e-12)
    exact = np.percentile(tech["wait_s"], 90)
    bound = histogram.ABSOLUTE_ERROR_S + histogram.RELATIVE_ERROR * exact
    assert abs(row["wait_p90_s"] - exact) <= bound
    overall = daily[(daily["day"] == "2026-03-28") & (daily["queue"] == "ALL")].iloc[0]
    assert overall["offered"] == len(day)
    assert 0.0 < overall["occupancy"] < 1.0


def test_daily_occupancy_is_busy_over_present_time_of_the_day_intervals(one: Results) -> None:
    daily = one.daily
    assert daily is not None
    intervals = one.intervals[one.intervals["queue"] == "ALL"]
    day = pd.to_datetime(intervals["interval_start"]).dt.strftime("%Y-%m-%d")
    # Every interval is 30 minutes long: agent-time is proportional to the time-averages.
    busy = (intervals["occupancy"].fillna(0) * intervals["agents_staffed"]).groupby(day).sum()
    present = intervals["agents_staffed"].groupby(day).sum()

    rows = daily[daily["queue"] == "ALL"].set_index("day")

    for name in ("2026-03-27", "2026-03-28", "2026-03-29"):
        assert rows.loc[name, "occupancy"] == pytest.approx(busy[name] / present[name], rel=1e-9)
    assert 0.3 < rows.loc["2026-03-27", "occupancy"] < 1.0
    assert np.isnan(daily.loc[daily["queue"] != "ALL", "occupancy"]).all()


def test_daily_csv_is_written_for_several_days_only(results: Results, tmp_path: Path) -> None:
    results.save(tmp_path / "week", plots=False)
    one_day = simcenter.simulate(week_scenario(horizon="12h", replications=1))
    one_day.save(tmp_path / "day", plots=False)

    written = pd.read_csv(tmp_path / "week" / "daily.csv")

    assert list(written.columns[:5]) == ["day", "day_start", "start_s", "length_h", "queue"]
    assert written["day_start"][0] == "2026-03-27T00:00:00+01:00"
    assert written["day_start"].iloc[-1] == "2026-03-30T00:00:00+02:00"
    assert len(written) == 4 * 3
    assert not (tmp_path / "day" / "daily.csv").exists()
    assert one_day.day_count == 1
    assert len(one_day.daily) == 3  # type: ignore[arg-type]


def test_a_partial_day_in_daily_csv_keeps_its_own_length() -> None:
    meta = run_meta(build_scenario(week_scenario(start="2026-01-05T06:00", horizon="30h")))

    days = interval_days(meta)

    assert days.names == ("2026-01-05", "2026-01-06")
    assert list(days.length_s / 3600.0) == [18.0, 12.0]
    assert date.fromisoformat(days.names[1]).weekday() == 1
