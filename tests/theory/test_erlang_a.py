"""M/M/n+M against Erlang A: abandonment, ASA and service level.

Erlang A (Palm 1943; Garnett, Mandelbaum & Reiman 2002; simcenter/erlang.py,
docs/erlang.md): Poisson arrivals at rate λ, exponential handle times of mean
AHT, n agents, and exponential patience of mean 1/θ. The number of contacts in
the system is a birth-death chain with death rate k/AHT for k <= n and
n/AHT + (k − n)·θ above; by PASTA an arriving contact sees its stationary
distribution, which gives P(abandon), ASA (mean wait of answered contacts),
the mean wait of all offered contacts and the service level at 20 s.

The runs go through the public API, ``simcenter.simulate``, and use its
per-replication figures (``Results.replications``, definitions in DESIGN.md
§4): ``abandon_rate`` = abandoned / offered, ``asa_s``, ``mean_wait_s`` (all
offered contacts, abandoned ones with the time they waited) and
``service_level`` = answered within 20 s / offered. ``closing: drain`` lets
every contact of the horizon finish its story.

A second computation inside the simulation: with exponential patience a
waiting contact abandons at rate θ whatever happens around it, so for every
contact P(abandon) = θ · E[wait] (its wait is min(patience, time until an
agent would take it), and that time does not depend on its own patience).
The identity holds exactly, warm-up or not, so each replication's
abandon_rate − mean_wait_s / patience must average 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

import simcenter
from simcenter import erlang

HANDLE_TIME_S = 300.0
"""Mean handle time (AHT) of every case, seconds."""

THRESHOLD_S = 20.0
"""Service-level threshold, seconds."""

SEED = 20260106
"""Base seed of every test in this module."""


@dataclass(frozen=True)
class ErlangACase:
    """An M/M/n+M case.

    Attributes:
        agents: Number of agents n.
        load: Offered load a = λ·AHT in Erlangs (may exceed n).
        patience_s: Mean patience 1/θ, seconds.
        horizon: Measured horizon of one replication (scenario duration).
        warmup: Warm-up of one replication.
        replications: R.
    """

    agents: int
    load: float
    patience_s: float
    horizon: str
    warmup: str
    replications: int = 40

    def theory(self) -> erlang.ErlangResult:
        """The Erlang A figures of this case."""
        rate = self.load / HANDLE_TIME_S
        return erlang.erlang_a(rate, HANDLE_TIME_S, self.patience_s, self.agents, THRESHOLD_S)

    def __str__(self) -> str:
        return f"M/M/{self.agents}+M, a = {self.load:g}, patience {self.patience_s:g} s"


CASES = [
    ErlangACase(
        agents=20, load=19.0, patience_s=300.0, horizon="200h", warmup="10h", replications=48
    ),
    ErlangACase(agents=20, load=24.0, patience_s=180.0, horizon="70h", warmup="5h"),
]


@pytest.fixture(scope="module", params=CASES, ids=str)
def simulated(
    request: pytest.FixtureRequest, single_queue: Callable[..., dict[str, Any]]
) -> tuple[ErlangACase, pd.DataFrame]:
    """A case and the per-replication figures of its queue (one row per replication)."""
    case: ErlangACase = request.param
    scenario = single_queue(
        agents=case.agents,
        load=case.load,
        handle_time={"distribution": "exponential", "mean": HANDLE_TIME_S},
        patience_s=case.patience_s,
        horizon=case.horizon,
        warmup=case.warmup,
    )
    results = simcenter.simulate(
        scenario, replications=case.replications, seed=SEED, jobs=None, keep_contacts=False
    )
    replications = results.replications
    return case, replications[replications["queue"] == "q"]


@pytest.mark.slow
def test_abandonment_and_waiting_match_erlang_a(
    simulated: tuple[ErlangACase, pd.DataFrame], check_theory: Callable[..., None]
) -> None:
    """P(abandon), ASA, mean wait and service level of M/M/n+M match Erlang A."""
    case, rows = simulated
    theory = case.theory()

    assert len(rows) == case.replications
    check_theory(
        str(case),
        {name: rows[name].to_numpy() for name in rows.columns},
        {
            "abandon_rate": theory.p_abandon,
            "asa_s": theory.asa,
            "mean_wait_s": theory.mean_wait,
            "service_level": theory.service_level,
        },
    )


@pytest.mark.slow
def test_abandonment_equals_mean_wait_over_patience(
    simulated: tuple[ErlangACase, pd.DataFrame], check_theory: Callable[..., None]
) -> None:
    """Per replication, abandon_rate − mean_wait_s / patience averages 0 (θ·E[wait] identity).

    The precision is required relative to the Erlang A P(abandon).
    """
    case, rows = simulated
    difference = rows["abandon_rate"] - rows["mean_wait_s"] / case.patience_s

    check_theory(
        str(case),
        {"abandon_rate − mean_wait_s / patience": difference.to_numpy()},
        {"abandon_rate − mean_wait_s / patience": 0.0},
        scale={"abandon_rate − mean_wait_s / patience": case.theory().p_abandon},
    )
