"""How figures are written for people: percentages, seconds, counts and loads.

Every figure a command prints goes through these functions, so that one
figure always looks the same: rates and levels as percentages with one
decimal (``87.6%``), durations in seconds with one decimal below 100 s and
whole above (``4.9 s``, ``2,834 s``), counts as whole numbers with thousands
separators (``12,345``), offered loads in Erlangs with one decimal. A value
that does not exist (NaN) is written ``-``.
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


def seconds(value: float) -> str:
    """A duration in seconds: one decimal below 100 s, whole with separators above.

    >>> seconds(4.94), seconds(2834.4), seconds(float("inf"))
    ('4.9 s', '2,834 s', 'unbounded')
    """
    if math.isnan(value):
        return MISSING
    if math.isinf(value):
        return "unbounded"
    return f"{seconds_number(value)} s"


def seconds_number(value: float) -> str:
    """The number part of :func:`seconds` (also used for a ``±`` half-width)."""
    return f"{value:.1f}" if abs(value) < 99.95 else f"{value:,.0f}"


def count(value: float) -> str:
    """A count (or a mean count per replication) as a whole number: 12345.4 -> ``12,345``."""
    if math.isnan(value):
        return MISSING
    return f"{round(value):,}"


def money(value: float) -> str:
    """An amount of money with two decimals and separators: 1968.759 -> ``1,968.76``."""
    if math.isnan(value):
        return MISSING
    return f"{value:,.2f}"


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
