"""The control-variate estimator of the theory checks, against known answers.

The theory tests may narrow their intervals with control variates
(``Estimate.controlled``): per-replication quantities whose expectation is
known exactly. These tests check the estimator itself on synthetic
replication values whose true mean is known, so that a wrong formula cannot
make a theory test pass or fail for the wrong reason.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from tests.theory.conftest import ALPHA, Estimate

TRUE_MEAN = 10.0
CONTROL_MEAN = 3.0


def _correlated_sample(
    rng: np.random.Generator, count: int, correlation: float
) -> tuple[np.ndarray, np.ndarray]:
    """R pairs (value, control), jointly normal, with the given correlation."""
    control = rng.normal(CONTROL_MEAN, 1.0, count)
    noise = rng.normal(0.0, 1.0, count)
    value = TRUE_MEAN + 2.0 * (
        correlation * (control - CONTROL_MEAN) + np.sqrt(1 - correlation**2) * noise
    )
    return value, control


def test_a_perfect_control_recovers_the_true_mean_exactly() -> None:
    """value = mean + 2·(control − its mean): the controlled estimate is the true mean."""
    rng = np.random.default_rng(1)
    control = rng.normal(CONTROL_MEAN, 1.0, 30)
    value = TRUE_MEAN + 2.0 * (control - CONTROL_MEAN)
    value[0] += 1e-9  # residual variance must not be exactly zero

    estimate = Estimate.controlled(value, control, np.array([CONTROL_MEAN]))

    assert abs(estimate.mean - TRUE_MEAN) < 1e-6
    assert estimate.half_width < 1e-6


def test_the_interval_narrows_by_the_explained_variance() -> None:
    """With correlation ρ the half-width shrinks by about √(1 − ρ²) against the plain one."""
    rng = np.random.default_rng(2)
    ratios = []
    for _ in range(200):
        value, control = _correlated_sample(rng, 80, correlation=0.9)
        plain = Estimate.of(value)
        controlled = Estimate.controlled(value, control, np.array([CONTROL_MEAN]))
        ratios.append(controlled.half_width / plain.half_width)
    expected = np.sqrt(1 - 0.9**2)
    assert abs(np.mean(ratios) - expected) < 0.05 * expected


def test_the_interval_covers_the_true_mean_at_its_stated_level() -> None:
    """Across 20,000 synthetic experiments the 99.9 % interval misses about 0.1 % of the time.

    Misses are binomial(20,000, α); the test rejects at the 0.001 level
    (exact binomial test), so a wrong half-width formula (too narrow by a
    tenth already doubles the miss rate) fails it.
    """
    rng = np.random.default_rng(3)
    experiments, count = 20_000, 20
    misses = 0
    for _ in range(experiments):
        value, control = _correlated_sample(rng, count, correlation=0.7)
        estimate = Estimate.controlled(value, control, np.array([CONTROL_MEAN]))
        misses += abs(estimate.mean - TRUE_MEAN) > estimate.half_width
    assert stats.binomtest(misses, experiments, ALPHA).pvalue > 0.001
