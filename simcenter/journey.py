"""A contact's journey: it arrives, waits, gives up or is served, and ends.

A contact arrives. With no free line it is blocked. At a queue with an IVR
it goes through the menu first, where it may be resolved or hang up
(:mod:`simcenter.ivr`). Otherwise, if an eligible
agent is free it is answered at once; if not, it may balk, or it waits —
in its queue, or for its last agent if it is a repeat contact that prefers
that agent — until an agent takes it, its patience runs out (it abandons),
or its maximum wait is reached (voicemail, or rerouted to another queue).
After a wait of ``overflow.after`` the overflow groups may take it too. An
answered contact talks for its handle time; it is then transferred to
another queue, or leaves (and may call again later, its issue unresolved;
or, had it given up, try again: :mod:`simcenter.follow_ups`).

Every ending goes through one step, :meth:`ContactJourney.end`: the contact's
state becomes ``ENDED``, its outcome is recorded, what it held is freed, and
the queue's follow-up rules (a repeat call, a retrial) say what happens next.
Arrivals are a chain of timers (:class:`Arrivals`); the rest of the story is
driven by timers whose step is the next step of the story
(:class:`~simcenter.timer.Timer`), so there is no process per contact.

:class:`ContactJourney` is one side of :class:`~simcenter.centre.Centre`; the
agent's side is :mod:`simcenter.workday`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, cast

import simpy

from simcenter.agents import Agent
from simcenter.contact import Contact
from simcenter.customers import carried_on
from simcenter.draws import Draws
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

if TYPE_CHECKING:
    from simcenter.centre import Centre

Transition = tuple[float, Contact, ContactState, ContactState]
"""One traced change of a contact's state: ``(time_s, contact, from, to)``."""

TRANSFERRED = "transferred"
"""The outcome of a contact that goes on as a new contact in another queue (on its line)."""


class ContactJourney:
    """The contact's side of the centre: every step of a contact's story.

    The centre (:class:`~simcenter.centre.Centre`) holds the state these
    steps share; the agent's side (:class:`~simcenter.workday.AgentWorkday`)
    gives ``agent_free`` and ``_agent_to``.
    """

    env: simpy.Environment
    queue_named: dict[str, Queue]
    router: Router
    recorder: Recorder
    closing: str
    closed: bool
    free_lines: int | None
    end_s: float
    last_change_s: float
    contacts_in_system: int
    _next_id: int
    _records: dict[str, Callable[[Contact, float], None]]
    _trace: list[Transition]
    _agent_to: Callable[[Agent, AgentState, float], None]
    _customer_ended: Callable[[Contact, str, float], None] | None

    if TYPE_CHECKING:

        def agent_free(self, agent: Agent, now: float) -> None: ...
        def follow_up(self, contact: Contact, outcome: str, now: float) -> None: ...
        def enter_ivr(self, contact: Contact) -> None: ...
        def _check_drained(self) -> None: ...
        def _wrap_up_ends(self, timer: Timer) -> None: ...

    def arrivals(self, queue: Queue, times: Iterator[float]) -> None:
        """Contacts of ``queue`` arrive at the given times (seconds, increasing, >= now).

        Each arrival sets the timer of the next (:class:`Arrivals`).
        """
        Arrivals(cast("Centre", self), queue, times).start()  # a journey is a centre's side

    def new_contact(
        self, queue: Queue, draws: Draws, now: float, customer_id: int | None = None
    ) -> Contact:
        """A new contact at ``queue`` at ``now``, with its own draws from ``draws``."""
        contact = Contact(self._next_id, queue, now, draws, customer_id)
        self._next_id += 1
        return contact

    def arrive(self, contact: Contact, now: float) -> None:
        """A contact calls: it is blocked if no line is free, else it goes through its
        queue's IVR (:mod:`simcenter.ivr`) if it has one, or asks for an agent."""
        self.contacts_in_system += 1
        if self.free_lines is not None:
            if self.free_lines == 0:
                self.end(contact, "blocked", now)
                return
            self.free_lines -= 1
            contact.holds_line = True
        if contact.queue.ivr is not None:
            self.enter_ivr(contact)
            return
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
            self.end(contact, "balked", now)
        else:
            self.wait(contact, now)

    def wait(self, contact: Contact, now: float) -> None:
        """``contact`` starts waiting in its queue (after a ``clear`` closing: disconnected)."""
        if self.closed and self.closing == "clear":
            self.end(contact, "disconnected", now)
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
            self.end(contact, "abandoned", now)

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
        if rule.to is None:
            self.end(contact, "voicemail", now)
            return
        self.end(contact, TRANSFERRED, now)
        leg = self._continue_in(contact, self.queue_named[rule.to], "reroute", now)
        leg.patience_s = max(0.0, contact.patience_s - rule.after)
        self.seek_agent(leg, now)

    def _continue_in(self, contact: Contact, queue: Queue, origin: str, now: float) -> Contact:
        """The same call goes on in ``queue`` as a new contact of ``origin`` (it keeps its line)."""
        leg = self.new_contact(queue, queue.later_draws(origin), now, contact.customer_id)
        leg.linked_id = contact.contact_id
        leg.attempt = contact.attempt
        leg.holds_line = contact.holds_line
        if self._customer_ended is not None:
            leg.customer = carried_on(contact, TRANSFERRED, now)
        return leg

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
        agent.contacts.append(contact)
        self._agent_to(agent, BUSY, now)
        factor = agent.pool.factors.get(contact.queue, 1.0)
        previous = contact.previous_agent
        if previous is not None and previous is not agent:
            contact.handover_factor = contact.queue.routing.handover_factor
            factor *= contact.handover_factor
        handle = contact.base_handle_s * factor if factor != 1.0 else contact.base_handle_s
        contact.handle_s = handle
        Timer(self.env, handle, self._talk_ends, contact)

    def _talk_ends(self, timer: Timer) -> None:
        """The talk ends: the contact is transferred or leaves; its agent wraps up.

        The timer's subject is the contact; its agent is ``contact.agent``
        (the pair, whatever the number of contacts the agent holds).
        """
        contact: Contact = timer._value
        agent: Agent = contact.agent  # type: ignore[assignment]
        agent.contacts.remove(contact)
        now = self.env._now  # PERF: as in Arrivals
        if contact.transfers:
            self.end(contact, TRANSFERRED, now)
            target = self.queue_named[contact.queue.spec.transfer.to]  # type: ignore[union-attr]
            self.seek_agent(self._continue_in(contact, target, "transfer", now), now)
        else:
            self.end(contact, "answered", now)
        if contact.wrap_s > 0:
            self._agent_to(agent, WRAP_UP, now)
            Timer(self.env, contact.wrap_s, self._wrap_up_ends, contact)
        else:
            self.agent_free(agent, now)

    def end(self, contact: Contact, outcome: str, now: float) -> None:
        """``contact``'s story ends at ``now`` with ``outcome`` (a name of ``OUTCOMES``).

        The outcome is recorded; a contact that leaves frees its line, and
        the queue's follow-up rules (:mod:`simcenter.follow_ups`: a repeat
        call, a retrial) say whether its customer calls again. A transferred
        contact keeps its line: the caller goes on with it as a new contact
        (:meth:`_continue_in`).
        """
        self._to(contact, ENDED)
        self._records[outcome](contact, now)
        if outcome is not TRANSFERRED:
            self._leaves(contact, now)
            # PERF: no call when no rule could follow (benchmarks/README.md, "Engine foundations").
            if contact.repeats or contact.retries or self._customer_ended is not None:
                self.follow_up(contact, outcome, now)

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
        now = env._now  # PERF: SimPy's ``now`` property is a call (the timer module's contract)
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
