"""Agent-group specs: how many agents are on duty, and which queues they serve.

A group's agents are rostered by a constant ``count`` or a ``staffing``
plan, and by ``shifts`` (:mod:`simcenter.scenario.shifts`), which may be
combined with either. A group's ``skills`` name the queues it serves, each
with a level (1 = primary, lower is preferred) and, in the long form, a
handle-time factor. A ``rotation`` makes the group work in task blocks: in
each block only one set of its skills is active.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Union

from pydantic import BeforeValidator, Field, model_validator

from simcenter.errors import describe
from simcenter.scenario.shifts import AbsenceSpec, OutageSpec, ShiftSpec
from simcenter.scenario.values import (
    DAY_S,
    MAX_AGENTS,
    WEEKDAYS,
    AgentCount,
    ClockSeconds,
    Flag,
    IntervalSeconds,
    Name,
    NonNegativeNumber,
    PositiveCount,
    PositiveNumber,
    PositiveSeconds,
    Spec,
    Weekday,
    clock_text,
    custom_error,
    exactly_one,
    integer_check,
)
from simcenter.units import format_duration

_Counts = Annotated[list[AgentCount], Field(min_length=1)]


class StaffingSpec(Spec):
    """Agents on duty per interval, as a workforce-management tool exports it.

    ``counts[k]`` agents are on duty from ``start + k * interval``. A plan
    that spans at most one day repeats daily; a longer one repeats every whole
    number of days it spans (a weekly plan repeats weekly). Instead of
    ``counts``, ``days`` gives one such list per weekday: each local day
    uses its weekday's list (a weekday not listed has no agent), each
    covering at most one day from ``start``. Outside the plan the count is 0.
    When the count drops, busy agents finish their contact (and wrap-up)
    before they leave.

    Attributes:
        interval: Length of each count's interval (seconds).
        start: Start of the first interval (seconds since midnight).
        counts: ``counts[k]`` agents are on duty from ``start + k × interval``
            (exclusive with ``days``).
        days: Weekday (``mon`` ... ``sun``) -> that day's counts, as in
            ``counts``; a weekday not listed has no agent (exclusive with ``counts``).
    """

    interval: IntervalSeconds = 1800.0
    start: ClockSeconds = 0.0
    counts: _Counts | None = None
    days: Annotated[dict[Weekday, _Counts], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _one_plan(self) -> StaffingSpec:
        exactly_one(self, ("counts", "days"))
        for weekday, counts in (self.days or {}).items():
            if self.interval * len(counts) > DAY_S + 1e-9:
                raise custom_error(
                    "staffing",
                    f"days.{weekday} must cover at most one day (got {len(counts)} counts of "
                    f"{format_duration(self.interval)} from {clock_text(self.start)})",
                )
        return self

    @property
    def period_s(self) -> float:
        """Repetition period (seconds): the whole days covering ``len(counts) * interval``.

        A plan of at most one day repeats daily, even when it runs past
        midnight (22:00 to 02:00); a seven-day plan repeats weekly; a plan by
        ``days`` repeats weekly.
        """
        if self.counts is None:
            return 7 * DAY_S
        return DAY_S * max(1, math.ceil(self.interval * len(self.counts) / DAY_S - 1e-9))

    @property
    def peak(self) -> int:
        """The most agents the plan ever has on duty at once."""
        lists = [self.counts] if self.counts is not None else list((self.days or {}).values())
        return max(max(counts) for counts in lists)

    def counts_on(self, weekday: int) -> list[int]:
        """The counts of a local day by its weekday (0 = Monday); empty if it has none.

        A plan by ``counts`` has the same counts every repetition.
        """
        if self.counts is not None:
            return self.counts
        return (self.days or {}).get(WEEKDAYS[weekday], [])  # type: ignore[call-overload]


# --- skills -------------------------------------------------------------------------


class SkillSpec(Spec):
    """How a group serves one queue (the long form of a skill).

    Attributes:
        priority: Skill level, 1 being the primary skill (lower is preferred).
        handle_time_factor: Multiplies the queue's handle time when an agent
            of this group answers (0.75: a quarter faster).
    """

    key_hints: ClassVar[dict[str, str]] = {
        "level": 'the long form calls the skill level "priority"'
    }

    priority: PositiveCount = 1
    handle_time_factor: PositiveNumber = 1.0


_level_check = integer_check(1, "a positive integer")
_SKILL_FORMS = "a skill level (a positive integer) or a mapping such as {priority: 1}"


def _skill_long_form(value: Any) -> Any:
    """Accept a skill level as the long form ``{priority: level}``."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, int | float):
        return {"priority": _level_check(value)}
    raise custom_error("skill", f"must be {_SKILL_FORMS} (got {describe(value)})")


def _skills_as_mapping(value: Any) -> Any:
    """Accept a list of queue names as a mapping of each to skill level 1."""
    if isinstance(value, list | dict) and not value:
        raise custom_error("too_short", "must not be empty")
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return dict.fromkeys(value, 1)
    expected = "a list of queue names or a mapping of queue name to level"
    raise custom_error("skills", f"must be {expected} (got {describe(value)})")


_Level = Annotated[int, Field(ge=1)]
Skill = Annotated[
    SkillSpec,
    BeforeValidator(_skill_long_form, json_schema_input_type=Union[_Level, SkillSpec]),  # noqa: UP007
]
"""A skill: its level, or the long form ``{priority, handle_time_factor}``."""
Skills = Annotated[
    dict[Name, Skill],
    BeforeValidator(
        _skills_as_mapping,
        json_schema_input_type=Union[  # noqa: UP007
            Annotated[list[str], Field(min_length=1)],
            Annotated[dict[str, Skill], Field(min_length=1)],
        ],
    ),
]
"""Queues served: ``[billing, tech]``, ``{billing: 1, tech: 2}`` or the long form per skill."""


# --- rotation -------------------------------------------------------------------------


class RotationSpec(Spec):
    """Task blocks: the group's agents work one set of their skills at a time.

    Attributes:
        every: Length of a block (seconds); the sets take turns in order.
        skill_sets: At least two non-empty lists of queue names, each among
            the group's skills; only the skills of the current set are active.
        stagger: If true, the agents of the group start the cycle at
            different sets, so that every set is covered at all times.
    """

    every: PositiveSeconds
    skill_sets: list[Annotated[list[Name], Field(min_length=1)]] = Field(min_length=2)
    stagger: Flag = False


# --- the group --------------------------------------------------------------------------


class AgentGroupSpec(Spec):
    """A group of interchangeable agents.

    A group needs at least one of ``count``, ``staffing`` and ``shifts``;
    ``count`` and ``staffing`` exclude each other, and either may be combined
    with ``shifts``. Its agents are those of ``count`` or ``staffing`` first
    (``<group>-001``, ...), then those of each shift in turn
    (``<group>-<shift name>-001``, ...).

    Attributes:
        name: Unique group name.
        count: Constant number of agents on duty (exclusive with ``staffing``).
        staffing: Agents on duty per interval.
        shifts: Shifts, each with its own agents, hours, weekdays and breaks.
        skills: Queue name -> skill level, 1 being the primary skill (lower is
            preferred). The YAML may give a list of queue names, all at level
            1, or per queue the long form ``{priority: 1, handle_time_factor: 0.75}``.
        cost_per_hour: Cost of one agent present for one hour (on break and
            overtime included).
        cost_per_contact: Cost of each contact the group's agents answer.
        overtime_factor: Pay factor of overtime, time present past the end of
            a shift or of the plan: ``overtime_factor × cost_per_hour`` an hour
            (1: paid as any hour, 1.25: a quarter more, 0: unpaid).
        absence: Unplanned absence of the shifts' agents.
        outages: Windows in which some present agents of the group are away.
        rotation: Task blocks between sets of the group's skills.
    """

    key_hints: ClassVar[dict[str, str]] = {
        "breaks": "breaks belong to a shift: shifts: [{start, end, count, breaks: [...]}]"
    }

    name: Name
    count: AgentCount | None = None
    staffing: StaffingSpec | None = None
    shifts: Annotated[list[ShiftSpec], Field(min_length=1)] | None = None
    skills: Skills
    cost_per_hour: NonNegativeNumber = 0.0
    cost_per_contact: NonNegativeNumber = 0.0
    overtime_factor: NonNegativeNumber = 1.0
    absence: AbsenceSpec | None = None
    outages: list[OutageSpec] = Field(default_factory=list)
    rotation: RotationSpec | None = None

    @model_validator(mode="after")
    def _rostered(self) -> AgentGroupSpec:
        if self.count is not None and self.staffing is not None:
            exactly_one(self, ("count", "staffing"))
        if self.count is None and self.staffing is None and self.shifts is None:
            raise custom_error(
                "exclusive", "needs at least one of count, staffing, shifts (got none)"
            )
        size = self.plan_agents + sum(shift.count for shift in self.shifts or [])
        if size > MAX_AGENTS:
            raise custom_error(
                "agents", f"must have at most {MAX_AGENTS:,} agents in all (got {size:,})"
            )
        return self

    @property
    def plan_agents(self) -> int:
        """The agents of ``count`` or ``staffing`` (the plan's highest count); 0 without either."""
        return self.staffing.peak if self.staffing is not None else self.count or 0

    @property
    def shift_names(self) -> list[str]:
        """The name of each shift: its own, else ``shift1``, ``shift2``, ... by position."""
        return [shift.name or f"shift{index + 1}" for index, shift in enumerate(self.shifts or [])]

    @property
    def skill_levels(self) -> dict[str, int]:
        """Queue name -> skill level (1 = primary)."""
        return {queue: skill.priority for queue, skill in self.skills.items()}

    @property
    def handle_time_factors(self) -> dict[str, float]:
        """Queue name -> factor on the queue's handle time (1.0 when not given)."""
        return {queue: skill.handle_time_factor for queue, skill in self.skills.items()}
