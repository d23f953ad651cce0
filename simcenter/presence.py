"""Presence as composition: an agent is present when no presence source keeps it away.

A presence source (the staffing plan or a constant ``count``; shifts with
their breaks and absence, :mod:`simcenter.rostering`; outages,
:mod:`simcenter.absence`; next training sessions) is anything with a
``start(env, presence)`` method (:class:`PresenceSource`). It adds or removes
*its own* reason for an agent to be away through the narrow
:class:`Presence` interface (``keep_away``, ``release``); no source sets or
clears another's, and no source touches the centre itself. The agent is
present exactly when no reason is left:

- a reason added to an idle agent takes it off at once; a busy agent (talking
  or in wrap-up) finishes its contact first and leaves when it is free;
- removing an agent's last reason brings it on duty (a busy agent about to
  leave simply stays).

Each reason is of one :class:`Reason` kind, which says which state an
absent agent is in. With several reasons, the first kind in
:data:`PRECEDENCE` decides: off duty (not rostered) > away > on break. The
engine builds each group's sources (:func:`simcenter.workforce.group_sources`,
with :func:`presence_sources` for the plan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Protocol

import simpy

from simcenter.states import AWAY, IDLE, OFF_DUTY, AgentState

if TYPE_CHECKING:
    from simcenter.agents import Agent, AgentGroup


class Reason(Enum):
    """The kind of a reason to be away, and so the state of an agent it keeps away."""

    NOT_ROSTERED = "not_rostered"
    """Not rostered now (staffing plan, ``count``, outside a shift, absent): off duty."""
    AWAY = "away"
    """Rostered but away (an outage, a meeting, training, absence): away."""
    ON_BREAK = "on_break"
    """On a shift's break: on break."""


ABSENT_STATES: dict[Reason, AgentState] = {
    Reason.NOT_ROSTERED: OFF_DUTY,
    Reason.AWAY: AWAY,
    Reason.ON_BREAK: AgentState.ON_BREAK,
}
"""The state of an agent kept away by a reason of each kind."""

PRECEDENCE: tuple[Reason, ...] = (Reason.NOT_ROSTERED, Reason.AWAY, Reason.ON_BREAK)
"""With several reasons, the first kind here gives the agent's state."""


class Absence:
    """One source's reason to keep agents away; each source has its own (compared by identity).

    Args:
        kind: What kind of reason it is.
        source: Who gives it, for messages (``"plan/tier1"``, ``"meeting"``).
        on_leave: Called as ``on_leave(agent, now)`` whenever an agent that
            holds this reason leaves duty (a busy agent when its contact and
            wrap-up end; an idle one at once), so that a source learns when
            its reason took effect (a break delayed by a contact); None: not told.
    """

    __slots__ = ("kind", "on_leave", "source")

    def __init__(
        self,
        kind: Reason,
        source: str,
        on_leave: Callable[[Agent, float], None] | None = None,
    ) -> None:
        self.kind = kind
        self.source = source
        self.on_leave = on_leave

    def __repr__(self) -> str:
        """The source and the kind."""
        return f"Absence({self.source}, {self.kind.value})"


def absent_state(reasons: set[Absence]) -> AgentState:
    """The state of an agent away for ``reasons`` (by :data:`PRECEDENCE`; none: off duty)."""
    kinds = {reason.kind for reason in reasons}
    for kind in PRECEDENCE:
        if kind in kinds:
            return ABSENT_STATES[kind]
    return OFF_DUTY


class Presence(Protocol):
    """What a presence source may use of the running centre: keep away and release.

    Attributes:
        agents: Every agent of the run, by agent index.
        closed: The centre has closed (after the horizon sources change nothing).
    """

    agents: list[Agent]
    closed: bool

    def keep_away(self, agent: Agent, reason: Absence) -> None:
        """``agent`` is away for ``reason`` (an idle one leaves at once, a busy one when free)."""

    def release(self, agent: Agent, reason: Absence) -> None:
        """``reason`` no longer keeps ``agent`` away (with none left, it is present)."""


class PresenceSource(Protocol):
    """A source of reasons for agents to be away."""

    def start(self, env: simpy.Environment, presence: Presence) -> None:
        """Give the agents their reasons at time 0 and start whatever changes them later."""


class StaffingPlan:
    """The group's staffing plan (or constant ``count``) as a presence source.

    The plan rosters ``count`` agents at each change: every other agent of
    the plan has the plan's reason (kind ``NOT_ROSTERED``). Agents start
    unrostered. The plan's agents are the group's first
    ``spec.plan_agents``; a group's shift agents follow them and belong to
    their shifts (:mod:`simcenter.rostering`).

    Args:
        group: The agent group.
        changes: Times (seconds, increasing, from 0) and the counts rostered
            from them (:func:`~simcenter.agents.staffing_changes`).
    """

    def __init__(self, group: AgentGroup, changes: Iterator[tuple[float, int]]) -> None:
        self.group = group
        self.changes = changes
        self.reason = Absence(Reason.NOT_ROSTERED, f"plan/{group.name}")
        self.agents = group.agents[: group.spec.plan_agents]
        self._whole_group = len(self.agents) == len(group.agents)

    def start(self, env: simpy.Environment, presence: Presence) -> None:
        """Unroster every agent, then roster the plan's counts until the centre closes."""
        for agent in self.agents:
            presence.keep_away(agent, self.reason)
        env.process(self._roster(env, presence))

    def _roster(self, env: simpy.Environment, presence: Presence) -> simpy.events.ProcessGenerator:
        for time, count in self.changes:
            if time > env.now:
                yield env.timeout(time - env.now)
            if presence.closed:
                return
            self.staff(count, presence)

    def staff(self, target: int, presence: Presence) -> None:
        """Roster ``target`` agents of the group.

        More: agents still present but about to leave stay first, then
        unrostered agents are rostered, in agent order. Fewer: idle agents
        leave first (the most recently idle first), then rostered agents who
        are away for another reason, then busy agents (the last in agent
        order first), who leave after their current contact and wrap-up.
        """
        plan = self.reason
        agents = self.agents
        rostered = [agent for agent in agents if plan not in agent.away]
        short = target - len(rostered)
        if short >= 0:
            unrostered = [agent for agent in agents if plan in agent.away]
            staying = [agent for agent in unrostered if agent.on_duty]
            coming = [agent for agent in unrostered if not agent.on_duty]
            for agent in (staying + coming)[:short]:
                presence.release(agent, plan)
            return
        excess = -short
        while excess and (idle := self._most_recently_idle()) is not None:
            presence.keep_away(idle, plan)
            excess -= 1
        away = [agent for agent in rostered if not agent.on_duty and plan not in agent.away]
        for agent in away[::-1][:excess]:
            presence.keep_away(agent, plan)
            excess -= 1
        busy = [agent for agent in rostered if agent.on_duty and agent.state is not IDLE]
        for agent in busy[len(busy) - excess :] if excess else ():
            presence.keep_away(agent, plan)

    def _most_recently_idle(self) -> Agent | None:
        """The plan's idle agent who became idle last (the group's, without shifts), or None."""
        if self._whole_group:
            return self.group.most_recently_idle()
        best = None
        for agent in self.agents:
            if agent.state is IDLE and (best is None or agent.idle_since >= best.idle_since):
                best = agent
        return best


def presence_sources(
    groups: list[AgentGroup], changes: list[Iterator[tuple[float, int]]]
) -> list[PresenceSource]:
    """The presence sources of a scenario: each group's staffing plan (or ``count``).

    Args:
        groups: The agent groups at run time.
        changes: Per group, its staffing changes (:func:`~simcenter.agents.staffing_changes`).
    """
    return [
        StaffingPlan(group, group_changes)
        for group, group_changes in zip(groups, changes, strict=True)
    ]
