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
a/n = 0.95 takes about 6·10⁷ contacts with plain replication means. Two
kinds of control variates with exactly known expectations divide the
variance of the ASA by about 90 (docs/validation.md): the offered work, and
the same contacts fed to one server n times as fast (an M/M/1 queue with
service rate n/AHT, started in its stationary state at the end of the
warm-up), whose waits follow the M/M/n's waits closely near saturation.
With them a tenth of those contacts gives a half-width under 1.2 %.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from fast_server import FAST_SERVER_SEED, fast_server_controls, fast_server_means, fast_server_waits

import simcenter
from simcenter import erlang
from simcenter.engine import run_replication
from simcenter.records import OUTCOME_CODE, ReplicationRecord
from simcenter.scenario import Scenario, build_scenario
from simcenter.studies.precision import plain_estimate

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
    ErlangCCase(agents=5, load_per_agent=0.7, horizon="400h", warmup="10h"),
    ErlangCCase(agents=10, load_per_agent=0.9, horizon="400h", warmup="20h"),
    ErlangCCase(agents=10, load_per_agent=0.95, horizon="900h", warmup="50h", replications=60),
]


def waiting_figures(
    case: ErlangCCase, scenario: Scenario, record: ReplicationRecord
) -> dict[str, float]:
    """P(wait > 0), ASA (s), service level at 20 s, the unanswered count, and the controls.

    The controls have exactly known expectations (tests/fast_server.py): the
    offered work (in Erlangs; its expectation is the offered load a) and the
    fast server's sums of waits, of waits > 0 and of waits <= 20 s over the
    same contacts, each divided by the expected number of arrivals λ·T.
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
        **fast_server_controls(
            agents=case.agents,
            rate_per_s=case.load / HANDLE_TIME_S,
            handle_time_s=HANDLE_TIME_S,
            threshold_s=THRESHOLD_S,
            warmup_s=scenario.warmup,
            horizon_s=scenario.horizon,
            replication=record.replication,
            arrival_s=contacts["arrival_s"],
            handle_s=contacts["handle_s"],
        ),
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
        scenario,
        replications=case.replications,
        seed=SEED,
        figures=functools.partial(waiting_figures, case),
    )
    theory = erlang.erlang_c(case.load / HANDLE_TIME_S, HANDLE_TIME_S, case.agents, THRESHOLD_S)
    controls = fast_server_means(
        agents=case.agents,
        rate_per_s=case.load / HANDLE_TIME_S,
        handle_time_s=HANDLE_TIME_S,
        threshold_s=THRESHOLD_S,
    )

    assert np.all(samples["unanswered"] == 0)  # drain: nobody abandons or is left over
    for name, expected in controls.items():  # each control's plain mean covers its expectation
        estimate = plain_estimate(samples[name], confidence=0.999)
        assert abs(estimate.mean - expected) <= estimate.half_width, (name, estimate, expected)
    check_theory(
        str(case),
        samples,
        {"p_wait": theory.p_wait, "asa_s": theory.asa, "service_level": theory.service_level},
        controls=controls,
    )


def test_the_fast_server_waits_follow_the_lindley_recursion(
    single_queue: Callable[..., dict[str, Any]],
) -> None:
    """The vectorised fast server equals the recursion written out contact by contact."""
    case = CASES[-1]
    scenario = build_scenario(
        single_queue(
            agents=case.agents,
            load=case.load,
            handle_time={"distribution": "exponential", "mean": HANDLE_TIME_S},
            horizon="20h",
            warmup="1h",
        )
    )
    record = run_replication(scenario, 3, SEED)
    contacts = record.contacts
    waits = fast_server_waits(
        agents=case.agents,
        rate_per_s=case.load / HANDLE_TIME_S,
        handle_time_s=HANDLE_TIME_S,
        warmup_s=scenario.warmup,
        replication=3,
        arrival_s=contacts["arrival_s"],
        handle_s=contacts["handle_s"],
    )

    order = np.argsort(contacts["arrival_s"], kind="stable")
    arrivals, handles = contacts["arrival_s"][order], contacts["handle_s"][order]
    rng = np.random.default_rng([FAST_SERVER_SEED, 3])
    rate, service_rate = case.load / HANDLE_TIME_S, case.agents / HANDLE_TIME_S
    workload = (
        rng.exponential(1.0 / (service_rate - rate)) if rng.random() < rate / service_rate else 0.0
    )
    clock, expected = scenario.warmup, []
    for arrival, handle in zip(arrivals, handles, strict=True):
        workload = max(0.0, workload - (arrival - clock))
        expected.append(workload)
        workload += handle / case.agents
        clock = arrival
    assert np.count_nonzero(waits) > 100
    np.testing.assert_allclose(waits, expected, rtol=1e-9, atol=1e-6)


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
