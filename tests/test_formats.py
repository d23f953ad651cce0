"""How figures are written for people: long waits as seconds and h:mm:ss."""

from __future__ import annotations

import io
import math
from typing import Any

import pytest

import simcenter as sc
from simcenter import formats
from simcenter.cli.console import print_summary


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (4.94, "4.9 s"),
        (599.4, "599 s"),
        (600.0, "600 s (0:10:00)"),
        (2834.4, "2,834 s (0:47:14)"),
        (4512.4, "4,512 s (1:15:12)"),
        (90061.0, "90,061 s (25:01:01)"),
    ],
)
def test_a_long_duration_is_also_written_as_hours_minutes_seconds(value: float, text: str) -> None:
    assert formats.seconds(value) == text


def test_the_run_table_shows_a_long_asa_as_hours_minutes_seconds() -> None:
    """Two agents for 50 calls an hour of 4 minutes (3.3 Erlangs), patient callers: long waits."""
    results = sc.simulate(
        {
            "name": "long-waits",
            "seed": 1,
            "horizon": "2h",
            "queues": [
                {
                    "name": "slow",
                    "arrivals": {"rate": "50/h"},
                    "handle_time": {"distribution": "exponential", "mean": "4min"},
                    "patience": {"distribution": "exponential", "mean": "2h"},
                }
            ],
            "agents": [{"name": "pair", "count": 2, "skills": ["slow"]}],
        }
    )
    asa = float(results.summary.set_index("queue").loc["slow", "asa_s"])
    assert asa >= formats.LONG_S
    stream = io.StringIO()
    print_summary(results, stream=stream)
    whole = round(asa)
    assert f"({whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d})" in stream.getvalue()


@pytest.mark.parametrize(
    ("write", "value", "text"),
    [
        (formats.signed_percent_points, 0.056, "+5.6 pts"),
        (formats.signed_percent_points, -0.0104, "-1.0 pts"),
        (formats.signed_seconds, -2.04, "-2.0 s"),
        (formats.signed_seconds, 3.0, "+3.0 s"),
        (formats.signed_seconds, -700.0, "-700 s (0:11:40)"),
        (formats.signed_money, 256.857, "+256.86"),
        (formats.signed_money, -3711.934, "-3,711.93"),
        (formats.signed_percent_points, math.nan, "-"),
        (formats.signed_seconds, math.nan, "-"),
        (formats.signed_money, math.nan, "-"),
    ],
)
def test_differences_carry_their_sign_in_the_unit_of_their_figure(
    write: Any, value: float, text: str
) -> None:
    assert write(value) == text
