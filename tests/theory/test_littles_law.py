"""Little's law and occupancy within each run of an M/M/n centre without abandonment.

Little's law for the waiting line: the time-average number of contacts
waiting equals the arrival rate times the mean wait, L_q = λ · W_q. Applied
to the agents, the time-average number of busy agents is λ · AHT = a, so
occupancy = busy time / (agents × time) = a / n when nobody abandons.

The runs use ``closing: stop`` so that the measured window is exactly
[warmup, warmup + horizon]: no drain after the horizon, and contacts still
waiting at its end count with the wait they had so far (``in_system``).

Two computations of L_q from the contact records:

- tally: total ``wait_s`` of the contacts / length of the window;
- level: the number of contacts waiting, as a step function of time built by
  an event sweep over arrival times (+1) and queue-exit times (−1: the
  answer time ``answered_s``, else the abandon time ``end_s``, else the end
  of the run), integrated over the window.

They must agree to rounding error. Then L_q (level) − λ · W_q, with λ the
scenario's arrival rate and W_q the replication's mean wait, must average 0
(alpha = 0.001) with a half-width of at most 3 % of the Erlang C value of
L_q = λ · ASA. Both sides miss the contacts that arrived during the warm-up,
so the comparison has no edge effect at the start; at the end, truncated
waits enter both sides alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from simcenter import erlang
from simcenter.records import ReplicationRecord
from simcenter.scenario import Scenario

HANDLE_TIME_S = 300.0
"""Mean handle time (AHT), seconds."""

AGENTS = 20
"""Number of agents n."""

LOAD = 18.0
"""Offered load a = λ · AHT in Erlangs (a / n = 0.9)."""

REPLICATIONS = 20
"""R."""

SEED = 20260107
"""Base seed of the module's replications."""


def time_average_in_queue(
    arrival_s: np.ndarray, exit_s: np.ndarray, start_s: float, end_s: float
) -> float:
    """Time average over [start_s, end_s] of the number of contacts in the queue.

    A contact is in the queue from its arrival until its exit (seconds).
    Event sweep: +1 at each arrival, −1 at each exit, sorted by time with an
    arrival before an exit at the same instant; the count after each event
    holds until the next one.

    Raises:
        ValueError: If the count ever becomes negative (an exit before its arrival).
    """
    times = np.concatenate([arrival_s, exit_s])
    changes = np.concatenate([np.ones(len(arrival_s)), -np.ones(len(exit_s))])
    order = np.argsort(times, kind="stable")
    counts = np.cumsum(changes[order])
    if counts.size and counts.min() < 0:
        raise ValueError("a contact left the queue before it arrived")
    clipped = np.clip(times[order], start_s, end_s)
    return float(np.sum(counts[:-1] * np.diff(clipped)) / (end_s - start_s))


def queue_figures(scenario: Scenario, record: ReplicationRecord) -> dict[str, float]:
    """L_q by tally and by level, L_q − λ·W_q, occupancy, and where the run ended (s)."""
    contacts = record.contacts
    start_s, end_s = scenario.warmup, scenario.end_s
    answered_s, left_s = contacts["answered_s"], contacts["end_s"]
    exit_s = np.where(
        np.isfinite(answered_s), answered_s, np.where(np.isfinite(left_s), left_s, record.end_s)
    )
    level = time_average_in_queue(contacts["arrival_s"], exit_s, start_s, end_s)
    rate = scenario.queues[0].arrivals.rate
    agents = scenario.agents[0].count
    return {
        "waiting_tally": float(np.sum(contacts["wait_s"])) / (end_s - start_s),
        "waiting_level": level,
        "little_gap": level - rate * float(np.mean(contacts["wait_s"])),
        "occupancy": float(record.busy_area_s[0]) / (agents * (end_s - start_s)),
        "run_end_s": record.end_s,
        "window_end_s": end_s,
    }


@pytest.fixture(scope="module")
def samples(
    single_queue: Callable[..., dict[str, Any]],
    replicate: Callable[..., dict[str, np.ndarray]],
) -> dict[str, np.ndarray]:
    """Per-replication queue figures of M/M/20 at a = 18 Erlangs, 50 h per replication."""
    scenario = single_queue(
        agents=AGENTS,
        load=LOAD,
        handle_time={"distribution": "exponential", "mean": HANDLE_TIME_S},
        horizon="50h",
        warmup="5h",
        closing="stop",
    )
    return replicate(scenario, replications=REPLICATIONS, seed=SEED, figures=queue_figures)


def test_stop_closing_measures_exactly_the_horizon(samples: dict[str, np.ndarray]) -> None:
    """With ``closing: stop`` every run ends at warmup + horizon (no drain)."""
    np.testing.assert_array_equal(samples["run_end_s"], samples["window_end_s"])


def test_waiting_tally_equals_time_average_queue(samples: dict[str, np.ndarray]) -> None:
    """Total wait / window length equals the time-averaged queue of the event sweep.

    Both come from the same contacts through different columns (``wait_s``
    against ``arrival_s`` and the exit times), so they agree up to floating-point
    rounding: relative tolerance 1e-9.
    """
    assert np.all(samples["waiting_level"] > 0)
    np.testing.assert_allclose(samples["waiting_level"], samples["waiting_tally"], rtol=1e-9)


def test_littles_law_holds_within_each_run(
    samples: dict[str, np.ndarray], check_theory: Callable[..., None]
) -> None:
    """L_q (time average) − λ · W_q averages 0 over replications.

    The precision is required relative to the Erlang C L_q = λ · ASA.
    """
    rate = LOAD / HANDLE_TIME_S
    theory = erlang.erlang_c(rate, HANDLE_TIME_S, AGENTS)

    check_theory(
        f"M/M/{AGENTS}, a = {LOAD:g}, closing stop",
        {"L_q − λ·W_q": samples["little_gap"]},
        {"L_q − λ·W_q": 0.0},
        scale={"L_q − λ·W_q": rate * theory.asa},
    )


def test_occupancy_equals_load_per_agent(
    samples: dict[str, np.ndarray], check_theory: Callable[..., None]
) -> None:
    """Busy agent-time / (agents × window) averages a / n (no abandonment)."""
    check_theory(
        f"M/M/{AGENTS}, a = {LOAD:g}, closing stop",
        {"occupancy": samples["occupancy"]},
        {"occupancy": LOAD / AGENTS},
    )
