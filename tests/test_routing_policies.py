"""Tests of the routing policies on small hand-built situations (issue 3).

Agent selection (``routing.agent_selection``) decides which idle agent answers
an arriving contact; contact selection (``routing.contact_selection``) which
waiting contact a freed agent takes. Each situation is scripted with exact
arrival times (``script_arrivals``) and constant handle times, so the test
asserts exactly who answers what and when. Agents are numbered across groups
in the order of ``agents`` (the first agent of the first group is 0).

Only ``random`` is stochastic: it is checked with a chi-square test of
uniformity over many draws at alpha = 0.001, with a fixed seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scripted import ALPHA, ArrivalScript, ScenarioFactory, group, queue, run


def agents_of(table: pd.DataFrame, queue_name: str) -> list[int]:
    """The agents who answered the contacts of ``queue_name``, in arrival order."""
    rows = table[table["queue"] == queue_name].sort_values("arrival_s")
    return rows["agent"].tolist()


# --- agent selection ----------------------------------------------------------------
#
# Agent 0 (group "primary", skills q at level 1 and warm) is busy with a warm
# contact from 1 to 101, so it has been idle since 101 when the probe contact
# of q arrives at 200. Agent 1 (group "backup", q at level 2) has been idle
# since 0.


@pytest.mark.parametrize(
    ("policy", "expected_agent"),
    [
        ("longest_idle", 1),  # idle since 0, whatever its skill level
        ("priority", 0),  # the best skill level first, although idle for less time
        ("round_robin", 0),  # the first turn goes to the lowest agent number
    ],
)
@pytest.mark.parametrize("where", ["scenario", "queue"])
def test_agent_selection_chooses_between_a_primary_and_a_backup_agent(
    make_scenario: ScenarioFactory,
    script_arrivals: ArrivalScript,
    policy: str,
    expected_agent: int,
    where: str,
) -> None:
    """The probe contact of q goes to the agent the policy names.

    The policy is set at the scenario level, or on queue q only (the
    scenario's ``longest_idle`` then still holds for warm).
    """
    script_arrivals({"warm": [1], "q": [200]})
    rule = {"agent_selection": policy}
    probe = queue("q", routing=rule) if where == "queue" else queue("q")
    keys = {"routing": rule} if where == "scenario" else {}
    scenario = make_scenario(
        [probe, queue("warm")],
        [group("primary", {"q": 1, "warm": 1}), group("backup", {"q": 2})],
        **keys,
    )
    table = run(scenario)
    assert agents_of(table, "warm") == [0]
    assert agents_of(table, "q") == [expected_agent]
    assert table["wait_s"].tolist() == [0, 0]


def test_fewest_skills_keeps_the_generalist_free_and_takes_the_longest_idle_specialist(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Specialists (two skills) answer before the generalist (three), longest idle first.

    Agent 0 is the generalist (q, r, s), idle since 0. Agent 1 (q, warm) is
    busy with warm from 1 to 101; agent 2 (q, other) is idle since 0. The
    contact of q at 200 goes to agent 2 (idle since 0), which is busy until
    250; the one at 300 goes to agent 1 (idle since 101 < 250). The
    generalist, idle longest, is never chosen; ``longest_idle`` gives it the
    first contact and agent 2 the second.
    """
    script_arrivals({"warm": [1], "q": [200, 300]})
    queues = [queue("q", 50), queue("r"), queue("s"), queue("warm"), queue("other")]
    agents = [
        group("generalist", ["q", "r", "s"]),
        group("specialist_a", ["q", "warm"]),
        group("specialist_b", ["q", "other"]),
    ]
    fewest = run(make_scenario(queues, agents, routing={"agent_selection": "fewest_skills"}))
    assert agents_of(fewest, "q") == [2, 1]
    longest = run(make_scenario(queues, agents, routing={"agent_selection": "longest_idle"}))
    assert agents_of(longest, "q") == [0, 2]


def test_round_robin_follows_agent_numbers_not_idle_times(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Three agents take the contacts of q in turn by number: 0, 1, 2, 0, 1.

    Agent 0 is busy with warm from 1 to 11, so by idle time the order would be
    1, 2, 0, 1, 2 (``longest_idle``, checked too). Every contact of q (handle
    5 s, 20 s apart) finds all three agents idle.
    """
    script_arrivals({"warm": [1], "q": [20, 40, 60, 80, 100]})
    queues = [queue("q", 5), queue("warm", 10)]
    agents = [group("team", ["q", "warm"], count=3)]
    turns = run(make_scenario(queues, agents, routing={"agent_selection": "round_robin"}))
    assert agents_of(turns, "warm") == [0]
    assert agents_of(turns, "q") == [0, 1, 2, 0, 1]
    longest = run(make_scenario(queues, agents, routing={"agent_selection": "longest_idle"}))
    assert agents_of(longest, "q") == [1, 2, 0, 1, 2]


def test_round_robin_skips_busy_agents_and_wraps_around(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """The turn passes over an agent who is busy and comes back to it once it is free.

    Agent 1 (the only one with skill warm) is busy from 1 to 1001. The contacts
    of q at 10, 20, 30, 40 go to 0, 2, 0, 2; those at 1100, 1110, 1120 to
    0, 1, 2 (after agent 2 the turn wraps around to agent 0).
    """
    script_arrivals({"warm": [1], "q": [10, 20, 30, 40, 1100, 1110, 1120]})
    scenario = make_scenario(
        [queue("q", 5), queue("warm", 1000)],
        [group("a", ["q"]), group("b", ["q", "warm"]), group("c", ["q"])],
        routing={"agent_selection": "round_robin"},
    )
    table = run(scenario)
    assert agents_of(table, "q") == [0, 2, 0, 2, 0, 1, 2]
    assert (table["wait_s"] == 0).all()


def test_random_agent_is_uniform_over_every_eligible_idle_agent(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """Chi-square test: each idle eligible agent answers 1/4 of the contacts (alpha = 0.001).

    Five agents have skill q: two at level 1 (group primary, which also has
    skill hold) and three at level 2 (backup); a bystander has other skills.
    The hold contact at 0.5 keeps one primary agent busy for the whole run.
    The 4,000 contacts of q arrive 10 s apart and talk 1 s, so each finds the
    same four agents idle: ``random`` must choose among all of them,
    whatever their skill level, and never the busy agent or the bystander.
    """
    count = 4000
    script_arrivals({"hold": [0.5], "q": [10.0 * number for number in range(1, count + 1)]})
    scenario = make_scenario(
        [queue("q", 1), queue("hold", 1e7), queue("other")],
        [
            group("primary", {"q": 1, "hold": 1}, count=2),
            group("backup", {"q": 2}, count=3),
            group("bystander", ["other"]),
        ],
        horizon=10.0 * count + 10.0,
        closing="stop",
        routing={"agent_selection": "random"},
    )
    table = run(scenario)
    (busy,) = agents_of(table, "hold")
    answered_by = np.array(agents_of(table, "q"))
    eligible = sorted({0, 1, 2, 3, 4} - {busy})
    assert len(answered_by) == count
    assert set(answered_by) == set(eligible)
    counts = np.array([np.count_nonzero(answered_by == agent) for agent in eligible])
    assert stats.chisquare(counts).pvalue > ALPHA


# --- contact selection --------------------------------------------------------------
#
# One agent talks to a contact of queue "first" from 1 to 101. Meanwhile
# contacts of a, b (and c) arrive and wait; every talk lasts 100 s, so the
# agent answers them at 101, 201 (and 301) in the order the policy decides.


def waiting_case(
    skills: dict[str, int],
    queues: dict[str, dict[str, float]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, list[float]]]:
    """Queues, the one agent and the script of a contact-selection situation.

    Args:
        skills: Skill level of the agent for each waiting queue.
        queues: Per waiting queue: its ``arrival`` (s), ``priority`` and
            service-level ``threshold`` (s).
    """
    specs = [queue("first")] + [
        queue(
            name,
            priority=int(facts["priority"]),
            service_level={"threshold": facts["threshold"]},
        )
        for name, facts in queues.items()
    ]
    script = {"first": [1.0]} | {name: [facts["arrival"]] for name, facts in queues.items()}
    return specs, [group("agent", {"first": 1, **skills})], script


def fact(arrival: float, priority: int = 0, threshold: float = 20.0) -> dict[str, float]:
    """One waiting contact: arrival time (s), its queue's priority and threshold (s)."""
    return {"arrival": arrival, "priority": priority, "threshold": threshold}


CONTACT_CASES = {
    # b (level 2, priority 1) waits since 10, a (level 1, priority 0) since 20.
    "priority queue at a lower skill level": (
        {"a": 1, "b": 2},
        {"a": fact(20), "b": fact(10, priority=1)},
        {"oldest": "ba", "priority": "ab", "sl_urgency": "ba"},
    ),
    # Equal priorities: the oldest (b) unless skill levels rank first.
    "older contact at a lower skill level": (
        {"a": 1, "b": 2},
        {"a": fact(20), "b": fact(10)},
        {"oldest": "ba", "priority": "ab", "sl_urgency": "ba"},
    ),
    # Same level and priority: a higher priority beats age under every policy.
    "younger contact of a higher priority": (
        {"a": 1, "b": 1},
        {"a": fact(30, priority=1), "b": fact(10)},
        {"oldest": "ab", "priority": "ab", "sl_urgency": "ab"},
    ),
    # At 101: a waited 41 s of a 20-s threshold (21 past), b 91 s of 120 s (29 to go).
    "one contact past its threshold": (
        {"a": 1, "b": 1},
        {"a": fact(60), "b": fact(10, threshold=120)},
        {"oldest": "ba", "priority": "ba", "sl_urgency": "ab"},
    ),
    # At 101: both within threshold; b is 39 s from its 100 s, a 109 s from its 200 s.
    "both within their thresholds": (
        {"a": 1, "b": 1},
        {"a": fact(10, threshold=200), "b": fact(40, threshold=100)},
        {"oldest": "ab", "priority": "ab", "sl_urgency": "ba"},
    ),
    # At 101: both past; a by 41 s (threshold 10), b by 31 s (threshold 60).
    "both past their thresholds": (
        {"a": 1, "b": 1},
        {"a": fact(50, threshold=10), "b": fact(10, threshold=60)},
        {"oldest": "ba", "priority": "ba", "sl_urgency": "ab"},
    ),
    # The urgent contact of a (81 s past) still yields to b's higher priority.
    "urgency does not beat priority": (
        {"a": 1, "b": 1},
        {"a": fact(10, threshold=10), "b": fact(90, priority=1, threshold=200)},
        {"oldest": "ba", "priority": "ba", "sl_urgency": "ba"},
    ),
    # a: level 2, priority 5, since 10; b: level 1, priority 0, since 20;
    # c: level 1, priority 1, since 30.
    "three queues, levels and priorities": (
        {"a": 2, "b": 1, "c": 1},
        {"a": fact(10, priority=5), "b": fact(20), "c": fact(30, priority=1)},
        {"oldest": "acb", "priority": "cba", "sl_urgency": "acb"},
    ),
}


@pytest.mark.parametrize("policy", ["oldest", "priority", "sl_urgency"])
@pytest.mark.parametrize("case", list(CONTACT_CASES))
def test_freed_agent_takes_the_waiting_contacts_in_policy_order(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript, case: str, policy: str
) -> None:
    """The waiting contacts are answered at 101, 201, ... in the order the policy ranks them.

    ``oldest`` and ``sl_urgency`` treat queue priority as absolute (a higher
    priority is always served first, whatever the skill level);
    ``priority`` ranks the agent's skill level first, then queue priority,
    then age; ``sl_urgency`` ranks equal priorities by wait − threshold.
    """
    skills, facts, expected = CONTACT_CASES[case]
    queues, agents, script = waiting_case(skills, facts)
    script_arrivals(script)
    scenario = make_scenario(queues, agents, routing={"contact_selection": policy})
    table = run(scenario)
    waiting = table[table["queue"] != "first"].sort_values("answered_s")
    assert "".join(waiting["queue"]) == expected[policy]
    assert waiting["answered_s"].tolist() == [101 + 100 * turn for turn in range(len(waiting))]
    assert (waiting["outcome"] == "answered").all()
