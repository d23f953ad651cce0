"""The rota: when each agent of a group is rostered, its breaks, and its outages, in seconds.

A group's ``shifts`` are written in wall-clock times and weekdays, each in
its own time zone; the engine works in seconds from the scenario start. The
rota is the bridge: every occurrence of a shift in the run becomes one
:class:`ShiftTime` (which agents of the group, from when to when, with which
breaks), and every outage one :class:`OutageTime`. The presence sources of
shifts, breaks, absence and outages read only these; :func:`shift_times`
and :func:`outage_times` compute them for one group.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, time
from operator import attrgetter
from zoneinfo import ZoneInfo

from simcenter.clock import ScenarioClock
from simcenter.scenario import WEEKDAYS, AgentGroupSpec
from simcenter.scenario.shifts import BreakSpec, ShiftSpec


@dataclass(frozen=True, slots=True)
class BreakTime:
    """One break of every agent of a shift occurrence.

    Attributes:
        start_s: When the break is due (seconds from the run's start). An agent
            busy then takes it when its contact (and wrap-up) ends.
        duration_s: Its length (seconds), kept in full from when it is taken.
    """

    start_s: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class ShiftTime:
    """One occurrence of a shift: ``count`` agents of the group rostered from start to end.

    Attributes:
        group: Index of the agent group.
        shift: Index of the shift in the group's ``shifts`` list.
        day: The local date the occurrence starts on, in the shift's time
            zone, as days after the scenario start's local date (in the
            scenario's zone); may be -1 for a night shift that began before
            the run.
        start_s: Start (seconds from the run's start; may be negative for an
            occurrence already running at time 0).
        end_s: End (seconds; after ``start_s``). Agents busy then finish their
            contact (overtime).
        first_agent: Index, within the group's agents, of the shift's first
            agent; the shift's agents are ``first_agent .. first_agent + count - 1``
            (the same agents on every day the shift runs).
        count: Number of agents of the shift.
        breaks: Each agent's breaks during this occurrence, in time order.
    """

    group: int
    shift: int
    day: int
    start_s: float
    end_s: float
    first_agent: int
    count: int
    breaks: tuple[BreakTime, ...] = ()


@dataclass(frozen=True, slots=True)
class OutageTime:
    """An outage: ``agents`` present agents of a group away for a window.

    Attributes:
        group: Index of the agent group.
        start_s: Start (seconds from the run's start).
        duration_s: Length of the window (seconds).
        agents: How many present agents it takes away (all present ones if fewer).
    """

    group: int
    start_s: float
    duration_s: float
    agents: int


# --- the calendar: shifts and outages of a group in seconds -------------------------------

BY_START = attrgetter("start_s")
"""Sort key of breaks and outages: their start."""


def shift_times(group: int, spec: AgentGroupSpec, start: datetime, end_s: float) -> list[ShiftTime]:
    """Every occurrence of a group's shifts that overlaps ``[0, end_s)``, in time order.

    Each shift occurs on each local date of its time zone whose weekday is
    one of its ``days``, from ``start`` to ``end`` on the wall clock of that
    zone (the next date's ``end`` for a night shift), so on a day when the
    clocks change it lasts an hour less or more. An occurrence that began
    before time 0 and is still running is included (negative ``start_s``).
    An occurrence that the clocks skip entirely (its hours fall in the hour
    that does not exist) is left out. Breaks: ``at`` is that time on the
    occurrence's date (the next date for a night shift when it is before
    ``start``), ``after`` counts real time from the occurrence's start; a
    break due at or after the occurrence's end (possible only on a short
    daylight-saving day) is left out.

    Args:
        group: Index of the group in the scenario (copied into each ShiftTime).
        spec: The group.
        start: Calendar time of simulation time 0, timezone-aware, in the
            scenario's zone (``Scenario.start_at``); a shift without its own
            ``timezone`` is in this zone.
        end_s: End of the simulated time (seconds; ``Scenario.end_s``).

    Returns:
        The occurrences ordered by start, then by shift index.
    """
    first_agents = _first_agents(spec)
    occurrences = [
        occurrence
        for index, shift in enumerate(spec.shifts or [])
        for occurrence in _occurrences(
            ShiftTime(group, index, 0, 0.0, 0.0, first_agents[index], shift.count),
            shift,
            start,
            end_s,
        )
    ]
    return sorted(occurrences, key=attrgetter("start_s", "shift"))


def _occurrences(
    template: ShiftTime, shift: ShiftSpec, start: datetime, end_s: float
) -> Iterator[ShiftTime]:
    """The occurrences of one shift that overlap ``[0, end_s)``, in time order.

    ``template`` gives the group, shift index, first agent and count of each.
    """
    zone = ZoneInfo(shift.timezone) if shift.timezone is not None else start.tzinfo
    local = start.astimezone(zone)
    clock = ScenarioClock(local)
    offset_days = (local.replace(tzinfo=None).date() - start.replace(tzinfo=None).date()).days
    weekdays = {WEEKDAYS.index(day) for day in shift.days}
    day = clock.day_of(0.0) - 1
    while (begin := clock.seconds_at(day, shift.start)) < end_s:
        finish = clock.seconds_at(day, shift.start + shift.length_s)
        if clock.weekday(day) in weekdays and finish > max(begin, 0.0):
            breaks = [_break_time(item, clock, day, shift.start, begin) for item in shift.breaks]
            breaks = sorted((due for due in breaks if due.start_s < finish), key=BY_START)
            yield replace(
                template, day=day + offset_days, start_s=begin, end_s=finish, breaks=tuple(breaks)
            )
        day += 1


def _first_agents(spec: AgentGroupSpec) -> list[int]:
    """Index, within the group's agents, of each shift's first agent.

    The agents of ``count`` or ``staffing`` come first, then each shift's in turn.
    """
    first = spec.plan_agents
    firsts = []
    for shift in spec.shifts or []:
        firsts.append(first)
        first += shift.count
    return firsts


def _break_time(
    item: BreakSpec, clock: ScenarioClock, day: int, shift_start: float, begin_s: float
) -> BreakTime:
    """A break of the occurrence of a shift that starts on local ``day`` at ``begin_s``."""
    if item.at is None:
        return BreakTime(begin_s + (item.after or 0.0), item.duration)
    return BreakTime(clock.seconds_at(day, shift_start + item.offset_s(shift_start)), item.duration)


def outage_times(
    group: int, spec: AgentGroupSpec, start: datetime, end_s: float
) -> list[OutageTime]:
    """The group's outages that overlap ``[0, end_s)``, in time order.

    An ``at`` without an offset is a wall-clock time in the scenario's zone
    (a time the clocks skip means the instant of the change; a repeated
    time, its first occurrence); with an offset it is that instant. An outage
    that began before time 0 and is still running is included (negative
    ``start_s``).

    Args:
        group: Index of the group in the scenario (copied into each OutageTime).
        spec: The group.
        start: Calendar time of simulation time 0, timezone-aware, in the
            scenario's zone (``Scenario.start_at``).
        end_s: End of the simulated time (seconds).
    """
    clock = ScenarioClock(start)
    first_date = start.replace(tzinfo=None).date()
    outages = []
    for outage in spec.outages:
        at = outage.at
        if at.tzinfo is None:
            midnight = datetime.combine(at.date(), time())
            begin = clock.seconds_at((at.date() - first_date).days, (at - midnight).total_seconds())
        else:
            begin = (at - start).total_seconds()
        if begin < end_s and begin + outage.duration > 0:
            outages.append(OutageTime(group, begin, outage.duration, outage.agents))
    return sorted(outages, key=BY_START)
