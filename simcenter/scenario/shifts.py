"""Workforce specs of an agent group: shifts with their breaks, absence and outages.

A shift is written in wall-clock time in its own time zone: ``count`` agents
work from ``start`` to ``end`` on the listed weekdays, the same agents every
day. A shift belongs to the day it starts; ``end`` at or before ``start``
means it ends the next day. On a day when the clocks change, it keeps its
wall-clock hours (a night shift from 22:00 to 06:00 then lasts 7 or 9
hours). :mod:`simcenter.rota` turns these into seconds of the run.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, get_args

from pydantic import Field, ValidationInfo, field_validator, model_validator

from simcenter.errors import describe
from simcenter.scenario.values import (
    DAY_S,
    WEEKDAYS,
    AgentCount,
    CalendarTime,
    ClockSeconds,
    FractionBelowOne,
    Name,
    PositiveCount,
    PositiveSeconds,
    Spec,
    TimeZoneName,
    Weekday,
    clock_text,
    custom_error,
    exactly_one,
)
from simcenter.units import format_duration


class BreakSpec(Spec):
    """A break of every agent of a shift: at a time of day, or after so long on duty.

    An agent busy when the break is due takes it when its contact (and
    wrap-up) ends, and keeps its full length from then.

    Attributes:
        at: Wall-clock time the break is due, in the shift's time zone
            (exclusive with ``after``); in a shift across midnight, a time
            before ``start`` is on the next day.
        after: Time from the start of the shift after which the break is
            due (seconds; exclusive with ``at``).
        duration: Length of the break (seconds).
    """

    at: ClockSeconds | None = None
    after: PositiveSeconds | None = None
    duration: PositiveSeconds

    @model_validator(mode="after")
    def _one_time(self) -> BreakSpec:
        exactly_one(self, ("at", "after"))
        return self

    def offset_s(self, shift_start: float) -> float:
        """When the break is due, in wall-clock seconds after the start of its shift."""
        if self.at is None:
            return self.after or 0.0
        return (self.at - shift_start) % DAY_S

    def text(self) -> str:
        """The break as written: ``at 12:00 for 30min`` or ``after 2h for 15min``."""
        if self.at is not None:
            return f"at {clock_text(self.at)} for {format_duration(self.duration)}"
        return f"after {format_duration(self.after or 0.0)} for {format_duration(self.duration)}"


def _length_s(start: float, end: float) -> float:
    """Wall-clock length of a shift (seconds): ``end`` at or before ``start`` is the next day."""
    return end - start if end > start else end + DAY_S - start


def _every_day() -> list[Weekday]:
    return list(get_args(Weekday))


class ShiftSpec(Spec):
    """A shift: ``count`` agents of the group work from ``start`` to ``end`` on ``days``.

    Attributes:
        name: Name of the shift, in its agents' names (``<group>-<name>-001``);
            default ``shift1``, ``shift2``, ... by position.
        start: Wall-clock start, in the shift's time zone.
        end: Wall-clock end; at or before ``start`` means the next day (a
            night shift); equal to ``start`` is an error.
        count: Number of agents of the shift: the same agents on every day it runs.
        days: Weekdays on which the shift starts (a night shift belongs to
            the day it starts).
        timezone: IANA name of the zone of ``start``, ``end`` and the breaks'
            ``at`` (default: the scenario's).
        breaks: Each agent's breaks during the shift, none overlapping another.
    """

    name: Name | None = None
    start: ClockSeconds
    end: ClockSeconds
    count: AgentCount
    days: Annotated[list[Weekday], Field(min_length=1)] = Field(default_factory=_every_day)
    timezone: TimeZoneName | None = None
    breaks: list[BreakSpec] = Field(default_factory=list)

    @field_validator("start")
    @classmethod
    def _start_within_day(cls, start: float) -> float:
        if start >= DAY_S:
            raise custom_error("clock", f"must be before 24:00 (got {clock_text(start)})")
        return start

    @field_validator("end")
    @classmethod
    def _end_not_start(cls, end: float, info: ValidationInfo) -> float:
        start = info.data.get("start")
        if start is not None and end == start:
            raise custom_error(
                "shift",
                f"must differ from start (got {clock_text(start)} to {clock_text(end)}): "
                "a shift that ends when it starts has no length",
            )
        return end

    @field_validator("days")
    @classmethod
    def _distinct_days(cls, days: list[str]) -> list[str]:
        repeated = sorted({day for day in days if days.count(day) > 1}, key=WEEKDAYS.index)
        if repeated:
            raise custom_error("days", f"lists {', '.join(repeated)} more than once")
        return days

    @field_validator("breaks")
    @classmethod
    def _breaks_within_shift(cls, breaks: list[BreakSpec], info: ValidationInfo) -> list[BreakSpec]:
        start, end = info.data.get("start"), info.data.get("end")
        if start is None or end is None:
            return breaks
        length = _length_s(start, end)
        for index, item in enumerate(breaks):
            if item.offset_s(start) + item.duration > length + 1e-9:
                raise custom_error(
                    "break",
                    f"breaks[{index}] ({item.text()}) must lie within the shift "
                    f"({clock_text(start)} to {clock_text(end)}, {format_duration(length)})",
                )
        ordered = sorted(range(len(breaks)), key=lambda index: breaks[index].offset_s(start))
        for first, second in itertools.pairwise(ordered):
            earlier = breaks[first]
            if earlier.offset_s(start) + earlier.duration > breaks[second].offset_s(start):
                raise custom_error(
                    "break",
                    f"breaks[{second}] ({breaks[second].text()}) overlaps "
                    f"breaks[{first}] ({earlier.text()})",
                )
        return breaks

    @property
    def length_s(self) -> float:
        """Wall-clock length (seconds): more than 0, at most one day."""
        return _length_s(self.start, self.end)


class AbsenceSpec(Spec):
    """Unplanned absence: each agent misses each whole shift occurrence with a probability.

    Attributes:
        probability: Chance that an agent misses one occurrence of its shift,
            drawn independently per agent and occurrence.
    """

    probability: FractionBelowOne


class OutageSpec(Spec):
    """A window in which some present agents of the group are away (a meeting, a failure).

    Attributes:
        at: Start, a wall-clock date and time in the scenario's time zone
            (unless it carries an offset).
        duration: Length of the window (seconds).
        agents: How many present agents leave (all present ones if fewer):
            idle ones first, the most recently idle first, then busy ones
            when their contact ends.
    """

    at: CalendarTime
    duration: PositiveSeconds
    agents: PositiveCount

    @field_validator("at", mode="before")
    @classmethod
    def _written_date_time(cls, value: Any) -> Any:
        """A number is not a date and time (pydantic would read it as seconds since 1970)."""
        if isinstance(value, int | float):
            raise custom_error(
                "datetime",
                f"must be a date and time such as 2026-01-05T10:00 (got {describe(value)})",
            )
        return value
