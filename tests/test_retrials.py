"""Retrials and customers, exactly: each customer ends once, and its attempts add up.

Over Hypothesis-generated scenarios with retrials, repeat calls, transfers,
reroutes, balking and lines (every closing), each customer's story is rebuilt
from the contact log, independently of the engine's customer tallies: a
customer is the ``customer_id`` of a first-time contact in the log (its
first contact arrived after the warm-up); its contacts are those of its
``customer_id``; its last contact is its last created (highest id), its
first attempt's outcome is the outcome of its attempt-1 contact that was not
transferred on; a contact linked to one that gave up is a retrial, one
linked to an answered contact a repeat call. Then, with ``==``:

- the tallies' customers, first-attempt and final outcomes, attempts,
  retrials and repeat calls per queue equal the log's; attempts = customers
  + retrials + repeat calls; the summed waits agree to rounding;
- every retrial follows an outcome of its queue's ``retrial.after``, is
  within ``max_attempts``, arrives at ``retrial.to`` (or the same queue) and
  before the end of the horizon.

Common random numbers: first-time contacts keep every draw when the retrial
settings change. The M/M/n+M chain with retrials is in
tests/theory/test_retrial_queue.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import routing_scenarios
from test_common_random_numbers import centre, first_time_draws

import simcenter
from simcenter.engine import run_replication
from simcenter.records import OUTCOME_CODE, OUTCOMES
from simcenter.scenario import Scenario, build_scenario

GAVE_UP = ("abandoned", "blocked", "balked")


def log_of(scenario: Scenario, replication: int) -> tuple[pd.DataFrame, Any]:
    """One replication's contact log (outcomes by name, by contact id) and its tallies."""
    record = run_replication(scenario, replication)
    log = pd.DataFrame(record.contacts).sort_values("contact_id").set_index("contact_id")
    log["outcome"] = [OUTCOMES[code] for code in log["outcome"]]
    return log, record.tallies


def customers_of(log: pd.DataFrame, warmup_s: float) -> pd.DataFrame:
    """Each customer's story, from the log alone: one row per customer.

    Only customers whose first contact is in the log count (it arrived after
    the warm-up); all their later contacts are then in the log too.
    """
    counted = log[log.index.isin(log["customer_id"])]  # first contacts in the log
    assert (counted["arrival_s"] >= warmup_s).all()
    mine = log[log["customer_id"].isin(counted.index)]
    linked = mine.index[mine["linked_id"] >= 0]
    parent_outcome = log.loc[mine.loc[linked, "linked_id"], "outcome"].to_numpy()
    origin = pd.Series("first", index=mine.index)
    origin[linked] = np.where(
        parent_outcome == "transferred",
        "leg",
        np.where(np.isin(parent_outcome, GAVE_UP), "retrial", "repeat"),
    )
    mine = mine.assign(retrial=origin == "retrial", repeat=origin == "repeat")
    by_customer = mine.reset_index().groupby("customer_id")
    first_attempt = mine[(mine["attempt"] == 1) & (mine["outcome"] != "transferred")]
    assert not first_attempt["customer_id"].duplicated().any()  # one end per first attempt
    last = mine.reset_index().sort_values("contact_id").groupby("customer_id").tail(1)
    return pd.DataFrame(
        {
            "queue": counted["queue"],
            "first": first_attempt.set_index("customer_id")["outcome"],
            "final": last.set_index("customer_id")["outcome"],
            "attempts": by_customer["attempt"].max(),
            "retrials": by_customer["retrial"].sum(),
            "repeats": by_customer["repeat"].sum(),
            "wait_s": by_customer["wait_s"].sum(),
        }
    )


def check_customers(scenario: Scenario, replication: int) -> None:
    """The tallies' customers are the log's, and every retrial follows its queue's rule."""
    log, tallies = log_of(scenario, replication)
    t = tallies.customers
    queue_count = len(scenario.queues)
    if not any(queue.retrial or queue.repeat for queue in scenario.queues):
        assert t.customers.sum() == 0  # not tallied: every contact is a customer of its own
        return
    if log.empty:
        assert t.customers.sum() == 0
        return
    customers = customers_of(log, scenario.warmup)
    assert customers["final"].ne("transferred").all()
    assert (customers["attempts"] == 1 + customers["retrials"] + customers["repeats"]).all()
    per_queue = customers.groupby("queue")
    expected_count = per_queue.size().reindex(range(queue_count), fill_value=0)
    assert t.customers.tolist() == expected_count.tolist()
    for name, column in (
        ("attempts", "attempts"),
        ("retrials", "retrials"),
        ("repeats", "repeats"),
    ):
        sums = per_queue[column].sum().reindex(range(queue_count), fill_value=0)
        assert getattr(t, name).tolist() == sums.tolist(), name
    assert t.attempts.tolist() == (t.customers + t.retrials + t.repeats).tolist()
    for name, column in (("first_outcomes", "first"), ("final_outcomes", "final")):
        counts = np.zeros((queue_count, len(OUTCOMES)), dtype=np.int64)
        for queue, outcome in zip(customers["queue"], customers[column], strict=True):
            counts[queue, OUTCOME_CODE[outcome]] += 1
        assert getattr(t, name).tolist() == counts.tolist(), name
    waits = per_queue["wait_s"].sum().reindex(range(queue_count), fill_value=0.0)
    assert np.allclose(t.wait_sum_s, waits, rtol=1e-9, atol=1e-6)
    check_retrials(scenario, log)


def check_retrials(scenario: Scenario, log: pd.DataFrame) -> None:
    """Every retrial in the log follows its parent's queue's rule and arrives in the horizon."""
    linked = log[log["linked_id"].isin(log.index)]  # parents of the warm-up are not in the log
    parents = log.loc[linked["linked_id"]]
    is_retrial = np.isin(parents["outcome"].to_numpy(), GAVE_UP)
    for (_, contact), (_, parent) in zip(
        linked[is_retrial].iterrows(), parents[is_retrial].iterrows(), strict=True
    ):
        rule = scenario.queues[parent["queue"]].retrial
        assert rule is not None
        assert parent["outcome"] in rule.after
        assert contact["attempt"] == parent["attempt"] + 1
        assert rule.max_attempts is None or contact["attempt"] <= rule.max_attempts
        names = [queue.name for queue in scenario.queues]
        target = parent["queue"] if rule.to is None else names.index(rule.to)
        assert contact["queue"] == target
        assert contact["arrival_s"] >= parent["end_s"]
        assert contact["arrival_s"] < scenario.end_s


@settings(max_examples=60, deadline=None)
@given(scenario=routing_scenarios(), replication=st.integers(0, 3))
def test_each_customer_ends_once_and_its_attempts_add_up(
    scenario: Scenario, replication: int
) -> None:
    """Random scenarios: the tallies' customers equal the customers rebuilt from the log."""
    check_customers(scenario, replication)


def busy_centre(**retrial: Any) -> Scenario:
    """A loaded queue whose abandoning, blocked and balking callers retry (or not: no keys)."""
    queue: dict[str, Any] = {
        "name": "billing",
        "arrivals": {"rate": "150/h"},
        "handle_time": {"distribution": "exponential", "mean": "4min"},
        "patience": {"distribution": "exponential", "mean": "90s"},
        "balking": {"probability": 0.1},
    }
    if retrial:
        queue["retrial"] = retrial
    email = {
        "name": "email",
        "arrivals": {"rate": "5/h"},
        "handle_time": {"distribution": "exponential", "mean": "6min"},
    }
    return build_scenario(
        {
            "name": "retrials",
            "seed": 5,
            "horizon": "8h",
            "lines": 14,
            "queues": [queue, email],
            "agents": [{"name": "team", "count": 9, "skills": ["billing", "email"]}],
        }
    )


def test_a_busy_centre_with_every_kind_of_retrial() -> None:
    """Retrials after abandons, blocks and balks, up to 3 attempts, or to another queue."""
    delay = {"distribution": "exponential", "mean": "15min"}
    scenario = busy_centre(probability=0.6, delay=delay, max_attempts=3)
    log, tallies = log_of(scenario, 0)
    retrials = log[log["attempt"] > 1]
    parents = log.loc[retrials["linked_id"]]
    assert set(parents["outcome"]) == set(GAVE_UP)  # all three kinds were retried
    assert (retrials["queue"] == 0).all()
    assert retrials["attempt"].max() == 3
    assert tallies.customers.retrials[0] == len(retrials) > 100
    check_customers(scenario, 0)
    elsewhere = busy_centre(probability=0.6, delay=delay, max_attempts=3, to="email")
    log, _ = log_of(elsewhere, 0)
    retrials = log[log["attempt"] > 1]
    assert (retrials["queue"] == 1).all()  # to email, which has no retrial rule of its own
    assert retrials["attempt"].max() == 2
    check_customers(elsewhere, 0)


def test_first_time_contacts_keep_their_draws_when_the_retrial_rule_changes() -> None:
    """Without retrials, with p = 0.3 or p = 0.9 to another queue: the same first-time draws."""
    without = first_time_draws(centre(16))
    for probability, to in ((0.3, None), (0.9, "tech")):
        data = centre(16).to_dict()
        delay = {"distribution": "exponential", "mean": "10min"}
        rule: dict[str, Any] = {"probability": probability, "delay": delay}
        if to is not None:
            rule["to"] = to
        data["queues"][0]["retrial"] = rule
        changed = build_scenario(data)
        assert first_time_draws(changed) == without


def test_customers_csv_is_written_with_retrials_only(tmp_path: Path) -> None:
    """``customers.csv``: per queue plus ALL, rates from its counts; absent without the rules."""
    delay = {"distribution": "constant", "mean": "10min"}
    results = simcenter.simulate(busy_centre(probability=0.5, delay=delay), replications=1)
    folder = results.save(tmp_path / "with", plots=False)
    table = pd.read_csv(folder / "customers.csv").set_index("queue")
    assert table.index.tolist() == ["billing", "email", "ALL"]
    assert (
        (table.loc["ALL"] - table.loc[["billing", "email"]].sum())[
            [
                "customers",
                "attempts",
                "retrials",
                "first_answered",
                "final_answered",
                "finally_lost",
            ]
        ]
        .eq(0)
        .all()
    )
    billing = table.loc["billing"]
    assert billing["retrials"] > 0
    assert billing["first_contact_answer_rate"] == billing["first_answered"] / billing["customers"]
    assert billing["final_answer_rate"] == billing["final_answered"] / billing["customers"]
    assert billing["final_answer_rate"] > billing["first_contact_answer_rate"]
    assert (
        billing["finally_lost"]
        == billing[["final_abandoned", "final_blocked", "final_balked"]].sum()
    )
    assert (
        billing["contact_service_level"]
        == results.summary.set_index("queue").loc["billing", "service_level"]
    )
    plain = simcenter.simulate(busy_centre(), replications=1, jobs=1)
    assert plain.customers is None
    assert not (plain.save(tmp_path / "without", plots=False) / "customers.csv").exists()
