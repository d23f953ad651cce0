"""Tests of simcenter.streams: named, reproducible, independent random streams."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from simcenter.streams import name_key, stream

SEED = 7
DRAWS = 16


def draws(seed: int, replication: int, name: str) -> list[float]:
    """The first DRAWS uniform values of a stream."""
    return stream(seed, replication, name).random(DRAWS).tolist()


def test_same_arguments_give_identical_draws() -> None:
    assert draws(SEED, 3, "arrivals/billing") == draws(SEED, 3, "arrivals/billing")


@pytest.mark.parametrize("hash_seed", ["0", "1", "12345"])
def test_draws_do_not_depend_on_the_process_or_its_hash_seed(hash_seed: str) -> None:
    code = (
        "import json; from simcenter.streams import stream; "
        f"print(json.dumps(stream({SEED}, 3, 'handle/billing').random({DRAWS}).tolist()))"
    )
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    completed = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    assert json.loads(completed.stdout) == draws(SEED, 3, "handle/billing")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((SEED, 0, "arrivals/billing"), (SEED, 0, "handle/billing")),
        ((SEED, 0, "arrivals/billing"), (SEED, 0, "arrivals/tech")),
        ((SEED, 0, "patience/billing"), (SEED, 0, "wrap/billing")),
        ((SEED, 0, "arrivals/billing"), (SEED, 1, "arrivals/billing")),
        ((SEED, 0, "arrivals/billing"), (SEED + 1, 0, "arrivals/billing")),
        ((0, 1, "arrivals/billing"), (1, 0, "arrivals/billing")),
    ],
)
def test_different_arguments_give_different_draws(
    first: tuple[int, int, str], second: tuple[int, int, str]
) -> None:
    assert draws(*first) != draws(*second)


def test_streams_of_different_names_are_uncorrelated() -> None:
    # Under independence the sample correlation of n pairs has standard error
    # about 1/sqrt(n); 3.29 standard errors is the two-sided z-test at alpha = 0.001.
    n = 20_000
    arrivals = stream(SEED, 0, "arrivals/billing").random(n)
    handle = stream(SEED, 0, "handle/billing").random(n)
    correlation = np.corrcoef(arrivals, handle)[0, 1]
    assert abs(correlation) < 3.29 / np.sqrt(n)


def test_a_stream_does_not_depend_on_which_other_streams_exist() -> None:
    before = draws(SEED, 0, "arrivals/billing")
    stream(SEED, 0, "arrivals/tech").random(1000)
    assert draws(SEED, 0, "arrivals/billing") == before


PURPOSES = ("handle", "wrap", "patience", "transfer", "repeat", "repeat_delay", "balk")
"""Every purpose of a contact's draws (docs/modelling.md, "Randomness")."""


def every_stream_name(queues: list[str]) -> list[str]:
    """Every name the engine may give a stream of these queues: each purpose of each origin."""
    names = []
    for queue in queues:
        names += [f"arrivals/{queue}", f"routing/{queue}"]
        names += [f"{purpose}/{queue}" for purpose in PURPOSES]
        names += [
            f"{origin}/{queue}/{purpose}"
            for origin in ("repeat", "transfer", "reroute")
            for purpose in PURPOSES
        ]
    return names


def test_the_streams_of_the_500_queue_example_have_distinct_keys() -> None:
    from pathlib import Path

    from simcenter.loading import load_scenario

    root = Path(__file__).resolve().parents[1]
    scenario = load_scenario(root / "scenarios" / "secretarial.yaml")
    names = every_stream_name([queue.name for queue in scenario.queues])
    assert len(names) == len(set(names)) >= 500 * 30
    assert len({name_key(name) for name in names}) == len(names)


def test_20000_synthetic_names_have_distinct_keys() -> None:
    names = every_stream_name([f"queue-{number:05d}" for number in range(20_000 // 30 + 1)])
    assert len(names) >= 20_000
    assert len({name_key(name) for name in names}) == len(names)


def test_a_key_is_128_bits_in_32_bit_words() -> None:
    key = name_key("arrivals/billing")
    assert len(key) == 4
    assert all(0 <= word < 2**32 for word in key)
    assert key != name_key("arrivals/billinh")
