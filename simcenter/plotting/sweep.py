"""The plot of a sweep: service level and cost against the first varied value.

With one varied key, the service level is drawn for ``ALL`` and per queue,
worst first (the queues whose lowest service level over the points is
lowest); beyond ten queues, the others are one grey line, their
offered-weighted service level. With more keys, the service level of
``ALL`` is drawn, one line per value of the other keys. The service-level
target is a dashed line: one black line when every queue drawn has the same
target, else one per queue in its colour (following the points when the
target itself is varied). Error bars are the 95 % confidence half-widths
(``_ci95``) when the sweep has them, on every queue when at most
:data:`ERROR_BAR_SERIES` are drawn, else on ``ALL`` only; the service-level
axis runs from 0 to 105 %. Durations given with units (``60s``, ``2min``) are drawn
in seconds; values that are neither numbers nor durations are drawn evenly
spaced, in the order of the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simcenter.plotting._common import (
    FIGURE_SIZE,
    MAX_SERIES,
    OTHERS_COLOUR,
    colours,
    others_label,
    plain_text,
)
from simcenter.reports import ALL, is_total
from simcenter.units import parse_duration

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


ERROR_BAR_SERIES = 3
"""Every queue's line has error bars when at most this many queues are drawn; beyond, only
``ALL``'s (more hide each other)."""


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
    names = table["queue"].astype(str)
    if others:
        for name, part in _series(table[names == ALL], others):
            _line(level, part, "service_level", name)
            _line(cost, part, "cost", name)
        _targets(level, table[names == ALL], [ALL], ["black"])
    else:
        shown, rest = worst_queues(table)
        drawn = [ALL, *shown] if shown else [ALL]
        palette = ["black", *colours(len(shown) + 1)[: len(shown)]]  # none black but ALL
        bars = len(shown) <= ERROR_BAR_SERIES
        for name, colour in zip(drawn, palette, strict=True):
            rows = table[names == name]
            _line(level, rows, "service_level", name, colour, bars or name == ALL)
        if rest:
            _others(level, table[names.isin(rest)], others_label(rest, "queues"))
        _targets(level, table[names.isin(shown or [ALL])], shown or [ALL], palette[1:] or palette)
        _line(cost, table[names == ALL], "cost", None, "black")
    level.set_ylim(0.0, 1.05)
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
        handles, labels = ax.get_legend_handles_labels()
        if handles:  # the lines in the order drawn, the targets last
            order = sorted(range(len(labels)), key=lambda at: labels[at].startswith("target"))
            place = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)} if ax is level else {}
            ax.legend(
                [handles[at] for at in order],
                [labels[at] for at in order],
                fontsize="small",
                **place,
            )
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


def worst_queues(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The queues drawn one by one, worst first, and the others (drawn together).

    Queues are ranked by their lowest service level over the points (ties by
    name; queues with no contact offered last); the first
    :data:`~simcenter.plotting._common.MAX_SERIES` are drawn one by one. A
    single queue is ``ALL`` itself: no queue is drawn besides it. The
    channels' total rows are not queues: never drawn.
    """
    names = table["queue"].astype(str)
    queues = [name for name in dict.fromkeys(names) if not is_total(name)]
    if len(queues) < 2:
        return [], []
    lowest = table["service_level"].groupby(names, sort=False).min()
    ranked = sorted(queues, key=lambda name: (np.isnan(lowest[name]), lowest[name], name))
    return ranked[:MAX_SERIES], ranked[MAX_SERIES:]


def _others(ax: Axes, rows: pd.DataFrame, label: str) -> None:
    """One grey line: the offered-weighted service level of ``rows`` at each point."""
    defined = rows["service_level"].notna()
    weight = rows["offered"].where(defined, 0.0).groupby(rows["_x"], sort=False).sum()
    total = (rows["service_level"] * rows["offered"]).where(defined, 0.0)
    level = total.groupby(rows["_x"], sort=False).sum() / weight.where(weight > 0)
    ax.errorbar(level.index, level.to_numpy(), marker="o", color=OTHERS_COLOUR, label=label)


def _targets(ax: Axes, rows: pd.DataFrame, names: Sequence[str], palette: Sequence[Any]) -> None:
    """The service-level target, dashed: one black line if ``names`` share it, else one each.

    A target that does not change over the points is a horizontal line; a
    varied target follows the points.
    """
    queue = rows["queue"].astype(str)
    targets = rows["sl_target"].dropna()
    if targets.empty:
        return
    if targets.nunique() == 1 and len(targets) == len(rows):
        value = float(targets.iloc[0])
        ax.axhline(value, color="black", linestyle="--", linewidth=1.0, label=f"target {value:.0%}")
        return
    for name, colour in zip(names, palette, strict=True):
        part = rows[queue == name]
        values = part["sl_target"]
        if values.isna().all():
            continue
        label = f"target {name}"
        if values.nunique() == 1:
            ax.axhline(
                float(values.iloc[0]), color=colour, linestyle="--", linewidth=1.0, label=label
            )
        else:
            ax.plot(part["_x"], values, color=colour, linestyle="--", linewidth=1.0, label=label)


def _line(
    ax: Axes,
    part: pd.DataFrame,
    figure: str,
    name: str | None,
    colour: Any = None,
    bars: bool = True,
) -> None:
    """One line, with 95 % error bars when the table has them (and ``bars``)."""
    error = part.get(f"{figure}_ci95") if bars else None
    ax.errorbar(
        part["_x"], part[figure], yerr=error, marker="o", capsize=3, label=name, color=colour
    )
