"""Agents, agent groups and their staffing plans.

An :class:`Agent` has a name, a state (off duty, idle, busy, in wrap-up,
away, ...; :mod:`simcenter.states`) and a capacity in slots. An
:class:`AgentGroup` holds its agents, its pools (one per skill set it rotates
through; the idle agents wait in their pool, kept by the router). How many
agents a group's plan rosters over time comes from :func:`staffing_changes`;
who is present follows from all presence sources together
(:mod:`simcenter.presence`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from simcenter.clock import ScenarioClock
from simcenter.scenario import AgentGroupSpec, StaffingSpec
from simcenter.states import OFF_DUTY, PRESENT

if TYPE_CHECKING:
    from simcenter.contact import Contact
    from simcenter.presence import Absence
    from simcenter.routing import Pool


class Agent:
    """One agent, with a stable identity, a state and a capacity.

    Attributes:
        index: Agent index in the run (into ``RunMeta.agent_names``).
        name: The agent's name in the outputs (``<group>-001``, ...).
        group: The agent's group.
        state: What the agent does now (:class:`~simcenter.states.AgentState`).
        capacity: Contacts the agent can hold at once (slots): 1 for every group today.
        changed_s: When its state last changed (seconds; kept by the one place it
            changes, ``Recorder.agent_to``).
        away: Reasons for being away now, one per presence source that holds
            one (:mod:`simcenter.presence`); present when empty.
        pool: The pool (skill set) the agent works now.
        next_pool: The pool to move to once the current contact is done (rotation).
        start_set: The skill set the agent works in the first rotation block.
        contacts: The contacts it talks to now, at most ``capacity``.
        personal: Repeat contacts waiting for this agent in particular.
        idle_since: Simulation time the agent last became idle (seconds).
        overtime_since: When its overtime began (seconds: present while no
            longer rostered, finishing a contact past its shift's or the
            plan's end), or None when not in overtime.
    """

    __slots__ = (
        "away",
        "capacity",
        "changed_s",
        "contacts",
        "group",
        "idle_since",
        "index",
        "name",
        "next_pool",
        "overtime_since",
        "personal",
        "pool",
        "start_set",
        "state",
    )

    def __init__(self, index: int, name: str, group: AgentGroup, start_set: int) -> None:
        self.index = index
        self.name = name
        self.group = group
        self.start_set = start_set
        self.state = OFF_DUTY
        self.capacity = 1
        self.changed_s = 0.0
        self.away: set[Absence] = set()
        self.pool: Pool = group.pools[0]
        self.next_pool: Pool | None = None
        self.contacts: list[Contact] = []
        self.personal: deque[Contact] = deque()
        self.idle_since = 0.0
        self.overtime_since: float | None = None

    @property
    def on_duty(self) -> bool:
        """Present (counted as staffed): idle, busy or in wrap-up."""
        return self.state in PRESENT

    def __repr__(self) -> str:
        """The agent's name and state."""
        return f"Agent({self.name}, {self.state.value})"


class AgentGroup:
    """A group of interchangeable agents and what they can do.

    Attributes:
        index: Group index in the run.
        spec: The scenario's description of the group.
        pools: One pool per skill set (one pool without rotation).
        agents: All agents of the group: those of its count or plan, then
            each shift's (:func:`agent_names`).
        on_duty: Number of agents on duty.
        block: The current rotation block, counted from 0 (always 0 without rotation).
    """

    # PERF: as on `Queue` (benchmarks/README.md, "Slots on the run-time queues and groups").
    __slots__ = (
        "__weakref__",
        "agents",
        "block",
        "index",
        "name",
        "on_duty",
        "pools",
        "spec",
    )

    def __init__(
        self, index: int, spec: AgentGroupSpec, first_agent: int, size: int, pools: list[Pool]
    ) -> None:
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.pools = pools
        for pool in pools:
            pool.group = self
        stagger = spec.rotation is not None and spec.rotation.stagger
        names = agent_names(spec)
        self.agents = [
            Agent(first_agent + number, names[number], self, number % len(pools) if stagger else 0)
            for number in range(size)
        ]
        self.on_duty = 0
        self.block = 0

    def current_pool(self, agent: Agent) -> Pool:
        """The pool ``agent`` works in the current rotation block (``block``)."""
        return self.pools[(agent.start_set + self.block) % len(self.pools)]

    def most_recently_idle(self) -> Agent | None:
        """The idle agent who became idle last, or None (they leave first when staffing drops)."""
        best = None
        for pool in self.pools:
            if pool.idle and (best is None or pool.idle[-1].idle_since >= best.idle_since):
                best = pool.idle[-1]
        return best


def agent_name(group: str, number: int) -> str:
    """The name of the group's agent ``number`` (from 0) in the outputs: ``<group>-001``, ..."""
    return f"{group}-{number + 1:03d}"


def rotation_times(spec: AgentGroupSpec, end_s: float) -> Iterator[float]:
    """Block boundaries (seconds, after 0 and before ``end_s``) of a group's rotation.

    Block ``k`` starts at ``k * every``.
    """
    if spec.rotation is None:
        return
    block = 1
    while block * spec.rotation.every < end_s:
        yield block * spec.rotation.every
        block += 1


def group_size(spec: AgentGroupSpec) -> int:
    """The number of the group's agents: ``count`` or the plan's peak, plus each shift's count."""
    return spec.plan_agents + sum(shift.count for shift in spec.shifts or [])


def agent_names(spec: AgentGroupSpec) -> list[str]:
    """The names of the group's agents, in the order of their index in the group.

    The agents of ``count`` or ``staffing`` come first (``<group>-001``, ...),
    then those of each shift in turn (``<group>-<shift name>-001``, ...).
    """
    names = [agent_name(spec.name, number) for number in range(spec.plan_agents)]
    for shift, name in zip(spec.shifts or [], spec.shift_names, strict=True):
        names += [agent_name(f"{spec.name}-{name}", number) for number in range(shift.count)]
    return names


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
    never overlap. A plan by ``days`` repeats daily with the counts of each
    local day's weekday (none on a weekday it does not list).
    """
    days = 1 if plan.days is not None else round(plan.period_s / 86_400)
    day = clock.day_of(0.0) - days
    while True:
        counts = plan.counts_on(clock.weekday(day))
        for index, count in enumerate(counts):
            yield (clock.seconds_at(day, plan.start + index * plan.interval), count)
        if counts:
            yield (clock.seconds_at(day, plan.start + len(counts) * plan.interval), 0)
        day += days
