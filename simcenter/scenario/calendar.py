"""Demand over the calendar: multipliers by weekday and by date, and random busy days.

A queue's volumes are multiplied, day by day in the scenario's time zone, by
its ``weekdays`` and ``dates`` factors, by the scenario-wide ``calendar``
(the same keys) and by the random ``busyness`` factors of the day (the
scenario's and the queue's own; :mod:`simcenter.busyness` draws them).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema, model_validator

from simcenter.errors import describe
from simcenter.scenario.values import (
    WEEKDAYS,
    NonNegativeNumber,
    Spec,
    Weekday,
    custom_error,
)

MAX_BUSYNESS_CV = 100.0
"""Largest coefficient of variation of a busyness factor."""

MAX_UNIFORM_BUSYNESS_CV = 1 / math.sqrt(3)
"""Largest cv of a uniform busyness factor: Uniform(0, 2) has mean 1 and this cv."""


def _to_date(value: Any) -> date:
    """An ISO calendar date (``2026-12-24``) from YAML text or a date."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise custom_error("date", f"must be a date such as 2026-12-24 (got {describe(value)})")


CalendarDate = Annotated[
    date,
    BeforeValidator(_to_date),
    PlainSerializer(date.isoformat, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date", "description": "2026-12-24"}),
]
"""A calendar day in the scenario's time zone, written ``YYYY-MM-DD``."""


def _one(value: Any) -> float:
    """The mean of a busyness factor, which must be 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != 1:
        raise custom_error(
            "mean",
            f"must be 1 (got {describe(value)}): busyness varies the volumes around "
            "their profile; scale them with weekdays, dates or calendar instead",
        )
    return 1.0


class CalendarSpec(Spec):
    """Volume multipliers by calendar day (a factor >= 0; 0 = closed; unlisted days: 1).

    Attributes:
        weekdays: Multiplier of each weekday (``mon`` ... ``sun``).
        dates: Multiplier of special dates (``2026-12-24: 0.6``), in the
            scenario's time zone; it multiplies the weekday's.
    """

    weekdays: dict[Weekday, NonNegativeNumber] = Field(default_factory=dict)
    dates: dict[CalendarDate, NonNegativeNumber] = Field(default_factory=dict)

    def factor(self, day: date) -> float:
        """The multiplier of calendar day ``day``: its weekday's times its date's."""
        weekday = self.weekdays.get(WEEKDAYS[day.weekday()], 1.0)  # type: ignore[call-overload]
        return float(weekday) * self.dates.get(day, 1.0)


class BusynessSpec(Spec):
    """A random factor per calendar day on the volumes, with mean 1.

    Attributes:
        distribution: ``gamma`` (default), ``lognormal`` or ``uniform``
            (on ``[1 - cv·√3, 1 + cv·√3]``, so cv at most 1/√3).
        mean: Must be 1: busyness moves volumes up and down around the
            profile, it does not scale them (use ``weekdays``, ``dates`` or
            ``calendar`` for that).
        cv: Coefficient of variation of the factor (0 = no randomness).
    """

    distribution: Literal["gamma", "lognormal", "uniform"] = "gamma"
    mean: Annotated[float, BeforeValidator(_one)] = 1.0
    cv: NonNegativeNumber

    @model_validator(mode="after")
    def _cv_in_range(self) -> BusynessSpec:
        high = MAX_UNIFORM_BUSYNESS_CV if self.distribution == "uniform" else MAX_BUSYNESS_CV
        if self.cv > high + 1e-12:
            kind = "a uniform" if self.distribution == "uniform" else "a"
            raise custom_error(
                "cv", f"{kind} busyness factor needs cv at most {high:.4g} (got {self.cv:g})"
            )
        return self
