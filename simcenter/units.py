"""Units of time: the only place where durations, rates and times of day are parsed.

A duration such as ``"20s"``, ``"4.5min"``, ``"2h"`` or ``"1d"`` becomes float
seconds, a rate such as ``"360/h"`` or ``"6/min"`` becomes float per second, and a
time of day such as ``"08:00"`` becomes seconds since midnight. Plain numbers are
already seconds (durations) or per second (rates).

Parsing is exact: the decimal number is multiplied by the unit as a fraction and
rounded to a float once, so ``"0.1h"`` is exactly ``360.0`` and ``"360/h"`` is the
float nearest to 0.1. The ``format_*`` functions are the inverse: their output
parses back to exactly the same float.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from fractions import Fraction
from numbers import Real

_UNIT_SECONDS: dict[str, Fraction] = {
    "ms": Fraction(1, 1000),
    "s": Fraction(1),
    "sec": Fraction(1),
    "min": Fraction(60),
    "h": Fraction(3600),
    "d": Fraction(86400),
}
_UNIT = "|".join(sorted(_UNIT_SECONDS, key=len, reverse=True))
# The exponent has at most three digits so that "1e999999999" cannot make Fraction
# build a huge integer; anything beyond 1e999 overflows a float anyway.
_NUMBER = r"(?P<sign>[+-]?)(?P<magnitude>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?)"
_DURATION = re.compile(rf"{_NUMBER}\s*(?P<unit>{_UNIT})?")
_RATE = re.compile(rf"{_NUMBER}\s*(?:/\s*(?P<unit>{_UNIT}))?")
_CLOCK = re.compile(r"(?P<hours>\d{1,2}):(?P<minutes>\d{2})(?::(?P<seconds>\d{2}))?")

_SECONDS_PER_DAY = 86400
# Units tried by the formatters, in order of preference.
_DURATION_FORMAT_UNITS = ("d", "h", "min", "s", "ms")
_RATE_FORMAT_UNITS = ("h", "min", "s", "d")
# A count with more significant digits than this is not worth showing in a unit
# other than the fallback one ("4.166666666666667min" is worse than "250s").
_READABLE_DIGITS = 6

# Combines a decimal number with a unit's length in seconds.
_Combine = Callable[[Fraction, Fraction], Fraction]


class UnitError(ValueError):
    """A value that is not a valid duration, rate or time of day.

    The message is the user-facing text, e.g. ``"4 minutes" is not a duration``;
    the scenario loader prefixes it with the file, line and key path.
    """


def parse_duration(value: str | int | float) -> float:
    """Parse a duration into seconds.

    Args:
        value: A plain number of seconds, or a string ``"<number><unit>"`` with
            optional spaces between number and unit, where the unit is one of
            ``ms, s, sec, min, h, d`` (``"20s"``, ``"4.5min"``, ``"1.5 h"``); a
            string without a unit is seconds (``"90"``). Negative values parse;
            their sign is checked by the scenario schema.

    Returns:
        The duration in seconds.

    Raises:
        UnitError: ``"<value>" is not a duration`` for anything else, including
            booleans, NaN and infinity.
    """
    seconds = _parse_quantity(value, _DURATION, operator.mul)
    if seconds is None:
        raise UnitError(f'"{value}" is not a duration')
    return seconds


def parse_rate(value: str | int | float) -> float:
    """Parse a rate into events per second.

    Args:
        value: A plain number per second, or a string ``"<number>/<unit>"`` with
            optional spaces, where the unit is one of ``ms, s, sec, min, h, d``
            (``"360/h"``, ``"6/min"``, ``"0.1/s"``, ``"100/d"``); a string
            without a unit is per second.

    Returns:
        The rate per second.

    Raises:
        UnitError: ``"<value>" is not a rate`` for anything else, including
            booleans, NaN and infinity.
    """
    per_second = _parse_quantity(value, _RATE, operator.truediv)
    if per_second is None:
        raise UnitError(f'"{value}" is not a rate')
    return per_second


def parse_clock(value: str) -> float:
    """Parse a time of day into seconds since midnight.

    Args:
        value: ``"HH:MM"`` or ``"HH:MM:SS"`` (a one-digit hour is accepted).
            ``"24:00"`` is allowed, as the end of a day, and gives 86400.

    Returns:
        Seconds since midnight, between 0 and 86400 inclusive.

    Raises:
        UnitError: ``"<value>" is not a time of day (HH:MM)`` for anything else,
            such as ``"24:30"``, ``"12:60"`` or a number.
    """
    match = _CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is not None:
        minutes = int(match["minutes"])
        seconds = int(match["seconds"] or 0)
        total = int(match["hours"]) * 3600 + minutes * 60 + seconds
        if minutes < 60 and seconds < 60 and total <= _SECONDS_PER_DAY:
            return float(total)
    raise UnitError(f'"{value}" is not a time of day (HH:MM)')


def format_duration(seconds: float) -> str:
    """Write a duration readably, so that `parse_duration` gives it back exactly.

    The unit is the largest of ``d, h, min, s, ms`` in which the duration is at
    least 1 and needs at most six significant digits (240.0 gives ``"4min"``,
    5400.0 gives ``"1.5h"``, 0.25 gives ``"250ms"``); otherwise it is written in
    seconds with full precision (``"250.00000000000003s"``, ``"0s"``).

    Args:
        seconds: A finite duration in seconds.

    Returns:
        The duration as a string such as ``"4min"``.

    Raises:
        ValueError: If ``seconds`` is NaN or infinite.
    """
    return _format_quantity(
        seconds, _DURATION_FORMAT_UNITS, "{}{}", operator.truediv, parse_duration
    )


def format_rate(per_second: float) -> str:
    """Write a rate readably, so that `parse_rate` gives it back exactly.

    The unit is the first of ``h, min, s, d`` in which the count is at least 1
    and needs at most six significant digits (0.1 gives ``"360/h"``); otherwise
    the rate is written per second with full precision.

    Args:
        per_second: A finite rate per second.

    Returns:
        The rate as a string such as ``"360/h"``.

    Raises:
        ValueError: If ``per_second`` is NaN or infinite.
    """
    return _format_quantity(per_second, _RATE_FORMAT_UNITS, "{}/{}", operator.mul, parse_rate)


def _parse_quantity(value: object, pattern: re.Pattern[str], combine: _Combine) -> float | None:
    """Parse a plain number or a ``<number><unit>`` string; None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Real):
        number = _to_float(value)
        return number if number is not None and math.isfinite(number) else None
    match = pattern.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    unit_seconds = _UNIT_SECONDS[match["unit"] or "s"]
    magnitude = _to_float(combine(Fraction(match["magnitude"]), unit_seconds))
    if magnitude is None:
        return None
    return -magnitude if match["sign"] == "-" else magnitude


def _format_quantity(
    value: float,
    units: tuple[str, ...],
    template: str,
    count_in_unit: _Combine,
    parse: Callable[[str], float],
) -> str:
    """Write ``value`` in the first readable unit that round-trips, else per second."""
    if not math.isfinite(value):
        raise ValueError(f"cannot format a non-finite value (got {value!r})")
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    magnitude = Fraction(abs(value))
    for unit in units:
        count = _to_float(count_in_unit(magnitude, _UNIT_SECONDS[unit]))
        if count is None or count < 1:
            continue
        text = _number_text(count)
        candidate = template.format(sign + text, unit)
        if _significant_digits(text) <= _READABLE_DIGITS and parse(candidate) == value:
            return candidate
    return template.format(sign + _number_text(abs(value)), "s")


def _to_float(number: Real) -> float | None:
    """``float(number)``, or None if it is too large for a float."""
    try:
        return float(number)
    except OverflowError:
        return None


def _number_text(number: float) -> str:
    """The shortest text that reads back as ``number``, without a trailing ``.0``."""
    text = repr(number)
    return text.removesuffix(".0")


def _significant_digits(text: str) -> int:
    """Significant digits of a number's text, ignoring trailing zeros (``"360"``: 2)."""
    mantissa = text.partition("e")[0]
    return len(mantissa.replace(".", "").strip("0"))
