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
from collections.abc import Callable, Iterable, Iterator

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
        boundaries = period_starts(spec, clock, clock.seconds_at(days, 0.0))
        starts = [at for at, _ in boundaries]
        indexes = [index for _, index in boundaries]
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


def period_starts(spec: PeriodsSpec, clock: ScenarioClock, end_s: float) -> list[tuple[float, int]]:
    """Every period start ``(seconds, period index)`` from the day before the start to
    past ``end_s``, in time order (periods skipped by a clock change left out)."""
    starts: list[tuple[float, int]] = []
    day = -1
    while not starts or starts[-1][0] < end_s:
        for index, time_of_day in enumerate(spec.starts()):
            at = clock.seconds_at(day, time_of_day)
            if starts and at <= starts[-1][0]:
                starts[-1] = (starts[-1][0], index)
            else:
                starts.append((at, index))
        day += 1
    return starts


def split_by_period(
    pieces: Iterable[tuple[float, float, float]],
    spec: PeriodsSpec,
    clock: ScenarioClock,
    end_s: float,
) -> Iterator[tuple[float, float, float, int]]:
    """Rate pieces ``(start_s, end_s, rate)`` cut at period boundaries, each with its period.

    Yields ``(start_s, end_s, rate, period index)``.
    """
    starts = period_starts(spec, clock, end_s)
    times = [at for at, _ in starts]
    for start, end, rate in pieces:
        position = max(bisect_right(times, start) - 1, 0)
        now = start
        while now < end:
            stop = times[position + 1] if position + 1 < len(times) else math.inf
            cut = min(end, stop)
            if cut > now:
                yield (now, cut, rate, starts[position][1])
            now = cut
            position += 1
