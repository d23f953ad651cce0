"""Patience, exactly: every contact leaves or is answered by the end of its own patience.

A contact's patience is recomputed independently of the engine from the
named streams it draws from (docs/modelling.md, "Randomness"): first-time
contacts of queue ``q`` take value ``k`` of ``patience/q`` in their order of
arrival; repeat contacts, retrials and transfer legs take theirs from
``repeat/q/patience``, ``retrial/q/patience`` and ``transfer/q/patience`` in
their order of creation; a contact moved on by ``max_wait.to`` keeps what was
left of its patience. At a queue with an IVR, a new call joins the queue
after its IVR time (``ivr/q``, ``repeat/q/ivr``, ``retrial/q/ivr``), and its
patience runs from then.
Then, with ``==``:

- every abandoned contact waited exactly its patience (from its arrival in
  its queue to the end of its patience, in floating point as the engine adds);
- no contact was answered, or is still waiting, after its patience ran out.

This holds whatever the contact waits for: its queue, the overflow groups, or
its last agent (``routing.repeat_contacts``). A statistical check compares
the waits of contacts nobody answers with a lognormal patience.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from scipy import stats
from strategies import routing_scenario_dicts

from simcenter.engine import run_replication
from simcenter.records import OUTCOMES
from simcenter.scenario import Scenario, build_scenario
from simcenter.streams import stream

EXAMPLES = settings(max_examples=60, deadline=None)
ALPHA = 0.001


def _origins(table: pd.DataFrame) -> pd.Series:
    """Per contact (indexed by id): ``first``, ``repeat``, ``retrial``, ``transfer`` or
    ``reroute``.

    A repeat follows an answered contact, a retrial one that gave up (abandoned,
    blocked, balked), a transfer leg one transferred after its talk and a rerouted
    contact one transferred before an answer.
    """
    by_id = table.set_index("contact_id")
    origins = pd.Series("first", index=by_id.index)
    linked = by_id[by_id["linked_id"] >= 0]
    parents = by_id.loc[linked["linked_id"]]
    was_answered = parents["answered_s"].notna().to_numpy()
    moved_on = (parents["outcome"] == "transferred").to_numpy()
    gave_up = parents["outcome"].isin(["abandoned", "blocked", "balked"]).to_numpy()
    origins[linked.index] = np.where(
        moved_on,
        np.where(was_answered, "transfer", "reroute"),
        np.where(gave_up, "retrial", "repeat"),
    )
    return origins


def expected_patience(scenario: Scenario, table: pd.DataFrame, replication: int) -> pd.Series:
    """Per contact id, its patience (seconds), recomputed from the named streams."""
    origins = _origins(table)
    by_id = table.set_index("contact_id").sort_index()
    patience = pd.Series(math.inf, index=by_id.index)
    for index, spec in enumerate(scenario.queues):
        for origin in ("first", "repeat", "retrial", "transfer", "reroute"):
            ids = by_id.index[(by_id["queue"] == index) & (origins[by_id.index] == origin)]
            if origin == "reroute" or spec.patience is None or len(ids) == 0:
                continue
            first = origin == "first"
            name = f"patience/{spec.name}" if first else f"{origin}/{spec.name}/patience"
            rng = stream(scenario.seed, replication, name)
            patience[ids] = spec.patience.build().sample(rng, len(ids))
    for contact_id in by_id.index[origins[by_id.index] == "reroute"]:  # parents come first
        parent = by_id.loc[contact_id, "linked_id"]
        rule = scenario.queues[by_id.loc[parent, "queue"]].max_wait
        patience[contact_id] = max(0.0, patience[parent] - rule.after)
    return patience


def expected_queued(scenario: Scenario, table: pd.DataFrame, replication: int) -> pd.Series:
    """Per contact id, when it joined its queue (seconds): its arrival, plus its IVR time
    (recomputed from the named streams) for a new call at a queue with an IVR."""
    origins = _origins(table)
    by_id = table.set_index("contact_id").sort_index()
    queued = by_id["arrival_s"].copy()
    for index, spec in enumerate(scenario.queues):
        if spec.ivr is None:
            continue
        for origin in ("first", "repeat", "retrial"):  # legs and reroutes skip the IVR
            ids = by_id.index[(by_id["queue"] == index) & (origins[by_id.index] == origin)]
            name = f"ivr/{spec.name}" if origin == "first" else f"{origin}/{spec.name}/ivr"
            rng = stream(scenario.seed, replication, name)
            queued[ids] = queued[ids] + spec.ivr.duration.build().sample(rng, len(ids))
    return queued


def contacts(scenario: Scenario, replication: int) -> pd.DataFrame:
    """One replication's contacts by id, outcome by name, with their recomputed patience."""
    record = run_replication(scenario, replication)
    table = pd.DataFrame(record.contacts).sort_values("contact_id", ignore_index=True)
    table["outcome"] = [OUTCOMES[code] for code in table["outcome"]]
    table["patience_s"] = expected_patience(scenario, table, replication).to_numpy()
    queued = expected_queued(scenario, table, replication).to_numpy()
    table["gives_up_s"] = (queued + table["patience_s"]) - queued
    return table


def check_patience(table: pd.DataFrame) -> None:
    """Abandoned at exactly their patience; nobody answered or waiting beyond it."""
    abandoned = table[table["outcome"] == "abandoned"]
    assert (abandoned["wait_s"] == abandoned["gives_up_s"]).all()
    assert (table["wait_s"].fillna(0.0) <= table["gives_up_s"]).all()


@EXAMPLES
@given(data=routing_scenario_dicts(warmup=False))
def test_every_contact_leaves_or_is_answered_within_its_patience(data: dict) -> None:
    scenario = build_scenario(data)
    check_patience(contacts(scenario, 0))


def _repeat_centre(repeat_contacts: str) -> Scenario:
    """A busy centre whose unresolved callers call again and wait for their last agent."""
    return build_scenario(
        {
            "name": "repeats",
            "seed": 4,
            "horizon": "4h",
            "closing": "drain",
            "routing": {"repeat_contacts": repeat_contacts, "affinity_wait": "60s"},
            "queues": [
                {
                    "name": "care",
                    "arrivals": {"rate": "100/h"},
                    "handle_time": {"distribution": "exponential", "mean": "4min"},
                    "patience": {"distribution": "exponential", "mean": "90s"},
                    "repeat": {
                        "probability": 0.5,
                        "delay": {"distribution": "exponential", "mean": "5min"},
                    },
                },
            ],
            "agents": [{"name": "team", "count": 8, "skills": ["care"]}],
        }
    )


@pytest.mark.parametrize("repeat_contacts", ["prefer_last_agent", "last_agent_only"])
def test_a_repeat_contact_waiting_for_its_last_agent_keeps_its_patience(
    repeat_contacts: str,
) -> None:
    table = contacts(_repeat_centre(repeat_contacts), 0)
    repeats = table[table["attempt"] > 1]
    # Callers waiting for one busy agent, with a patience of 90 s on average, abandon often.
    assert (repeats["outcome"] == "abandoned").sum() >= 20
    check_patience(table)


def test_a_rerouted_contact_keeps_what_is_left_of_its_patience() -> None:
    scenario = build_scenario(
        {
            "name": "reroute",
            "seed": 8,
            "horizon": "3h",
            "queues": [
                {
                    "name": "front",
                    "arrivals": {"rate": "120/h"},
                    "handle_time": {"distribution": "exponential", "mean": "5min"},
                    "patience": {"distribution": "uniform", "low": 10, "high": 200},
                    "max_wait": {"after": "40s", "to": "back"},
                },
                {
                    "name": "back",
                    "arrivals": {"rate": "1/h"},
                    "handle_time": {"distribution": "exponential", "mean": "5min"},
                    "patience": {"distribution": "constant", "mean": "1h"},
                },
            ],
            "agents": [
                {"name": "front-team", "count": 6, "skills": ["front"]},
                {"name": "back-team", "count": 2, "skills": ["back"]},
            ],
        }
    )
    table = contacts(scenario, 0)
    rerouted = table[_origins(table)[table["contact_id"]].to_numpy() == "reroute"]
    assert (rerouted["outcome"] == "abandoned").sum() >= 20
    check_patience(table)


def test_the_waits_of_unanswered_contacts_follow_a_lognormal_patience() -> None:
    """Nobody answers: each wait is a patience draw; Kolmogorov-Smirnov at alpha = 0.001."""
    mean, cv = 120.0, 0.6
    scenario = build_scenario(
        {
            "name": "nobody-answers",
            "seed": 12,
            "horizon": "10h",
            "queues": [
                {
                    "name": "q",
                    "arrivals": {"rate": "300/h"},
                    "handle_time": {"distribution": "exponential", "mean": "3min"},
                    "patience": {"distribution": "lognormal", "mean": mean, "cv": cv},
                }
            ],
            "agents": [{"name": "g", "count": 0, "skills": ["q"]}],
        }
    )
    table = contacts(scenario, 0)
    assert (table["outcome"] == "abandoned").all()
    sigma = math.sqrt(math.log1p(cv**2))
    patience = stats.lognorm(s=sigma, scale=mean * math.exp(-(sigma**2) / 2))
    assert stats.kstest(table["wait_s"], patience.cdf).pvalue > ALPHA
