"""When contacts arrive: Poisson and piecewise-constant non-homogeneous Poisson.

The arrival rate of a queue is a sequence of pieces ``(start_s, end_s,
rate_per_s)``: one piece for a constant rate, or one per profile interval and
day (scaled by the weekday multiplier). Arrival times are generated exactly by
inverting the cumulative rate: a unit-mean exponential "need" is used up by
``rate * time`` across pieces, so a piece boundary does not disturb the
process (it is memoryless) and zero-rate gaps are simply skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from simcenter.clock import ScenarioClock
from simcenter.scenario import ArrivalsSpec

RatePiece = tuple[float, float, float]
"""``(start_s, end_s, rate_per_s)``: a constant rate on ``[start_s, end_s)``."""


def rate_pieces(arrivals: ArrivalsSpec, clock: ScenarioClock, end_s: float) -> Iterator[RatePiece]:
    """The queue's arrival rate as consecutive constant pieces covering ``[0, end_s)``.

    Pieces of rate 0 may be left out.
    """
    if arrivals.profile is None and not arrivals.weekdays:
        yield (0.0, end_s, arrivals.rate or 0.0)
        return
    day = clock.day_of(0.0)
    while clock.seconds_at(day, 0.0) < end_s:
        for start, end, rate in _pieces_of_day(arrivals, clock, day):
            start, end = max(start, 0.0), min(end, end_s)
            if start < end:
                yield (start, end, rate)
        day += 1


def _pieces_of_day(arrivals: ArrivalsSpec, clock: ScenarioClock, day: int) -> Iterator[RatePiece]:
    factor = arrivals.weekday_factor(clock.weekday(day))
    profile = arrivals.profile
    if profile is None:
        yield (
            clock.seconds_at(day, 0.0),
            clock.seconds_at(day + 1, 0.0),
            (arrivals.rate or 0.0) * factor,
        )
        return
    for index, volume in enumerate(profile.volumes):
        start = clock.seconds_at(day, profile.start + index * profile.interval)
        end = clock.seconds_at(day, profile.start + (index + 1) * profile.interval)
        if end > start and volume > 0:
            yield (start, end, volume * factor / (end - start))


def arrival_times(
    pieces: Iterator[RatePiece], unit_exponential: Callable[[], float]
) -> Iterator[float]:
    """Arrival times (seconds, increasing) of a Poisson process with a piecewise-constant rate.

    Args:
        pieces: Consecutive, non-overlapping constant-rate pieces in time order.
        unit_exponential: Draws one exponential variate with mean 1.
    """
    need = unit_exponential()
    for start, end, rate in pieces:
        now = start
        while rate > 0:
            gap = need / rate
            if now + gap >= end:
                need -= (end - now) * rate
                break
            now += gap
            yield now
            need = unit_exponential()
