"""Distributions whose parameters vary with the time of day of the contact's arrival.

``handle_time: {periods: {interval: 2h, start: "08:00", values: [...]}}``:
value ``i`` holds for contacts arriving from ``start + i·interval`` (local
wall-clock time in the scenario's time zone) until the next value's start;
the last value holds until the first starts again the next day. ``patience``
and ``wrap_up`` take the same form. How a contact's value is drawn from them
(one uniform per contact, mapped through its period's distribution) is in
:mod:`simcenter.draws`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Union

from pydantic import Discriminator, Field, Tag, model_validator

from simcenter import distributions as dist
from simcenter.scenario.distributions import DistributionSpec
from simcenter.scenario.values import (
    DAY_S,
    ClockSeconds,
    IntervalSeconds,
    Spec,
    clock_text,
    custom_error,
)
from simcenter.units import format_duration


class PeriodValuesSpec(Spec):
    """The distributions of consecutive periods of the day.

    Attributes:
        interval: Length of each period (seconds).
        start: Time of day when the first period begins (seconds since midnight).
        values: One distribution per period, in time order; at most as many
            as fit in one day. The last holds until ``start`` the next day.
    """

    interval: IntervalSeconds
    start: ClockSeconds = 0.0
    values: list[DistributionSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _fit_in_a_day(self) -> PeriodValuesSpec:
        fit = int(DAY_S // self.interval + 1e-9)
        if len(self.values) > fit:
            raise custom_error(
                "periods",
                f"values: at most {fit} periods of {format_duration(self.interval)} fit in "
                f"one day (got {len(self.values)} values from {clock_text(self.start)})",
            )
        return self


class PeriodsSpec(Spec):
    """A distribution per period of the day of the contact's arrival (see the module).

    Attributes:
        periods: The periods and their distributions.
    """

    key_hints: ClassVar[dict[str, str]] = {
        "distribution": "with periods, each period's value is a distribution: "
        "{periods: {interval, start, values: [{distribution: ...}, ...]}}",
    }

    periods: PeriodValuesSpec

    def distributions(self) -> list[dist.Distribution]:
        """The distribution of each period, in order."""
        return [value.build() for value in self.periods.values]

    def starts(self) -> list[float]:
        """Time of day (seconds since midnight, from ``start`` on, may pass 24h) of each period."""
        spec = self.periods
        return [spec.start + index * spec.interval for index in range(len(spec.values))]

    def index_at(self, time_of_day_s: float) -> int:
        """The period of a contact arriving at wall-clock ``time_of_day_s`` (s since midnight)."""
        since = (time_of_day_s - self.periods.start) % DAY_S
        return min(int(since // self.periods.interval), len(self.periods.values) - 1)

    def shares(self) -> list[float]:
        """The fraction of the day that each period holds (they sum to 1)."""
        count, interval = len(self.periods.values), self.periods.interval
        lengths = [interval] * (count - 1) + [DAY_S - interval * (count - 1)]
        return [length / DAY_S for length in lengths]

    def build(self) -> dist.Distribution:
        """The distribution of a contact arriving at a uniformly random time of day.

        A summary for what needs one distribution (Erlang estimates, lint);
        the engine draws each contact from its own period's distribution.
        """
        built = self.distributions()
        if len(built) == 1:
            return built[0]
        return dist.Mixture(tuple(built), tuple(self.shares()))


def _kind(value: Any) -> str:
    """``periods`` for a mapping with a ``periods`` key (and no ``distribution``), else
    ``distribution``."""
    if isinstance(value, PeriodsSpec):
        return "periods"
    if isinstance(value, dict) and "periods" in value and "distribution" not in value:
        return "periods"
    return "distribution"


TimeSpec = Annotated[
    Union[  # noqa: UP007 (the Union form keeps the tagged members readable to pydantic)
        Annotated[DistributionSpec, Tag("distribution")],
        Annotated[PeriodsSpec, Tag("periods")],
    ],
    Discriminator(_kind),
]
"""A queue's time distribution: one distribution, or one per period of the day."""
