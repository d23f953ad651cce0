"""The rota: when each agent of a group is rostered, its breaks, and its outages, in seconds.

A group's ``shifts`` are written in wall-clock times and weekdays, each in
its own time zone; the engine works in seconds from the scenario start. The
rota is the bridge: every occurrence of a shift in the run becomes one
:class:`ShiftTime` (which agents of the group, from when to when, with which
breaks), and every outage one :class:`OutageTime`. The presence sources of
shifts, breaks, absence and outages read only these.
"""

from __future__ import annotations

from dataclasses import dataclass


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
            zone, as days after the scenario start's local date (may be -1 for
            a night shift that began before the run).
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
