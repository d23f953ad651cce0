"""Value types of the scenario format: durations, rates, times of day, counts, names.

Each type is an annotated Python type whose validator reads what a planner
writes in YAML (``"4.5min"``, ``"360/h"``, ``"08:00"``) into float seconds, per
second or seconds since midnight, and rejects everything else with a message
naming the expectation and the value found. Each also carries its JSON Schema,
so that editors accept ``"20s"`` where a number is also allowed, and its JSON
form, which reads back as exactly the same number.

This module also holds :class:`Spec`, the base of every scenario model, and
the helpers that the models share.
"""

from __future__ import annotations

import difflib
import math
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from simcenter.errors import describe
from simcenter.text import canonical_name, hidden_character, printable
from simcenter.units import (
    UnitError,
    format_duration,
    format_rate,
    parse_clock,
    parse_duration,
    parse_rate,
)

DAY_S = 86_400.0
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
RESERVED_QUEUE_NAME = "ALL"
"""The name of the total row of the reports, which no queue may take (whatever its case)."""
Channel = Literal["voice", "video"]
"""How a queue's contacts reach the centre; both are real time (a call, a video call)."""
CHANNELS: tuple[str, ...] = get_args(Channel)
"""The channels of this version, in the order the reports list them."""
LATER_CHANNELS: tuple[str, ...] = ("chat", "email")
"""Channels of later versions: refused as values of ``channel``, their total rows reserved."""


def channel_row_name(channel: str) -> str:
    """The name of a channel's total row in the reports (``ALL voice``), which no queue may take."""
    return f"{RESERVED_QUEUE_NAME} {channel}"


RESERVED_ROW_NAMES: tuple[str, ...] = (
    RESERVED_QUEUE_NAME,
    *(channel_row_name(channel) for channel in (*CHANNELS, *LATER_CHANNELS)),
)
"""Every total-row name of the reports: ``ALL``, then one per channel (``ALL voice``, ...)."""

# --- limits (docs/limits.md): values beyond them cannot be simulated sensibly ------------
MAX_DURATION_S = 36_500 * DAY_S
"""Longest duration of any kind (100 years, seconds)."""
MAX_SIMULATED_S = 3_650 * DAY_S
"""Longest horizon, and longest warm-up (10 years, seconds)."""
MAX_RATE = 1_000.0
"""Highest arrival rate (per second: 3,600,000/h)."""
MAX_COUNT = 1_000_000_000
"""Largest count of any kind."""
MAX_AGENTS = 100_000
"""Most agents in one group at any time."""
MAX_REPLICATIONS = 100_000
"""Most replications of one run."""
MAX_SEED = 2**63 - 1
"""Largest seed."""
MAX_NUMBER = 1e9
"""Largest plain number (volumes, factors, weights, costs, multipliers)."""
MAX_FILE_BYTES = 10_000_000
"""Largest file simcenter reads: a scenario, or the values of an empirical distribution."""
MIN_STEP_S = 1.0
"""Shortest horizon and shortest reporting interval (seconds)."""
MAX_INTERVALS = 200_000
"""Most reporting intervals in ``warmup + horizon`` (a year has 35,040 of 15 minutes)."""

# JSON Schema patterns of the strings units.py accepts (non-negative values only),
# so that editors accept "20s" and "360/h" where a number is also allowed.
_NUMBER_PATTERN = r"\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?"
_UNIT_PATTERN = r"(ms|sec|min|s|h|d)"
DURATION_PATTERN = rf"^\s*{_NUMBER_PATTERN}\s*{_UNIT_PATTERN}?\s*$"
RATE_PATTERN = rf"^\s*{_NUMBER_PATTERN}\s*(/\s*{_UNIT_PATTERN})?\s*$"
CLOCK_PATTERN = r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"


# --- shared helpers ---------------------------------------------------------------


def custom_error(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose message is complete, ready for the user."""
    return PydanticCustomError(kind, "{message}", {"message": message})


class Spec(BaseModel):
    """Base of every scenario model: immutable, and unknown keys are errors.

    Attributes:
        key_hints: Keys that belong elsewhere -> where they belong; the
            message of such an unknown key says so instead of guessing.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    key_hints: ClassVar[dict[str, str]] = {}


def exactly_one(owner: BaseModel, keys: tuple[str, ...]) -> None:
    """Raise unless exactly one of the optional ``keys`` of ``owner`` is given.

    Raises:
        PydanticCustomError: ``needs exactly one of cv, sd (got both)``; with
            more than two keys, ``(got none)`` or the keys given.
    """
    given = [key for key in keys if getattr(owner, key) is not None]
    if len(given) == 1:
        return
    if not given:
        got = "neither" if len(keys) == 2 else "none"
    else:
        got = "both" if len(given) == len(keys) == 2 else ", ".join(given)
    raise custom_error("exclusive", f"needs exactly one of {', '.join(keys)} (got {got})")


def clock_text(seconds: float) -> str:
    """``"HH:MM"`` (``"HH:MM:SS"`` if needed) of seconds since midnight; may pass ``24:00``."""
    minutes, second = divmod(round(seconds), 60)
    text = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{second:02d}" if second else text


# --- validators -------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unit_error(error: UnitError, value: Any, expected: str) -> PydanticCustomError:
    """Text values keep units.py's message; other values say what was expected."""
    if isinstance(value, str):
        return custom_error("unit", str(error))
    return custom_error("unit", f"must be {expected} (got {describe(value)})")


def _to_seconds(
    value: Any, *, positive: bool, maximum: float = MAX_DURATION_S, minimum: float = 0.0
) -> float:
    try:
        seconds = parse_duration(value)
    except UnitError as error:
        raise _unit_error(
            error, value, 'a duration such as "4.5min" or a number of seconds'
        ) from None
    if seconds < 0 or (positive and seconds == 0):
        kind = "positive" if positive else "non-negative"
        raise custom_error("duration", f"must be a {kind} duration (got {describe(value)})")
    if seconds > maximum:
        raise custom_error(
            "duration", f"must be at most {format_duration(maximum)} (got {describe(value)})"
        )
    if seconds < minimum:
        raise custom_error(
            "duration", f"must be at least {format_duration(minimum)} (got {describe(value)})"
        )
    return seconds


def _to_rate(value: Any) -> float:
    try:
        rate = parse_rate(value)
    except UnitError as error:
        raise _unit_error(error, value, 'a rate such as "360/h" or a number per second') from None
    if rate < 0:
        raise custom_error("rate", f"must be a non-negative rate (got {describe(value)})")
    if rate > MAX_RATE:
        raise custom_error(
            "rate", f"must be at most {format_rate(MAX_RATE)} (got {describe(value)})"
        )
    return rate


def _to_clock(value: Any) -> float:
    try:
        return parse_clock(value)
    except UnitError as error:
        raise _unit_error(error, value, 'a time of day such as "08:00"') from None


def integer_check(minimum: int | None, kind: str, maximum: int = MAX_COUNT) -> Callable[[Any], int]:
    """A validator of integers from ``minimum`` to ``maximum``; ``kind`` names them in messages."""

    def check(value: Any) -> int:
        too_small = minimum is not None and isinstance(value, int) and value < minimum
        if not isinstance(value, int) or isinstance(value, bool) or too_small:
            raise custom_error("integer", f"must be {kind} (got {describe(value)})")
        if abs(value) > maximum:
            limit = f"{-maximum:,} to {maximum:,}" if minimum is None else f"at most {maximum:,}"
            raise custom_error("integer", f"must be {limit} (got {describe(value)})")
        return value

    return check


def _number_check(
    low: float, high: float, *, low_open: bool, high_open: bool, kind: str
) -> Callable[[Any], float]:
    """A validator of finite numbers between ``low`` and ``high`` (each end open or closed).

    ``kind`` names the range in messages; a number above a large ``high`` says
    ``must be at most ...``.
    """

    def check(value: Any) -> float:
        finite = _is_number(value) and math.isfinite(value)
        above = finite and (value > low if low_open else value >= low)
        inside = above and (value < high if high_open else value <= high)
        if above and not inside and high >= MAX_NUMBER:
            raise custom_error("number", f"must be at most {high:,.0f} (got {describe(value)})")
        if not inside:
            raise custom_error("number", f"must be {kind} (got {describe(value)})")
        return float(value)

    return check


def number_range(low: float, high: float) -> Callable[[Any], float]:
    """A validator of numbers from ``low`` to ``high``: ``must be a number from 0.001 to 100``."""
    kind = f"a number from {low:g} to {high:g}"
    return _number_check(low, high, low_open=False, high_open=False, kind=kind)


def _to_flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise custom_error("flag", f"must be true or false (got {describe(value)})")
    return value


def _to_name(value: Any) -> str:
    """A name trimmed and in NFC form; no control or invisible characters."""
    if isinstance(value, str) and value.strip():
        name = canonical_name(value)
        hidden = hidden_character(name)
        if hidden is not None:
            position, code = hidden
            raise custom_error(
                "name",
                f"must not contain control or invisible characters (got {code} at "
                f"position {position} of {describe(printable(name))})",
            )
        return name
    if _is_number(value):
        raise custom_error("name", f'must be text (got {value}); write "{value}" in quotes')
    raise custom_error("name", f"must be non-empty text (got {describe(printable(str(value)))})")


def is_reserved(name: str) -> bool:
    """Whether ``name`` is a total row's name, whatever its spacing, case or width."""
    return reserved_row(name) is not None


def reserved_row(name: str) -> str | None:
    """The total row (of :data:`RESERVED_ROW_NAMES`) that ``name`` names, whatever its
    spacing, case or width; None for a name no total row takes."""
    key = " ".join(unicodedata.normalize("NFKC", name).split()).casefold()
    return next((row for row in RESERVED_ROW_NAMES if row.casefold() == key), None)


def _known_zone(name: str) -> str:
    """An IANA time zone name; an unknown one is told the nearest known name."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(name, available_timezones(), n=1)
        hint = (
            f'; did you mean "{close[0]}"?'
            if close
            else " (expected an IANA name such as Europe/Berlin)"
        )
        raise custom_error("timezone", f'unknown time zone "{name}"{hint}') from None
    return name


def _not_reserved(name: str) -> str:
    row = reserved_row(name)
    if row is not None:
        got = "" if name == row else f" (got {describe(name)})"
        channel = row.removeprefix(RESERVED_QUEUE_NAME).strip()
        what = f"the {channel} channel" if channel else "the reports"
        where = " in the reports" if channel else ""
        raise custom_error(
            "name",
            f'"{row}" is reserved for the total row of {what}{where}{got}; '
            "choose another queue name",
        )
    return name


# --- the types ----------------------------------------------------------------------


def _number_schema(**bounds: float) -> dict[str, Any]:
    return {"type": "number", **bounds}


def _string_or_number(pattern: str, description: str) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [_number_schema(minimum=0), {"type": "string", "pattern": pattern}],
            "description": description,
        }
    )


NonNegativeSeconds = Annotated[
    float,
    BeforeValidator(lambda value: _to_seconds(value, positive=False)),
    PlainSerializer(format_duration, when_used="json"),
    _string_or_number(
        DURATION_PATTERN, 'A duration: seconds, or text with a unit ("20s", "4.5min").'
    ),
]
"""A duration in seconds; YAML may write ``"20s"``, ``"4.5min"``, ``"2h"``, ``"1d"``."""
PositiveSeconds = Annotated[
    float,
    BeforeValidator(lambda value: _to_seconds(value, positive=True)),
    PlainSerializer(format_duration, when_used="json"),
    _string_or_number(
        DURATION_PATTERN, 'A positive duration: seconds, or text with a unit ("2h").'
    ),
]
"""A duration in seconds, > 0."""
HorizonSeconds = Annotated[
    float,
    BeforeValidator(
        lambda value: _to_seconds(value, positive=True, maximum=MAX_SIMULATED_S, minimum=MIN_STEP_S)
    ),
    PlainSerializer(format_duration, when_used="json"),
    _string_or_number(DURATION_PATTERN, 'A duration from 1 second to 10 years ("1d").'),
]
"""A simulated length of time in seconds, from :data:`MIN_STEP_S` to :data:`MAX_SIMULATED_S`."""
IntervalSeconds = Annotated[
    float,
    BeforeValidator(lambda value: _to_seconds(value, positive=True, minimum=MIN_STEP_S)),
    PlainSerializer(format_duration, when_used="json"),
    _string_or_number(DURATION_PATTERN, 'A duration of at least 1 second ("15min").'),
]
"""A reporting interval in seconds, at least :data:`MIN_STEP_S`."""
WarmupSeconds = Annotated[
    float,
    BeforeValidator(lambda value: _to_seconds(value, positive=False, maximum=MAX_SIMULATED_S)),
    PlainSerializer(format_duration, when_used="json"),
    _string_or_number(DURATION_PATTERN, 'A duration of at most 10 years ("30min").'),
]
"""A simulated length of time in seconds, >= 0 and at most :data:`MAX_SIMULATED_S`."""
RatePerSecond = Annotated[
    float,
    BeforeValidator(_to_rate),
    PlainSerializer(format_rate, when_used="json"),
    _string_or_number(RATE_PATTERN, 'A rate: per second, or text with a unit ("360/h", "6/min").'),
]
"""A rate per second; YAML may write ``"360/h"`` or ``"6/min"``."""
ClockSeconds = Annotated[
    float,
    BeforeValidator(_to_clock),
    PlainSerializer(clock_text, when_used="json"),
    WithJsonSchema(
        {"type": "string", "pattern": CLOCK_PATTERN, "description": 'A time of day "HH:MM".'}
    ),
]
"""A time of day ``"HH:MM"``, as seconds since midnight."""
Integer = Annotated[
    int,
    BeforeValidator(integer_check(None, "an integer")),
    WithJsonSchema({"type": "integer", "minimum": -MAX_COUNT, "maximum": MAX_COUNT}),
]
Count = Annotated[
    int,
    BeforeValidator(integer_check(0, "a non-negative integer")),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_COUNT}),
]
PositiveCount = Annotated[
    int,
    BeforeValidator(integer_check(1, "a positive integer")),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_COUNT}),
]
AgentCount = Annotated[
    int,
    BeforeValidator(integer_check(0, "a non-negative integer", MAX_AGENTS)),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_AGENTS}),
]
"""A number of agents, from 0 to :data:`MAX_AGENTS`."""
ReplicationCount = Annotated[
    int,
    BeforeValidator(integer_check(1, "a positive integer", MAX_REPLICATIONS)),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_REPLICATIONS}),
]
"""A number of replications, from 1 to :data:`MAX_REPLICATIONS`."""
Seed = Annotated[
    int,
    BeforeValidator(integer_check(0, "a non-negative integer", MAX_SEED)),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_SEED}),
]
"""A seed, from 0 to :data:`MAX_SEED`."""
Fraction = Annotated[
    float,
    BeforeValidator(
        _number_check(0, 1, low_open=False, high_open=False, kind="a number from 0 to 1")
    ),
    WithJsonSchema(_number_schema(minimum=0, maximum=1)),
]
"""A probability or share, from 0 to 1."""
FractionBelowOne = Annotated[
    float,
    BeforeValidator(
        _number_check(0, 1, low_open=False, high_open=True, kind="a number from 0 to less than 1")
    ),
    WithJsonSchema(_number_schema(minimum=0, exclusiveMaximum=1)),
]
"""A probability from 0 to less than 1 (of something that may happen again and again)."""
NonNegativeNumber = Annotated[
    float,
    BeforeValidator(
        _number_check(0, MAX_NUMBER, low_open=False, high_open=False, kind="a non-negative number")
    ),
    WithJsonSchema(_number_schema(minimum=0, maximum=MAX_NUMBER)),
]
"""A number from 0 to :data:`MAX_NUMBER`."""
PositiveNumber = Annotated[
    float,
    BeforeValidator(
        _number_check(0, MAX_NUMBER, low_open=True, high_open=False, kind="a positive number")
    ),
    WithJsonSchema(_number_schema(exclusiveMinimum=0, maximum=MAX_NUMBER)),
]
"""A number above 0, at most :data:`MAX_NUMBER`."""
Flag = Annotated[bool, BeforeValidator(_to_flag), WithJsonSchema({"type": "boolean"})]
"""``true`` or ``false``, nothing else (``yes`` is text in YAML 1.2)."""
Name = Annotated[str, BeforeValidator(_to_name), WithJsonSchema({"type": "string", "minLength": 1})]
"""Non-empty text naming a queue, an agent group or the scenario: trimmed, in NFC form,
without control or invisible characters."""
QueueName = Annotated[
    str,
    BeforeValidator(_to_name),
    AfterValidator(_not_reserved),
    WithJsonSchema({"type": "string", "minLength": 1, "not": {"const": RESERVED_QUEUE_NAME}}),
]
"""A queue's own name: a :data:`Name` other than a total row's, ``ALL`` or ``ALL voice``
(:data:`RESERVED_ROW_NAMES`, in any case or spacing)."""
CalendarTime = Annotated[
    datetime,
    WithJsonSchema(
        {"type": "string", "pattern": DATETIME_PATTERN, "description": "2026-01-05T08:00"}
    ),
]
"""A calendar date and time, optionally with an offset."""
TimeZoneName = Annotated[str, AfterValidator(_known_zone)]
"""The IANA name of a time zone (``Europe/Berlin``); an unknown name is told the nearest one."""
