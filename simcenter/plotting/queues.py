"""Plots of the queues: service level, queue length, waits, abandonment, the average day.

With more than :data:`~simcenter.plotting._common.MAX_SERIES` queues, the
busiest queues by offered contacts are drawn one by one and the rest as one
grey "others" series, so a legend never holds more than about twelve entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simcenter.formats import zone_name
from simcenter.plotting import _common as common
from simcenter.records import RunMeta

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BAND_SERIES = 3
"""Confidence bands are shaded when at most this many queues are drawn (more hide each other)."""
_PERCENTILES = (("wait_p50_s", "50th"), ("wait_p90_s", "90th"), ("wait_p95_s", "95th"))


@common.plain_text
def service_level_figure(
    intervals: pd.DataFrame,
    meta: RunMeta,
    queue: str | Sequence[str] | None = None,
    day: common.Day = None,
    ax: Axes | None = None,
    summary: pd.DataFrame | None = None,
) -> Figure:
    """Service level per reporting interval against its target, with 95 % confidence bands.

    One step line per queue (closed at the end of the last interval), its
    target dashed in the same colour and, when at most :data:`BAND_SERIES`
    queues are drawn, its ``service_level_ci95`` band shaded. Beyond ten
    queues, the others are one grey line: their offered-weighted service level
    (the ratio of sums for the ``offered`` definition).

    Args:
        intervals: Interval table (``Results.intervals``).
        meta: The run description (queues, thresholds, targets, time zone).
        queue: The queue or queues to draw (default: every queue).
        day: Only this day of the run: its number from 0, or a date.
        ax: Draw into these axes instead of a new figure.
        summary: The summary table, to rank queues by offered contacts.

    Returns:
        The figure.
    """
    chosen = common.names(queue, meta.queues, "queue")
    title = f"Service level per interval: answered within {common.thresholds_text(meta, chosen)}"
    figure, ax = common.axes_for(ax, title)
    rows = common.on_day(intervals, "start_s", common.day_window(meta, day))
    shown, others = common.ranked(chosen, common.offered_by_queue(summary))
    for name, colour in zip(shown, common.colours(len(shown)), strict=True):
        series = rows[rows["queue"] == name]
        _interval_steps(ax, meta, series, "service_level", colour, name, len(shown) <= BAND_SERIES)
        target = meta.sl_target[meta.queues.index(name)]
        ax.axhline(target, color=colour, linestyle="--", linewidth=1.0, label="_target")
    if others:
        weighted = _offered_weighted_service_level(rows[rows["queue"].isin(others)])
        ax.plot(
            *_step_instants(meta, weighted.index, weighted.to_numpy()),
            drawstyle="steps-post",
            color=common.OTHERS_COLOUR,
            label=common.others_label(others, "queues"),
        )
    ax.set_ylim(0.0, 1.05)
    _percent_axis(ax, _service_level_label(meta, chosen))
    common.time_axis(ax, meta)
    common.legend(ax, [*ax.get_legend_handles_labels()[0], _target_handle()])
    return figure


def _service_level_label(meta: RunMeta, queues: Sequence[str]) -> str:
    """Y label of a service level: its denominator when the queues share one definition."""
    definitions = {meta.sl_definition[meta.queues.index(name)] for name in queues}
    denominators = {"offered": "offered", "answered": "answered"}
    if len(definitions) == 1 and (definition := definitions.pop()) in denominators:
        return f"service level (% of {denominators[definition]})"
    return "service level (%)"


def _offered_weighted_service_level(rows: pd.DataFrame) -> pd.Series:
    """Offered-weighted mean service level of the rows per interval start (NaN if none offered)."""
    defined = rows["service_level"].notna()
    weight = rows["offered"].where(defined, 0.0).groupby(rows["start_s"]).sum()
    total = (rows["service_level"] * rows["offered"]).where(defined, 0.0)
    return total.groupby(rows["start_s"]).sum() / weight.where(weight > 0)


def _interval_steps(
    ax: Axes,
    meta: RunMeta,
    rows: pd.DataFrame,
    column: str,
    colour: object,
    label: str,
    band: bool,
) -> None:
    """A step line of an interval fraction, closed at the last end, with its CI band if asked."""
    x, y = _step_instants(meta, rows["start_s"], rows[column])
    ax.plot(x, y, drawstyle="steps-post", color=colour, label=label)
    half_width = f"{column}_ci95"
    if band and half_width in rows and rows[half_width].notna().any():
        _, low = _step_instants(meta, rows["start_s"], rows[column] - rows[half_width])
        _, high = _step_instants(meta, rows["start_s"], rows[column] + rows[half_width])
        ax.fill_between(
            x, np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0), step="post", color=colour, alpha=0.2
        )


def _step_instants(meta: RunMeta, start_s: object, values: object) -> tuple[np.ndarray, np.ndarray]:
    """Closed step coordinates of interval values, the x values as instants."""
    start_s = np.asarray(start_s, dtype=np.float64)
    x, y = common.closing_step(start_s, common.interval_ends(meta, start_s), values)
    return common.instants(meta, x), y


def _target_handle() -> object:
    """Legend entry that explains the dashed target lines."""
    from matplotlib.lines import Line2D

    return Line2D([], [], color="0.3", linestyle="--", linewidth=1.0, label="target (dashed)")


def _percent_axis(ax: Axes, label: str) -> None:
    """A y axis of fractions shown as percentages."""
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel(label)


@common.plain_text
def queue_length_figure(
    queue_length: pd.DataFrame,
    meta: RunMeta,
    queue: str | Sequence[str] | None = None,
    day: common.Day = None,
    ax: Axes | None = None,
    summary: pd.DataFrame | None = None,
) -> Figure:
    """Contacts waiting over time, one line per queue; beyond ten, the others' mean per queue.

    Args:
        queue_length: Table with ``time_s``, ``queue`` and ``waiting``
            (``Results.queue_length``: the mean over replications).
        meta: The run description.
        queue: The queue or queues to draw (default: every queue).
        day: Only this day of the run: its number from 0, or a date.
        ax: Draw into these axes instead of a new figure.
        summary: The summary table, to rank queues by offered contacts.

    Returns:
        The figure.
    """
    chosen = common.names(queue, meta.queues, "queue")
    figure, ax = common.axes_for(ax, "Queue length (contacts waiting, mean over replications)")
    rows = common.on_day(queue_length, "time_s", common.day_window(meta, day))
    shown, others = common.ranked(chosen, common.offered_by_queue(summary))
    for name, colour in zip(shown, common.colours(len(shown)), strict=True):
        series = rows[rows["queue"] == name]
        ax.plot(
            common.instants(meta, series["time_s"]), series["waiting"], color=colour, label=name
        )
    if others:
        mean = rows[rows["queue"].isin(others)].groupby("time_s")["waiting"].mean()
        ax.plot(
            common.instants(meta, mean.index),
            mean.to_numpy(),
            color=common.OTHERS_COLOUR,
            label=common.others_label(others, "queues, mean per queue"),
        )
    ax.set_ylim(bottom=0.0)
    ax.set_ylabel("contacts waiting")
    common.time_axis(ax, meta)
    common.legend(ax)
    return figure


@common.plain_text
def waiting_times_figure(
    wait_distribution: pd.DataFrame,
    meta: RunMeta,
    queue: str | Sequence[str] | None = None,
    ax: Axes | None = None,
    summary: pd.DataFrame | None = None,
) -> Figure:
    """Distribution function of the waits of each queue, its threshold dotted.

    Beyond ten queues, the others are one grey curve: the offered-weighted mean
    of their distribution functions (their pooled distribution).

    Args:
        wait_distribution: Table with ``wait_s``, ``queue`` and
            ``fraction_within`` (``Results.wait_distribution``).
        meta: The run description (queues and service-level thresholds).
        queue: The queue or queues to draw (default: every queue).
        ax: Draw into these axes instead of a new figure.
        summary: The summary table, to rank and weight queues by offered contacts.

    Returns:
        The figure.
    """
    chosen = common.names(queue, meta.queues, "queue")
    figure, ax = common.axes_for(
        ax,
        "Waiting-time distribution (all offered contacts; "
        f"threshold dotted: {common.thresholds_text(meta, chosen)})",
    )
    offered = common.offered_by_queue(summary)
    shown, others = common.ranked(chosen, offered)
    for name, colour in zip(shown, common.colours(len(shown)), strict=True):
        rows = wait_distribution[wait_distribution["queue"] == name]
        ax.plot(rows["wait_s"], rows["fraction_within"], color=colour, label=name)
        threshold = meta.sl_threshold_s[meta.queues.index(name)]
        ax.axvline(threshold, color=colour, linestyle=":", linewidth=1.0, label="_threshold")
    if others:
        rows = wait_distribution[wait_distribution["queue"].isin(others)]
        weights = rows["queue"].astype(str).map(offered) if offered is not None else 1.0
        pooled = (rows["fraction_within"] * weights).groupby(rows["wait_s"]).sum() / (
            rows.assign(weight=weights).groupby("wait_s")["weight"].sum()
        )
        ax.plot(
            pooled.index,
            pooled.to_numpy(),
            color=common.OTHERS_COLOUR,
            label=common.others_label(others, "queues"),
        )
    ax.set_ylim(0.0, 1.05)
    ax.set_xlim(left=0.0)
    ax.set_xlabel("wait (s)")
    _percent_axis(ax, "contacts waiting at most that long (%)")
    common.legend(ax)
    return figure


@common.plain_text
def wait_percentiles_figure(
    summary: pd.DataFrame,
    meta: RunMeta,
    queue: str | Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """50th, 90th and 95th wait percentiles per queue, as grouped horizontal bars.

    Beyond ten queues, the ten with most offered contacts are drawn. With
    every queue, the total rows follow: each channel's (when the queues use
    several) and ``ALL`` (every queue together). Error bars are the 95 % confidence
    half-widths when the run has several replications.

    Args:
        summary: The summary table (``Results.summary``).
        meta: The run description.
        queue: The queue or queues to draw (default: every queue).
        ax: Draw into these axes instead of a new figure.

    Returns:
        The figure.
    """
    chosen = common.names(queue, meta.queues, "queue")
    figure, ax = common.axes_for(
        ax,
        "Waiting-time percentiles (all offered contacts; "
        f"threshold {common.thresholds_text(meta, chosen)})",
    )
    shown, others = common.ranked(chosen, common.offered_by_queue(summary))
    labels = [*shown, *common.total_rows(summary)] if others or queue is None else shown
    rows = summary.set_index(summary["queue"].astype(str)).reindex(labels)
    position = np.arange(len(labels))
    height = 0.8 / len(_PERCENTILES)
    for offset, ((column, name), colour) in enumerate(
        zip(_PERCENTILES, common.colours(len(_PERCENTILES)), strict=True)
    ):
        values = rows[column].to_numpy(dtype=np.float64)
        error = rows.get(f"{column}_ci95")
        if error is not None:  # the interval, cut at a wait of 0
            error = np.vstack([np.minimum(error.to_numpy(), values), error.to_numpy()])
        ax.barh(
            position + (offset - 1) * height,
            values,
            height=height,
            xerr=error,
            capsize=2,
            color=colour,
            label=f"{name} percentile",
        )
    ax.set_yticks(position, labels)
    ax.set_xlim(left=0.0)
    ax.invert_yaxis()
    ax.set_xlabel("wait (s)")
    ax.set_ylabel("queue")
    common.legend(ax)
    return figure


@common.plain_text
def abandonment_figure(
    intervals: pd.DataFrame,
    meta: RunMeta,
    queue: str | Sequence[str] | None = None,
    day: common.Day = None,
    ax: Axes | None = None,
    summary: pd.DataFrame | None = None,
) -> Figure:
    """Abandon rate against ASA: one point per reporting interval and queue.

    Beyond ten queues, the others' points are grey.

    Args:
        intervals: Interval table (``Results.intervals``).
        meta: The run description.
        queue: The queue or queues to draw (default: every queue).
        day: Only this day of the run: its number from 0, or a date.
        ax: Draw into these axes instead of a new figure.
        summary: The summary table, to rank queues by offered contacts.

    Returns:
        The figure.
    """
    chosen = common.names(queue, meta.queues, "queue")
    figure, ax = common.axes_for(ax, "Abandonment against waiting, per interval")
    rows = common.on_day(intervals, "start_s", common.day_window(meta, day))
    shown, others = common.ranked(chosen, common.offered_by_queue(summary))
    if others:
        rest = rows[rows["queue"].isin(others)]
        ax.scatter(
            rest["asa_s"],
            rest["abandon_rate"],
            s=8,
            color=common.OTHERS_COLOUR,
            label=common.others_label(others, "queues"),
        )
    for name, colour in zip(shown, common.colours(len(shown)), strict=True):
        series = rows[rows["queue"] == name]
        ax.scatter(series["asa_s"], series["abandon_rate"], s=14, color=colour, label=name)
    ax.set_xlim(left=0.0)
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel("ASA: mean wait of answered contacts (s)")
    _percent_axis(ax, "abandoned (% of offered)")
    common.legend(ax)
    return figure


@common.plain_text
def average_day_figure(
    average_day: pd.DataFrame,
    meta: RunMeta,
    figure: str = "offered",
    queue: str | Sequence[str] | None = None,
    ax: Axes | None = None,
    summary: pd.DataFrame | None = None,
) -> Figure:
    """One figure of the average day (``Results.by_time_of_day()``) against the time of day.

    Args:
        average_day: The average-day table (``queue``, ``time_of_day_s`` and figures).
        meta: The run description (time zone, interval).
        figure: The column to draw: ``offered`` (default), ``service_level``,
            ``abandon_rate``, ``asa_s``, ...
        queue: The queue or queues to draw (default: every queue; beyond ten,
            the others as one series: their mean per queue for counts, else
            offered-weighted).
        ax: Draw into these axes instead of a new figure.
        summary: The summary table, to rank queues by offered contacts.

    Returns:
        The figure.
    """
    chosen = common.names(queue, meta.queues, "queue")
    drawn, ax = common.axes_for(ax, f"Average day: {_AVERAGE_DAY_LABELS.get(figure, figure)}")
    shown, others = common.ranked(chosen, common.offered_by_queue(summary))
    for name, colour in zip(shown, common.colours(len(shown)), strict=True):
        rows = average_day[average_day["queue"] == name]
        ax.plot(
            *_time_of_day_steps(meta, rows, rows[figure]),
            drawstyle="steps-post",
            color=colour,
            label=name,
        )
    if others:
        values = _others_of_average_day(average_day[average_day["queue"].isin(others)], figure)
        frame = pd.DataFrame({"time_of_day_s": values.index})
        ax.plot(
            *_time_of_day_steps(meta, frame, values.to_numpy()),
            drawstyle="steps-post",
            color=common.OTHERS_COLOUR,
            label=common.others_label(others, f"queues, {_others_kind(figure)}"),
        )
    _clock_hours_axis(ax, meta, average_day)
    if figure == "service_level":
        _percent_axis(ax, _service_level_label(meta, chosen))
        ax.set_ylim(0.0, 1.05)
    elif figure in ("abandon_rate", "occupancy"):
        _percent_axis(ax, _AVERAGE_DAY_LABELS[figure])
        ax.set_ylim(0.0, 1.05)
    else:
        ax.set_ylabel(_AVERAGE_DAY_LABELS.get(figure, figure))
        ax.set_ylim(bottom=0.0)
    common.legend(ax)
    return drawn


_COUNTS = ("offered", "answered", "abandoned", "answered_in_target", "abandoned_in_target")


def _others_kind(figure: str) -> str:
    """How the "others" series of an average-day figure combines its queues."""
    return "mean per queue" if figure in _COUNTS else "offered-weighted"


def _others_of_average_day(rest: pd.DataFrame, figure: str) -> pd.Series:
    """The others' series by time of day: mean per queue of a count, else offered-weighted."""
    grouped = rest.groupby("time_of_day_s")
    if figure in _COUNTS:
        return grouped[figure].mean()
    weighted = (rest[figure] * rest["offered"]).where(rest[figure].notna(), 0.0)
    weights = rest["offered"].where(rest[figure].notna(), 0.0)
    return weighted.groupby(rest["time_of_day_s"]).sum() / weights.groupby(
        rest["time_of_day_s"]
    ).sum().where(lambda total: total > 0)


def _clock_hours_axis(ax: Axes, meta: RunMeta, average_day: pd.DataFrame) -> None:
    """An x axis of whole hours of the day covering the intervals, labelled with the zone."""
    start_h = average_day["time_of_day_s"].to_numpy(dtype=np.float64) / 3600.0
    low = float(np.floor(start_h.min())) if len(start_h) else 0.0
    high = float(np.ceil(start_h.max() + meta.interval_s / 3600.0)) if len(start_h) else 24.0
    ax.set_xlim(low, min(high, 24.0) if low < 24.0 else high)
    step = 1 if high - low <= 12 else 3
    ax.set_xticks(np.arange(low, min(high, 24.0) + 0.5, step))
    ax.set_xlabel(f"time of day (h, {zone_name(meta)})")


_AVERAGE_DAY_LABELS = {
    "offered": "offered contacts per interval",
    "answered": "answered contacts per interval",
    "abandoned": "abandoned contacts per interval",
    "service_level": "service level",
    "abandon_rate": "abandoned (% of offered)",
    "asa_s": "ASA (s)",
    "mean_wait_s": "mean wait (s)",
    "aht_s": "AHT (s)",
    "agents_staffed": "agents staffed",
    "occupancy": "occupancy (%)",
}


def _time_of_day_steps(
    meta: RunMeta, rows: pd.DataFrame, values: object
) -> tuple[np.ndarray, np.ndarray]:
    """Closed step coordinates over the time of day, in hours."""
    start_h = rows["time_of_day_s"].to_numpy(dtype=np.float64) / 3600.0
    end_h = start_h + meta.interval_s / 3600.0
    return common.closing_step(start_h, end_h, values)
