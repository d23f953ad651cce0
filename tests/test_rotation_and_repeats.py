"""Tests of agent rotation in both senses (issue 3).

Task rotation: a group with ``rotation`` works one skill set at a time, in
blocks of ``every`` seconds. The schedule is: agent number k of the group
(0 for its first agent) works set ``(start + floor(t / every)) % n_sets`` at
time t, where ``start = k % n_sets`` with ``stagger: true`` and 0 without.
An agent busy at a block boundary finishes its contact (and wrap-up) first.

Customer rotation: a repeat contact (``repeat``) is the same customer calling
again; ``routing.repeat_contacts`` decides whether it gets whoever is free
(``any_agent``), its last agent if free soon enough (``prefer_last_agent``)
or only its last agent (``last_agent_only``), and ``handover_factor``
multiplies the handle time when the agent changes.

Scripted situations assert exact event logs; Poisson runs with fixed seeds
assert properties that hold on every path, frequencies with exact binomial
tests and comparisons with a two-proportion z-test, at alpha = 0.001.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scripted import (
    ALPHA,
    ArrivalScript,
    ScenarioFactory,
    assert_log,
    constant,
    exponential,
    run,
)
from scripted import queue as scripted_queue

from simcenter.scenario import Scenario, build_scenario


def queue(name: str, handle_s: float = 50.0, **keys: Any) -> dict[str, Any]:
    """A queue with a constant 50 s handle time (see :func:`scripted.queue`)."""
    return scripted_queue(name, handle_s, **keys)


# --- task rotation: scripted ------------------------------------------------------------


def test_agent_finishes_the_contact_that_spans_a_block_boundary(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """One agent, blocks of 100 s: set 0 = [a], set 1 = [b], then [a] again from 200.

    The a contact answered at 90 talks its full 50 s into block 1. At 140
    the agent moves to set 1 and takes the b contact waiting since 120; the
    a contact waiting since 95 is answered only when set 0 is back, at 200.
    """
    script_arrivals({"a": [90, 95], "b": [120]})
    rotation = {"every": "100s", "skill_sets": [["a"], ["b"]]}
    scenario = make_scenario(
        [queue("a"), queue("b")],
        [{"name": "g", "count": 1, "skills": ["a", "b"], "rotation": rotation}],
    )
    table = run(scenario)
    assert_log(
        table,
        [
            ("a", 90, "answered", 90, 140, 0),
            ("a", 95, "answered", 200, 250, 105),
            ("b", 120, "answered", 140, 190, 20),
        ],
    )
    assert table["skill_set"].tolist() == [0, 0, 1]
    assert table["handle_s"].tolist() == [50, 50, 50]


def test_agent_busy_until_its_set_comes_back_keeps_that_set(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """One agent, blocks of 100 s: [a], [b], [a]. An a call from 0 talks 250 s.

    The agent is busy at 100 (switch to [b] pending) and at 200 (back to
    [a]: nothing to switch). Ending at 250 in block 2, it takes the a contact
    waiting since 240, not the b contact waiting since 230.
    """
    script_arrivals({"a": [0, 240], "b": [230]})
    rotation = {"every": "100s", "skill_sets": [["a"], ["b"]]}
    scenario = make_scenario(
        [queue("a", 250.0), queue("b")],
        [{"name": "g", "count": 1, "skills": ["a", "b"], "rotation": rotation}],
    )
    table = run(scenario)
    assert_log(
        table,
        [
            ("a", 0, "answered", 0, 250, 0),
            ("b", 230, "answered", 500, 550, 270),
            ("a", 240, "answered", 250, 500, 10),
        ],
    )
    assert table["skill_set"].tolist() == [0, 1, 0]


def test_staggered_agents_cover_every_skill_set_at_all_times(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Two agents, ``stagger: true``: agent 0 starts on set 0 ([a]), agent 1 on set 1 ([b]).

    In block 0 (0–100 s) agent 1 answers b and agent 0 answers a; in block 1
    (100–200 s) they have swapped sets. Nobody waits.
    """
    script_arrivals({"a": [20, 130], "b": [10, 140]})
    rotation = {"every": "100s", "skill_sets": [["a"], ["b"]], "stagger": True}
    scenario = make_scenario(
        [queue("a"), queue("b")],
        [{"name": "g", "count": 2, "skills": ["a", "b"], "rotation": rotation}],
    )
    table = run(scenario).set_index(["queue", "arrival_s"])
    expected = {("b", 10): (1, 1), ("a", 20): (0, 0), ("a", 130): (1, 0), ("b", 140): (0, 1)}
    for contact, (agent, skill_set) in expected.items():
        assert table.loc[contact, ["agent", "skill_set"]].tolist() == [agent, skill_set]
    assert (table["wait_s"] == 0).all()


def test_block_length_that_is_not_a_whole_number_of_seconds(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Blocks of 0.7 s, sets [a] and [b]: block 3 (2.1–2.8 s) works b.

    The idle agent answers the b contact arriving at 2.5 s at once.
    """
    script_arrivals({"b": [2.5]})
    rotation = {"every": 0.7, "skill_sets": [["a"], ["b"]]}
    scenario = make_scenario(
        [queue("a", 0.1), queue("b", 0.1)],
        [{"name": "g", "count": 1, "skills": ["a", "b"], "rotation": rotation}],
        horizon="10s",
    )
    table = run(scenario)
    assert table[["answered_s", "skill_set"]].values.tolist() == [[2.5, 1]]


# --- task rotation: Poisson run ------------------------------------------------------

ROTATION_EVERY_S = 1200.0
"""Block length of the rotating group (20 min; a whole number, so boundaries are exact)."""
SKILL_SETS = [["a", "b"], ["b", "c"], ["c"]]
"""The rotating group's skill sets."""


def rotation_centre(stagger: bool) -> Scenario:
    """Three queues; 7 rotating agents (group 0) and 2 generalists without rotation (group 1)."""
    rotation = {"every": ROTATION_EVERY_S, "skill_sets": SKILL_SETS, "stagger": stagger}
    return build_scenario(
        {
            "name": "rotation",
            "horizon": "12h",
            "closing": "stop",
            "queues": [
                {
                    "name": name,
                    "arrivals": {"rate": "40/h"},
                    "handle_time": exponential("5min"),
                    "wrap_up": constant(30),
                    "patience": exponential("5min"),
                }
                for name in ["a", "b", "c"]
            ],
            "agents": [
                {"name": "rotating", "count": 7, "skills": ["a", "b", "c"], "rotation": rotation},
                {"name": "generalists", "count": 2, "skills": ["a", "b", "c"]},
            ],
        }
    )


def scheduled_set(agent: np.ndarray, time_s: np.ndarray, stagger: bool) -> np.ndarray:
    """The skill set the schedule gives agent number ``agent`` of the group at ``time_s``."""
    count = len(SKILL_SETS)
    start = agent % count if stagger else 0
    return (start + np.floor(time_s / ROTATION_EVERY_S).astype(np.int64)) % count


def test_every_answer_follows_the_rotation_schedule() -> None:
    """From the contacts log, for ``stagger`` false and true.

    Every contact answered by a rotating agent (group 0; its agents are
    numbered from 0) has its queue in the recorded ``skill_set``, and that
    set is the scheduled one at ``answered_s``; at an exact block boundary
    it may still be the set of the block that just ended. Every talk lasts
    its full handle time, including talks that cross a boundary into a
    block where their queue is not active. Generalists record no set.
    """
    for stagger in (False, True):
        table = run(rotation_centre(stagger), seed=23)
        answered = table[table["answered_s"].notna()]
        rotating = answered[answered["group"] == 0]
        assert len(rotating) > 500
        sets = rotating["skill_set"].to_numpy()
        assert all(
            name in SKILL_SETS[number] for name, number in zip(rotating["queue"], sets, strict=True)
        )
        answer_s = rotating["answered_s"].to_numpy()
        scheduled = scheduled_set(rotating["agent"].to_numpy(), answer_s, stagger)
        at_boundary = answer_s % ROTATION_EVERY_S == 0
        previous = (scheduled - 1) % len(SKILL_SETS)
        assert ((sets == scheduled) | (at_boundary & (sets == previous))).all()
        assert at_boundary.any()  # waiting contacts taken as a block begins
        assert (answered.loc[answered["group"] == 1, "skill_set"] == -1).all()
        finished = rotating[rotating["outcome"] == "answered"]
        assert (finished["end_s"] == finished["answered_s"] + finished["handle_s"]).all()
        next_block = scheduled_set(
            finished["agent"].to_numpy(), finished["end_s"].to_numpy(), stagger
        )
        crossing = [
            name not in SKILL_SETS[number]
            for name, number in zip(finished["queue"], next_block, strict=True)
        ]
        assert sum(crossing) > 10


# --- repeat contacts ----------------------------------------------------------------

REPEAT_DELAY_S = 600.0
"""Constant time from the end of a contact to the customer's repeat call (seconds)."""


def repeat_centre(
    repeat_contacts: str,
    *,
    probability: float = 0.4,
    handle_time: dict[str, Any] | None = None,
    handover_factor: float = 1.0,
    rate: str = "30/h",
    agents: int = 6,
    horizon: str = "20h",
) -> Scenario:
    """One queue whose unresolved customers call again ``REPEAT_DELAY_S`` later.

    With first calls at ``rate`` and a repeat probability p, contacts arrive
    at rate / (1 − p) in the long run: 50/h by default, 4.2 Erlangs of
    5-min talks on 6 agents.
    """
    return build_scenario(
        {
            "name": "repeats",
            "horizon": horizon,
            "routing": {
                "repeat_contacts": repeat_contacts,
                "affinity_wait": "60s",
                "handover_factor": handover_factor,
            },
            "queues": [
                {
                    "name": "a",
                    "arrivals": {"rate": rate},
                    "handle_time": handle_time or exponential("5min"),
                    "repeat": {"probability": probability, "delay": constant(REPEAT_DELAY_S)},
                }
            ],
            "agents": [{"name": "g", "count": agents, "skills": ["a"]}],
        }
    )


def repeats_of(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The repeat contacts (attempt > 1) and, row for row, the contacts they follow."""
    repeats = table[table["attempt"] > 1]
    previous = table.set_index("contact_id").loc[repeats["linked_id"]]
    return repeats, previous


def same_agent_counts(table: pd.DataFrame) -> tuple[int, int]:
    """Answered repeat contacts answered by their previous agent, and all answered repeats."""
    repeats = table[(table["attempt"] > 1) & (table["outcome"] == "answered")]
    return int((repeats["agent"] == repeats["previous_agent"]).sum()), len(repeats)


def test_repeat_contact_is_the_same_customer_calling_again() -> None:
    """Each repeat contact continues an answered contact of its customer, ``delay`` after it ended.

    Same ``customer_id``, ``attempt`` one more, ``linked_id`` = the previous
    contact, ``previous_agent`` = its agent, ``arrival_s`` = its ``end_s`` +
    600 s. Of the answered contacts that end early enough for the repeat to
    fall within the horizon, a share ``probability`` has one (binomial test).
    """
    scenario = repeat_centre("any_agent", horizon="40h")
    table = run(scenario, seed=31)
    repeats, previous = repeats_of(table)
    assert repeats["attempt"].max() >= 3
    assert (previous["outcome"] == "answered").all()
    assert (repeats["customer_id"].to_numpy() == previous["customer_id"].to_numpy()).all()
    assert (repeats["attempt"].to_numpy() == previous["attempt"].to_numpy() + 1).all()
    assert (repeats["previous_agent"].to_numpy() == previous["agent"].to_numpy()).all()
    assert (repeats["arrival_s"].to_numpy() == previous["end_s"].to_numpy() + REPEAT_DELAY_S).all()
    first = table[table["attempt"] == 1]
    assert (first["previous_agent"] == -1).all()
    assert (first["customer_id"] == first["contact_id"]).all()
    answered = table[table["outcome"] == "answered"]
    in_time = answered[answered["end_s"] + REPEAT_DELAY_S < scenario.end_s]
    followed = np.isin(in_time["contact_id"], repeats["linked_id"])
    assert len(repeats) == followed.sum()
    assert stats.binomtest(int(followed.sum()), len(in_time), 0.4).pvalue > ALPHA


def test_prefer_last_agent_gives_more_repeat_callers_their_last_agent() -> None:
    """Same seed: the same-agent share is higher with ``prefer_last_agent`` than ``any_agent``.

    One-sided two-proportion z-test at alpha = 0.001. With
    ``prefer_last_agent`` a repeat contact answered by another agent has
    waited at least ``affinity_wait`` (60 s) for its last agent first.
    """
    rotating = run(repeat_centre("any_agent"), seed=41)
    loyal = run(repeat_centre("prefer_last_agent"), seed=41)
    same_any, total_any = same_agent_counts(rotating)
    same_loyal, total_loyal = same_agent_counts(loyal)
    assert min(total_any, total_loyal) > 200
    share_any, share_loyal = same_any / total_any, same_loyal / total_loyal
    pooled = (same_any + same_loyal) / (total_any + total_loyal)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_any + 1 / total_loyal))
    assert (share_loyal - share_any) / spread > stats.norm.ppf(1 - ALPHA)
    repeats = loyal[(loyal["attempt"] > 1) & (loyal["outcome"] == "answered")]
    changed = repeats[repeats["agent"] != repeats["previous_agent"]]
    assert len(changed) > 10
    assert (changed["wait_s"] >= 60 - 1e-9).all()


def test_last_agent_only_answers_every_repeat_contact_by_its_previous_agent() -> None:
    """With ``last_agent_only`` no repeat contact is answered by anyone else."""
    table = run(repeat_centre("last_agent_only"), seed=43)
    repeats = table[table["attempt"] > 1]
    assert len(repeats) > 200
    assert (repeats["outcome"] == "answered").all()
    assert (repeats["agent"] == repeats["previous_agent"]).all()


def test_handover_factor_applies_exactly_when_the_agent_changes() -> None:
    """Constant talk 100 s, ``handover_factor`` 1.25: 125 s for a new agent, else 100 s.

    First contacts always talk 100 s; so do repeat contacts answered by
    their previous agent. Checked under ``any_agent`` and
    ``prefer_last_agent``, with both kinds of repeat contact present.
    """
    for policy in ("any_agent", "prefer_last_agent"):
        scenario = repeat_centre(
            policy, handle_time=constant(100), handover_factor=1.25, rate="60/h", agents=4
        )
        table = run(scenario, seed=47)
        answered = table[table["answered_s"].notna()]
        changed = (answered["attempt"] > 1) & (answered["agent"] != answered["previous_agent"])
        assert changed.sum() > 20
        assert (~changed & (answered["attempt"] > 1)).sum() > 20
        assert (answered.loc[changed, "handle_s"] == 125).all()
        assert (answered.loc[~changed, "handle_s"] == 100).all()
