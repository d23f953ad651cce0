"""Tests of simcenter.reports: hand-computed figures and a second, independent computation."""

from __future__ import annotations

import dataclasses
import math
import statistics
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from recording import record_of, within_histogram_error
from scipy import stats

from simcenter import reports
from simcenter.analysis import with_interval_start
from simcenter.records import OUTCOME_CODE, OUTCOMES, ReplicationRecord, RunMeta

NAN = math.nan

# --------------------------------------------------------------------------------------
# A scripted replication, small enough to compute every figure by hand.
#
# warm-up 100 s, horizon 1800 s, interval 900 s: interval 0 = [100, 1000),
# interval 1 = [1000, 1900); the run drains until end_s = 2000.
# billing: threshold 20 s; tech: threshold 30 s.
# Agent 0 (tier1, 20/h) on duty [0, 2500]      -> staffed [100, 2000] = 1900 s
# Agent 1 (tier2, 30/h) on duty [500, 1500] and [1600, 3000] -> 1000 + 400 = 1400 s
#
#  id queue   arrival answered  end  wait handle wrap outcome       agent  busy period
#   0 billing   100     110     310   10   200    10  answered        0   [110, 320]
#   1 billing   200      -      230   30    -      -  abandoned       -
#   2 billing   950      -      955    5    -      -  abandoned       -
#   3 tech      500     530     830   30   300     0  answered        1   [530, 830]
#   4 tech     1000    1040    1140   40   100    20  answered        0   [1040, 1160]
#   5 billing  1850      -       -   150    -      -  in_system       -
#   6 tech     1700      -     1900  200    -      -  disconnected    -
#   7 billing  1600    1600    1950    0   350    50  answered        1   [1600, 2000]
# Busy: tier1 210 + 120 = 330 s; tier2 300 + 400 = 700 s.
# Contact 3 waits exactly the tech threshold: a wait equal to the threshold is in target.
# --------------------------------------------------------------------------------------

SCRIPTED_OUTCOMES = ("answered", "abandoned", "disconnected", "in_system")
PERCENTILES = ("wait_p50_s", "wait_p90_s", "wait_p95_s")


def scripted_meta(definitions: tuple[str, str] = ("offered", "answered")) -> RunMeta:
    """The run description of the scripted replication."""
    return RunMeta(
        queues=("billing", "tech"),
        channels=("voice", "voice"),
        groups=("tier1", "tier2"),
        agent_names=("tier1-000", "tier2-000"),
        agent_groups=(0, 1),
        cost_per_hour=(20.0, 30.0),
        sl_threshold_s=(20.0, 30.0),
        sl_target=(0.8, 0.9),
        sl_definition=definitions,
        outcomes=SCRIPTED_OUTCOMES,
        warmup_s=100.0,
        horizon_s=1800.0,
        interval_s=900.0,
        start=datetime(2026, 1, 5, tzinfo=timezone.utc),
    )


def scripted_columns() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The contacts and on-duty periods of the table above, as columns."""
    answered, abandoned = OUTCOME_CODE["answered"], OUTCOME_CODE["abandoned"]
    in_system, disconnected = OUTCOME_CODE["in_system"], OUTCOME_CODE["disconnected"]
    contacts = {
        "contact_id": np.arange(8, dtype=np.int64),
        "customer_id": np.arange(8, dtype=np.int64),
        "queue": np.array([0, 0, 0, 1, 1, 0, 1, 0], dtype=np.int32),
        "arrival_s": np.array([100, 200, 950, 500, 1000, 1850, 1700, 1600], dtype=float),
        "answered_s": np.array([110, NAN, NAN, 530, 1040, NAN, NAN, 1600]),
        "end_s": np.array([310, 230, 955, 830, 1140, NAN, 1900, 1950]),
        "wait_s": np.array([10, 30, 5, 30, 40, 150, 200, 0], dtype=float),
        "handle_s": np.array([200, NAN, NAN, 300, 100, NAN, NAN, 350]),
        "wrap_s": np.array([10, NAN, NAN, 0, 20, NAN, NAN, 50]),
        "outcome": np.array(
            [answered, abandoned, abandoned, answered, answered, in_system, disconnected, answered],
            dtype=np.int8,
        ),
        "agent": np.array([0, -1, -1, 1, 0, -1, -1, 1], dtype=np.int32),
        "group": np.array([0, -1, -1, 1, 0, -1, -1, 1], dtype=np.int32),
        "attempt": np.ones(8, dtype=np.int16),
        "linked_id": np.full(8, -1, dtype=np.int64),
        "previous_agent": np.full(8, -1, dtype=np.int32),
        "skill_set": np.full(8, -1, dtype=np.int16),
    }
    presence = {
        "agent": np.array([0, 1, 1], dtype=np.int32),
        "group": np.array([0, 1, 1], dtype=np.int32),
        "start_s": np.array([0.0, 500.0, 1600.0]),
        "end_s": np.array([2500.0, 1500.0, 3000.0]),
    }
    return contacts, presence


def scripted_record(meta: RunMeta | None = None, **options: float) -> ReplicationRecord:
    """The scripted replication of the table above, played through the recorder."""
    contacts, presence = scripted_columns()
    return record_of(meta or scripted_meta(), contacts, presence, 2000.0, **options)


def row(frame: pd.DataFrame, **where: object) -> pd.Series:
    """The single row of ``frame`` matching every ``column=value``."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    assert mask.sum() == 1
    return frame[mask].iloc[0]


# ------------------------------------------------------------------ summary, by hand


def test_summary_columns_are_the_contract_then_extra_outcomes() -> None:
    summary = reports.replication_summary(scripted_meta(), scripted_record())

    assert list(summary.columns) == ["queue", *reports.SUMMARY_FIGURES, "disconnected", "in_system"]
    assert list(summary["queue"]) == ["billing", "tech", "ALL"]


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        (
            "billing",
            {
                "offered": 5, "answered": 2, "abandoned": 2, "answered_in_target": 2,
                "abandoned_in_target": 1, "abandon_rate": 0.4, "service_level": 0.4,
                "asa_s": 5.0, "mean_wait_s": 39.0, "wait_p50_s": 10.0, "wait_p90_s": 102.0,
                "wait_p95_s": 126.0, "max_wait_s": 150.0, "aht_s": 305.0, "occupancy": NAN,
                "disconnected": 0, "in_system": 1,
            },
        ),
        (
            "tech",
            {
                "offered": 3, "answered": 2, "abandoned": 0, "answered_in_target": 1,
                "abandoned_in_target": 0, "abandon_rate": 0.0, "service_level": 0.5,
                "asa_s": 35.0, "mean_wait_s": 90.0, "wait_p50_s": 40.0, "wait_p90_s": 168.0,
                "wait_p95_s": 184.0, "max_wait_s": 200.0, "aht_s": 210.0, "occupancy": NAN,
                "disconnected": 1, "in_system": 0,
            },
        ),
        (
            "ALL",
            {
                "offered": 8, "answered": 4, "abandoned": 2, "answered_in_target": 3,
                "abandoned_in_target": 1, "abandon_rate": 0.25, "service_level": 3 / 8,
                "asa_s": 20.0, "mean_wait_s": 58.125, "wait_p50_s": 30.0, "wait_p90_s": 165.0,
                "wait_p95_s": 182.5, "max_wait_s": 200.0, "aht_s": 257.5,
                "occupancy": 1030 / 3300, "disconnected": 1, "in_system": 1,
            },
        ),
    ],
)  # fmt: skip
def test_summary_figures_match_hand_computation(queue: str, expected: dict[str, float]) -> None:
    summary = reports.replication_summary(scripted_meta(), scripted_record())

    actual = row(summary, queue=queue)
    for name, value in expected.items():
        if name in PERCENTILES:  # read from the wait histogram: within its documented error
            assert within_histogram_error(actual[name], value), name
        else:
            assert actual[name] == pytest.approx(value, rel=1e-12, nan_ok=True), name


@pytest.mark.parametrize(
    ("definitions", "billing", "tech", "overall"),
    [
        (("offered", "answered"), 2 / 5, 1 / 2, 3 / 8),  # mixed: ALL uses "offered"
        (("answered", "answered"), 2 / 2, 1 / 2, 3 / 4),
        (("exclude_short_abandons", "exclude_short_abandons"), 2 / 4, 1 / 3, 3 / 7),
        (("offered", "offered"), 2 / 5, 1 / 3, 3 / 8),
    ],
)
def test_service_level_follows_each_queues_definition(
    definitions: tuple[str, str], billing: float, tech: float, overall: float
) -> None:
    summary = reports.replication_summary(scripted_meta(definitions), scripted_record())

    assert list(summary["service_level"]) == pytest.approx([billing, tech, overall], rel=1e-12)


def test_unknown_service_level_definition_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"unknown service-level definitions \['within'\]"):
        reports.replication_summary(scripted_meta(("offered", "within")), scripted_record())


def test_an_outcome_missing_from_meta_is_an_error() -> None:
    meta = dataclasses.replace(scripted_meta(), outcomes=("answered", "abandoned", "in_system"))

    with pytest.raises(ValueError, match=r"outcomes \['disconnected'\] are not in meta.outcomes"):
        reports.replication_summary(meta, scripted_record())


def test_summary_of_a_replication_without_contacts_is_zero_counts_and_nan_figures() -> None:
    # Every contact arrives during the warm-up: none is counted, their busy time still is.
    contacts, presence = scripted_columns()
    contacts["arrival_s"] = np.minimum(contacts["arrival_s"], 0.0)
    record = record_of(scripted_meta(), contacts, presence, 2000.0)

    summary = reports.replication_summary(scripted_meta(), record)

    assert (summary["offered"] == 0).all()
    assert (
        summary[["service_level", "asa_s", "wait_p90_s", "max_wait_s", "aht_s"]].isna().all().all()
    )
    assert summary["occupancy"].iloc[-1] == pytest.approx(1030 / 3300)


# ------------------------------------------------------------------- agents, by hand


def test_agents_match_hand_computation() -> None:
    agents = reports.replication_agents(scripted_meta(), scripted_record())

    assert list(agents.columns) == [
        "group", "staffed_h", "busy_h", "occupancy", "contacts_handled", "cost",
        "scheduled_h", "present_h", "on_break_h", "absent_h", "in_outage_h", "overtime_h",
        "breaks_delayed", "break_delay_s", "cost_per_contact_handled",
    ]  # fmt: skip
    assert list(agents["group"]) == ["tier1", "tier2"]
    assert list(agents["staffed_h"]) == pytest.approx([1900 / 3600, 1400 / 3600], rel=1e-12)
    assert list(agents["busy_h"]) == pytest.approx([330 / 3600, 700 / 3600], rel=1e-12)
    assert list(agents["occupancy"]) == pytest.approx([330 / 1900, 700 / 1400], rel=1e-12)
    assert list(agents["contacts_handled"]) == [2, 2]
    assert list(agents["cost"]) == pytest.approx([1900 / 3600 * 20, 1400 / 3600 * 30], rel=1e-12)
    assert list(agents["present_h"]) == list(agents["staffed_h"])  # no breaks
    assert list(agents["cost_per_contact_handled"]) == pytest.approx(
        [1900 / 3600 * 20 / 2, 1400 / 3600 * 30 / 2], rel=1e-12
    )


def test_contacts_still_in_service_are_busy_but_not_handled() -> None:
    contacts, presence = scripted_columns()
    contacts["outcome"][7] = OUTCOME_CODE["in_system"]
    record = record_of(scripted_meta(), contacts, presence, 2000.0)

    agents = reports.replication_agents(scripted_meta(), record)
    agent_intervals = reports.replication_agent_intervals(scripted_meta(), record)

    assert list(agents["contacts_handled"]) == [2, 1]
    assert row(agent_intervals, interval=1, group="tier2")["busy"] == pytest.approx(
        300 / 900
    )


# ---------------------------------------------------------------- intervals, by hand


def _calendar_starts(meta: RunMeta, intervals: pd.DataFrame) -> list[str]:
    """The distinct ``interval_start`` of an interval table, as ISO 8601 text."""
    calendar = with_interval_start(meta, intervals.copy())["interval_start"]
    return [time.isoformat() for time in calendar.unique()]


def test_interval_rows_match_hand_computation() -> None:
    intervals = reports.replication_intervals(scripted_meta(), scripted_record())

    assert list(intervals.columns) == [
        "interval", "start_s", "queue",
        *[name for name in reports.SUMMARY_FIGURES if name != "occupancy"],
        "disconnected", "in_system", "agents_staffed", "occupancy",
    ]  # fmt: skip
    assert list(intervals["queue"]) == ["billing", "tech", "ALL"] * 2
    assert list(intervals["interval"]) == [0, 0, 0, 1, 1, 1]
    assert list(intervals["start_s"]) == [100.0] * 3 + [1000.0] * 3
    assert _calendar_starts(scripted_meta(), intervals) == [
        "2026-01-05T00:01:40+00:00",
        "2026-01-05T00:16:40+00:00",
    ]
    assert list(intervals["offered"]) == [3, 1, 4, 2, 2, 4]
    assert list(intervals["answered"]) == [1, 1, 2, 1, 1, 2]
    assert list(intervals["abandoned_in_target"]) == [1, 0, 1, 0, 0, 0]
    assert list(intervals["in_system"]) == [0, 0, 0, 1, 0, 1]
    assert list(intervals["service_level"]) == pytest.approx([1 / 3, 1, 2 / 4, 1 / 2, 0, 1 / 4])
    expected_staffed = [NAN, NAN, 1400 / 900, NAN, NAN, 1700 / 900]
    expected_occupancy = [NAN, NAN, 510 / 1400, NAN, NAN, 420 / 1700]
    assert list(intervals["agents_staffed"]) == pytest.approx(expected_staffed, nan_ok=True)
    assert list(intervals["occupancy"]) == pytest.approx(expected_occupancy, nan_ok=True)


def test_agent_interval_rows_match_hand_computation() -> None:
    agent_intervals = reports.replication_agent_intervals(scripted_meta(), scripted_record())

    assert list(agent_intervals.columns) == [
        "interval", "start_s", "group", "scheduled", "present", "on_break", "absent",
        "in_outage", "busy", "overtime_h", "occupancy", "cost",
    ]  # fmt: skip
    assert list(agent_intervals["group"]) == ["tier1", "tier2"] * 2
    assert list(agent_intervals["present"]) == pytest.approx(
        [1.0, 500 / 900, 1.0, 800 / 900]
    )
    assert list(agent_intervals["busy"]) == pytest.approx(
        [210 / 900, 300 / 900, 120 / 900, 300 / 900]
    )
    assert list(agent_intervals["occupancy"]) == pytest.approx(
        [210 / 900, 300 / 500, 120 / 900, 300 / 800]
    )


def test_interval_starts_are_absolute_across_a_daylight_saving_change() -> None:
    # Berlin moves from +01:00 to +02:00 at 02:00 local on 2026-03-29.
    meta = dataclasses.replace(
        scripted_meta(),
        warmup_s=0.0,
        horizon_s=4 * 3600.0,
        interval_s=3600.0,
        start=datetime(2026, 3, 29, tzinfo=ZoneInfo("Europe/Berlin")),
    )

    intervals = reports.replication_intervals(meta, scripted_record(meta))

    assert _calendar_starts(meta, intervals) == [
        "2026-03-29T00:00:00+01:00",
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T04:00:00+02:00",
    ]


def test_last_interval_is_cut_at_the_horizon() -> None:
    # Horizon 1500 s: interval 0 = [100, 1000), interval 1 = [1000, 1600) of 600 s.
    meta = dataclasses.replace(scripted_meta(), horizon_s=1500.0)

    agent_intervals = reports.replication_agent_intervals(meta, scripted_record(meta))

    tier2 = row(agent_intervals, interval=1, group="tier2")
    assert tier2["present"] == pytest.approx(500 / 600)
    assert tier2["busy"] == pytest.approx(0.0)
    assert row(agent_intervals, interval=1, group="tier1")["busy"] == pytest.approx(
        120 / 600
    )


# ------------------------------------------------------------- queue length, contacts


def test_queue_length_is_the_time_average_of_contacts_waiting_in_each_step() -> None:
    lengths = reports.queue_length(scripted_meta(), scripted_record(queue_length_step_s=50.0))

    billing = lengths[lengths["queue"] == "billing"].set_index("time_s")["waiting"]
    tech = lengths[lengths["queue"] == "tech"].set_index("time_s")["waiting"]
    assert list(lengths.columns) == ["time_s", "queue", "waiting"]
    assert list(billing.index) == [100.0 + 50 * step for step in range(36)]
    # billing waits: [100, 110), [200, 230), [950, 955), [1850, 2000); contact 7 never waits
    assert list(billing[billing > 0].index) == [100.0, 200.0, 950.0, 1850.0]
    assert billing.max() == 1
    assert billing[200.0] == pytest.approx(30 / 50)  # waits [200, 230) of the step [200, 250)
    # tech waits: [500, 530), [1000, 1040), [1700, 1900)
    assert list(tech[tech > 0].index) == [500.0, 1000.0, 1700.0, 1750.0, 1800.0, 1850.0]


def test_wait_distribution_is_the_fraction_within_each_wait() -> None:
    grid = np.array([0.0, 10.0, 29.9, 30.0, 200.0])

    distribution = reports.wait_distribution(scripted_meta(), scripted_record(), grid)

    billing = distribution[distribution["queue"] == "billing"]["fraction_within"]
    tech = distribution[distribution["queue"] == "tech"]["fraction_within"]
    assert list(billing) == pytest.approx([1 / 5, 3 / 5, 3 / 5, 4 / 5, 1.0])
    assert list(tech) == pytest.approx([0.0, 0.0, 0.0, 1 / 3, 1.0])


def test_contact_log_has_names_and_the_contract_columns() -> None:
    contacts = reports.replication_contacts(scripted_meta(), scripted_record())

    assert list(contacts.columns) == [
        "replication", "contact_id", "customer_id", "queue", "channel", "arrival_s",
        "answered_s", "end_s", "wait_s", "handle_s", "outcome", "agent", "group", "attempt",
        "linked_id", "previous_agent", "skill_set",
    ]  # fmt: skip
    assert list(contacts["queue"]) == ["billing"] * 3 + ["tech"] * 2 + [
        "billing",
        "tech",
        "billing",
    ]
    assert list(contacts["outcome"])[5:7] == ["in_system", "disconnected"]
    assert list(contacts["agent"].astype(object).fillna("-")) == [
        "tier1-000", "-", "-", "tier2-000", "tier1-000", "-", "-", "tier2-000",
    ]  # fmt: skip
    assert contacts["group"].isna().sum() == 4
    assert (contacts["channel"] == "voice").all()


# ------------------------------------------------- a large random record, checked twice

RANDOM_OUTCOMES = ("answered", "abandoned", "balked", "in_system", "voicemail")


def random_meta() -> RunMeta:
    """Three queues, three service-level definitions, two groups; a partial last interval."""
    return RunMeta(
        queues=("billing", "tech", "sales"),
        channels=("voice", "voice", "voice"),  # one channel: no channel rows (test_video_channel)
        groups=("tier1", "tier2"),
        agent_names=tuple(f"agent-{index}" for index in range(6)),
        agent_groups=(0, 0, 0, 1, 1, 1),
        cost_per_hour=(25.0, 40.0),
        sl_threshold_s=(20.0, 60.0, 30.0),
        sl_target=(0.8, 0.8, 0.9),
        sl_definition=("offered", "answered", "exclude_short_abandons"),
        outcomes=RANDOM_OUTCOMES,
        warmup_s=600.0,
        horizon_s=10_000.0,
        interval_s=900.0,
        start=datetime(2026, 1, 5, tzinfo=timezone.utc),
    )


def random_record(meta: RunMeta, rng: np.random.Generator, size: int = 4000) -> ReplicationRecord:
    """Random contacts and presence, played through the recorder in chunks of 1,000."""
    end_run = meta.warmup_s + meta.horizon_s + 700.0
    outcome = rng.choice([OUTCOME_CODE[name] for name in RANDOM_OUTCOMES], size=size)
    arrival = meta.warmup_s + rng.uniform(0, meta.horizon_s, size)
    wait = np.where(rng.random(size) < 0.2, 0.0, rng.exponential(40.0, size))
    wait[outcome == OUTCOME_CODE["balked"]] = 0.0
    served = outcome == OUTCOME_CODE["answered"]
    agent = np.where(served, rng.integers(0, 6, size), -1).astype(np.int32)
    contacts = {
        "contact_id": np.arange(size, dtype=np.int64),
        "customer_id": rng.integers(0, size // 2, size),
        "queue": rng.integers(0, 3, size).astype(np.int32),
        "arrival_s": arrival,
        "answered_s": np.where(served, arrival + wait, NAN),
        "end_s": np.where(served, arrival + wait + 180.0, arrival + wait),
        "wait_s": wait,
        "handle_s": np.where(served, rng.exponential(180.0, size), NAN),
        "wrap_s": np.where(served, rng.choice([0.0, 30.0], size), NAN),
        "outcome": outcome.astype(np.int8),
        "agent": agent,
        "group": np.where(agent >= 0, agent // 3, -1).astype(np.int32),
        "attempt": rng.integers(1, 3, size).astype(np.int16),
    }
    later = contacts["attempt"] > 1
    contacts["linked_id"] = np.where(later, rng.integers(0, size, size), -1).astype(np.int64)
    contacts["previous_agent"] = np.where(later, rng.integers(0, 6, size), -1).astype(np.int32)
    contacts["skill_set"] = np.where(served, rng.integers(0, 2, size), -1).astype(np.int16)
    presence = random_presence(rng, end_run)
    return record_of(meta, contacts, presence, end_run, chunk_size=1000)


def random_presence(rng: np.random.Generator, end_run: float) -> dict[str, np.ndarray]:
    """Three disjoint on-duty periods for each of six agents, some starting in the warm-up."""
    agent = np.repeat(np.arange(6), 3).astype(np.int32)
    bounds = np.sort(rng.uniform(0, end_run + 1000.0, (6, 6)), axis=1)
    return {
        "agent": agent,
        "group": (agent // 3).astype(np.int32),
        "start_s": bounds[:, 0::2].ravel(),
        "end_s": bounds[:, 1::2].ravel(),
    }


def interval_lengths(meta: RunMeta) -> np.ndarray:
    """Length (seconds) of each reporting interval; the last one ends at the horizon."""
    horizon_end = meta.warmup_s + meta.horizon_s
    starts = np.arange(meta.warmup_s, horizon_end, meta.interval_s)
    return np.diff([*starts, horizon_end])


def loop_busy_seconds(record: ReplicationRecord, begin: float, end: float) -> list[float]:
    """Busy agent-seconds per group inside [begin, end], one contact at a time."""
    busy = [0.0, 0.0]
    contacts = record.contacts
    for index in range(len(contacts["queue"])):
        if contacts["group"][index] < 0:
            continue
        start = contacts["answered_s"][index]
        stop = start + contacts["handle_s"][index] + contacts["wrap_s"][index]
        busy[contacts["group"][index]] += max(0.0, min(stop, end) - max(start, begin))
    return busy


def loop_summary(meta: RunMeta, record: ReplicationRecord, queue: int | None) -> dict[str, float]:
    """Summary figures of one queue (None: all queues), one contact at a time."""
    contacts = record.contacts
    waits, answered_waits, works = [], [], []
    counts = dict.fromkeys(OUTCOMES, 0)
    answered_in_target = abandoned_in_target = 0
    for index in range(len(contacts["queue"])):
        own_queue = int(contacts["queue"][index])
        if queue is not None and own_queue != queue:
            continue
        outcome = OUTCOMES[contacts["outcome"][index]]
        wait = float(contacts["wait_s"][index])
        within = wait <= meta.sl_threshold_s[own_queue]
        counts[outcome] += 1
        waits.append(wait)
        if outcome == "answered":
            answered_waits.append(wait)
            works.append(contacts["handle_s"][index] + contacts["wrap_s"][index])
            answered_in_target += within
        abandoned_in_target += outcome == "abandoned" and within
    offered = len(waits)
    definition = meta.sl_definition[queue] if queue is not None else "offered"
    denominator = {
        "offered": offered,
        "answered": counts["answered"],
        "exclude_short_abandons": offered - abandoned_in_target,
    }[definition]
    cut_points = statistics.quantiles(waits, n=100, method="inclusive")
    return {
        "offered": offered,
        **{
            name: counts[name]
            for name in ("answered", "abandoned", "balked", "in_system", "voicemail")
        },
        "answered_in_target": answered_in_target,
        "abandoned_in_target": abandoned_in_target,
        "abandon_rate": counts["abandoned"] / offered,
        "service_level": answered_in_target / denominator,
        "asa_s": statistics.fmean(answered_waits),
        "mean_wait_s": statistics.fmean(waits),
        "wait_p50_s": cut_points[49],
        "wait_p90_s": cut_points[89],
        "wait_p95_s": cut_points[94],
        "max_wait_s": max(waits),
        "aht_s": statistics.fmean(works),
    }


@pytest.fixture(scope="module")
def random_run() -> tuple[RunMeta, ReplicationRecord]:
    """A random replication of a few thousand contacts."""
    meta = random_meta()
    return meta, random_record(meta, np.random.default_rng(20260105))


@pytest.mark.parametrize("queue", [0, 1, 2, None])
def test_summary_equals_a_loop_over_contacts(
    random_run: tuple[RunMeta, ReplicationRecord], queue: int | None
) -> None:
    meta, record = random_run

    summary = reports.replication_summary(meta, record)

    actual = summary.iloc[queue if queue is not None else len(meta.queues)]
    for name, value in loop_summary(meta, record, queue).items():
        if name in PERCENTILES:  # read from the wait histogram: within its documented error
            assert within_histogram_error(actual[name], value), name
        else:
            assert actual[name] == pytest.approx(value, rel=1e-12), name


def test_offered_is_the_sum_of_the_outcome_counts(
    random_run: tuple[RunMeta, ReplicationRecord],
) -> None:
    meta, record = random_run
    summary = reports.replication_summary(meta, record)
    intervals = reports.replication_intervals(meta, record)

    for frame in (summary, intervals):
        counted = frame[["answered", "abandoned", *reports.outcome_count_columns(meta)]].sum(axis=1)
        assert (frame["offered"] == counted).all()
    assert summary["offered"].iloc[-1] == len(record.contacts["queue"])


def test_interval_counts_add_up_to_the_summary(
    random_run: tuple[RunMeta, ReplicationRecord],
) -> None:
    meta, record = random_run
    summary = reports.replication_summary(meta, record).set_index("queue")
    intervals = reports.replication_intervals(meta, record)

    counts = ["offered", "answered", "abandoned", "answered_in_target", "abandoned_in_target"]
    counts += reports.outcome_count_columns(meta)
    totals = intervals.groupby("queue", observed=True)[counts].sum()
    pd.testing.assert_frame_equal(totals, summary[counts], check_names=False)
    assert intervals["interval"].max() == 11  # ceil(10000 / 900) intervals


def test_interval_busy_time_adds_up_to_the_busy_time_within_the_horizon(
    random_run: tuple[RunMeta, ReplicationRecord],
) -> None:
    meta, record = random_run
    horizon_end = meta.warmup_s + meta.horizon_s
    agent_intervals = reports.replication_agent_intervals(meta, record)

    length = interval_lengths(meta)[agent_intervals["interval"]]
    busy = (agent_intervals["busy"] * length).groupby(
        agent_intervals["group"], observed=True
    )
    expected = loop_busy_seconds(record, meta.warmup_s, horizon_end)
    assert list(busy.sum()) == pytest.approx(expected, rel=1e-12)


def test_busy_hours_and_occupancy_come_from_the_engine_busy_area(
    random_run: tuple[RunMeta, ReplicationRecord],
) -> None:
    meta, record = random_run
    agents = reports.replication_agents(meta, record)
    summary = reports.replication_summary(meta, record)

    expected_busy_s = loop_busy_seconds(record, meta.warmup_s, record.end_s)
    assert list(agents["busy_h"] * 3600) == pytest.approx(expected_busy_s, rel=1e-12)
    overall = sum(expected_busy_s) / (agents["staffed_h"].sum() * 3600)
    assert summary["occupancy"].iloc[-1] == pytest.approx(overall, rel=1e-12)
    assert summary["occupancy"].iloc[:-1].isna().all()


def test_interval_staffing_equals_clipped_presence(
    random_run: tuple[RunMeta, ReplicationRecord],
) -> None:
    meta, record = random_run
    horizon_end = meta.warmup_s + meta.horizon_s
    agent_intervals = reports.replication_agent_intervals(meta, record)
    overall = reports.replication_intervals(meta, record).query("queue == 'ALL'")

    presence = record.presence
    start = np.clip(presence["start_s"], meta.warmup_s, horizon_end)
    present = np.clip(presence["end_s"], meta.warmup_s, horizon_end) - start
    lengths = interval_lengths(meta)
    assert (overall["agents_staffed"] * lengths).sum() == pytest.approx(present.sum(), rel=1e-12)
    per_group = (agent_intervals["present"] * lengths[agent_intervals["interval"]]).groupby(
        agent_intervals["group"], observed=True
    )
    expected = [present[presence["group"] == group].sum() for group in (0, 1)]
    assert list(per_group.sum()) == pytest.approx(expected, rel=1e-12)
    assert agent_intervals["present"].max() <= 3  # three agents per group


def test_queue_length_integrates_to_the_total_wait(
    random_run: tuple[RunMeta, ReplicationRecord],
) -> None:
    # Sampled every second, the queue length summed over the grid is the total wait
    # inside the horizon, up to one second per contact.
    meta, record = random_run
    step = 1.0
    record = record_of(
        meta, record.contacts, record.presence, record.end_s, queue_length_step_s=step
    )
    lengths = reports.queue_length(meta, record)
    contacts = record.contacts
    end = meta.warmup_s + meta.horizon_s
    inside = np.minimum(contacts["arrival_s"] + contacts["wait_s"], end) - contacts["arrival_s"]

    sampled_wait = lengths["waiting"].sum() * step
    assert abs(sampled_wait - inside.sum()) <= len(inside) * step


# ------------------------------------------------------------------------- combine


def test_combine_means_and_student_t_half_widths() -> None:
    frames = [
        pd.DataFrame({"queue": ["a", "b"], "value": [1.0, 10.0], "count": [3, 4]}),
        pd.DataFrame({"queue": ["a", "b"], "value": [2.0, NAN], "count": [5, 4]}),
        pd.DataFrame({"queue": ["a", "b"], "value": [6.0, 14.0], "count": [7, 4]}),
    ]

    combined = reports.combine(frames, ["queue"])

    assert list(combined.columns) == ["queue", "value", "value_ci95", "count", "count_ci95"]
    assert list(combined["queue"]) == ["a", "b"]
    assert list(combined["value"]) == pytest.approx([3.0, 12.0])
    # a: values 1, 2, 6 -> s = sqrt(7); b: 10, 14 (NaN skipped) -> s = sqrt(8), n = 2
    expected_a = stats.t.ppf(0.975, 2) * math.sqrt(7) / math.sqrt(3)
    expected_b = stats.t.ppf(0.975, 1) * math.sqrt(8) / math.sqrt(2)
    assert list(combined["value_ci95"]) == pytest.approx([expected_a, expected_b], rel=1e-12)
    assert list(combined["count_ci95"]) == pytest.approx(
        [stats.t.ppf(0.975, 2) * 2 / math.sqrt(3), 0]
    )


def test_combine_half_width_needs_two_defined_values() -> None:
    frames = [
        pd.DataFrame({"queue": ["a"], "value": [1.0]}),
        pd.DataFrame({"queue": ["a"], "value": [NAN]}),
    ]

    combined = reports.combine(frames, ["queue"])

    assert combined["value"].iloc[0] == 1.0
    assert math.isnan(combined["value_ci95"].iloc[0])


def test_combine_of_one_replication_has_no_half_widths() -> None:
    summary = reports.replication_summary(scripted_meta(), scripted_record())

    combined = reports.combine([summary], ["queue"])

    assert list(combined.columns) == list(summary.columns)
    pd.testing.assert_frame_equal(combined, summary, check_dtype=False)


def test_combine_keeps_the_row_order_of_the_intervals(
    random_run: tuple[RunMeta, ReplicationRecord],
) -> None:
    meta, record = random_run
    intervals = reports.replication_intervals(meta, record)
    keys = ["interval", "start_s", "queue"]

    combined = reports.combine([intervals, intervals], keys)

    pd.testing.assert_frame_equal(combined[keys], intervals[keys])
    assert (combined["offered_ci95"] == 0).all()
