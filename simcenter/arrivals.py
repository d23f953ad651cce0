"""When contacts arrive: Poisson and piecewise-constant non-homogeneous Poisson.

The arrival rate of a queue is a sequence of pieces ``(start_s, end_s,
rate_per_s)``: one piece for a constant rate, or one per profile interval and
day, scaled by the day's factor: the queue's weekday and date multipliers,
the scenario's ``calendar`` (same keys) and the day's random busyness
factor, if any (:mod:`simcenter.busyness`). Arrival times are generated exactly by
inverting the cumulative rate: a unit-mean exponential "need" is used up by
``rate * time`` across pieces, so a piece boundary does not disturb the
process (it is memoryless) and zero-rate gaps are simply skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from simcenter.clock import ScenarioClock
from simcenter.scenario import ArrivalsSpec, CalendarSpec

RatePiece = tuple[float, float, float]
"""``(start_s, end_s, rate_per_s)``: a constant rate on ``[start_s, end_s)``."""


def rate_pieces(
    arrivals: ArrivalsSpec,
    clock: ScenarioClock,
    end_s: float,
    calendar: CalendarSpec | None = None,
    busyness: Sequence[float] | None = None,
) -> Iterator[RatePiece]:
    """The queue's arrival rate as consecutive constant pieces covering ``[0, end_s)``.

    Pieces of rate 0 may be left out.

    Args:
        arrivals: The queue's arrivals.
        clock: The scenario clock (days are local calendar days).
        end_s: End of the simulated time (seconds).
        calendar: The scenario-wide multipliers, if any.
        busyness: The random factor of each day (index 0 = the start's
            date), covering every day up to ``end_s``; None = 1 every day.
    """
    by_day = (
        arrivals.profile is not None
        or arrivals.weekdays
        or arrivals.dates
        or busyness is not None
        or (calendar is not None and (calendar.weekdays or calendar.dates))
    )
    if not by_day:
        yield (0.0, end_s, arrivals.rate or 0.0)
        return
    day = clock.day_of(0.0)
    while clock.seconds_at(day, 0.0) < end_s:
        factor = day_factor(arrivals, calendar, clock, day)
        if busyness is not None:
            factor *= busyness[day]
        if factor > 0:
            for start, end, rate in _pieces_of_day(arrivals, clock, day, factor):
                start, end = max(start, 0.0), min(end, end_s)
                if start < end:
                    yield (start, end, rate)
        day += 1


def day_factor(
    arrivals: ArrivalsSpec, calendar: CalendarSpec | None, clock: ScenarioClock, day: int
) -> float:
    """The deterministic volume multiplier of local day ``day``: the queue's weekday and
    date factors times the scenario calendar's."""
    date = clock.date(day)
    factor = arrivals.day_factor(date)
    return factor * calendar.factor(date) if calendar is not None else factor


def _pieces_of_day(
    arrivals: ArrivalsSpec, clock: ScenarioClock, day: int, factor: float
) -> Iterator[RatePiece]:
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
