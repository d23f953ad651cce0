"""Small simulated runs shared by the plot, DataFrame and HTML report tests.

Each is built through the public API (``simcenter.simulate``) on a short
horizon and cached, so a test module pays for it once.
"""

from __future__ import annotations

import functools
from typing import Any

import simcenter
from simcenter.results import Results

TWO_QUEUES: dict[str, Any] = {
    "name": "tiny-two-queues",
    "seed": 3,
    "start": "2026-01-05T08:00",
    "timezone": "Europe/Berlin",
    "horizon": "2h",
    "interval": "30min",
    "replications": 3,
    "service_level": {"threshold": "20s", "target": 0.8},
    "queues": [
        {
            "name": "billing",
            "arrivals": {"rate": "120/h"},
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "2min"},
        },
        {
            "name": "tech",
            "arrivals": {"rate": "40/h"},
            "handle_time": {"distribution": "exponential", "mean": "5min"},
            "service_level": {"threshold": "30s", "target": 0.9},
        },
    ],
    "agents": [
        {"name": "tier1", "count": 6, "skills": ["billing", "tech"], "cost_per_hour": 30},
        {"name": "tier2", "count": 3, "skills": ["tech"], "cost_per_hour": 40},
    ],
}
"""Two queues (one without abandonment), two groups, Berlin time, three replications."""


def many_queues_scenario(count: int = 500) -> dict[str, Any]:
    """``count`` small client queues served by one team, for half an hour."""
    queues = [
        {
            "name": f"client-{index:03d}",
            "arrivals": {"rate": f"{1 + index % 7}/h"},
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "90s"},
        }
        for index in range(1, count + 1)
    ]
    names = [queue["name"] for queue in queues]
    return {
        "name": "tiny-many-queues",
        "seed": 5,
        "horizon": "30min",
        "interval": "15min",
        "queues": queues,
        "agents": [
            {"name": f"team-{team:02d}", "count": 4, "skills": names[team::20]}
            for team in range(20)
        ],
    }


TWO_DAYS: dict[str, Any] = {
    "name": "tiny-two-days",
    "seed": 9,
    "start": "2026-03-02T00:00",
    "timezone": "America/New_York",
    "horizon": "2d",
    "interval": "4h",
    "queues": [
        {
            "name": "sales",
            "arrivals": {"rate": "30/h"},
            "handle_time": {"distribution": "exponential", "mean": "4min"},
            "patience": {"distribution": "exponential", "mean": "3min"},
        }
    ],
    "agents": [{"name": "team", "count": 3, "skills": ["sales"]}],
}
"""One queue over two days in New York time, four-hour intervals."""


@functools.cache
def two_queues() -> Results:
    """Results of :data:`TWO_QUEUES`."""
    return simcenter.simulate(TWO_QUEUES, jobs=1)


@functools.cache
def many_queues() -> Results:
    """Results of :func:`many_queues_scenario` (500 queues)."""
    return simcenter.simulate(many_queues_scenario(), replications=1, jobs=1)


@functools.cache
def two_days() -> Results:
    """Results of :data:`TWO_DAYS`."""
    return simcenter.simulate(TWO_DAYS, replications=2, jobs=1)
