"""The plot of a sweep: service level and cost against the first varied value.

With one varied key, the service level is drawn per queue (and ``ALL``);
with more, the service level of ``ALL`` is drawn, one line per value of the
other keys. Error bars are the 95 % confidence half-widths (``_ci95``) when
the sweep has them. Durations given with units (``60s``, ``2min``) are drawn
in seconds; values that are neither numbers nor durations are drawn evenly
spaced, in the order of the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simcenter.plotting._common import FIGURE_SIZE, MAX_SERIES, plain_text
from simcenter.reports import ALL
from simcenter.units import parse_duration

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@plain_text
def sweep_figure(table: pd.DataFrame, keys: Sequence[str]) -> Figure:
    """Service level (left) and cost (right) against the first varied key, with 95 % CIs.

    Args:
        table: A sweep table (:func:`simcenter.sweep`).
        keys: Its varied keys, in grid order.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(FIGURE_SIZE[0], FIGURE_SIZE[1]), layout="constrained")
    level, cost = figure.subplots(1, 2)
    x_key, others = keys[0], list(keys[1:])
    positions, ticks, x_label = _x_axis(table[x_key])
    table = table.assign(_x=positions)
    if others:
        for name, part in _series(table[table["queue"] == ALL], others):
            _line(level, part, "service_level", name)
            _line(cost, part, "cost", name)
    else:
        for name in _queues(table):
            _line(level, table[table["queue"] == name], "service_level", str(name))
        _line(cost, table[table["queue"] == ALL], "cost", None)
    level.set_title("service level")
    level.set_ylabel("service level")
    cost.set_title("agent cost")
    cost.set_ylabel("cost")
    for ax in (level, cost):
        ax.set_xlabel(x_label)
        if ticks is not None:
            ax.set_xticks(range(len(ticks)), ticks)
        elif np.all(positions == np.round(positions)):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small")
    return figure


def _x_axis(values: pd.Series) -> tuple[np.ndarray, list[str] | None, str]:
    """Positions of the first key's values, tick labels (None: numeric axis), axis label."""
    name = str(values.name)
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all():
        return numbers.to_numpy(dtype=float), None, name
    seconds = [_seconds(value) for value in values]
    if all(second is not None for second in seconds):
        return np.array(seconds, dtype=float), None, f"{name} (s)"
    order = list(dict.fromkeys(str(value) for value in values))
    return np.array([order.index(str(value)) for value in values], dtype=float), order, name


def _seconds(value: Any) -> float | None:
    try:
        return parse_duration(value)
    except (ValueError, TypeError):
        return None


def _series(table: pd.DataFrame, others: list[str]) -> list[tuple[str, pd.DataFrame]]:
    """One part of the table per combination of the other keys' values, in grid order."""
    groups = table.groupby(others, sort=False, dropna=False)
    parts = []
    for values, part in groups:
        pairs = zip(others, np.atleast_1d(values), strict=True)
        parts.append((", ".join(f"{key}={value}" for key, value in pairs), part))
    return parts[:MAX_SERIES]


def _queues(table: pd.DataFrame) -> list[Any]:
    """``ALL`` first, then the queues (at most the plot's series limit)."""
    names = [name for name in dict.fromkeys(table["queue"]) if name != ALL]
    return [ALL, *names[: MAX_SERIES - 1]] if len(names) > 1 else [ALL]


def _line(ax: Axes, part: pd.DataFrame, figure: str, name: str | None) -> None:
    """One line with 95 % error bars when the table has them."""
    error = part.get(f"{figure}_ci95")
    ax.errorbar(part["_x"], part[figure], yerr=error, marker="o", capsize=3, label=name)
