"""The days of a multi-day run as the console, ``--format json`` and ``report.html`` show them.

Everything here reads the result tables (``Results.daily``,
``Results.agent_days``, ``Results.intervals``, ``Results.agent_intervals``,
or the same tables read back from an output folder):

- the day table: one row per calendar day with the ``ALL`` figures of
  ``daily.csv`` (offered, service level, ASA, abandonment rate, occupancy)
  and the day's cost (agents' cost of ``agent_days.csv`` plus each queue's
  abandoned contacts × its ``abandon_cost``);
- which days to show: all of them up to :data:`MANY_DAYS`, else the
  :data:`WORST_DAYS` with the lowest service level;
- the staffing line: scheduled and present agent-hours against the agent-hours
  the queues require by Erlang C, interval by interval.

Times are seconds; columns ending in ``_h`` are agent-hours.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simcenter import analysis
from simcenter.formats import MISSING, percent
from simcenter.records import RunMeta
from simcenter.reports import ALL, queue_rows

MANY_DAYS = 14
"""With more days than this, the day table shows the worst ones only."""

WORST_DAYS = 7
"""How many days the day table shows when there are many: those with the lowest service level."""

REQUIREMENT_CELLS = 5000
"""Most interval × queue pairs for which the staffing line computes the Erlang requirement."""

DAY_FIGURES: tuple[str, ...] = (
    "offered",
    "service_level",
    "asa_s",
    "abandon_rate",
    "occupancy",
)
"""The ``ALL`` figures of ``daily.csv`` in the day table (each with its ``_ci95`` if any)."""


def abandon_costs(scenario: Mapping[str, Any]) -> dict[str, float]:
    """Queue name -> money lost per abandoned contact (``abandon_cost``) of a resolved scenario."""
    costs = {}
    for entry in scenario.get("queues", []):
        try:
            costs[str(entry.get("name"))] = float(entry.get("abandon_cost") or 0.0)
        except (TypeError, ValueError):
            costs[str(entry.get("name"))] = 0.0
    return costs


def day_table(
    daily: pd.DataFrame, agent_days: pd.DataFrame | None, abandon_cost: Mapping[str, float]
) -> pd.DataFrame:
    """One row per day, in calendar order: the day's ``ALL`` figures and its cost.

    Args:
        daily: The daily table (``Results.daily``), with its ``ALL`` rows.
        agent_days: The agent day table (``Results.agent_days``) or None.
        abandon_cost: Queue name -> cost per abandoned contact.

    Returns:
        ``day`` (``YYYY-MM-DD``), ``length_h``, then :data:`DAY_FIGURES`
        (and their ``_ci95`` when ``daily`` has them), then ``cost`` = the
        agent groups' cost of the day + Σ over queues (not the channel rows
        nor ``ALL``) of abandoned × abandon_cost (per replication; NaN
        without ``agent_days``).
    """
    queue = daily["queue"].astype(str)
    every = daily[queue == ALL]
    columns = ["day", "length_h"]
    columns += [
        name
        for figure in DAY_FIGURES
        for name in (figure, f"{figure}_ci95")
        if name in every.columns
    ]
    table = every[columns].reset_index(drop=True)
    table["day"] = table["day"].astype(str)
    queues = queue_rows(daily)
    lost = (
        (queues["abandoned"] * queues["queue"].astype(str).map(abandon_cost).fillna(0.0))
        .groupby(queues["day"].astype(str), sort=False)
        .sum()
    )
    if agent_days is None or "cost" not in agent_days:
        table["cost"] = math.nan
    else:
        agent_cost = agent_days.groupby(agent_days["day"].astype(str), sort=False)["cost"].sum()
        table["cost"] = table["day"].map(agent_cost).fillna(0.0) + table["day"].map(lost).fillna(
            0.0
        )
    return table


def shown_days(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The days the table shows and how many it leaves out.

    Up to :data:`MANY_DAYS` days: every day in calendar order. More: the
    :data:`WORST_DAYS` with the lowest service level, worst first (ties by
    date; days without contacts last).
    """
    if len(table) <= MANY_DAYS:
        return table, 0
    ranked = table.assign(_missing=table["service_level"].isna()).sort_values(
        ["_missing", "service_level", "day"], kind="stable"
    )
    return ranked.drop(columns="_missing").head(WORST_DAYS), len(table) - WORST_DAYS


def rest_note(left_out: int, total: int) -> str:
    """The note under a table that shows the worst days only."""
    return (
        f"{WORST_DAYS} worst days by service level of {total:,}; "
        f"{left_out:,} more days in daily.csv"
    )


@dataclass(frozen=True)
class Staffing:
    """Agent-hours of a run, summed over its intervals and groups (per replication).

    Attributes:
        scheduled_h: Agent-hours scheduled (rostered by plan or shift).
        present_h: Agent-hours present (idle, busy, wrap-up or on break).
        required_h: Agent-hours the queues require: Σ over intervals and
            queues of the Erlang agents for the queue's target × the interval's
            length; NaN when not computed (more than :data:`REQUIREMENT_CELLS`
            interval × queue pairs).
        short_intervals: Intervals in which the agents present (all groups)
            were fewer than the agents required (all queues); 0 when not computed.
        intervals: Number of intervals.
    """

    scheduled_h: float
    present_h: float
    required_h: float
    short_intervals: int
    intervals: int


def staffing(
    intervals: pd.DataFrame,
    agent_intervals: pd.DataFrame,
    meta: RunMeta,
    patience_s: Sequence[float | None] = (),
) -> Staffing | None:
    """Scheduled and present agent-hours against the Erlang requirement.

    The requirement of a queue in an interval is
    :func:`simcenter.analysis.required_agents` at the interval's offered rate
    and AHT: Erlang C without ``patience_s`` (as the console and the report
    compute it: callers never abandon, so it errs high, and it is fast),
    Erlang A for the queues given a mean patience; the queues' requirements
    add up (no pooling between queues).

    Args:
        intervals: ``Results.intervals``.
        agent_intervals: ``Results.agent_intervals`` with ``scheduled`` and ``present``.
        meta: The run description.
        patience_s: Queue index -> mean patience, or None (Erlang C); empty:
            Erlang C for every queue.

    Returns:
        The figures, or None when ``agent_intervals`` has no ``scheduled`` column.
    """
    if not {"scheduled", "present"} <= set(agent_intervals.columns):
        return None
    end_s = meta.warmup_s + meta.horizon_s
    starts = agent_intervals["start_s"].to_numpy(dtype=np.float64)
    hours = (np.minimum(starts + meta.interval_s, end_s) - starts) / 3600.0
    scheduled_h = float(np.nansum(agent_intervals["scheduled"].to_numpy(dtype=float) * hours))
    present = agent_intervals["present"].to_numpy(dtype=float)
    present_h = float(np.nansum(present * hours))
    count = int(agent_intervals["interval"].nunique())
    if count * len(meta.queues) > REQUIREMENT_CELLS:
        return Staffing(scheduled_h, present_h, math.nan, 0, count)
    required = analysis.required_agents(intervals, meta, patience_s)
    per_interval = required.groupby("interval")["required_agents"].sum(min_count=1)
    interval_start = required.groupby("interval")["start_s"].first()
    length_h = (np.minimum(interval_start + meta.interval_s, end_s) - interval_start) / 3600.0
    present_per_interval = (
        pd.Series(present, index=agent_intervals["interval"].to_numpy()).groupby(level=0).sum()
    )
    short = int((present_per_interval.reindex(per_interval.index) < per_interval).sum())
    return Staffing(
        scheduled_h=scheduled_h,
        present_h=present_h,
        required_h=float((per_interval * length_h).sum()),
        short_intervals=short,
        intervals=count,
    )


def staffing_text(figures: Staffing) -> str:
    """The staffing line: ``staffing: 1,234.5 agent-hours scheduled, 1,180.2 present, ...``."""
    line = (
        f"staffing: {figures.scheduled_h:,.1f} agent-hours scheduled, "
        f"{figures.present_h:,.1f} present"
    )
    if math.isnan(figures.required_h):
        return line + " (requirement not computed: too many intervals and queues)"
    ratio = figures.present_h / figures.required_h if figures.required_h > 0 else math.nan
    cover = MISSING if math.isnan(ratio) else percent(ratio)
    return (
        f"{line}, {figures.required_h:,.1f} required by Erlang C ({cover} covered); "
        f"fewer present than required in {figures.short_intervals:,} of "
        f"{figures.intervals:,} intervals"
    )
