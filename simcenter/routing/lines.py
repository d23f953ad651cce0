"""Waiting lines, queues and pools: the structures the router works on."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from simcenter.scenario import QueueSpec, RoutingSpec
from simcenter.states import QUEUED

if TYPE_CHECKING:
    from simcenter.agents import Agent, AgentGroup
    from simcenter.contact import Contact
    from simcenter.draws import Draws
    from simcenter.routing.agent_selection import AgentSelection


class Line:
    """Contacts waiting in arrival order, possibly with some that have left (skipped lazily).

    An entry is live while its contact is ``QUEUED``; a contact never comes
    back to ``QUEUED`` once it has left it, so a stale entry stays stale.

    Attributes:
        queue: The queue whose contacts wait here.
        contacts: The line, oldest first.
        waiting: Number of contacts really waiting in it.
        pools: The pools whose agents take contacts from this line.
    """

    __slots__ = ("contacts", "pools", "queue", "waiting")

    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self.contacts: deque[Contact] = deque()
        self.waiting = 0
        self.pools: list[Pool] = []

    def add_waiting(self, change: int) -> None:
        """Count ``change`` (+1 or -1) contacts waiting here, and for its pools."""
        self.waiting += change
        for pool in self.pools:
            pool.waiting += change

    def head(self) -> Contact:
        """The contact that has waited longest; only call when ``waiting > 0``."""
        contacts = self.contacts
        while contacts[0].state is not QUEUED:
            contacts.popleft()
        return contacts[0]


class Queue:
    """A queue at run time: its lines, random draws, rules and who can serve it.

    Attributes:
        index: Queue index in the run.
        spec: The scenario's description of the queue.
        routing: The queue's routing rules (scenario rules with its overrides).
        priority: Higher is served first.
        threshold_s: Service-level threshold (seconds), for ``sl_urgency``.
        line: Contacts waiting for the queue's own agents.
        overflow_line: Contacts that have waited long enough for the overflow
            groups, or None without overflow.
        pools_by_level: Pools that serve the queue, by skill level, best first.
        overflow_pools: Pools of the overflow groups.
        groups: The groups that serve the queue, by skill or by overflow.
        work_s: Mean handle time plus mean wrap-up (seconds), for announced waits.
        agent_selection: Picks the idle agent for a contact of this queue.
        only_pool: The one pool that serves the queue when its policy then
            always takes that pool's longest-idle agent (``longest_idle``,
            ``priority``, ``fewest_skills``), else None.
        draws: The draws of the queue's first-time contacts.
        balking: The queue's ``balking`` rule, or None.
        ivr: The queue's ``ivr`` (new calls go through it first), or None.
        has_wait_rules: The queue has ``overflow`` or ``max_wait`` (timers
            for a waiting contact besides its patience).
    """

    # PERF: slots keep each queue's attributes in less memory, read on every
    # contact (benchmarks/README.md, "Slots on the run-time queues and groups").
    __slots__ = (
        "__weakref__",
        "_draws_of",
        "_later",
        "agent_selection",
        "balking",
        "draws",
        "groups",
        "has_wait_rules",
        "index",
        "ivr",
        "line",
        "name",
        "only_pool",
        "overflow_line",
        "overflow_pools",
        "pools_by_level",
        "priority",
        "routing",
        "spec",
        "threshold_s",
        "work_s",
    )

    def __init__(
        self,
        index: int,
        spec: QueueSpec,
        routing: RoutingSpec,
        threshold_s: float,
        draws_of: Callable[[str], Draws],
    ) -> None:
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.routing = routing
        self.priority = spec.priority
        self.balking = spec.balking
        self.ivr = spec.ivr
        self.has_wait_rules = spec.overflow is not None or spec.max_wait is not None
        self.threshold_s = threshold_s
        self.line = Line(self)
        self.overflow_line = Line(self) if spec.overflow else None
        self.pools_by_level: list[list[Pool]] = []
        self.overflow_pools: list[list[Pool]] = []
        self.agent_selection: AgentSelection
        self.only_pool: Pool | None = None
        self.groups: list[AgentGroup] = []
        self.work_s = 0.0
        self._draws_of = draws_of
        self._later: dict[str, Draws] = {}
        self.draws = draws_of("first")

    def later_draws(self, origin: str) -> Draws:
        """The draws of the contacts of ``origin`` created at this queue during the run.

        ``origin`` is ``repeat``, ``transfer`` or ``reroute``; the draws
        are made the first time they are needed.
        """
        draws = self._later.get(origin)
        if draws is None:
            draws = self._later[origin] = self._draws_of(origin)
        return draws


class Pool:
    """The agents of one group while they work one skill set.

    A group without ``rotation`` has one pool with all its skills; a group
    with rotation has one pool per skill set, and its agents move between
    pools at block boundaries.

    Attributes:
        group: The agent group.
        skill_set: Index of the skill set in the group's rotation (-1 without rotation).
        levels: Queue -> skill level for the active skills.
        factors: Queue -> handle-time factor for the active skills whose
            factor is not 1.0 (a queue not in it: 1.0).
        idle: Idle agents, longest idle first.
        lines_by_level: The lines the pool serves, by skill level, best first;
            overflow lines it serves come last, as the lowest level.
        lines: All those lines, flat.
        waiting: Contacts waiting in those lines (a freed agent with nothing
            waiting for its pool looks no further).
    """

    __slots__ = (
        "factors",
        "group",
        "idle",
        "levels",
        "lines",
        "lines_by_level",
        "skill_set",
        "waiting",
    )

    def __init__(
        self,
        group: AgentGroup,
        skill_set: int,
        levels: dict[Queue, int],
        factors: dict[Queue, float],
    ) -> None:
        self.group = group
        self.skill_set = skill_set
        self.levels = levels
        self.factors = factors
        self.idle: deque[Agent] = deque()
        self.lines_by_level: list[list[Line]] = []
        self.lines: list[Line] = []
        self.waiting = 0

    def add_idle(self, agent: Agent) -> None:
        """Put ``agent`` among the idle, keeping longest idle first."""
        idle = self.idle
        if not idle or idle[-1].idle_since <= agent.idle_since:
            idle.append(agent)
            return
        position = len(idle)
        while position > 0 and idle[position - 1].idle_since > agent.idle_since:
            position -= 1
        idle.insert(position, agent)
