"""Agents, agent groups and their staffing plans.

An :class:`Agent` is on duty or off; on duty it is idle, talking or in
wrap-up. An :class:`AgentGroup` holds its agents, the idle ones in the order
they became idle (longest idle first), and the time-weighted count of busy
agents. How many agents a group has on duty over time comes from
:func:`staffing_changes`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from simcenter.clock import ScenarioClock
from simcenter.scenario import AgentGroupSpec, StaffingSpec

if TYPE_CHECKING:
    from simcenter.contact import Contact
    from simcenter.routing import Queue


class Agent:
    """One agent.

    Attributes:
        index: Agent index in the run (into ``RunMeta.agent_names``).
        group: The agent's group.
        on_duty: Present (counted as staffed).
        leaving: Will go off duty as soon as the current contact and wrap-up end.
        contact: The contact being talked to, or None.
        idle_since: Simulation time the agent last became idle (seconds).
        on_duty_since: Simulation time the current on-duty period began (seconds).
    """

    __slots__ = ("contact", "group", "idle_since", "index", "leaving", "on_duty", "on_duty_since")

    def __init__(self, index: int, group: AgentGroup) -> None:
        self.index = index
        self.group = group
        self.on_duty = False
        self.leaving = False
        self.contact: Contact | None = None
        self.idle_since = 0.0
        self.on_duty_since = 0.0


class AgentGroup:
    """A group of interchangeable agents and what they can do.

    Attributes:
        index: Group index in the run.
        spec: The scenario's description of the group.
        agents: All agents the group may ever have on duty at once.
        idle: Idle agents on duty, longest idle first.
        busy: Number of agents talking or in wrap-up.
        busy_area_s: Integral of ``busy`` over time since measuring began (agent-seconds).
        busy_since: Time of the last change of ``busy``.
        target: Agents the staffing plan wants on duty now.
        levels: The group's queues by skill level, best level first; within a
            level, higher queue priority first. Filled by the router.
    """

    def __init__(self, index: int, spec: AgentGroupSpec, first_agent: int, size: int) -> None:
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.agents = [Agent(first_agent + number, self) for number in range(size)]
        self.idle: deque[Agent] = deque()
        self.busy = 0
        self.busy_area_s = 0.0
        self.busy_since = 0.0
        self.target = 0
        self.levels: list[list[Queue]] = []

    def count_busy(self, change: int, now: float) -> None:
        """Add ``change`` (+1 or -1) to the busy count at time ``now``, keeping the integral."""
        self.busy_area_s += self.busy * (now - self.busy_since)
        self.busy_since = now
        self.busy += change

    def restart_busy_area(self, now: float) -> None:
        """Forget the busy-time integral so far (at the end of the warm-up)."""
        self.count_busy(0, now)
        self.busy_area_s = 0.0


def group_size(spec: AgentGroupSpec) -> int:
    """The most agents the group ever has on duty at once."""
    if spec.staffing is None:
        return spec.count or 0
    return max(spec.staffing.counts)


def staffing_changes(
    spec: AgentGroupSpec, clock: ScenarioClock, end_s: float
) -> Iterator[tuple[float, int]]:
    """Times (seconds, increasing, from 0, before ``end_s``) and new on-duty counts of a group.

    A constant ``count`` yields one change at time 0. A staffing plan yields
    the count in force at time 0 (a run may start in the middle of a plan,
    even one that began the day before) and then every later change, at the
    plan's wall-clock times in the scenario time zone. Changes that fall on
    the same instant (a skipped daylight-saving hour) count as one.
    """
    if spec.staffing is None:
        yield (0.0, spec.count or 0)
        return
    current, pending, pending_time = None, 0, 0.0
    for time, count in _plan_boundaries(spec.staffing, clock):
        if time >= end_s:
            break
        if time > pending_time and pending != current:
            current = pending
            yield (pending_time, pending)
        pending, pending_time = count, max(time, pending_time)
    if pending != current:
        yield (pending_time, pending)


def _plan_boundaries(plan: StaffingSpec, clock: ScenarioClock) -> Iterator[tuple[float, int]]:
    """Every (time, count) boundary of a repeating plan, from the repetition before time 0 on.

    Each repetition sets ``counts[k]`` at ``start + k * interval`` and 0 at the
    plan's end; repetitions begin every ``period_s`` (whole days), so they
    never overlap.
    """
    days = round(plan.period_s / 86_400)
    day = clock.day_of(0.0) - days
    while True:
        for index, count in enumerate(plan.counts):
            yield (clock.seconds_at(day, plan.start + index * plan.interval), count)
        yield (clock.seconds_at(day, plan.start + len(plan.counts) * plan.interval), 0)
        day += days
