"""Times whose distribution depends on the period of the day of the contact's arrival.

A queue's ``handle_time``, ``wrap_up`` or ``patience`` may be given per
period of the day (:class:`~simcenter.scenario.PeriodsSpec`). A contact
still takes one Uniform(0, 1) value from the purpose's stream, in its place
in the queue's sequence, and :class:`PeriodTime` maps it through the
quantile function of the distribution of the period in which the contact
arrived. So changing one period's parameters changes only the values of the
contacts arriving in that period, and every contact keeps its rank (common
random numbers).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable

import numpy as np

from simcenter import distributions as dist
from simcenter.clock import ScenarioClock
from simcenter.scenario import PeriodsSpec


def _quantile_function(distribution: dist.Distribution) -> Callable[[float], float]:
    """A fast scalar quantile function of ``distribution``."""
    if isinstance(distribution, dist.Exponential):
        mean = distribution.mean
        return lambda u: -mean * math.log1p(-u)
    if isinstance(distribution, dist.Constant):
        value = distribution.mean
        return lambda u: value
    return lambda u: float(distribution.quantile(np.array([u]))[0])


class PeriodTime:
    """Maps a contact's uniform draw and arrival time to its period's value (seconds).

    Args:
        spec: The periods and their distributions.
        clock: The scenario clock: periods are wall-clock times of day.
        days: Local days (from the start's date) for which the period
            boundaries are computed ahead; later times are looked up on the
            clock.
    """

    __slots__ = ("_clock", "_indexes", "_quantiles", "_spec", "_starts")

    def __init__(self, spec: PeriodsSpec, clock: ScenarioClock, days: int) -> None:
        self._spec = spec
        self._clock = clock
        self._quantiles = [_quantile_function(d) for d in spec.distributions()]
        starts: list[float] = []
        indexes: list[int] = []
        for day in range(-1, days + 1):
            for index, time_of_day in enumerate(spec.starts()):
                at = clock.seconds_at(day, time_of_day)
                if starts and at <= starts[-1]:  # a period skipped by a clock change
                    indexes[-1] = index
                    continue
                starts.append(at)
                indexes.append(index)
        self._starts = starts
        self._indexes = indexes

    def period_at(self, seconds: float) -> int:
        """The period (index into the spec's values) of a contact arriving at ``seconds``."""
        position = bisect_right(self._starts, seconds) - 1
        if 0 <= position < len(self._starts) - 1:
            return self._indexes[position]
        return self._spec.index_at(self._clock.time_of_day(seconds))

    def __call__(self, uniform: float, arrival_s: float) -> float:
        """The value (seconds) of a contact with draw ``uniform`` arriving at ``arrival_s``."""
        return self._quantiles[self.period_at(arrival_s)](uniform)
