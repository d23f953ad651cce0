"""Skill-based routing: matching waiting contacts and idle agents directly.

There is no ``simpy.Resource`` per skill: the router looks at the idle agents
of the groups that can serve a contact, or at the heads of the queues an agent
can serve, and picks one. Work per decision is proportional to the number of
eligible groups or queues, not to the number of contacts or agents.

Rules (DESIGN.md §2, ``agent_selection: longest_idle``, ``contact_selection: priority``):

- An arriving contact goes to an idle agent of the groups with the best
  (lowest) skill level for its queue; among those, the agent idle longest.
- A freed agent takes work from its best skill level that has a waiting
  contact; within that level, from the queue with the highest ``priority``,
  and among equal priorities the oldest waiting contact.

Waiting contacts that abandon are not searched for and removed; they are
marked and skipped when they reach the head of their queue (lazy deletion),
so abandoning costs O(1).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from simcenter.agents import Agent, AgentGroup
from simcenter.scenario import QueueSpec

if TYPE_CHECKING:
    from simcenter.contact import Contact


class Queue:
    """A queue at run time: its waiting line, its samplers and who can serve it.

    Attributes:
        index: Queue index in the run.
        spec: The scenario's description of the queue.
        priority: Higher is served first by an agent choosing among queues.
        line: Waiting contacts in arrival order, possibly including
            contacts that have already left (skipped lazily).
        waiting: Number of contacts really waiting.
        groups_by_level: Groups that can serve the queue, grouped by skill
            level, best level first.
        handle_time, wrap_up, patience: Draw one value (seconds) each call.
    """

    def __init__(
        self,
        index: int,
        spec: QueueSpec,
        handle_time: Callable[[], float],
        wrap_up: Callable[[], float],
        patience: Callable[[], float],
    ) -> None:
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.priority = spec.priority
        self.line: deque[Contact] = deque()
        self.waiting = 0
        self.groups_by_level: list[list[AgentGroup]] = []
        self.handle_time = handle_time
        self.wrap_up = wrap_up
        self.patience = patience

    def head(self) -> Contact:
        """The contact that has waited longest; only call when ``waiting > 0``."""
        line = self.line
        while not line[0].waiting:
            line.popleft()
        return line[0]


class Router:
    """Matches contacts and agents; owns the waiting lines and the idle lists."""

    def __init__(self, queues: list[Queue], groups: list[AgentGroup]) -> None:
        self.queues = queues
        self.groups = groups
        for queue in queues:
            levels = sorted(
                {
                    g.spec.skill_levels[queue.name]
                    for g in groups
                    if queue.name in g.spec.skill_levels
                }
            )
            queue.groups_by_level = [
                [g for g in groups if g.spec.skill_levels.get(queue.name) == level]
                for level in levels
            ]
        by_name = {queue.name: queue for queue in queues}
        for group in groups:
            skills = group.spec.skill_levels
            group.levels = [
                sorted(
                    (by_name[name] for name, lvl in skills.items() if lvl == level),
                    key=lambda queue: -queue.priority,
                )
                for level in sorted(set(skills.values()))
            ]

    def idle_agent_for(self, contact: Contact) -> Agent | None:
        """Take the idle agent who should answer ``contact`` now, or None if nobody is free."""
        for level in contact.queue.groups_by_level:
            best: Agent | None = None
            for group in level:
                if group.idle and (best is None or group.idle[0].idle_since < best.idle_since):
                    best = group.idle[0]
            if best is not None:
                best.group.idle.popleft()
                return best
        return None

    def enqueue(self, contact: Contact) -> None:
        """Put ``contact`` at the back of its queue."""
        queue = contact.queue
        queue.line.append(contact)
        queue.waiting += 1

    def withdraw(self, contact: Contact) -> None:
        """``contact`` leaves its queue without being answered (removed lazily)."""
        contact.waiting = False
        contact.queue.waiting -= 1

    def next_contact_for(self, agent: Agent) -> Contact | None:
        """Take the waiting contact ``agent`` should answer next, or None if there is none."""
        for level in agent.group.levels:
            best: Contact | None = None
            for queue in level:
                if queue.waiting and (best is None or queue.priority == best.queue.priority):
                    head = queue.head()
                    if best is None or head.arrival_s < best.arrival_s:
                        best = head
            if best is not None:
                queue = best.queue
                queue.line.popleft()
                queue.waiting -= 1
                best.waiting = False
                return best
        return None

    def waiting_contacts(self) -> list[Contact]:
        """Every contact still waiting, in queue order (for closing the run)."""
        return [contact for queue in self.queues for contact in queue.line if contact.waiting]

    def make_idle(self, agent: Agent, now: float) -> None:
        """``agent`` waits for work from ``now`` on."""
        agent.idle_since = now
        agent.group.idle.append(agent)

    def remove_idle(self, agent: Agent) -> None:
        """``agent`` stops waiting for work (going off duty)."""
        agent.group.idle.remove(agent)
