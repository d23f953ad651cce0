"""Fuzzing: mutated valid scenarios never give a traceback, an exit other than 0 or 2, or a hang.

Each example draws a valid scenario (``strategies.routing_scenario_dicts``),
applies a few mutations (a value replaced by another type, a number at the
edge of float range, unicode or control characters, deep nesting, a key
removed or added), writes it as YAML and runs ``simcenter validate`` in this
process. A scenario that is still valid and small is also run. Every exit
code must be 0 or 2 (1 would be an internal error), and every example must
end within the deadline.

The default (reproducible) profile runs a fixed set of 60 examples; run
``pytest --hypothesis-profile=explore tests/test_safety_fuzz.py`` for 10,000
new ones.
"""

from __future__ import annotations

import math
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import routing_scenario_dicts

from simcenter import cli, workload
from simcenter.errors import ScenarioError
from simcenter.loading import load_scenario

EXAMPLES = 10_000 if settings.get_current_profile_name() == "explore" else 60
SMALL_RUN_CONTACTS = 5_000
"""A still-valid mutant with at most this many expected contacts is also run."""

EDGE_NUMBERS = [
    0,
    -0.0,
    -1,
    1e308,
    -1e308,
    5e-324,
    2.2250738585072014e-308,
    math.inf,
    -math.inf,
    math.nan,
    2**63,
    2**64 + 1,
    10**30,
    -(10**30),
]
EDGE_TEXT = [
    "1e308s",
    "1e308/h",
    "-1s",
    "0ms",
    "1e-308h",
    "99999999999999999999d",
    "ALL",
    " all ",
    "=cmd|' /C calc'!A0",
    "\x1b[31mred",
    "zero\u200bwidth",
    "cafe\u0301",
    "",
    "   ",
    "08:00",
    "25:00",
    "2026-03-29T02:30",
]


def leaves() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(EDGE_NUMBERS),
        st.sampled_from(EDGE_TEXT),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.text(max_size=12),
        st.booleans(),
        st.none(),
    )


def values() -> st.SearchStrategy[Any]:
    """Any YAML value: scalars at the edges, and nested lists and mappings."""
    return st.recursive(
        leaves(),
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.text(max_size=6), children, max_size=3),
        ),
        max_leaves=12,
    )


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in ``data``."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutants(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario with one to three mutations."""
    data = draw(routing_scenario_dicts())
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(data)))
        parent: Any = data
        for part in where[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "nest"]))
        key = where[-1]
        if action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(values())
        elif action == "nest":
            parent[key] = [parent[key]] * draw(st.integers(1, 3))
        else:
            parent[key] = draw(values())
    return data


def check_command(*args: str) -> int:
    code = cli.main(list(args))
    assert code in (0, 2), f"exit {code} for {args}"
    return code


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutants())
def test_mutated_scenarios_exit_0_or_2(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        if check_command("validate", str(path)) != 0:
            return
        try:
            scenario = load_scenario(path)
        except ScenarioError:  # pragma: no cover - validate said it was valid
            pytest.fail("validate and load_scenario disagree")
        if workload.estimate(scenario, 1).contacts <= SMALL_RUN_CONTACTS:
            out = str(Path(folder) / "out")
            check_command("run", str(path), "-o", out, "-n", "1", "--no-plots", "--no-contacts")
