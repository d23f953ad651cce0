"""Analyst views of the result tables: calendar columns, the average day, required agents.

Everything here works on the DataFrames of :class:`~simcenter.results.Results`
(or the same tables read back from an output folder), never on the engine's
records. Times are simulation seconds unless a column holds a calendar time;
calendar times are in the scenario time zone (the zone of ``RunMeta.start``).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simcenter import erlang, reports
from simcenter.records import RunMeta
from simcenter.units import UnitError, parse_duration

_COUNT_FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "answered_in_target",
    "abandoned_in_target",
)
_WEIGHTED_FIGURES = {"asa_s": "answered", "mean_wait_s": "offered", "aht_s": "answered"}
"""Time figures of the average day and the count that weights each."""


def calendar_times(meta: RunMeta, seconds: Sequence[float] | np.ndarray | pd.Series) -> pd.Series:
    """Timezone-aware calendar times of simulation times.

    Args:
        meta: The run description (``meta.start`` is simulation time 0).
        seconds: Simulation times in seconds.

    Returns:
        A ``datetime64[ns, <scenario zone>]`` Series (absolute arithmetic, so
        correct across daylight-saving changes).
    """
    start = pd.Timestamp(meta.start)
    offsets = pd.to_timedelta(np.asarray(seconds, dtype=np.float64), unit="s")
    return pd.Series(start + offsets).dt.tz_convert(start.tz).dt.as_unit("ns")


RENAMED_AGENT_COLUMNS = {"agents_staffed": "present", "busy_agents": "busy"}
"""Columns of ``agent_intervals.csv`` in output folders of earlier versions -> today's names."""


def with_current_agent_columns(agent_intervals: pd.DataFrame) -> pd.DataFrame:
    """An agent interval table read from an older output folder, with today's column names.

    ``agents_staffed`` becomes ``present`` and ``busy_agents`` ``busy`` (with
    their ``_ci95``); an older folder has no breaks, so ``on_break`` is 0.
    """
    renamed = {
        old + suffix: new + suffix
        for old, new in RENAMED_AGENT_COLUMNS.items()
        for suffix in ("", "_ci95")
        if old + suffix in agent_intervals
    }
    if not renamed:
        return agent_intervals
    frame = agent_intervals.rename(columns=renamed)
    if "on_break" not in frame:
        frame.insert(frame.columns.get_loc("present") + 1, "on_break", 0.0)
    return frame


def with_interval_start(meta: RunMeta, frame: pd.DataFrame) -> pd.DataFrame:
    """An interval table with ``interval_start`` beside ``start_s`` (inserted in place).

    ``interval_start`` is the calendar start of the interval (timezone-aware
    datetime), placed right after ``interval``.
    """
    position = frame.columns.get_loc("interval") + 1 if "interval" in frame.columns else 0
    # PERF: the datetime array itself, not an array of Timestamp objects (0.05 s for
    # 10,000 intervals; benchmarks/README.md, "Scale").
    frame.insert(position, "interval_start", calendar_times(meta, frame["start_s"]).array)
    return frame


def with_arrival_time(meta: RunMeta, contacts: pd.DataFrame) -> pd.DataFrame:
    """The contact log in arrival order, with a calendar ``arrival`` beside ``arrival_s``.

    Rows are sorted by replication, then arrival time (ties keep the order
    the engine recorded them in).
    """
    contacts = contacts.sort_values(["replication", "arrival_s"], kind="stable", ignore_index=True)
    position = contacts.columns.get_loc("arrival_s") + 1
    contacts.insert(position, "arrival", calendar_times(meta, contacts["arrival_s"]).array)
    return contacts


def by_time_of_day(intervals: pd.DataFrame, meta: RunMeta) -> pd.DataFrame:
    """The average day: per queue and time of day, the interval figures averaged over days.

    An interval's time of day is the wall-clock time of its start in the
    scenario time zone. For each queue (and each total row: the channels' with
    several channels, and ``ALL``) and time of day:

    - counts (``offered``, ``answered``, ``abandoned``, ``answered_in_target``,
      ``abandoned_in_target``) are the mean over the days that have the interval;
    - ``service_level`` is a ratio of sums over those days: answered_in_target /
      the queue's denominator (offered; answered; or offered −
      abandoned_in_target, by its service-level definition);
    - ``abandon_rate`` = sum abandoned / sum offered;
    - ``asa_s`` and ``aht_s`` are the means weighted by answered contacts,
      ``mean_wait_s`` weighted by offered contacts;
    - on ``ALL`` rows, ``agents_staffed`` is the mean over days and
      ``occupancy`` the staffed-weighted mean (busy time / time on duty).

    Args:
        intervals: The interval table with ``interval_start``
            (``Results.intervals``).
        meta: The run description (service-level definitions).

    Returns:
        One row per queue and time of day, in the queues' order, then by time:
        ``queue`` (categorical, the queues, the channel rows then ``ALL``, as
        in the other tables), ``channel`` (when ``intervals`` has it),
        ``time_of_day`` (a :class:`datetime.time`), ``time_of_day_s``
        (seconds after local midnight), ``days`` (days that have the
        interval), then the figures above.
    """
    local = pd.to_datetime(intervals["interval_start"]).dt.tz_localize(None)  # wall clock
    frame = intervals.assign(
        queue=intervals["queue"].astype(str),
        time_of_day_s=(local - local.dt.normalize()).dt.total_seconds(),
        days=local.dt.date,
    )
    frame = frame.assign(
        **{f"_{name}": frame[name] * frame[weight] for name, weight in _weights(frame).items()}
    )
    groups = frame.groupby(["queue", "time_of_day_s"], sort=False)
    sums = groups.sum(numeric_only=True, min_count=1)
    table = groups[list(_COUNT_FIGURES)].mean()
    table.insert(0, "days", groups["days"].nunique())
    definitions = [_definition(meta, queue) for queue in table.index.get_level_values("queue")]
    table["service_level"] = _ratio(
        sums["answered_in_target"], _denominator(np.asarray(definitions), sums)
    )
    table["abandon_rate"] = _ratio(sums["abandoned"], sums["offered"])
    for name, weight in _weights(frame).items():
        defined = frame.assign(_w=frame[weight].where(frame[name].notna()))
        weight_sums = defined.groupby(["queue", "time_of_day_s"], sort=False)["_w"].sum()
        table[name] = _ratio(sums[f"_{name}"], weight_sums)
    if "agents_staffed" in frame:
        table["agents_staffed"] = groups["agents_staffed"].mean()
        table["occupancy"] = table.pop("occupancy")
    table = table.reset_index()
    names = reports.row_names(meta)
    rank = {name: position for position, name in enumerate(names)}
    table = table.sort_values(
        ["queue", "time_of_day_s"],
        key=lambda column: column.map(rank) if column.name == "queue" else column,
        kind="stable",
        ignore_index=True,
    )
    table.insert(1, "time_of_day", [_clock_time(seconds) for seconds in table["time_of_day_s"]])
    table["queue"] = pd.Categorical(table["queue"], categories=names)
    if reports.CHANNEL in intervals:
        channel = dict(zip(names, reports.row_channels(meta), strict=True))
        table.insert(1, reports.CHANNEL, table["queue"].map(channel).astype(str))
    return table


def _weights(frame: pd.DataFrame) -> dict[str, str]:
    """Weighted-mean figures present in ``frame`` and the column that weights each."""
    weights = {name: weight for name, weight in _WEIGHTED_FIGURES.items() if name in frame}
    if "occupancy" in frame and "agents_staffed" in frame:
        weights["occupancy"] = "agents_staffed"
    return weights


def _clock_time(seconds: float) -> datetime.time:
    """The wall-clock time of seconds after midnight, to the minute."""
    minutes = round(seconds / 60.0) % (24 * 60)
    return datetime.time(minutes // 60, minutes % 60)


def _definition(meta: RunMeta, queue: str) -> str:
    """Service-level definition of a queue; for a total row (``ALL``, ``ALL voice``), its
    queues' common one or ``offered``."""
    if queue in meta.queues:
        return meta.sl_definition[meta.queues.index(queue)]
    definitions = {meta.sl_definition[index] for index in reports.row_queues(meta)[queue]}
    return definitions.pop() if len(definitions) == 1 else "offered"


def _denominator(definitions: np.ndarray, sums: pd.DataFrame) -> np.ndarray:
    """Service-level denominators of summed counts, row by row, under each definition."""
    return np.select(
        [definitions == "answered", definitions == "exclude_short_abandons"],
        [sums["answered"], sums["offered"] - sums["abandoned_in_target"]],
        default=sums["offered"],
    )


def _ratio(numerator: pd.Series | np.ndarray, denominator: pd.Series | np.ndarray) -> np.ndarray:
    """Element-wise numerator / denominator, NaN where the denominator is not positive."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    result = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=result, where=denominator > 0)
    return result


def required_agents(
    intervals: pd.DataFrame,
    meta: RunMeta,
    patience_s: Sequence[float | None] = (),
) -> pd.DataFrame:
    """Agents each queue needs per interval by Erlang C (or Erlang A), to meet its target.

    For each queue and interval: rate = offered / interval length (the last
    interval may be shorter), AHT = the interval's ``aht_s`` (the queue's mean
    ``aht_s`` over the run where the interval answered nothing); required =
    the smallest n whose Erlang service level (answered within the queue's
    threshold / offered) reaches the queue's target, by Erlang A when the queue
    has a mean patience and Erlang C otherwise
    (:func:`simcenter.erlang.agents_for_service_level`); 0 when nothing was offered.

    Args:
        intervals: The interval table (``Results.intervals``).
        meta: The run description (queues, thresholds, targets, interval).
        patience_s: Queue index -> mean patience in seconds, or None for a
            queue whose callers never abandon; empty = Erlang C for every queue.

    Returns:
        ``interval``, ``start_s``, ``queue``, ``rate_per_s``, ``aht_s``,
        ``required_agents``: one row per interval and queue (no ``ALL`` nor
        channel rows).
    """
    rows = reports.queue_rows(intervals)
    end_s = meta.warmup_s + meta.horizon_s
    length = np.minimum(rows["start_s"] + meta.interval_s, end_s) - rows["start_s"]
    run_aht = rows.groupby("queue", observed=True)["aht_s"].mean()
    aht = rows["aht_s"].fillna(rows["queue"].map(run_aht).astype(float))
    table = pd.DataFrame(
        {
            "interval": rows["interval"].to_numpy(),
            "start_s": rows["start_s"].to_numpy(),
            "queue": rows["queue"].astype(str).to_numpy(),
            "rate_per_s": (rows["offered"] / length).to_numpy(),
            "aht_s": aht.to_numpy(),
        }
    )
    index = {name: position for position, name in enumerate(meta.queues)}
    table["required_agents"] = [
        _erlang_agents(meta, index[queue], rate, aht_s, patience_s)
        for queue, rate, aht_s in zip(
            table["queue"], table["rate_per_s"], table["aht_s"], strict=True
        )
    ]
    return table


def _erlang_agents(
    meta: RunMeta, queue: int, rate: float, aht_s: float, patience_s: Sequence[float | None]
) -> float:
    """Erlang agents for one queue and interval.

    0 without contacts or handle time; NaN for a target that no finite staffing
    meets (1 or more) or that needs none (0 or less).
    """
    if not rate > 0 or not aht_s > 0:
        return 0.0
    if not 0.0 < meta.sl_target[queue] < 1.0:
        return math.nan
    patience = patience_s[queue] if patience_s else None
    return float(
        erlang.agents_for_service_level(
            rate, aht_s, meta.sl_target[queue], meta.sl_threshold_s[queue], patience
        )
    )


def patience_means(scenario: Mapping[str, Any], queues: Sequence[str]) -> tuple[float | None, ...]:
    """Mean patience (seconds) of each queue of a resolved scenario; None = never abandons.

    A patience given without a ``mean`` (``uniform``, ``empirical``) counts as
    None, so Erlang C is used for that queue.
    """
    specs = {entry.get("name"): entry for entry in scenario.get("queues", [])}
    means: list[float | None] = []
    for name in queues:
        patience = specs.get(name, {}).get("patience")
        try:
            means.append(parse_duration(patience["mean"]) if patience else None)
        except (KeyError, TypeError, UnitError):
            means.append(None)
    return tuple(means)


def group_skills(scenario: Mapping[str, Any]) -> dict[str, list[str]]:
    """Agent group name -> the queues it has a skill for, from a resolved scenario."""
    return {
        str(entry.get("name")): [str(queue) for queue in entry.get("skills", ())]
        for entry in scenario.get("agents", [])
    }
