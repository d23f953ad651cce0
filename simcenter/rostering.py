"""Shifts and breaks as a presence source: who is rostered when, and who is on a break.

A group's shifts (:mod:`simcenter.rota`: every occurrence in seconds) keep
each shift agent away (kind ``NOT_ROSTERED``, off duty) outside its
occurrences: at an occurrence's start its agents come on duty (those absent
for it stay away, :mod:`simcenter.absence`), at its end they leave. A busy
agent finishes its contact first; the time past the end is overtime
(:mod:`simcenter.agent_levels`). No contact is ever interrupted.

Breaks (kind ``ON_BREAK``): when a break is due, every working agent of the
occurrence goes on it for its duration. An agent busy then keeps its
contact (and wrap-up) and starts the break when it is free: the delay is
recorded (``Recorder.break_delayed``) and the break keeps its full length.
The shift's end cuts a break short; a break still waiting for a contact at
the shift's end is not taken (its delay counts up to the end).

Each shift walks its occurrences in one SimPy process; a delayed break ends
on a timer of its own. Nothing here touches the centre: the source uses only
the narrow :class:`~simcenter.presence.Presence` interface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import simpy

from simcenter.agent_levels import Level
from simcenter.presence import Absence, Presence, Reason
from simcenter.states import IDLE

if TYPE_CHECKING:
    from simcenter.absence import AbsenceDraws
    from simcenter.agents import Agent, AgentGroup
    from simcenter.rota import BreakTime, ShiftTime


class WorkforceRecord(Protocol):
    """What the workforce sources tell the recorder (:class:`~simcenter.recorder.Recorder`)."""

    def agent_period(self, agent: Agent, level: Level, start_s: float, end_s: float) -> None:
        """``agent`` spent ``[start_s, end_s]`` (seconds) in ``level`` (here: absent)."""

    def break_delayed(self, agent: Agent, delay_s: float) -> None:
        """``agent`` took a break ``delay_s`` seconds late (or not at all: up to the shift end)."""


class _Break:
    """One break of a shift (the same on every occurrence): its reason and the agents it waits for.

    Attributes:
        reason: The break's reason (kind ``ON_BREAK``); told when an agent leaves.
        pending: Agents busy when the break was due -> (due time, duration, shift end;
            seconds); they start it when they leave.
    """

    __slots__ = ("env", "pending", "presence", "reason", "record")

    def __init__(self, source: str, env: simpy.Environment, record: WorkforceRecord) -> None:
        self.env = env
        self.record = record
        self.presence: Presence | None = None
        self.pending: dict[Agent, tuple[float, float, float]] = {}
        self.reason = Absence(Reason.ON_BREAK, source, on_leave=self._left)

    def due(self, presence: Presence, agents: list[Agent], item: BreakTime, end_s: float) -> None:
        """The break is due now for ``agents``; the occurrence ends at ``end_s`` (seconds)."""
        now = self.env.now
        until = min(item.start_s + item.duration_s, end_s)
        if until <= now:
            return
        self.presence = presence
        on_time = []
        for agent in agents:
            if agent.on_duty and agent.state is not IDLE:
                self.pending[agent] = (item.start_s, item.duration_s, end_s)
            else:
                on_time.append(agent)
            presence.keep_away(agent, self.reason)
        if on_time and until < end_s:
            self.env.timeout(until - now).callbacks.append(
                lambda _event: self._release(presence, on_time)
            )

    def _left(self, agent: Agent, now: float) -> None:
        """``agent`` left duty: if it owed this break, the break starts now, full length."""
        owed = self.pending.pop(agent, None)
        if owed is None or self.presence is None:
            return
        due_s, duration_s, end_s = owed
        if now > due_s:
            self.record.break_delayed(agent, now - due_s)
        until = min(now + duration_s, end_s)
        if until < end_s:
            presence = self.presence
            self.env.timeout(until - now).callbacks.append(
                lambda _event: self._release(presence, [agent])
            )

    def _release(self, presence: Presence, agents: list[Agent]) -> None:
        for agent in agents:
            presence.release(agent, self.reason)

    def shift_ends(self, presence: Presence, agents: list[Agent], now: float) -> None:
        """The occurrence ends at ``now``: the break ends; one still owed is dropped."""
        for agent in agents:
            owed = self.pending.pop(agent, None)
            if owed is not None and now > owed[0]:
                self.record.break_delayed(agent, now - owed[0])
            if self.reason in agent.away:
                presence.release(agent, self.reason)


class ShiftRoster:
    """The shifts of one group as a presence source, with their breaks and absence.

    Args:
        group: The agent group.
        occurrences: Every occurrence of the group's shifts in the run
            (:func:`~simcenter.rota.shift_times`), in time order.
        record: Where absent periods and delayed breaks go (the recorder).
        absence: Who misses which occurrence, or None without ``absence``.
    """

    def __init__(
        self,
        group: AgentGroup,
        occurrences: list[ShiftTime],
        record: WorkforceRecord,
        absence: AbsenceDraws | None = None,
    ) -> None:
        self.group = group
        self.occurrences = occurrences
        self.record = record
        self.absence = absence
        self.reason = Absence(Reason.NOT_ROSTERED, f"shifts/{group.name}")
        self.agents = group.agents[group.spec.plan_agents :]

    def start(self, env: simpy.Environment, presence: Presence) -> None:
        """Unroster every shift agent; walk each shift's occurrences until the centre closes."""
        for agent in self.agents:
            presence.keep_away(agent, self.reason)
        names = self.group.spec.shift_names
        for index, shift in enumerate(self.group.spec.shifts or []):
            occurrences = [item for item in self.occurrences if item.shift == index]
            source = f"break/{self.group.name}-{names[index]}"
            breaks = [
                _Break(f"{source}#{number + 1}", env, self.record)
                for number in range(len(shift.breaks))
            ]
            env.process(self._shift(env, presence, occurrences, breaks))

    def _shift(
        self,
        env: simpy.Environment,
        presence: Presence,
        occurrences: list[ShiftTime],
        breaks: list[_Break],
    ) -> simpy.events.ProcessGenerator:
        """One shift: its occurrences in time order (they never overlap)."""
        agents = self.group.agents
        for occurrence in occurrences:
            if occurrence.start_s > env.now:
                yield env.timeout(occurrence.start_s - env.now)
            if presence.closed:
                return
            first = occurrence.first_agent
            working = self._working(agents[first : first + occurrence.count], occurrence)
            for agent in working:
                presence.release(agent, self.reason)
            # The occurrence's breaks in time order (never overlapping), each with a
            # reason of its own: a break delayed into the next one's window composes.
            for item, shift_break in zip(occurrence.breaks, breaks, strict=False):
                if item.start_s > env.now:
                    yield env.timeout(item.start_s - env.now)
                if presence.closed:
                    return
                shift_break.due(presence, working, item, occurrence.end_s)
            if occurrence.end_s > env.now:
                yield env.timeout(occurrence.end_s - env.now)
            if presence.closed:
                return
            for agent in working:
                presence.keep_away(agent, self.reason)
            for shift_break in breaks:
                shift_break.shift_ends(presence, working, env.now)

    def _working(self, agents: list[Agent], occurrence: ShiftTime) -> list[Agent]:
        """The occurrence's agents who come (the absent ones' periods are recorded)."""
        if self.absence is None:
            return list(agents)
        working = []
        for agent in agents:
            if self.absence.absent(agent):
                self.record.agent_period(agent, Level.ABSENT, occurrence.start_s, occurrence.end_s)
            else:
                working.append(agent)
        return working
