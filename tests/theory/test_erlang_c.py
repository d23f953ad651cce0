"""M/M/n against Erlang C, and M/M/∞: simulated waiting against closed forms.

Erlang C (simcenter/erlang.py, docs/erlang.md): Poisson arrivals at rate λ,
exponential handle times of mean AHT, n agents, load a = λ·AHT < n, contacts
never abandon and are served in arrival order. Then

- P(wait > 0) = C(n, a) = (aⁿ/n! · n/(n−a)) / (Σ_{k<n} aᵏ/k! + aⁿ/n! · n/(n−a));
- ASA = E[wait] = C · AHT / (n − a);
- service level = P(wait <= t) = 1 − C · exp(−(n − a) · t / AHT), t = 20 s.

Each case runs R independent replications after a warm-up, with the default
``closing: drain`` so that every contact arriving in the measured horizon is
answered and its whole wait counted. Per replication: P(wait > 0) = contacts
with ``wait_s > 0`` / offered (a contact answered at once has ``wait_s == 0``
exactly), ASA = mean ``wait_s`` of answered contacts, service level =
answered with ``wait_s <= 20`` / offered. The check (conftest.py) asserts a
half-width of at most 3 % of theory and agreement at alpha = 0.001.

Sizing: the ASA is by far the most expensive figure. Near saturation the
queue makes long excursions (relaxation time about AHT / (n·(1 − √(a/n))²),
13 h for n = 10 at a/n = 0.95), so per-replication ASA values are skewed and
their spread varies from seed to seed. A 3 % half-width for the ASA at
a/n = 0.95 takes about 6·10⁷ contacts (80 replications of 7,000 h) with
plain replication means, and half as many with the offered work as a
control variate (conftest.py's ``controls``, docs/validation.md); pilot
runs with 2 to 100 agents cost as much or more per contact, so the heavy
cases use 10 agents (docs/validation.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import simcenter
from simcenter import erlang
from simcenter.records import OUTCOME_CODE, ReplicationRecord
from simcenter.scenario import Scenario

HANDLE_TIME_S = 300.0
"""Mean handle time (AHT) of every case, seconds."""

THRESHOLD_S = 20.0
"""Service-level threshold, seconds."""

SEED = 20260105
"""Base seed of every test in this module."""

_ANSWERED = OUTCOME_CODE["answered"]


@dataclass(frozen=True)
class ErlangCCase:
    """An M/M/n case: agents, load per agent, and how long to simulate it.

    Attributes:
        agents: Number of agents n.
        load_per_agent: a / n.
        horizon: Measured horizon of one replication (scenario duration).
        warmup: Warm-up of one replication, many relaxation times long.
        replications: R.
    """

    agents: int
    load_per_agent: float
    horizon: str
    warmup: str
    replications: int = 40

    @property
    def load(self) -> float:
        """Offered load a in Erlangs."""
        return self.load_per_agent * self.agents

    def __str__(self) -> str:
        return f"M/M/{self.agents}, a/n = {self.load_per_agent}"


CASES = [
    ErlangCCase(agents=5, load_per_agent=0.7, horizon="1000h", warmup="10h"),
    ErlangCCase(agents=10, load_per_agent=0.9, horizon="1100h", warmup="20h", replications=80),
    ErlangCCase(agents=10, load_per_agent=0.95, horizon="3300h", warmup="50h", replications=80),
]


def waiting_figures(scenario: Scenario, record: ReplicationRecord) -> dict[str, float]:
    """P(wait > 0), ASA (s), service level at 20 s, the unanswered count and the offered work.

    The offered work is the handle time of every offered contact per second
    of horizon (Erlangs); its expectation is exactly the offered load, which
    makes it a control variate for the other figures.
    """
    contacts = record.contacts
    wait = contacts["wait_s"]
    answered = contacts["outcome"] == _ANSWERED
    offered = len(wait)
    return {
        "p_wait": np.count_nonzero(wait > 0.0) / offered,
        "asa_s": float(np.mean(wait[answered])),
        "service_level": np.count_nonzero(answered & (wait <= THRESHOLD_S)) / offered,
        "unanswered": float(offered - np.count_nonzero(answered)),
        "offered_work": float(np.sum(contacts["handle_s"])) / scenario.horizon,
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=str)
def test_waiting_matches_erlang_c(
    case: ErlangCCase,
    single_queue: Callable[..., dict[str, Any]],
    replicate: Callable[..., dict[str, np.ndarray]],
    check_theory: Callable[..., None],
) -> None:
    """P(wait > 0), ASA and service level of M/M/n match Erlang C."""
    scenario = single_queue(
        agents=case.agents,
        load=case.load,
        handle_time={"distribution": "exponential", "mean": HANDLE_TIME_S},
        horizon=case.horizon,
        warmup=case.warmup,
    )
    samples = replicate(
        scenario, replications=case.replications, seed=SEED, figures=waiting_figures
    )
    theory = erlang.erlang_c(case.load / HANDLE_TIME_S, HANDLE_TIME_S, case.agents, THRESHOLD_S)

    assert np.all(samples["unanswered"] == 0)  # drain: nobody abandons or is left over
    check_theory(
        str(case),
        samples,
        {"p_wait": theory.p_wait, "asa_s": theory.asa, "service_level": theory.service_level},
        controls={"offered_work": case.load},
    )


def test_nobody_waits_when_agents_far_exceed_the_load(
    single_queue: Callable[..., dict[str, Any]],
) -> None:
    """M/M/∞-like: 200 agents for 20 Erlangs answer every contact at once.

    Erlang C gives P(wait > 0) = C(200, 20) ≈ 5·10⁻¹²⁴, so the expected number
    of waiting contacts among the ~10⁵ simulated is below 10⁻¹¹⁸: one wait
    would reveal a routing fault (a contact queued while an agent is idle).
    """
    agents, load = 200, 20.0
    assert erlang.erlang_c(load / HANDLE_TIME_S, HANDLE_TIME_S, agents).p_wait < 1e-100
    scenario = single_queue(
        agents=agents,
        load=load,
        handle_time={"distribution": "exponential", "mean": HANDLE_TIME_S},
        horizon="24h",
        warmup="1h",
    )

    results = simcenter.simulate(
        scenario, replications=20, seed=SEED, jobs=None, keep_contacts=False
    )

    rows = results.replications[results.replications["queue"] == "q"]
    assert len(rows) == 20
    assert (rows["offered"] > 0).all()
    assert (rows["answered"] == rows["offered"]).all()
    assert (rows["max_wait_s"] == 0.0).all()
