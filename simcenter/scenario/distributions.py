"""Distribution specs: the ``{distribution: ..., ...}`` mappings of the scenario format.

Each spec validates the parameters a planner writes (durations with units,
always parameterised by ``mean`` where the family allows) and builds the
frozen distribution object of :mod:`simcenter.distributions` with
:meth:`build`. A spec accepts only parameters that its distribution accepts,
so that building never fails on validated input.
"""

from __future__ import annotations

import csv
import stat
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Union

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from simcenter import distributions as dist
from simcenter.errors import describe
from simcenter.scenario.values import (
    MAX_FILE_BYTES,
    NonNegativeSeconds,
    PositiveNumber,
    PositiveSeconds,
    Spec,
    custom_error,
    exactly_one,
    number_range,
)
from simcenter.units import UnitError, format_duration, parse_duration

MIN_CV, MAX_CV = 0.001, 100.0
"""Range of a coefficient of variation (lognormal, gamma): computations stay finite in it."""

MAX_WEIBULL_SHAPE = 1000.0
"""Largest Weibull shape."""

CoefficientOfVariation = Annotated[float, BeforeValidator(number_range(MIN_CV, MAX_CV))]
"""A coefficient of variation from :data:`MIN_CV` to :data:`MAX_CV`."""

# The smallest Weibull shape in round figures; shapes much below it have no finite
# variance (Γ(1 + 2/shape) overflows near shape 0.0117).
_WEIBULL_SHAPE_HINT = "0.012"


class _FamilySpec(Spec):
    """Base of the distribution specs: what a misplaced ``periods`` key is told."""

    key_hints: ClassVar[dict[str, str]] = {
        "periods": "periods replace the distribution: {periods: {interval, start, "
        "values: [{distribution: ...}, ...]}} without distribution",
    }


class ExponentialSpec(_FamilySpec):
    """Exponential distribution with the given mean (seconds)."""

    distribution: Literal["exponential"]
    mean: PositiveSeconds

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Exponential(self.mean)


class ConstantSpec(_FamilySpec):
    """Always the same value (seconds)."""

    distribution: Literal["constant"]
    mean: NonNegativeSeconds

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Constant(self.mean)


class LognormalSpec(_FamilySpec):
    """Lognormal distribution given by its mean (seconds) and either ``cv`` or ``sd`` (seconds)."""

    distribution: Literal["lognormal"]
    mean: PositiveSeconds
    cv: CoefficientOfVariation | None = None
    sd: PositiveSeconds | None = None

    @model_validator(mode="after")
    def _one_spread(self) -> LognormalSpec:
        exactly_one(self, ("cv", "sd"))
        if self.sd is not None and not MIN_CV <= self.sd / self.mean <= MAX_CV:
            raise custom_error(
                "sd",
                f"needs sd from {MIN_CV:g} to {MAX_CV:g} times the mean (got sd "
                f"{format_duration(self.sd)}, mean {format_duration(self.mean)})",
            )
        return self

    def build(self) -> dist.Distribution:
        """The distribution object; ``sd`` is converted to ``cv = sd / mean``."""
        cv = self.cv if self.cv is not None else (self.sd or 0.0) / self.mean
        return dist.Lognormal(self.mean, cv)


class GammaSpec(_FamilySpec):
    """Gamma distribution given by its mean (seconds) and coefficient of variation."""

    distribution: Literal["gamma"]
    mean: PositiveSeconds
    cv: CoefficientOfVariation

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Gamma(self.mean, self.cv)


class WeibullSpec(_FamilySpec):
    """Weibull distribution given by its mean (seconds) and shape.

    The shape must be large enough for a finite variance (about 0.012), the
    same rule as :class:`simcenter.distributions.Weibull`.
    """

    distribution: Literal["weibull"]
    mean: PositiveSeconds
    shape: PositiveNumber

    @field_validator("shape")
    @classmethod
    def _finite_variance(cls, shape: float) -> float:
        if shape > MAX_WEIBULL_SHAPE:
            raise custom_error(
                "shape", f"must be at most {MAX_WEIBULL_SHAPE:g} (got {describe(shape)})"
            )
        try:
            dist.Weibull(1.0, shape)
        except ValueError:
            raise custom_error(
                "shape",
                f"must be at least about {_WEIBULL_SHAPE_HINT}, for a finite variance "
                f"(got {describe(shape)})",
            ) from None
        return shape

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Weibull(self.mean, self.shape)


class UniformSpec(_FamilySpec):
    """Uniform distribution on ``[low, high]`` (seconds)."""

    distribution: Literal["uniform"]
    low: NonNegativeSeconds
    high: NonNegativeSeconds

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        if self.high < self.low:
            raise custom_error(
                "order",
                f"needs low <= high (got low {format_duration(self.low)}, "
                f"high {format_duration(self.high)})",
            )
        return self

    def build(self) -> dist.Distribution:
        """The distribution object."""
        return dist.Uniform(self.low, self.high)


class EmpiricalSpec(_FamilySpec):
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
        _check_regular_file(path, file)
        _read_duration_column(path)
        return str(path.resolve())

    @model_validator(mode="after")
    def _one_source(self) -> EmpiricalSpec:
        exactly_one(self, ("values", "file"))
        return self

    def build(self) -> dist.Distribution:
        """The distribution object."""
        values = (
            self.values if self.values is not None else _read_duration_column(Path(self.file or ""))
        )
        return dist.Empirical(tuple(values))


def _check_regular_file(path: Path, file: str) -> None:
    """Refuse a missing file, a folder, a pipe or device, or a file over :data:`MAX_FILE_BYTES`.

    Raises:
        PydanticCustomError: Saying which.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise custom_error("file", f'no such file "{file}" (looked for {path.resolve()})') from None
    except (OSError, ValueError) as error:
        raise custom_error("file", f'cannot read "{file}" ({error})') from None
    if stat.S_ISDIR(info.st_mode):
        raise custom_error("file", f'"{file}" is a folder, not a CSV file')
    if not stat.S_ISREG(info.st_mode):
        raise custom_error("file", f'"{file}" is not a regular file (a pipe or device?)')
    if info.st_size > MAX_FILE_BYTES:
        raise custom_error(
            "file", f'"{file}" is larger than {MAX_FILE_BYTES:,} bytes (got {info.st_size:,})'
        )


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
        raise custom_error("file", f"cannot read {path.name} ({error})") from None
    values = []
    for number, cell in rows:
        try:
            seconds = parse_duration(cell)
        except UnitError as error:
            if number == 1:
                continue  # a header line
            raise custom_error("file", f"{path.name} line {number}: {error}") from None
        if seconds < 0:
            raise custom_error(
                "file", f'{path.name} line {number}: must be a non-negative duration (got "{cell}")'
            )
        values.append(seconds)
    if not values:
        raise custom_error("file", f"{path.name}: has no durations")
    return values


class MixtureSpec(_FamilySpec):
    """A weighted mixture of other distributions (weights are normalised to sum to 1)."""

    distribution: Literal["mixture"]
    components: list[DistributionSpec] = Field(min_length=1)
    weights: list[PositiveNumber] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_weight_each(self) -> MixtureSpec:
        if len(self.weights) != len(self.components):
            raise custom_error(
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
