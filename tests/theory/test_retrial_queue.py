"""M/M/n+M with retrials against its Markov chain: abandons per attempt, attempts per customer.

Poisson first attempts at rate λ, n agents, exponential handle times (rate
μ) and patience (rate θ); a caller who abandons joins the *orbit* with
probability p and calls again after an exponential delay (rate γ), with no
limit on attempts. (callers in the centre, callers in orbit) is then a
continuous-time Markov chain: λ: (i, j) → (i+1, j); jγ: (i, j) → (i+1, j−1);
min(i, n)μ: (i, j) → (i−1, j); (i−n)⁺θp: (i, j) → (i−1, j+1); (i−n)⁺θ(1−p):
(i, j) → (i−1, j). The test solves it, truncated where the stationary mass
is below 1e-12, for

- the share of attempts that abandon: E[(i−n)⁺]θ / (λ + E[j]γ);
- the attempts per customer: (λ + E[j]γ) / λ (with p = 0 the chain is
  Erlang A's, which a first test checks),

and holds each replication's figures to them (``check_theory``: 99.9 %
Student-t half-width, at most 3 % of the value). The simulated figures come
from the tallies: abandoned / offered contacts over the horizon (every
attempt a contact), and attempts / customers (customers whose first attempt
arrived after the warm-up; ``customers.csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

from simcenter import erlang
from simcenter.records import OUTCOME_CODE, ReplicationRecord
from simcenter.scenario import Scenario

AGENTS = 6
HANDLE_S = 300.0
PATIENCE_S = 180.0
RETRY = 0.7
RETRIAL_DELAY_S = 600.0
ARRIVALS_PER_H = 68.0
"""6 agents at 5 min a call get 5.7 Erlangs of first attempts (95 %), and retrials on top."""
SEED = 20261206


def retrial_chain(
    agents: int,
    arrival_rate: float,
    service_rate: float,
    abandon_rate: float,
    retry: float,
    retrial_rate: float,
    most_in_centre: int,
    most_in_orbit: int,
) -> dict[str, float]:
    """Stationary figures of M/M/n+M with retrials, from its chain truncated at the bounds.

    State (i, j): i callers in the centre (talking or waiting), j in orbit.
    New callers arrive at ``arrival_rate``; each caller in orbit calls again
    at ``retrial_rate``; talks end at ``min(i, n) * service_rate``; each
    waiting caller abandons at ``abandon_rate`` and then joins the orbit with
    probability ``retry`` (no limit on attempts). Rates per second.

    Returns:
        ``abandon_per_attempt`` (abandons / attempts) and ``attempts_per_customer``
        (attempts / first attempts), with ``truncated_mass``, the probability
        of the states on the truncation bounds (must be negligible).
    """
    size_i, size_j = most_in_centre + 1, most_in_orbit + 1

    def index(i: int, j: int) -> int:
        return i * size_j + j

    rows, columns, rates = [], [], []

    def add(source: tuple[int, int], target: tuple[int, int], rate: float) -> None:
        if rate > 0 and target[0] < size_i and target[1] < size_j:
            rows.append(index(*source))
            columns.append(index(*target))
            rates.append(rate)

    for i in range(size_i):
        for j in range(size_j):
            waiting = max(i - agents, 0)
            add((i, j), (i + 1, j), arrival_rate)
            if j:
                add((i, j), (i + 1, j - 1), j * retrial_rate)
            if i:
                add((i, j), (i - 1, j), min(i, agents) * service_rate)
                add((i, j), (i - 1, j + 1), waiting * abandon_rate * retry)
                add((i, j), (i - 1, j), waiting * abandon_rate * (1 - retry))
    states = size_i * size_j
    generator = sparse.coo_matrix((rates, (rows, columns)), shape=(states, states)).tocsr()
    generator = generator - sparse.diags(np.asarray(generator.sum(axis=1)).ravel())
    system = generator.T.tolil()
    system[0, :] = 1.0  # replace one balance equation by the normalisation
    right = np.zeros(states)
    right[0] = 1.0
    p = spsolve(system.tocsr(), right).reshape(size_i, size_j)
    i = np.arange(size_i)[:, None]
    j = np.arange(size_j)[None, :]
    retrials = float((p * j).sum() * retrial_rate)
    abandons = float((p * np.maximum(i - agents, 0)).sum() * abandon_rate)
    attempts = arrival_rate + retrials
    return {
        "abandon_per_attempt": abandons / attempts,
        "attempts_per_customer": attempts / arrival_rate,
        "truncated_mass": float(p[-1, :].sum() + p[:, -1].sum()),
    }


def test_the_chain_without_retrials_is_erlang_a() -> None:
    """With p = 0 the chain's orbit stays empty and its abandonment is Erlang A's."""
    rate = ARRIVALS_PER_H / 3600.0
    chain = retrial_chain(
        AGENTS, rate, 1.0 / HANDLE_S, 1.0 / PATIENCE_S, 0.0, 1.0 / RETRIAL_DELAY_S, AGENTS + 60, 3
    )
    expected = erlang.erlang_a(rate, HANDLE_S, PATIENCE_S, AGENTS).p_abandon
    assert chain["attempts_per_customer"] == 1.0
    assert abs(chain["abandon_per_attempt"] - expected) < 1e-9


def retrial_figures(scenario: Scenario, record: ReplicationRecord) -> dict[str, float]:
    """One replication's abandons per attempt and attempts per customer."""
    outcomes = record.tallies.contacts.outcomes.sum(axis=0)
    customers = record.tallies.customers
    return {
        "abandon_per_attempt": outcomes[OUTCOME_CODE["abandoned"]] / outcomes.sum(),
        "attempts_per_customer": customers.attempts.sum() / customers.customers.sum(),
    }


def test_retrials_match_the_markov_chain(
    replicate: Callable[..., dict[str, np.ndarray]], check_theory: Callable[..., None]
) -> None:
    """Abandons per attempt and attempts per customer agree with the chain."""
    theory = retrial_chain(
        AGENTS,
        ARRIVALS_PER_H / 3600.0,
        1.0 / HANDLE_S,
        1.0 / PATIENCE_S,
        RETRY,
        1.0 / RETRIAL_DELAY_S,
        most_in_centre=AGENTS + 60,
        most_in_orbit=120,
    )
    assert theory.pop("truncated_mass") < 1e-12
    data: dict[str, Any] = {
        "name": "retrial chain",
        "warmup": "5h",
        "horizon": "300h",
        "queues": [
            {
                "name": "calls",
                "arrivals": {"rate": f"{ARRIVALS_PER_H}/h"},
                "handle_time": {"distribution": "exponential", "mean": f"{HANDLE_S}s"},
                "patience": {"distribution": "exponential", "mean": f"{PATIENCE_S}s"},
                "retrial": {
                    "probability": RETRY,
                    "delay": {"distribution": "exponential", "mean": f"{RETRIAL_DELAY_S}s"},
                    "after": ["abandoned"],
                },
            }
        ],
        "agents": [{"name": "team", "count": AGENTS, "skills": ["calls"]}],
    }
    samples = replicate(data, replications=30, seed=SEED, figures=retrial_figures)
    check_theory("M/M/6+M, 95 % load, retrials p = 0.7 after 10 min", samples, theory)
