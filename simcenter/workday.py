"""An agent's workday: it comes on duty, takes work, talks, wraps up, goes idle, goes away.

An agent comes on duty when no presence source keeps it away
(:mod:`simcenter.presence`): it takes a waiting contact or becomes idle. When
its talk and wrap-up end it takes the next contact, becomes idle, or leaves
if a source now keeps it away (or the centre has closed). A source's reason
added to an idle agent takes it off at once; a busy agent finishes first.
Rotating groups move their agents to the next skill set at each block
boundary; a busy agent moves after its contact.

An agent is in one state at a time (``AGENT_TRANSITIONS``), changed only by
``AgentWorkday._agent_to`` (the recorder's ``agent_to``, which tallies each
change). :class:`AgentWorkday` is one side of
:class:`~simcenter.centre.Centre`; the contact's side is :mod:`simcenter.journey`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import simpy

from simcenter.agents import Agent, AgentGroup
from simcenter.presence import Absence, Reason, absent_state
from simcenter.recorder import Recorder
from simcenter.routing import Router
from simcenter.states import IDLE, AgentState
from simcenter.timer import Timer

if TYPE_CHECKING:
    from simcenter.contact import Contact

NOT_ROSTERED = Reason.NOT_ROSTERED

AgentTransition = tuple[float, Agent, AgentState, AgentState]
"""One traced change of an agent's state: ``(time_s, agent, from, to)``."""


class AgentWorkday:
    """The agent's side of the centre: every step of an agent's workday.

    The centre (:class:`~simcenter.centre.Centre`) holds the state these
    steps share; the contact's side (:class:`~simcenter.journey.ContactJourney`)
    gives ``answer``.
    """

    env: simpy.Environment
    router: Router
    recorder: Recorder
    closed: bool
    closing: str
    in_ivr: dict[Contact, None]
    last_change_s: float
    agents_on_duty: int
    _agent_trace: list[AgentTransition]
    _agent_to: Callable[[Agent, AgentState, float], None]
    """The one place an agent's state changes (the map: ``AGENT_TRANSITIONS``):
    ``_agent_to(agent, state, now)`` is the recorder's ``agent_to``, which makes the
    change and tallies it (the agents' levels: :mod:`simcenter.agent_levels`)."""
    _record_agent_to: Callable[[Agent, AgentState, float], None]

    if TYPE_CHECKING:

        def answer(self, contact: Contact, agent: Agent, now: float) -> None: ...
        def _check_drained(self) -> None: ...

    def _wrap_up_ends(self, timer: Timer) -> None:
        """The wrap-up of the timer's contact ends: its agent's slot is free."""
        self.agent_free(timer._value.agent, self.env._now)  # PERF: as in Arrivals

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
        elif self.closed and not self.kept_for_the_ivr():
            self.go_off_duty(agent, now)
        else:
            self._agent_to(agent, IDLE, now)
            self.router.make_idle(agent, now)

    def _take_work_or_idle(self, agent: Agent, now: float) -> None:
        contact = self.router.next_contact_for(agent, now)
        if contact is not None:
            self.answer(contact, agent, now)
        elif self.closed and not self.kept_for_the_ivr():
            self.go_off_duty(agent, now)
        else:
            self._agent_to(agent, IDLE, now)
            self.router.make_idle(agent, now)

    def kept_for_the_ivr(self) -> bool:
        """After a ``drain`` closing: agents stay while contacts are in an IVR."""
        return self.closing == "drain" and bool(self.in_ivr)

    def come_on_duty(self, agent: Agent, now: float) -> None:
        """``agent`` starts working: takes a waiting contact or waits for one."""
        agent.pool = agent.group.current_pool(agent)
        agent.next_pool = None
        agent.group.on_duty += 1
        self.agents_on_duty += 1
        self._take_work_or_idle(agent, now)

    def go_off_duty(self, agent: Agent, now: float) -> None:
        """``agent`` leaves (a presence source keeps it away, or the centre has closed).

        Its overtime, if any, ends; each reason that asked to be told
        (``Absence.on_leave``: a delayed break) learns that it took effect.
        """
        self._agent_to(agent, absent_state(agent.away), now)
        agent.group.on_duty -= 1
        self.agents_on_duty -= 1
        if agent.overtime_since is not None:
            self.recorder.overtime_ends(agent, now)
        for reason in tuple(agent.away):
            if reason.on_leave is not None:
                reason.on_leave(agent, now)
        if self.closed:
            self.last_change_s = now
            self._check_drained()

    def keep_away(self, agent: Agent, reason: Absence) -> None:
        """A presence source keeps ``agent`` away for ``reason`` (:mod:`simcenter.presence`).

        An idle agent leaves at once; a busy one after its contact and
        wrap-up. A busy agent no longer rostered (its shift or the plan
        ended) is in overtime until it leaves (:mod:`simcenter.agent_levels`).
        """
        if (
            reason.kind is NOT_ROSTERED
            and agent.on_duty
            and agent.state is not IDLE
            and agent.overtime_since is None
        ):
            self.recorder.overtime_begins(agent, self.env.now)
        agent.away.add(reason)
        if agent.state is IDLE:
            self.router.take(agent)
            self.go_off_duty(agent, self.env.now)
        elif not agent.on_duty:
            self._absent(agent)

    def release(self, agent: Agent, reason: Absence) -> None:
        """A presence source drops its ``reason``; with no reason left ``agent`` is present.

        A busy agent about to leave stays (rostered again: its overtime
        ends); an absent one comes on duty (not after the centre has closed).
        """
        agent.away.discard(reason)
        if agent.overtime_since is not None and not any(
            other.kind is NOT_ROSTERED for other in agent.away
        ):
            self.recorder.overtime_ends(agent, self.env.now)
        if not agent.on_duty:
            if agent.away or self.closed:
                self._absent(agent)
            else:
                self.come_on_duty(agent, self.env.now)

    def _absent(self, agent: Agent) -> None:
        """An absent agent's reasons changed: off duty or away (:func:`absent_state`)."""
        state = absent_state(agent.away)
        if state is not agent.state:
            self._agent_to(agent, state, self.env.now)

    def _agent_to_traced(self, agent: Agent, state: AgentState, now: float) -> None:
        """``_agent_to``, recording the change in the agent trace."""
        self._agent_trace.append((now, agent, agent.state, state))
        self._record_agent_to(agent, state, now)

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
