"""Control variates for M/M/n theory tests: the same contacts at one fast server.

The contacts of a replication, at their own arrival times, are queued in
front of one server n times as fast (each needs its handle time / n), first
come first served. With Poisson arrivals at rate λ and exponential handle
times of mean AHT this is an M/M/1 queue with service rate ν = n/AHT, whose
figures are known exactly; near saturation the n agents are nearly always
all busy and work off their queue at the fast server's rate, so the two
queues rise and fall together. Used by tests/theory/test_erlang_c.py and
tests/test_routing_theory.py (docs/validation.md, "Control variates").
"""

from __future__ import annotations

import numpy as np

FAST_SERVER_SEED = 20261206
"""Seed of the fast server's initial workload (with the replication number)."""


def fast_server_waits(
    *,
    agents: int,
    rate_per_s: float,
    handle_time_s: float,
    warmup_s: float,
    replication: int,
    arrival_s: np.ndarray,
    handle_s: np.ndarray,
) -> np.ndarray:
    """Waits (s) of the contacts at one server ``agents`` times as fast, FCFS, in arrival order.

    The contacts arrive at ``arrival_s`` (s, any order, all after the
    warm-up) and need ``handle_s / agents`` of the fast server, whose
    workload at the end of the warm-up (``warmup_s``) is drawn from its
    stationary distribution (M/M/1 with arrival rate ``rate_per_s`` = λ and
    service rate n/``handle_time_s``: 0 with probability 1 − ρ, else
    exponential with rate n/AHT − λ), from the streams of ``replication``
    and independently of the run. The fast server is then stationary
    throughout, so by PASTA the sum of its waits over the arrivals of a
    horizon T has expectation λ·T·E[W] exactly (:func:`fast_server_means`).
    The Lindley recursion W_k = max(0, W_{k−1} + S_{k−1} − (t_k − t_{k−1}))
    is the running sum minus its running minimum.
    """
    order = np.argsort(arrival_s, kind="stable")
    arrivals = arrival_s[order]
    services = handle_s[order] / agents
    service_rate = agents / handle_time_s
    rng = np.random.default_rng([FAST_SERVER_SEED, replication])
    busy = rng.random() < rate_per_s / service_rate
    start = rng.exponential(1.0 / (service_rate - rate_per_s)) if busy else 0.0
    steps = np.empty(len(arrivals))
    steps[0] = start - (arrivals[0] - warmup_s)
    steps[1:] = services[:-1] - np.diff(arrivals)
    walk = np.cumsum(steps)
    return walk - np.minimum(np.minimum.accumulate(walk), 0.0)


def fast_server_controls(
    *,
    agents: int,
    rate_per_s: float,
    handle_time_s: float,
    threshold_s: float,
    warmup_s: float,
    horizon_s: float,
    replication: int,
    arrival_s: np.ndarray,
    handle_s: np.ndarray,
) -> dict[str, float]:
    """The control variates of one replication, each with an exactly known expectation.

    ``offered_work`` is the handle time of every offered contact per second
    of horizon ``horizon_s``, in Erlangs (expectation: the offered load
    λ·AHT). ``fast_wait_s``, ``fast_waited`` and ``fast_in_target`` are the
    fast server's sums of waits (s), of waits > 0 and of waits <=
    ``threshold_s`` over the same contacts (:func:`fast_server_waits`), each
    divided by the expected number of arrivals λ·T.
    """
    fast = fast_server_waits(
        agents=agents,
        rate_per_s=rate_per_s,
        handle_time_s=handle_time_s,
        warmup_s=warmup_s,
        replication=replication,
        arrival_s=arrival_s,
        handle_s=handle_s,
    )
    expected_arrivals = rate_per_s * horizon_s
    return {
        "offered_work": float(np.sum(handle_s)) / horizon_s,
        "fast_wait_s": float(np.sum(fast)) / expected_arrivals,
        "fast_waited": np.count_nonzero(fast > 0.0) / expected_arrivals,
        "fast_in_target": np.count_nonzero(fast <= threshold_s) / expected_arrivals,
    }


def fast_server_means(
    *, agents: int, rate_per_s: float, handle_time_s: float, threshold_s: float
) -> dict[str, float]:
    """Expectations of :func:`fast_server_controls`, in the same order.

    The offered work has expectation a = λ·AHT. For M/M/1 with arrival rate
    λ and service rate ν = n/AHT, ρ = λ/ν: E[W] = ρ/(ν − λ), P(W > 0) = ρ,
    P(W <= t) = 1 − ρ·e^{−(ν−λ)t}; the controls are divided by λ·T, so
    these are their expectations.
    """
    service_rate = agents / handle_time_s
    rho = rate_per_s / service_rate
    return {
        "offered_work": rate_per_s * handle_time_s,
        "fast_wait_s": rho / (service_rate - rate_per_s),
        "fast_waited": rho,
        "fast_in_target": 1.0 - rho * np.exp(-(service_rate - rate_per_s) * threshold_s),
    }
