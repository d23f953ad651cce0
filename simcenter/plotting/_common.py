"""Helpers shared by the plots: figures, time axes, colours, series selection, steps.

Time axes hold UTC instants and are labelled in the scenario time zone, so
days with a daylight-saving change read correctly.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from simcenter.formats import duration_label, zone_name
from simcenter.records import RunMeta
from simcenter.reports import is_total, queue_rows

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

FIGURE_SIZE = (10.0, 4.5)
MAX_SERIES = 10
"""Queues or groups drawn one by one; the rest are drawn together as "others"."""
OTHERS_COLOUR = "0.65"
Day = int | str | dt.date | None
"""A day of the run: its number (0 = the start's local date), a date or an ISO date."""


def plain_text(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Draw with matplotlib's mathtext off: names are text, never markup.

    A queue named ``$\\frac{$`` would otherwise be read as a formula, and
    fail to draw; with it off, every ``$`` shows as written.
    """

    @functools.wraps(draw)
    def drawn(*args: Any, **kwargs: Any) -> Figure:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return drawn


def axes_for(ax: Axes | None, title: str) -> tuple[Figure, Axes]:
    """The figure and axes to draw into: ``ax`` if given, else a new figure.

    New figures are created without pyplot and use the constrained layout.
    """
    if ax is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=FIGURE_SIZE, layout="constrained")
        ax = figure.add_subplot()
    ax.set_title(title)
    return cast("Figure", ax.get_figure()), ax


def time_axis(ax: Axes, meta: RunMeta) -> None:
    """Calendar ticks in the scenario time zone, and an x label that names the zone."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    zone = meta.start.tzinfo
    locator = AutoDateLocator(tz=zone)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone))
    ax.set_xlabel(f"time ({zone_name(meta)})")


def instants(meta: RunMeta, seconds: Any) -> np.ndarray:
    """UTC instants (naive ``datetime64``) of simulation times in seconds."""
    start = pd.Timestamp(meta.start).tz_convert("UTC").tz_localize(None)
    return (start + pd.to_timedelta(np.asarray(seconds, dtype=np.float64), unit="s")).to_numpy()


def interval_ends(meta: RunMeta, start_s: Any) -> np.ndarray:
    """End (seconds) of the intervals starting at ``start_s``; the last one ends at the horizon."""
    return np.minimum(np.asarray(start_s, dtype=np.float64) + meta.interval_s, end_of_run(meta))


def day_window(meta: RunMeta, day: Day) -> tuple[float, float]:
    """Simulation seconds ``[start, end)`` of a local day of the run; the whole run for None.

    Raises:
        ValueError: If the day is not a day of the run.
    """
    if day is None:
        return -np.inf, np.inf
    start = pd.Timestamp(meta.start)
    first = start.normalize().date()
    date = first + dt.timedelta(days=day) if isinstance(day, int) else pd.Timestamp(day).date()
    midnight = pd.Timestamp(date).tz_localize(start.tz)
    low = (midnight - start).total_seconds()
    high = (pd.Timestamp(date + dt.timedelta(days=1)).tz_localize(start.tz) - start).total_seconds()
    if high <= meta.warmup_s or low >= end_of_run(meta):
        raise ValueError(
            f"day: {day!r} is not a day of the run ({_local_date(meta, meta.warmup_s)} "
            f"to {_local_date(meta, end_of_run(meta) - 1e-6)})"
        )
    return low, high


def end_of_run(meta: RunMeta) -> float:
    """End of the measured horizon, seconds: warm-up + horizon."""
    return meta.warmup_s + meta.horizon_s


def _local_date(meta: RunMeta, seconds: float) -> dt.date:
    """Local calendar date of a simulation time."""
    return (pd.Timestamp(meta.start) + pd.Timedelta(seconds=seconds)).date()


def on_day(frame: pd.DataFrame, column: str, window: tuple[float, float]) -> pd.DataFrame:
    """Rows of ``frame`` whose time ``column`` (seconds) lies in ``window``."""
    low, high = window
    return frame[(frame[column] >= low) & (frame[column] < high)]


def names(selection: str | Sequence[str] | None, known: Sequence[str], what: str) -> list[str]:
    """The queue or group names a plot shows: ``selection`` (one name or several), else all.

    Raises:
        ValueError: If a name is unknown.
    """
    if selection is None:
        return list(known)
    chosen = [selection] if isinstance(selection, str) else list(selection)
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise ValueError(f"{what}: unknown {what} {unknown} (known: {list(known)[:20]})")
    return chosen


def ranked(chosen: Sequence[str], weights: pd.Series | None) -> tuple[list[str], list[str]]:
    """Split names into the :data:`MAX_SERIES` largest by weight and the others.

    Args:
        chosen: Names in their natural (scenario) order.
        weights: Weight per name (offered contacts, staffed hours); None keeps
            the natural order.

    Returns:
        The names drawn one by one (in natural order) and the rest.
    """
    if len(chosen) <= MAX_SERIES:
        return list(chosen), []
    if weights is None:
        top = set(chosen[:MAX_SERIES])
    else:
        values = weights.reindex(chosen).fillna(0.0)
        top = set(values.sort_values(ascending=False, kind="stable").index[:MAX_SERIES])
    return [name for name in chosen if name in top], [name for name in chosen if name not in top]


def colours(count: int) -> list[Any]:
    """``count`` distinct colours, none of them the grey of the "others" series.

    tab10 without its grey, then black, for up to ten; tab20 without its greys beyond.
    """
    from matplotlib import colormaps

    tab10: Any = cast("ListedColormap", colormaps["tab10"]).colors
    tab20: Any = cast("ListedColormap", colormaps["tab20"]).colors
    if count <= 10:
        palette = [*tab10[:7], *tab10[8:], (0.0, 0.0, 0.0)]
    else:
        palette = [
            colour
            for index, colour in enumerate(tab20)
            if index not in (14, 15)
        ]
    return [palette[index % len(palette)] for index in range(count)]


def others_label(others: Sequence[str], what: str) -> str:
    """Legend label of the series that stands for the ``others``."""
    return f"others ({len(others)} {what})"


def closing_step(start_s: Any, end_s: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Step coordinates (``steps-post``) that close the last interval at its end.

    Returns:
        The x values (seconds: every start, then the last end) and the y values
        (every value, then the last value again).
    """
    start_s, values = np.asarray(start_s, dtype=np.float64), np.asarray(values, dtype=np.float64)
    if len(start_s) == 0:
        return start_s, values
    x = np.append(start_s, np.asarray(end_s, dtype=np.float64)[-1])
    return x, np.append(values, values[-1])


def legend(ax: Axes, handles: Sequence[Any] | None = None) -> None:
    """A legend outside the axes, on the right; nothing if there is nothing to show."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")


def thresholds_text(meta: RunMeta, queues: Sequence[str]) -> str:
    """The service-level threshold of ``queues``: one value, or its range."""
    values = sorted({meta.sl_threshold_s[meta.queues.index(name)] for name in queues})
    if not values:
        return "the threshold"
    if len(values) == 1:
        return duration_label(values[0])
    return f"{duration_label(values[0])}–{duration_label(values[-1])} by queue"


def total_rows(summary: pd.DataFrame) -> list[str]:
    """The total rows of a summary table, in its order: the channels' (if any), then ``ALL``."""
    return [name for name in summary["queue"].astype(str) if is_total(name)]


def offered_by_queue(summary: pd.DataFrame | None) -> pd.Series | None:
    """Offered contacts per queue name from a summary table (None without one); the total
    rows (``ALL``, the channels') left out."""
    if summary is None:
        return None
    rows = queue_rows(summary)
    return pd.Series(rows["offered"].to_numpy(), index=rows["queue"].astype(str))
