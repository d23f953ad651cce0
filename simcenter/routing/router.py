"""The router: owns the lines and who is available, and applies the selection policies.

Only the router changes which agents are free: it puts an agent among its
pool's idle agents (:meth:`Router.make_idle`), takes one out
(:meth:`Router.take`: the agent a policy chose, or a given agent; policies
only choose) and moves idle agents between pools (rotation). It answers "how
many free agents / free slots has group g" in time independent of the number
of agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcenter.routing.contact_selection import ContactSelection
from simcenter.routing.lines import Line, Pool, Queue
from simcenter.states import IDLE, QUEUED, WAITING_FOR_LAST_AGENT

if TYPE_CHECKING:
    from simcenter.agents import Agent, AgentGroup
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
        only = queue.only_pool
        if only is not None:  # PERF: one eligible pool (benchmarks/README.md, "Engine foundations")
            return only.idle.popleft() if only.idle else None
        agent = queue.agent_selection.choose(queue.pools_by_level)
        if agent is not None:
            self.take(agent)
        return agent

    def idle_overflow_agent_for(self, contact: Contact) -> Agent | None:
        """Take an idle agent of the overflow groups for ``contact``, or None."""
        agent = contact.queue.agent_selection.choose(contact.queue.overflow_pools)
        if agent is not None:
            self.take(agent)
        return agent

    def enqueue(self, contact: Contact) -> None:
        """``contact`` starts waiting at the back of its queue's line (it is ``QUEUED``)."""
        # PERF: Line.add_waiting inlined, once per waiting contact
        # (benchmarks/README.md, "Routing at scale").
        line = contact.queue.line
        line.contacts.append(contact)
        line.waiting += 1
        for pool in line.pools:
            pool.waiting += 1

    @staticmethod
    def wait_for(contact: Contact, agent: Agent) -> None:
        """``contact`` waits for ``agent`` in particular (``WAITING_FOR_LAST_AGENT``)."""
        contact.waits_for = agent
        agent.personal.append(contact)

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
        """``contact`` stops waiting (taken, or gave up); its line entries go lazily.

        Called while the contact is still in its waiting state; the centre
        then moves it on.
        """
        if contact.state is WAITING_FOR_LAST_AGENT:  # in an agent's personal line only
            contact.waits_for = None
            return
        queue = contact.queue
        line = queue.line
        line.waiting -= 1  # PERF: Line.add_waiting inlined, as in `enqueue`
        for pool in line.pools:
            pool.waiting -= 1
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
            if contact.state is not WAITING_FOR_LAST_AGENT:
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
            if contact.state is QUEUED
        }
        for agent in agents:
            found.update((id(c), c) for c in agent.personal if c.state is WAITING_FOR_LAST_AGENT)
        return sorted(found.values(), key=lambda contact: contact.contact_id)

    @staticmethod
    def make_idle(agent: Agent, now: float) -> None:
        """``agent``, now ``IDLE``, waits for work from ``now`` on."""
        agent.idle_since = now
        agent.pool.idle.append(agent)

    @staticmethod
    def take(agent: Agent) -> None:
        """Take the idle ``agent`` out of the free agents (it answers, or leaves).

        O(1) for the longest and the most recently idle agent of its pool (the
        cases of routing and of staffing cuts); otherwise proportional to the
        pool's idle agents (a repeat contact's last agent, rotation).
        """
        idle = agent.pool.idle
        if idle[-1] is agent:
            idle.pop()
        elif idle[0] is agent:
            idle.popleft()
        else:
            idle.remove(agent)

    @staticmethod
    def move(agent: Agent, pool: Pool) -> None:
        """``agent`` (idle or not) now works ``pool``'s skill set."""
        if agent.state is IDLE:
            agent.pool.idle.remove(agent)
            pool.add_idle(agent)
        agent.pool = pool

    @staticmethod
    def free_agents(group: AgentGroup) -> int:
        """Idle agents of ``group`` now (work proportional to its pools, not its agents)."""
        return sum(len(pool.idle) for pool in group.pools)

    def free_slots(self, group: AgentGroup) -> int:
        """Free slots of ``group`` now.

        Every agent has ``capacity`` 1 (voice): an idle agent has its one slot
        free and a busy one none, so the free slots are the free agents. Agents
        holding several contacts at once (chat) will stay among the free agents
        while a slot is free, and pools will count their free slots.
        """
        return self.free_agents(group)
