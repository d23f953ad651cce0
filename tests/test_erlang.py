"""Tests for simcenter.erlang: published examples, identities and second computations.

Every reference value is either published (the source is cited next to it) or
computed here by a method independent of the implementation: exact rational
arithmetic, the Erlang B relation, a numpy linear-algebra solution of the
truncated birth-death chain, and matrix exponentials of the waiting contact's
phase-type structure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from scipy import linalg, stats

from simcenter.erlang import (
    ErlangResult,
    agents_for_service_level,
    erlang_a,
    erlang_b,
    erlang_c,
)

# Call Centre Helper worked example ("Erlang C Formula - Made Simple With an Easy
# Worked Example", callcentrehelper.com): 100 calls per 30 minutes, AHT 180 s,
# 20 s threshold, 80 % target, so 10 Erlangs.
WORKED_EXAMPLE_RATE = 100 / 1800
WORKED_EXAMPLE_AHT = 180.0


class TestErlangB:
    def test_classic_table_values(self) -> None:
        # Classic Erlang B table entries: 10 Erlangs on 10 lines block 21.46 %,
        # 2 Erlangs on 5 lines block 3.67 %. By hand, B(5 lines, 2 E) =
        # (2^5/5!) / sum_{k<=5} 2^k/k! = (4/15) / (109/15) = 4/109.
        assert erlang_b(10.0, 10) == pytest.approx(0.2146, abs=5e-5)
        assert erlang_b(2.0, 5) == pytest.approx(4 / 109, rel=1e-14)

    @pytest.mark.parametrize("lines", [0, 1, 2, 5, 10, 25, 60])
    @pytest.mark.parametrize("load", [Fraction(1, 10), Fraction(3, 2), Fraction(7), Fraction(40)])
    def test_recursion_matches_exact_direct_formula(self, load: Fraction, lines: int) -> None:
        # B = (a^c / c!) / sum_{k=0}^{c} a^k / k!, in exact rational arithmetic.
        terms = [load**k / math.factorial(k) for k in range(lines + 1)]
        exact = terms[-1] / sum(terms)
        assert erlang_b(float(load), lines) == pytest.approx(float(exact), rel=1e-12)

    def test_zero_lines_block_everything_and_zero_load_blocks_nothing(self) -> None:
        assert erlang_b(3.0, 0) == 1.0
        assert erlang_b(0.0, 4) == 0.0

    def test_stable_for_thousands_of_lines(self) -> None:
        blocking = erlang_b(4000.0, 4100)
        assert 0.0 < blocking < 0.01


class TestErlangCPublishedExample:
    def test_eleven_agents(self) -> None:
        # CRAN package ErlangC 0.1.0, README ("process" table) for the worked
        # example: 11 agents give wait_probability 0.6821182 and service_level
        # 0.3896138. (ASA = 0.6821182 * 180 / (11 - 10) = 122.78 s.)
        result = erlang_c(WORKED_EXAMPLE_RATE, WORKED_EXAMPLE_AHT, 11, threshold=20)
        assert result.p_wait == pytest.approx(0.6821182, abs=5e-8)
        assert result.service_level == pytest.approx(0.3896138, abs=5e-8)
        assert result.asa == pytest.approx(0.6821182 * 180, abs=1e-4)

    def test_fourteen_agents(self) -> None:
        # CRAN ErlangC 0.1.0 README and pyworkforce 0.1.0 README (PyPI) for the
        # same example with 14 agents: wait_probability 0.1741319, service_level
        # 0.88835 (pyworkforce: 0.8883500191794669), ASA 7.83593701177724 s,
        # occupancy 0.7142857.
        result = erlang_c(WORKED_EXAMPLE_RATE, WORKED_EXAMPLE_AHT, 14, threshold=20)
        assert result.p_wait == pytest.approx(0.1741319, abs=5e-8)
        assert result.service_level == pytest.approx(0.8883500191794669, abs=1e-12)
        assert result.asa == pytest.approx(7.83593701177724, abs=1e-10)
        assert result.mean_wait == result.asa
        assert result.occupancy == pytest.approx(10 / 14, rel=1e-15)
        assert result.p_abandon == 0.0

    def test_required_agents(self) -> None:
        # Both packages report 14 agents (before shrinkage) for 80 % in 20 s.
        agents = agents_for_service_level(
            WORKED_EXAMPLE_RATE, WORKED_EXAMPLE_AHT, target=0.8, threshold=20
        )
        assert agents == 14


class TestErlangCProperties:
    @pytest.mark.parametrize(
        ("load", "agents"), [(0.5, 1), (2.0, 3), (10.0, 11), (10.0, 14), (47.5, 50), (95.0, 120)]
    )
    def test_relation_to_erlang_b(self, load: float, agents: int) -> None:
        # C = n B / (n - a (1 - B)) (e.g. Cooper, Introduction to Queueing Theory).
        blocking = erlang_b(load, agents)
        expected = agents * blocking / (agents - load * (1 - blocking))
        result = erlang_c(rate=load / 100, aht=100, agents=agents)
        assert result.p_wait == pytest.approx(expected, rel=1e-12)

    def test_waiting_time_formulas(self) -> None:
        # ASA = C * aht / (n - a); SL = 1 - C exp(-(n - a) t / aht).
        result = erlang_c(rate=0.1, aht=240, agents=27, threshold=30)
        assert result.asa == pytest.approx(result.p_wait * 240 / 3, rel=1e-14)
        expected_service_level = 1 - result.p_wait * math.exp(-3 * 30 / 240)
        assert result.service_level == pytest.approx(expected_service_level, rel=1e-14)

    def test_zero_threshold_service_level_is_probability_of_no_wait(self) -> None:
        result = erlang_c(rate=0.1, aht=240, agents=27, threshold=0)
        assert result.service_level == pytest.approx(1 - result.p_wait, rel=1e-14)

    @pytest.mark.parametrize("agents", [20, 24])
    def test_unstable_load_returns_documented_values(self, agents: int) -> None:
        # 24 Erlangs on 24 or fewer agents: the queue grows without bound.
        result = erlang_c(rate=0.1, aht=240, agents=agents)
        assert result == ErlangResult(
            p_wait=1.0,
            asa=math.inf,
            mean_wait=math.inf,
            service_level=0.0,
            occupancy=1.0,
            p_abandon=0.0,
        )

    def test_stable_with_500_agents_at_95_percent_load(self) -> None:
        result = erlang_c(rate=475 / 240, aht=240, agents=500)
        for value in (result.p_wait, result.service_level, result.occupancy):
            assert 0.0 <= value <= 1.0
        assert math.isfinite(result.asa)
        blocking = erlang_b(475.0, 500)
        assert result.p_wait == pytest.approx(500 * blocking / (500 - 475 * (1 - blocking)))


def birth_death_reference(
    rate: float, aht: float, patience: float, agents: int, capacity: int
) -> dict[str, Any]:
    """M/M/n+M measures by a second, independent method.

    Solves pi Q = 0 for the generator Q of the number in system, truncated at
    agents + capacity, with numpy linear algebra. Then, by PASTA, the waiting
    contact's progress is a phase-type distribution: stages k = contacts ahead,
    from stage k it moves to k-1 (or into service from k = 0) at rate
    n/aht + k/patience and abandons at rate 1/patience. The service level comes
    from a matrix exponential of that chain, the answered wait from
    E[W 1{answered}] = alpha (-S)^-2 s.
    """
    size = agents + capacity + 1
    states = np.arange(size)
    births = np.full(size - 1, rate)
    deaths = np.minimum(states[1:], agents) / aht + np.maximum(states[1:] - agents, 0) / patience
    generator = np.diag(births, 1) + np.diag(deaths, -1)
    generator -= np.diag(generator.sum(axis=1))
    system = np.vstack([generator.T[:-1], np.ones(size)])
    right_side = np.zeros(size)
    right_side[-1] = 1.0
    stationary = np.linalg.solve(system, right_side)
    assert stationary[-1] < 1e-15, "truncation of the reference chain is too small"

    waiting = np.maximum(states - agents, 0)
    p_ahead = stationary[agents:]
    ahead = np.arange(capacity + 1)
    advance = agents / aht + ahead / patience
    sub_generator = np.diag(advance[1:], -1) - np.diag(advance + 1 / patience)
    to_service = np.zeros(capacity + 1)
    to_service[0] = agents / aht
    once = np.linalg.solve(-sub_generator, to_service)
    answered_after_wait_time = float(p_ahead @ np.linalg.solve(-sub_generator, once))
    answered_after_wait = float(p_ahead @ once)
    p_free = float(stationary[:agents].sum())
    return {
        "p_wait": float(p_ahead.sum()),
        "p_abandon": float(waiting @ stationary) / (patience * rate),
        "mean_wait": float(waiting @ stationary) / rate,
        "asa": answered_after_wait_time / (p_free + answered_after_wait),
        "occupancy": float(np.minimum(states, agents) @ stationary) / agents,
        "sub_generator": sub_generator,
        "to_service": to_service,
        "p_ahead": p_ahead,
        "p_free": p_free,
    }


def reference_service_level(reference: dict[str, Any], threshold: float) -> float:
    """P(answered within threshold) from the matrix exponential of the waiting chain."""
    sub_generator = reference["sub_generator"]
    size = len(sub_generator)
    # Augment the transient stages with one absorbing "answered" state.
    augmented = np.zeros((size + 1, size + 1))
    augmented[:size, :size] = sub_generator
    augmented[:size, size] = reference["to_service"]
    answered_by_threshold = linalg.expm(augmented * threshold)[:size, size]
    return reference["p_free"] + float(reference["p_ahead"] @ answered_by_threshold)


# (rate per s, aht s, patience s, agents, reference queue capacity)
ERLANG_A_CASES = [
    (0.1, 240.0, 120.0, 25, 300),  # underloaded: 24 Erlangs on 25 agents
    (0.1, 240.0, 120.0, 18, 400),  # overloaded: 24 Erlangs on 18 agents
    (30 / 240, 240.0, 60.0, 20, 400),  # 30 Erlangs on 20 agents, impatient
    (2.5 / 300, 300.0, 900.0, 3, 400),  # few agents, patience longer than AHT
]


class TestErlangASecondComputation:
    # No published Erlang A number could be traced to its source (Garnett,
    # Mandelbaum & Reiman 2002 and the 4CallCenters notes tabulate approximations
    # or plots), so the reference is the independent computation above.
    @pytest.mark.parametrize(("rate", "aht", "patience", "agents", "capacity"), ERLANG_A_CASES)
    def test_matches_linear_algebra_on_truncated_chain(
        self, rate: float, aht: float, patience: float, agents: int, capacity: int
    ) -> None:
        reference = birth_death_reference(rate, aht, patience, agents, capacity)
        result = erlang_a(rate, aht, patience, agents, threshold=20)
        for field in ("p_wait", "p_abandon", "mean_wait", "asa", "occupancy"):
            assert getattr(result, field) == pytest.approx(reference[field], rel=1e-9), field

    @pytest.mark.parametrize(("rate", "aht", "patience", "agents", "capacity"), ERLANG_A_CASES)
    @pytest.mark.parametrize("threshold", [0.0, 5.0, 20.0, 120.0])
    def test_service_level_matches_matrix_exponential(
        self,
        rate: float,
        aht: float,
        patience: float,
        agents: int,
        capacity: int,
        threshold: float,
    ) -> None:
        reference = birth_death_reference(rate, aht, patience, agents, capacity)
        result = erlang_a(rate, aht, patience, agents, threshold=threshold)
        expected = reference_service_level(reference, threshold)
        assert result.service_level == pytest.approx(expected, rel=1e-9, abs=1e-12)

    @pytest.mark.parametrize(("load", "agents"), [(4.0, 5), (24.0, 25), (24.0, 20), (80.0, 100)])
    def test_patience_equal_to_aht_is_a_poisson_system(self, load: float, agents: int) -> None:
        # With patience = AHT every contact in the system leaves at the same rate
        # whether waiting or served, so the number in system is Poisson(load)
        # (M/M/infinity). Then P(wait) = P(N >= n) and, by the abandonment flow
        # balance theta E[queue] = rate P(abandon), P(abandon) = E[(N - n)+] / load.
        aht = 200.0
        result = erlang_a(rate=load / aht, aht=aht, patience=aht, agents=agents)
        counts = np.arange(agents, agents + 2000)
        poisson = stats.poisson(load)
        assert result.p_wait == pytest.approx(poisson.sf(agents - 1), rel=1e-10)
        expected_abandon = float((counts - agents) @ poisson.pmf(counts)) / load
        assert result.p_abandon == pytest.approx(expected_abandon, rel=1e-10)


class TestErlangAProperties:
    @pytest.mark.parametrize(
        ("rate", "aht", "patience", "agents"),
        [
            (0.1, 240.0, 120.0, 25),
            (0.1, 240.0, 30.0, 10),
            (2.0, 240.0, 180.0, 500),
            (1000 / 240, 240.0, 120.0, 500),
            (0.01, 600.0, 3600.0, 4),
        ],
    )
    def test_abandonment_equals_mean_wait_over_patience(
        self, rate: float, aht: float, patience: float, agents: int
    ) -> None:
        # Exponential patience: P(abandon) = theta E[W] (Mandelbaum & Zeltyn,
        # "The Palm/Erlang-A queue", section 4.6). The implementation computes
        # P(abandon) from the arriving contact's view and E[W] from Little's law.
        result = erlang_a(rate, aht, patience, agents)
        assert result.p_abandon == pytest.approx(result.mean_wait / patience, rel=1e-9)

    def test_occupancy_is_answered_load_over_agents(self) -> None:
        result = erlang_a(rate=0.1, aht=240, patience=120, agents=22)
        expected = 0.1 * (1 - result.p_abandon) * 240 / 22
        assert result.occupancy == pytest.approx(expected, rel=1e-12)

    def test_infinite_patience_is_erlang_c(self) -> None:
        assert erlang_a(0.1, 240, math.inf, 27, 20) == erlang_c(0.1, 240, 27, 20)

    def test_converges_to_erlang_c_as_patience_grows(self) -> None:
        # The gap to Erlang C shrinks in proportion to 1/patience (first order in theta).
        erlang_c_result = erlang_c(rate=475 / 240, aht=240, agents=500)
        gaps = []
        for patience in (1e7, 1e8, 1e9):
            result = erlang_a(rate=475 / 240, aht=240, patience=patience, agents=500)
            for field in ("p_wait", "asa", "mean_wait", "service_level", "occupancy"):
                expected = getattr(erlang_c_result, field)
                assert getattr(result, field) == pytest.approx(expected, rel=1e-3), field
            gaps.append(erlang_c_result.p_wait - result.p_wait)
        assert gaps[0] / gaps[1] == pytest.approx(10, rel=0.05)
        assert gaps[1] / gaps[2] == pytest.approx(10, rel=0.05)

    @pytest.mark.parametrize("load", [475.0, 1000.0])
    def test_stable_with_500_agents(self, load: float) -> None:
        # 95 % and 200 % of 500 agents.
        result = erlang_a(rate=load / 240, aht=240, patience=120, agents=500)
        for value in (result.p_wait, result.service_level, result.occupancy, result.p_abandon):
            assert 0.0 <= value <= 1.0
        assert math.isfinite(result.asa)
        assert math.isfinite(result.mean_wait)

    def test_overload_throughput_is_agent_capacity(self) -> None:
        # At twice the agents' capacity every agent is busy almost always, so the
        # answered rate is n / aht and P(abandon) = 1 - n / load = 0.5.
        result = erlang_a(rate=1000 / 240, aht=240, patience=120, agents=500)
        assert result.p_abandon == pytest.approx(0.5, rel=1e-9)
        assert result.occupancy == pytest.approx(1.0, rel=1e-9)

    def test_service_level_grows_with_agents(self) -> None:
        levels = [erlang_a(0.1, 240, 120, agents).service_level for agents in range(1, 40)]
        assert np.all(np.diff(levels) > 0)


class TestAgentsForServiceLevel:
    @pytest.mark.parametrize(
        ("rate", "aht", "target", "threshold", "patience"),
        [
            (WORKED_EXAMPLE_RATE, WORKED_EXAMPLE_AHT, 0.8, 20.0, None),
            (0.1, 240.0, 0.9, 15.0, None),
            (0.01, 300.0, 0.5, 0.0, None),
            (475 / 240, 240.0, 0.95, 20.0, None),
            (0.1, 240.0, 0.8, 20.0, 120.0),
            (1.0, 240.0, 0.85, 30.0, 60.0),
            (0.001, 120.0, 0.7, 10.0, 300.0),
        ],
    )
    def test_result_is_minimal(
        self,
        rate: float,
        aht: float,
        target: float,
        threshold: float,
        patience: float | None,
    ) -> None:
        agents = agents_for_service_level(rate, aht, target, threshold, patience)

        def service_level(count: int) -> float:
            if patience is None:
                return erlang_c(rate, aht, count, threshold).service_level
            return erlang_a(rate, aht, patience, count, threshold).service_level

        assert service_level(agents) >= target
        assert agents == 1 or service_level(agents - 1) < target


class TestValidation:
    @pytest.mark.parametrize(
        ("call", "message"),
        [
            (lambda: erlang_b(-1.0, 3), "load: must be a non-negative finite number (got -1.0)"),
            (lambda: erlang_b(1.0, 2.5), "lines: must be an integer >= 0 (got 2.5)"),
            (lambda: erlang_c(0.0, 240, 3), "rate: must be a positive finite number (got 0.0)"),
            (lambda: erlang_c(0.1, 240, 0), "agents: must be an integer >= 1 (got 0)"),
            (lambda: erlang_c(0.1, 240, True), "agents: must be an integer >= 1 (got True)"),
            (
                lambda: erlang_c(0.1, 240, 30, threshold=-5),
                "threshold: must be a non-negative finite number (got -5)",
            ),
            (
                lambda: erlang_a(0.1, 240, 0.0, 30),
                "patience: must be a positive number (got 0.0)",
            ),
            (
                lambda: erlang_a(0.1, math.nan, 60, 30),
                "aht: must be a positive finite number (got nan)",
            ),
            (
                lambda: agents_for_service_level(0.1, 240, 1.0, 20),
                "target: must be strictly between 0 and 1 (got 1.0)",
            ),
            (
                lambda: agents_for_service_level(math.nan, 240, 0.8, 20),
                "rate: must be a positive finite number (got nan)",
            ),
        ],
    )
    def test_bad_arguments_are_named(self, call: Callable[[], object], message: str) -> None:
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            call()

    def test_absurd_patience_in_overload_is_refused(self) -> None:
        # 240 Erlangs on 10 agents: about 2.3e11 contacts would queue.
        message = (
            "patience: 1000000000000.0 s is too long for this load (240 Erlangs on 10 agents); "
            "the waiting queue would need more than 4194304 states "
            "(use a shorter patience or Erlang C)"
        )
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            erlang_a(rate=1.0, aht=240, patience=1e12, agents=10)
