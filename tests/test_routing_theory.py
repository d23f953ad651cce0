"""Routing against queueing theory (issue 3): pooling, priorities, trunks.

(a) Pooling. One group of n agents serving two queues with the same
    exponential handle time and Poisson arrivals at λ/2 each, served in
    arrival order across both (``contact_selection: oldest``, equal
    priorities), is the M/M/n queue with arrival rate λ: Erlang C for the
    pooled load a = λ·AHT gives P(wait > 0) = C(n, a) and
    ASA = C(n, a)·AHT/(n − a); by PASTA each queue's contacts see the same
    P(wait > 0).

(b) Non-preemptive priority in M/M/n with equal service rates μ. Class 1
    (queue priority 1) and class 2 (priority 0), both served by one group;
    ``contact_selection: oldest`` treats queue priority as absolute, and a
    talk is never interrupted. With ρ_i = λ_i/(nμ), σ_k = ρ_1 + ... + ρ_k
    (σ_0 = 0) and W_0 = C(n, a)/(nμ), the mean wait of class k is

        W_k = W_0 / ((1 − σ_{k−1})(1 − σ_k))

    (A. Cobham, "Priority assignment in waiting line problems", Operations
    Research 2(1):70–76, 1954; D. Gross, J. F. Shortle, J. M. Thompson and
    C. M. Harris, Fundamentals of Queueing Theory, 4th ed., Wiley 2008,
    §3.4.1). Why it holds for n servers: while a contact waits all n agents
    are busy, so agents free up as a Poisson stream of rate nμ. An arriving
    class-k contact finds all busy with probability C(n, a) (PASTA), then
    waits for the next agent to free (mean 1/(nμ), memoryless), one more
    freeing per contact of class <= k already waiting, and one per contact
    of class < k arriving while it waits. That is Cobham's M/G/1 argument
    with the "service time" 1/(nμ), whose mean residual is W_0. As a check,
    λ_1·W_1 + λ_2·W_2 = λ·C(n, a)/(nμ − λ), the Erlang C mean wait
    (work conservation with equal service rates), which the test asserts.

(c) Erlang B. With ``lines`` = n agents, no wrap-up, a contact holds a line
    from arrival to the end of its talk, so an arriving contact with a free
    line always finds a free agent: nobody waits, and the blocked share is
    the M/M/n/n blocking probability B(n, a) (Erlang's loss formula).

Method (STYLE.md §6.7): R independent replications after a warm-up, one
figure per replication; assert that the half-width t_{R−1, 0.9995}·s/√R is
at most 3 % of the theory value (power) and that |mean − theory| is at most
the half-width (alpha = 0.001). ``closing: drain`` in (a) and (b), so every
contact that arrives in the measured horizon is answered and its whole wait
counted. Replications run in two worker processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pytest
from scipy import stats

from simcenter import erlang
from simcenter.engine import run_replication
from simcenter.records import OUTCOME_CODE
from simcenter.scenario import Scenario, build_scenario

ALPHA = 0.001
"""Significance level of every agreement test (two-sided)."""
RELATIVE_PRECISION = 0.03
"""Largest half-width allowed, as a fraction of the theory value."""
JOBS = 2
"""Worker processes for the replications."""
HANDLE_TIME_S = 300.0
"""Mean (exponential) handle time of every case, seconds."""
SEED = 20260303
"""Base seed of the module; replication r uses the streams of (SEED, r)."""

_ANSWERED = OUTCOME_CODE["answered"]
_BLOCKED = OUTCOME_CODE["blocked"]

Figures = Callable[[Scenario, int], dict[str, float]]
"""Runs replication r of a scenario and returns its figures (a module-level function)."""


def poisson_queue(name: str, rate_per_s: float, priority: int = 0) -> dict[str, Any]:
    """A queue with Poisson arrivals and exponential handle times of mean ``HANDLE_TIME_S``."""
    return {
        "name": name,
        "arrivals": {"rate": rate_per_s},
        "handle_time": {"distribution": "exponential", "mean": HANDLE_TIME_S},
        "priority": priority,
    }


def replicate(data: dict[str, Any], figures: Figures, replications: int) -> dict[str, np.ndarray]:
    """Per-replication figures of ``replications`` runs of the scenario, in replication order."""
    scenario = build_scenario(data)
    with ProcessPoolExecutor(max_workers=JOBS) as pool:
        rows = list(pool.map(figures, [scenario] * replications, range(replications)))
    return {name: np.array([row[name] for row in rows]) for name in rows[0]}


def assert_matches_theory(samples: dict[str, np.ndarray], theory: dict[str, float]) -> None:
    """Each figure's replication mean has the power and agrees with its theory value."""
    problems = []
    for figure, value in theory.items():
        values = samples[figure]
        count = len(values)
        quantile = stats.t.ppf(1 - ALPHA / 2, count - 1)
        half_width = quantile * np.std(values, ddof=1) / math.sqrt(count)
        mean = float(np.mean(values))
        if half_width > RELATIVE_PRECISION * abs(value):
            problems.append(f"{figure}: half-width {half_width:.4g} above 3 % of {value:.6g}")
        if abs(mean - value) > half_width:
            problems.append(f"{figure}: {mean:.6g} ± {half_width:.4g} excludes {value:.6g}")
    assert not problems, "\n".join(problems)


# --- (a) pooling --------------------------------------------------------------------

POOLED_AGENTS = 4
POOLED_LOAD = 2.4
"""Offered load of both queues together, Erlangs (0.6 per agent)."""


def pooling_figures(scenario: Scenario, replication: int) -> dict[str, float]:
    """P(wait > 0) of all contacts and of each queue, ASA (s), and the unanswered count."""
    contacts = run_replication(scenario, replication, SEED).contacts
    wait, queue = contacts["wait_s"], contacts["queue"]
    answered = contacts["outcome"] == _ANSWERED
    figures = {
        "p_wait": float(np.mean(wait > 0)),
        "asa_s": float(np.mean(wait[answered])),
        "unanswered": float(np.count_nonzero(~answered)),
    }
    for index, name in enumerate(["a", "b"]):
        figures[f"p_wait {name}"] = float(np.mean(wait[queue == index] > 0))
    return figures


@pytest.mark.slow
def test_one_group_serving_two_identical_queues_matches_erlang_c_for_the_pooled_load() -> None:
    """P(wait) overall and per queue, and ASA, match Erlang C for n = 4, a = 2.4."""
    rate = POOLED_LOAD / HANDLE_TIME_S
    data = {
        "name": "pooling",
        "horizon": "2600h",
        "warmup": "20h",
        "queues": [poisson_queue("a", rate / 2), poisson_queue("b", rate / 2)],
        "agents": [{"name": "g", "count": POOLED_AGENTS, "skills": ["a", "b"]}],
    }
    samples = replicate(data, pooling_figures, replications=40)
    theory = erlang.erlang_c(rate, HANDLE_TIME_S, POOLED_AGENTS)
    assert np.all(samples["unanswered"] == 0)
    assert_matches_theory(
        samples,
        {
            "p_wait": theory.p_wait,
            "asa_s": theory.asa,
            "p_wait a": theory.p_wait,
            "p_wait b": theory.p_wait,
        },
    )


# --- (b) non-preemptive priorities (Cobham) ----------------------------------------------

PRIORITY_AGENTS = 2
PRIORITY_RHO = (0.25, 0.35)
"""ρ_k = λ_k / (nμ) of class 1 (high priority) and class 2."""


def cobham_waits(rates: tuple[float, ...], handle_time_s: float, agents: int) -> list[float]:
    """Mean wait (s) of each class, highest priority first, in M/M/n with non-preemptive priority.

    W_k = W_0 / ((1 − σ_{k−1})(1 − σ_k)), W_0 = C(n, a)/(nμ), σ_k = Σ_{i<=k} λ_i/(nμ)
    (Cobham 1954; Gross et al. 2008, §3.4.1).
    """
    service_rate = agents / handle_time_s  # nμ
    total = sum(rates)
    w_0 = erlang.erlang_c(total, handle_time_s, agents).p_wait / service_rate
    waits, sigma = [], 0.0
    for rate in rates:
        before, sigma = sigma, sigma + rate / service_rate
        waits.append(w_0 / ((1 - before) * (1 - sigma)))
    return waits


def priority_figures(scenario: Scenario, replication: int) -> dict[str, float]:
    """Mean wait (s) of each class; unanswered count."""
    contacts = run_replication(scenario, replication, SEED).contacts
    wait, queue = contacts["wait_s"], contacts["queue"]
    answered = contacts["outcome"] == _ANSWERED
    return {
        "wait_s high": float(np.mean(wait[queue == 0])),
        "wait_s low": float(np.mean(wait[queue == 1])),
        "unanswered": float(np.count_nonzero(~answered)),
    }


def test_cobham_waits_conserve_the_erlang_c_mean_wait() -> None:
    """λ_1·W_1 + λ_2·W_2 = λ·ASA of Erlang C: the formula is right for equal service rates."""
    service_rate = PRIORITY_AGENTS / HANDLE_TIME_S
    rates = tuple(rho * service_rate for rho in PRIORITY_RHO)
    waits = cobham_waits(rates, HANDLE_TIME_S, PRIORITY_AGENTS)
    fcfs = erlang.erlang_c(sum(rates), HANDLE_TIME_S, PRIORITY_AGENTS).asa
    assert sum(rate * wait for rate, wait in zip(rates, waits, strict=True)) == pytest.approx(
        sum(rates) * fcfs, rel=1e-12
    )
    assert waits[0] < fcfs < waits[1]


@pytest.mark.slow
def test_two_priority_classes_match_cobhams_mean_waits() -> None:
    """Mean waits of the two classes match Cobham's formula for n = 2, ρ = 0.25 + 0.35."""
    service_rate = PRIORITY_AGENTS / HANDLE_TIME_S
    rates = tuple(rho * service_rate for rho in PRIORITY_RHO)
    data = {
        "name": "priorities",
        "horizon": "3500h",
        "warmup": "20h",
        "queues": [
            poisson_queue("high", rates[0], priority=1),
            poisson_queue("low", rates[1], priority=0),
        ],
        "agents": [{"name": "g", "count": PRIORITY_AGENTS, "skills": ["high", "low"]}],
    }
    samples = replicate(data, priority_figures, replications=40)
    high, low = cobham_waits(rates, HANDLE_TIME_S, PRIORITY_AGENTS)
    assert np.all(samples["unanswered"] == 0)
    assert_matches_theory(samples, {"wait_s high": high, "wait_s low": low})


# --- (c) Erlang B -------------------------------------------------------------------------

TRUNK_AGENTS = 5
TRUNK_LOAD = 4.0
"""Offered load, Erlangs."""


def blocking_figures(scenario: Scenario, replication: int) -> dict[str, float]:
    """Blocked share of offered contacts, and the longest wait (s)."""
    contacts = run_replication(scenario, replication, SEED).contacts
    return {
        "blocking": float(np.mean(contacts["outcome"] == _BLOCKED)),
        "max_wait_s": float(np.max(contacts["wait_s"])),
    }


@pytest.mark.slow
def test_as_many_lines_as_agents_gives_erlang_b_blocking() -> None:
    """Blocking matches B(5, 4) and no contact ever waits."""
    data = {
        "name": "trunks",
        "horizon": "400h",
        "warmup": "2h",
        "lines": TRUNK_AGENTS,
        "queues": [poisson_queue("a", TRUNK_LOAD / HANDLE_TIME_S)],
        "agents": [{"name": "g", "count": TRUNK_AGENTS, "skills": ["a"]}],
    }
    samples = replicate(data, blocking_figures, replications=20)
    assert np.all(samples["max_wait_s"] == 0)
    assert_matches_theory(samples, {"blocking": erlang.erlang_b(TRUNK_LOAD, TRUNK_AGENTS)})
