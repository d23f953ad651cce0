"""Numbers that cannot overflow: distribution parameters and command-line options.

Every parameter outside its range is a problem with its exact message; at
every corner of the ranges, the distribution's mean, variance, samples and
CDF are finite. ``-n``, ``--seed`` and ``--jobs`` are checked like the file.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from safety import TINY, run_cli, write

from simcenter.errors import ScenarioError
from simcenter.scenario import build_scenario
from simcenter.scenario.distributions import MAX_CV, MAX_WEIBULL_SHAPE, MIN_CV
from simcenter.scenario.values import MAX_DURATION_S, MAX_NUMBER


def handle_time_problems(spec: dict[str, object]) -> list[str]:
    data = {
        "name": "x",
        "queues": [{"name": "q", "arrivals": {"rate": 1}, "handle_time": spec}],
        "agents": [{"name": "g", "count": 1, "skills": ["q"]}],
    }
    try:
        build_scenario(data)
    except ScenarioError as error:
        return [str(problem) for problem in error.problems]
    return []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {
                "distribution": "mixture",
                "weights": [1e308, 1e308],
                "components": [
                    {"distribution": "constant", "mean": 1},
                    {"distribution": "constant", "mean": 2},
                ],
            },
            "queues[0].handle_time.weights[0]: must be at most 1,000,000,000 (got 1e+308)",
        ),
        (
            {
                "distribution": "mixture",
                "weights": [1, 1e-320],
                "components": [
                    {"distribution": "constant", "mean": 1},
                    {"distribution": "constant", "mean": 2},
                ],
            },
            "",
        ),
        (
            {"distribution": "lognormal", "mean": 60, "cv": 1e308},
            "queues[0].handle_time.cv: must be a number from 0.001 to 100 (got 1e+308)",
        ),
        (
            {"distribution": "lognormal", "mean": 60, "sd": 1e200},
            "queues[0].handle_time.sd: must be at most 36500d (got 1e+200)",
        ),
        (
            {"distribution": "lognormal", "mean": 60, "sd": "1d"},
            "queues[0].handle_time: needs sd from 0.001 to 100 times the mean (got sd 1d, "
            "mean 1min)",
        ),
        (
            {"distribution": "gamma", "mean": 60, "cv": 1e-308},
            "queues[0].handle_time.cv: must be a number from 0.001 to 100 (got 1e-308)",
        ),
        (
            {"distribution": "weibull", "mean": 60, "shape": 1e308},
            "queues[0].handle_time.shape: must be at most 1,000,000,000 (got 1e+308)",
        ),
        (
            {"distribution": "weibull", "mean": 60, "shape": 5000},
            "queues[0].handle_time.shape: must be at most 1000 (got 5000.0)",
        ),
        (
            {"distribution": "exponential", "mean": 1e308},
            "queues[0].handle_time.mean: must be at most 36500d (got 1e+308)",
        ),
        (
            {"distribution": "uniform", "low": 0, "high": "1e300h"},
            'queues[0].handle_time.high: must be at most 36500d (got "1e300h")',
        ),
        (
            {"distribution": "empirical", "values": [1, 1e308]},
            "queues[0].handle_time.values[1]: must be at most 36500d (got 1e+308)",
        ),
    ],
)
def test_parameters_outside_their_range_are_refused(spec: dict[str, object], message: str) -> None:
    assert handle_time_problems(spec)[:1] == ([message] if message else [])


def corners() -> list[dict[str, object]]:
    means = (1e-3, MAX_DURATION_S)
    specs: list[dict[str, object]] = []
    for mean, cv in itertools.product(means, (MIN_CV, MAX_CV)):
        specs += [
            {"distribution": "lognormal", "mean": mean, "cv": cv},
            {"distribution": "gamma", "mean": mean, "cv": cv},
        ]
    for mean, shape in itertools.product(means, (0.012, MAX_WEIBULL_SHAPE)):
        specs.append({"distribution": "weibull", "mean": mean, "shape": shape})
    specs += [{"distribution": "exponential", "mean": mean} for mean in means]
    specs.append({"distribution": "uniform", "low": 0, "high": MAX_DURATION_S})
    specs.append(
        {
            "distribution": "mixture",
            "weights": [MAX_NUMBER, MAX_NUMBER],
            "components": [
                {"distribution": "gamma", "mean": MAX_DURATION_S, "cv": MAX_CV},
                {"distribution": "lognormal", "mean": MAX_DURATION_S, "cv": MAX_CV},
            ],
        }
    )
    return specs


@pytest.mark.parametrize("spec", corners(), ids=lambda spec: str(spec)[:60])
def test_computations_are_finite_at_every_corner_of_the_ranges(spec: dict[str, object]) -> None:
    data = {
        "name": "x",
        "queues": [{"name": "q", "arrivals": {"rate": 1}, "handle_time": spec}],
        "agents": [{"name": "g", "count": 1, "skills": ["q"]}],
    }
    distribution = build_scenario(data).queues[0].handle_time.build()
    samples = distribution.sample(np.random.default_rng(1), 1000)

    assert math.isfinite(distribution.mean)
    assert math.isfinite(distribution.var)
    assert np.isfinite(samples).all()
    assert (samples >= 0).all()
    cdf = distribution.cdf(np.array([0.0, 1.0, MAX_DURATION_S]))
    assert np.isfinite(cdf).all()
    assert ((cdf >= 0) & (cdf <= 1)).all()


# --- command-line options ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "0"], "-n: must be a positive integer (got 0)"),
        (["-n", "-1"], "-n: must be a positive integer (got -1)"),
        (["-n", "1e3"], '-n: must be a positive integer (got "1e3")'),
        (["-n", "100001"], "-n: must be at most 100,000 (got 100,001)"),
        (["--seed", "-1"], "--seed: must be a non-negative integer (got -1)"),
        (["--seed", "x"], '--seed: must be a non-negative integer (got "x")'),
        (["--jobs", "0"], "--jobs: must be a positive integer (got 0)"),
        (["--jobs", "-4"], "--jobs: must be a positive integer (got -4)"),
    ],
)
def test_options_are_checked_like_the_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TINY)

    code, out, err = run_cli(capsys, "run", "scenario.yaml", *args)

    assert (code, out, err) == (2, "", message + "\n")
    assert not (tmp_path / "results").exists()


def test_every_bad_option_is_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TINY)

    code, _, err = run_cli(capsys, "run", "scenario.yaml", "-n", "0", "--seed", "-1", "--jobs", "0")

    assert code == 2
    assert err.splitlines() == [
        "-n: must be a positive integer (got 0)",
        "--seed: must be a non-negative integer (got -1)",
        "--jobs: must be a positive integer (got 0)",
    ]


def test_the_same_values_in_the_file_give_the_same_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TINY.replace("horizon: 1h", "horizon: 1h\nseed: -1\nreplications: 0"))

    code, _, err = run_cli(capsys, "validate", "scenario.yaml")

    assert code == 2
    assert err.splitlines() == [
        "scenario.yaml:3 seed: must be a non-negative integer (got -1)",
        "scenario.yaml:4 replications: must be a positive integer (got 0)",
    ]
