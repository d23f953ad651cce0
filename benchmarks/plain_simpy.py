"""A plain, idiomatic SimPy model of the M/M/n+M call centre: the yardstick of the benchmark.

Covers:
- One process per contact, agents as one ``simpy.Resource``.
- Abandonment as a race between the request and a patience timeout
  (``result = yield request | env.timeout(patience)``), as in SimPy's
  ``docs/examples/code/bank_renege.py``.
- Draws from a numpy Generator, one call per value as each contact needs it.

Scenario:
  Contacts arrive as a Poisson process (``rate_per_s``) until the horizon.
  Each waits for one of ``agents`` identical agents, in arrival order, or
  hangs up when its exponential patience (mean ``patience_s``) runs out. An
  answered contact talks for an exponential handle time (mean ``aht_s``).
  After the horizon no more contacts arrive; those in the centre are served
  out (simcenter's ``closing: drain``). Times are seconds.

This module is not part of simcenter; ``bench_mmn.py`` times it against
simcenter on the same system.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy


@dataclass
class Outcomes:
    """What happened to each contact, in the order the contacts left the queue.

    Attributes:
        waits_s: Time each contact waited until answered or until it abandoned (seconds).
        abandoned: Whether each contact abandoned.
    """

    waits_s: list[float] = field(default_factory=list)
    abandoned: list[bool] = field(default_factory=list)


def contact_journey(
    env: simpy.Environment,
    agents: simpy.Resource,
    rng: np.random.Generator,
    aht_s: float,
    patience_s: float,
    outcomes: Outcomes,
) -> simpy.events.ProcessGenerator:
    """A contact arrives, waits for an agent or abandons, is served, and leaves."""
    arrival_s = env.now
    patience = rng.exponential(patience_s)
    with agents.request() as request:
        result = yield request | env.timeout(patience)
        outcomes.waits_s.append(env.now - arrival_s)
        if request in result:
            outcomes.abandoned.append(False)
            yield env.timeout(rng.exponential(aht_s))
        else:
            outcomes.abandoned.append(True)


def arrivals(
    env: simpy.Environment,
    agents: simpy.Resource,
    rng: np.random.Generator,
    rate_per_s: float,
    aht_s: float,
    patience_s: float,
    horizon_s: float,
    outcomes: Outcomes,
) -> simpy.events.ProcessGenerator:
    """Contacts arrive at random (Poisson, ``rate_per_s``) until ``horizon_s``."""
    while True:
        yield env.timeout(rng.exponential(1 / rate_per_s))
        if env.now >= horizon_s:
            return
        env.process(contact_journey(env, agents, rng, aht_s, patience_s, outcomes))


def simulate(
    rate_per_s: float,
    aht_s: float,
    patience_s: float,
    agents: int,
    horizon_s: float,
    seed: int,
) -> Outcomes:
    """Run the model until every contact that arrived before ``horizon_s`` has left.

    Args:
        rate_per_s: Arrival rate, contacts per second.
        aht_s: Mean handle time, seconds.
        patience_s: Mean patience, seconds.
        agents: Number of agents.
        horizon_s: Arrivals stop at this time, seconds.
        seed: Seed of the run's numpy Generator.

    Returns:
        The wait and outcome of every contact.
    """
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=agents)
    rng = np.random.default_rng(seed)
    outcomes = Outcomes()
    env.process(arrivals(env, server, rng, rate_per_s, aht_s, patience_s, horizon_s, outcomes))
    env.run()
    return outcomes
