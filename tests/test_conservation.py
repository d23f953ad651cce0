"""Flow conservation and second computations, exactly, for random scenarios.

Every scenario drawn from ``tests/strategies.py`` is run for one replication
and must satisfy, with ``==`` and no tolerance:

- every arrival of the measured window is recorded once, with one outcome
  (offered = answered + abandoned + disconnected + in_system per queue and per
  reporting interval), the arrivals being recomputed independently from the
  queue's named arrival stream;
- the times of each contact agree with its outcome;
- an agent only serves queues of its skills, one contact at a time, while on duty.

Busy time computed from the contacts equals the busy time tallied by the
recorder (``record.busy_area_s``) and the time-weighted busy-agent level
integrated from the engine's traced changes of agent state, up to
floating-point rounding (they sum the same intervals in different orders).

The output tables of ``simcenter.simulate`` conserve flow too (offered = sum
of the outcome counts in every summary, replication and interval row), and
the summary is the aggregate of the contact log.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from recording import busy_level, within_histogram_error
from strategies import scenarios

import simcenter
from simcenter.arrivals import arrival_times, rate_pieces
from simcenter.centre import AgentTransition
from simcenter.clock import ScenarioClock
from simcenter.distributions import Exponential, Sampler
from simcenter.engine import run_replication
from simcenter.records import OUTCOMES, ReplicationRecord, run_meta
from simcenter.scenario import Scenario
from simcenter.streams import stream

EXAMPLES = settings(max_examples=30, deadline=None)
ALLOWED_OUTCOMES = {
    "drain": {"answered", "abandoned", "in_system"},  # in_system: nobody on duty to drain
    "clear": {"answered", "abandoned", "disconnected"},
    "stop": {"answered", "abandoned", "in_system"},
}
replications = st.integers(0, 3)


def run(scenario: Scenario, replication: int) -> tuple[pd.DataFrame, ReplicationRecord]:
    """One replication: its contacts (outcome by name) and its record."""
    record = run_replication(scenario, replication)
    table = pd.DataFrame(record.contacts)
    table["outcome"] = [OUTCOMES[code] for code in table["outcome"]]
    return table, record


def run_watching_the_busy_level(
    scenario: Scenario, replication: int
) -> tuple[pd.DataFrame, ReplicationRecord, np.ndarray]:
    """:func:`run`, and the busy-agent level per group (agent-seconds) from the agent trace."""
    trace: list[AgentTransition] = []
    record = run_replication(scenario, replication, agent_trace=trace)
    table = pd.DataFrame(record.contacts)
    table["outcome"] = [OUTCOMES[code] for code in table["outcome"]]
    level = busy_level(trace, len(scenario.agents), scenario.warmup, record.end_s)
    return table, record, level


def expected_arrivals(scenario: Scenario, replication: int) -> list[np.ndarray]:
    """Per queue, the arrival times in the measured window, from the queue's arrival stream."""
    clock = ScenarioClock(scenario.start_at)
    arrivals = []
    for spec in scenario.queues:
        rng = stream(scenario.seed, replication, f"arrivals/{spec.name}")
        pieces = rate_pieces(spec.arrivals, clock, scenario.end_s)
        times = np.fromiter(arrival_times(pieces, Sampler(Exponential(1.0), rng)), dtype=float)
        arrivals.append(times[times >= scenario.warmup])
    return arrivals


def busy_periods(table: pd.DataFrame, end_of_run: float) -> pd.DataFrame:
    """Served contacts with the period their agent was busy with them, cut at the end of the run."""
    served = table[table["answered_s"].notna()].copy()
    talk_end = served["end_s"].fillna(end_of_run)  # in_system: still talking at the end
    served["busy_until"] = np.minimum(talk_end + served["wrap_s"], end_of_run)
    return served


def busy_by_group(table: pd.DataFrame, end_of_run: float, groups: int) -> np.ndarray:
    """Per group index, the summed busy periods of its served contacts (seconds)."""
    served = busy_periods(table, end_of_run)
    busy = (served["busy_until"] - served["answered_s"]).groupby(served["group"]).sum()
    return busy.reindex(range(groups), fill_value=0.0).to_numpy()


@EXAMPLES
@given(scenario=scenarios(), replication=replications)
def test_every_arrival_is_recorded_once_with_one_outcome(
    scenario: Scenario, replication: int
) -> None:
    """Offered (the queue's arrivals) = answered + abandoned + disconnected + in_system."""
    table, _ = run(scenario, replication)
    assert table["contact_id"].is_unique
    assert set(table["outcome"]) <= ALLOWED_OUTCOMES[scenario.closing]
    interval_of = np.floor((table["arrival_s"] - scenario.warmup) / scenario.interval)
    outcomes = pd.crosstab([table["queue"], interval_of], table["outcome"])
    for index, arrivals in enumerate(expected_arrivals(scenario, replication)):
        recorded = np.sort(table.loc[table["queue"] == index, "arrival_s"].to_numpy())
        # The engine sets each arrival's timer at ``t - now`` and SimPy adds it back to
        # ``now``: the recorded time may be one unit in the last place from ``t``.
        assert len(recorded) == len(arrivals)
        np.testing.assert_allclose(recorded, arrivals, rtol=1e-15, atol=0)
        offered = pd.Series(np.floor((arrivals - scenario.warmup) / scenario.interval))
        by_interval = outcomes.loc[index].sum(axis=1) if index in outcomes.index else pd.Series()
        assert by_interval.to_dict() == offered.value_counts().to_dict()


@EXAMPLES
@given(scenario=scenarios(), replication=replications)
def test_contact_times_agree_with_the_outcome(scenario: Scenario, replication: int) -> None:
    """Each outcome's times: wait, talk and end are consistent and inside the run."""
    table, record = run(scenario, replication)
    end_of_run = record.end_s
    assert end_of_run >= scenario.end_s
    assert (table["arrival_s"] < scenario.end_s).all()
    outcome = table["outcome"]
    answered = table[outcome == "answered"]
    assert (answered["answered_s"] >= answered["arrival_s"]).all()
    assert (answered["wait_s"] == answered["answered_s"] - answered["arrival_s"]).all()
    assert (answered["end_s"] == answered["answered_s"] + answered["handle_s"]).all()
    assert (answered["end_s"] <= end_of_run).all()
    assert (answered["wrap_s"] >= 0).all()
    left = table[outcome.isin(["abandoned", "disconnected"])]
    assert left["answered_s"].isna().all()
    assert (left["agent"] == -1).all()
    assert (left["wait_s"] == left["end_s"] - left["arrival_s"]).all()
    assert (left["end_s"] <= end_of_run).all()
    assert (table.loc[outcome == "disconnected", "end_s"] == scenario.end_s).all()
    in_system = table[outcome == "in_system"]
    waiting = in_system[in_system["answered_s"].isna()]
    assert in_system["end_s"].isna().all()
    assert (waiting["wait_s"] == end_of_run - waiting["arrival_s"]).all()
    if scenario.closing != "stop":
        assert in_system["answered_s"].isna().all()


@EXAMPLES
@given(scenario=scenarios(), replication=replications)
def test_agents_serve_their_skills_one_contact_at_a_time(
    scenario: Scenario, replication: int
) -> None:
    """An agent's group has the queue's skill; its busy periods never overlap."""
    table, record = run(scenario, replication)
    meta = run_meta(scenario)
    served = busy_periods(table, record.end_s)
    for row in served.itertuples():
        assert row.group == meta.agent_groups[row.agent]
        assert meta.queues[row.queue] in scenario.agents[row.group].skill_levels
    for _, periods in served.sort_values("answered_s").groupby("agent"):
        starts = periods["answered_s"].to_numpy()
        assert (starts[1:] >= periods["busy_until"].to_numpy()[:-1]).all()
    assert (table.loc[table["answered_s"].isna(), "agent"] == -1).all()


@EXAMPLES
@given(scenario=scenarios(), replication=replications)
def test_contacts_are_served_while_their_agent_is_on_duty(
    scenario: Scenario, replication: int
) -> None:
    """Each talk and wrap-up lies inside one on-duty period of its agent."""
    table, record = run(scenario, replication)
    presence = pd.DataFrame(record.presence)
    assert (presence["end_s"] >= presence["start_s"]).all()
    assert (presence["end_s"] <= record.end_s).all()
    served = busy_periods(table, record.end_s)
    for row in served.itertuples():
        periods = presence[presence["agent"] == row.agent]
        inside = (periods["start_s"] <= row.answered_s) & (periods["end_s"] >= row.busy_until)
        assert inside.sum() == 1, (row.agent, row.answered_s, row.busy_until)


@EXAMPLES
@given(scenario=scenarios(warmup=False), replication=replications)
def test_busy_time_of_contacts_equals_the_busy_agent_level(
    scenario: Scenario, replication: int
) -> None:
    """Per group: the summed busy periods of its contacts = the integral of its busy count."""
    table, record, level = run_watching_the_busy_level(scenario, replication)
    from_contacts = busy_by_group(table, record.end_s, len(scenario.agents))
    assert np.allclose(from_contacts, record.busy_area_s, rtol=1e-9, atol=1e-6)
    assert np.allclose(from_contacts, level, rtol=1e-9, atol=1e-6)


@EXAMPLES
@given(scenario=scenarios(warmup=True), replication=replications)
def test_busy_level_after_warmup_covers_the_recorded_contacts(
    scenario: Scenario, replication: int
) -> None:
    """With a warm-up the level also holds contacts that arrived before it: it is never less."""
    table, record = run(scenario, replication)
    from_contacts = busy_by_group(table, record.end_s, len(scenario.agents))
    slack = 1e-9 * np.maximum(from_contacts, 1.0)
    assert (from_contacts <= record.busy_area_s + slack).all()
    presence = pd.DataFrame(record.presence)
    on_duty = np.minimum(presence["end_s"], record.end_s) - np.maximum(
        presence["start_s"], scenario.warmup
    )
    staffed = on_duty.clip(lower=0).groupby(presence["group"]).sum()
    staffed = staffed.reindex(range(len(scenario.agents)), fill_value=0.0).to_numpy()
    assert (record.busy_area_s <= staffed + slack).all()


# --- the output tables ---------------------------------------------------------------

COUNTS = [
    "offered",
    "answered",
    "abandoned",
    "answered_in_target",
    "abandoned_in_target",
    "disconnected",
    "in_system",
]
QUANTILES = {"wait_p50_s": 0.5, "wait_p90_s": 0.9, "wait_p95_s": 0.95}


def outcome_columns(frame: pd.DataFrame) -> list[str]:
    """The outcome count columns of an output table."""
    return [name for name in OUTCOMES if name in frame.columns]


@EXAMPLES
@given(scenario=scenarios())
def test_offered_equals_the_sum_of_outcomes_in_every_table(scenario: Scenario) -> None:
    """Summary, replications and intervals: offered = sum of the outcome counts, row by row.

    Intervals also add up: each interval's offered is its contacts' count, the
    ``ALL`` row is the sum of the queue rows, and the intervals of a queue sum to
    its summary row. One replication, so every mean is a count.
    """
    results = simcenter.simulate(scenario, replications=1)
    for name in ("summary", "replications", "intervals"):
        frame = getattr(results, name)
        assert (frame["offered"] == frame[outcome_columns(frame)].sum(axis=1)).all(), name
    contacts = results.contacts
    interval = np.floor((contacts["arrival_s"] - scenario.warmup) / scenario.interval)
    counted = contacts.groupby([interval.astype(int), contacts["queue"].astype(str)]).size()
    intervals = results.intervals
    queue_rows = intervals[intervals["queue"] != "ALL"].set_index(["interval", "queue"])
    nonzero = queue_rows["offered"][queue_rows["offered"] > 0]
    assert nonzero.to_dict() == counted.to_dict()
    by_interval = queue_rows["offered"].groupby(level="interval").sum()
    all_rows = intervals[intervals["queue"] == "ALL"].set_index("interval")["offered"]
    assert by_interval.to_dict() == all_rows.to_dict()
    per_queue = queue_rows["offered"].groupby(level="queue").sum()
    summary = results.summary.set_index("queue")["offered"]
    assert per_queue.to_dict() == summary.drop("ALL").to_dict()


def figures_of(contacts: pd.DataFrame) -> dict[str, float]:
    """Summary figures of some contacts (``in_target`` and ``work_s`` columns added)."""
    wait, outcome = contacts["wait_s"], contacts["outcome"]
    answered, abandoned = outcome == "answered", outcome == "abandoned"
    counts = {
        "offered": len(contacts),
        "answered": answered.sum(),
        "abandoned": abandoned.sum(),
        "answered_in_target": (answered & contacts["in_target"]).sum(),
        "abandoned_in_target": (abandoned & contacts["in_target"]).sum(),
        "disconnected": (outcome == "disconnected").sum(),
        "in_system": (outcome == "in_system").sum(),
    }
    offered = counts["offered"] or np.nan
    return {
        **counts,
        "abandon_rate": counts["abandoned"] / offered,
        "service_level": counts["answered_in_target"] / offered,
        "asa_s": wait[answered].mean(),
        "mean_wait_s": wait.mean(),
        "max_wait_s": wait.max(),
        "aht_s": contacts["work_s"][answered].mean(),
        **{name: np.quantile(wait, q) if len(wait) else np.nan for name, q in QUANTILES.items()},
    }


def contacts_with_work(scenario: Scenario, results: simcenter.Results) -> pd.DataFrame:
    """The contact log with ``in_target`` (wait within the queue's threshold) and ``work_s``.

    ``work_s`` = talk + wrap-up; the wrap-up comes from the engine's records,
    which the same seed reproduces.
    """
    contacts = results.contacts.assign(queue=results.contacts["queue"].astype(str))
    wraps = pd.concat(
        pd.DataFrame(run_replication(scenario, number).contacts).assign(replication=number)
        for number in range(results.replications["replication"].nunique())
    )
    contacts = contacts.merge(
        wraps[["replication", "contact_id", "wrap_s"]], on=["replication", "contact_id"]
    )
    thresholds = {spec.name: scenario.service_level_of(spec).threshold for spec in scenario.queues}
    contacts["in_target"] = contacts["wait_s"] <= contacts["queue"].map(thresholds).astype(float)
    contacts["work_s"] = contacts["handle_s"] + contacts["wrap_s"]
    return contacts


@EXAMPLES
@given(scenario=scenarios())
def test_summary_equals_the_aggregate_of_the_contacts(scenario: Scenario) -> None:
    """Each replication row is recomputed from the contact log; the summary is their mean.

    Counts agree exactly; rates, means and maxima to floating-point rounding
    (rtol 1e-12); percentiles, read from the waiting-time histogram, within its
    documented error of the exact ones (numpy's default linear interpolation).
    """
    results = simcenter.simulate(scenario, replications=2)
    contacts = contacts_with_work(scenario, results)
    rows = results.replications.assign(queue=results.replications["queue"].astype(str))
    for row in rows.itertuples(index=False):
        mine = contacts[contacts["replication"] == row.replication]
        if row.queue != "ALL":
            mine = mine[mine["queue"] == row.queue]
        for name, value in figures_of(mine).items():
            reported = getattr(row, name)
            if name in COUNTS:
                assert reported == value, (row.replication, row.queue, name)
            elif name in QUANTILES:
                assert within_histogram_error(reported, value), (row.queue, name)
            else:
                assert np.isclose(reported, value, rtol=1e-12, atol=0, equal_nan=True), name
    means = rows.drop(columns="replication").groupby("queue", sort=False).mean()
    summary = results.summary.assign(queue=results.summary["queue"].astype(str))
    summary = summary.set_index("queue")[means.columns]
    assert np.allclose(summary, means.loc[summary.index], rtol=1e-12, atol=0, equal_nan=True)
