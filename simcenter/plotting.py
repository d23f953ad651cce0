"""Plots: matplotlib figures of the result tables.

Each function takes tables built by :mod:`simcenter.reports` (as held by
:class:`~simcenter.results.Results`) and returns a :class:`matplotlib.figure.Figure`.
Figures are created directly, without pyplot, so no global state is touched and
any backend can save them. matplotlib is imported inside the functions, so
importing simcenter does not import it.

Time axes show the calendar clock of the scenario time zone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simcenter.records import RunMeta

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_FIGURE_SIZE = (10.0, 4.5)


def service_level_figure(intervals: pd.DataFrame, meta: RunMeta) -> Figure:
    """Service level per reporting interval, one line per queue, with its target dashed.

    Args:
        intervals: Interval table (``interval``, ``start_s``, ``queue``,
            ``service_level`` columns), e.g. ``Results.intervals``.
        meta: The run description (queues and service-level targets).

    Returns:
        The figure.
    """
    figure, axes = _new_figure("Service level per interval", "service level")
    for queue, target in zip(meta.queues, meta.sl_target, strict=True):
        rows = intervals[intervals["queue"] == queue]
        (line,) = axes.plot(
            _clock(meta, rows["start_s"]),
            rows["service_level"],
            drawstyle="steps-post",
            label=queue,
        )
        axes.axhline(target, color=line.get_color(), linestyle="--", linewidth=1.0)
    axes.set_ylim(0.0, 1.05)
    axes.legend(loc="lower right")
    return figure


def queue_length_figure(queue_length: pd.DataFrame, meta: RunMeta) -> Figure:
    """Contacts waiting over time, one line per queue.

    Args:
        queue_length: Table with ``time_s``, ``queue`` and ``waiting`` columns
            (``Results.queue_length``: the mean over replications).
        meta: The run description.

    Returns:
        The figure.
    """
    figure, axes = _new_figure("Queue length (mean over replications)", "contacts waiting")
    for queue in meta.queues:
        rows = queue_length[queue_length["queue"] == queue]
        axes.plot(_clock(meta, rows["time_s"]), rows["waiting"], label=queue)
    axes.set_ylim(bottom=0.0)
    axes.legend(loc="upper right")
    return figure


def waiting_times_figure(wait_distribution: pd.DataFrame, meta: RunMeta) -> Figure:
    """Distribution function of the waits of each queue, its threshold dotted.

    Args:
        wait_distribution: Table with ``wait_s``, ``queue`` and
            ``fraction_within`` columns (``Results.wait_distribution``).
        meta: The run description (queues and service-level thresholds).

    Returns:
        The figure.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=_FIGURE_SIZE, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title("Waiting-time distribution (all offered contacts)")
    axes.set_xlabel("wait (s)")
    axes.set_ylabel("fraction waiting at most")
    for queue, threshold in zip(meta.queues, meta.sl_threshold_s, strict=True):
        rows = wait_distribution[wait_distribution["queue"] == queue]
        (line,) = axes.plot(rows["wait_s"], rows["fraction_within"], label=queue)
        axes.axvline(threshold, color=line.get_color(), linestyle=":", linewidth=1.0)
    axes.set_ylim(0.0, 1.05)
    axes.legend(loc="lower right")
    return figure


def occupancy_figure(agent_intervals: pd.DataFrame, meta: RunMeta) -> Figure:
    """Occupancy per reporting interval, one line per agent group.

    Args:
        agent_intervals: Table with ``start_s``, ``group`` and ``occupancy``
            columns (``Results.agent_intervals``).
        meta: The run description.

    Returns:
        The figure.
    """
    figure, axes = _new_figure("Occupancy per interval", "occupancy")
    for group in meta.groups:
        rows = agent_intervals[agent_intervals["group"] == group]
        axes.plot(
            _clock(meta, rows["start_s"]), rows["occupancy"], drawstyle="steps-post", label=group
        )
    axes.set_ylim(0.0, 1.05)
    axes.legend(loc="lower right")
    return figure


def _new_figure(title: str, ylabel: str) -> tuple[Figure, Axes]:
    """A figure with one axes whose x axis shows calendar times."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=_FIGURE_SIZE, layout="constrained")
    axes = figure.add_subplot()
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    return figure, axes


def _clock(meta: RunMeta, seconds: pd.Series) -> np.ndarray:
    """Wall-clock times in the scenario time zone of simulation times (seconds)."""
    times = pd.Timestamp(meta.start) + pd.to_timedelta(np.asarray(seconds), unit="s")
    return times.tz_localize(None).to_numpy()
