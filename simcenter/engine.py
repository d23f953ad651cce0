"""One replication of a scenario on a ``simpy.Environment``.

:func:`run_replication` wires queues, agent groups, the router and the
recorder together, starts the arrivals and the staffing processes, runs to
the end of the horizon, closes the centre (``closing``) and returns the raw
facts.

Random streams (common random numbers that hold; docs/modelling.md): the
arrivals of queue ``q`` from ``arrivals/q``, random agent selection from
``routing/q``; a contact's own draws come from its queue's
:class:`~simcenter.draws.Draws` (by default :func:`simcenter.draws.sampled`:
the first-time contacts of ``q`` draw purpose ``p`` from ``p/q``, in the
queue's arrival order, contacts created during the run from
``<origin>/q/p``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import simpy
from simpy.core import StopSimulation

from simcenter.agents import AgentGroup, group_size, rotation_times
from simcenter.arrivals import arrival_times, rate_pieces
from simcenter.bins import interval_edges
from simcenter.busyness import busyness_factors, run_days
from simcenter.centre import AgentTransition, Centre, Transition
from simcenter.clock import ScenarioClock
from simcenter.contact_log import MemoryLog, ParquetLog
from simcenter.distributions import Exponential, Sampler
from simcenter.draws import DrawsOf, sampled
from simcenter.presence import PresenceSource
from simcenter.recorder import Recorder
from simcenter.records import ReplicationRecord, run_meta
from simcenter.routing import Pool, Queue, Router
from simcenter.routing.agent_selection import agent_selection
from simcenter.routing.contact_selection import contact_selection
from simcenter.scenario import AgentGroupSpec, Scenario
from simcenter.streams import stream
from simcenter.workforce import group_sources, scheduled_seconds

_LONGEST_IDLE_OF_ONE_POOL = ("longest_idle", "priority", "fewest_skills")
"""Agent-selection policies that, with one eligible pool, take its longest-idle agent."""


def _build_queues(
    scenario: Scenario, seed: int, replication: int, draws_of: DrawsOf
) -> list[Queue]:
    queues = []
    for index, spec in enumerate(scenario.queues):
        routing = scenario.routing_of(spec)
        threshold = scenario.service_level_of(spec).threshold
        queue = Queue(
            index,
            spec,
            routing,
            threshold,
            functools.partial(draws_of, spec),
        )
        # PERF: only `random` draws: no routing generator for the others
        # (benchmarks/README.md, "Routing at scale").
        uses_rng = routing.agent_selection == "random"
        routing_rng = stream(seed, replication, f"routing/{spec.name}") if uses_rng else None
        queue.agent_selection = agent_selection(routing.agent_selection, routing_rng)
        queue.work_s = spec.handle_time.build().mean + spec.wrap_up.build().mean
        queues.append(queue)
    return queues


def _pools(spec: AgentGroupSpec, queue_named: dict[str, Queue]) -> list[Pool]:
    """One pool per skill set the group works (one without rotation)."""
    levels, factors = spec.skill_levels, spec.handle_time_factors
    if spec.rotation is None:
        skill_sets, numbers = [list(levels)], [-1]
    else:
        skill_sets = spec.rotation.skill_sets
        numbers = list(range(len(skill_sets)))
    return [
        Pool(
            None,  # type: ignore[arg-type]  # the group adopts its pools
            number,
            {queue_named[name]: levels[name] for name in skills},
            # PERF: only factors other than 1.0: a small dict to look up per answer
            # (benchmarks/README.md, "Routing at scale").
            {queue_named[name]: factors[name] for name in skills if factors[name] != 1.0},
        )
        for number, skills in zip(numbers, skill_sets, strict=True)
    ]


def _build_groups(scenario: Scenario, queues: list[Queue]) -> list[AgentGroup]:
    queue_named = {queue.name: queue for queue in queues}
    groups = []
    first_agent = 0
    for index, spec in enumerate(scenario.agents):
        size = group_size(spec)
        groups.append(AgentGroup(index, spec, first_agent, size, _pools(spec, queue_named)))
        first_agent += size
    _wire(queues, groups)
    return groups


def _wire(queues: list[Queue], groups: list[AgentGroup]) -> None:
    """Tell each queue which pools serve it, and each pool which lines it serves."""
    group_named = {group.name: group for group in groups}
    pools = [pool for group in groups for pool in group.pools]
    for queue in queues:
        eligible = [pool for pool in pools if queue in pool.levels]
        levels = sorted({pool.levels[queue] for pool in eligible})
        queue.pools_by_level = [
            [pool for pool in eligible if pool.levels[queue] == level] for level in levels
        ]
        if len(eligible) == 1 and queue.routing.agent_selection in _LONGEST_IDLE_OF_ONE_POOL:
            queue.only_pool = eligible[0]
        serving = [pool.group for pool in eligible]
        if queue.spec.overflow is not None:
            names = queue.spec.overflow.to
            queue.overflow_pools = [[pool for name in names for pool in group_named[name].pools]]
            serving += [group_named[name] for name in names]
        queue.groups = list({id(group): group for group in serving}.values())
    for group in groups:
        overflow_lines = [
            queue.overflow_line
            for queue in queues
            if queue.overflow_line is not None and group.name in queue.spec.overflow.to  # type: ignore[union-attr]
        ]
        for pool in group.pools:
            levels = sorted(set(pool.levels.values()))
            pool.lines_by_level = [
                [queue.line for queue, level in pool.levels.items() if level == wanted]
                for wanted in levels
            ]
            if overflow_lines:
                pool.lines_by_level.append(overflow_lines)
            pool.lines = [line for level in pool.lines_by_level for line in level]
            for line in pool.lines:
                line.pools.append(pool)


def run_replication(
    scenario: Scenario,
    replication: int = 0,
    seed: int | None = None,
    contact_log: Literal["memory"] | Path | None = "memory",
    *,
    trace: list[Transition] | None = None,
    agent_trace: list[AgentTransition] | None = None,
    presence: Sequence[PresenceSource] = (),
    draws: DrawsOf | None = None,
) -> ReplicationRecord:
    """Simulate one replication and return its tallies (and contact log).

    Args:
        scenario: The validated scenario.
        replication: Replication number; with the seed it selects the random streams.
        seed: Base seed; ``scenario.seed`` when None.
        contact_log: ``"memory"`` keeps the contact log and the on-duty periods
            in the record (``record.contacts``, ``record.presence``); a path
            streams the contact log to that Parquet file
            (``record.contact_log``); None keeps no log.
        trace: If given, every change of a contact's state is appended to it
            (``(time_s, contact, from_state, to_state)``; for tests).
        agent_trace: If given, every change of an agent's state is appended
            to it (``(time_s, agent, from_state, to_state)``; for tests).
        presence: Presence sources besides the scenario's own (staffing
            plans, shifts with breaks and absence, outages:
            :func:`simcenter.workforce.group_sources`), started after them
            (for tests).
        draws: Where each queue's contacts take their draws, by origin
            (:mod:`simcenter.draws`); None: :func:`simcenter.draws.sampled`,
            the named streams of ``seed`` and ``replication`` (a trace's
            values, say, for tests until the scenario can state a trace).
    """
    seed = scenario.seed if seed is None else seed
    env = simpy.Environment()
    clock = ScenarioClock(scenario.start_at)
    end_s = scenario.end_s
    meta = run_meta(scenario)
    if contact_log == "memory":
        sink: MemoryLog | ParquetLog | None = MemoryLog()
    elif contact_log is None:
        sink = None
    else:
        sink = ParquetLog(Path(contact_log), meta, replication)
    recorder = Recorder(meta, sink, keep_presence=contact_log == "memory")
    draws_of = sampled(seed, replication, clock, run_days(scenario)) if draws is None else draws
    queues = _build_queues(scenario, seed, replication, draws_of)
    groups = _build_groups(scenario, queues)
    router = Router(queues, contact_selection(scenario.routing.contact_selection))
    centre = Centre(
        env,
        queues,
        groups,
        router,
        recorder,
        scenario.closing,
        scenario.lines,
        end_s,
        trace=trace,
        agent_trace=agent_trace,
    )
    busy_days = busyness_factors(scenario, seed, replication)
    try:
        for queue in queues:
            unit_exponential = Sampler(
                Exponential(1.0), stream(seed, replication, f"arrivals/{queue.name}")
            )
            pieces = rate_pieces(
                queue.spec.arrivals, clock, end_s, scenario.calendar, busy_days.get(queue.name)
            )
            centre.arrivals(queue, arrival_times(pieces, unit_exponential))
        for group in groups:
            for source in group_sources(group, scenario, recorder, seed, replication):
                source.start(env, centre)
            if group.spec.rotation is not None:
                env.process(centre.rotation(group, rotation_times(group.spec, end_s)))
        for source in presence:
            source.start(env, centre)
        env.run(until=end_s)
        end_of_run = _close(env, centre, end_s)
        centre.finish(end_of_run)
        record = recorder.finish(replication, end_of_run)
        edges = interval_edges(meta)
        for group in groups:
            record.tallies.agents.group_scheduled_s[group.index] = scheduled_seconds(
                group.index, group.spec, scenario, edges
            )
        if isinstance(sink, ParquetLog):
            record.contact_log = sink.path
        return record
    finally:
        centre.dismantle()


def _close(env: simpy.Environment, centre: Centre, end_s: float) -> float:
    """Close the centre at the horizon and run until it is empty; the time the run ends.

    With ``drain`` the run ends when the last contact has left and the last
    agent has gone home, or, if some contacts wait for nobody (no agent who
    could serve them is on duty), at the last change before nothing was left
    to happen. An error in any step propagates: it is a bug, never the end.
    """
    if centre.closing == "stop":
        return end_s
    centre.close()
    if centre.drained.triggered:
        return env.now
    centre.drained.callbacks.append(StopSimulation.callback)
    env.run()  # returns when drained (StopSimulation) or when no event is left
    if centre.drained.triggered:
        return env.now
    return max(end_s, centre.last_change_s)
