"""The running contact centre: the story of contacts and agents, step by step.

A contact arrives. If an agent is free it is answered at once; otherwise it
waits in its queue until an agent takes it or its patience runs out and it
abandons. An answered contact talks for its handle time; then its agent does
the wrap-up and takes the next waiting contact, or becomes idle.

Only the arrival streams are SimPy processes. The rest of a contact's story
is driven by timeouts whose callbacks are the next step, so there is no
process per contact. A patience timer that fires after its contact was
answered finds ``contact.waiting`` false and does nothing.

Ties at the same instant are resolved in SimPy's schedule order (time, then
insertion): for example, an agent who frees up at the instant a waiting
contact's patience ends answers it only if the service-end event was
scheduled first.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import simpy

from simcenter.agents import Agent, AgentGroup
from simcenter.contact import Contact
from simcenter.recorder import Recorder
from simcenter.routing import Queue, Router


class Centre:
    """Contacts and agents of one replication on a SimPy environment.

    Args:
        env: The environment.
        queues: The queues at run time.
        groups: The agent groups at run time.
        recorder: Where the facts go.
        closing: ``drain``, ``clear`` or ``stop`` (see :meth:`close`).
    """

    def __init__(
        self,
        env: simpy.Environment,
        queues: list[Queue],
        groups: list[AgentGroup],
        recorder: Recorder,
        closing: str,
    ) -> None:
        self.env = env
        self.queues = queues
        self.groups = groups
        self.router = Router(queues, groups)
        self.recorder = recorder
        self.closing = closing
        self.closed = False
        self.contacts_in_system = 0
        self.agents_on_duty = 0
        self.drained = env.event()
        self._next_id = 0

    # --- the contact's story ----------------------------------------------------

    def arrivals(self, queue: Queue, times: Iterator[float]) -> simpy.events.ProcessGenerator:
        """Contacts of ``queue`` arrive at the given times (seconds)."""
        env = self.env
        for time in times:
            yield env.timeout(time - env.now)
            self.arrive(queue)

    def arrive(self, queue: Queue) -> None:
        """A contact arrives at ``queue``: it is answered at once or starts waiting."""
        contact = Contact(self._next_id, queue, self.env.now)
        self._next_id += 1
        self.contacts_in_system += 1
        agent = self.router.idle_agent_for(contact)
        if agent is not None:
            self.answer(contact, agent)
            return
        self.router.enqueue(contact)
        contact.waiting = True
        if contact.patience_s != math.inf:
            self.env.timeout(contact.patience_s, contact).callbacks.append(self._patience_ends)

    def _patience_ends(self, event: simpy.Event) -> None:
        contact: Contact = event.value
        if contact.waiting:  # PERF: a timer of an answered contact does nothing
            self.abandon(contact)

    def abandon(self, contact: Contact) -> None:
        """``contact`` gives up waiting and hangs up."""
        self.router.withdraw(contact)
        self.recorder.abandoned(contact, self.env.now)
        self._leaves()

    def answer(self, contact: Contact, agent: Agent) -> None:
        """``agent`` answers ``contact`` and starts talking."""
        now = self.env.now
        contact.answered_s = now
        contact.agent = agent
        agent.contact = contact
        agent.group.count_busy(+1, now)
        self.env.timeout(contact.handle_s, agent).callbacks.append(self._talk_ends)

    def _talk_ends(self, event: simpy.Event) -> None:
        agent: Agent = event.value
        contact = agent.contact
        assert contact is not None
        agent.contact = None
        self.recorder.answered(contact, self.env.now)
        self._leaves()
        if contact.wrap_s > 0:
            self.env.timeout(contact.wrap_s, agent).callbacks.append(self._wrap_up_ends)
        else:
            self.agent_free(agent)

    def _wrap_up_ends(self, event: simpy.Event) -> None:
        self.agent_free(event.value)

    def _leaves(self) -> None:
        self.contacts_in_system -= 1
        if self.closed:
            self._check_drained()

    # --- the agent's story ------------------------------------------------------

    def agent_free(self, agent: Agent) -> None:
        """``agent`` finished a contact's talk and wrap-up: next contact, idle, or home."""
        now = self.env.now
        agent.group.count_busy(-1, now)
        if agent.leaving:
            self.go_off_duty(agent)
            return
        contact = self.router.next_contact_for(agent)
        if contact is not None:
            self.answer(contact, agent)
        elif self.closed:
            self.go_off_duty(agent)
        else:
            self.router.make_idle(agent, now)

    def come_on_duty(self, agent: Agent) -> None:
        """``agent`` starts working: takes a waiting contact or waits for one."""
        agent.on_duty = True
        agent.leaving = False
        agent.on_duty_since = self.env.now
        self.agents_on_duty += 1
        contact = self.router.next_contact_for(agent)
        if contact is not None:
            self.answer(contact, agent)
        else:
            self.router.make_idle(agent, self.env.now)

    def go_off_duty(self, agent: Agent) -> None:
        """``agent`` leaves (end of the staffed period, or the centre has closed)."""
        agent.on_duty = False
        agent.leaving = False
        self.agents_on_duty -= 1
        self.recorder.on_duty(agent, agent.on_duty_since, self.env.now)
        if self.closed:
            self._check_drained()

    def staff(self, group: AgentGroup, target: int) -> None:
        """Bring the group's on-duty count to ``target``.

        Agents who were about to leave stay first, then agents come on duty.
        When there are too many, the most recently idle agents leave at once
        and busy agents leave after their current contact and wrap-up.
        """
        group.target = target
        present = [agent for agent in group.agents if agent.on_duty]
        staying = [agent for agent in present if not agent.leaving]
        short = target - len(staying)
        if short >= 0:
            for agent in [agent for agent in present if agent.leaving][:short]:
                agent.leaving = False
                short -= 1
            for agent in [agent for agent in group.agents if not agent.on_duty][:short]:
                self.come_on_duty(agent)
            return
        excess = -short
        while excess and group.idle:
            self.go_off_duty(group.idle.pop())  # the most recently idle leaves first
            excess -= 1
        busy = [agent for agent in staying if agent.on_duty]  # nobody idle is left
        for agent in busy[len(busy) - excess :]:
            agent.leaving = True

    def staffing(
        self, group: AgentGroup, changes: Iterator[tuple[float, int]]
    ) -> simpy.events.ProcessGenerator:
        """The group's on-duty count follows its staffing plan until the centre closes."""
        env = self.env
        for time, count in changes:
            if time > env.now:
                yield env.timeout(time - env.now)
            if self.closed:
                return
            self.staff(group, count)

    # --- closing ----------------------------------------------------------------

    def close(self) -> None:
        """The horizon is over: no more arrivals or staffing changes.

        ``drain``: waiting contacts are still served by the agents on duty,
        who go home when there is no more work for them. ``clear``: waiting
        contacts are disconnected; agents finish their current contact.
        ``stop``: nothing more happens (the run stops here).
        """
        self.closed = True
        if self.closing == "clear":
            for contact in self.router.waiting_contacts():
                self.router.withdraw(contact)
                self.recorder.disconnected(contact, self.env.now)
                self.contacts_in_system -= 1
        for group in self.groups:
            while group.idle:
                self.go_off_duty(group.idle.pop())
        self._check_drained()

    def _check_drained(self) -> None:
        if self.contacts_in_system == 0 and self.agents_on_duty == 0 and not self.drained.triggered:
            self.drained.succeed()

    def finish(self, end_s: float) -> None:
        """Record what is left at the end of the run as in system; close on-duty periods."""
        for contact in self.router.waiting_contacts():
            self.recorder.in_system(contact, end_s)
        for group in self.groups:
            for agent in group.agents:
                if agent.contact is not None:
                    self.recorder.in_system(agent.contact, end_s)
                if agent.on_duty:
                    self.recorder.on_duty(agent, agent.on_duty_since, end_s)
            group.count_busy(0, end_s)
