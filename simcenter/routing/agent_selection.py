"""Agent-selection policies: which idle agent answers an arriving contact.

Each policy is a small class with one method, :meth:`choose`, that takes the
eligible pools by skill level (best level first) and returns the chosen idle
agent, or None when none is idle. A policy only chooses: the router takes
the chosen agent out of the free agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simcenter.agents import Agent
    from simcenter.routing.lines import Pool

Levels = list[list["Pool"]]


class AgentSelection:
    """Base of the agent-selection policies."""

    def choose(self, levels: Levels) -> Agent | None:
        """The idle agent of ``levels`` who answers, or None (it stays idle)."""
        raise NotImplementedError


class LongestIdleAgent(AgentSelection):
    """The agent idle longest among all eligible ones, whatever their skill level."""

    def choose(self, levels: Levels) -> Agent | None:
        """The longest-idle eligible agent, or None."""
        best = None
        for level in levels:
            for pool in level:
                if pool.idle and (
                    best is None or pool.idle[0].idle_since < best.idle[0].idle_since
                ):
                    best = pool
        return None if best is None else best.idle[0]


class BestSkillAgent(AgentSelection):
    """Agents with the best skill level for the queue first; longest idle among them."""

    def choose(self, levels: Levels) -> Agent | None:
        """The longest-idle agent of the best level with one, or None."""
        # PERF: the longest idle of a level found inline, no call per level and arrival
        # (benchmarks/README.md, "Routing at scale").
        for level in levels:
            best = None
            for pool in level:
                if pool.idle and (
                    best is None or pool.idle[0].idle_since < best.idle[0].idle_since
                ):
                    best = pool
            if best is not None:
                return best.idle[0]
        return None


class FewestSkillsAgent(AgentSelection):
    """The agent with the fewest active skills (generalists stay free); longest idle among them."""

    def choose(self, levels: Levels) -> Agent | None:
        """The idle agent with the fewest skills, or None."""
        best = None
        for level in levels:
            for pool in level:
                if pool.idle and (best is None or _fewer_skills(pool, best)):
                    best = pool
        return None if best is None else best.idle[0]


def _fewer_skills(pool: Pool, other: Pool) -> bool:
    key = (len(pool.levels), pool.idle[0].idle_since)
    return key < (len(other.levels), other.idle[0].idle_since)


class RandomAgent(AgentSelection):
    """A uniformly random idle agent among all eligible ones.

    Args:
        rng: The queue's routing stream.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def choose(self, levels: Levels) -> Agent | None:
        """A uniformly chosen idle eligible agent, or None."""
        pools = [pool for level in levels for pool in level if pool.idle]
        total = sum(len(pool.idle) for pool in pools)
        if total == 0:
            return None
        position = int(self.rng.integers(total))
        for pool in pools:
            if position < len(pool.idle):
                return pool.idle[position]
            position -= len(pool.idle)
        raise AssertionError("unreachable: position within total")


class RoundRobinAgent(AgentSelection):
    """Eligible agents take turns: the next idle one after the last chosen, by agent number."""

    def __init__(self) -> None:
        self.last = -1

    def choose(self, levels: Levels) -> Agent | None:
        """The idle agent next in turn, or None."""
        best: Agent | None = None
        best_key = (False, 0)
        for level in levels:
            for pool in level:
                for agent in pool.idle:
                    key = (agent.index <= self.last, agent.index)  # after the last, cyclically
                    if best is None or key < best_key:
                        best, best_key = agent, key
        if best is None:
            return None
        self.last = best.index
        return best


def agent_selection(name: str, rng: np.random.Generator | None) -> AgentSelection:
    """The policy called ``name`` in the scenario (``routing.agent_selection``).

    ``rng`` is the queue's routing stream; only ``random`` uses it (and needs it).
    """
    if name == "random":
        assert rng is not None
        return RandomAgent(rng)
    policies = {
        "longest_idle": LongestIdleAgent,
        "priority": BestSkillAgent,
        "fewest_skills": FewestSkillsAgent,
        "round_robin": RoundRobinAgent,
    }
    return policies[name]()
