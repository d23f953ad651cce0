"""Plots of the agents: occupancy per interval (lines and heatmap), staffed against required."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simcenter import analysis
from simcenter.plotting import _common as common
from simcenter.records import RunMeta

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_HEATMAP_TICK_LABELS = 30
"""Most group names written on the heatmap's y axis; beyond, every k-th."""


@common.plain_text
def occupancy_figure(
    agent_intervals: pd.DataFrame,
    meta: RunMeta,
    group: str | Sequence[str] | None = None,
    day: common.Day = None,
    ax: Axes | None = None,
) -> Figure:
    """Occupancy per reporting interval, one step line per agent group.

    Beyond ten groups, the ten with most agents present are drawn one by one
    and the others as one grey line: their busy time / time on duty.

    Args:
        agent_intervals: Table with ``start_s``, ``group``, ``present``,
            ``on_break``, ``busy`` and ``occupancy`` (``Results.agent_intervals``).
        meta: The run description.
        group: The group or groups to draw (default: every group).
        day: Only this day of the run: its number from 0, or a date.
        ax: Draw into these axes instead of a new figure.

    Returns:
        The figure.
    """
    chosen = common.names(group, meta.groups, "group")
    figure, ax = common.axes_for(ax, "Occupancy per interval (busy time / time on duty)")
    rows = common.on_day(agent_intervals, "start_s", common.day_window(meta, day))
    staffed = rows.groupby(rows["group"].astype(str))["present"].sum()
    shown, others = common.ranked(chosen, staffed)
    for name, colour in zip(shown, common.colours(len(shown)), strict=True):
        series = rows[rows["group"] == name]
        ax.plot(
            *_steps(meta, series["start_s"], series["occupancy"]),
            drawstyle="steps-post",
            color=colour,
            label=name,
        )
    if others:
        rest = rows[rows["group"].isin(others)].groupby("start_s")
        pooled = rest["busy"].sum() / (rest["present"].sum() - rest["on_break"].sum())
        ax.plot(
            *_steps(meta, pooled.index, pooled.to_numpy()),
            drawstyle="steps-post",
            color=common.OTHERS_COLOUR,
            label=common.others_label(others, "groups"),
        )
    _occupancy_axis(ax)
    common.time_axis(ax, meta)
    common.legend(ax)
    return figure


@common.plain_text
def occupancy_heatmap_figure(
    agent_intervals: pd.DataFrame,
    meta: RunMeta,
    group: str | Sequence[str] | None = None,
    day: common.Day = None,
    ax: Axes | None = None,
) -> Figure:
    """Occupancy by agent group (rows) and reporting interval (columns), as colours.

    Cells of intervals in which a group had nobody on duty are blank.

    Args:
        agent_intervals: Table with ``start_s``, ``group`` and ``occupancy``
            (``Results.agent_intervals``).
        meta: The run description.
        group: The group or groups to draw (default: every group).
        day: Only this day of the run: its number from 0, or a date.
        ax: Draw into these axes instead of a new figure.

    Returns:
        The figure.
    """
    from matplotlib.dates import date2num

    chosen = common.names(group, meta.groups, "group")
    figure, ax = common.axes_for(ax, "Occupancy by group and interval (busy time / time on duty)")
    rows = common.on_day(agent_intervals, "start_s", common.day_window(meta, day))
    grid = rows.assign(group=rows["group"].astype(str)).pivot_table(
        index="group", columns="start_s", values="occupancy", aggfunc="first", dropna=False
    )
    grid = grid.reindex(chosen)
    starts = grid.columns.to_numpy(dtype=np.float64)
    edges = np.append(starts, common.interval_ends(meta, starts)[-1:]) if len(starts) else starts
    mesh = ax.pcolormesh(
        date2num(common.instants(meta, edges)),
        np.arange(len(chosen) + 1),
        np.ma.masked_invalid(grid.to_numpy(dtype=np.float64)),
        cmap="viridis",
        vmin=0.0,
        vmax=1.0,
    )
    figure.colorbar(mesh, ax=ax, label="occupancy (fraction of time on duty)")
    step = max(1, -(-len(chosen) // _HEATMAP_TICK_LABELS))
    ticks = np.arange(0, len(chosen), step)
    ax.set_yticks(ticks + 0.5, [chosen[index] for index in ticks])
    ax.set_ylim(len(chosen), 0)
    ax.set_ylabel("agent group")
    ax.xaxis_date()
    common.time_axis(ax, meta)
    return figure


@common.plain_text
def staffing_figure(
    intervals: pd.DataFrame,
    agent_intervals: pd.DataFrame,
    meta: RunMeta,
    patience_s: Sequence[float | None] = (),
    skills: Mapping[str, Sequence[str]] | None = None,
    queue: str | Sequence[str] | None = None,
    day: common.Day = None,
    ax: Axes | None = None,
) -> Figure:
    """Agents staffed against agents required, per reporting interval.

    Required = the sum over the chosen queues of the Erlang agents each needs
    on its own to meet its target (:func:`simcenter.analysis.required_agents`:
    Erlang A for queues with patience, Erlang C otherwise). Agents who serve
    several queues are shared between them, so in a centre of cross-skilled
    groups this sum is an upper bound of what the pooled centre needs.
    Staffed = the time-average agents on duty of every group, or, with
    ``queue`` and ``skills``, of the groups with a skill for a chosen queue.

    Args:
        intervals: Interval table (``Results.intervals``).
        agent_intervals: Agent interval table (``Results.agent_intervals``).
        meta: The run description.
        patience_s: Queue index -> mean patience (seconds) or None; empty = Erlang C.
        skills: Group name -> the queues it serves (to pick the staffed groups).
        queue: The queue or queues whose requirement is drawn (default: all).
        day: Only this day of the run: its number from 0, or a date.
        ax: Draw into these axes instead of a new figure.

    Returns:
        The figure.
    """
    chosen = common.names(queue, meta.queues, "queue")
    figure, ax = common.axes_for(ax, _staffing_title(meta, chosen, patience_s))
    window = common.day_window(meta, day)
    rows = common.on_day(intervals, "start_s", window)
    rows = rows[rows["queue"].isin(chosen)]
    required = analysis.required_agents(rows, meta, patience_s)
    needed = required.groupby("start_s")["required_agents"].sum(min_count=1)
    groups = _serving_groups(meta, chosen, skills) if queue is not None else list(meta.groups)
    present = common.on_day(agent_intervals, "start_s", window)
    present = present[present["group"].isin(groups)]
    staffed = present.groupby("start_s")["present"].sum()
    staffed_label = (
        "staffed" if len(groups) == len(meta.groups) else "staffed: " + ", ".join(groups)
    )
    for values, label, colour in (
        (staffed, staffed_label, "tab:blue"),
        (needed, f"required ({_model(patience_s)}, each queue on its own)", "tab:red"),
    ):
        ax.plot(
            *_steps(meta, values.index, values.to_numpy()),
            drawstyle="steps-post",
            color=colour,
            label=label,
        )
    ax.set_ylim(bottom=0.0)
    ax.set_ylabel("agents (time-average)")
    common.time_axis(ax, meta)
    common.legend(ax)
    return figure


def _staffing_title(
    meta: RunMeta, queues: Sequence[str], patience_s: Sequence[float | None]
) -> str:
    """Title naming the model, the threshold and the target."""
    targets = sorted({meta.sl_target[meta.queues.index(name)] for name in queues})
    target = f"{targets[0]:.0%}" if len(targets) == 1 else f"{targets[0]:.0%}–{targets[-1]:.0%}"
    return (
        f"Agents staffed and required ({_model(patience_s)}: {target} "
        f"within {common.thresholds_text(meta, queues)})"
    )


def _model(patience_s: Sequence[float | None]) -> str:
    """The Erlang model of the requirement: A for queues with patience, C for the others."""
    return "Erlang A/C" if any(value is not None for value in patience_s) else "Erlang C"


def _serving_groups(
    meta: RunMeta, queues: Sequence[str], skills: Mapping[str, Sequence[str]] | None
) -> list[str]:
    """Groups with a skill for any of ``queues``; every group without a skills map."""
    if skills is None:
        return list(meta.groups)
    return [name for name in meta.groups if set(skills.get(name, ())) & set(queues)]


def _steps(meta: RunMeta, start_s: object, values: object) -> tuple[np.ndarray, np.ndarray]:
    """Closed step coordinates of interval values, the x values as instants."""
    start_s = np.asarray(start_s, dtype=np.float64)
    x, y = common.closing_step(start_s, common.interval_ends(meta, start_s), values)
    return common.instants(meta, x), y


def _occupancy_axis(ax: Axes) -> None:
    """A y axis of occupancy fractions shown as percentages."""
    from matplotlib.ticker import PercentFormatter

    ax.set_ylim(0.0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("occupancy (% of time on duty)")


AGENT_LEVELS: tuple[tuple[str, str, str], ...] = (
    ("scheduled", "scheduled", "tab:grey"),
    ("present", "present", "tab:blue"),
    ("busy", "busy", "tab:orange"),
)
"""The levels of the agents-over-time plot: column, label and colour."""

_OLD_NAMES = {"present": "agents_staffed", "busy": "busy_agents"}
"""The names of the same columns in output folders of earlier versions."""

MAX_PANELS = 6
"""Most groups drawn in a panel of their own; the others share one panel."""


@common.plain_text
def agents_figure(
    agent_intervals: pd.DataFrame,
    meta: RunMeta,
    group: str | Sequence[str] | None = None,
    day: common.Day = None,
    ax: Axes | None = None,
) -> Figure:
    """Scheduled, present and busy agents per reporting interval, one panel per agent group.

    Each panel draws the time-average agents of a group per interval: scheduled
    (rostered by plan or shift), present (idle, busy, in wrap-up or on break)
    and busy (talk and after-call work). Beyond :data:`MAX_PANELS` groups, the
    groups with most agents present get a panel each and the others share one
    (their sums). Given ``ax``, the chosen groups are summed into those axes.
    Tables without ``scheduled`` (earlier versions) draw present and busy only.

    Args:
        agent_intervals: Table with ``start_s``, ``group`` and the level
            columns (``Results.agent_intervals``).
        meta: The run description.
        group: The group or groups to draw (default: every group).
        day: Only this day of the run: its number from 0, or a date.
        ax: Draw the chosen groups' sums into these axes instead of a new figure.

    Returns:
        The figure.
    """
    chosen = common.names(group, meta.groups, "group")
    rows = common.on_day(agent_intervals, "start_s", common.day_window(meta, day))
    rows = rows.rename(
        columns={old: new for new, old in _OLD_NAMES.items() if new not in rows.columns}
    )
    levels = [level for level in AGENT_LEVELS if level[0] in rows.columns]
    if ax is not None:
        figure, ax = common.axes_for(ax, "Agents scheduled, present and busy")
        _agent_panel(ax, meta, rows[rows["group"].astype(str).isin(chosen)], levels)
        return figure
    present = rows.groupby(rows["group"].astype(str))["present"].sum()
    shown, others = _panel_groups(chosen, present)
    panels = [(name, [name]) for name in shown]
    if others:
        panels.append((common.others_label(others, "groups"), others))
    from matplotlib.figure import Figure

    width = common.FIGURE_SIZE[0]
    figure = Figure(figsize=(width, 1.0 + 2.2 * len(panels)), layout="constrained")
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    figure.suptitle("Agents scheduled, present and busy per interval")
    for panel, (title, names) in zip(axes, panels, strict=True):
        panel.set_title(title, loc="left")
        _agent_panel(panel, meta, rows[rows["group"].astype(str).isin(names)], levels)
    return figure


def _panel_groups(chosen: Sequence[str], weights: pd.Series) -> tuple[list[str], list[str]]:
    """The groups with a panel of their own (scenario order) and the others."""
    if len(chosen) <= MAX_PANELS:
        return list(chosen), []
    top = set(
        weights.reindex(chosen).fillna(0.0).sort_values(ascending=False, kind="stable").index[
            : MAX_PANELS - 1
        ]
    )
    return [name for name in chosen if name in top], [name for name in chosen if name not in top]


def _agent_panel(
    ax: Axes, meta: RunMeta, rows: pd.DataFrame, levels: Sequence[tuple[str, str, str]]
) -> None:
    """The levels of ``rows`` (summed over their groups) as step lines against the time."""
    sums = rows.groupby("start_s")[[column for column, _, _ in levels]].sum()
    for column, label, colour in levels:
        ax.plot(
            *_steps(meta, sums.index, sums[column].to_numpy()),
            drawstyle="steps-post",
            color=colour,
            label=label,
        )
    ax.set_ylim(bottom=0.0)
    ax.set_ylabel("agents")
    common.time_axis(ax, meta)
    common.legend(ax)
