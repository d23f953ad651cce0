"""Shared machinery of the theory tests: scenarios, replications and the check.

The method is STYLE.md §6.7 and docs/validation.md: run R independent
replications after a warm-up, take one figure per replication (never
per-contact values, which are autocorrelated), and for every figure assert

1. power: the Student-t half-width t_{R-1, 1-alpha/2} · s / √R is at most
   :data:`RELATIVE_PRECISION` of the theory value, so that the test could
   catch a wrong model;
2. agreement: |mean − theory| <= that half-width (alpha = :data:`ALPHA`).

Every comparison is also collected in a table printed at the end of the
pytest run ("theory validation"), the source of the numbers in
docs/validation.md.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from scipy import stats

from simcenter.engine import run_replication
from simcenter.records import ReplicationRecord
from simcenter.scenario import Scenario, build_scenario
from simcenter.studies.precision import controlled_estimate

ALPHA = 0.001
"""Significance level of every agreement test (two-sided)."""

RELATIVE_PRECISION = 0.03
"""Largest half-width allowed, as a fraction of the theory value (the power requirement)."""

JOBS = os.cpu_count() or 1
"""Worker processes for replications."""

Figures = Callable[[Scenario, ReplicationRecord], dict[str, float]]
"""Turns one replication into its figures; must be a module-level function (pickled)."""


@dataclass(frozen=True)
class Estimate:
    """The mean of per-replication values and its Student-t half-width.

    Attributes:
        mean: Mean over replications.
        half_width: t_{R-1, 1-ALPHA/2} · s / √R, with s the sample standard
            deviation of the R values (a 99.9 % confidence half-width).
        replications: R.
    """

    mean: float
    half_width: float
    replications: int

    @classmethod
    def of(cls, values: np.ndarray) -> Estimate:
        """The estimate from R >= 2 per-replication values."""
        count = len(values)
        quantile = stats.t.ppf(1.0 - ALPHA / 2.0, count - 1)
        spread = float(np.std(values, ddof=1))
        return cls(float(np.mean(values)), quantile * spread / math.sqrt(count), count)

    @classmethod
    def controlled(
        cls, values: np.ndarray, controls: np.ndarray, control_means: np.ndarray
    ) -> Estimate:
        """The control-variate estimate from R per-replication values and q controls.

        Controls are per-replication quantities whose expectations are known
        exactly (``control_means``), such as the work offered per second of
        horizon, whose expectation is the offered load. The estimator is the
        library's (:func:`simcenter.studies.precision.controlled_estimate`):
        ``ȳ − β̂·(x̄ − μ)`` with ``β̂`` the least-squares slope of ``y`` on the
        controls, and the half-width ``t_{R−q−1, 1−α/2} · s · √(1/R + (x̄ −
        μ)ᵀ S⁻¹ (x̄ − μ))`` (Lavenberg & Welch 1981), here at the 1 − ALPHA level.
        """
        estimate = controlled_estimate(values, controls, control_means, confidence=1.0 - ALPHA)
        return cls(estimate.mean, estimate.half_width, estimate.replications)


@dataclass(frozen=True)
class Comparison:
    """One simulated figure against its theory value.

    Attributes:
        case: The scenario, in words (agents, load, patience).
        figure: The figure's name (``asa_s``, ``service_level``, ...).
        theory: The theory value.
        estimate: The simulated estimate.
        scale: The precision is relative to this value: the theory value,
            or a stated reference when the theory value is 0 (a difference).
    """

    case: str
    figure: str
    theory: float
    estimate: Estimate
    scale: float

    @property
    def relative_half_width(self) -> float:
        """Half-width / |scale|."""
        return self.estimate.half_width / abs(self.scale)

    def problems(self) -> list[str]:
        """Why the comparison fails: too little power, or disagreement; empty if it passes."""
        found = []
        where = f"{self.case}, {self.figure}"
        if not self.relative_half_width <= RELATIVE_PRECISION:
            found.append(
                f"{where}: half-width {self.estimate.half_width:.4g} is "
                f"{self.relative_half_width:.2%} of {abs(self.scale):.4g}, above "
                f"{RELATIVE_PRECISION:.0%}; the test lacks power (run longer)"
            )
        if not abs(self.estimate.mean - self.theory) <= self.estimate.half_width:
            found.append(
                f"{where}: simulated {self.estimate.mean:.6g} ± {self.estimate.half_width:.4g} "
                f"({1 - ALPHA:.1%} CI, R = {self.estimate.replications}) "
                f"excludes the theory value {self.theory:.6g}"
            )
        return found


_TABLE = pytest.StashKey[list[Comparison]]()


@pytest.fixture
def check_theory(pytestconfig: pytest.Config) -> Callable[..., None]:
    """Compare simulated figures with theory, record them, and assert power and agreement.

    Call it as ``check_theory(case, samples, theory, scale=None, controls=None)``: ``samples``
    maps a figure name to its per-replication values, ``theory`` maps the same
    names to theory values, and ``scale`` optionally gives the reference of
    the precision requirement for figures whose theory value is 0.
    ``controls`` optionally maps names of further ``samples`` entries to their
    exactly known expectations: the figures are then estimated with those
    control variates (:meth:`Estimate.controlled`), which narrows the
    interval without changing what is asserted. Every figure is recorded
    before the assertion, which lists every failure.
    """
    table = pytestconfig.stash.setdefault(_TABLE, [])

    def check(
        case: str,
        samples: Mapping[str, np.ndarray],
        theory: Mapping[str, float],
        scale: Mapping[str, float] | None = None,
        controls: Mapping[str, float] | None = None,
    ) -> None:
        scale = scale or {}

        def estimate(values: np.ndarray) -> Estimate:
            if not controls:
                return Estimate.of(values)
            known = np.column_stack([samples[name] for name in controls])
            return Estimate.controlled(values, known, np.array(list(controls.values())))

        comparisons = [
            Comparison(case, figure, value, estimate(samples[figure]), scale.get(figure, value))
            for figure, value in theory.items()
        ]
        table.extend(comparisons)
        problems = [problem for comparison in comparisons for problem in comparison.problems()]
        assert not problems, "\n".join(problems)

    return check


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print every theory comparison of the run as a Markdown table."""
    comparisons = config.stash.get(_TABLE, [])
    if not comparisons:
        return
    terminalreporter.section("theory validation")
    terminalreporter.write_line(
        "| case | figure | theory | simulated mean | half-width (99.9 %) "
        "| relative half-width | R |"
    )
    terminalreporter.write_line("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for row in comparisons:
        terminalreporter.write_line(
            f"| {row.case} | {row.figure} | {row.theory:.6g} | {row.estimate.mean:.6g} | "
            f"{row.estimate.half_width:.3g} | {row.relative_half_width:.2%} | "
            f"{row.estimate.replications} |"
        )


@pytest.fixture(scope="session")
def single_queue() -> Callable[..., dict[str, Any]]:
    """Build the data of a one-queue, one-group scenario (Poisson arrivals, constant staffing).

    Call it as ``single_queue(agents=, load=, handle_time=, horizon=, warmup=,
    patience_s=None, closing="drain")``: ``load`` is the offered load in
    Erlangs (arrival rate = load / mean handle time), ``handle_time`` a
    distribution mapping with a ``mean`` in seconds, ``patience_s`` the mean
    of an exponential patience in seconds (None: contacts never abandon).
    The queue is named ``q`` and the service-level threshold is 20 s.
    """

    def build(
        *,
        agents: int,
        load: float,
        handle_time: Mapping[str, Any],
        horizon: str,
        warmup: str,
        patience_s: float | None = None,
        closing: str = "drain",
    ) -> dict[str, Any]:
        queue: dict[str, Any] = {
            "name": "q",
            "arrivals": {"rate": load / handle_time["mean"]},
            "handle_time": dict(handle_time),
        }
        if patience_s is not None:
            queue["patience"] = {"distribution": "exponential", "mean": patience_s}
        return {
            "name": "theory",
            "horizon": horizon,
            "warmup": warmup,
            "closing": closing,
            "service_level": {"threshold": "20s"},
            "queues": [queue],
            "agents": [{"name": "g", "count": agents, "skills": ["q"]}],
        }

    return build


def _figures_of_replication(
    scenario: Scenario, replication: int, seed: int, figures: Figures
) -> dict[str, float]:
    return figures(scenario, run_replication(scenario, replication, seed))


@pytest.fixture(scope="session")
def replicate() -> Callable[..., dict[str, np.ndarray]]:
    """Run independent replications in :data:`JOBS` processes and collect their figures.

    Call it as ``replicate(scenario_data, replications=, seed=, figures=)``.
    Replication r uses the random streams of ``(seed, r)``; ``figures`` turns
    each replication's record into named numbers inside the worker (only
    those travel back). Returns one array of R values per figure name, in
    replication order.
    """

    def run(
        data: Mapping[str, Any], *, replications: int, seed: int, figures: Figures
    ) -> dict[str, np.ndarray]:
        scenario = build_scenario(data)
        with ProcessPoolExecutor(max_workers=min(JOBS, replications)) as pool:
            rows = list(
                pool.map(
                    _figures_of_replication,
                    [scenario] * replications,
                    range(replications),
                    [seed] * replications,
                    [figures] * replications,
                )
            )
        return {name: np.array([row[name] for row in rows]) for name in rows[0]}

    return run
