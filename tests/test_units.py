"""Tests of simcenter.units: parsing and formatting of durations, rates and clock times."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcenter.units import (
    UnitError,
    format_duration,
    format_rate,
    parse_clock,
    parse_duration,
    parse_rate,
)

# Seconds per unit as an exact fraction (numerator, denominator).
UNIT_SECONDS = {
    "ms": (1, 1000),
    "s": (1, 1),
    "sec": (1, 1),
    "min": (60, 1),
    "h": (3600, 1),
    "d": (86400, 1),
}
finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("20s", 20.0),
        ("4.5min", 270.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        ("90", 90.0),
        ("1.5 h", 5400.0),
        ("250ms", 0.25),
        ("30sec", 30.0),
        (" 20s ", 20.0),
        (".5min", 30.0),
        ("1e3s", 1000.0),
        ("0.1h", 360.0),
        ("-5min", -300.0),
        ("+5min", 300.0),
        (90, 90.0),
        (4.5, 4.5),
    ],
)
def test_parse_duration_gives_seconds(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    ["4 minutes", "", "s", "5m", "5 mins", "1,5h", "h5", "5h h", "1e9999s", "nan", "inf", "5/h"],
)
def test_parse_duration_rejects_non_durations(text: str) -> None:
    with pytest.raises(UnitError) as raised:
        parse_duration(text)
    assert str(raised.value) == f'"{text}" is not a duration'


@pytest.mark.parametrize("value", [True, None, math.nan, math.inf, -math.inf, [5], 10**400])
def test_parse_duration_rejects_non_numbers(value: object) -> None:
    with pytest.raises(UnitError) as raised:
        parse_duration(value)  # type: ignore[arg-type]
    assert str(raised.value) == f'"{value}" is not a duration'


def test_unit_error_is_a_value_error() -> None:
    assert issubclass(UnitError, ValueError)


@pytest.mark.parametrize(
    ("text", "per_second"),
    [
        ("360/h", 0.1),
        ("6/min", 0.1),
        ("0.1/s", 0.1),
        ("100/d", 100 / 86400),
        ("360 / h", 0.1),
        ("0.1", 0.1),
        (0.1, 0.1),
        (2, 2.0),
    ],
)
def test_parse_rate_gives_per_second(text: str | float, per_second: float) -> None:
    assert parse_rate(text) == per_second


@pytest.mark.parametrize("text", ["360 per hour", "360/", "/h", "360h", "360/hour", "nan/h"])
def test_parse_rate_rejects_non_rates(text: str) -> None:
    with pytest.raises(UnitError) as raised:
        parse_rate(text)
    assert str(raised.value) == f'"{text}" is not a rate'


@pytest.mark.parametrize("value", [False, None, math.nan, math.inf])
def test_parse_rate_rejects_non_numbers(value: object) -> None:
    with pytest.raises(UnitError) as raised:
        parse_rate(value)  # type: ignore[arg-type]
    assert str(raised.value) == f'"{value}" is not a rate'


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00", 0.0),
        ("08:00", 28800.0),
        ("8:30", 30600.0),
        ("12:34:56", 45296.0),
        ("23:59:59", 86399.0),
        ("24:00", 86400.0),
        ("24:00:00", 86400.0),
    ],
)
def test_parse_clock_gives_seconds_since_midnight(text: str, seconds: float) -> None:
    assert parse_clock(text) == seconds


@pytest.mark.parametrize(
    "value", ["24:01", "24:00:01", "25:00", "12:60", "12:00:60", "8", "8:0", "08-00", "", 720]
)
def test_parse_clock_rejects_invalid_times(value: object) -> None:
    with pytest.raises(UnitError) as raised:
        parse_clock(value)  # type: ignore[arg-type]
    assert str(raised.value) == f'"{value}" is not a time of day (HH:MM)'


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (240.0, "4min"),
        (5400.0, "1.5h"),
        (86400.0, "1d"),
        (129600.0, "1.5d"),
        (20.0, "20s"),
        (250.0, "250s"),
        (0.25, "250ms"),
        (0.0, "0s"),
        (-240.0, "-4min"),
    ],
)
def test_format_duration_uses_the_largest_readable_unit(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("per_second", "text"),
    [(0.1, "360/h"), (1 / 240, "15/h"), (100 / 86400, "100/d"), (0.5, "1800/h"), (0.0, "0/s")],
)
def test_format_rate_prefers_per_hour(per_second: float, text: str) -> None:
    assert format_rate(per_second) == text


@pytest.mark.parametrize("formatter", [format_duration, format_rate])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_formatting_rejects_non_finite_values(
    formatter: Callable[[float], str], value: float
) -> None:
    with pytest.raises(ValueError, match="cannot format a non-finite value"):
        formatter(value)


@settings(max_examples=1000)
@given(finite_floats)
def test_duration_round_trips_exactly(seconds: float) -> None:
    parsed = parse_duration(format_duration(seconds))
    assert parsed == seconds
    assert math.copysign(1.0, parsed) == math.copysign(1.0, seconds)


@settings(max_examples=1000)
@given(finite_floats)
def test_rate_round_trips_exactly(per_second: float) -> None:
    parsed = parse_rate(format_rate(per_second))
    assert parsed == per_second
    assert math.copysign(1.0, parsed) == math.copysign(1.0, per_second)


@given(
    st.integers(-(10**6), 10**6), st.sampled_from(sorted(UNIT_SECONDS)), st.text(" ", max_size=2)
)
def test_whole_numbers_of_units_parse_exactly(count: int, unit: str, spaces: str) -> None:
    numerator, denominator = UNIT_SECONDS[unit]
    assert parse_duration(f"{count}{spaces}{unit}") == count * numerator / denominator
    assert parse_rate(f"{count}{spaces}/{spaces}{unit}") == count * denominator / numerator
