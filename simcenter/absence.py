"""Absence and outages: agents missing a whole shift, and windows with some agents away.

**Absence** (``absence: {probability: p}``): each shift agent independently
misses each whole occurrence of its shift with probability ``p``. The draw
is one uniform from the stream ``absence/<agent name>`` per occurrence of
that agent, in time order (:class:`AbsenceDraws`), so changing one group's
absence changes nobody else's, and contacts never draw from these streams.
An absent agent simply stays unrostered (:mod:`simcenter.rostering`); its
missed occurrence is recorded as an ``absent`` period (its own bookkeeping,
apart from outages).

**Outages** (``outages: [{at, duration, agents}]``, :class:`Outages`): at its
start an outage keeps ``agents`` present agents of the group away (kind
``AWAY``) for its window: the idle ones first (the most recently idle
first), then busy ones (the last in agent order first), who leave when their
contact and wrap-up end. Fewer present agents: all of them. At its end it
releases those it took. Each outage has its own reason, so outages compose
with each other, with shifts, breaks and absence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import simpy

from simcenter.presence import Absence, Presence, Reason
from simcenter.states import IDLE
from simcenter.streams import stream

if TYPE_CHECKING:
    from simcenter.agents import Agent, AgentGroup
    from simcenter.rota import OutageTime


class AbsenceDraws:
    """Who misses which shift occurrence: one uniform per occurrence of each agent.

    Args:
        probability: Chance that an agent misses one occurrence (below 1).
        seed: Base seed of the run.
        replication: Replication number.
    """

    def __init__(self, probability: float, seed: int, replication: int) -> None:
        self.probability = probability
        self.seed = seed
        self.replication = replication
        self._streams: dict[int, np.random.Generator] = {}

    def absent(self, agent: Agent) -> bool:
        """Does ``agent`` miss its next occurrence? (Call once per occurrence, in time order.)"""
        rng = self._streams.get(agent.index)
        if rng is None:
            rng = stream(self.seed, self.replication, f"absence/{agent.name}")
            self._streams[agent.index] = rng
        return bool(rng.random() < self.probability)


class Outages:
    """The outages of one group as a presence source.

    Args:
        group: The agent group.
        outages: Its outages in the run (:func:`~simcenter.rota.outage_times`).
    """

    def __init__(self, group: AgentGroup, outages: list[OutageTime]) -> None:
        self.group = group
        self.outages = outages

    def start(self, env: simpy.Environment, presence: Presence) -> None:
        """Start one process per outage (started after the rostering sources)."""
        for number, outage in enumerate(self.outages):
            reason = Absence(Reason.AWAY, f"outage/{self.group.name}#{number + 1}")
            env.process(self._outage(env, presence, outage, reason))

    def _outage(
        self, env: simpy.Environment, presence: Presence, outage: OutageTime, reason: Absence
    ) -> simpy.events.ProcessGenerator:
        if outage.start_s > env.now:
            yield env.timeout(outage.start_s - env.now)
        if presence.closed:
            return
        taken = self.take(presence, outage.agents, reason)
        end_s = outage.start_s + outage.duration_s
        if end_s > env.now:
            yield env.timeout(end_s - env.now)
        for agent in taken:
            presence.release(agent, reason)

    def take(self, presence: Presence, count: int, reason: Absence) -> list[Agent]:
        """Keep ``count`` present agents away for ``reason``: idle first, then busy ones."""
        taken: list[Agent] = []
        while len(taken) < count and (idle := self.group.most_recently_idle()) is not None:
            presence.keep_away(idle, reason)
            taken.append(idle)
        busy = [
            agent
            for agent in self.group.agents
            if agent.on_duty and agent.state is not IDLE and reason not in agent.away
        ][::-1]
        busy.sort(key=lambda agent: bool(agent.away))  # those not already leaving first
        for agent in busy[: count - len(taken)]:
            presence.keep_away(agent, reason)
            taken.append(agent)
        return taken
