"""Helpers shared by the scripted engine tests: tiny scenarios and exact event logs.

Scenario pieces are plain dicts in the YAML format; times are whole seconds so
every expected time is exact in floating point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from simcenter.engine import run_replication
from simcenter.records import OUTCOMES, ReplicationRecord
from simcenter.scenario import Scenario

NAN = math.nan
ALPHA = 0.001
"""Significance level of the statistical checks."""
EXACT_COLUMNS = ["queue", "arrival_s", "outcome", "answered_s", "end_s", "wait_s"]
"""The columns an exact event log compares."""

ScenarioFactory = Callable[..., Scenario]
"""The ``make_scenario`` fixture (tests/conftest.py)."""
ArrivalScript = Callable[[Mapping[str, Sequence[float]]], None]
"""The ``script_arrivals`` fixture (tests/conftest.py)."""


def constant(seconds: float) -> dict[str, Any]:
    """A constant distribution of ``seconds``."""
    return {"distribution": "constant", "mean": seconds}


def exponential(mean: str) -> dict[str, Any]:
    """An exponential distribution with the given mean (a duration)."""
    return {"distribution": "exponential", "mean": mean}


def queue(name: str, handle_s: float = 100.0, **keys: Any) -> dict[str, Any]:
    """A queue with a constant handle time; its Poisson rate matters only when not scripted."""
    return {"name": name, "arrivals": {"rate": "60/h"}, "handle_time": constant(handle_s), **keys}


def group(name: str, skills: list[str] | dict[str, Any], count: int = 1) -> dict[str, Any]:
    """An agent group with a constant number of agents."""
    return {"name": name, "count": count, "skills": skills}


def table_of(scenario: Scenario, record: ReplicationRecord) -> pd.DataFrame:
    """The contacts of a record, by contact id, with queue and outcome by name."""
    table = pd.DataFrame(record.contacts).sort_values("contact_id", ignore_index=True)
    table["outcome"] = [OUTCOMES[code] for code in table["outcome"]]
    table["queue"] = [scenario.queues[index].name for index in table["queue"]]
    return table


def run(scenario: Scenario, seed: int | None = None) -> pd.DataFrame:
    """One replication's contacts (see :func:`table_of`)."""
    return table_of(scenario, run_replication(scenario, 0, seed))


def assert_log(table: pd.DataFrame, expected: list[tuple[Any, ...]]) -> None:
    """The contacts, by contact id, are exactly ``expected`` rows of ``EXACT_COLUMNS``."""
    wanted = pd.DataFrame(expected, columns=EXACT_COLUMNS)
    pd.testing.assert_frame_equal(table[EXACT_COLUMNS], wanted, check_dtype=False, check_exact=True)
