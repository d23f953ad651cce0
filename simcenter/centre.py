"""The running contact centre: the story of contacts and agents, step by step.

A contact arrives. With no free line it is blocked. Otherwise, if an eligible
agent is free it is answered at once; if not, it may balk, or it waits —
in its queue, or for its last agent if it is a repeat contact that prefers
that agent — until an agent takes it, its patience runs out (it abandons),
or its maximum wait is reached (voicemail, or rerouted to another queue).
After a wait of ``overflow.after`` the overflow groups may take it too. An
answered contact talks for its handle time; it is then transferred to
another queue, or leaves (and may call again later, its issue unresolved).
Its agent does the wrap-up and takes the next contact, or becomes idle.

A contact is in one state at a time (:mod:`simcenter.states`), changed only
by :meth:`Centre._to`; an agent too, changed only by :meth:`Centre._agent_to`.
Only staffing plans and rotation schedules are SimPy processes. Arrivals are
a chain of timers (each arrival sets the timer of the next) and the rest of a
contact's story is driven by timers whose step is the next step of the story
(:class:`~simcenter.timer.Timer`), so there is no process per contact. A
timer that fires after its contact left the state it was set for (a patience
timer of a contact already answered) does nothing.
Every step reads the simulation time once and passes it on as ``now``.

Ties at the same instant are resolved in SimPy's schedule order (time, then
insertion): for example, an agent who frees up at the instant a waiting
contact's patience ends answers it only if the service-end event was
scheduled first.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator
from itertools import islice

import simpy

from simcenter.agents import Agent, AgentGroup
from simcenter.contact import Contact, ContactDraws
from simcenter.presence import StaffingPlan, absent_state
from simcenter.recorder import Recorder
from simcenter.routing import Queue, Router
from simcenter.states import (
    BUSY,
    ENDED,
    IDLE,
    IN_SERVICE,
    QUEUED,
    WAITING_FOR_LAST_AGENT,
    WRAP_UP,
    AgentState,
    ContactState,
)
from simcenter.timer import Timer

Transition = tuple[float, Contact, ContactState, ContactState]
"""One traced change of a contact's state: ``(time_s, contact, from, to)``."""
AgentTransition = tuple[float, Agent, AgentState, AgentState]
"""One traced change of an agent's state: ``(time_s, agent, from, to)``."""


class Centre:
    """Contacts and agents of one replication on a SimPy environment.

    Args:
        env: The environment.
        queues: The queues at run time.
        groups: The agent groups at run time.
        router: Matches contacts and agents; owns who is available.
        recorder: Where the facts go.
        closing: ``drain``, ``clear`` or ``stop`` (see :meth:`close`).
        lines: Number of lines (trunks), or None for unlimited.
        end_s: End of the horizon (seconds); no contact arrives after it.
        warmup_s: Busy time before this time (seconds) is not counted in ``busy_area_s``.
        trace: If given, every change of a contact's state is appended to it
            as a :data:`Transition` (for tests; off by default, and then free).
        agent_trace: If given, every change of an agent's state is appended
            to it as an :data:`AgentTransition` (for tests, as ``trace``).
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
        warmup_s: float = 0.0,
        trace: list[Transition] | None = None,
        agent_trace: list[AgentTransition] | None = None,
    ) -> None:
        self.env = env
        self.queues = queues
        self.queue_named = {queue.name: queue for queue in queues}
        self.groups = groups
        self.agents = [agent for group in groups for agent in group.agents]
        self.router = router
        self.recorder = recorder
        self.closing = closing
        self.free_lines = lines
        self.end_s = end_s
        self.warmup_s = warmup_s
        self.closed = False
        self.last_change_s = end_s
        self.contacts_in_system = 0
        self.agents_on_duty = 0
        self.drained = env.event()
        self.plans = [StaffingPlan(self, group) for group in groups]
        self._next_id = 0
        if trace is not None:
            self._trace = trace
            self._to = self._to_traced  # type: ignore[method-assign]
        if agent_trace is not None:
            self._agent_trace = agent_trace
            self._agent_to = self._agent_to_traced  # type: ignore[method-assign]

    # --- a contact's story ----------------------------------------------------------

    def arrivals(self, queue: Queue, times: Iterator[float]) -> None:
        """Contacts of ``queue`` arrive at the given times (seconds, increasing, >= now).

        Each arrival sets the timer of the next (:class:`Arrivals`).
        """
        Arrivals(self, queue, times).start()

    def new_contact(
        self, queue: Queue, draws: ContactDraws, now: float, customer_id: int | None = None
    ) -> Contact:
        """A new contact at ``queue`` at ``now``, with its own draws from ``draws``."""
        contact = Contact(self._next_id, queue, now, draws, customer_id)
        self._next_id += 1
        return contact

    def arrive(self, contact: Contact, now: float) -> None:
        """A contact calls: it is blocked if no line is free, else it asks for an agent."""
        if self.free_lines is not None:
            if self.free_lines == 0:
                self._to(contact, ENDED)
                self.recorder.blocked(contact, now)
                return
            self.free_lines -= 1
            contact.holds_line = True
        self.contacts_in_system += 1
        self.seek_agent(contact, now)

    def seek_agent(self, contact: Contact, now: float) -> None:
        """Answered at once, or waits for its last agent, or balks, or waits in its queue."""
        if contact.previous_agent is not None and self._waits_for_last_agent(contact, now):
            return
        agent = self.router.idle_agent_for(contact)
        if agent is not None:
            self.answer(contact, agent, now)
        # PERF: no call for the queues without balking (benchmarks/README.md, "Routing at scale").
        elif contact.queue.balking is not None and self._balks(contact):
            self._to(contact, ENDED)
            self.recorder.balked(contact, now)
            self._leaves(contact, now)
        else:
            self.wait(contact, now)

    def wait(self, contact: Contact, now: float) -> None:
        """``contact`` starts waiting in its queue (after a ``clear`` closing: disconnected)."""
        if self.closed and self.closing == "clear":
            self._to(contact, ENDED)
            self.recorder.disconnected(contact, now)
            self._leaves(contact, now)
            return
        self._to(contact, QUEUED)
        self.router.enqueue(contact)
        self._start_timers(contact)

    def _start_timers(self, contact: Contact) -> None:
        env = self.env
        if contact.patience_s != math.inf:
            Timer(env, contact.patience_s, self._patience_ends, contact)
        queue = contact.queue
        # PERF: the scenario's rules are read only for queues that have some
        # (benchmarks/README.md, "Routing at scale").
        if queue.has_wait_rules:
            spec = queue.spec
            if spec.overflow is not None:
                Timer(env, spec.overflow.after, self._overflow_due, contact)
            if spec.max_wait is not None:
                Timer(env, spec.max_wait.after, self._max_wait_reached, contact)

    def _patience_ends(self, timer: Timer) -> None:
        """The contact's patience runs out: if it still waits, it abandons."""
        contact: Contact = timer._value
        state = contact.state
        # A stale timer (the contact no longer waits: most are answered) does nothing.
        if state is QUEUED or state is WAITING_FOR_LAST_AGENT:
            now = self.env.now
            self.router.withdraw(contact)
            self._to(contact, ENDED)
            self.recorder.abandoned(contact, now)
            self._leaves(contact, now)

    def _overflow_due(self, timer: Timer) -> None:
        """The contact has waited ``overflow.after``: the overflow groups may take it."""
        contact: Contact = timer._value
        if contact.state is QUEUED:
            self.router.overflow(contact)
            agent = self.router.idle_overflow_agent_for(contact)
            if agent is not None:
                self.router.withdraw(contact)
                self.answer(contact, agent, self.env.now)

    def _max_wait_reached(self, timer: Timer) -> None:
        """The contact has waited ``max_wait.after``: voicemail, or on to another queue."""
        contact: Contact = timer._value
        rule = contact.queue.spec.max_wait
        assert rule is not None
        if contact.state is not QUEUED and contact.state is not WAITING_FOR_LAST_AGENT:
            return
        if rule.to is not None and self.closed:
            return  # after the horizon nobody is moved on: queues that send to each other end
        now = self.env.now
        self.router.withdraw(contact)
        self._to(contact, ENDED)
        if rule.to is None:
            self.recorder.voicemail(contact, now)
            self._leaves(contact, now)
            return
        self.recorder.transferred(contact, now)
        follow_up = self._continue_in(contact, self.queue_named[rule.to], "reroute", now)
        follow_up.patience_s = max(0.0, contact.patience_s - rule.after)
        self.seek_agent(follow_up, now)

    def _continue_in(self, contact: Contact, queue: Queue, origin: str, now: float) -> Contact:
        """The same call goes on in ``queue`` as a new contact of ``origin`` (it keeps its line)."""
        follow_up = self.new_contact(queue, queue.later_draws(origin), now, contact.customer_id)
        follow_up.linked_id = contact.contact_id
        follow_up.attempt = contact.attempt
        follow_up.holds_line = contact.holds_line
        return follow_up

    def _waits_for_last_agent(self, contact: Contact, now: float) -> bool:
        """A repeat contact asks for the agent it had last (``routing.repeat_contacts``).

        Returns True if it was answered by that agent or waits for it.
        """
        routing = contact.queue.routing
        last = contact.previous_agent
        assert last is not None
        if routing.repeat_contacts == "any_agent":
            return False
        if last.state is IDLE and contact.queue in last.pool.levels:
            self.router.take(last)
            self.answer(contact, last, now)
            return True
        if routing.repeat_contacts == "prefer_last_agent" and routing.affinity_wait == 0:
            return False
        self._to(contact, WAITING_FOR_LAST_AGENT)
        self.router.wait_for(contact, last)
        self._start_timers(contact)
        if routing.repeat_contacts == "prefer_last_agent":
            Timer(self.env, routing.affinity_wait, self._affinity_ends, contact)
        return True

    def _affinity_ends(self, timer: Timer) -> None:
        """A repeat contact stops waiting for its last agent only: anyone may take it."""
        contact: Contact = timer._value
        if contact.state is not WAITING_FOR_LAST_AGENT:
            return
        now = self.env.now
        self.router.withdraw(contact)  # from its last agent's personal line
        self._to(contact, QUEUED)
        self.router.enqueue(contact)
        spec = contact.queue.spec
        if spec.overflow is not None and now - contact.arrival_s >= spec.overflow.after:
            self.router.overflow(contact)
        agent = self.router.idle_agent_for(contact)
        if agent is None and contact.overflowed:
            agent = self.router.idle_overflow_agent_for(contact)
        if agent is not None:
            self.router.withdraw(contact)
            self.answer(contact, agent, now)

    def _balks(self, contact: Contact) -> bool:
        """Whether ``contact``, finding nobody free, leaves at once (``balking``)."""
        queue = contact.queue
        rule = queue.balking
        if rule is None:
            return False
        if rule.probability is not None:
            return contact.balks
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

    def answer(self, contact: Contact, agent: Agent, now: float) -> None:
        """``agent`` answers ``contact`` and starts talking.

        The talk time is the contact's base handle time times the agent's
        handle-time factor for the queue, times ``routing.handover_factor``
        if it is a repeat contact and ``agent`` is not its last agent.
        """
        self._to(contact, IN_SERVICE)
        contact.answered_s = now
        contact.agent = agent
        agent.contact = contact
        self._agent_to(agent, BUSY)
        factor = agent.pool.factors.get(contact.queue, 1.0)
        previous = contact.previous_agent
        if previous is not None and previous is not agent:
            contact.handover_factor = contact.queue.routing.handover_factor
            factor *= contact.handover_factor
        handle = contact.base_handle_s * factor if factor != 1.0 else contact.base_handle_s
        contact.handle_s = handle
        busy_until = agent.busy_until = now + handle + contact.wrap_s
        warmup = self.warmup_s
        if now >= warmup:
            agent.group.busy_area_s += busy_until - now
        elif busy_until > warmup:
            agent.group.busy_area_s += busy_until - warmup
        Timer(self.env, handle, self._talk_ends, agent)

    def _talk_ends(self, timer: Timer) -> None:
        """The talk ends: the contact is transferred or leaves; its agent wraps up."""
        agent: Agent = timer._value
        contact = agent.contact
        assert contact is not None
        agent.contact = None
        now = self.env.now
        self._to(contact, ENDED)
        if contact.transfers:
            self.recorder.transferred(contact, now)
            target = self.queue_named[contact.queue.spec.transfer.to]  # type: ignore[union-attr]
            self.seek_agent(self._continue_in(contact, target, "transfer", now), now)
        else:
            self.recorder.answered(contact, now)
            self._leaves(contact, now)
            if contact.repeats:
                self._plan_repeat(contact, now)
        if contact.wrap_s > 0:
            self._agent_to(agent, WRAP_UP)
            Timer(self.env, contact.wrap_s, self._wrap_up_ends, agent)
        else:
            self.agent_free(agent, now)

    def _plan_repeat(self, contact: Contact, now: float) -> None:
        """The issue is unresolved: the customer calls again after a delay (before the horizon)."""
        if now + contact.repeat_delay_s < self.end_s:
            Timer(self.env, contact.repeat_delay_s, self._calls_again, contact)

    def _calls_again(self, timer: Timer) -> None:
        """The customer of an unresolved contact calls again, as a repeat contact."""
        previous: Contact = timer._value
        if self.closed:
            return
        now = self.env.now
        queue = previous.queue
        contact = self.new_contact(queue, queue.later_draws("repeat"), now, previous.customer_id)
        contact.previous_agent = previous.agent
        contact.linked_id = previous.contact_id
        contact.attempt = previous.attempt + 1
        self.arrive(contact, now)

    def _wrap_up_ends(self, timer: Timer) -> None:
        self.agent_free(timer._value, self.env.now)

    def _leaves(self, contact: Contact, now: float) -> None:
        """``contact`` has left the centre; its line is free again."""
        self.contacts_in_system -= 1
        if contact.holds_line:
            contact.holds_line = False
            self.free_lines += 1  # type: ignore[operator]
        if self.closed:
            self.last_change_s = now
            self._check_drained()

    def _to(self, contact: Contact, state: ContactState) -> None:
        """The one place a contact's state changes (the map: ``CONTACT_TRANSITIONS``)."""
        contact.state = state

    def _to_traced(self, contact: Contact, state: ContactState) -> None:
        """:meth:`_to`, recording the change in the trace."""
        self._trace.append((self.env.now, contact, contact.state, state))
        contact.state = state

    # --- an agent's story -------------------------------------------------------------

    def agent_free(self, agent: Agent, now: float) -> None:
        """``agent`` finished a contact's talk and wrap-up: next contact, idle, or away."""
        if agent.away:
            self.go_off_duty(agent, now)
            return
        if agent.next_pool is not None:
            agent.pool, agent.next_pool = agent.next_pool, None
        # PERF: _take_work_or_idle inlined, the step after every contact
        # (benchmarks/README.md, "Engine foundations").
        contact = self.router.next_contact_for(agent, now)
        if contact is not None:
            self.answer(contact, agent, now)
        elif self.closed:
            self.go_off_duty(agent, now)
        else:
            self._agent_to(agent, IDLE)
            self.router.make_idle(agent, now)

    def _take_work_or_idle(self, agent: Agent, now: float) -> None:
        contact = self.router.next_contact_for(agent, now)
        if contact is not None:
            self.answer(contact, agent, now)
        elif self.closed:
            self.go_off_duty(agent, now)
        else:
            self._agent_to(agent, IDLE)
            self.router.make_idle(agent, now)

    def come_on_duty(self, agent: Agent, now: float) -> None:
        """``agent`` starts working: takes a waiting contact or waits for one."""
        agent.on_duty_since = now
        agent.pool = agent.group.current_pool(agent)
        agent.next_pool = None
        agent.group.on_duty += 1
        self.agents_on_duty += 1
        self._take_work_or_idle(agent, now)

    def go_off_duty(self, agent: Agent, now: float) -> None:
        """``agent`` leaves (a presence source keeps it away, or the centre has closed)."""
        self._agent_to(agent, absent_state(agent.away))
        agent.group.on_duty -= 1
        self.agents_on_duty -= 1
        self.recorder.on_duty(agent, agent.on_duty_since, now)
        if self.closed:
            self.last_change_s = now
            self._check_drained()

    def keep_away(self, agent: Agent, reason: Hashable) -> None:
        """A presence source keeps ``agent`` away for ``reason`` (:mod:`simcenter.presence`).

        An idle agent leaves at once; a busy one after its contact and wrap-up.
        """
        agent.away.add(reason)
        if agent.state is IDLE:
            self.router.take(agent)
            self.go_off_duty(agent, self.env.now)
        elif not agent.on_duty:
            self._absent(agent)

    def release(self, agent: Agent, reason: Hashable) -> None:
        """A presence source drops its ``reason``; with no reason left ``agent`` is present.

        A busy agent about to leave stays; an absent one comes on duty (not
        after the centre has closed).
        """
        agent.away.discard(reason)
        if not agent.on_duty:
            if agent.away or self.closed:
                self._absent(agent)
            else:
                self.come_on_duty(agent, self.env.now)

    def _absent(self, agent: Agent) -> None:
        """An absent agent's reasons changed: off duty or away (:func:`absent_state`)."""
        state = absent_state(agent.away)
        if state is not agent.state:
            self._agent_to(agent, state)

    def _agent_to(self, agent: Agent, state: AgentState) -> None:
        """The one place an agent's state changes (the map: ``AGENT_TRANSITIONS``)."""
        agent.state = state

    def _agent_to_traced(self, agent: Agent, state: AgentState) -> None:
        """:meth:`_agent_to`, recording the change in the agent trace."""
        self._agent_trace.append((self.env.now, agent, agent.state, state))
        agent.state = state

    def staffing(
        self, group: AgentGroup, changes: Iterator[tuple[float, int]]
    ) -> simpy.events.ProcessGenerator:
        """The group's staffing plan rosters its counts until the centre closes."""
        env = self.env
        plan = self.plans[group.index]
        for time, count in changes:
            if time > env.now:
                yield env.timeout(time - env.now)
            if self.closed:
                return
            plan.staff(count)

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
            elif agent.state is IDLE:
                self.router.move(agent, pool)
                moved.append(agent)
            else:
                agent.next_pool = pool
        for agent in sorted(moved, key=lambda agent: agent.idle_since):
            if agent.state is IDLE:
                contact = self.router.next_contact_for(agent, now)
                if contact is not None:
                    self.router.take(agent)
                    self.answer(contact, agent, now)

    # --- closing ----------------------------------------------------------------------

    def close(self) -> None:
        """The horizon is over: no more arrivals or staffing changes.

        ``drain``: waiting contacts are still served by the agents on duty,
        who go home when there is no more work for them. ``clear``: waiting
        contacts are disconnected; agents finish their current contact.
        ``stop``: nothing more happens (the run stops here).
        """
        self.closed = True
        now = self.env.now
        if self.closing == "clear":
            for contact in self.router.waiting_contacts(self.agents):
                self.router.withdraw(contact)
                self._to(contact, ENDED)
                self.recorder.disconnected(contact, now)
                self._leaves(contact, now)
        for group in self.groups:
            for pool in group.pools:
                while pool.idle:
                    agent = pool.idle[-1]
                    self.router.take(agent)
                    self.go_off_duty(agent, now)
        self._check_drained()

    def _check_drained(self) -> None:
        if self.contacts_in_system == 0 and self.agents_on_duty == 0 and not self.drained.triggered:
            self.drained.succeed()

    def finish(self, end_s: float) -> None:
        """Record what is left at the end of the run as in system; close on-duty periods.

        Busy time after ``end_s`` (talks and wrap-ups cut by the end of the
        run) is taken out of the groups' ``busy_area_s``.
        """
        for contact in self.router.waiting_contacts(self.agents):
            self.recorder.in_system(contact, end_s)
        cut_from = max(end_s, self.warmup_s)
        for group in self.groups:
            for agent in group.agents:
                if agent.contact is not None:
                    self.recorder.in_system(agent.contact, end_s)
                if agent.on_duty:
                    self.recorder.on_duty(agent, agent.on_duty_since, end_s)
                if (agent.state is BUSY or agent.state is WRAP_UP) and agent.busy_until > cut_from:
                    group.busy_area_s -= agent.busy_until - cut_from

    def dismantle(self) -> None:
        """Break the run's reference cycles, so that its memory is freed at once.

        The environment's pending timers refer to the centre's steps, and
        agents, groups, pools, queues and lines refer to each other; once the
        run's record is built, all of it is cut loose here, so nothing waits
        for the next full garbage collection. The environment cannot be used
        afterwards.
        """
        # The pending timers refer to steps of the centre, and SimPy binds
        # `env.timeout` & co. to the environment itself: the spent environment
        # keeps nothing.
        vars(self.env).clear()
        for agent in self.agents:
            agent.contact = None
            agent.personal.clear()
        for group in self.groups:
            for pool in group.pools:
                pool.idle.clear()
                pool.lines, pool.lines_by_level = [], []
            group.pools, group.agents = [], []
        for queue in self.queues:
            for line in (queue.line, queue.overflow_line):
                if line is not None:
                    line.contacts.clear()
                    line.pools = []
            queue.pools_by_level, queue.overflow_pools, queue.groups = [], [], []
            queue.only_pool = None
            queue.line = queue.overflow_line = None  # type: ignore[assignment]
        self.agents, self.groups, self.queues, self.queue_named = [], [], [], {}
        self.plans = []


class Arrivals:
    """The arrivals of one queue as a chain of timers: each arrival sets the timer of the next.

    First-time contacts are created at their arrival, in arrival order, from
    the queue's first-time draws (so their draws depend only on their place
    in the queue's arrival sequence). The arrival times are taken from
    ``times`` in blocks (64, 128, ... up to 1024 at a time), which does not
    change them.

    Args:
        centre: The running centre.
        queue: The queue.
        times: Arrival times (seconds, increasing, >= now).
    """

    __slots__ = ("_block", "_times", "_upcoming", "centre", "draws", "queue")

    def __init__(self, centre: Centre, queue: Queue, times: Iterator[float]) -> None:
        self.centre = centre
        self.queue = queue
        self.draws = queue.draws
        self._times = iter(times)
        self._upcoming: list[float] = []
        # PERF: few refills per quiet queue (benchmarks/README.md, "Routing at scale").
        self._block = 64

    def start(self) -> None:
        """Set the timer of the first arrival (none if there are no times)."""
        self._set_next(self.centre.env.now)

    def __call__(self, timer: Timer) -> None:
        """A contact arrives now; the timer of the next arrival is set."""
        centre = self.centre
        env = centre.env
        now = env.now
        # PERF: centre.new_contact inlined, once per arrival
        # (benchmarks/README.md, "Engine foundations").
        contact = Contact(centre._next_id, self.queue, now, self.draws)
        centre._next_id += 1
        centre.arrive(contact, now)
        # PERF: the next time from a block drawn ahead (benchmarks/README.md, "Arrivals").
        if self._upcoming:
            Timer(env, self._upcoming.pop() - now, self, None)
        else:
            self._set_next(now)

    def _set_next(self, now: float) -> None:
        """Draw the next block of arrival times and set the timer of the first of them."""
        block = list(islice(self._times, self._block))
        if not block:
            return
        self._block = min(2 * self._block, 1024)
        block.reverse()
        self._upcoming = block
        Timer(self.centre.env, block.pop() - now, self, None)
