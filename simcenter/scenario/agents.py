"""Agent-group specs: how many agents are on duty, and which queues they serve.

A group's ``skills`` name the queues it serves, each with a level (1 =
primary, lower is preferred) and, in the long form, a handle-time factor. A
``rotation`` makes the group work in task blocks: in each block
only one set of its skills is active.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Union

from pydantic import BeforeValidator, Field, model_validator

from simcenter.errors import describe
from simcenter.scenario.values import (
    DAY_S,
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
    custom_error,
    exactly_one,
    integer_check,
)


class StaffingSpec(Spec):
    """Agents on duty per interval, as a workforce-management tool exports it.

    ``counts[k]`` agents are on duty from ``start + k * interval``. A plan
    that spans at most one day repeats daily; a longer one repeats every whole
    number of days it spans (a weekly plan repeats weekly). Outside the plan
    the count is 0. When the count drops, busy agents finish their contact
    (and wrap-up) before they leave.
    """

    interval: IntervalSeconds = 1800.0
    start: ClockSeconds = 0.0
    counts: list[AgentCount] = Field(min_length=1)

    @property
    def period_s(self) -> float:
        """Repetition period (seconds): the whole days covering ``len(counts) * interval``.

        A plan of at most one day repeats daily, even when it runs past
        midnight (22:00 to 02:00); a seven-day plan repeats weekly.
        """
        return DAY_S * max(1, math.ceil(self.interval * len(self.counts) / DAY_S - 1e-9))


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

    Attributes:
        name: Unique group name.
        count: Constant number of agents on duty (exclusive with ``staffing``).
        staffing: Agents on duty per interval.
        skills: Queue name -> skill level, 1 being the primary skill (lower is
            preferred). The YAML may give a list of queue names, all at level
            1, or per queue the long form ``{priority: 1, handle_time_factor: 0.75}``.
        cost_per_hour: Cost of one agent on duty for one hour.
        rotation: Task blocks between sets of the group's skills.
    """

    name: Name
    count: AgentCount | None = None
    staffing: StaffingSpec | None = None
    skills: Skills
    cost_per_hour: NonNegativeNumber = 0.0
    rotation: RotationSpec | None = None

    @model_validator(mode="after")
    def _one_staffing(self) -> AgentGroupSpec:
        exactly_one(self, ("count", "staffing"))
        return self

    @property
    def skill_levels(self) -> dict[str, int]:
        """Queue name -> skill level (1 = primary)."""
        return {queue: skill.priority for queue, skill in self.skills.items()}

    @property
    def handle_time_factors(self) -> dict[str, float]:
        """Queue name -> factor on the queue's handle time (1.0 when not given)."""
        return {queue: skill.handle_time_factor for queue, skill in self.skills.items()}
