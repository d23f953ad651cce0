"""Frozen, mean-parameterised probability distributions and the buffered `Sampler`.

Distributions describe handle times, wrap-up times, patience, delays and random
daily factors. They are immutable values, parameterised by their mean so that a
planner can read them, and they know their analytic mean, variance and
coefficient of variation (as in Ciw's ``ciw/dists``). They hold no random state:
every draw uses the `numpy.random.Generator` passed to `Distribution.sample` (the
scipy shape), so one distribution can feed many independent streams.

Values are in whatever unit the parameters are in: seconds for times, no unit
for factors. Every family only produces values >= 0.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import TYPE_CHECKING, ClassVar, cast

import numpy as np

# Empirical distributions with more values than this show a summary in their repr.
_REPR_MAX_VALUES = 10


class Distribution(ABC):
    """A frozen probability distribution of non-negative values.

    Concrete families are frozen dataclasses. Every family has ``mean`` and
    ``cv``, either as a parameter or as a derived property. They are declared
    here for type checkers only, because a dataclass field cannot override a
    property inherited at run time.
    """

    ELEMENTWISE: ClassVar[bool] = False
    """``sample`` draws each value in turn from the generator, so that
    ``sample(rng, a + b)`` equals ``sample(rng, a)`` followed by
    ``sample(rng, b)``: how many values are drawn per call cannot change them."""

    if TYPE_CHECKING:

        @property
        def mean(self) -> float:
            """Expected value."""

        @property
        def cv(self) -> float:
            """Coefficient of variation: standard deviation / mean (0 when the mean is 0)."""

    @property
    @abstractmethod
    def var(self) -> float:
        """Variance, in squared units of the values."""

    @abstractmethod
    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw values.

        Args:
            rng: The generator of the stream being drawn from.
            size: Number of independent values to draw.

        Returns:
            A float64 array of ``size`` values, all >= 0.
        """

    @abstractmethod
    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Cumulative distribution function P(X <= x), elementwise."""

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Inverse distribution function: the smallest x with P(X <= x) >= u, elementwise.

        Maps uniform draws ``u`` in [0, 1) to values of the distribution, so
        that one stream of uniforms can feed distributions that change with
        time (a value keeps its rank). This generic version bisects
        :meth:`cdf`; families with a closed form override it.
        """
        u = np.asarray(u, dtype=float)
        high = np.full(u.shape, max(self.mean, 1e-9) * 2.0)
        for _ in range(200):  # grow the bracket until it holds every quantile
            short = self.cdf(high) < u
            if not short.any():
                break
            high = np.where(short, high * 2.0, high)
        low = np.zeros(u.shape)
        for _ in range(100):
            middle = (low + high) / 2
            below = self.cdf(middle) < u
            low, high = np.where(below, middle, low), np.where(below, high, middle)
        return high

    @abstractmethod
    def scaled(self, factor: float) -> Distribution:
        """The same family with every value multiplied by ``factor`` (> 0).

        The mean is multiplied by ``factor`` and the cv is unchanged. Used for
        handle-time factors of agent groups and of new agents.
        """


@dataclass(frozen=True)
class Exponential(Distribution):
    """Exponential distribution: memoryless, cv = 1.

    Attributes:
        mean: Mean, > 0.
    """

    ELEMENTWISE: ClassVar[bool] = True

    mean: float

    def __post_init__(self) -> None:
        _require_number(self, "mean")

    @property
    def var(self) -> float:
        """Variance = mean²."""
        return self.mean**2

    @property
    def cv(self) -> float:
        """Coefficient of variation, always 1."""
        return 1.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values (see `Distribution.sample`)."""
        return rng.exponential(self.mean, size)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X <= x) = 1 − exp(−x / mean) for x >= 0."""
        return -np.expm1(-np.maximum(x, 0.0) / self.mean)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """x = −mean · ln(1 − u)."""
        return -self.mean * np.log1p(-np.asarray(u, dtype=float))

    def scaled(self, factor: float) -> Exponential:
        """Exponential with the mean multiplied by ``factor``."""
        return Exponential(self.mean * _scale_factor(self, factor))


@dataclass(frozen=True)
class Constant(Distribution):
    """Always the same value (deterministic times such as a fixed wrap-up).

    Attributes:
        mean: The value, >= 0.
    """

    ELEMENTWISE: ClassVar[bool] = True  # never draws

    mean: float

    def __post_init__(self) -> None:
        _require_number(self, "mean", allow_zero=True)

    @property
    def var(self) -> float:
        """Variance, always 0."""
        return 0.0

    @property
    def cv(self) -> float:
        """Coefficient of variation, always 0."""
        return 0.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` copies of the value; ``rng`` is not used."""
        return np.full(size, self.mean)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X <= x): 0 below the value, 1 from the value on."""
        return (np.asarray(x) >= self.mean).astype(float)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value, whatever ``u``."""
        return np.full(np.shape(u), self.mean)

    def scaled(self, factor: float) -> Constant:
        """Constant with the value multiplied by ``factor``."""
        return Constant(self.mean * _scale_factor(self, factor))


@dataclass(frozen=True)
class _MeanAndCv(Distribution):
    """A family given by its mean and coefficient of variation (cv = standard deviation / mean)."""

    mean: float
    cv: float

    def __post_init__(self) -> None:
        _require_number(self, "mean")
        _require_number(self, "cv")

    @property
    def var(self) -> float:
        """Variance = (mean · cv)²."""
        return (self.mean * self.cv) ** 2

    def scaled(self, factor: float) -> Distribution:
        """The same family with the mean multiplied by ``factor`` and the same cv."""
        return type(self)(self.mean * _scale_factor(self, factor), self.cv)


@dataclass(frozen=True)
class Lognormal(_MeanAndCv):
    """Lognormal distribution given by its mean and cv.

    The underlying normal has σ² = ln(1 + cv²) and μ = ln(mean) − σ²/2.

    Attributes:
        mean: Mean, > 0.
        cv: Coefficient of variation (standard deviation / mean), > 0.
    """

    ELEMENTWISE: ClassVar[bool] = True

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values (see `Distribution.sample`)."""
        return rng.lognormal(self._mu, self._sigma, size)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X <= x) = Φ((ln x − μ) / σ) for x > 0."""
        from scipy import special  # imported when needed: scenario checks start faster

        with np.errstate(divide="ignore"):
            log_x = np.log(np.maximum(x, 0.0))
        return special.ndtr((log_x - self._mu) / self._sigma)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """x = exp(μ + σ Φ⁻¹(u))."""
        from scipy import special

        return np.exp(self._mu + self._sigma * special.ndtri(np.asarray(u, dtype=float)))

    @property
    def _sigma(self) -> float:
        """Standard deviation σ of ln X."""
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def _mu(self) -> float:
        """Mean μ of ln X."""
        return math.log(self.mean) - self._sigma**2 / 2


@dataclass(frozen=True)
class Gamma(_MeanAndCv):
    """Gamma distribution given by its mean and cv.

    Shape k = 1 / cv² and scale θ = mean · cv²; cv = 1 is the exponential.

    Attributes:
        mean: Mean, > 0.
        cv: Coefficient of variation (standard deviation / mean), > 0.
    """

    ELEMENTWISE: ClassVar[bool] = True

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values (see `Distribution.sample`)."""
        return rng.gamma(1 / self.cv**2, self.mean * self.cv**2, size)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X <= x): the regularised lower incomplete gamma function P(k, x / θ)."""
        from scipy import special

        return special.gammainc(1 / self.cv**2, np.maximum(x, 0.0) / (self.mean * self.cv**2))

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """x = θ · P⁻¹(k, u), the inverse regularised incomplete gamma function."""
        from scipy import special

        shape = 1 / self.cv**2
        return self.mean * self.cv**2 * special.gammaincinv(shape, np.asarray(u, dtype=float))


@dataclass(frozen=True)
class Weibull(Distribution):
    """Weibull distribution given by its mean and shape.

    Scale λ = mean / Γ(1 + 1/shape). Shape 1 is the exponential; shape < 1 has a
    heavier tail (cv > 1), shape > 1 a lighter one.

    Attributes:
        mean: Mean, > 0.
        shape: Shape parameter k, > 0 and large enough for a finite variance
            (about 0.012).
    """

    ELEMENTWISE: ClassVar[bool] = True

    mean: float
    shape: float

    def __post_init__(self) -> None:
        _require_number(self, "mean")
        _require_number(self, "shape")
        try:
            math.gamma(1 + 2 / self.shape)
        except OverflowError:
            message = f"Weibull: shape is too small for a finite variance (got {self.shape!r})"
            raise ValueError(message) from None

    @property
    def var(self) -> float:
        """Variance = λ² Γ(1 + 2/k) − mean² (clipped at 0 against rounding)."""
        return max(0.0, self._scale**2 * math.gamma(1 + 2 / self.shape) - self.mean**2)

    @property
    def cv(self) -> float:
        """Coefficient of variation, a function of the shape only."""
        return _coefficient_of_variation(self.mean, self.var)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values (see `Distribution.sample`)."""
        return self._scale * rng.weibull(self.shape, size)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X <= x) = 1 − exp(−(x / λ)^k) for x >= 0 (an overflowing power gives 1)."""
        with np.errstate(over="ignore"):
            return -np.expm1(-((np.maximum(x, 0.0) / self._scale) ** self.shape))

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """x = λ (−ln(1 − u))^(1/k)."""
        return self._scale * (-np.log1p(-np.asarray(u, dtype=float))) ** (1 / self.shape)

    def scaled(self, factor: float) -> Weibull:
        """Weibull with the mean multiplied by ``factor`` and the same shape."""
        return Weibull(self.mean * _scale_factor(self, factor), self.shape)

    @property
    def _scale(self) -> float:
        """Scale parameter λ."""
        return self.mean / math.gamma(1 + 1 / self.shape)


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform distribution on [low, high].

    Attributes:
        low: Smallest value, >= 0.
        high: Largest value, >= low; when equal, every draw is ``low``.
    """

    ELEMENTWISE: ClassVar[bool] = True

    low: float
    high: float

    def __post_init__(self) -> None:
        _require_number(self, "low", allow_zero=True)
        _require_number(self, "high", allow_zero=True)
        if self.high < self.low:
            message = (
                f"Uniform: high must be at least low (got low={self.low!r}, high={self.high!r})"
            )
            raise ValueError(message)

    @property
    def mean(self) -> float:
        """Mean = (low + high) / 2."""
        return (self.low + self.high) / 2

    @property
    def var(self) -> float:
        """Variance = (high − low)² / 12."""
        return (self.high - self.low) ** 2 / 12

    @property
    def cv(self) -> float:
        """Coefficient of variation = standard deviation / mean."""
        return _coefficient_of_variation(self.mean, self.var)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values (see `Distribution.sample`)."""
        return rng.uniform(self.low, self.high, size)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X <= x) = (x − low) / (high − low), clipped to [0, 1]; a step if low = high."""
        x = np.asarray(x, dtype=float)
        if self.high == self.low:
            return (x >= self.low).astype(float)
        return np.clip((x - self.low) / (self.high - self.low), 0.0, 1.0)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """x = low + u (high − low)."""
        return self.low + np.asarray(u, dtype=float) * (self.high - self.low)

    def scaled(self, factor: float) -> Uniform:
        """Uniform with both ends multiplied by ``factor``."""
        factor = _scale_factor(self, factor)
        return Uniform(self.low * factor, self.high * factor)


@dataclass(frozen=True)
class Empirical(Distribution):
    """The values of a sample, drawn uniformly with replacement.

    Attributes:
        values: The observed values (each >= 0), at least one; a value listed
            twice is drawn twice as often. Stored as a tuple of floats.
    """

    values: tuple[float, ...]
    _sorted: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = tuple(self.values)
        if not values:
            raise ValueError("Empirical: values must not be empty")
        for value in values:
            _check_number("Empirical", "values", value, allow_zero=True)
        object.__setattr__(self, "values", tuple(float(value) for value in values))
        ordered = np.sort(np.array(self.values, dtype=float))
        ordered.flags.writeable = False
        object.__setattr__(self, "_sorted", ordered)

    def __repr__(self) -> str:
        """All values when there are few, otherwise their count, mean and cv."""
        if len(self.values) <= _REPR_MAX_VALUES:
            return f"Empirical(values={self.values!r})"
        return f"Empirical(<{len(self.values)} values>, mean={self.mean!r}, cv={self.cv!r})"

    @property
    def mean(self) -> float:
        """Mean of the values."""
        return float(np.mean(self._sorted))

    @property
    def var(self) -> float:
        """Variance of the values (population variance, ddof = 0)."""
        return float(np.var(self._sorted))

    @property
    def cv(self) -> float:
        """Coefficient of variation = standard deviation / mean (0 when the mean is 0)."""
        return _coefficient_of_variation(self.mean, self.var)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values uniformly, with replacement, from the values."""
        return rng.choice(self._sorted, size)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """The empirical CDF: the fraction of the values that are <= x."""
        return np.searchsorted(self._sorted, x, side="right") / len(self._sorted)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value of rank ⌊u · n⌋ among the n sorted values: each value equally likely."""
        count = len(self._sorted)
        ranks = np.minimum((np.asarray(u, dtype=float) * count).astype(int), count - 1)
        return self._sorted[ranks]

    def scaled(self, factor: float) -> Empirical:
        """Empirical with every value multiplied by ``factor``."""
        factor = _scale_factor(self, factor)
        return Empirical(tuple(value * factor for value in self.values))


@dataclass(frozen=True)
class Mixture(Distribution):
    """A random choice among distributions, e.g. quick and complex calls.

    Attributes:
        components: The distributions mixed, at least one.
        weights: One weight per component (>= 0, not all 0). Stored normalised
            to sum to 1: the probability that a draw comes from that component.
    """

    components: tuple[Distribution, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        components, weights = tuple(self.components), tuple(self.weights)
        _check_mixture_components(components)
        if len(weights) != len(components):
            message = (
                f"Mixture: needs one weight per component "
                f"(got {len(weights)} weights for {len(components)} components)"
            )
            raise ValueError(message)
        for weight in weights:
            _check_number("Mixture", "weights", weight, allow_zero=True)
        total = math.fsum(weights)
        if total == 0:
            raise ValueError("Mixture: weights must not all be zero")
        object.__setattr__(self, "components", components)
        object.__setattr__(self, "weights", tuple(weight / total for weight in weights))

    @property
    def mean(self) -> float:
        """Mean = Σ wᵢ meanᵢ."""
        return math.fsum(weight * component.mean for weight, component in self._weighted())

    @property
    def var(self) -> float:
        """Variance by the law of total variance: Σ wᵢ varᵢ + Σ wᵢ (meanᵢ − mean)²."""
        mean = self.mean
        return math.fsum(
            weight * (component.var + (component.mean - mean) ** 2)
            for weight, component in self._weighted()
        )

    @property
    def cv(self) -> float:
        """Coefficient of variation = standard deviation / mean (0 when the mean is 0)."""
        return _coefficient_of_variation(self.mean, self.var)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values: a component per draw, then the values by component.

        ``rng`` first chooses the component of every draw, then each component
        draws all of its values in one call, in component order.
        """
        chosen = rng.choice(len(self.components), size, p=self.weights)
        values = np.empty(size)
        for index, component in enumerate(self.components):
            mask = chosen == index
            values[mask] = component.sample(rng, int(np.count_nonzero(mask)))
        return values

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X <= x) = Σ wᵢ Fᵢ(x)."""
        total = sum(weight * component.cdf(x) for weight, component in self._weighted())
        return cast(np.ndarray, total)

    def scaled(self, factor: float) -> Mixture:
        """Mixture of the scaled components, with the same weights."""
        factor = _scale_factor(self, factor)
        components = tuple(component.scaled(factor) for component in self.components)
        return Mixture(components, self.weights)

    def _weighted(self) -> zip[tuple[float, Distribution]]:
        """Pairs (weight, component)."""
        return zip(self.weights, self.components, strict=True)


class Sampler:
    """Buffered scalar draws from a distribution, for the simulation hot path.

    ``sampler()`` returns the next value. The values are exactly those of
    successive ``distribution.sample(rng, size)`` calls, in order, with sizes
    8, 16, 32, ... doubling up to ``block`` and then ``block`` each time
    (:meth:`block_sizes`), so buffering never changes results. For an
    elementwise distribution, whose values do not depend on the block sizes,
    the blocks start at 64 (:meth:`first_block`). The growing
    blocks keep rarely used samplers small: a centre with 500 quiet queues
    does not draw and hold 1024 values per queue and purpose. The sampler of
    a `Constant` returns its value and never uses ``rng``.

    Args:
        distribution: The distribution to draw from.
        rng: The generator of the stream, used by this sampler only.
        block: Largest number of values drawn per numpy call, >= 1.
    """

    FIRST_BLOCK = 8
    """Values drawn by the first refill (or ``block``, if smaller)."""

    ELEMENTWISE_FIRST_BLOCK = 64
    """The first refill of an elementwise distribution (``Distribution.ELEMENTWISE``):
    its values do not depend on the block sizes, so it starts bigger."""

    __slots__ = ("_block", "_buffer", "_next_size", "_rng", "distribution")
    distribution: Distribution
    _rng: np.random.Generator
    _block: int
    _next_size: int

    def __new__(
        cls, distribution: Distribution, rng: np.random.Generator, block: int = 1024
    ) -> Sampler:
        """A `Sampler`, or its constant-value variant for a `Constant`."""
        if cls is Sampler and isinstance(distribution, Constant):
            return object.__new__(_ConstantSampler)
        return object.__new__(cls)

    def __init__(
        self, distribution: Distribution, rng: np.random.Generator, block: int = 1024
    ) -> None:
        """Create a sampler with an empty buffer (see the class docstring)."""
        if isinstance(block, bool) or not isinstance(block, Integral) or block < 1:
            raise ValueError(f"Sampler: block must be a positive integer (got {block!r})")
        self.distribution = distribution
        self._rng = rng
        self._block = int(block)
        self._next_size = min(self.first_block(distribution), self._block)
        # PERF: one numpy call per `block` (1024) draws instead of one per draw;
        # the values are kept reversed in a list so that a draw is one `pop()`
        # (benchmarks/README.md, "Sampler").
        self._buffer: list[float] = []

    def __call__(self) -> float:
        """The next value."""
        try:
            return self._buffer.pop()
        except IndexError:
            self._refill()
            return self._buffer.pop()

    def __repr__(self) -> str:
        """The distribution and block size."""
        return f"{type(self).__name__}({self.distribution!r}, block={self._block})"

    @classmethod
    def first_block(cls, distribution: Distribution) -> int:
        """Values drawn by the first refill for ``distribution`` (before the ``block`` cap).

        :attr:`ELEMENTWISE_FIRST_BLOCK` for an elementwise distribution (PERF:
        fewer refills for 500 quiet queues, the same values; benchmarks/README.md,
        "Routing at scale"), else :attr:`FIRST_BLOCK`.
        """
        return cls.ELEMENTWISE_FIRST_BLOCK if distribution.ELEMENTWISE else cls.FIRST_BLOCK

    @staticmethod
    def block_sizes(block: int, count: int) -> list[int]:
        """The sizes of the first ``count`` refills of a sampler with this ``block``."""
        sizes, size = [], min(Sampler.FIRST_BLOCK, block)
        for _ in range(count):
            sizes.append(size)
            size = min(2 * size, block)
        return sizes

    def _refill(self) -> None:
        """Draw the next block, reversed so that `list.pop` yields it in order."""
        size = self._next_size
        self._next_size = min(2 * size, self._block)
        self._buffer = self.distribution.sample(self._rng, size)[::-1].tolist()


class _ConstantSampler(Sampler):
    """The sampler of a `Constant`: returns its value without touching ``rng``."""

    __slots__ = ("_value",)

    def __init__(
        self, distribution: Distribution, rng: np.random.Generator, block: int = 1024
    ) -> None:
        """Create the sampler; ``distribution`` is a `Constant`."""
        Sampler.__init__(self, distribution, rng, block)
        self._value = float(distribution.mean)

    def __call__(self) -> float:
        """The constant value."""
        return self._value


def _require_number(instance: Distribution, name: str, *, allow_zero: bool = False) -> None:
    """Check a parameter of a frozen distribution and store it as a float."""
    value = getattr(instance, name)
    _check_number(type(instance).__name__, name, value, allow_zero=allow_zero)
    object.__setattr__(instance, name, float(value))


def _check_number(family: str, name: str, value: object, *, allow_zero: bool) -> None:
    """Raise ValueError unless ``value`` is a finite number > 0 (or >= 0)."""
    valid = (
        isinstance(value, Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (float(value) > 0 or (allow_zero and value == 0))
    )
    if not valid:
        expectation = "non-negative" if allow_zero else "positive"
        plural = name.endswith("s")
        noun = f"{expectation} finite numbers" if plural else f"a {expectation} finite number"
        raise ValueError(f"{family}: {name} must be {noun} (got {value!r})")


def _check_mixture_components(components: tuple[object, ...]) -> None:
    """Raise ValueError unless ``components`` is a non-empty tuple of distributions."""
    if not components:
        raise ValueError("Mixture: components must not be empty")
    for component in components:
        if not isinstance(component, Distribution):
            raise ValueError(f"Mixture: components must be distributions (got {component!r})")


def _scale_factor(distribution: Distribution, factor: float) -> float:
    """``factor`` as a float; ValueError unless it is a positive finite number."""
    _check_number(f"{type(distribution).__name__}.scaled", "factor", factor, allow_zero=False)
    return float(factor)


def _coefficient_of_variation(mean: float, var: float) -> float:
    """Standard deviation / mean, or 0 when the mean is 0."""
    return math.sqrt(var) / mean if mean != 0 else 0.0
