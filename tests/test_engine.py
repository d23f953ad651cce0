"""Tests of the engine's event logic: exact event logs of tiny scripted scenarios.

SimPy style: constant handle, wrap-up and patience times, arrivals scripted at
exact times (``script_arrivals``) or Poisson arrivals checked through
properties that hold exactly on every path (a contact with constant patience
that abandons does so exactly at arrival + patience). Times are seconds; the
scripted times are whole numbers, so every expected time is exact in floating
point.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scripted import (
    NAN,
    ArrivalScript,
    ScenarioFactory,
    assert_log,
    constant,
    group,
    queue,
    table_of,
)

from simcenter.engine import run_replication
from simcenter.records import ReplicationRecord
from simcenter.scenario import Scenario


def run(scenario: Scenario) -> tuple[pd.DataFrame, ReplicationRecord]:
    """One replication: its contacts (by contact id, outcome and queue by name) and its record."""
    record = run_replication(scenario)
    return table_of(scenario, record), record


# --- scripted event logs -------------------------------------------------------


def test_contact_abandons_exactly_when_its_patience_ends(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """One agent, handle 100 s, patience 30 s: the two callers behind the first give up."""
    script_arrivals({"a": [1, 11, 21, 151]})
    scenario = make_scenario([queue("a", patience=constant(30))], [group("g", ["a"])])
    table, _ = run(scenario)
    assert_log(
        table,
        [
            ("a", 1, "answered", 1, 101, 0),
            ("a", 11, "abandoned", NAN, 41, 30),
            ("a", 21, "abandoned", NAN, 51, 30),
            ("a", 151, "answered", 151, 251, 0),
        ],
    )


@pytest.mark.parametrize("wrap_s", [0, 30])
def test_wrap_up_delays_the_next_answer_by_the_wrap_time(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript, wrap_s: float
) -> None:
    """The second caller is answered at the end of the first talk plus the wrap-up."""
    script_arrivals({"a": [1, 11]})
    scenario = make_scenario([queue("a", wrap_up=constant(wrap_s))], [group("g", ["a"])])
    table, _ = run(scenario)
    assert_log(
        table,
        [
            ("a", 1, "answered", 1, 101, 0),
            ("a", 11, "answered", 101 + wrap_s, 201 + wrap_s, 90 + wrap_s),
        ],
    )
    assert table["wrap_s"].tolist() == [wrap_s, wrap_s]


def test_freed_agent_takes_the_higher_priority_queue_first(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """A younger contact of a higher-priority queue is answered before an older one."""
    script_arrivals({"low": [1, 11], "high": [21]})
    scenario = make_scenario(
        [queue("low", priority=0), queue("high", priority=1)], [group("g", ["low", "high"])]
    )
    table, _ = run(scenario)
    assert_log(
        table,
        [
            ("low", 1, "answered", 1, 101, 0),
            ("low", 11, "answered", 201, 301, 190),
            ("high", 21, "answered", 101, 201, 80),
        ],
    )


@pytest.mark.parametrize(
    ("skills", "b_priority", "first_after_busy"),
    [
        ({"a": 1, "b": 2}, 0, "a"),  # the primary skill first, although b waits longer
        ({"a": 1, "b": 2}, 5, "a"),  # the skill level comes before the queue priority
        ({"a": 1, "b": 1}, 0, "b"),  # same level and priority: the oldest contact first
    ],
)
def test_freed_agent_serves_its_best_skill_level_first(
    make_scenario: ScenarioFactory,
    script_arrivals: ArrivalScript,
    skills: dict[str, int],
    b_priority: int,
    first_after_busy: str,
) -> None:
    """One agent busy until 101 finds b (waiting since 11) and a (since 21).

    ``contact_selection: priority`` ranks skill level, then queue priority, then age.
    """
    script_arrivals({"a": [1, 21], "b": [11]})
    scenario = make_scenario(
        [queue("a"), queue("b", priority=b_priority)],
        [group("g", skills)],
        routing={"contact_selection": "priority"},
    )
    table, _ = run(scenario)
    waiting = table[table["arrival_s"] > 1]
    served_first = waiting.loc[waiting["answered_s"].idxmin(), "queue"]
    assert served_first == first_after_busy
    assert sorted(waiting["answered_s"]) == [101, 201]


@pytest.mark.parametrize(
    ("skills", "routing", "first_after_busy"),
    [
        ({"a": 1, "b": 2}, {}, "a"),  # levels given, no policy: the levels act
        (["a", "b"], {}, "b"),  # no levels: the oldest contact first
        ({"a": 1, "b": 1}, {}, "b"),  # equal levels are no levels
        ({"a": 1, "b": 2}, {"contact_selection": "oldest"}, "b"),  # the scenario chose
    ],
)
def test_skill_levels_act_unless_the_scenario_chooses_a_policy(
    make_scenario: ScenarioFactory,
    script_arrivals: ArrivalScript,
    skills: Any,
    routing: dict[str, str],
    first_after_busy: str,
) -> None:
    """One agent busy until 101 finds b (level 2, waiting since 11) and a (level 1, since 21)."""
    script_arrivals({"a": [1, 21], "b": [11]})
    scenario = make_scenario([queue("a"), queue("b")], [group("g", skills)], routing=routing)
    table, _ = run(scenario)
    waiting = table[table["arrival_s"] > 1]
    assert waiting.loc[waiting["answered_s"].idxmin(), "queue"] == first_after_busy
    assert sorted(waiting["answered_s"]) == [101, 201]
    levels = isinstance(skills, dict) and len(set(skills.values())) > 1
    expected = routing.get("contact_selection", "priority" if levels else "oldest")
    assert scenario.routing.contact_selection == expected  # the resolved scenario says so


@pytest.mark.parametrize(
    "agents",
    [
        [group("team", ["long", "short"], count=3)],
        [group(f"solo{number}", ["long", "short"]) for number in range(3)],
    ],
    ids=["one group of three", "three groups of one"],
)
def test_arriving_contact_goes_to_the_longest_idle_agent(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript, agents: list[dict[str, Any]]
) -> None:
    """Agents freed at 52, 53 and 101 answer the contacts arriving at 200, 201 and 202 in turn.

    Contacts 0 (long, 100 s), 1 and 2 (short, 50 s) keep the three agents busy
    until 101, 52 and 53; contacts 3, 4 and 5 arrive when all are idle. A
    bystander, idle since the start but without the skills, is never chosen.
    """
    script_arrivals({"long": [1, 200, 201, 202], "short": [2, 3]})
    queues = [queue("long", 100), queue("short", 50), queue("elsewhere")]
    scenario = make_scenario(queues, [group("bystander", ["elsewhere"]), *agents])
    table, _ = run(scenario)
    by_id = table.set_index("contact_id")
    assert by_id.loc[[0, 1, 2], "agent"].nunique() == 3
    assert (table["group"] != 0).all()
    for later, earlier in [(3, 1), (4, 2), (5, 0)]:
        assert by_id.loc[later, "agent"] == by_id.loc[earlier, "agent"]
        assert by_id.loc[later, "group"] == by_id.loc[earlier, "group"]
    assert (table["wait_s"] == 0).all()


# --- closing the centre at the horizon -----------------------------------------
#
# Warm-up 100 s, horizon 900 s: the horizon ends at 1000 s. One agent, handle
# 100 s. Contact 0 arrives at 950 and is talking at 1000; contact 1 arrives at
# 960 and is waiting at 1000.

CLOSING_LOGS = {
    "stop": (
        1000,
        [("a", 950, "in_system", 950, NAN, 0), ("a", 960, "in_system", NAN, NAN, 40)],
    ),
    "clear": (
        1050,
        [("a", 950, "answered", 950, 1050, 0), ("a", 960, "disconnected", NAN, 1000, 40)],
    ),
    "drain": (
        1150,
        [("a", 950, "answered", 950, 1050, 0), ("a", 960, "answered", 1050, 1150, 90)],
    ),
}


@pytest.mark.parametrize("closing", list(CLOSING_LOGS))
def test_closing_mode_decides_what_happens_to_contacts_at_the_horizon(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript, closing: str
) -> None:
    """stop: both stay in system; clear: the waiting one is cut off; drain: both are served."""
    script_arrivals({"a": [950, 960]})
    scenario = make_scenario(
        [queue("a")], [group("g", ["a"])], warmup=100, horizon=900, closing=closing
    )
    table, record = run(scenario)
    end_of_run, expected = CLOSING_LOGS[closing]
    assert_log(table, expected)
    assert record.end_s == end_of_run
    assert record.presence["end_s"].tolist() == [end_of_run]


def test_stop_truncates_the_talk_in_progress_at_the_horizon(
    make_scenario: ScenarioFactory, script_arrivals: ArrivalScript
) -> None:
    """The contact talking at the end of a ``stop`` run has its talk cut at the end."""
    script_arrivals({"a": [950]})
    scenario = make_scenario([queue("a")], [group("g", ["a"])], horizon=1000, closing="stop")
    table, _ = run(scenario)
    assert table[["handle_s", "wrap_s", "agent"]].values.tolist() == [[50, 0, 0]]


# --- properties of Poisson runs that hold exactly ---------------------------------


def test_abandons_happen_exactly_at_arrival_plus_patience(make_scenario: ScenarioFactory) -> None:
    """Overloaded (load 3.3 on 2 agents) with constant patience 45 s: every abandon is at 45 s."""
    scenario = make_scenario(
        [{**queue("a"), "arrivals": {"rate": "120/h"}, "patience": constant(45)}],
        [group("g", ["a"], count=2)],
        horizon="4h",
    )
    table, _ = run(scenario)
    abandoned = table[table["outcome"] == "abandoned"]
    answered = table[table["outcome"] == "answered"]
    assert len(abandoned) > 50
    assert len(answered) > 50
    assert (abandoned["end_s"] == abandoned["arrival_s"] + 45).all()
    assert (abandoned["wait_s"] == abandoned["end_s"] - abandoned["arrival_s"]).all()
    assert (answered["wait_s"] <= 45).all()


def test_single_agent_follows_the_lindley_recursion(make_scenario: ScenarioFactory) -> None:
    """One agent, handle 100 s, wrap 30 s, no abandons: answer = max(arrival, last end + wrap)."""
    scenario = make_scenario(
        [{**queue("a", wrap_up=constant(30)), "arrivals": {"rate": "30/h"}}],
        [group("g", ["a"])],
        horizon="8h",
    )
    table, _ = run(scenario)
    assert (table["outcome"] == "answered").all()
    assert (table["end_s"] == table["answered_s"] + 100).all()
    free_again = table["end_s"].to_numpy()[:-1] + 30
    arrivals = table["arrival_s"].to_numpy()[1:]
    assert np.array_equal(table["answered_s"].to_numpy()[1:], np.maximum(arrivals, free_again))
    assert (table["wait_s"] > 0).sum() > 20  # the queue did form


def test_warmup_only_hides_contacts_that_arrived_before_it(make_scenario: ScenarioFactory) -> None:
    """A 30-min warm-up + 1-h horizon is the 90-min run seen from 30 min on, contact by contact."""
    queues = [{**queue("a"), "arrivals": {"rate": "90/h"}, "patience": constant(60)}]
    agents = [group("g", ["a"])]
    with_warmup, _ = run(make_scenario(queues, agents, warmup="30min", horizon="1h"))
    whole, _ = run(make_scenario(queues, agents, warmup=0, horizon="90min"))
    assert (whole["arrival_s"] < 1800).sum() > 10
    assert (with_warmup["arrival_s"] >= 1800).all()
    later = whole[whole["arrival_s"] >= 1800].reset_index(drop=True)
    pd.testing.assert_frame_equal(with_warmup, later, check_exact=True)


def test_busy_level_after_warmup_counts_every_contact_served_after_it(
    make_scenario: ScenarioFactory,
) -> None:
    """``busy_area_s`` with a warm-up = busy time after it of all contacts, warm-up ones included.

    The contacts of the 90-min run without warm-up are those of the run with
    a 30-min warm-up plus the warm-up arrivals; their busy periods (talk +
    wrap-up) clipped to [30 min, end of run] add up to the engine's level, to
    floating-point rounding.
    """
    queues = [
        {
            **queue("a", wrap_up=constant(20)),
            "arrivals": {"rate": "100/h"},
            "patience": constant(90),
        }
    ]
    agents = [group("g", ["a"], count=2)]
    _, with_warmup = run(make_scenario(queues, agents, warmup="30min", horizon="1h"))
    whole, record = run(make_scenario(queues, agents, warmup=0, horizon="90min"))
    served = whole[whole["outcome"] == "answered"]
    starts = np.maximum(served["answered_s"], 1800)
    ends = np.minimum(served["end_s"] + served["wrap_s"], record.end_s)
    assert ((served["answered_s"] < 1800) & (ends > 1800)).any()  # a warm-up contact spills over
    busy = np.clip(ends - starts, 0, None).sum()
    assert with_warmup.busy_area_s[0] == pytest.approx(busy, rel=1e-9)
    assert record.busy_area_s[0] > with_warmup.busy_area_s[0]


def overloaded_at_the_end(make_scenario: ScenarioFactory, closing: str) -> Scenario:
    """Two agents for 180/h of 100-s calls (load 5), no abandons: a long queue at the horizon."""
    return make_scenario(
        [{**queue("a", wrap_up=constant(10)), "arrivals": {"rate": "180/h"}}],
        [group("g", ["a"], count=2)],
        warmup="10min",
        closing=closing,
    )


def test_drain_serves_every_waiting_contact(make_scenario: ScenarioFactory) -> None:
    """``drain``: every contact is answered; the run ends when the last wrap-up ends."""
    scenario = overloaded_at_the_end(make_scenario, "drain")
    table, record = run(scenario)
    assert (table["outcome"] == "answered").all()
    assert (table["arrival_s"] < scenario.end_s).all()
    assert record.end_s > scenario.end_s
    assert record.end_s == (table["end_s"] + table["wrap_s"]).max()


def test_clear_disconnects_the_waiting_contacts_at_the_horizon(
    make_scenario: ScenarioFactory,
) -> None:
    """``clear``: the contacts waiting at the horizon leave then; the ones talking finish."""
    scenario = overloaded_at_the_end(make_scenario, "clear")
    table, record = run(scenario)
    disconnected = table[table["outcome"] == "disconnected"]
    answered = table[table["outcome"] == "answered"]
    assert len(disconnected) > 10
    assert set(table["outcome"]) == {"answered", "disconnected"}
    assert (disconnected["end_s"] == scenario.end_s).all()
    assert (disconnected["wait_s"] == scenario.end_s - disconnected["arrival_s"]).all()
    assert (answered["answered_s"] < scenario.end_s).all()
    assert record.end_s == (answered["end_s"] + answered["wrap_s"]).max()
    assert record.end_s > scenario.end_s


def test_stop_leaves_contacts_in_system_at_the_horizon(make_scenario: ScenarioFactory) -> None:
    """``stop``: the run ends at the horizon; contacts waiting or talking then are ``in_system``."""
    scenario = overloaded_at_the_end(make_scenario, "stop")
    table, record = run(scenario)
    assert record.end_s == scenario.end_s
    in_system = table[table["outcome"] == "in_system"]
    talking = in_system[in_system["answered_s"].notna()]
    waiting = in_system[in_system["answered_s"].isna()]
    assert len(talking) <= 2
    assert len(waiting) > 10
    assert set(table["outcome"]) == {"answered", "in_system"}
    assert (talking["answered_s"] + 100 > scenario.end_s).all()
    assert (waiting["wait_s"] == scenario.end_s - waiting["arrival_s"]).all()
    assert in_system["end_s"].isna().all()
    answered = table[table["outcome"] == "answered"]
    assert (answered["end_s"] <= scenario.end_s).all()


def test_drain_without_agents_on_duty_leaves_the_queue_in_system(
    make_scenario: ScenarioFactory,
) -> None:
    """Nobody is on duty after 30 min: ``drain`` cannot serve the queue and the run still ends."""
    scenario = make_scenario(
        [{**queue("a"), "arrivals": {"rate": "120/h"}}],
        [{"name": "g", "staffing": {"interval": "30min", "counts": [1]}, "skills": ["a"]}],
    )
    table, record = run(scenario)
    late = table[table["arrival_s"] >= 1800]
    assert len(late) > 20
    assert (late["outcome"] == "in_system").all()
    assert record.end_s == scenario.end_s
    assert set(table["outcome"]) == {"answered", "in_system"}
