"""Agent figures per calendar day and group, from the agent figures per interval.

The days are those of :mod:`simcenter.reports.daily` (calendar days of the
scenario's time zone; an interval belongs to the day its start falls in). A
time-average number of agents in an interval (``scheduled``, ``present``, ...)
times the interval's length is agent-time; a day's agent-hours are the sum over
its intervals. Columns ending in ``_h`` are agent-hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcenter.records import RunMeta
from simcenter.reports._common import SECONDS_PER_HOUR, group_names, interval_edges, ratio
from simcenter.reports.daily import interval_days

LEVELS: tuple[str, ...] = ("scheduled", "present", "on_break", "absent", "in_outage", "busy")
"""Time-average agent columns of the interval table that become agent-hours per day."""

SUMMED: tuple[str, ...] = ("overtime_h", "cost")
"""Interval columns that a day's figure adds up as they are."""

INPUTS: tuple[str, ...] = (*LEVELS, *SUMMED)
"""The interval columns the day figures are computed from."""

AGENT_DAY_FIGURES: tuple[str, ...] = (
    "scheduled_h",
    "present_h",
    "on_break_h",
    "absent_h",
    "in_outage_h",
    "busy_h",
    "overtime_h",
    "shrinkage",
    "occupancy",
    "cost",
)
"""Figures of ``agent_days.csv``, after ``day, day_start, start_s, length_h, group``."""


def agent_days(meta: RunMeta, agent_intervals: pd.DataFrame) -> pd.DataFrame:
    """Agent-hours, shrinkage, occupancy and cost per calendar day and agent group.

    For each day and group: ``<level>_h`` = Σ over the day's intervals of the
    interval's time-average ``<level>`` agents × its length (hours), for
    ``scheduled``, ``present``, ``on_break``, ``absent``, ``in_outage`` and
    ``busy``; ``overtime_h`` and ``cost`` = the sums of the intervals' values;
    ``shrinkage`` = (absent_h + in_outage_h + on_break_h) / scheduled_h (NaN
    without scheduled time); ``occupancy`` = busy_h / (present_h − on_break_h).

    Args:
        meta: The run description (intervals, time zone, groups).
        agent_intervals: One replication's agent figures per interval and
            group (``interval``, ``group`` and the columns of :data:`LEVELS`
            and :data:`SUMMED`), or their means over replications.

    Returns:
        ``day``, ``day_start``, ``start_s``, ``length_h``, ``group``, then
        :data:`AGENT_DAY_FIGURES`: one row per day and group, day-major, groups
        in the scenario's order.
    """
    days = interval_days(meta)
    edges = interval_edges(meta)
    group_count = len(meta.groups)
    interval = agent_intervals["interval"].to_numpy(dtype=np.int64)
    group = pd.Categorical(agent_intervals["group"].astype(str), categories=list(meta.groups))
    keys = days.of_interval[interval] * group_count + group.codes
    size = len(days) * group_count
    hours = np.diff(edges)[interval] / SECONDS_PER_HOUR

    def day_sum(values: np.ndarray) -> np.ndarray:
        present = ~np.isnan(values)
        return np.bincount(keys[present], weights=values[present], minlength=size)

    figures = {
        f"{name}_h": day_sum(agent_intervals[name].to_numpy(dtype=np.float64) * hours)
        for name in LEVELS
    }
    figures |= {name: day_sum(agent_intervals[name].to_numpy(dtype=np.float64)) for name in SUMMED}
    figures["shrinkage"] = ratio(
        figures["absent_h"] + figures["in_outage_h"] + figures["on_break_h"],
        figures["scheduled_h"],
    )
    figures["occupancy"] = ratio(figures["busy_h"], figures["present_h"] - figures["on_break_h"])
    day = np.repeat(np.arange(len(days)), group_count)
    return pd.DataFrame(
        {
            **days.columns(meta, day),
            "group": group_names(meta, np.tile(np.arange(group_count), len(days))),
            **{name: figures[name] for name in AGENT_DAY_FIGURES},
        }
    )
