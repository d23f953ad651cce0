"""The scenario format: validated, immutable models of a contact centre.

A scenario is read from YAML (see ``loading.py``) or given as a dict, and
validated here into frozen pydantic models. Durations are float seconds and
rates are per second once validated; the YAML may write them with units
(``"4.5min"``, ``"360/h"``). Unknown keys are errors. Problems are collected,
never stopped at the first: :func:`build_scenario` raises one
:class:`~simcenter.errors.ScenarioError` listing all of them, each with its key
path and a message naming the expectation and the value found.
"""

from __future__ import annotations

import copy
import csv
import difflib
import math
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from simcenter import distributions as dist
from simcenter.errors import Problem, ScenarioError, describe, validation_problems
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

# JSON Schema patterns of the strings units.py accepts (non-negative values only),
# so that editors accept "20s" and "360/h" where a number is also allowed.
_NUMBER_PATTERN = r"\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?"
_UNIT_PATTERN = r"(ms|sec|min|s|h|d)"
DURATION_PATTERN = rf"^\s*{_NUMBER_PATTERN}\s*{_UNIT_PATTERN}?\s*$"
RATE_PATTERN = rf"^\s*{_NUMBER_PATTERN}\s*(/\s*{_UNIT_PATTERN})?\s*$"
CLOCK_PATTERN = r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"


# --- value types ----------------------------------------------------------------


def _custom_error(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, "{message}", {"message": message})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unit_error(error: UnitError, value: Any, expected: str) -> PydanticCustomError:
    """Text values keep units.py's message; other values say what was expected."""
    if isinstance(value, str):
        return _custom_error("unit", str(error))
    return _custom_error("unit", f"must be {expected} (got {describe(value)})")


def _to_seconds(value: Any, *, positive: bool) -> float:
    try:
        seconds = parse_duration(value)
    except UnitError as error:
        raise _unit_error(
            error, value, 'a duration such as "4.5min" or a number of seconds'
        ) from None
    if seconds < 0 or (positive and seconds == 0):
        kind = "positive" if positive else "non-negative"
        raise _custom_error("duration", f"must be a {kind} duration (got {describe(value)})")
    return seconds


def _to_rate(value: Any) -> float:
    try:
        rate = parse_rate(value)
    except UnitError as error:
        raise _unit_error(error, value, 'a rate such as "360/h" or a number per second') from None
    if rate < 0:
        raise _custom_error("rate", f"must be a non-negative rate (got {describe(value)})")
    return rate


def _to_clock(value: Any) -> float:
    try:
        return parse_clock(value)
    except UnitError as error:
        raise _unit_error(error, value, 'a time of day such as "08:00"') from None


def _integer_check(minimum: int | None, kind: str) -> Callable[[Any], int]:
    """A validator of integers of at least ``minimum``; ``kind`` names them in messages."""

    def check(value: Any) -> int:
        too_small = minimum is not None and isinstance(value, int) and value < minimum
        if not isinstance(value, int) or isinstance(value, bool) or too_small:
            raise _custom_error("integer", f"must be {kind} (got {describe(value)})")
        return value

    return check


def _number_check(low: float, high: float, low_open: bool, kind: str) -> Callable[[Any], float]:
    """A validator of finite numbers in ``[low, high]`` (``(low, high]`` if ``low_open``)."""

    def check(value: Any) -> float:
        finite = _is_number(value) and math.isfinite(value)
        inside = finite and (value > low if low_open else value >= low) and value <= high
        if not inside:
            raise _custom_error("number", f"must be {kind} (got {describe(value)})")
        return float(value)

    return check


def _to_name(value: Any) -> str:
    if isinstance(value, str) and value.strip():
        return value
    if _is_number(value):
        raise _custom_error("name", f'must be text (got {value}); write "{value}" in quotes')
    raise _custom_error("name", f"must be non-empty text (got {describe(value)})")


def _skills_as_levels(value: Any) -> Any:
    """Accept a list of queue names as a mapping of each to skill level 1."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return dict.fromkeys(value, 1)
    expected = "a list of queue names or a mapping of queue name to level"
    raise _custom_error("skills", f"must be {expected} (got {describe(value)})")


def _clock_text(seconds: float) -> str:
    """``"HH:MM"`` (``"HH:MM:SS"`` if needed) of seconds since midnight; may pass ``24:00``."""
    minutes, second = divmod(round(seconds), 60)
    text = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{second:02d}" if second else text


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
    PlainSerializer(lambda seconds: _clock_text(seconds), when_used="json"),
    WithJsonSchema(
        {"type": "string", "pattern": CLOCK_PATTERN, "description": 'A time of day "HH:MM".'}
    ),
]
"""A time of day ``"HH:MM"``, as seconds since midnight."""
Integer = Annotated[
    int, BeforeValidator(_integer_check(None, "an integer")), WithJsonSchema({"type": "integer"})
]
Count = Annotated[
    int,
    BeforeValidator(_integer_check(0, "a non-negative integer")),
    WithJsonSchema({"type": "integer", "minimum": 0}),
]
PositiveCount = Annotated[
    int,
    BeforeValidator(_integer_check(1, "a positive integer")),
    WithJsonSchema({"type": "integer", "minimum": 1}),
]
Fraction = Annotated[
    float,
    BeforeValidator(_number_check(0, 1, False, "a number from 0 to 1")),
    WithJsonSchema(_number_schema(minimum=0, maximum=1)),
]
NonNegativeNumber = Annotated[
    float,
    BeforeValidator(_number_check(0, math.inf, False, "a non-negative number")),
    WithJsonSchema(_number_schema(minimum=0)),
]
PositiveNumber = Annotated[
    float,
    BeforeValidator(_number_check(0, math.inf, True, "a positive number")),
    WithJsonSchema(_number_schema(exclusiveMinimum=0)),
]
Name = Annotated[str, BeforeValidator(_to_name), WithJsonSchema({"type": "string", "minLength": 1})]
Skills = Annotated[
    dict[Name, PositiveCount],
    BeforeValidator(_skills_as_levels),
    Field(min_length=1),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
                {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}},
            ],
            "description": "Queues served: [billing, tech] or {billing: 1, tech: 2}.",
        }
    ),
]
CalendarTime = Annotated[
    datetime,
    WithJsonSchema(
        {"type": "string", "pattern": DATETIME_PATTERN, "description": "2026-01-05T08:00"}
    ),
]


class _Spec(BaseModel):
    """Base of every scenario model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _exactly_one(owner: BaseModel, keys: tuple[str, str]) -> None:
    """Raise unless exactly one of two optional keys is given."""
    given = [key for key in keys if getattr(owner, key) is not None]
    if len(given) != 1:
        got = "both" if given else "neither"
        raise _custom_error("exclusive", f"needs exactly one of {keys[0]}, {keys[1]} (got {got})")


# --- distributions --------------------------------------------------------------


class ExponentialSpec(_Spec):
    """Exponential distribution with the given mean (seconds)."""

    distribution: Literal["exponential"]
    mean: PositiveSeconds

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Exponential(self.mean)


class ConstantSpec(_Spec):
    """Always the same value (seconds)."""

    distribution: Literal["constant"]
    mean: NonNegativeSeconds

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Constant(self.mean)


class LognormalSpec(_Spec):
    """Lognormal distribution given by its mean (seconds) and either ``cv`` or ``sd`` (seconds)."""

    distribution: Literal["lognormal"]
    mean: PositiveSeconds
    cv: PositiveNumber | None = None
    sd: PositiveSeconds | None = None

    @model_validator(mode="after")
    def _one_spread(self) -> LognormalSpec:
        _exactly_one(self, ("cv", "sd"))
        return self

    def build(self) -> dist.Distribution:
        """The distribution object; ``sd`` is converted to ``cv = sd / mean``."""
        cv = self.cv if self.cv is not None else (self.sd or 0.0) / self.mean
        return dist.Lognormal(self.mean, cv)


class GammaSpec(_Spec):
    """Gamma distribution given by its mean (seconds) and coefficient of variation."""

    distribution: Literal["gamma"]
    mean: PositiveSeconds
    cv: PositiveNumber

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Gamma(self.mean, self.cv)


class WeibullSpec(_Spec):
    """Weibull distribution given by its mean (seconds) and shape."""

    distribution: Literal["weibull"]
    mean: PositiveSeconds
    shape: PositiveNumber

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Weibull(self.mean, self.shape)


class UniformSpec(_Spec):
    """Uniform distribution on ``[low, high]`` (seconds)."""

    distribution: Literal["uniform"]
    low: NonNegativeSeconds
    high: NonNegativeSeconds

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        if self.high < self.low:
            raise _custom_error(
                "order",
                f"needs low <= high (got low {format_duration(self.low)}, "
                f"high {format_duration(self.high)})",
            )
        return self

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Uniform(self.low, self.high)


class EmpiricalSpec(_Spec):
    """Resampling of observed values (seconds), given inline or as a one-column CSV file.

    A relative ``file`` is resolved against the scenario file's folder and
    stored as an absolute path, so a resolved scenario can be rerun from any
    working directory on the same machine.
    """

    distribution: Literal["empirical"]
    values: list[NonNegativeSeconds] | None = Field(default=None, min_length=1)
    file: str | None = None

    @field_validator("file")
    @classmethod
    def _absolute_file(cls, file: str | None, info: ValidationInfo) -> str | None:
        if file is None:
            return None
        path = Path(file)
        base = (info.context or {}).get("base_dir")
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        if not path.is_file():
            raise _custom_error("file", f'no such file "{file}" (looked for {path.resolve()})')
        _read_duration_column(path)
        return str(path.resolve())

    @model_validator(mode="after")
    def _one_source(self) -> EmpiricalSpec:
        _exactly_one(self, ("values", "file"))
        return self

    def build(self) -> dist.Distribution:
        """The distribution object."""
        values = (
            self.values if self.values is not None else _read_duration_column(Path(self.file or ""))
        )
        return dist.Empirical(tuple(values))


def _read_duration_column(path: Path) -> list[float]:
    """Durations (seconds) from the first column of a CSV file; a header line is allowed.

    Raises:
        PydanticCustomError: The file cannot be read, a cell is not a
            non-negative duration, or there is no value at all.
    """
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = [
                (number, row[0].strip()) for number, row in enumerate(csv.reader(handle), 1) if row
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise _custom_error("file", f"cannot read {path.name} ({error})") from None
    values = []
    for number, cell in rows:
        try:
            seconds = parse_duration(cell)
        except UnitError as error:
            if number == 1:
                continue  # a header line
            raise _custom_error("file", f"{path.name} line {number}: {error}") from None
        if seconds < 0:
            raise _custom_error(
                "file", f'{path.name} line {number}: must be a non-negative duration (got "{cell}")'
            )
        values.append(seconds)
    if not values:
        raise _custom_error("file", f"{path.name}: has no durations")
    return values


class MixtureSpec(_Spec):
    """A weighted mixture of other distributions (weights are normalised to sum to 1)."""

    distribution: Literal["mixture"]
    components: list[DistributionSpec] = Field(min_length=1)
    weights: list[PositiveNumber] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_weight_each(self) -> MixtureSpec:
        if len(self.weights) != len(self.components):
            raise _custom_error(
                "weights",
                f"needs one weight per component (got {len(self.components)} components, "
                f"{len(self.weights)} weights)",
            )
        return self

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Mixture(
            tuple(component.build() for component in self.components), tuple(self.weights)
        )


DistributionSpec = Annotated[
    Union[  # noqa: UP007 (the Union form keeps the recursive alias readable to pydantic)
        ExponentialSpec,
        ConstantSpec,
        LognormalSpec,
        GammaSpec,
        WeibullSpec,
        UniformSpec,
        EmpiricalSpec,
        MixtureSpec,
    ],
    Field(discriminator="distribution"),
]
MixtureSpec.model_rebuild()


# --- service level, arrivals, queues -----------------------------------------


SlDefinition = Literal["offered", "answered", "exclude_short_abandons"]


class ServiceLevelSpec(_Spec):
    """Service-level objective.

    Attributes:
        threshold: Wait (seconds) within which an answer counts as in target.
        target: Target fraction.
        definition: ``offered``: answered within threshold / offered;
            ``answered``: answered within threshold / answered;
            ``exclude_short_abandons``: answered within threshold /
            (offered - abandoned within threshold).
    """

    threshold: NonNegativeSeconds = 20.0
    target: Fraction = 0.8
    definition: SlDefinition = "offered"


class ServiceLevelOverride(_Spec):
    """A queue's own service-level objective; unset keys inherit the scenario's."""

    threshold: NonNegativeSeconds | None = None
    target: Fraction | None = None
    definition: SlDefinition | None = None


class ProfileSpec(_Spec):
    """Expected contacts per interval over one day, repeated daily.

    Attributes:
        interval: Length of each volume's interval (seconds).
        start: Time of day of the first volume (seconds since midnight);
            volume is zero outside the covered part of the day.
        volumes: Expected number of contacts in each interval.
    """

    interval: PositiveSeconds = 1800.0
    start: ClockSeconds = 0.0
    volumes: list[NonNegativeNumber] = Field(min_length=1)

    @model_validator(mode="after")
    def _within_one_day(self) -> ProfileSpec:
        end = self.start + self.interval * len(self.volumes)
        if end > DAY_S + 1e-9:
            raise _custom_error(
                "profile",
                f"must end by midnight (got {len(self.volumes)} volumes of "
                f"{format_duration(self.interval)} from {_clock_text(self.start)}, "
                f"ending at {_clock_text(end)})",
            )
        return self


class ArrivalsSpec(_Spec):
    """How contacts arrive: exactly one of ``rate`` (Poisson) or ``profile`` (NHPP).

    Attributes:
        rate: Homogeneous Poisson rate (per second).
        profile: Piecewise-constant daily volume profile.
        weekdays: Multipliers of the volume by calendar weekday (``mon`` ... ``sun``);
            unlisted days have multiplier 1.
    """

    rate: RatePerSecond | None = None
    profile: ProfileSpec | None = None
    weekdays: dict[Weekday, NonNegativeNumber] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_source(self) -> ArrivalsSpec:
        _exactly_one(self, ("rate", "profile"))
        return self

    def weekday_factor(self, weekday: int) -> float:
        """Volume multiplier of a weekday (0 = Monday)."""
        return self.weekdays.get(WEEKDAYS[weekday], 1.0)  # type: ignore[call-overload]


class QueueSpec(_Spec):
    """One type of contact and its queue.

    Attributes:
        name: Unique queue name.
        channel: Only ``voice`` in this version.
        arrivals: Arrival process.
        handle_time: Talk time distribution (seconds).
        wrap_up: After-call work of the agent (seconds).
        patience: Time a caller is willing to wait (seconds); omitted = never abandons.
        priority: Higher is served first by an agent choosing among its queues.
        service_level: Overrides of the scenario's service-level objective.
    """

    name: Name
    channel: Literal["voice"] = "voice"
    arrivals: ArrivalsSpec
    handle_time: DistributionSpec
    wrap_up: DistributionSpec = Field(
        default_factory=lambda: ConstantSpec(distribution="constant", mean=0.0)
    )
    patience: DistributionSpec | None = None
    priority: Integer = 0
    service_level: ServiceLevelOverride = Field(default_factory=ServiceLevelOverride)


# --- agents ---------------------------------------------------------------------


class StaffingSpec(_Spec):
    """Agents on duty per interval, as a workforce-management tool exports it.

    ``counts[k]`` agents are on duty from ``start + k * interval``. A plan
    that spans at most one day repeats daily; a longer one repeats every whole
    number of days it spans (a weekly plan repeats weekly). Outside the plan
    the count is 0. When the count drops, busy agents finish their contact
    (and wrap-up) before they leave.
    """

    interval: PositiveSeconds = 1800.0
    start: ClockSeconds = 0.0
    counts: list[Count] = Field(min_length=1)

    @property
    def period_s(self) -> float:
        """Repetition period (seconds): whole days covering ``start + len(counts) * interval``."""
        return DAY_S * max(
            1, math.ceil((self.start + self.interval * len(self.counts)) / DAY_S - 1e-9)
        )


class AgentGroupSpec(_Spec):
    """A group of interchangeable agents.

    Attributes:
        name: Unique group name.
        count: Constant number of agents on duty (exclusive with ``staffing``).
        staffing: Agents on duty per interval.
        skills: Queue name -> skill level, 1 being the primary skill (lower is
            preferred). The YAML may give a list of queue names, all at level 1.
        cost_per_hour: Cost of one agent on duty for one hour.
    """

    name: Name
    count: Count | None = None
    staffing: StaffingSpec | None = None
    skills: Skills
    cost_per_hour: NonNegativeNumber = 0.0

    @model_validator(mode="after")
    def _one_staffing(self) -> AgentGroupSpec:
        _exactly_one(self, ("count", "staffing"))
        return self

    @property
    def skill_levels(self) -> dict[str, int]:
        """Queue name -> skill level (1 = primary)."""
        return dict(self.skills)


# --- scenario -------------------------------------------------------------------


class Scenario(_Spec):
    """A contact centre and how long to simulate it.

    Simulation time 0 is ``start``; ``[0, warmup)`` is simulated but excluded
    from statistics, and ``[warmup, warmup + horizon)`` is measured.

    Attributes:
        name: Name of the scenario (also the default output folder).
        description: Free text.
        seed: Base seed; the same seed gives the same results.
        start: Calendar time of simulation time 0, read in ``timezone``
            unless it carries an offset.
        timezone: IANA name of the zone of the scenario clock.
        horizon: Measured time after the warm-up (seconds).
        warmup: Simulated first but excluded from statistics (seconds).
        interval: Length of a reporting interval (seconds).
        replications: Number of independent replications.
        service_level: Default service-level objective of every queue.
        closing: At the end of the horizon, ``drain`` serves the queues out,
            ``clear`` disconnects waiting contacts, ``stop`` stops the run.
        queues: The types of contact.
        agents: The agent groups.
    """

    name: Name
    description: str = ""
    seed: Count = 0
    start: CalendarTime = datetime(2026, 1, 5)
    timezone: str = "UTC"
    horizon: PositiveSeconds = DAY_S
    warmup: NonNegativeSeconds = 0.0
    interval: PositiveSeconds = 900.0
    replications: PositiveCount = 1
    service_level: ServiceLevelSpec = Field(default_factory=ServiceLevelSpec)
    closing: Literal["drain", "clear", "stop"] = "drain"
    queues: list[QueueSpec] = Field(min_length=1)
    agents: list[AgentGroupSpec] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise _custom_error(
                "timezone", f'unknown time zone "{name}"{_zone_hint(name)}'
            ) from None
        return name

    @property
    def end_s(self) -> float:
        """End of the measured horizon (seconds): ``warmup + horizon``."""
        return self.warmup + self.horizon

    @property
    def zone(self) -> tzinfo:
        """The scenario's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def start_at(self) -> datetime:
        """Calendar time of simulation time 0, timezone-aware."""
        if self.start.tzinfo is None:
            return self.start.replace(tzinfo=self.zone)
        return self.start.astimezone(self.zone)

    def service_level_of(self, queue: QueueSpec) -> ServiceLevelSpec:
        """The queue's service-level objective, with unset keys from the scenario's."""
        own = queue.service_level.model_dump(exclude_none=True)
        return self.service_level.model_copy(update=own)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain JSON types, with every default filled in.

        Durations and rates are written with units (``"4min"``, ``"36/h"``) and
        times of day as ``"HH:MM"``; each reads back as exactly the same
        number, so the dict validates back to an equal scenario.
        """
        return self.model_dump(mode="json", exclude_none=True)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new validated scenario with some values replaced; this one is unchanged.

        Args:
            overrides: Dotted key paths to new values. List entries are named
                by their ``name`` (``"agents.tier1.count"``) or by index
                (``"queues.0.priority"``). Values are as in YAML (``"30s"``).

        Raises:
            ScenarioError: A path names nothing, or the result is invalid.
        """
        data = self.to_dict()
        problems = [
            problem
            for key, value in overrides.items()
            if (problem := _set_path(data, key, value)) is not None
        ]
        if problems:
            raise ScenarioError(problems)
        return build_scenario(data)


def _zone_hint(name: str) -> str:
    close = difflib.get_close_matches(name, available_timezones(), n=1)
    return (
        f'; did you mean "{close[0]}"?'
        if close
        else " (expected an IANA name such as Europe/Berlin)"
    )


# --- overrides ------------------------------------------------------------------


def _set_path(data: dict[str, Any], key: str, value: Any) -> Problem | None:
    """Set ``value`` at dotted ``key`` inside ``data``; a Problem if the path names nothing."""
    parts = key.split(".")
    node: Any = data
    loc: list[str | int] = []
    for depth, part in enumerate(parts):
        if isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                return Problem(
                    tuple(loc), f'no entry "{part}" (in override "{key}"; {_entries(node)})'
                )
        elif isinstance(node, dict):
            index = part
            if depth < len(parts) - 1 and part not in node:
                return Problem((*loc, part), f'no such key (in override "{key}")')
        else:
            return Problem(tuple(loc), f'is not a mapping or list (in override "{key}")')
        loc.append(index)
        if depth == len(parts) - 1:
            node[index] = copy.deepcopy(value)
        else:
            node = node[index]
    return None


def _list_index(items: list[Any], part: str) -> int | None:
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _entries(items: list[Any]) -> str:
    names = [str(item["name"]) for item in items if isinstance(item, dict) and "name" in item]
    return f"entries: {', '.join(names)}" if names else f"{len(items)} entries"


# --- validation entry point -----------------------------------------------------


def build_scenario(data: Any, base_dir: str | Path | None = None) -> Scenario:
    """Validate raw scenario data (as loaded from YAML) into a :class:`Scenario`.

    Args:
        data: The parsed YAML document (a mapping).
        base_dir: Folder against which relative file names are resolved
            (default: the working directory).

    Raises:
        ScenarioError: With every problem found (schema and cross-references),
            each located by its key path; ``loading.py`` adds file and line.
    """
    if not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else describe(data)
        raise ScenarioError([Problem((), f"the scenario must be a mapping of keys (got {kind})")])
    problems = _reference_problems(data)
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as error:
        raise ScenarioError(validation_problems(error, Scenario) + problems) from None
    if problems:
        raise ScenarioError(problems)
    return scenario


# --- cross-references -----------------------------------------------------------


def _reference_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Checks across keys, on the raw data, so that they run even when other keys are invalid.

    A reference check runs only when the list it refers to is readable, so
    that one broken key does not echo as a problem elsewhere.
    """
    queues = _mappings(data.get("queues"))
    groups = _mappings(data.get("agents"))
    problems = _duplicate_names("queues", queues) + _duplicate_names("agents", groups)
    for index, group in groups:
        problems += _repeated_skills(index, group.get("skills"))
    queue_names = [name for _, queue in queues if isinstance(name := queue.get("name"), str)]
    if queue_names and len(queue_names) == len(data["queues"]):
        problems += _unknown_skills(groups, queue_names)
    skill_sets = [_skill_entries(group.get("skills")) for _, group in groups]
    if groups and len(groups) == len(data["agents"]) and all(skill_sets):
        served = {skill for entries in skill_sets for _, skill in entries}
        problems += [
            Problem(("queues", index, "name"), f'no agent group has the skill "{queue["name"]}"')
            for index, queue in queues
            if isinstance(queue.get("name"), str) and queue["name"] not in served
        ]
    return problems


def _unknown_skills(
    groups: list[tuple[int, Mapping[str, Any]]], queue_names: list[str]
) -> list[Problem]:
    known = ", ".join(queue_names)
    return [
        Problem(("agents", index, "skills", key), f'unknown queue "{skill}" (queues: {known})')
        for index, group in groups
        for key, skill in _skill_entries(group.get("skills"))
        if skill not in queue_names
    ]


def _mappings(items: Any) -> list[tuple[int, Mapping[str, Any]]]:
    """The entries of a list that are mappings, with their index."""
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, Mapping)]


def _skill_entries(skills: Any) -> list[tuple[str | int, str]]:
    """(key in the data, queue name) of each skill written as text."""
    if isinstance(skills, list):
        return [(index, skill) for index, skill in enumerate(skills) if isinstance(skill, str)]
    if isinstance(skills, Mapping):
        return [(skill, skill) for skill in skills if isinstance(skill, str)]
    return []


def _repeated_skills(group_index: int, skills: Any) -> list[Problem]:
    if not isinstance(skills, list):
        return []
    return [
        Problem(
            ("agents", group_index, "skills", index),
            f'duplicate queue "{skill}" (also skills[{skills.index(skill)}])',
        )
        for index, skill in enumerate(skills)
        if isinstance(skill, str) and skills.index(skill) < index
    ]


def _duplicate_names(key: str, items: list[tuple[int, Mapping[str, Any]]]) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for index, item in items:
        name = item.get("name")
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append(
                Problem(
                    (key, index, "name"), f'duplicate name "{name}" (also {key}[{first[name]}])'
                )
            )
        else:
            first[name] = index
    return problems
