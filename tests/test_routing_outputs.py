"""Tests of the issue-3 outputs: routing.csv, per-agent rows, repeat-contact and outcome columns.

A scripted replication is computed by hand; a random one is checked against a
plain-Python loop over its contacts; a short simulation checks the invariants
between the tables.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# Record helpers shared with the reports tests (tests/ is on sys.path under pytest).
from recording import record_of
from test_reports import random_presence, row

import simcenter
from simcenter import reports
from simcenter.records import OUTCOME_CODE, OUTCOMES, ReplicationRecord, RunMeta
from simcenter.results import Results

NAN = math.nan
HOUR = 3600.0

# --------------------------------------------------------------------------------------
# A scripted replication with every issue-3 outcome, computed by hand.
#
# warm-up 0, horizon 3600 s, interval 1800 s, the run drains until end_s = 4000.
# billing (threshold 20 s) repeats, handover factor 1.25; tech (threshold 30 s) does not.
# tier1 = agents 0, 1 (tier1-001, tier1-002); tier2 = agent 2 (tier2-001).
# On duty: agent 0 [0, 4000]; agent 1 [0, 1000] + [2000, 5000] -> 1000 + 2000 s;
#          agent 2 [0, 1500] + [2400, 4500] -> 1500 + 1600 s (clipped at end_s = 4000).
#
# id cust queue   arr   ans   end  wait hand wrap outcome      agent att link prev set
#  0  0  billing  100   110   310   10  200   20  transferred    0    1   -1   -1   0
#  1  0  tech     310   340   640   30  300    0  answered       2    1    0   -1  -1
#  2  1  billing  200    -    200    0    -    -  blocked        -    1   -1   -1  -1
#  3  2  billing  300    -    300    0    -    -  balked         -    1   -1   -1  -1
#  4  3  billing  400    -    520  120    -    -  voicemail      -    1   -1   -1  -1
#  5  4  billing  600   605   905    5  300   30  answered       1    1   -1   -1   1
#  6  4  billing 1500  2010  2410  510  400   10  answered       1    2    5    1   1
#  7  5  billing 1000  1010  1210   10  200    0  answered       0    1   -1   -1   0
#  8  5  billing 2500  2515  2765   15  250    0  answered       2    2    7    0  -1
#  9  6  billing 2600  2605  2805    5  100    0  answered       0    1   -1   -1   0
# 10  6  billing 3000  3005  3505    5  500    0  transferred    0    2    9    0   0
# 11  6  tech    3505  3520  3820   15  300   40  answered       2    2   10   -1  -1
# 12  7  tech    3550    -   3600   50    -    -  abandoned      -    1   -1   -1  -1
# 13  8  tech    3100    -   3250  150    -    -  transferred    -    1   -1   -1  -1
# 14  8  billing 3250  3260  3460   10  200    0  answered       1    1   13   -1   1
# 15  4  billing 3300    -   3400  100    -    -  abandoned      -    3    6    1  -1
#
# Contact 0 was transferred after talk, contact 13 rerouted unanswered (max_wait.to).
# Busy [answered, answered + handle + wrap]: agent 0: 220 + 200 + 100 + 500 = 1020 s;
# agent 1: 330 + 410 + 200 = 940 s; agent 2: 300 + 250 + 340 = 890 s.
# Repeat contacts an agent handled: 6 (same agent), 8 (other agent), 10 (same agent,
# then transferred); 15 abandoned. Handover cost of 8: 250 · (1 − 1/1.25) = 50 s.
# --------------------------------------------------------------------------------------

SCRIPTED_OUTCOMES = (
    "answered", "abandoned", "blocked", "balked", "voicemail", "disconnected", "transferred",
    "in_system",
)  # fmt: skip


def scripted_meta() -> RunMeta:
    """The run description of the scripted replication."""
    return RunMeta(
        queues=("billing", "tech"),
        channels=("voice", "voice"),
        groups=("tier1", "tier2"),
        agent_names=("tier1-001", "tier1-002", "tier2-001"),
        agent_groups=(0, 0, 1),
        cost_per_hour=(20.0, 30.0),
        sl_threshold_s=(20.0, 30.0),
        sl_target=(0.8, 0.8),
        sl_definition=("offered", "offered"),
        outcomes=SCRIPTED_OUTCOMES,
        warmup_s=0.0,
        horizon_s=3600.0,
        interval_s=1800.0,
        start=datetime(2026, 1, 5, tzinfo=timezone.utc),
        repeat_queues=(True, False),
        handover_factor=(1.25, 1.0),
    )


def codes(*names: str) -> np.ndarray:
    """Outcome codes of outcome names."""
    return np.array([OUTCOME_CODE[name] for name in names], dtype=np.int8)


def scripted_columns() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The contacts and on-duty periods of the table above, as columns."""
    contacts = {
        "contact_id": np.arange(16, dtype=np.int64),
        "customer_id": np.array([0, 0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 7, 8, 8, 4], dtype=np.int64),
        "queue": np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0], dtype=np.int32),
        "arrival_s": np.array(
            [100, 310, 200, 300, 400, 600, 1500, 1000, 2500, 2600, 3000, 3505, 3550, 3100, 3250,
             3300], dtype=float,
        ),
        "answered_s": np.array(
            [110, 340, NAN, NAN, NAN, 605, 2010, 1010, 2515, 2605, 3005, 3520, NAN, NAN, 3260, NAN]
        ),
        "end_s": np.array(
            [310, 640, 200, 300, 520, 905, 2410, 1210, 2765, 2805, 3505, 3820, 3600, 3250, 3460,
             3400], dtype=float,
        ),
        "wait_s": np.array(
            [10, 30, 0, 0, 120, 5, 510, 10, 15, 5, 5, 15, 50, 150, 10, 100], dtype=float
        ),
        "handle_s": np.array(
            [200, 300, NAN, NAN, NAN, 300, 400, 200, 250, 100, 500, 300, NAN, NAN, 200, NAN]
        ),
        "wrap_s": np.array([20, 0, NAN, NAN, NAN, 30, 10, 0, 0, 0, 0, 40, NAN, NAN, 0, NAN]),
        "outcome": codes(
            "transferred", "answered", "blocked", "balked", "voicemail", "answered", "answered",
            "answered", "answered", "answered", "transferred", "answered", "abandoned",
            "transferred", "answered", "abandoned",
        ),
        "agent": np.array([0, 2, -1, -1, -1, 1, 1, 0, 2, 0, 0, 2, -1, -1, 1, -1], dtype=np.int32),
        "group": np.array([0, 1, -1, -1, -1, 0, 0, 0, 1, 0, 0, 1, -1, -1, 0, -1], dtype=np.int32),
        "attempt": np.array([1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 2, 1, 1, 1, 3], dtype=np.int16),
        "linked_id": np.array(
            [-1, 0, -1, -1, -1, -1, 5, -1, 7, -1, 9, 10, -1, -1, 13, 6], dtype=np.int64
        ),
        "previous_agent": np.array(
            [-1, -1, -1, -1, -1, -1, 1, -1, 0, -1, 0, -1, -1, -1, -1, 1], dtype=np.int32
        ),
        "skill_set": np.array(
            [0, -1, -1, -1, -1, 1, 1, 0, -1, 0, 0, -1, -1, -1, 1, -1], dtype=np.int16
        ),
    }  # fmt: skip
    presence = {
        "agent": np.array([0, 1, 1, 2, 2], dtype=np.int32),
        "group": np.array([0, 0, 0, 1, 1], dtype=np.int32),
        "start_s": np.array([0.0, 0.0, 2000.0, 0.0, 2400.0]),
        "end_s": np.array([4000.0, 1000.0, 5000.0, 1500.0, 4500.0]),
    }
    return contacts, presence


def scripted_record(
    contacts: dict[str, np.ndarray] | None = None, replication: int = 0
) -> ReplicationRecord:
    """The scripted replication of the table above (or other ``contacts``), via the recorder."""
    scripted, presence = scripted_columns()
    return record_of(scripted_meta(), contacts or scripted, presence, 4000.0, replication)


def assert_row(actual: pd.Series, expected: dict[str, float]) -> None:
    """Every expected figure of a row, to floating-point rounding (NaN equals NaN)."""
    for name, value in expected.items():
        assert actual[name] == pytest.approx(value, rel=1e-12, nan_ok=True), name


# ------------------------------------------------------------------ summary, by hand

OUTCOME_COUNTS = ["blocked", "balked", "voicemail", "disconnected", "transferred", "in_system"]


def test_summary_has_outcome_then_repeat_columns() -> None:
    summary = reports.replication_summary(scripted_meta(), scripted_record())

    assert list(summary.columns) == [
        "queue", *reports.SUMMARY_FIGURES, *OUTCOME_COUNTS, *reports.REPEAT_FIGURES,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        (
            "billing",
            {
                "offered": 12, "answered": 6, "abandoned": 1, "blocked": 1, "balked": 1,
                "voicemail": 1, "disconnected": 0, "transferred": 2, "in_system": 0,
                "answered_in_target": 5, "abandoned_in_target": 0, "service_level": 5 / 12,
                "asa_s": 555 / 6, "mean_wait_s": 790 / 12, "aht_s": 1490 / 6,
                "repeat_contacts": 3, "same_agent_share": 2 / 3, "handover_extra_s": 50.0,
            },
        ),
        (
            "tech",
            {
                "offered": 4, "answered": 2, "abandoned": 1, "blocked": 0, "balked": 0,
                "voicemail": 0, "transferred": 1, "answered_in_target": 2,
                "service_level": 0.5, "asa_s": 22.5, "aht_s": 320.0,
                "repeat_contacts": 0, "same_agent_share": NAN, "handover_extra_s": NAN,
            },
        ),
        (
            "ALL",
            {
                "offered": 16, "answered": 8, "abandoned": 2, "blocked": 1, "balked": 1,
                "voicemail": 1, "transferred": 3, "answered_in_target": 7,
                "service_level": 7 / 16, "asa_s": 75.0, "occupancy": 2850 / 10100,
                "repeat_contacts": 3, "same_agent_share": 2 / 3, "handover_extra_s": 50.0,
            },
        ),
    ],
)  # fmt: skip
def test_summary_figures_match_hand_computation(queue: str, expected: dict[str, float]) -> None:
    summary = reports.replication_summary(scripted_meta(), scripted_record())

    assert_row(row(summary, queue=queue), expected)


def test_offered_is_the_sum_of_every_outcome_count() -> None:
    summary = reports.replication_summary(scripted_meta(), scripted_record())

    counted = summary[["answered", "abandoned", *OUTCOME_COUNTS]].sum(axis=1)
    assert list(summary["offered"]) == list(counted)


def test_a_transferred_contact_answered_in_target_counts_in_neither_asa_nor_service_level() -> None:
    # Contact 0 (billing) was answered after 10 s, within the 20 s threshold, then
    # transferred. Relabelled answered, it would enter ASA and answered_in_target.
    contacts, _ = scripted_columns()
    contacts["outcome"][0] = OUTCOME_CODE["answered"]
    record = scripted_record(contacts)

    relabelled = row(reports.replication_summary(scripted_meta(), record), queue="billing")
    summary = row(reports.replication_summary(scripted_meta(), scripted_record()), queue="billing")

    assert relabelled["answered_in_target"] == summary["answered_in_target"] + 1
    assert relabelled["asa_s"] == pytest.approx((555 + 10) / 7)
    assert summary["asa_s"] == pytest.approx(555 / 6)


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        (0, {"repeat_contacts": 1, "same_agent_share": 1.0, "handover_extra_s": NAN}),
        (1, {"repeat_contacts": 2, "same_agent_share": 0.5, "handover_extra_s": 50.0}),
    ],
)
def test_interval_repeat_figures_match_hand_computation(
    interval: int, expected: dict[str, float]
) -> None:
    intervals = reports.replication_intervals(scripted_meta(), scripted_record())

    assert list(intervals.columns[-5:]) == [*reports.REPEAT_FIGURES, "agents_staffed", "occupancy"]
    assert_row(row(intervals, interval=interval, queue="billing"), expected)
    assert row(intervals, interval=interval, queue="tech")["repeat_contacts"] == 0


def test_repeat_columns_follow_the_scenario_not_the_contacts() -> None:
    # Contacts with a previous agent, but no queue repeats: no columns; a queue that
    # repeats but no repeat contact: the columns, with zero contacts.
    record = scripted_record()
    without = dataclasses.replace(scripted_meta(), repeat_queues=(), handover_factor=())
    contacts, _ = scripted_columns()
    quiet = scripted_record({**contacts, "previous_agent": np.full(16, -1, dtype=np.int32)})

    no_repeats = reports.replication_summary(without, record)
    no_contacts = reports.replication_summary(scripted_meta(), quiet)

    assert not set(reports.REPEAT_FIGURES) & set(no_repeats.columns)
    assert list(no_contacts["repeat_contacts"]) == [0, 0, 0]
    assert no_contacts["same_agent_share"].isna().all()


def test_repeats_need_a_handover_factor_per_queue() -> None:
    meta = dataclasses.replace(scripted_meta(), handover_factor=(1.25,))

    with pytest.raises(ValueError, match=r"handover_factor must have one factor per queue \(2\)"):
        reports.replication_summary(meta, scripted_record())


# ------------------------------------------------------ routing and agents, by hand


def test_routing_rows_match_hand_computation() -> None:
    routing = reports.replication_routing(scripted_meta(), scripted_record())

    assert list(routing.columns) == ["group", "queue", "handled", "talk_h", "busy_h", "aht_s"]
    assert list(routing["group"]) == ["tier1", "tier1", "tier2", "tier2"]
    assert list(routing["queue"]) == ["billing", "tech", "billing", "tech"]
    assert list(routing["handled"]) == [7, 0, 1, 2]
    assert list(routing["talk_h"]) == pytest.approx([1900 / HOUR, 0, 250 / HOUR, 600 / HOUR])
    assert list(routing["busy_h"]) == pytest.approx([1960 / HOUR, 0, 250 / HOUR, 640 / HOUR])
    assert list(routing["aht_s"]) == pytest.approx([280.0, NAN, 250.0, 320.0], nan_ok=True)


def test_agent_detail_rows_match_hand_computation() -> None:
    details = reports.replication_agent_details(scripted_meta(), scripted_record())

    assert list(details.columns) == [
        "agent", "group", "staffed_h", "busy_h", "occupancy", "contacts_handled",
    ]  # fmt: skip
    assert list(details["agent"]) == ["tier1-001", "tier1-002", "tier2-001"]
    assert list(details["group"]) == ["tier1", "tier1", "tier2"]
    assert list(details["staffed_h"]) == pytest.approx([4000 / HOUR, 3000 / HOUR, 3100 / HOUR])
    assert list(details["busy_h"]) == pytest.approx([1020 / HOUR, 940 / HOUR, 890 / HOUR])
    assert list(details["occupancy"]) == pytest.approx([1020 / 4000, 940 / 3000, 890 / 3100])
    assert list(details["contacts_handled"]) == [4, 3, 3]


def test_agent_busy_time_is_clipped_to_the_run() -> None:
    # Contact 14 answered at 3900 s with 300 s of talk, still talking when the run
    # ended at 4000 s: busy for 100 s, not handled.
    contacts, _ = scripted_columns()
    contacts["answered_s"][14] = 3900.0
    contacts["handle_s"][14] = 300.0
    contacts["outcome"][14] = OUTCOME_CODE["in_system"]
    record = scripted_record(contacts)

    details = reports.replication_agent_details(scripted_meta(), record)

    assert details["busy_h"].iloc[1] == pytest.approx((330 + 410 + 100) / HOUR)
    assert details["contacts_handled"].iloc[1] == 2


def test_contact_log_carries_links_previous_agents_and_skill_sets() -> None:
    contacts = reports.replication_contacts(scripted_meta(), scripted_record())

    assert list(contacts.columns[-3:]) == ["linked_id", "previous_agent", "skill_set"]
    # The record's -1 (no link, no skill set) are missing values; the rest is kept.
    assert [str(contacts[name].dtype) for name in ("linked_id", "skill_set")] == ["Int64", "Int16"]
    assert contacts["linked_id"].dropna().to_dict() == {
        1: 0, 6: 5, 8: 7, 10: 9, 11: 10, 14: 13, 15: 6,
    }  # fmt: skip
    assert contacts["linked_id"].isna().sum() == 9
    assert contacts["skill_set"].dropna().to_dict() == {0: 0, 5: 1, 6: 1, 7: 0, 9: 0, 10: 0, 14: 1}
    assert contacts["skill_set"].isna().sum() == 9
    previous = contacts["previous_agent"].astype(object).where(contacts["previous_agent"].notna())
    assert previous.dropna().to_dict() == {
        6: "tier1-002", 8: "tier1-001", 10: "tier1-001", 15: "tier1-002",
    }  # fmt: skip


# ------------------------------------------------- a random record, checked by a loop

RANDOM_OUTCOMES = (
    "answered", "abandoned", "blocked", "balked", "voicemail", "transferred", "in_system",
)  # fmt: skip


def random_meta() -> RunMeta:
    """Three queues (two repeat, with different handover factors), six agents in two groups."""
    return RunMeta(
        queues=("billing", "tech", "sales"),
        channels=("voice", "voice", "voice"),
        groups=("tier1", "tier2"),
        agent_names=tuple(f"agent-{index}" for index in range(6)),
        agent_groups=(0, 0, 0, 1, 1, 1),
        cost_per_hour=(25.0, 40.0),
        sl_threshold_s=(20.0, 60.0, 30.0),
        sl_target=(0.8, 0.8, 0.9),
        sl_definition=("offered", "offered", "offered"),
        outcomes=RANDOM_OUTCOMES,
        warmup_s=600.0,
        horizon_s=10_000.0,
        interval_s=900.0,
        start=datetime(2026, 1, 5, tzinfo=timezone.utc),
        repeat_queues=(True, False, True),
        handover_factor=(1.25, 1.0, 1.5),
    )


def random_record(meta: RunMeta, rng: np.random.Generator, size: int = 3000) -> ReplicationRecord:
    """Random contacts: answered, transferred with or without talk, in service at the end, ..."""
    end_run = meta.warmup_s + meta.horizon_s + 700.0
    outcome = rng.choice([OUTCOME_CODE[name] for name in RANDOM_OUTCOMES], size=size)
    arrival = meta.warmup_s + rng.uniform(0, meta.horizon_s, size)
    wait = rng.exponential(40.0, size)
    talked = np.isin(outcome, codes("answered", "in_system")) | (
        (outcome == OUTCOME_CODE["transferred"]) & (rng.random(size) < 0.5)
    )
    agent = np.where(talked, rng.integers(0, 6, size), -1).astype(np.int32)
    queue = rng.integers(0, 3, size).astype(np.int32)
    repeat = np.asarray(meta.repeat_queues)[queue] & (rng.random(size) < 0.4)
    contacts = {
        "contact_id": np.arange(size, dtype=np.int64),
        "customer_id": rng.integers(0, size // 2, size),
        "queue": queue,
        "arrival_s": arrival,
        "answered_s": np.where(talked, arrival + wait, NAN),
        "end_s": np.where(talked, arrival + wait + 180.0, arrival + wait),
        "wait_s": wait,
        "handle_s": np.where(talked, rng.exponential(180.0, size), NAN),
        "wrap_s": np.where(talked, rng.choice([0.0, 30.0], size), NAN),
        "outcome": outcome.astype(np.int8),
        "agent": agent,
        "group": np.where(agent >= 0, agent // 3, -1).astype(np.int32),
        "attempt": np.where(repeat, 2, 1).astype(np.int16),
        "linked_id": np.where(repeat, rng.integers(0, size, size), -1).astype(np.int64),
        "previous_agent": np.where(repeat, rng.integers(0, 6, size), -1).astype(np.int32),
        "skill_set": np.where(talked, rng.integers(-1, 2, size), -1).astype(np.int16),
    }
    in_service = outcome == OUTCOME_CODE["in_system"]
    contacts["wrap_s"][in_service] = 0.0
    contacts["end_s"][in_service] = NAN
    return record_of(meta, contacts, random_presence(rng, end_run), end_run, chunk_size=500)


@pytest.fixture(scope="module")
def random_run() -> tuple[RunMeta, ReplicationRecord]:
    """A random replication of a few thousand contacts."""
    meta = random_meta()
    return meta, random_record(meta, np.random.default_rng(20260106))


def handled_by_loop(contacts: dict[str, np.ndarray], index: int) -> bool:
    """Whether an agent answered the contact and finished talking to it in the run."""
    outcome = OUTCOMES[contacts["outcome"][index]]
    return contacts["agent"][index] >= 0 and outcome in ("answered", "transferred")


def loop_routing(meta: RunMeta, record: ReplicationRecord) -> dict[tuple[int, int], list[float]]:
    """(group, queue) -> [handled, talk seconds, talk + wrap-up seconds], one contact at a time."""
    cells: dict[tuple[int, int], list[float]] = {}
    contacts = record.contacts
    for index in range(len(contacts["queue"])):
        if not handled_by_loop(contacts, index):
            continue
        key = (int(contacts["group"][index]), int(contacts["queue"][index]))
        cell = cells.setdefault(key, [0, 0.0, 0.0])
        cell[0] += 1
        cell[1] += contacts["handle_s"][index]
        cell[2] += contacts["handle_s"][index] + contacts["wrap_s"][index]
    return cells


def test_routing_equals_a_loop_over_contacts(random_run: tuple[RunMeta, ReplicationRecord]) -> None:
    meta, record = random_run

    routing = reports.replication_routing(meta, record)

    expected = loop_routing(meta, record)
    assert len(routing) == 6
    for group_index, group in enumerate(meta.groups):
        for queue_index, queue in enumerate(meta.queues):
            handled, talk_s, busy_s = expected.get((group_index, queue_index), [0, 0.0, 0.0])
            actual = row(routing, group=group, queue=queue)
            assert actual["handled"] == handled
            assert actual["talk_h"] * HOUR == pytest.approx(talk_s, rel=1e-12)
            assert actual["busy_h"] * HOUR == pytest.approx(busy_s, rel=1e-12)
            assert actual["aht_s"] == pytest.approx(busy_s / handled, rel=1e-12)


def test_agent_details_equal_a_loop_over_contacts_and_presence(
    random_run: tuple[RunMeta, ReplicationRecord],
) -> None:
    meta, record = random_run
    contacts, presence = record.contacts, record.presence
    busy, staffed, handled = [0.0] * 6, [0.0] * 6, [0] * 6
    for index in range(len(contacts["queue"])):
        agent = contacts["agent"][index]
        if agent < 0:
            continue
        start = contacts["answered_s"][index]
        stop = start + contacts["handle_s"][index] + contacts["wrap_s"][index]
        busy[agent] += max(0.0, min(stop, record.end_s) - max(start, meta.warmup_s))
        handled[agent] += handled_by_loop(contacts, index)
    for agent, start, stop in zip(
        presence["agent"], presence["start_s"], presence["end_s"], strict=True
    ):
        staffed[agent] += max(0.0, min(stop, record.end_s) - max(start, meta.warmup_s))

    details = reports.replication_agent_details(meta, record)

    assert list(details["busy_h"] * HOUR) == pytest.approx(busy, rel=1e-12)
    assert list(details["staffed_h"] * HOUR) == pytest.approx(staffed, rel=1e-12)
    assert list(details["contacts_handled"]) == handled
    assert list(details["group"]) == ["tier1"] * 3 + ["tier2"] * 3


@pytest.mark.parametrize("queue", [0, 1, 2, None])
def test_repeat_and_answer_figures_equal_a_loop_over_contacts(
    random_run: tuple[RunMeta, ReplicationRecord], queue: int | None
) -> None:
    meta, record = random_run
    contacts = record.contacts
    repeats = same = 0
    extras, answered_waits, counts = [], [], dict.fromkeys(OUTCOMES, 0)
    for index in range(len(contacts["queue"])):
        own_queue = int(contacts["queue"][index])
        if queue is not None and own_queue != queue:
            continue
        counts[OUTCOMES[contacts["outcome"][index]]] += 1
        if OUTCOMES[contacts["outcome"][index]] == "answered":
            answered_waits.append(contacts["wait_s"][index])
        if not handled_by_loop(contacts, index) or contacts["previous_agent"][index] < 0:
            continue
        repeats += 1
        if contacts["agent"][index] == contacts["previous_agent"][index]:
            same += 1
        else:
            factor = meta.handover_factor[own_queue]
            extras.append(contacts["handle_s"][index] - contacts["handle_s"][index] / factor)

    summary = reports.replication_summary(meta, record)

    actual = summary.iloc[len(meta.queues) if queue is None else queue]
    assert actual["offered"] == sum(counts.values())
    for name in RANDOM_OUTCOMES:
        assert actual[name] == counts[name], name
    assert actual["asa_s"] == pytest.approx(np.mean(answered_waits), rel=1e-12)
    assert actual["repeat_contacts"] == repeats
    if repeats == 0:  # tech does not repeat
        assert math.isnan(actual["same_agent_share"])
        return
    assert actual["same_agent_share"] == pytest.approx(same / repeats, rel=1e-12)
    assert actual["handover_extra_s"] == pytest.approx(np.mean(extras), rel=1e-12)


# ------------------------------------------------------------------ combined results

SCENARIO = {"name": "Routing outputs", "seed": 3}


def test_routing_keeps_the_pairs_served_in_some_replication_and_counts_zeros() -> None:
    # Replication 1 gives tier2's contacts 1 (tech) and 8 (billing) to tier1's agent 0:
    # tier1/tech is served in replication 1 only, tier2/billing in replication 0 only.
    first = scripted_record()
    contacts, _ = scripted_columns()
    contacts["agent"][[1, 8]] = 0  # tier2's tech contact 1 and billing 8 go to tier1
    contacts["group"][[1, 8]] = 0
    second = scripted_record(contacts, replication=1)

    results = Results.from_records(scripted_meta(), [first, second], SCENARIO)

    routing = results.routing
    assert list(zip(routing["group"], routing["queue"], strict=True)) == [
        ("tier1", "billing"), ("tier1", "tech"), ("tier2", "billing"), ("tier2", "tech"),
    ]  # fmt: skip
    assert list(routing["handled"]) == pytest.approx([7.5, 0.5, 0.5, 1.5])
    # tier2/billing: aht 250 s in replication 0, undefined in replication 1.
    assert row(routing, group="tier2", queue="billing")["aht_s"] == pytest.approx(250.0)
    assert math.isnan(row(routing, group="tier2", queue="billing")["aht_s_ci95"])


def test_routing_leaves_out_pairs_never_served() -> None:
    results = Results.from_records(scripted_meta(), [scripted_record()], SCENARIO)

    pairs = list(zip(results.routing["group"], results.routing["queue"], strict=True))
    assert pairs == [("tier1", "billing"), ("tier2", "billing"), ("tier2", "tech")]


def test_save_writes_routing_csv_but_not_the_agent_details(tmp_path: Path) -> None:
    results = Results.from_records(scripted_meta(), [scripted_record()], SCENARIO)

    outdir = results.save(tmp_path / "out", plots=False)

    saved = pd.read_csv(outdir / "routing.csv")
    assert list(saved.columns) == list(results.routing.columns)
    np.testing.assert_array_equal(saved["busy_h"], results.routing["busy_h"])
    assert not any("detail" in path.name for path in outdir.iterdir())


# ------------------------------------------------------------ a short simulation


@pytest.fixture(scope="module")
def simulated() -> Results:
    """Two replications of a centre with overflow and transfers after talk, no warm-up."""
    scenario = {
        "name": "overflow and transfers",
        "horizon": "2h",
        "queues": [
            {
                "name": "billing",
                "arrivals": {"rate": "90/h"},
                "handle_time": {"distribution": "exponential", "mean": "4min"},
                "wrap_up": {"distribution": "constant", "mean": "30s"},
                "patience": {"distribution": "exponential", "mean": "3min"},
                "transfer": {"probability": 0.2, "to": "tech"},
                "overflow": {"after": "30s", "to": ["tier2"]},
            },
            {
                "name": "tech",
                "arrivals": {"rate": "30/h"},
                "handle_time": {"distribution": "exponential", "mean": "6min"},
            },
        ],
        "agents": [
            {"name": "tier1", "count": 6, "skills": ["billing"]},
            {"name": "tier2", "count": 4, "skills": ["tech"]},
        ],
    }
    return simcenter.simulate(scenario, replications=2, seed=5)


def test_simulated_routing_handled_counts_every_contact_handled(simulated: Results) -> None:
    contacts = simulated.contacts
    assert contacts is not None
    talked = contacts["agent"].notna() & contacts["outcome"].isin(["answered", "transferred"])

    handled = simulated.routing["handled"].sum() * simulated.replication_count

    assert handled == talked.sum()
    assert (contacts["outcome"] == "transferred").sum() > 0
    assert set(zip(simulated.routing["group"], simulated.routing["queue"], strict=True)) == {
        ("tier1", "billing"), ("tier2", "billing"), ("tier2", "tech"),
    }  # fmt: skip


def test_simulated_agent_details_add_up_to_the_group_rows(simulated: Results) -> None:
    details = simulated.agent_details.groupby("group", observed=True)
    agents = simulated.agents.set_index("group")
    routing = simulated.routing.groupby("group", observed=True)

    assert list(details["staffed_h"].sum()) == pytest.approx(list(agents["staffed_h"]), rel=1e-12)
    assert list(details["busy_h"].sum()) == pytest.approx(list(agents["busy_h"]), rel=1e-12)
    assert list(details["contacts_handled"].sum()) == pytest.approx(
        list(agents["contacts_handled"]), rel=1e-12
    )
    assert list(routing["handled"].sum()) == pytest.approx(list(agents["contacts_handled"]))
    # Without a warm-up every busy period is in the contact log: the agents' busy
    # time from the contacts equals the busy area the engine integrated.
    assert list(details["busy_h"].sum()) == pytest.approx(list(agents["busy_h"]), rel=1e-9)
    assert (agents["busy_h"] > 0).all()
