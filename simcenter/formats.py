"""How figures are written for people: percentages, seconds, counts and loads.

Every figure a command prints goes through these functions, so that one
figure always looks the same: rates and levels as percentages with one
decimal (``87.6%``), durations in seconds with one decimal below 100 s and
whole above, with ``h:mm:ss`` beside them from 10 minutes on (``4.9 s``,
``2,834 s (0:47:14)``), counts as whole numbers with thousands
separators (``12,345``), offered loads in Erlangs with one decimal.
Differences carry their sign, those of rates and levels in percentage
points (``+5.6 pts``). A value that does not exist (NaN) is written ``-``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simcenter.records import RunMeta

MISSING = "-"
"""Text of a figure that does not exist (NaN), e.g. the ASA of a queue with no answer."""


def percent(fraction: float) -> str:
    """A fraction as a percentage with one decimal: 0.8757 -> ``87.6%``."""
    if math.isnan(fraction):
        return MISSING
    return f"{fraction * 100:.1f}%"


def percent_points(fraction: float) -> str:
    """A half-width of a fraction in percentage points, without the sign: 0.012 -> ``1.2``."""
    return f"{fraction * 100:.1f}"


def signed_percent_points(fraction: float) -> str:
    """A difference of fractions in percentage points, with its sign: 0.056 -> ``+5.6 pts``."""
    if math.isnan(fraction):
        return MISSING
    return f"{fraction * 100:+.1f} pts"


LONG_S = 600.0
"""From this many seconds on, a duration is also written as ``h:mm:ss``."""


def seconds(value: float) -> str:
    """A duration in seconds: one decimal below 100 s, whole with separators above.

    From :data:`LONG_S` on, the same as ``h:mm:ss`` follows in brackets, so
    that a long wait reads at a glance.

    >>> seconds(4.94), seconds(2834.4), seconds(float("inf"))
    ('4.9 s', '2,834 s (0:47:14)', 'unbounded')
    """
    if math.isnan(value):
        return MISSING
    if math.isinf(value):
        return "unbounded"
    text = f"{seconds_number(value)} s"
    return f"{text} ({clock(value)})" if abs(value) >= LONG_S else text


def signed_seconds(value: float) -> str:
    """A difference of durations with its sign, as :func:`seconds` writes them: ``-2.0 s``."""
    if math.isnan(value):
        return MISSING
    return f"{'+' if value >= 0 else '-'}{seconds(abs(value))}"


def clock(value: float) -> str:
    """Seconds as ``h:mm:ss``, rounded to the second: 4512.4 -> ``1:15:12``."""
    whole = round(abs(value))
    sign = "-" if value < 0 and whole else ""
    return f"{sign}{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def seconds_number(value: float) -> str:
    """The number part of :func:`seconds` (also used for a ``±`` half-width)."""
    return f"{value:.1f}" if abs(value) < 99.95 else f"{value:,.0f}"


def count(value: float) -> str:
    """A count (or a mean count per replication) as a whole number: 12345.4 -> ``12,345``."""
    if math.isnan(value):
        return MISSING
    return f"{round(value):,}"


def decimal(value: float) -> str:
    """A quantity with one decimal and separators (hours, half-widths of counts): ``1,234.5``."""
    if math.isnan(value):
        return MISSING
    return f"{value:,.1f}"


def money(value: float) -> str:
    """An amount of money with two decimals and separators: 1968.759 -> ``1,968.76``."""
    if math.isnan(value):
        return MISSING
    return f"{value:,.2f}"


def signed_money(value: float) -> str:
    """A difference of money with its sign: 256.857 -> ``+256.86``."""
    if math.isnan(value):
        return MISSING
    return f"{value:+,.2f}"


def erlangs(load: float) -> str:
    """An offered load in Erlangs, one decimal (two significant digits below 1).

    >>> erlangs(6.0), erlangs(255.34), erlangs(0.0472)
    ('6.0', '255.3', '0.047')
    """
    return f"{load:,.1f}" if load >= 1 else f"{load:.2g}"


def with_half_width(text: str, half_width: str | None) -> str:
    """``text ± half_width``, or ``text`` alone when there is no half-width."""
    return f"{text} ± {half_width}" if half_width is not None and text != MISSING else text


def duration_label(seconds: float) -> str:
    """A round duration for a title or a threshold: ``20 s``, ``2 min``, ``4 h``.

    >>> duration_label(20), duration_label(120), duration_label(14400), duration_label(90)
    ('20 s', '2 min', '4 h', '90 s')
    """
    for unit, size in (("h", 3600.0), ("min", 60.0)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def zone_name(meta: RunMeta) -> str:
    """The scenario time zone's name (``Europe/Berlin``, ``UTC``)."""
    zone = meta.start.tzinfo
    return str(getattr(zone, "key", None) or zone)
