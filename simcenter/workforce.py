"""A group's workforce at run time: its presence sources and its scheduled agents.

:func:`group_sources` builds, for one agent group, the presence sources the
engine starts, in this order: the staffing plan (``count`` or ``staffing``,
:class:`~simcenter.presence.StaffingPlan`), the shifts with their breaks and
absence (:class:`~simcenter.rostering.ShiftRoster`), the outages
(:class:`~simcenter.absence.Outages`). :func:`scheduled_seconds` gives the
scheduled agent-seconds per reporting interval (the plan's count and every
shift occurrence's agents, absent ones included): what the group was meant
to have, against which presence is measured.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from simcenter.absence import AbsenceDraws, Outages
from simcenter.agents import staffing_changes
from simcenter.clock import ScenarioClock
from simcenter.presence import PresenceSource, presence_sources
from simcenter.rostering import ShiftRoster, WorkforceRecord
from simcenter.rota import ShiftTime, outage_times, shift_times

if TYPE_CHECKING:
    from simcenter.agents import AgentGroup
    from simcenter.scenario import AgentGroupSpec, Scenario


def group_sources(
    group: AgentGroup,
    scenario: Scenario,
    record: WorkforceRecord,
    seed: int,
    replication: int,
) -> list[PresenceSource]:
    """The presence sources of one group, in the order they start.

    Args:
        group: The group at run time.
        scenario: The scenario (its start, time zone and horizon).
        record: Where absent periods and delayed breaks go (the recorder).
        seed: Base seed (absence streams ``absence/<agent name>``).
        replication: Replication number.
    """
    spec = group.spec
    end_s = scenario.end_s
    clock = ScenarioClock(scenario.start_at)
    sources = presence_sources([group], [staffing_changes(spec, clock, end_s)])
    if spec.shifts:
        absence = (
            AbsenceDraws(spec.absence.probability, seed, replication)
            if spec.absence is not None and spec.absence.probability > 0
            else None
        )
        occurrences = shift_times(group.index, spec, scenario.start_at, end_s)
        sources.append(ShiftRoster(group, occurrences, record, absence))
    if spec.outages:
        sources.append(Outages(group, outage_times(group.index, spec, scenario.start_at, end_s)))
    return sources


def scheduled_seconds(
    index: int, spec: AgentGroupSpec, scenario: Scenario, edges: np.ndarray
) -> np.ndarray:
    """Scheduled agent-seconds of one group per reporting interval.

    The plan's count over time plus, for every shift occurrence, its
    ``count`` agents from its start to its end (absent agents included).

    Args:
        index: Index of the group.
        spec: The group.
        scenario: The scenario.
        edges: Reporting interval boundaries (seconds).

    Returns:
        One value per interval (``len(edges) - 1``).
    """
    end_s = scenario.end_s
    clock = ScenarioClock(scenario.start_at)
    steps: list[tuple[float, int]] = []
    previous = 0
    for time, count in staffing_changes(spec, clock, end_s):
        steps.append((time, count - previous))
        previous = count
    occurrences: Iterable[ShiftTime] = (
        shift_times(index, spec, scenario.start_at, end_s) if spec.shifts else ()
    )
    for occurrence in occurrences:
        steps += [(occurrence.start_s, occurrence.count), (occurrence.end_s, -occurrence.count)]
    return _step_integral(steps, edges)


def _step_integral(steps: list[tuple[float, int]], edges: np.ndarray) -> np.ndarray:
    """Per bin of ``edges``, the integral of the step function that changes by each step."""
    if not steps:
        return np.zeros(len(edges) - 1)
    steps.sort()
    times = np.array([time for time, _ in steps], dtype=np.float64)
    levels = np.cumsum([delta for _, delta in steps]).astype(np.float64)
    last = max(float(times[-1]), float(edges[-1]))
    times = np.append(times, last)
    cumulative = np.concatenate([[0.0], np.cumsum(levels * np.diff(times))])
    return np.diff(np.interp(edges, times, cumulative))
