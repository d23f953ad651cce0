"""Tests of simcenter.arrivals: rate pieces of profiles, and the arrival times they produce.

``rate_pieces`` is checked exactly against pieces computed by hand (and, for
daylight-saving days, with ``zoneinfo``). ``arrival_times`` is checked exactly
on scripted exponential draws, and statistically (fixed seeds, alpha = 0.001)
on long runs: counts per profile interval match the expected volumes
(chi-square), daily counts are Poisson (index of dispersion), and the gaps of a
constant rate are exponential (Kolmogorov-Smirnov).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy import stats

from simcenter.arrivals import RatePiece, arrival_times, rate_pieces
from simcenter.clock import ScenarioClock
from simcenter.scenario import ArrivalsSpec

ALPHA = 0.001
HOUR = 3600.0
DAY = 86_400.0
MONDAY = datetime(2026, 1, 5, tzinfo=ZoneInfo("UTC"))
BERLIN = ZoneInfo("Europe/Berlin")


def pieces_of(arrivals: dict[str, Any], end_s: float, start: datetime = MONDAY) -> list[RatePiece]:
    """The rate pieces of ``arrivals`` on ``[0, end_s)`` from ``start``, zero-rate ones left out."""
    spec = ArrivalsSpec.model_validate(arrivals)
    pieces = rate_pieces(spec, ScenarioClock(start), end_s)
    return [piece for piece in pieces if piece[2] > 0]


def volume_between(pieces: Iterable[RatePiece], low: float, high: float) -> float:
    """Expected contacts in ``[low, high)`` seconds: the integral of the rate."""
    return sum(rate * max(0.0, min(end, high) - max(start, low)) for start, end, rate in pieces)


def unit_exponentials(seed: int) -> Callable[[], float]:
    """Independent exponential draws with mean 1 from a fixed-seed generator."""
    rng = np.random.default_rng(seed)
    return lambda: float(rng.exponential())


def elapsed(start: datetime, day: int, hour: float) -> float:
    """Elapsed seconds from ``start`` to wall-clock ``hour`` on local day ``day`` after it."""
    date = start.date() + timedelta(days=day)
    wall = datetime(date.year, date.month, date.day, tzinfo=start.tzinfo) + timedelta(hours=hour)
    return wall.timestamp() - start.timestamp()


# --- rate_pieces -----------------------------------------------------------------


def test_constant_rate_is_one_piece_over_the_whole_run() -> None:
    """A homogeneous rate covers ``[0, end)`` at that rate."""
    spec = ArrivalsSpec.model_validate({"rate": "360/h"})
    assert list(rate_pieces(spec, ScenarioClock(MONDAY), 5000.0)) == [(0.0, 5000.0, 0.1)]


def test_profile_pieces_start_at_the_offset_and_are_zero_outside() -> None:
    """Volumes 10, 20, 0, 30 from 08:00 in 1-h intervals: pieces 08-10 and 11-12 on each day."""
    profile = {"interval": "1h", "start": "08:00", "volumes": [10, 20, 0, 30]}
    expected = [
        (day * DAY + hour * HOUR, day * DAY + (hour + 1) * HOUR, volume / HOUR)
        for day in range(2)
        for hour, volume in [(8, 10), (9, 20), (11, 30)]
    ]
    assert pieces_of({"profile": profile}, end_s=2 * DAY) == expected


def test_profile_is_cut_at_the_end_of_the_run() -> None:
    """A run ending at 09:30 keeps half of the 09:00 interval at the full rate."""
    profile = {"interval": "1h", "start": "08:00", "volumes": [10, 20]}
    assert pieces_of({"profile": profile}, end_s=9.5 * HOUR) == [
        (8 * HOUR, 9 * HOUR, 10 / HOUR),
        (9 * HOUR, 9.5 * HOUR, 20 / HOUR),
    ]


@pytest.mark.parametrize(
    "arrivals",
    [
        {"profile": {"interval": "1h", "start": "12:00", "volumes": [36]}},
        {"rate": "1.5/h"},
    ],
    ids=["profile", "rate"],
)
def test_weekday_multipliers_scale_each_calendar_day(arrivals: dict[str, Any]) -> None:
    """Saturday counts half and Sunday nothing; a Monday start makes day 5 a Saturday."""
    pieces = pieces_of({**arrivals, "weekdays": {"sat": 0.5, "sun": 0}}, end_s=14 * DAY)
    daily = [volume_between(pieces, day * DAY, (day + 1) * DAY) for day in range(14)]
    assert daily == pytest.approx([36.0] * 5 + [18.0, 0.0] + [36.0] * 5 + [18.0, 0.0], rel=1e-12)


@pytest.mark.parametrize(
    ("first_day", "day_hours"),
    [("2026-03-29", 23), ("2026-10-25", 25)],
    ids=["clocks forward", "clocks back"],
)
def test_profile_follows_wall_clock_hours_on_a_daylight_saving_day(
    first_day: str, day_hours: int
) -> None:
    """Hourly volumes of 10 from 00:00 to 24:00 in Europe/Berlin on a 23-h and a 25-h day.

    Every piece starts at its wall-clock hour. On the short day the hour
    02:00-03:00 does not exist and brings no volume; on the long day it lasts
    two hours and keeps its volume.
    """
    start = datetime.fromisoformat(first_day).replace(tzinfo=BERLIN)
    profile = {"interval": "1h", "start": "00:00", "volumes": [10] * 24}
    pieces = pieces_of({"profile": profile}, end_s=day_hours * HOUR, start=start)
    expected_starts = sorted({elapsed(start, 0, hour) for hour in range(24)})
    assert [piece[0] for piece in pieces] == expected_starts
    assert pieces[-1][1] == elapsed(start, 1, 0) == day_hours * HOUR
    assert volume_between(pieces, 0, day_hours * HOUR) == pytest.approx(
        10 * min(day_hours, 24), rel=1e-12
    )


def test_half_hour_profile_pieces_stay_in_time_order_on_the_spring_forward_day() -> None:
    """Half-hourly volumes from 01:00 to 04:00 in Europe/Berlin on 29 March 2026.

    02:00-03:00 does not exist that day: the pieces must still be in time
    order and must not overlap (``arrival_times`` requires it). They are
    01:00-02:00 and 03:00-04:00 local time, i.e. 1-3 h after the start.
    """
    start = datetime(2026, 3, 29, tzinfo=BERLIN)
    profile = {"interval": "30min", "start": "01:00", "volumes": [10] * 6}
    pieces = pieces_of({"profile": profile}, end_s=23 * HOUR, start=start)
    for (_, end, _), (next_start, _, _) in itertools.pairwise(pieces):
        assert end <= next_start
    assert [piece[:2] for piece in pieces] == [
        (HOUR, 1.5 * HOUR),
        (1.5 * HOUR, 2 * HOUR),
        (2 * HOUR, 2.5 * HOUR),
        (2.5 * HOUR, 3 * HOUR),
    ]
    times = list(arrival_times(iter(pieces), unit_exponentials(7)))
    assert times == sorted(times)


# --- arrival_times ---------------------------------------------------------------


def test_arrival_times_carry_the_unused_draw_across_pieces() -> None:
    """Scripted draws 0.5, 1, 0.5: arrivals at 5 s, then after a zero-rate gap at 21 s.

    On [0, 10) at rate 0.1 the first draw arrives at 5; the second needs 1,
    of which [5, 10) uses 0.5; [10, 20) has rate 0; at rate 0.5 the remaining
    0.5 takes 1 s, so 21. The third draw is 0.5 = 1 s at rate 0.5: 22.
    """
    draws = iter([0.5, 1.0, 0.5, 100.0])
    pieces = [(0.0, 10.0, 0.1), (10.0, 20.0, 0.0), (20.0, 30.0, 0.5)]
    assert list(arrival_times(iter(pieces), lambda: next(draws))) == [5.0, 21.0, 22.0]


def profile_arrivals(days: int, seed: int) -> np.ndarray:
    """Arrival times (seconds from a Monday) of a 4-hour profile from 08:00 with weekday factors."""
    arrivals = {
        "profile": {"interval": "1h", "start": "08:00", "volumes": [5, 20, 50, 10]},
        "weekdays": {"sat": 0.5, "sun": 0},
    }
    spec = ArrivalsSpec.model_validate(arrivals)
    pieces = rate_pieces(spec, ScenarioClock(MONDAY), days * DAY)
    return np.fromiter(arrival_times(pieces, unit_exponentials(seed)), dtype=float)


def calendar(times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day number, hour of day and weekday (0 = Monday) of UTC times from the Monday start."""
    day = (times // DAY).astype(int)
    return day, (times % DAY) // HOUR, day % 7


def test_profile_arrivals_fall_only_inside_the_profile_hours() -> None:
    """No arrival before 08:00, after 12:00, or on a Sunday (factor 0)."""
    _, hour, weekday = calendar(profile_arrivals(days=364, seed=1))
    assert set(np.unique(hour)) == {8, 9, 10, 11}
    assert set(np.unique(weekday)) == {0, 1, 2, 3, 4, 5}


def test_counts_per_profile_interval_match_the_volumes() -> None:
    """Chi-square over (weekday or Saturday) x interval cells of 52 weeks, at alpha 0.001."""
    _, hour, weekday = calendar(profile_arrivals(days=364, seed=2))
    volumes = np.array([5, 20, 50, 10])
    observed, expected = [], []
    for days, factor, selected in [(52 * 5, 1.0, weekday < 5), (52, 0.5, weekday == 5)]:
        observed += [np.sum(selected & (hour == 8 + index)) for index in range(4)]
        expected += list(volumes * factor * days)
    statistic = np.sum((np.array(observed) - expected) ** 2 / np.array(expected))
    assert stats.chi2.sf(statistic, df=len(expected)) > ALPHA


def test_daily_counts_in_an_interval_are_poisson() -> None:
    """Index of dispersion of 260 weekday counts of the 10:00 interval (mean 50) ~ chi2(260)."""
    day, hour, weekday = calendar(profile_arrivals(days=364, seed=3))
    weekdays = [number for number in range(364) if number % 7 < 5]
    counts = np.bincount(day[(hour == 10) & (weekday < 5)], minlength=364)[weekdays]
    dispersion = np.sum((counts - 50.0) ** 2) / 50.0
    tail = min(stats.chi2.sf(dispersion, len(counts)), stats.chi2.cdf(dispersion, len(counts)))
    assert 2 * tail > ALPHA


@pytest.mark.parametrize("piece_s", [1e9, 7.0], ids=["one piece", "pieces of 7 s"])
def test_gaps_of_a_constant_rate_are_exponential(piece_s: float) -> None:
    """10^4 gaps at 1/60 per second pass a KS test against Exponential(mean 60 s).

    Splitting the same rate into many short pieces must not change the process.
    """
    end = 10_000 * 60.0
    edges = np.append(np.arange(0.0, end, piece_s), end)
    pieces = ((low, high, 1 / 60) for low, high in itertools.pairwise(edges))
    times = np.fromiter(arrival_times(pieces, unit_exponentials(4)), dtype=float)
    gaps = np.diff(times, prepend=0.0)
    assert stats.kstest(gaps, "expon", args=(0, 60)).pvalue > ALPHA
    assert (gaps > 0).all()
    assert times[-1] < end


def test_arrivals_within_an_interval_are_uniform() -> None:
    """Given its count, a Poisson interval's arrivals are uniform on it (KS, alpha 0.001).

    The four profile intervals have different rates; the position of each
    arrival within its hour must be uniform regardless.
    """
    times = profile_arrivals(days=364, seed=5)
    assert stats.kstest((times % HOUR) / HOUR, "uniform").pvalue > ALPHA
