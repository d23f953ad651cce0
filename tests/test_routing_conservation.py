"""Flow conservation, exactly, for random scenarios with routing features (issue 3).

Every scenario drawn from ``routing_scenarios()`` in ``tests/strategies.py``
(lines, routing policies, overflow, balking, maximum waits, transfers, repeat
contacts, handle-time factors, rotation) is run for one replication and must
satisfy, with ``==`` and no tolerance:

- every first arrival of the measured window is recorded once, with an
  outcome the scenario can produce, and every ``transferred`` contact goes on
  as exactly one follow-up leg (same customer and attempt, arriving when the
  transferred contact left), and every leg continues a ``transferred`` contact;
  every other continued contact is a repeat call after an answered contact
  (with its agent as ``previous_agent``) or a retrial after one that gave up,
  one attempt later;
- an agent answers only a queue of its active skill set, or a queue that
  overflows to its group once the contact has waited ``overflow.after``;
- an agent handles one contact at a time;
- with ``lines: N``, no more than N calls hold a line at once (a call keeps its
  line across its transfer legs), and a contact is blocked only when all N are
  held.

Busy time computed from the contacts equals the time-weighted busy-agent level
``record.busy_area_s`` up to floating-point rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import routing_scenarios
from test_conservation import busy_by_group, expected_arrivals, run

from simcenter.records import run_meta
from simcenter.scenario import Scenario

EXAMPLES = settings(max_examples=40, deadline=None)
replications = st.integers(0, 3)


def legs_of(table: pd.DataFrame) -> pd.DataFrame:
    """The follow-up legs: contacts that continue a recorded ``transferred`` contact."""
    transferred = table.loc[table["outcome"] == "transferred", "contact_id"]
    return table[table["linked_id"].isin(transferred)]


@EXAMPLES
@given(scenario=routing_scenarios(), replication=replications)
def test_every_contact_is_recorded_once_and_every_transfer_goes_on(
    scenario: Scenario, replication: int
) -> None:
    """First arrivals match the arrival streams; each transfer has exactly one follow-up leg."""
    table, _ = run(scenario, replication)
    assert table["contact_id"].is_unique
    assert set(table["outcome"]) <= set(run_meta(scenario).outcomes)
    first = table[table["linked_id"] == -1]
    for index, arrivals in enumerate(expected_arrivals(scenario, replication)):
        recorded = np.sort(first.loc[first["queue"] == index, "arrival_s"].to_numpy())
        # The engine sets each arrival's timer at ``t - now`` and SimPy adds it back to
        # ``now``: the recorded time may be one unit in the last place from ``t``.
        assert len(recorded) == len(arrivals)
        np.testing.assert_allclose(recorded, arrivals, rtol=1e-15, atol=0)
    by_id = table.set_index("contact_id")
    transferred = by_id[by_id["outcome"] == "transferred"]
    legs = legs_of(table)
    leg_ids = legs["contact_id"]
    assert legs["linked_id"].is_unique
    legs = legs.set_index("linked_id")
    assert sorted(legs.index) == sorted(transferred.index)
    origin = transferred.loc[legs.index]
    assert (legs["customer_id"] == origin["customer_id"]).all()
    assert (legs["attempt"] == origin["attempt"]).all()
    assert (legs["arrival_s"] == origin["end_s"]).all()
    assert (legs["queue"] != origin["queue"]).all()
    continued = table[table["linked_id"].isin(by_id.index) & ~table["contact_id"].isin(leg_ids)]
    previous = by_id.loc[continued["linked_id"]]
    assert (continued["attempt"].to_numpy() == previous["attempt"].to_numpy() + 1).all()
    repeat = (previous["outcome"] == "answered").to_numpy()
    retrial = previous["outcome"].isin(["abandoned", "blocked", "balked"]).to_numpy()
    assert (repeat | retrial).all()
    assert (
        continued["previous_agent"].to_numpy()[repeat] == previous["agent"].to_numpy()[repeat]
    ).all()
    assert (continued["previous_agent"].to_numpy()[retrial] == -1).all()
    assert (continued["arrival_s"].to_numpy() >= previous["end_s"].to_numpy()).all()


def active_skills(scenario: Scenario, group: int, skill_set: int) -> set[str]:
    """The queues an agent of ``group`` serves by skill while it works ``skill_set``."""
    spec = scenario.agents[group]
    if spec.rotation is None:
        assert skill_set == -1
        return set(spec.skill_levels)
    return set(spec.rotation.skill_sets[skill_set])


@EXAMPLES
@given(scenario=routing_scenarios(), replication=replications)
def test_agents_answer_their_active_skills_or_overflow(
    scenario: Scenario, replication: int
) -> None:
    """By the active skill set, or as an overflow group after ``overflow.after``."""
    table, _ = run(scenario, replication)
    answered = table[table["answered_s"].notna()]
    assert (answered["agent"] >= 0).all()
    assert (table.loc[table["answered_s"].isna(), "agent"] == -1).all()
    for row in answered.itertuples():
        queue = scenario.queues[row.queue]
        if queue.name in active_skills(scenario, row.group, row.skill_set):
            continue
        overflow = queue.overflow
        assert overflow is not None, (queue.name, row.group, row.skill_set)
        assert scenario.agents[row.group].name in overflow.to
        assert row.answered_s >= row.arrival_s + overflow.after


@EXAMPLES
@given(scenario=routing_scenarios(), replication=replications)
def test_an_agent_handles_one_contact_at_a_time(scenario: Scenario, replication: int) -> None:
    """Per agent, the periods [answered, answered + handle + wrap-up) do not overlap."""
    table, _ = run(scenario, replication)
    served = table[table["answered_s"].notna()]
    busy_until = served["answered_s"] + served["handle_s"] + served["wrap_s"]
    periods = served.assign(busy_until=busy_until).sort_values(["agent", "answered_s"])
    for _, mine in periods.groupby("agent"):
        assert (mine["answered_s"].to_numpy()[1:] >= mine["busy_until"].to_numpy()[:-1]).all()


def line_periods(table: pd.DataFrame) -> pd.DataFrame:
    """Each call that got a line: from its first arrival until its last leg left (inf: still in).

    A transfer leg keeps the caller's line, so a call is a chain of legs.
    """
    left = table.set_index("contact_id")["end_s"].fillna(np.inf)
    next_leg = legs_of(table).set_index("linked_id")["contact_id"]
    calls = table[~table["contact_id"].isin(next_leg) & (table["outcome"] != "blocked")]
    ends = []
    for contact in calls["contact_id"]:
        while contact in next_leg.index:
            contact = next_leg[contact]
        ends.append(left[contact])
    return pd.DataFrame({"start_s": calls["arrival_s"].to_numpy(), "end_s": ends})


@EXAMPLES
@given(
    scenario=routing_scenarios(warmup=False).filter(lambda scenario: scenario.lines is not None),
    replication=replications,
)
def test_lines_are_never_oversubscribed(scenario: Scenario, replication: int) -> None:
    """At each arrival at most ``lines`` calls hold a line; a blocked one found all held."""
    table, _ = run(scenario, replication)
    periods = line_periods(table)
    starts, ends = periods["start_s"].to_numpy(), periods["end_s"].to_numpy()
    for time in starts:
        assert ((starts <= time) & (ends > time)).sum() <= scenario.lines
    for time in table.loc[table["outcome"] == "blocked", "arrival_s"]:
        assert ((starts < time) & (ends >= time)).sum() >= scenario.lines


@EXAMPLES
@given(scenario=routing_scenarios(warmup=False), replication=replications)
def test_busy_time_of_contacts_equals_the_busy_agent_level(
    scenario: Scenario, replication: int
) -> None:
    """Per group: summed busy periods of answered and transferred legs = the busy-count integral."""
    table, record = run(scenario, replication)
    from_contacts = busy_by_group(table, record.end_s, len(scenario.agents))
    assert np.allclose(from_contacts, record.busy_area_s, rtol=1e-9, atol=1e-6)
