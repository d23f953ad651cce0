"""Calendar days: the days of the reporting intervals, and the summary figures per day and queue.

A day is a calendar day in the scenario's time zone, so a day with a
daylight-saving change has 23 or 25 hours. Days are built from the reporting
intervals: an interval belongs to the day its start falls in. When the
reporting interval divides the day and the measured window starts on an
interval boundary of the day (15 min, 30 min or 1 h from a start on the full
hour: the usual case), every interval lies inside one day and a day's figures
are exactly those of its calendar day. Otherwise an interval that straddles
midnight counts wholly to the day it starts in, and the day covers its
intervals (its ``start_s`` and ``length_h`` say which span that is).

A day's span is cut to the measured window ``[warmup_s, warmup_s + horizon_s]``:
the first and the last day of a run that starts or ends within a day are
partial. Times are simulation seconds unless a column name says hours (``_h``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simcenter.records import ReplicationRecord, RunMeta
from simcenter.reports._common import (
    CHANNEL,
    SECONDS_PER_HOUR,
    channel_names,
    check_record,
    has_channel_rows,
    interval_edges,
    queue_names,
    ratio,
    row_major,
    row_names,
    sum_by,
)
from simcenter.reports.summary import figures_by, total_figures

DAY_COLUMNS: tuple[str, ...] = ("day", "day_start", "start_s", "length_h")
"""The columns that name a day, first in ``daily.csv`` and ``agent_days.csv``."""

DAILY_KEYS: tuple[str, ...] = (*DAY_COLUMNS, "queue")
"""The columns that identify a row of ``daily.csv``."""


@dataclass(frozen=True)
class Days:
    """The calendar days of a run's reporting intervals.

    Attributes:
        of_interval: Day index of every reporting interval.
        names: Each day's local date, ``YYYY-MM-DD``.
        start_s: Each day's start (the start of its first interval), seconds.
        length_s: Each day's length (the sum of its intervals' lengths), seconds.
    """

    of_interval: np.ndarray
    names: tuple[str, ...]
    start_s: np.ndarray
    length_s: np.ndarray

    def __len__(self) -> int:
        """Number of days."""
        return len(self.names)

    def columns(self, meta: RunMeta, day: np.ndarray) -> dict[str, object]:
        """The day columns (:data:`DAY_COLUMNS`) of rows that belong to the days ``day``.

        ``day_start`` is the timezone-aware calendar time of ``start_s`` in the
        scenario's zone.
        """
        return {
            "day": np.array(self.names, dtype=object)[day],
            "day_start": calendar_times(meta, self.start_s[day]),
            "start_s": self.start_s[day],
            "length_h": self.length_s[day] / SECONDS_PER_HOUR,
        }


def calendar_times(meta: RunMeta, seconds: np.ndarray) -> pd.DatetimeIndex:
    """Timezone-aware calendar times (scenario zone) of simulation times in seconds."""
    start = pd.Timestamp(meta.start)
    moments = start + pd.to_timedelta(np.asarray(seconds, dtype=np.float64), unit="s")
    return pd.DatetimeIndex(moments).tz_convert(start.tz).as_unit("ns")


def interval_days(meta: RunMeta) -> Days:
    """The calendar day of every reporting interval: the local date of its start.

    Args:
        meta: The run description (``meta.start`` carries the time zone).

    Returns:
        The days in time order.
    """
    edges = interval_edges(meta)
    local = calendar_times(meta, edges[:-1]).tz_localize(None).normalize()
    codes, dates = pd.factorize(local, sort=True)
    lengths = np.diff(edges)
    of_interval = codes.astype(np.int64)
    first = np.searchsorted(of_interval, np.arange(len(dates)))
    return Days(
        of_interval=of_interval,
        names=tuple(date.strftime("%Y-%m-%d") for date in dates),
        start_s=edges[:-1][first],
        length_s=np.bincount(of_interval, weights=lengths, minlength=len(dates)),
    )


def replication_daily(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Summary figures per calendar day and queue, the channel rows and an ``ALL`` row per day.

    Columns: :data:`DAY_COLUMNS`, ``queue``, ``channel`` (several channels
    only), then the columns of the summary
    (:func:`~simcenter.reports.replication_summary`) computed over the
    contacts that arrived in the day's intervals: the counts add up over the
    days to the summary's, the ratios and means are those of the day's
    contacts, the wait percentiles are read from the day's histogram.
    ``occupancy`` (``ALL`` rows only, NaN on queue and channel rows) is busy time / time
    present of all agents within the day's intervals.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``days × rows`` rows, day-major, where rows are the
        queues, the channel rows (several channels only) and ``ALL``.
    """
    check_record(meta, record)
    tallies = record.tallies
    days = interval_days(meta)
    day_count, queue_count = len(days), len(meta.queues)
    cells = np.arange(len(tallies.contacts.max_wait_s))
    day_of_cell = days.of_interval[cells // queue_count]
    per_queue = figures_by(
        meta,
        tallies,
        day_of_cell * queue_count + cells % queue_count,
        day_count * queue_count,
        meta.sl_definition * day_count,
    )
    totals = total_figures(meta, tallies, day_of_cell, day_count)
    rows = len(row_names(meta))
    busy_s = sum_by(tallies.agents.group_busy_s.sum(axis=0), days.of_interval, day_count)
    staffed_s = sum_by(tallies.agents.group_staffed_s.sum(axis=0), days.of_interval, day_count)
    occupancy = row_major(
        [np.full(day_count * (rows - 1), np.nan), ratio(busy_s, staffed_s)], day_count
    )
    day = np.repeat(np.arange(day_count), rows)
    row = np.tile(np.arange(rows), day_count)
    columns: dict[str, object] = {**days.columns(meta, day), "queue": queue_names(meta, row)}
    if has_channel_rows(meta):
        columns[CHANNEL] = channel_names(meta, row)
    frame = pd.DataFrame(
        {
            **columns,
            **{
                name: row_major([per_queue[name], *(part[name] for part in totals)], day_count)
                for name in per_queue
            },
        }
    )
    frame.insert(frame.columns.get_loc("aht_s") + 1, "occupancy", occupancy)
    return frame
