"""Tests of the analysts' DataFrames: calendar columns, arrival order, the average day."""

from __future__ import annotations

import datetime
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from tiny_runs import TWO_DAYS, two_days, two_queues

import simcenter
from simcenter import analysis, erlang


def test_interval_tables_carry_a_timezone_aware_interval_start() -> None:
    results = two_queues()

    for table in (results.intervals, results.agent_intervals):
        assert str(table["interval_start"].dtype) == "datetime64[ns, Europe/Berlin]"
        assert "start" not in table.columns
        assert list(table.columns[:3]) == ["interval", "interval_start", "start_s"]
        expected = pd.Timestamp("2026-01-05T08:00", tz="Europe/Berlin") + pd.to_timedelta(
            table["start_s"], unit="s"
        )
        assert list(table["interval_start"]) == list(expected)
    assert results.intervals["interval_start"].iloc[-1] == pd.Timestamp(
        "2026-01-05T09:30", tz="Europe/Berlin"
    )


def test_interval_start_is_written_as_iso_8601_with_its_offset(tmp_path: Path) -> None:
    outdir = two_queues().save(tmp_path / "out", plots=False)

    for name in ("intervals", "agent_intervals"):
        text = (outdir / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        header = text[0].split(",")
        assert header[:3] == ["interval", "interval_start", "start_s"]
        assert text[1].split(",")[1] == "2026-01-05T08:00:00+01:00"
    table = pd.read_csv(outdir / "intervals.csv")
    parsed = pd.to_datetime(table["interval_start"]).dt.tz_convert("Europe/Berlin")
    assert list(parsed) == list(two_queues().intervals["interval_start"])


def test_contacts_are_in_arrival_order_with_a_calendar_arrival() -> None:
    contacts = two_queues().contacts
    assert contacts is not None

    for _, rows in contacts.groupby("replication"):
        assert rows["arrival_s"].is_monotonic_increasing
    assert list(contacts["replication"]) == sorted(contacts["replication"])
    assert str(contacts["arrival"].dtype) == "datetime64[ns, Europe/Berlin]"
    start = pd.Timestamp("2026-01-05T08:00", tz="Europe/Berlin")
    offsets = (contacts["arrival"] - start).dt.total_seconds()
    np.testing.assert_allclose(offsets, contacts["arrival_s"], atol=1e-6)
    assert list(contacts.columns[5:7]) == ["arrival_s", "arrival"]


def test_average_day_averages_counts_over_days_and_pools_the_rates() -> None:
    results = two_days()
    intervals = results.intervals[results.intervals["queue"] == "sales"]
    first, second = intervals.iloc[:6], intervals.iloc[6:]

    day = results.by_time_of_day()
    sales = day[day["queue"] == "sales"].reset_index(drop=True)

    assert list(sales["time_of_day"]) == [datetime.time(hour) for hour in (0, 4, 8, 12, 16, 20)]
    assert day["queue"].dtype == results.intervals["queue"].dtype  # categorical, like the others
    assert list(sales["time_of_day_s"]) == [0.0, 14400.0, 28800.0, 43200.0, 57600.0, 72000.0]
    assert list(sales["days"]) == [2] * 6
    both = [first.reset_index(drop=True), second.reset_index(drop=True)]
    for name in ("offered", "answered", "abandoned", "answered_in_target"):
        assert list(sales[name]) == pytest.approx(list((both[0][name] + both[1][name]) / 2))
    in_target = both[0]["answered_in_target"] + both[1]["answered_in_target"]
    offered = both[0]["offered"] + both[1]["offered"]
    assert list(sales["service_level"]) == pytest.approx(list(in_target / offered))
    abandoned = both[0]["abandoned"] + both[1]["abandoned"]
    assert list(sales["abandon_rate"]) == pytest.approx(list(abandoned / offered))
    answered = both[0]["answered"] + both[1]["answered"]
    wait = both[0]["asa_s"] * both[0]["answered"] + both[1]["asa_s"] * both[1]["answered"]
    assert list(sales["asa_s"]) == pytest.approx(list(wait / answered))
    assert list(day["queue"].unique()) == ["sales", "ALL"]
    staffed = day[day["queue"] == "ALL"]["agents_staffed"]
    assert list(staffed) == pytest.approx([3.0] * 6)


def test_average_day_follows_each_queue_service_level_definition() -> None:
    results = two_queues()
    meta = results.meta
    answered = meta.__class__(**{**meta.__dict__, "sl_definition": ("answered", "offered")})

    day = analysis.by_time_of_day(results.intervals, answered)

    billing = day[day["queue"] == "billing"]
    rows = results.intervals[results.intervals["queue"] == "billing"]
    assert list(billing["service_level"]) == pytest.approx(
        list(rows["answered_in_target"] / rows["answered"])
    )


def test_required_agents_are_the_erlang_agents_of_each_interval() -> None:
    results = two_queues()

    required = analysis.required_agents(
        results.intervals,
        results.meta,
        analysis.patience_means(results.scenario, ("billing", "tech")),
    )

    assert len(required) == 4 * 2
    row = required[(required["interval"] == 2) & (required["queue"] == "tech")].iloc[0]
    source = results.intervals[
        (results.intervals["interval"] == 2) & (results.intervals["queue"] == "tech")
    ].iloc[0]
    assert row["rate_per_s"] == source["offered"] / 1800
    assert row["required_agents"] == erlang.agents_for_service_level(
        source["offered"] / 1800, source["aht_s"], 0.9, 30
    )


def test_patience_means_read_the_resolved_scenario() -> None:
    results = two_queues()

    assert analysis.patience_means(results.scenario, ("billing", "tech")) == (120.0, None)
    assert analysis.group_skills(results.scenario) == {
        "tier1": ["billing", "tech"],
        "tier2": ["tech"],
    }


def test_interval_start_follows_a_daylight_saving_change() -> None:
    scenario = {
        **TWO_DAYS,
        "start": "2026-03-29T00:00",
        "timezone": "Europe/Berlin",
        "horizon": "4h",
        "interval": "1h",
    }
    results = simcenter.simulate(scenario, replications=1, jobs=1)

    starts = results.intervals[results.intervals["queue"] == "sales"]["interval_start"]

    assert [time.isoformat() for time in starts] == [
        "2026-03-29T00:00:00+01:00",
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",  # clocks go forward at 02:00
        "2026-03-29T04:00:00+02:00",
    ]
    day = results.by_time_of_day()
    assert list(day[day["queue"] == "sales"]["time_of_day"]) == [
        datetime.time(hour) for hour in (0, 1, 3, 4)
    ]


def test_the_contact_log_is_read_once_and_kept() -> None:
    results = simcenter.simulate(TWO_DAYS, replications=1)  # not shared: nothing read yet
    assert results.contact_log is not None
    with mock.patch.object(
        type(results.contact_log), "read", autospec=True, side_effect=type(results.contact_log).read
    ) as read:
        first = results.contacts
        second = results.contacts
    assert first is second
    assert read.call_count == 1
