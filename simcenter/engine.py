"""One replication of a scenario on a ``simpy.Environment``.

:func:`run_replication` wires queues, agent groups, the router and the
recorder together, starts the arrival and staffing processes, runs to the end
of the horizon, closes the centre (``closing``) and returns the raw facts.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from simcenter.agents import AgentGroup, group_size, staffing_changes
from simcenter.arrivals import arrival_times, rate_pieces
from simcenter.centre import Centre
from simcenter.clock import ScenarioClock
from simcenter.distributions import Distribution, Exponential, Sampler
from simcenter.recorder import Recorder
from simcenter.records import OUTCOMES, ReplicationRecord, RunMeta
from simcenter.routing import Queue
from simcenter.scenario import DistributionSpec, Scenario
from simcenter.streams import stream

_ALWAYS_REPORTED = ("answered", "abandoned", "disconnected", "in_system")


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
        outcomes=tuple(outcome for outcome in OUTCOMES if outcome in _ALWAYS_REPORTED),
        warmup_s=scenario.warmup,
        horizon_s=scenario.horizon,
        interval_s=scenario.interval,
        start=scenario.start_at,
    )


def _sampler(
    spec: DistributionSpec | Distribution | None, seed: int, replication: int, name: str
) -> Callable[[], float]:
    if spec is None:
        return lambda: math.inf
    distribution = spec if isinstance(spec, Distribution) else spec.build()
    return Sampler(distribution, stream(seed, replication, name))


def _build_queues(scenario: Scenario, seed: int, replication: int) -> list[Queue]:
    return [
        Queue(
            index,
            spec,
            handle_time=_sampler(spec.handle_time, seed, replication, f"handle/{spec.name}"),
            wrap_up=_sampler(spec.wrap_up, seed, replication, f"wrap/{spec.name}"),
            patience=_sampler(spec.patience, seed, replication, f"patience/{spec.name}"),
        )
        for index, spec in enumerate(scenario.queues)
    ]


def _build_groups(scenario: Scenario) -> list[AgentGroup]:
    groups = []
    first_agent = 0
    for index, spec in enumerate(scenario.agents):
        size = group_size(spec)
        groups.append(AgentGroup(index, spec, first_agent, size))
        first_agent += size
    return groups


def run_replication(
    scenario: Scenario, replication: int = 0, seed: int | None = None
) -> ReplicationRecord:
    """Simulate one replication and return its raw facts.

    Args:
        scenario: The validated scenario.
        replication: Replication number; with the seed it selects the random streams.
        seed: Base seed; ``scenario.seed`` when None.
    """
    seed = scenario.seed if seed is None else seed
    env = simpy.Environment()
    clock = ScenarioClock(scenario.start_at)
    end_s = scenario.end_s
    recorder = Recorder(scenario.warmup)
    centre = Centre(
        env,
        _build_queues(scenario, seed, replication),
        _build_groups(scenario),
        recorder,
        scenario.closing,
    )
    for queue in centre.queues:
        unit_exponential = Sampler(
            Exponential(1.0), stream(seed, replication, f"arrivals/{queue.name}")
        )
        times = arrival_times(rate_pieces(queue.spec.arrivals, clock, end_s), unit_exponential)
        env.process(centre.arrivals(queue, times))
    for group in centre.groups:
        env.process(centre.staffing(group, staffing_changes(group.spec, clock, end_s)))
    if scenario.warmup > 0:
        env.timeout(scenario.warmup).callbacks.append(
            lambda _: [group.restart_busy_area(env.now) for group in centre.groups]
        )
    env.run(until=end_s)
    end_of_run = _close(env, centre, recorder, end_s)
    centre.finish(end_of_run)
    return ReplicationRecord(
        replication=replication,
        end_s=end_of_run,
        contacts=recorder.contact_columns(),
        presence=recorder.presence_columns(),
        busy_area_s=np.array([group.busy_area_s for group in centre.groups]),
    )


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
