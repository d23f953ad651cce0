"""Tests of simcenter.distributions, following scipy's test_continuous_basic recipe.

Every stochastic check uses a fixed seed, n = 20,000 draws and a test at
significance level ALPHA = 0.001: a z-test of the mean on the analytic variance,
a t-test of the variance on the squared deviations from the analytic mean, and a
Kolmogorov-Smirnov test of the shape against the analytic CDF.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats

from simcenter.distributions import (
    Constant,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Mixture,
    Sampler,
    Uniform,
    Weibull,
)

SEED = 12345
N = 20_000
ALPHA = 0.001
Z_CRITICAL = stats.norm.ppf(1 - ALPHA / 2)

CONTINUOUS = [
    Exponential(240.0),
    Lognormal(240.0, 0.5),
    Gamma(240.0, 0.8),
    Gamma(30.0, 1.6),
    Weibull(240.0, 1.5),
    Weibull(240.0, 0.7),
    Uniform(60.0, 300.0),
    Mixture((Exponential(60.0), Lognormal(600.0, 0.4)), (0.7, 0.3)),
]
EMPIRICAL = Empirical((30.0, 60.0, 60.0, 240.0, 900.0))
RANDOM = [*CONTINUOUS, EMPIRICAL]
EVERY_FAMILY = [*RANDOM, Constant(30.0)]
# Families whose sample() draws each value in turn from the generator, so that
# the block size of a Sampler cannot change the values.
ELEMENTWISE = [d for d in CONTINUOUS if not isinstance(d, Mixture)]


def draw(distribution: Distribution, seed: int = SEED, size: int = N) -> np.ndarray:
    """``size`` values of ``distribution`` from a generator seeded with ``seed``."""
    return distribution.sample(np.random.default_rng(seed), size)


def exactly(message: str) -> str:
    """A ``pytest.raises(match=...)`` pattern matching exactly ``message``."""
    return f"^{re.escape(message)}$"


def scipy_equivalent(distribution: Distribution) -> stats.rv_continuous:
    """The scipy.stats frozen distribution with the documented parameterisation."""
    if isinstance(distribution, Exponential):
        return stats.expon(scale=distribution.mean)
    if isinstance(distribution, Lognormal):
        sigma_squared = math.log(1 + distribution.cv**2)
        mu = math.log(distribution.mean) - sigma_squared / 2
        return stats.lognorm(s=math.sqrt(sigma_squared), scale=math.exp(mu))
    if isinstance(distribution, Gamma):
        shape = 1 / distribution.cv**2
        return stats.gamma(a=shape, scale=distribution.mean / shape)
    if isinstance(distribution, Weibull):
        scale = distribution.mean / math.gamma(1 + 1 / distribution.shape)
        return stats.weibull_min(c=distribution.shape, scale=scale)
    if isinstance(distribution, Uniform):
        return stats.uniform(loc=distribution.low, scale=distribution.high - distribution.low)
    raise TypeError(distribution)


SCIPY_FAMILIES = [d for d in CONTINUOUS if not isinstance(d, Mixture)]


@pytest.mark.parametrize("distribution", RANDOM, ids=repr)
def test_sample_mean_matches_the_analytic_mean(distribution: Distribution) -> None:
    values = draw(distribution)
    z = (values.mean() - distribution.mean) / math.sqrt(distribution.var / N)
    assert abs(z) < Z_CRITICAL


@pytest.mark.parametrize("distribution", RANDOM, ids=repr)
def test_sample_variance_matches_the_analytic_variance(distribution: Distribution) -> None:
    squared_deviations = (draw(distribution) - distribution.mean) ** 2
    assert stats.ttest_1samp(squared_deviations, distribution.var).pvalue > ALPHA


@pytest.mark.parametrize("distribution", CONTINUOUS, ids=repr)
def test_sample_shape_matches_the_cdf(distribution: Distribution) -> None:
    assert stats.kstest(draw(distribution), distribution.cdf).pvalue > ALPHA


def test_shape_test_tells_lognormal_from_gamma_with_the_same_moments() -> None:
    # The KS test has the power to see a wrong shape even when mean and cv agree.
    values = draw(Lognormal(240.0, 0.5))
    assert stats.kstest(values, Gamma(240.0, 0.5).cdf).pvalue < ALPHA


def test_empirical_draws_its_values_with_their_frequencies() -> None:
    values = draw(EMPIRICAL)
    distinct, observed = np.unique(values, return_counts=True)
    multiplicity = np.array([EMPIRICAL.values.count(value) for value in distinct])
    expected = N * multiplicity / len(EMPIRICAL.values)
    assert set(distinct) == set(EMPIRICAL.values)
    assert stats.chisquare(observed, expected).pvalue > ALPHA


def test_constant_draws_only_its_value() -> None:
    assert np.array_equal(draw(Constant(30.0), size=100), np.full(100, 30.0))


@pytest.mark.parametrize("distribution", EVERY_FAMILY, ids=repr)
def test_samples_are_non_negative_float64_arrays(distribution: Distribution) -> None:
    values = draw(distribution, size=1000)
    assert values.dtype == np.float64
    assert values.shape == (1000,)
    assert values.min() >= 0


@pytest.mark.parametrize("distribution", SCIPY_FAMILIES, ids=repr)
def test_analytic_moments_agree_with_scipy(distribution: Distribution) -> None:
    mean, var = scipy_equivalent(distribution).stats(moments="mv")
    assert distribution.mean == pytest.approx(mean, rel=1e-12)
    assert distribution.var == pytest.approx(var, rel=1e-12)
    assert distribution.cv == pytest.approx(math.sqrt(var) / mean, rel=1e-12)


@pytest.mark.parametrize("distribution", SCIPY_FAMILIES, ids=repr)
def test_cdf_agrees_with_scipy(distribution: Distribution) -> None:
    x = np.array([-1.0, 0.0, 1.0, 30.0, 120.0, 240.0, 600.0, 2400.0])
    expected = scipy_equivalent(distribution).cdf(x)
    np.testing.assert_allclose(distribution.cdf(x), expected, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(
    ("distribution", "mean", "var", "cv"),
    [
        (Exponential(240.0), 240.0, 240.0**2, 1.0),
        (Constant(30.0), 30.0, 0.0, 0.0),
        (Constant(0.0), 0.0, 0.0, 0.0),
        (Lognormal(240.0, 0.5), 240.0, 120.0**2, 0.5),
        (Gamma(240.0, 0.8), 240.0, 192.0**2, 0.8),
        (Weibull(240.0, 1.0), 240.0, 240.0**2, 1.0),
        (Weibull(240.0, 0.5), 240.0, 5 * 240.0**2, math.sqrt(5)),
        (Uniform(60.0, 300.0), 180.0, 240.0**2 / 12, math.sqrt(240.0**2 / 12) / 180.0),
        (Empirical((1.0, 2.0, 3.0, 4.0)), 2.5, 1.25, math.sqrt(1.25) / 2.5),
        (Empirical((0.0, 0.0)), 0.0, 0.0, 0.0),
        # Law of total variance: 0.25·0 + 0.75·0 + 0.25·(0 − 7.5)² + 0.75·(10 − 7.5)².
        (Mixture((Constant(0.0), Constant(10.0)), (1.0, 3.0)), 7.5, 18.75, math.sqrt(18.75) / 7.5),
        (Mixture((Exponential(60.0),), (2.0,)), 60.0, 3600.0, 1.0),
    ],
    ids=repr,
)
def test_analytic_moments_follow_from_the_parameters(
    distribution: Distribution, mean: float, var: float, cv: float
) -> None:
    assert distribution.mean == pytest.approx(mean, rel=1e-12)
    assert distribution.var == pytest.approx(var, rel=1e-12)
    assert distribution.cv == pytest.approx(cv, rel=1e-12)


@pytest.mark.parametrize("distribution", EVERY_FAMILY, ids=repr)
def test_scaled_multiplies_the_mean_and_keeps_the_cv(distribution: Distribution) -> None:
    scaled = distribution.scaled(2.5)
    assert type(scaled) is type(distribution)
    assert scaled.mean == pytest.approx(2.5 * distribution.mean, rel=1e-12)
    assert scaled.cv == pytest.approx(distribution.cv, rel=1e-12)


@pytest.mark.parametrize("factor", [0, -1.0, math.inf, math.nan])
def test_scaled_rejects_non_positive_factors(factor: float) -> None:
    message = f"Exponential.scaled: factor must be a positive finite number (got {factor!r})"
    with pytest.raises(ValueError, match=exactly(message)):
        Exponential(240.0).scaled(factor)


def test_mixture_weights_are_normalised() -> None:
    mixture = Mixture((Exponential(60.0), Constant(30.0)), (2, 6))
    assert mixture.weights == (0.25, 0.75)


def test_empirical_cdf_is_the_ecdf() -> None:
    empirical = Empirical((30.0, 60.0, 60.0, 240.0))
    x = np.array([0.0, 30.0, 45.0, 60.0, 239.0, 240.0, 1000.0])
    np.testing.assert_array_equal(empirical.cdf(x), [0, 0.25, 0.25, 0.75, 0.75, 1, 1])


@pytest.mark.parametrize("distribution", [Constant(30.0), Uniform(30.0, 30.0)], ids=repr)
def test_degenerate_cdf_steps_at_the_value(distribution: Distribution) -> None:
    np.testing.assert_array_equal(distribution.cdf(np.array([29.9, 30.0, 31.0])), [0, 1, 1])


def test_uniform_with_equal_ends_is_constant() -> None:
    uniform = Uniform(30.0, 30.0)
    assert (uniform.mean, uniform.var, uniform.cv) == (30.0, 0.0, 0.0)
    assert np.array_equal(draw(uniform, size=100), np.full(100, 30.0))


@pytest.mark.parametrize(
    ("distribution", "text"),
    [
        (Exponential(240), "Exponential(mean=240.0)"),
        (Lognormal(240, 0.5), "Lognormal(mean=240.0, cv=0.5)"),
        (Uniform(np.float64(1), 2), "Uniform(low=1.0, high=2.0)"),
        (Empirical([1, 2]), "Empirical(values=(1.0, 2.0))"),
        (Empirical(tuple(range(20))), "Empirical(<20 values>, mean=9.5, cv=0.606976978666884)"),
        (
            Mixture([Exponential(60), Constant(0)], [1, 1]),
            "Mixture(components=(Exponential(mean=60.0), Constant(mean=0.0)), weights=(0.5, 0.5))",
        ),
    ],
)
def test_repr_shows_the_parameters_as_floats(distribution: Distribution, text: str) -> None:
    assert repr(distribution) == text


def test_distributions_are_frozen_and_hashable() -> None:
    distribution = Lognormal(240.0, 0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        distribution.mean = 10.0  # type: ignore[misc]
    assert hash(distribution) == hash(Lognormal(240, 0.5))
    assert Empirical((1.0, 2.0)) == Empirical([1, 2])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Exponential(0), "Exponential: mean must be a positive finite number (got 0)"),
        (
            lambda: Exponential(math.inf),
            "Exponential: mean must be a positive finite number (got inf)",
        ),
        (
            lambda: Exponential("240s"),
            "Exponential: mean must be a positive finite number (got '240s')",
        ),
        (
            lambda: Exponential(True),
            "Exponential: mean must be a positive finite number (got True)",
        ),
        (lambda: Constant(-1.0), "Constant: mean must be a non-negative finite number (got -1.0)"),
        (lambda: Lognormal(240, 0), "Lognormal: cv must be a positive finite number (got 0)"),
        (
            lambda: Lognormal(-240, 0.5),
            "Lognormal: mean must be a positive finite number (got -240)",
        ),
        (lambda: Gamma(240, math.nan), "Gamma: cv must be a positive finite number (got nan)"),
        (lambda: Weibull(240, -1), "Weibull: shape must be a positive finite number (got -1)"),
        (
            lambda: Weibull(240, 0.01),
            "Weibull: shape is too small for a finite variance (got 0.01)",
        ),
        (lambda: Uniform(-1, 2), "Uniform: low must be a non-negative finite number (got -1)"),
        (lambda: Uniform(5, 3), "Uniform: high must be at least low (got low=5.0, high=3.0)"),
        (lambda: Uniform(0, -1), "Uniform: high must be a non-negative finite number (got -1)"),
        (lambda: Empirical(()), "Empirical: values must not be empty"),
        (
            lambda: Empirical((1.0, -3.0)),
            "Empirical: values must be non-negative finite numbers (got -3.0)",
        ),
        (lambda: Mixture((), ()), "Mixture: components must not be empty"),
        (
            lambda: Mixture((240.0,), (1.0,)),
            "Mixture: components must be distributions (got 240.0)",
        ),
        (
            lambda: Mixture((Constant(1.0), Constant(2.0)), (1.0,)),
            "Mixture: needs one weight per component (got 1 weights for 2 components)",
        ),
        (
            lambda: Mixture((Constant(1.0),), (-1.0,)),
            "Mixture: weights must be non-negative finite numbers (got -1.0)",
        ),
        (lambda: Mixture((Constant(1.0),), (0.0,)), "Mixture: weights must not all be zero"),
    ],
)
def test_invalid_parameters_raise_with_a_clear_message(
    build: Callable[[], Distribution], message: str
) -> None:
    with pytest.raises(ValueError, match=exactly(message)):
        build()


@pytest.mark.parametrize("distribution", EVERY_FAMILY, ids=repr)
def test_sampler_yields_the_draws_of_successive_blocks(distribution: Distribution) -> None:
    block = 64
    sizes = Sampler.block_sizes(block, 6)
    assert sizes == [8, 16, 32, 64, 64, 64]  # growing blocks, then `block` each time
    sampler = Sampler(distribution, np.random.default_rng(SEED), block=block)
    drawn = [sampler() for _ in range(sum(sizes))]
    reference = np.random.default_rng(SEED)
    expected = np.concatenate([distribution.sample(reference, size) for size in sizes])
    assert drawn == expected.tolist()
    assert all(type(value) is float for value in drawn)


@pytest.mark.parametrize("distribution", ELEMENTWISE, ids=repr)
def test_sampler_block_size_does_not_change_the_draws(distribution: Distribution) -> None:
    sampler = Sampler(distribution, np.random.default_rng(SEED), block=7)
    drawn = [sampler() for _ in range(1000)]
    assert drawn == draw(distribution, size=1000).tolist()


def test_constant_sampler_returns_the_value_without_using_the_generator() -> None:
    rng = np.random.default_rng(SEED)
    state = rng.bit_generator.state
    sampler = Sampler(Constant(30.0), rng)
    assert isinstance(sampler, Sampler)
    assert [sampler() for _ in range(3)] == [30.0, 30.0, 30.0]
    assert rng.bit_generator.state == state


@pytest.mark.parametrize("block", [0, -5, 2.5, True])
def test_sampler_rejects_invalid_block_sizes(block: object) -> None:
    message = f"Sampler: block must be a positive integer (got {block!r})"
    with pytest.raises(ValueError, match=exactly(message)):
        Sampler(Exponential(240.0), np.random.default_rng(SEED), block=block)  # type: ignore[arg-type]


@pytest.mark.parametrize("distribution", EVERY_FAMILY, ids=repr)
def test_a_distribution_marked_elementwise_draws_the_same_whatever_the_split(
    distribution: Distribution,
) -> None:
    """``ELEMENTWISE`` (samplers start at 64) holds: one call of 200 = calls of 8, 64, 128.

    Exactly the families drawn value by value (and `Constant`, which never
    draws) are marked; mixtures and empirical distributions are not.
    """
    expected = distribution in ELEMENTWISE or isinstance(distribution, Constant)
    assert expected == distribution.ELEMENTWISE
    if not distribution.ELEMENTWISE:
        return
    whole = draw(distribution, size=200)
    rng = np.random.default_rng(SEED)
    parts = np.concatenate([distribution.sample(rng, size) for size in (8, 64, 128)])
    assert whole.tolist() == parts.tolist()
