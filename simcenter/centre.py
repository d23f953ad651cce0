"""The running contact centre: the story of contacts and agents, step by step.

A contact calls. With no free line it is blocked. Otherwise, if an eligible
agent is free it is answered at once; if not, it may balk, or it waits —
in its queue, or for its last agent if it is a repeat contact that prefers
that agent — until an agent takes it, its patience runs out (it abandons),
or its maximum wait is reached (voicemail, or rerouted to another queue).
After a wait of ``overflow.after`` the overflow groups may take it too. An
answered contact talks for its handle time; it is then transferred to
another queue, or leaves (and may call again later, its issue unresolved).
Its agent does the wrap-up and takes the next contact, or becomes idle.

Only arrivals, staffing plans and rotation schedules are SimPy processes.
The rest of a contact's story is driven by timeouts whose callbacks are the
next step, so there is no process per contact. A timer that fires after its
contact stopped waiting finds ``contact.waiting`` false and does nothing.

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
        router: Matches contacts and agents.
        recorder: Where the facts go.
        closing: ``drain``, ``clear`` or ``stop`` (see :meth:`close`).
        lines: Number of lines (trunks), or None for unlimited.
        end_s: End of the horizon (seconds); no contact arrives after it.
    """

    def __init__(
        self,
        env: simpy.Environment,
        queues: list[Queue],
        groups: list[AgentGroup],
        router: Router,
        recorder: Recorder,
        closing: str,
        lines: int | None,
        end_s: float,
    ) -> None:
        self.env = env
        self.queue_named = {queue.name: queue for queue in queues}
        self.groups = groups
        self.agents = [agent for group in groups for agent in group.agents]
        self.router = router
        self.recorder = recorder
        self.closing = closing
        self.free_lines = lines
        self.end_s = end_s
        self.closed = False
        self.contacts_in_system = 0
        self.agents_on_duty = 0
        self.drained = env.event()
        self._next_id = 0

    # --- a contact's story ----------------------------------------------------------

    def arrivals(self, queue: Queue, times: Iterator[float]) -> simpy.events.ProcessGenerator:
        """Contacts of ``queue`` arrive at the given times (seconds)."""
        env = self.env
        for time in times:
            yield env.timeout(time - env.now)
            self.arrive(self.new_contact(queue))

    def new_contact(self, queue: Queue, customer_id: int | None = None) -> Contact:
        """A new contact at ``queue`` now, with its own draws."""
        contact = Contact(self._next_id, queue, self.env.now, customer_id)
        self._next_id += 1
        return contact

    def arrive(self, contact: Contact) -> None:
        """A contact calls: it is blocked if no line is free, else it asks for an agent."""
        if self.free_lines is not None:
            if self.free_lines == 0:
                self.recorder.blocked(contact, self.env.now)
                return
            self.free_lines -= 1
            contact.holds_line = True
        self.contacts_in_system += 1
        self.seek_agent(contact)

    def seek_agent(self, contact: Contact) -> None:
        """Answered at once, or waits for its last agent, or balks, or waits in its queue."""
        if contact.previous_agent is not None and self._waits_for_last_agent(contact):
            return
        agent = self.router.idle_agent_for(contact)
        if agent is not None:
            self.answer(contact, agent)
        elif self._balks(contact):
            self.recorder.balked(contact, self.env.now)
            self._leaves(contact)
        else:
            self.wait(contact)

    def wait(self, contact: Contact) -> None:
        """``contact`` starts waiting in its queue (after a ``clear`` closing: disconnected)."""
        if self.closed and self.closing == "clear":
            self.recorder.disconnected(contact, self.env.now)
            self._leaves(contact)
            return
        self.router.enqueue(contact)
        self._start_timers(contact)

    def _start_timers(self, contact: Contact) -> None:
        env, spec = self.env, contact.queue.spec
        if contact.patience_s != math.inf:
            env.timeout(contact.patience_s, contact).callbacks.append(self._patience_ends)
        if spec.overflow is not None:
            env.timeout(spec.overflow.after, contact).callbacks.append(self._overflow_due)
        if spec.max_wait is not None:
            env.timeout(spec.max_wait.after, contact).callbacks.append(self._max_wait_reached)

    def _patience_ends(self, event: simpy.Event) -> None:
        contact: Contact = event.value
        if contact.waiting:  # PERF: a timer of an answered contact does nothing
            self.router.withdraw(contact)
            self.recorder.abandoned(contact, self.env.now)
            self._leaves(contact)

    def _overflow_due(self, event: simpy.Event) -> None:
        """The contact has waited ``overflow.after``: the overflow groups may take it."""
        contact: Contact = event.value
        if contact.waiting and contact.waits_for is None:
            self.router.overflow(contact)
            agent = self.router.idle_overflow_agent_for(contact)
            if agent is not None:
                self.router.withdraw(contact)
                self.answer(contact, agent)

    def _max_wait_reached(self, event: simpy.Event) -> None:
        """The contact has waited ``max_wait.after``: voicemail, or on to another queue."""
        contact: Contact = event.value
        rule = contact.queue.spec.max_wait
        assert rule is not None
        if not contact.waiting or (rule.to is not None and self.closed):
            return  # after the horizon nobody is moved on: queues that send to each other end
        self.router.withdraw(contact)
        if rule.to is None:
            self.recorder.voicemail(contact, self.env.now)
            self._leaves(contact)
            return
        self.recorder.transferred(contact, self.env.now)
        follow_up = self._continue_in(contact, self.queue_named[rule.to])
        follow_up.patience_s = max(0.0, contact.patience_s - rule.after)
        self.seek_agent(follow_up)

    def _continue_in(self, contact: Contact, queue: Queue) -> Contact:
        """The same call goes on in ``queue`` as a new contact (it keeps its line)."""
        follow_up = self.new_contact(queue, contact.customer_id)
        follow_up.linked_id = contact.contact_id
        follow_up.attempt = contact.attempt
        follow_up.holds_line = contact.holds_line
        return follow_up

    def _waits_for_last_agent(self, contact: Contact) -> bool:
        """A repeat contact asks for the agent it had last (``routing.repeat_contacts``).

        Returns True if it was answered by that agent or waits for it.
        """
        routing = contact.queue.routing
        last = contact.previous_agent
        assert last is not None
        if routing.repeat_contacts == "any_agent":
            return False
        if last.on_duty and contact.queue in last.pool.levels and last in last.pool.idle:
            last.pool.idle.remove(last)
            self.answer(contact, last)
            return True
        if routing.repeat_contacts == "prefer_last_agent" and routing.affinity_wait == 0:
            return False
        contact.waiting = True
        contact.waits_for = last
        last.personal.append(contact)
        self._start_timers(contact)
        if routing.repeat_contacts == "prefer_last_agent":
            self.env.timeout(routing.affinity_wait, contact).callbacks.append(self._affinity_ends)
        return True

    def _affinity_ends(self, event: simpy.Event) -> None:
        """A repeat contact stops waiting for its last agent only: anyone may take it."""
        contact: Contact = event.value
        if not contact.waiting or contact.waits_for is None:
            return
        contact.waits_for = None
        self.router.enqueue(contact)
        spec = contact.queue.spec
        if spec.overflow is not None and self.env.now - contact.arrival_s >= spec.overflow.after:
            self.router.overflow(contact)
        agent = self.router.idle_agent_for(contact)
        if agent is None and contact.overflowed:
            agent = self.router.idle_overflow_agent_for(contact)
        if agent is not None:
            self.router.withdraw(contact)
            self.answer(contact, agent)

    def _balks(self, contact: Contact) -> bool:
        """Whether ``contact``, finding nobody free, leaves at once (``balking``)."""
        queue = contact.queue
        rule = queue.spec.balking
        if rule is None:
            return False
        if rule.probability is not None:
            return queue.draw["balk"]() < rule.probability
        if rule.max_queue is not None:
            return queue.line.waiting >= rule.max_queue
        return self.expected_wait(queue) > rule.max_expected_wait  # type: ignore[operator]

    def expected_wait(self, queue: Queue) -> float:
        """The wait announced to a caller who would join ``queue`` now (seconds).

        ``(contacts waiting + 1) * (mean handle time + mean wrap-up) / agents``,
        where agents are those on duty in the groups that serve the queue, by
        skill or by overflow (infinite when there are none).
        """
        agents = sum(group.on_duty for group in queue.groups)
        if agents == 0:
            return math.inf
        return (queue.line.waiting + 1) * queue.work_s / agents

    def answer(self, contact: Contact, agent: Agent) -> None:
        """``agent`` answers ``contact`` and starts talking."""
        now = self.env.now
        contact.answered_s = now
        contact.agent = agent
        agent.contact = contact
        factor = agent.pool.factors.get(contact.queue, 1.0)
        if contact.previous_agent is not None and contact.previous_agent is not agent:
            factor *= contact.queue.routing.handover_factor
        if factor != 1.0:
            contact.handle_s *= factor
        agent.group.count_busy(+1, now)
        self.env.timeout(contact.handle_s, agent).callbacks.append(self._talk_ends)

    def _talk_ends(self, event: simpy.Event) -> None:
        agent: Agent = event.value
        contact = agent.contact
        assert contact is not None
        agent.contact = None
        now = self.env.now
        if contact.transfers:
            self.recorder.transferred(contact, now)
            target = contact.queue.spec.transfer.to  # type: ignore[union-attr]
            self.seek_agent(self._continue_in(contact, self.queue_named[target]))
        else:
            self.recorder.answered(contact, now)
            self._leaves(contact)
            if contact.repeats:
                self._plan_repeat(contact)
        if contact.wrap_s > 0:
            self.env.timeout(contact.wrap_s, agent).callbacks.append(self._wrap_up_ends)
        else:
            self.agent_free(agent)

    def _plan_repeat(self, contact: Contact) -> None:
        """The issue is unresolved: the customer calls again after a delay (before the horizon)."""
        delay = contact.queue.draw["repeat_delay"]()
        if self.env.now + delay < self.end_s:
            self.env.timeout(delay, contact).callbacks.append(self._calls_again)

    def _calls_again(self, event: simpy.Event) -> None:
        previous: Contact = event.value
        if self.closed:
            return
        contact = self.new_contact(previous.queue, previous.customer_id)
        contact.previous_agent = previous.agent
        contact.linked_id = previous.contact_id
        contact.attempt = previous.attempt + 1
        self.arrive(contact)

    def _wrap_up_ends(self, event: simpy.Event) -> None:
        self.agent_free(event.value)

    def _leaves(self, contact: Contact) -> None:
        """``contact`` has left the centre; its line is free again."""
        self.contacts_in_system -= 1
        if contact.holds_line:
            contact.holds_line = False
            self.free_lines += 1  # type: ignore[operator]
        if self.closed:
            self._check_drained()

    # --- an agent's story -------------------------------------------------------------

    def agent_free(self, agent: Agent) -> None:
        """``agent`` finished a contact's talk and wrap-up: next contact, idle, or home."""
        now = self.env.now
        agent.group.count_busy(-1, now)
        if agent.leaving:
            self.go_off_duty(agent)
            return
        if agent.next_pool is not None:
            agent.pool, agent.next_pool = agent.next_pool, None
        self._take_work_or_idle(agent)

    def _take_work_or_idle(self, agent: Agent) -> None:
        contact = self.router.next_contact_for(agent, self.env.now)
        if contact is not None:
            self.answer(contact, agent)
        elif self.closed:
            self.go_off_duty(agent)
        else:
            self.router.make_idle(agent, self.env.now)

    def come_on_duty(self, agent: Agent) -> None:
        """``agent`` starts working: takes a waiting contact or waits for one."""
        agent.on_duty = True
        agent.leaving = False
        agent.on_duty_since = self.env.now
        agent.pool = agent.group.current_pool(agent)
        agent.next_pool = None
        agent.group.on_duty += 1
        self.agents_on_duty += 1
        self._take_work_or_idle(agent)

    def go_off_duty(self, agent: Agent) -> None:
        """``agent`` leaves (end of the staffed period, or the centre has closed)."""
        agent.on_duty = False
        agent.leaving = False
        agent.group.on_duty -= 1
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
        while excess and (agent := group.most_recently_idle()) is not None:
            agent.pool.idle.pop()
            self.go_off_duty(agent)
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

    def rotation(self, group: AgentGroup, times: Iterator[float]) -> simpy.events.ProcessGenerator:
        """The group's agents change skill sets at each block boundary (``rotation``)."""
        env = self.env
        for block, time in enumerate(times, start=1):
            yield env.timeout(time - env.now)
            group.block = block
            self.rotate(group)

    def rotate(self, group: AgentGroup) -> None:
        """Every agent of ``group`` moves to its next skill set; busy ones after their contact."""
        now = self.env.now
        moved = []
        for agent in group.agents:
            pool = group.current_pool(agent)
            if pool is agent.pool:
                agent.next_pool = None  # back to its set before it finished: no switch
                continue
            if not agent.on_duty:
                agent.pool = pool
            elif agent.contact is None and agent in agent.pool.idle:
                self.router.move(agent, pool)
                moved.append(agent)
            else:
                agent.next_pool = pool
        for agent in sorted(moved, key=lambda agent: agent.idle_since):
            if agent in agent.pool.idle:
                contact = self.router.next_contact_for(agent, now)
                if contact is not None:
                    agent.pool.idle.remove(agent)
                    self.answer(contact, agent)

    # --- closing ----------------------------------------------------------------------

    def close(self) -> None:
        """The horizon is over: no more arrivals or staffing changes.

        ``drain``: waiting contacts are still served by the agents on duty,
        who go home when there is no more work for them. ``clear``: waiting
        contacts are disconnected; agents finish their current contact.
        ``stop``: nothing more happens (the run stops here).
        """
        self.closed = True
        if self.closing == "clear":
            for contact in self.router.waiting_contacts(self.agents):
                self.router.withdraw(contact)
                self.recorder.disconnected(contact, self.env.now)
                self._leaves(contact)
        for group in self.groups:
            for pool in group.pools:
                while pool.idle:
                    self.go_off_duty(pool.idle.pop())
        self._check_drained()

    def _check_drained(self) -> None:
        if self.contacts_in_system == 0 and self.agents_on_duty == 0 and not self.drained.triggered:
            self.drained.succeed()

    def finish(self, end_s: float) -> None:
        """Record what is left at the end of the run as in system; close on-duty periods."""
        for contact in self.router.waiting_contacts(self.agents):
            self.recorder.in_system(contact, end_s)
        for group in self.groups:
            for agent in group.agents:
                if agent.contact is not None:
                    self.recorder.in_system(agent.contact, end_s)
                if agent.on_duty:
                    self.recorder.on_duty(agent, agent.on_duty_since, end_s)
            group.count_busy(0, end_s)
