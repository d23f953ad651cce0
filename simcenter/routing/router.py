"""The router: owns the lines and idle lists and applies the selection policies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcenter.routing.contact_selection import ContactSelection
from simcenter.routing.lines import Line, Pool, Queue

if TYPE_CHECKING:
    from simcenter.agents import Agent
    from simcenter.contact import Contact


class Router:
    """Matches contacts and agents.

    Args:
        queues: The queues, with their pools and policies already wired (``engine.py``).
        contact_selection: The centre's contact-selection policy.
    """

    def __init__(self, queues: list[Queue], contact_selection: ContactSelection) -> None:
        self.queues = queues
        self.contact_selection = contact_selection

    def idle_agent_for(self, contact: Contact) -> Agent | None:
        """Take the idle agent who answers ``contact`` now, or None if nobody eligible is free."""
        queue = contact.queue
        return queue.agent_selection.choose(queue.pools_by_level)

    def idle_overflow_agent_for(self, contact: Contact) -> Agent | None:
        """Take an idle agent of the overflow groups for ``contact``, or None."""
        queue = contact.queue
        return queue.agent_selection.choose(queue.overflow_pools)

    def enqueue(self, contact: Contact) -> None:
        """``contact`` starts waiting at the back of its queue's line."""
        contact.waiting = True
        self._join(contact.queue.line, contact)

    def overflow(self, contact: Contact) -> None:
        """``contact`` has waited long enough: the overflow groups may take it too."""
        line = contact.queue.overflow_line
        assert line is not None
        contact.overflowed = True
        self._join(line, contact)

    @staticmethod
    def _join(line: Line, contact: Contact) -> None:
        line.contacts.append(contact)
        line.add_waiting(+1)

    def withdraw(self, contact: Contact) -> None:
        """``contact`` stops waiting (taken, or gave up); its line entries go lazily."""
        contact.waiting = False
        if contact.waits_for is not None:  # in an agent's personal line only
            contact.waits_for = None
            return
        queue = contact.queue
        queue.line.add_waiting(-1)
        if contact.overflowed:
            queue.overflow_line.add_waiting(-1)  # type: ignore[union-attr]

    def next_contact_for(self, agent: Agent, now: float) -> Contact | None:
        """Take the waiting contact ``agent`` answers next, or None if there is none.

        Contacts waiting for this agent in particular (repeat contacts that
        prefer their last agent) come first.
        """
        if agent.personal:
            contact = self._personal_contact(agent)
            if contact is not None:
                return contact
        # PERF: nothing waits for the pool: no lines to scan (benchmarks/README.md, secretarial).
        if not agent.pool.waiting:
            return None
        line = self.contact_selection.choose(agent.pool, now)
        if line is None:
            return None
        contact = line.contacts.popleft()
        self.withdraw(contact)
        return contact

    def _personal_contact(self, agent: Agent) -> Contact | None:
        """Take the first contact waiting for ``agent`` in particular that it can serve now."""
        for contact in list(agent.personal):
            if not contact.waiting:
                agent.personal.remove(contact)
            elif contact.queue in agent.pool.levels:
                agent.personal.remove(contact)
                self.withdraw(contact)
                return contact
        return None

    def waiting_contacts(self, agents: list[Agent]) -> list[Contact]:
        """Every contact still waiting (lines and agents' personal lines), each once."""
        found = {
            id(contact): contact
            for queue in self.queues
            for line in (queue.line, queue.overflow_line)
            if line is not None
            for contact in line.contacts
            if contact.waiting
        }
        for agent in agents:
            found.update((id(c), c) for c in agent.personal if c.waiting)
        return sorted(found.values(), key=lambda contact: contact.contact_id)

    @staticmethod
    def make_idle(agent: Agent, now: float) -> None:
        """``agent`` waits for work from ``now`` on."""
        agent.idle_since = now
        agent.pool.idle.append(agent)

    @staticmethod
    def move(agent: Agent, pool: Pool) -> None:
        """``agent`` (idle or not) now works ``pool``'s skill set."""
        if agent in agent.pool.idle:
            agent.pool.idle.remove(agent)
            pool.add_idle(agent)
        agent.pool = pool
