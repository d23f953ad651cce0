"""One replication of a scenario on a ``simpy.Environment``.

:func:`run_replication` wires queues, agent groups, the router and the
recorder together, starts the arrival and staffing processes, runs to the end
of the horizon, closes the centre (``closing``) and returns the raw facts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import simpy

from simcenter.agents import AgentGroup, group_size, rotation_times, staffing_changes
from simcenter.arrivals import arrival_times, rate_pieces
from simcenter.centre import Centre
from simcenter.clock import ScenarioClock
from simcenter.contact_log import MemoryLog, ParquetLog
from simcenter.distributions import Distribution, Exponential, Sampler, Uniform
from simcenter.recorder import Recorder
from simcenter.records import OUTCOMES, ReplicationRecord, RunMeta
from simcenter.routing import Pool, Queue, Router
from simcenter.routing.agent_selection import agent_selection
from simcenter.routing.contact_selection import contact_selection
from simcenter.scenario import AgentGroupSpec, DistributionSpec, QueueSpec, Scenario
from simcenter.streams import stream

_ALWAYS_REPORTED = ("answered", "abandoned", "disconnected", "in_system")


def possible_outcomes(scenario: Scenario) -> tuple[str, ...]:
    """The outcomes contacts of ``scenario`` can have, in ``OUTCOMES`` order."""
    queues = scenario.queues
    possible = set(_ALWAYS_REPORTED)
    if scenario.lines is not None:
        possible.add("blocked")
    if any(queue.balking is not None for queue in queues):
        possible.add("balked")
    if any(queue.max_wait is not None and queue.max_wait.to is None for queue in queues):
        possible.add("voicemail")
    if any(
        queue.transfer is not None or (queue.max_wait and queue.max_wait.to) for queue in queues
    ):
        possible.add("transferred")
    return tuple(outcome for outcome in OUTCOMES if outcome in possible)


def run_meta(scenario: Scenario) -> RunMeta:
    """What the reports need to know about every replication of ``scenario``."""
    levels = [scenario.service_level_of(queue) for queue in scenario.queues]
    names: list[str] = []
    owners: list[int] = []
    for index, spec in enumerate(scenario.agents):
        size = group_size(spec)
        names += [f"{spec.name}-{number:03d}" for number in range(1, size + 1)]
        owners += [index] * size
    return RunMeta(
        queues=tuple(queue.name for queue in scenario.queues),
        channels=tuple(queue.channel for queue in scenario.queues),
        groups=tuple(group.name for group in scenario.agents),
        agent_names=tuple(names),
        agent_groups=tuple(owners),
        cost_per_hour=tuple(group.cost_per_hour for group in scenario.agents),
        sl_threshold_s=tuple(level.threshold for level in levels),
        sl_target=tuple(level.target for level in levels),
        sl_definition=tuple(level.definition for level in levels),
        outcomes=possible_outcomes(scenario),
        warmup_s=scenario.warmup,
        horizon_s=scenario.horizon,
        interval_s=scenario.interval,
        start=scenario.start_at,
        repeat_queues=tuple(queue.repeat is not None for queue in scenario.queues),
        handover_factor=tuple(
            scenario.routing_of(queue).handover_factor for queue in scenario.queues
        ),
    )


def _sampler(
    spec: DistributionSpec | Distribution | None, seed: int, replication: int, name: str
) -> Callable[[], float]:
    if spec is None:
        return lambda: math.inf
    distribution = spec if isinstance(spec, Distribution) else spec.build()
    return Sampler(distribution, stream(seed, replication, name))


def _queue_draws(spec: QueueSpec, seed: int, replication: int) -> dict[str, Callable[[], float]]:
    """The queue's samplers, each on its own named stream (common random numbers)."""
    name = spec.name
    draws = {
        "handle": _sampler(spec.handle_time, seed, replication, f"handle/{name}"),
        "wrap": _sampler(spec.wrap_up, seed, replication, f"wrap/{name}"),
        "patience": _sampler(spec.patience, seed, replication, f"patience/{name}"),
    }
    unit = Uniform(0.0, 1.0)
    if spec.transfer is not None:
        draws["transfer"] = _sampler(unit, seed, replication, f"transfer/{name}")
    if spec.repeat is not None:
        draws["repeat"] = _sampler(unit, seed, replication, f"repeat/{name}")
        draws["repeat_delay"] = _sampler(
            spec.repeat.delay, seed, replication, f"repeat_delay/{name}"
        )
    if spec.balking is not None and spec.balking.probability is not None:
        draws["balk"] = _sampler(unit, seed, replication, f"balk/{name}")
    return draws


def _build_queues(scenario: Scenario, seed: int, replication: int) -> list[Queue]:
    queues = []
    for index, spec in enumerate(scenario.queues):
        routing = scenario.routing_of(spec)
        threshold = scenario.service_level_of(spec).threshold
        queue = Queue(index, spec, routing, threshold, _queue_draws(spec, seed, replication))
        queue.agent_selection = agent_selection(
            routing.agent_selection, stream(seed, replication, f"routing/{spec.name}")
        )
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
            None,  # type: ignore[arg-type]  (the group adopts its pools)
            number,
            {queue_named[name]: levels[name] for name in skills},
            {queue_named[name]: factors[name] for name in skills},
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
    queues = _build_queues(scenario, seed, replication)
    groups = _build_groups(scenario, queues)
    router = Router(queues, contact_selection(scenario.routing.contact_selection))
    centre = Centre(env, queues, groups, router, recorder, scenario.closing, scenario.lines, end_s)
    for queue in queues:
        unit_exponential = Sampler(
            Exponential(1.0), stream(seed, replication, f"arrivals/{queue.name}")
        )
        times = arrival_times(rate_pieces(queue.spec.arrivals, clock, end_s), unit_exponential)
        env.process(centre.arrivals(queue, times))
    for group in groups:
        env.process(centre.staffing(group, staffing_changes(group.spec, clock, end_s)))
        if group.spec.rotation is not None:
            env.process(centre.rotation(group, rotation_times(group.spec, end_s)))
    if scenario.warmup > 0:
        env.timeout(scenario.warmup).callbacks.append(
            lambda _: [group.restart_busy_area(env.now) for group in centre.groups]
        )
    env.run(until=end_s)
    end_of_run = _close(env, centre, recorder, end_s)
    centre.finish(end_of_run)
    record = recorder.finish(replication, end_of_run)
    if isinstance(sink, ParquetLog):
        record.contact_log = sink.path
    return record


def _close(env: simpy.Environment, centre: Centre, recorder: Recorder, end_s: float) -> float:
    """Close the centre at the horizon and run until it is empty; the time the run ends."""
    if centre.closing == "stop":
        return end_s
    centre.close()
    if not centre.drained.triggered:
        try:
            env.run(until=centre.drained)
        except RuntimeError:  # nothing left to happen, yet some contact waits for nobody
            return max(end_s, recorder.last_change_s)
    return env.now
