"""Reproducibility and common random numbers.

- The same scenario and seed give identical frames, whatever the number of jobs.
- Streams are named by purpose and queue: adding an unrelated queue leaves an
  existing queue's callers (arrival, handle and patience draws) unchanged.
- Under the same seed more agents see the same callers, so ``offered`` is
  identical and the ASA of a single FIFO queue without abandonment is no worse.
- A different seed gives different callers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simcenter
from simcenter.engine import run_replication
from simcenter.records import OUTCOME_CODE
from simcenter.scenario import Scenario

FRAMES = ("summary", "replications", "intervals", "agents", "contacts")

ScenarioFactory = Callable[..., Scenario]
"""The ``make_scenario`` fixture (tests/conftest.py)."""


def billing(**keys: Any) -> dict[str, Any]:
    """A queue with random arrivals, handle, wrap-up and patience (load about 5.3 Erlang)."""
    return {
        "name": "billing",
        "arrivals": {"profile": {"interval": "30min", "volumes": [30, 50, 40, 20]}},
        "handle_time": {"distribution": "gamma", "mean": "4min", "cv": 0.8},
        "wrap_up": {"distribution": "exponential", "mean": "30s"},
        "patience": {"distribution": "exponential", "mean": "2min"},
        **keys,
    }


def tech() -> dict[str, Any]:
    """A second queue, served by its own group."""
    return {
        "name": "tech",
        "arrivals": {"rate": "40/h"},
        "handle_time": {"distribution": "lognormal", "mean": "6min", "cv": 1.2},
        "patience": {"distribution": "constant", "mean": "3min"},
    }


def two_queue_scenario(make_scenario: ScenarioFactory, closing: str = "drain") -> Scenario:
    """Billing and tech, a shared group and a staffing plan: every feature draws."""
    return make_scenario(
        [billing(), tech()],
        [
            {"name": "tier1", "count": 4, "skills": {"billing": 1, "tech": 2}},
            {
                "name": "tier2",
                "staffing": {"interval": "30min", "counts": [2, 3, 1, 2]},
                "skills": ["tech", "billing"],
            },
        ],
        horizon="2h",
        warmup="10min",
        closing=closing,
    )


def assert_same_results(first: simcenter.Results, second: simcenter.Results) -> None:
    """Every output frame is identical."""
    for name in FRAMES:
        pd.testing.assert_frame_equal(
            getattr(first, name), getattr(second, name), check_exact=True, obj=name
        )


@pytest.mark.parametrize("closing", ["drain", "clear", "stop"])
def test_same_seed_gives_identical_frames(make_scenario: ScenarioFactory, closing: str) -> None:
    """Two runs of one scenario with one seed agree on every frame, value by value."""
    scenario = two_queue_scenario(make_scenario, closing)
    first = simcenter.simulate(scenario, replications=3, seed=11)
    second = simcenter.simulate(scenario, replications=3, seed=11)
    assert len(first.contacts) > 100
    assert_same_results(first, second)


def test_one_job_and_two_jobs_give_identical_frames(make_scenario: ScenarioFactory) -> None:
    """Replications run in two worker processes merge into exactly the sequential results."""
    scenario = two_queue_scenario(make_scenario)
    sequential = simcenter.simulate(scenario, replications=4, seed=5, jobs=1)
    parallel = simcenter.simulate(scenario, replications=4, seed=5, jobs=2)
    assert_same_results(sequential, parallel)


def test_a_different_seed_gives_different_callers(make_scenario: ScenarioFactory) -> None:
    """Seeds 1 and 2 give different arrival times and a different summary."""
    scenario = two_queue_scenario(make_scenario)
    one = simcenter.simulate(scenario, replications=1, seed=1)
    two = simcenter.simulate(scenario, replications=1, seed=2)
    assert not np.array_equal(
        np.sort(one.contacts["arrival_s"]), np.sort(two.contacts["arrival_s"])
    )
    assert not one.summary.equals(two.summary)


def test_replications_see_different_callers(make_scenario: ScenarioFactory) -> None:
    """Replication 0 and 1 of one seed draw from different streams."""
    scenario = two_queue_scenario(make_scenario)
    first, second = (run_replication(scenario, number, seed=3) for number in (0, 1))
    assert not np.array_equal(
        np.sort(first.contacts["arrival_s"]), np.sort(second.contacts["arrival_s"])
    )


def queue_contacts(results: simcenter.Results, queue: str) -> pd.DataFrame:
    """The contacts of one queue by replication and arrival, without run-wide ids or categories."""
    contacts = results.contacts
    table = contacts[contacts["queue"] == queue].drop(columns=["contact_id", "customer_id"])
    table = table.astype(
        dict.fromkeys(("queue", "channel", "outcome", "agent", "group", "previous_agent"), str)
    )
    return table.sort_values(["replication", "arrival_s"], ignore_index=True)


def test_adding_an_unrelated_queue_leaves_an_existing_queue_unchanged(
    make_scenario: ScenarioFactory,
) -> None:
    """Billing alone, and billing next to tech with its own group: billing's contacts agree.

    Same arrival times, handle times and patience draws: with billing's group
    untouched, its whole story (waits, outcomes, agents) is the same.
    """
    tier1 = {"name": "tier1", "count": 5, "skills": ["billing"]}
    tier2 = {"name": "tier2", "count": 2, "skills": ["tech"]}
    alone = make_scenario([billing()], [tier1], horizon="2h")
    together = make_scenario([billing(), tech()], [tier1, tier2], horizon="2h")
    before = simcenter.simulate(alone, replications=2, seed=9)
    after = simcenter.simulate(together, replications=2, seed=9)
    assert (after.contacts["queue"] == "tech").sum() > 50
    pd.testing.assert_frame_equal(
        queue_contacts(before, "billing"), queue_contacts(after, "billing"), check_exact=True
    )


def test_a_shared_group_changes_waits_but_not_the_callers(make_scenario: ScenarioFactory) -> None:
    """A new queue sharing billing's agents changes the waits, yet not the callers' draws."""
    tier1 = {"name": "tier1", "count": 5, "skills": ["billing", "tech"]}
    alone = make_scenario([billing()], [{**tier1, "skills": ["billing"]}], horizon="2h")
    shared = make_scenario([billing(), tech()], [tier1], horizon="2h")
    before = queue_contacts(simcenter.simulate(alone, replications=1, seed=4), "billing")
    after = queue_contacts(simcenter.simulate(shared, replications=1, seed=4), "billing")
    assert np.array_equal(before["arrival_s"], after["arrival_s"])
    talked = before["outcome"].eq("answered") & after["outcome"].eq("answered")
    assert talked.sum() > 20
    assert np.array_equal(before.loc[talked, "handle_s"], after.loc[talked, "handle_s"])
    assert not before["wait_s"].equals(after["wait_s"])


@pytest.mark.parametrize("agents", [(5, 6), (6, 8)])
def test_more_agents_see_the_same_callers_and_wait_no_longer(
    make_scenario: ScenarioFactory, agents: list[dict[str, Any]]
) -> None:
    """One FIFO queue without abandonment: the same offered contacts, ASA and waits no worse.

    With the same callers (common random numbers) and first-come-first-served,
    each contact's wait cannot grow when an agent is added.
    """
    queue = billing()
    del queue["patience"]
    fewer, more = (
        simcenter.simulate(
            make_scenario([queue], [{"name": "tier1", "count": count, "skills": ["billing"]}]),
            replications=3,
            seed=2,
        )
        for count in agents
    )
    assert fewer.replications["offered"].tolist() == more.replications["offered"].tolist()
    rows = ["replication", "arrival_s"]
    before = fewer.contacts.sort_values(rows, ignore_index=True)
    after = more.contacts.sort_values(rows, ignore_index=True)
    assert np.array_equal(before["arrival_s"], after["arrival_s"])
    assert np.array_equal(before["handle_s"], after["handle_s"])
    assert (after["wait_s"] <= before["wait_s"]).all()
    assert (more.replications["asa_s"] <= fewer.replications["asa_s"]).all()
    assert more.summary["asa_s"].iloc[0] < fewer.summary["asa_s"].iloc[0]


def test_staffing_does_not_change_the_callers_of_a_replication(
    make_scenario: ScenarioFactory,
) -> None:
    """Engine level: doubling every group keeps each contact's arrival and handle draw."""
    scenario = two_queue_scenario(make_scenario)
    bigger = scenario.with_overrides({"agents.tier1.count": 8})
    first, second = (run_replication(case, 0, seed=6) for case in (scenario, bigger))
    order_first = np.argsort(first.contacts["contact_id"])
    order_second = np.argsort(second.contacts["contact_id"])
    for column in ("contact_id", "queue", "arrival_s"):
        assert np.array_equal(
            first.contacts[column][order_first], second.contacts[column][order_second]
        )
    answered = OUTCOME_CODE["answered"]
    both = (first.contacts["outcome"][order_first] == answered) & (
        second.contacts["outcome"][order_second] == answered
    )
    assert both.sum() > 100
    assert np.array_equal(
        first.contacts["handle_s"][order_first][both],
        second.contacts["handle_s"][order_second][both],
    )
