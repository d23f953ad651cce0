"""Busy and quiet days: a random factor per calendar day on the arrival volumes.

``busyness: {distribution: gamma, mean: 1, cv: 0.1}`` at the scenario level
multiplies every queue's volumes of a day by one common factor; a queue's own
``arrivals.busyness`` multiplies its volumes by another, independent one. A
day's volume is then a mixed Poisson count: with mean ``m`` and factor cv
``c``, its variance is ``m + m² c²`` (the factors' product for both).

The factors come from streams of their own, ``busyness`` and
``busyness/<queue>``, one draw per local calendar day in day order (day 0 is
the start's date, warm-up included). They depend only on the seed, the
replication and the busyness spec, never on agents, shifts or routing, so
what-if scenarios see the same busy days (common random numbers), and a
longer horizon keeps the factors of the first days.
"""

from __future__ import annotations

import math

import numpy as np

from simcenter import distributions as dist
from simcenter.clock import ScenarioClock
from simcenter.scenario import BusynessSpec, Scenario
from simcenter.streams import stream

SCENARIO_STREAM = "busyness"
"""The stream of the scenario-wide factors; a queue's own is ``busyness/<queue>``."""


def factor_distribution(spec: BusynessSpec) -> dist.Distribution:
    """The distribution of one day's factor (mean 1, cv ``spec.cv``)."""
    if spec.cv == 0:
        return dist.Constant(1.0)
    if spec.distribution == "uniform":
        half = spec.cv * math.sqrt(3)
        return dist.Uniform(max(0.0, 1 - half), 1 + half)
    if spec.distribution == "lognormal":
        return dist.Lognormal(1.0, spec.cv)
    return dist.Gamma(1.0, spec.cv)


def daily_factors(spec: BusynessSpec, rng: np.random.Generator, days: int) -> list[float]:
    """The factors of days ``0 .. days - 1``, one draw each in day order.

    Every family used is elementwise, so the factor of a day does not depend
    on how many days are drawn.
    """
    return [float(value) for value in factor_distribution(spec).sample(rng, days)]


def run_days(scenario: Scenario) -> int:
    """Number of local calendar days that the simulated time ``[0, end_s)`` touches."""
    clock = ScenarioClock(scenario.start_at)
    return clock.day_of(max(scenario.end_s - 1e-6, 0.0)) - clock.day_of(0.0) + 1


def busyness_factors(scenario: Scenario, seed: int, replication: int) -> dict[str, list[float]]:
    """Each queue's random factor per local day: the scenario's times the queue's own.

    Queues without any busyness are left out (their factor is 1 every day).

    Args:
        scenario: The scenario.
        seed: The base seed of the run.
        replication: The replication number.
    """
    days = run_days(scenario)
    common = None
    if scenario.busyness is not None:
        common = daily_factors(scenario.busyness, stream(seed, replication, SCENARIO_STREAM), days)
    factors = {}
    for queue in scenario.queues:
        own = queue.arrivals.busyness
        if own is None:
            if common is not None:
                factors[queue.name] = common
            continue
        mine = daily_factors(
            own, stream(seed, replication, f"{SCENARIO_STREAM}/{queue.name}"), days
        )
        factors[queue.name] = (
            mine if common is None else [a * b for a, b in zip(common, mine, strict=True)]
        )
    return factors
