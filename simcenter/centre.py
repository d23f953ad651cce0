"""The running contact centre: the wiring, the closing and the finish of one replication.

A :class:`Centre` is the two stories on one SimPy environment: a contact's
journey (:mod:`simcenter.journey`: arrives, goes through an IVR
(:mod:`simcenter.ivr`), waits, gives up or is served, ends; then its customer
may call again, :mod:`simcenter.follow_ups`) and an agent's workday
(:mod:`simcenter.workday`: comes on duty, takes work, talks, wraps up, goes
idle, goes away). It holds what both share (the queues, groups and router,
the recorder, the lines), closes at the horizon
and records what is left at the end of the run.

A contact is in one state at a time (:mod:`simcenter.states`), changed only
by :meth:`~simcenter.journey.ContactJourney._to`; an agent too, changed only
by ``_agent_to`` (the recorder's ``agent_to``, which tallies the change).
Only staffing plans and rotation schedules are SimPy processes; the rest is timers
(:class:`~simcenter.timer.Timer`). A timer that fires after its subject left
the state it was set for (a patience timer of a contact already answered)
does nothing. Every step reads the simulation time once and passes it on as
``now``.

Ties at the same instant are resolved in SimPy's schedule order (time, then
insertion): for example, an agent who frees up at the instant a waiting
contact's patience ends answers it only if the service-end event was
scheduled first.
"""

from __future__ import annotations

import simpy

from simcenter.agents import AgentGroup
from simcenter.follow_ups import FollowUps
from simcenter.ivr import InteractiveVoiceResponse
from simcenter.journey import Arrivals, ContactJourney, Transition
from simcenter.recorder import Recorder
from simcenter.routing import Queue, Router
from simcenter.workday import AgentTransition, AgentWorkday

__all__ = ["AgentTransition", "Arrivals", "Centre", "Transition"]


class Centre(ContactJourney, InteractiveVoiceResponse, FollowUps, AgentWorkday):
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
        self.closed = False
        self.last_change_s = end_s
        self.contacts_in_system = 0
        self.in_ivr = {}
        self.agents_on_duty = 0
        self.drained = env.event()
        self._next_id = 0
        self._records = {
            "answered": recorder.answered,
            "abandoned": recorder.abandoned,
            "blocked": recorder.blocked,
            "balked": recorder.balked,
            "voicemail": recorder.voicemail,
            "transferred": recorder.transferred,
            "disconnected": recorder.disconnected,
            "self_served": recorder.self_served,
            "abandoned_in_ivr": recorder.abandoned_in_ivr,
        }
        if trace is not None:
            self._trace = trace
            self._to = self._to_traced  # type: ignore[method-assign]
        self._agent_to = recorder.agent_to
        self._customer_ended = recorder.customer_ended
        if agent_trace is not None:
            self._agent_trace = agent_trace
            self._record_agent_to = recorder.agent_to
            self._agent_to = self._agent_to_traced

    def close(self) -> None:
        """The horizon is over: no more arrivals or staffing changes.

        ``drain``: waiting contacts are still served by the agents on duty,
        who go home when there is no more work for them (idle ones at once,
        or once the last contact in an IVR has come out of it). ``clear``:
        waiting contacts are disconnected (and those in an IVR when they come
        out of it); agents finish their current contact. ``stop``: nothing
        more happens (the run stops here).
        """
        self.closed = True
        now = self.env.now
        if self.closing == "clear":
            for contact in self.router.waiting_contacts(self.agents):
                self.router.withdraw(contact)
                self.end(contact, "disconnected", now)
        if not (self.closing == "drain" and self.in_ivr):
            self.send_idle_agents_home(now)
        self._check_drained()

    def send_idle_agents_home(self, now: float) -> None:
        """After closing: every idle agent goes off duty at ``now``."""
        for group in self.groups:
            for pool in group.pools:
                while pool.idle:
                    agent = pool.idle[-1]
                    self.router.take(agent)
                    self.go_off_duty(agent, now)

    def _check_drained(self) -> None:
        if self.contacts_in_system == 0 and self.agents_on_duty == 0 and not self.drained.triggered:
            self.drained.succeed()

    def finish(self, end_s: float) -> None:
        """Record what is left at the end of the run as in system; close the agents' periods.

        A contact still in the centre (in an IVR, waiting or in service) ends its
        customer's story as ``in_system``.

        A talk or wrap-up cut by the end of the run is busy time up to ``end_s``.
        """
        left = [*self.in_ivr, *self.router.waiting_contacts(self.agents)]
        for agent in self.agents:
            left += agent.contacts
        for contact in left:
            self.recorder.in_system(contact, end_s)
            if self._customer_ended is not None:
                self._customer_ended(contact, "in_system", end_s)
        for agent in self.agents:
            self.recorder.agent_at_end(agent, end_s)

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
            agent.contacts.clear()
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
        self.in_ivr = {}
