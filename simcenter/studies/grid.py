"""The grid of a sweep: the values each varied key takes, and the points they make.

On the command line a key's values are given as ``KEY=SPEC``
(:func:`parse_vary`): ``24:36`` is every integer from 24 to 36 inclusive,
``0.5:1:0.25`` runs from 0.5 to 1 in steps of 0.25 (the end included when a
step lands on it), and ``60s,120s,300s`` is a list, each value read as in a
scenario file (so ``60s`` is a duration and ``32`` a number). The points of
a grid are its Cartesian product, the first key varying slowest
(:func:`points`).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from simcenter.errors import Problem, ScenarioError
from simcenter.loading import load_overrides

MAX_POINTS = 100_000
"""Most points a sweep may have (a typo in a range must not start a week of work)."""

Grid = dict[str, list[Any]]
"""Varied key -> its values, in the order given."""

Point = tuple[tuple[str, Any], ...]
"""One point of a grid: ``((key, value), ...)`` in the grid's key order."""

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"({_NUMBER}):({_NUMBER})(?::({_NUMBER}))?")


def parse_vary(pairs: Iterable[str]) -> Grid:
    """The grid of ``--vary KEY=SPEC`` options.

    Raises:
        ScenarioError: Every malformed option, e.g. ``--vary "x=5:1": the range
            is empty (from 5 down to 1)``; a key given twice.
    """
    grid: Grid = {}
    problems: list[Problem] = []
    for pair in pairs:
        key, equals, spec = pair.partition("=")
        key = key.strip()
        try:
            if not equals or not key or not spec.strip():
                raise ValueError("expected KEY=a:b, KEY=a:b:step or KEY=v1,v2,...")
            if key in grid:
                raise ValueError(f"{key} is varied twice (give all its values in one --vary)")
            grid[key] = _values(key, spec.strip())
        except (ValueError, ScenarioError) as error:
            message = error.problems[0].message if isinstance(error, ScenarioError) else error
            problems.append(Problem((), f'--vary "{pair}": {message}'))
    if problems:
        raise ScenarioError(problems)
    return grid


def _values(key: str, spec: str) -> list[Any]:
    """The values of one ``--vary`` spec: a range of numbers or a list read as YAML."""
    match = _RANGE.fullmatch(spec)
    if match is not None:
        return _number_range(*match.groups())
    items = [item.strip() for item in spec.split(",")]
    if not all(items):
        raise ValueError("a list must not have empty values")
    return [load_overrides([f"{key}={item}"])[key] for item in items]


def _number_range(start_text: str, stop_text: str, step_text: str | None) -> list[Any]:
    """``start:stop[:step]``, both ends included; integers when every bound is one."""
    texts = [start_text, stop_text] + ([step_text] if step_text else [])
    integral = all(re.fullmatch(r"[-+]?\d+", text) for text in texts)
    number = int if integral else float
    start, stop = number(start_text), number(stop_text)
    step = number(step_text) if step_text else 1
    if not all(math.isfinite(value) for value in (start, stop, step)):
        raise ValueError("the bounds and the step must be finite numbers (one is too large)")
    if step <= 0:
        raise ValueError(f"the step must be positive (got {step_text})")
    if stop < start:
        raise ValueError(f"the range is empty (from {start_text} down to {stop_text})")
    spans = (stop - start) / step
    if not math.isfinite(spans) or spans >= MAX_POINTS:
        shown = f"{math.floor(spans) + 1:,}" if math.isfinite(spans) else "too many"
        raise ValueError(f"the range has {shown} values (at most {MAX_POINTS:,})")
    count = math.floor(spans + 1e-9) + 1
    if count > MAX_POINTS:
        raise ValueError(f"the range has {count:,} values (at most {MAX_POINTS:,})")
    if integral:
        return list(range(int(start), int(stop) + 1, int(step)))
    return [round(start + number_of_steps * step, 12) for number_of_steps in range(count)]


def as_grid(grid: Mapping[str, Iterable[Any]]) -> Grid:
    """A grid given to the API as lists, checked: at least one key, each with values.

    Raises:
        ValueError: An empty grid, a key without values, or too many points.
    """
    checked = {str(key): list(values) for key, values in grid.items()}
    if not checked:
        raise ValueError("a sweep needs at least one varied key")
    empty = [key for key, values in checked.items() if not values]
    if empty:
        raise ValueError(f"the sweep grid gives no values for {', '.join(empty)}")
    size = math.prod(len(values) for values in checked.values())
    if size > MAX_POINTS:
        raise ValueError(f"the sweep has {size:,} points (at most {MAX_POINTS:,})")
    return checked


def points(grid: Grid) -> list[Point]:
    """Every point of the grid (Cartesian product), the first key varying slowest."""
    keys = list(grid)
    return [tuple(zip(keys, values, strict=True)) for values in itertools.product(*grid.values())]


def point_key(point: Point) -> str:
    """A stable text naming a point: the store's key for its results."""
    return json.dumps([[key, value] for key, value in point], default=str)


def label(point: Sequence[tuple[str, Any]]) -> str:
    """A point the way the command line writes it: ``agents.tier1.count=24, ...``."""
    return ", ".join(f"{key}={value}" for key, value in point)
