"""Fixtures shared by the test modules: small scenarios and scripted arrivals.

Hypothesis runs derandomized: the same examples on every run and machine, so
the suite is reproducible and CI cannot fail on an example nobody has seen.
Explore new examples by hand with ``pytest --hypothesis-profile=explore``.

The suite runs on every core (pytest-xdist, ``-n auto`` in pyproject.toml);
tests marked ``slow`` are collected first so that the longest ones start at
once and the rest fill the other cores around them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import settings

from simcenter.centre import Centre
from simcenter.routing import Queue
from simcenter.scenario import Scenario, build_scenario

settings.register_profile("reproducible", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("reproducible")

ScenarioFactory = Callable[..., Scenario]
ArrivalScript = Callable[[Mapping[str, Sequence[float]]], None]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slow tests first, so that no core idles at the end of the run.

    The slow tests go first in reverse collection order (their heaviest
    parametrized cases are the last ones of each test); the others keep
    their order.
    """
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    fast = [item for item in items if item.get_closest_marker("slow") is None]
    items[:] = slow[::-1] + fast


@pytest.fixture
def make_scenario() -> ScenarioFactory:
    """Build a validated scenario from queues and agent groups (one simulated hour by default).

    Call it as ``make_scenario(queues, agents, **keys)``; ``keys`` are further
    scenario keys (``horizon``, ``warmup``, ``closing``, ...) as in YAML.
    """

    def build(queues: list[dict[str, Any]], agents: list[dict[str, Any]], **keys: Any) -> Scenario:
        return build_scenario(
            {"name": "test", "horizon": "1h", **keys, "queues": queues, "agents": agents}
        )

    return build


@pytest.fixture
def script_arrivals(monkeypatch: pytest.MonkeyPatch) -> ArrivalScript:
    """Replace the Poisson arrivals of the next runs by exact arrival times (seconds) per queue.

    Everything else (handle times, patience, routing, staffing, closing) runs
    as in a normal replication. Queues not named in the script get no contacts.
    """

    def script(times_by_queue: Mapping[str, Sequence[float]]) -> None:
        original = Centre.arrivals

        def scripted(self: Centre, queue: Queue, times: Iterator[float]) -> Any:
            return original(self, queue, iter(times_by_queue.get(queue.name, ())))

        monkeypatch.setattr(Centre, "arrivals", scripted)

    return script
