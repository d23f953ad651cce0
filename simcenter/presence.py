"""Presence as composition: an agent is present when no presence source keeps it away.

Each presence source (today the staffing plan, or a constant ``count``; next
shifts, breaks, absence and outages) adds or removes *its own* reason for an
agent to be away (``agent.away``); no source sets or clears another's. The
agent is present exactly when it has no reason left:

- a reason added to an idle agent takes it off at once; a busy agent (talking
  or in wrap-up) finishes its contact first and leaves when it is free;
- removing an agent's last reason brings it on duty (a busy agent about to
  leave simply stays).

The centre applies a change (:meth:`~simcenter.centre.Centre.keep_away`,
:meth:`~simcenter.centre.Centre.release`); the router is told who is free.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from simcenter.states import AWAY, IDLE, OFF_DUTY, AgentState

if TYPE_CHECKING:
    from simcenter.agents import AgentGroup
    from simcenter.centre import Centre

PLAN: Hashable = "plan"
"""The staffing plan's reason: the agent is not rostered now."""


def absent_state(reasons: set[Hashable]) -> AgentState:
    """The state of an agent away for ``reasons``: off duty if not rostered, else away."""
    return OFF_DUTY if PLAN in reasons or not reasons else AWAY


class StaffingPlan:
    """The group's staffing plan (or constant ``count``) as a presence source.

    The plan rosters ``target`` agents: every other agent of the group has the
    plan's reason ``PLAN``. Agents start unrostered.

    Args:
        centre: The running centre.
        group: The agent group.
    """

    def __init__(self, centre: Centre, group: AgentGroup) -> None:
        self.centre = centre
        self.group = group
        for agent in group.agents:
            agent.away.add(PLAN)

    def staff(self, target: int) -> None:
        """Roster ``target`` agents of the group.

        More: agents still present but about to leave stay first, then
        unrostered agents are rostered, in agent order. Fewer: idle agents
        leave first (the most recently idle first), then rostered agents who
        are away for another reason, then busy agents (the last in agent
        order first), who leave after their current contact and wrap-up.
        """
        agents = self.group.agents
        rostered = [agent for agent in agents if PLAN not in agent.away]
        short = target - len(rostered)
        centre = self.centre
        if short >= 0:
            unrostered = [agent for agent in agents if PLAN in agent.away]
            staying = [agent for agent in unrostered if agent.on_duty]
            coming = [agent for agent in unrostered if not agent.on_duty]
            for agent in (staying + coming)[:short]:
                centre.release(agent, PLAN)
            return
        excess = -short
        while excess and (idle := self.group.most_recently_idle()) is not None:
            centre.keep_away(idle, PLAN)
            excess -= 1
        away = [agent for agent in rostered if not agent.on_duty and PLAN not in agent.away]
        for agent in away[::-1][:excess]:
            centre.keep_away(agent, PLAN)
            excess -= 1
        busy = [agent for agent in rostered if agent.on_duty and agent.state is not IDLE]
        for agent in busy[len(busy) - excess :] if excess else ():
            centre.keep_away(agent, PLAN)
