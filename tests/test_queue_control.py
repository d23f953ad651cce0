"""Tests of queue control (issue 3): lines, balking, maximum waits, transfers, overflow.

Scripted situations (``script_arrivals``, constant times) assert the exact
event log: for each contact, in creation order, its queue, arrival, outcome,
answer, end and wait (seconds). Poisson runs with a fixed seed check
properties that hold exactly on every path (a blocked contact found every
line held; an overflow group never answers before ``overflow.after``) and
the frequency of random decisions with exact binomial tests at
alpha = 0.001. Metamorphic tests compare two runs with the same seed, which
see the same callers (common random numbers): a longer ``overflow.after``
and a specialist's ``handle_time_factor``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scripted import (
    ALPHA,
    NAN,
    ArrivalScript,
    ScenarioFactory,
    assert_log,
    constant,
    exponential,
    group,
    queue,
    run,
    table_of,
)

from simcenter.engine import run_replication
from simcenter.records import OUTCOMES, run_meta
from simcenter.reports import replication_agents
from simcenter.scenario import Scenario, build_scenario


def poisson_queue(name: str, rate: str, handle_time: str = "2min", **keys: Any) -> dict[str, Any]:
    """A queue with Poisson arrivals and exponential handle times."""
    return {
        "name": name,
        "arrivals": {"rate": rate},
        "handle_time": exponential(handle_time),
        **keys,
    }


def assert_binomial(successes: int, trials: int, probability: float) -> None:
    """``successes`` out of ``trials`` is consistent with ``probability`` (exact test)."""
    assert trials > 500  # enough trials to catch a wrong probability
    assert stats.binomtest(successes, trials, probability).pvalue > ALPHA


# --- lines (trunks) -----------------------------------------------------------------


def test_contact_is_blocked_when_every_line_is_held(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Two lines, one agent (handle 100 s): a line is held while waiting and talking.

    At 3 and 50 the contact talking (since 1) and the one waiting (since 2)
    hold both lines. At 150 the first has left, so one line is free; at 160
    both are held again.
    """
    script_arrivals({"a": [1, 2, 3, 50, 150, 160]})
    scenario = make_scenario([queue("a")], [group("g", ["a"])], lines=2)
    table = run(scenario)
    assert_log(
        table,
        [
            ("a", 1, "answered", 1, 101, 0),
            ("a", 2, "answered", 101, 201, 99),
            ("a", 3, "blocked", NAN, 3, 0),
            ("a", 50, "blocked", NAN, 50, 0),
            ("a", 150, "answered", 201, 301, 51),
            ("a", 160, "blocked", NAN, 160, 0),
        ],
    )
    blocked = table[table["outcome"] == "blocked"]
    assert (blocked["agent"] == -1).all()
    assert blocked["handle_s"].isna().all()


def lines_held(table: pd.DataFrame, time: float) -> int:
    """Contacts holding a line just before ``time``: arrived earlier, not yet gone.

    A contact that was not blocked holds a line from its arrival until it
    leaves: the end of its talk, its abandonment, or the end of the run.
    """
    holding = table[table["outcome"] != "blocked"]
    leaves = holding["end_s"].fillna(math.inf)
    return int(((holding["arrival_s"] < time) & (leaves > time)).sum())


def test_blocking_happens_exactly_when_all_lines_are_held(make_scenario: ScenarioFactory) -> None:
    """Poisson run with waits, abandons and wrap-up: a contact is blocked iff ``lines`` are held.

    Wrap-up (after-call work) does not hold a line; waiting and talking do.
    """
    scenario = make_scenario(
        [
            poisson_queue(
                "a",
                "100/h",
                wrap_up=constant(30),
                patience=exponential("1min"),
            )
        ],
        [group("g", ["a"], count=3)],
        lines=5,
        horizon="6h",
    )
    table = run(scenario, seed=11)
    held = np.array([lines_held(table, time) for time in table["arrival_s"]])
    blocked = (table["outcome"] == "blocked").to_numpy()
    assert blocked.sum() > 30
    assert (held[blocked] == 5).all()
    assert (held[~blocked] < 5).all()


# --- balking --------------------------------------------------------------------------


def test_balking_with_probability_one_leaves_whenever_it_would_wait(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Callers who find the agent busy leave at once; the others are answered."""
    script_arrivals({"a": [1, 2, 50, 150]})
    scenario = make_scenario([queue("a", balking={"probability": 1})], [group("g", ["a"])])
    assert_log(
        run(scenario),
        [
            ("a", 1, "answered", 1, 101, 0),
            ("a", 2, "balked", NAN, 2, 0),
            ("a", 50, "balked", NAN, 50, 0),
            ("a", 150, "answered", 150, 250, 0),
        ],
    )


def test_balking_probability_is_the_share_of_contacts_that_would_wait(
    make_scenario: ScenarioFactory,
) -> None:
    """Of the contacts that find nobody free, a share ``probability`` balks (binomial test).

    A contact that joins the queue has ``wait_s > 0`` (it is answered when an
    agent frees, later, or abandons later); one answered at once has 0.
    """
    probability = 0.3
    scenario = make_scenario(
        [poisson_queue("a", "150/h", balking={"probability": probability})],
        [group("g", ["a"], count=5)],
        horizon="20h",
    )
    table = run(scenario, seed=3)
    balked = int((table["outcome"] == "balked").sum())
    joined = int(((table["outcome"] == "answered") & (table["wait_s"] > 0)).sum())
    assert set(table["outcome"]) == {"answered", "balked"}
    assert_binomial(balked, balked + joined, probability)


def test_balking_at_max_queue_counts_the_contacts_already_waiting(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """``max_queue: 2``: with two contacts waiting the next one leaves; at 150 only one waits."""
    script_arrivals({"a": [1, 2, 3, 4, 5, 150]})
    scenario = make_scenario([queue("a", balking={"max_queue": 2})], [group("g", ["a"])])
    assert_log(
        run(scenario),
        [
            ("a", 1, "answered", 1, 101, 0),
            ("a", 2, "answered", 101, 201, 99),
            ("a", 3, "answered", 201, 301, 198),
            ("a", 4, "balked", NAN, 4, 0),
            ("a", 5, "balked", NAN, 5, 0),
            ("a", 150, "answered", 301, 401, 151),
        ],
    )


def test_balking_on_the_announced_expected_wait(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Announced wait = (waiting + 1) × (mean handle + mean wrap-up) / agents serving the queue.

    ``Centre.expected_wait``: two agents serve a (handle 100 s, wrap-up 20 s);
    three bystanders serving another queue do not count. With both agents
    busy, the contact at 3 hears (0 + 1) × 120 / 2 = 60 s, the one at 4
    hears 120 s (not longer than the 120-s limit, so it waits), the ones at
    5 and 6 hear 180 s and leave. Counting the bystanders would announce
    72 s at 5.
    """
    script_arrivals({"a": [1, 2, 3, 4, 5, 6]})
    scenario = make_scenario(
        [
            queue("a", wrap_up=constant(20), balking={"max_expected_wait": "2min"}),
            queue("other"),
        ],
        [group("g", ["a"], count=2), group("bystanders", ["other"], count=3)],
    )
    assert_log(
        run(scenario),
        [
            ("a", 1, "answered", 1, 101, 0),
            ("a", 2, "answered", 2, 102, 0),
            ("a", 3, "answered", 121, 221, 118),
            ("a", 4, "answered", 122, 222, 118),
            ("a", 5, "balked", NAN, 5, 0),
            ("a", 6, "balked", NAN, 6, 0),
        ],
    )


def test_announced_wait_is_infinite_when_nobody_serving_the_queue_is_on_duty(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Before the group's first agent comes at 30 min every caller balks; after, it is answered."""
    script_arrivals({"a": [10, 1000, 1900]})
    staffing = {"interval": "30min", "start": "00:00", "counts": [0, 1]}
    scenario = make_scenario(
        [queue("a", balking={"max_expected_wait": "1h"})],
        [{"name": "g", "staffing": staffing, "skills": ["a"]}],
    )
    assert_log(
        run(scenario),
        [
            ("a", 10, "balked", NAN, 10, 0),
            ("a", 1000, "balked", NAN, 1000, 0),
            ("a", 1900, "answered", 1900, 2000, 0),
        ],
    )


def test_announced_wait_counts_the_overflow_groups_of_a_queue_served_by_overflow_alone(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Queue a has no agents of its own; g takes it after 30 s. The idle g answers at 31.

    The announced wait is at most (0 + 1) × 100 / 1 = 100 s, far below the
    1-h limit, so the caller waits for the overflow instead of balking.
    """
    script_arrivals({"a": [1]})
    scenario = make_scenario(
        [
            queue(
                "a",
                overflow={"after": "30s", "to": ["g"]},
                balking={"max_expected_wait": "1h"},
            ),
            queue("b"),
        ],
        [group("g", ["b"])],
    )
    assert_log(run(scenario), [("a", 1, "answered", 31, 131, 30)])


# --- maximum wait -----------------------------------------------------------------------


def test_max_wait_sends_the_contact_to_voicemail(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """After 30 s of waiting the contact leaves a message; one answered within 30 s talks."""
    script_arrivals({"a": [1, 2, 80]})
    scenario = make_scenario(
        [queue("a", max_wait={"after": "30s", "outcome": "voicemail"})], [group("g", ["a"])]
    )
    table = run(scenario)
    assert_log(
        table,
        [
            ("a", 1, "answered", 1, 101, 0),
            ("a", 2, "voicemail", NAN, 32, 30),
            ("a", 80, "answered", 101, 201, 21),
        ],
    )
    assert table.loc[1, "agent"] == -1


def test_max_wait_reroutes_the_caller_to_another_queue(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """After 30 s in a the call moves on to b as a new contact of the same customer.

    The first leg ends ``transferred`` at 32 (and 35); the second leg arrives
    in b then, linked to the first. The caller's patience (50 s) keeps
    running: the contact at 5, waiting in b from 35 while b's agent talks
    until 82, abandons at 55, after 20 s in b.
    """
    script_arrivals({"a": [1, 2, 5]})
    scenario = make_scenario(
        [
            queue("a", patience=constant(50), max_wait={"after": "30s", "to": "b"}),
            queue("b", 50),
        ],
        [group("ga", ["a"]), group("gb", ["b"])],
    )
    table = run(scenario)
    assert_log(
        table,
        [
            ("a", 1, "answered", 1, 101, 0),
            ("a", 2, "transferred", NAN, 32, 30),
            ("a", 5, "transferred", NAN, 35, 30),
            ("b", 32, "answered", 32, 82, 0),
            ("b", 35, "abandoned", NAN, 55, 20),
        ],
    )
    assert table["customer_id"].tolist() == [0, 1, 2, 1, 2]
    assert table["linked_id"].tolist() == [-1, -1, -1, 1, 2]
    assert table["agent"].tolist() == [0, -1, -1, 1, -1]


# --- transfers ----------------------------------------------------------------------


def test_transfer_starts_a_linked_second_leg_with_its_own_wait_and_handle_time(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Contact 0 talks 100 s in a, then is transferred to b, where it waits for b's agent.

    Leg 1: answered at 1 by agent 0, talk 100 s, outcome ``transferred`` at
    101. Leg 2: arrives in b at 101, b's agent is busy with the b contact of
    60 until 110, so it waits 9 s and talks b's 50 s. Both legs belong to
    customer 0; leg 2 is linked to leg 1.
    """
    script_arrivals({"a": [1], "b": [60]})
    scenario = make_scenario(
        [
            queue("a", 100, wrap_up=constant(10), transfer={"probability": 1, "to": "b"}),
            queue("b", 50),
        ],
        [group("ga", ["a"]), group("gb", ["b"])],
    )
    table = run(scenario)
    assert_log(
        table,
        [
            ("a", 1, "transferred", 1, 101, 0),
            ("b", 60, "answered", 60, 110, 0),
            ("b", 101, "answered", 110, 160, 9),
        ],
    )
    assert table["customer_id"].tolist() == [0, 1, 0]
    assert table["linked_id"].tolist() == [-1, -1, 0]
    assert table["attempt"].tolist() == [1, 1, 1]
    assert table["handle_s"].tolist() == [100, 50, 50]
    assert table["wrap_s"].tolist() == [10, 0, 0]
    assert table["agent"].tolist() == [0, 1, 1]


def test_transferred_share_and_every_second_leg(make_scenario: ScenarioFactory) -> None:
    """A share ``probability`` of answered contacts is transferred (binomial test).

    Every transferred contact has exactly one second leg in b: same
    customer, linked to it, arriving when the first talk ended. Contacts of
    b are b's own arrivals plus these second legs.
    """
    probability = 0.25
    scenario = make_scenario(
        [
            poisson_queue("a", "120/h", transfer={"probability": probability, "to": "b"}),
            poisson_queue("b", "30/h"),
        ],
        [group("ga", ["a"], count=6), group("gb", ["b"], count=4)],
        horizon="12h",
    )
    table = run(scenario, seed=5)
    first = table[table["queue"] == "a"]
    assert set(first["outcome"]) == {"answered", "transferred"}
    transferred = first[first["outcome"] == "transferred"]
    assert_binomial(len(transferred), len(first), probability)
    second = table[table["linked_id"] >= 0].set_index("linked_id")
    assert sorted(second.index) == sorted(transferred["contact_id"])
    legs = second.loc[transferred["contact_id"]]
    assert (legs["queue"] == "b").all()
    assert (legs["customer_id"].to_numpy() == transferred["customer_id"].to_numpy()).all()
    assert (legs["arrival_s"].to_numpy() == transferred["end_s"].to_numpy()).all()
    unlinked = table[table["linked_id"] < 0]
    assert (unlinked["customer_id"] == unlinked["contact_id"]).all()


# --- overflow -------------------------------------------------------------------------


def test_overflow_group_answers_only_after_the_overflow_delay(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """gb (idle, skills b) takes the contact of a waiting since 2 exactly at 32, not before.

    The one waiting since 5 is overflowed at 35, but gb is busy then; a's own
    agent frees at 101 and takes it.
    """
    script_arrivals({"a": [1, 2, 5]})
    scenario = make_scenario(
        [queue("a", overflow={"after": "30s", "to": ["gb"]}), queue("b")],
        [group("ga", ["a"]), group("gb", ["b"])],
    )
    table = run(scenario)
    assert_log(
        table,
        [
            ("a", 1, "answered", 1, 101, 0),
            ("a", 2, "answered", 32, 132, 30),
            ("a", 5, "answered", 101, 201, 96),
        ],
    )
    assert table["group"].tolist() == [0, 1, 0]


def overflow_centre(after: float) -> Scenario:
    """Queue a (144/h, 2-min talks) on 6 agents of ga, overflowing to gb (4 agents, b at 60/h).

    No abandonment, ``closing: stop``: occupancy is busy time over the 8-h horizon.
    """
    return build_scenario(
        {
            "name": "overflow",
            "horizon": "8h",
            "closing": "stop",
            "queues": [
                poisson_queue("a", "144/h", overflow={"after": after, "to": ["gb"]}),
                poisson_queue("b", "60/h"),
            ],
            "agents": [group("ga", ["a"], count=6), group("gb", ["b"], count=4)],
        }
    )


OVERFLOW_AFTERS = [0.0, 15.0, 60.0, 240.0, 1200.0]
"""Overflow delays (seconds) of the metamorphic test, increasing."""


def test_overflow_delay_holds_and_longer_delays_never_lower_primary_occupancy() -> None:
    """From the contacts log and the agents report of five runs with the same seed.

    - No contact of a answered by gb waited less than ``after``, and gb does
      answer contacts of a (the check has something to check).
    - The occupancy of ga (busy / staffed, ``reports.replication_agents``)
      never falls as ``after`` grows (up to rounding of the busy-time
      integral), and rises from the shortest to the longest delay.

    Without abandonment the runs differ only in which group takes the
    overflowed contacts. With abandonment the set of callers who give up
    changes too, and with two long delays of almost the same effect the
    occupancy may then move either way by noise.
    """
    occupancy = []
    for after in OVERFLOW_AFTERS:
        scenario = overflow_centre(after)
        record = run_replication(scenario, 0, 17)
        table = table_of(scenario, record)
        by_overflow = table[(table["queue"] == "a") & (table["group"] == 1)]
        assert (by_overflow["wait_s"] >= after).all()
        if after <= 60:
            assert len(by_overflow) > 20
        occupancy.append(replication_agents(run_meta(scenario), record)["occupancy"][0])
    steps = np.diff(occupancy)
    assert (steps >= -1e-12).all(), occupancy
    assert occupancy[-1] > occupancy[0] + 0.05


# --- handle-time factor of a skill ------------------------------------------------------


def specialist_centre(factor: float) -> Scenario:
    """Specialists (savings at ``factor``, checking as a second skill) and generalists."""
    specialist_skills = {"savings": {"priority": 1, "handle_time_factor": factor}, "checking": 2}
    return build_scenario(
        {
            "name": "specialists",
            "horizon": "8h",
            "routing": {"contact_selection": "oldest"},  # as before skill levels acted alone
            "queues": [
                poisson_queue("savings", "60/h", "4min"),
                poisson_queue("checking", "60/h", "4min"),
            ],
            "agents": [
                group("specialists", specialist_skills, count=5),
                group("generalists", ["savings", "checking"], count=5),
            ],
        }
    )


def test_handle_time_factor_scales_exactly_the_specialists_own_contacts() -> None:
    """Same seed, factor 1 then 0.75: the same callers, specialty talks exactly 0.75 × as long.

    Handle times are drawn at arrival from the queue's stream, so contact ids,
    queues and arrival times of the two runs match. In the second run, a
    contact of savings answered by a specialist talks exactly 0.75 × its
    talk in the first run; every other contact talks exactly as long.
    """
    plain = run(specialist_centre(1.0), seed=8).set_index("contact_id")
    faster = run(specialist_centre(0.75), seed=8).set_index("contact_id")
    pd.testing.assert_frame_equal(
        plain[["queue", "arrival_s"]], faster[["queue", "arrival_s"]], check_exact=True
    )
    assert (faster["outcome"] == "answered").all()
    in_specialty = (faster["group"] == 0) & (faster["queue"] == "savings")
    assert in_specialty.sum() > 100
    scaled = faster.loc[in_specialty, "handle_s"]
    assert (scaled == 0.75 * plain.loc[in_specialty, "handle_s"]).all()
    others = ~in_specialty
    assert ((faster["group"] == 0) & (faster["queue"] == "checking")).sum() > 10
    assert (faster.loc[others, "handle_s"] == plain.loc[others, "handle_s"]).all()


def test_queues_that_move_waiting_contacts_to_each_other_stop_at_the_horizon() -> None:
    """a -> b -> a by ``max_wait.to`` with nobody on duty: the drain ends at the horizon.

    Before the horizon each wait of 30 s moves the contact on (a transferred leg);
    after it nobody is moved, so every caller ends in system and the run ends.
    """
    scenario = build_scenario(
        {
            "name": "loop",
            "horizon": "10min",
            "closing": "drain",
            "queues": [
                queue("a", max_wait={"after": "30s", "to": "b"}),
                queue("b", max_wait={"after": "30s", "to": "a"}, arrivals={"rate": 0}),
            ],
            "agents": [group("g", ["a", "b"], count=0)],
        }
    )
    record = run_replication(scenario, 0)
    outcomes = [OUTCOMES[code] for code in record.contacts["outcome"]]
    first_legs = int((record.contacts["linked_id"] < 0).sum())
    assert record.end_s == 600.0
    assert outcomes.count("in_system") == first_legs  # one open leg per caller
    assert set(outcomes) <= {"transferred", "in_system"}
    legs = record.contacts["end_s"][np.array(outcomes) == "transferred"]
    assert (legs <= 600.0).all()  # nobody moved on after the horizon
