"""Reports: the summary, interval, agent and contact tables of one replication.

This module owns the definitions of every reported figure (DESIGN.md §4,
docs/outputs.md). Each function turns one :class:`~simcenter.records.ReplicationRecord`
into a pandas DataFrame with numpy array arithmetic; nothing loops over contacts.
:func:`combine` averages the tables of several replications and adds Student-t
confidence half-widths.

All times are simulation seconds (time 0 is the scenario ``start``) unless a
column name says hours (``_h``). Only contacts that arrived at or after the
warm-up are in a record, and agent time is clipped to ``[warmup_s, end_s]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from simcenter.records import CONTACT_COLUMNS, OUTCOME_CODE, OUTCOMES, ReplicationRecord, RunMeta

ALL = "ALL"
"""Name of the row that aggregates every queue."""

SUMMARY_FIGURES: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "answered_in_target",
    "abandoned_in_target",
    "abandon_rate",
    "service_level",
    "asa_s",
    "mean_wait_s",
    "wait_p50_s",
    "wait_p90_s",
    "wait_p95_s",
    "max_wait_s",
    "aht_s",
    "occupancy",
)
"""Summary columns after ``queue``; outcome count columns follow them."""

SERVICE_LEVEL_DEFINITIONS: tuple[str, ...] = ("offered", "answered", "exclude_short_abandons")

_ANSWERED = OUTCOME_CODE["answered"]
_ABANDONED = OUTCOME_CODE["abandoned"]
_IN_SYSTEM = OUTCOME_CODE["in_system"]
_WAIT_QUANTILES: tuple[tuple[str, float], ...] = (
    ("wait_p50_s", 0.50),
    ("wait_p90_s", 0.90),
    ("wait_p95_s", 0.95),
)
_SECONDS_PER_HOUR = 3600.0


def replication_summary(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Summary figures of one replication: one row per queue, then ``ALL``.

    Columns: ``queue``, then :data:`SUMMARY_FIGURES`, then one count column per
    outcome of ``meta.outcomes`` other than answered and abandoned. Definitions
    (docs/outputs.md): offered = every contact of the queue = the sum of all
    outcome counts; service level follows the queue's ``sl_definition``; wait
    statistics cover all offered contacts; ``aht_s`` = mean talk + after-call work
    of answered contacts; ``occupancy`` is NaN on queue rows and, on ``ALL``, busy
    time / present time of all agents over ``[warmup_s, end_s]``. A figure whose
    denominator is 0 is NaN.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``len(meta.queues) + 1`` rows.
    """
    _check_record(meta, record)
    contacts = record.contacts
    queue = contacts["queue"].astype(np.int64)
    queue_count = len(meta.queues)
    per_queue = _contact_figures(meta, contacts, queue, queue_count, meta.sl_definition)
    overall = _contact_figures(
        meta, contacts, np.zeros_like(queue), 1, (_overall_definition(meta),)
    )
    staffed_s = _staffed_seconds(meta, record)
    occupancy = np.append(
        np.full(queue_count, np.nan), _ratio(np.sum(record.busy_area_s), np.sum(staffed_s))
    )
    figures = {name: np.concatenate([per_queue[name], overall[name]]) for name in per_queue}
    frame = pd.DataFrame({"queue": _queue_names(meta, np.arange(queue_count + 1)), **figures})
    frame.insert(frame.columns.get_loc("aht_s") + 1, "occupancy", occupancy)
    return frame


def replication_agents(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Agent figures of one replication: one row per agent group.

    Columns: ``group``; ``staffed_h`` = on-duty time clipped to
    ``[warmup_s, end_s]`` (hours); ``busy_h`` = ``record.busy_area_s`` / 3600, the
    busy-agent count integrated by the engine over the same window (hours; talk
    and after-call work count as busy); ``occupancy`` = busy_h / staffed_h;
    ``contacts_handled`` = contacts whose handling by an agent of the group ended
    in the record (every answered contact, whatever its outcome, except those
    still in service at the end of the run); ``cost`` = staffed_h × cost_per_hour.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``len(meta.groups)`` rows.
    """
    _check_record(meta, record)
    contacts = record.contacts
    staffed_h = _staffed_seconds(meta, record) / _SECONDS_PER_HOUR
    busy_h = np.asarray(record.busy_area_s, dtype=np.float64) / _SECONDS_PER_HOUR
    handled = (
        (contacts["group"] >= 0)
        & np.isfinite(contacts["answered_s"])
        & (contacts["outcome"] != _IN_SYSTEM)
    )
    group_count = len(meta.groups)
    return pd.DataFrame(
        {
            "group": _group_names(meta, np.arange(group_count)),
            "staffed_h": staffed_h,
            "busy_h": busy_h,
            "occupancy": _ratio(busy_h, staffed_h),
            "contacts_handled": np.bincount(
                contacts["group"][handled].astype(np.int64), minlength=group_count
            ),
            "cost": staffed_h * np.asarray(meta.cost_per_hour, dtype=np.float64),
        }
    )


def replication_intervals(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Summary figures per reporting interval and queue, plus an ``ALL`` row per interval.

    Interval ``k`` covers ``[warmup + k·interval, warmup + (k+1)·interval)``,
    the last one cut at ``warmup + horizon``; a contact belongs to the interval of
    its arrival. Columns: ``interval`` (k), ``start`` (ISO calendar time),
    ``start_s``, ``queue``, the summary figures without ``occupancy``, the outcome
    count columns, then ``agents_staffed`` (time-average number of agents on duty,
    all groups) and ``occupancy`` (busy / present time in the interval, all
    groups); those two are NaN on queue rows. Interval busy time comes from the
    contacts' busy periods (see :func:`replication_agent_intervals`).

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``intervals × (len(meta.queues) + 1)`` rows, interval-major.
    """
    _check_record(meta, record)
    edges = _interval_edges(meta)
    interval_count = len(edges) - 1
    queue_count = len(meta.queues)
    contacts = record.contacts
    interval = _interval_of(contacts["arrival_s"], edges)
    queue = contacts["queue"].astype(np.int64)
    per_queue = _contact_figures(
        meta,
        contacts,
        interval * queue_count + queue,
        interval_count * queue_count,
        meta.sl_definition * interval_count,
    )
    overall = _contact_figures(
        meta, contacts, interval, interval_count, (_overall_definition(meta),) * interval_count
    )
    staffed_s, busy_s = _interval_agent_seconds(meta, record, edges)
    levels = {
        "agents_staffed": staffed_s.sum(axis=0) / np.diff(edges),
        "occupancy": _ratio(busy_s.sum(axis=0), staffed_s.sum(axis=0)),
    }
    queue_rows = _interval_frame(
        meta, edges, np.arange(queue_count), per_queue, dict.fromkeys(levels, np.nan)
    )
    all_rows = _interval_frame(meta, edges, np.array([queue_count]), overall, levels)
    stacked = pd.concat([queue_rows, all_rows], ignore_index=True)
    return stacked.sort_values("interval", kind="stable", ignore_index=True)


def replication_agent_intervals(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Agent figures per reporting interval and group.

    Columns: ``interval``, ``start_s``, ``group``, ``agents_staffed`` (on-duty
    agent-seconds in the interval / interval length), ``busy_agents`` (busy
    agent-seconds / interval length) and ``occupancy`` (busy / on-duty time).
    A contact's busy period is ``[answered_s, answered_s + handle_s + wrap_s]``
    for every contact with an answer time, split across interval boundaries.
    Contacts that arrived during the warm-up are not in the record, so their
    busy time after the warm-up is missing from the first intervals (an edge
    effect of at most one handle time), and busy time after ``warmup + horizon``
    (a drain) is in no interval.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``intervals × len(meta.groups)`` rows, interval-major.
    """
    _check_record(meta, record)
    edges = _interval_edges(meta)
    staffed_s, busy_s = _interval_agent_seconds(meta, record, edges)
    group_count, interval_count = staffed_s.shape
    lengths = np.diff(edges)
    return pd.DataFrame(
        {
            "interval": np.repeat(np.arange(interval_count), group_count),
            "start_s": np.repeat(edges[:-1], group_count),
            "group": _group_names(meta, np.tile(np.arange(group_count), interval_count)),
            "agents_staffed": (staffed_s / lengths).T.ravel(),
            "busy_agents": (busy_s / lengths).T.ravel(),
            "occupancy": _ratio(busy_s, staffed_s).T.ravel(),
        }
    )


def queue_length(meta: RunMeta, record: ReplicationRecord, step_s: float) -> pd.DataFrame:
    """Number of contacts waiting in each queue, sampled every ``step_s`` seconds.

    A contact waits at time t when ``arrival_s <= t < arrival_s + wait_s``; contacts
    answered at once (``wait_s == 0``) never wait. The grid is
    ``warmup_s + j·step_s`` for every such time before ``warmup_s + horizon_s``.
    Contacts that arrived during the warm-up are not in the record, so the
    first samples can be too low (an edge effect of at most one patience).

    Args:
        meta: The run description.
        record: One replication.
        step_s: Grid step in seconds (> 0).

    Returns:
        A DataFrame with columns ``time_s``, ``queue`` and ``waiting``, time-major.
    """
    _check_record(meta, record)
    times = meta.warmup_s + step_s * np.arange(_bin_count(meta.horizon_s, step_s))
    contacts = record.contacts
    waited = contacts["wait_s"] > 0
    queue = contacts["queue"][waited].astype(np.int64)
    arrival = contacts["arrival_s"][waited]
    queue_count = len(meta.queues)
    waiting = _count_at_or_before(arrival, queue, queue_count, times) - _count_at_or_before(
        arrival + contacts["wait_s"][waited], queue, queue_count, times
    )
    return pd.DataFrame(
        {
            "time_s": np.repeat(times, queue_count),
            "queue": _queue_names(meta, np.tile(np.arange(queue_count), len(times))),
            "waiting": waiting.T.ravel(),
        }
    )


def wait_distribution(
    meta: RunMeta, record: ReplicationRecord, wait_grid_s: np.ndarray
) -> pd.DataFrame:
    """Empirical distribution function of the wait of each queue's offered contacts.

    Args:
        meta: The run description.
        record: One replication.
        wait_grid_s: Increasing waits (seconds) at which to evaluate it.

    Returns:
        A DataFrame with columns ``wait_s``, ``queue`` and ``fraction_within`` (the
        fraction of offered contacts whose ``wait_s`` is at most ``wait_s``; NaN for
        a queue without contacts), wait-major.
    """
    _check_record(meta, record)
    contacts = record.contacts
    queue = contacts["queue"].astype(np.int64)
    queue_count = len(meta.queues)
    within = _count_at_or_before(contacts["wait_s"], queue, queue_count, wait_grid_s)
    offered = np.bincount(queue, minlength=queue_count)
    return pd.DataFrame(
        {
            "wait_s": np.repeat(wait_grid_s, queue_count),
            "queue": _queue_names(meta, np.tile(np.arange(queue_count), len(wait_grid_s))),
            "fraction_within": _ratio(within, offered[:, np.newaxis]).T.ravel(),
        }
    )


def replication_contacts(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """The contact log of one replication with names instead of codes.

    Columns: ``replication, contact_id, customer_id, queue, channel, arrival_s,
    answered_s, end_s, wait_s, handle_s, outcome, agent, group, attempt``;
    ``queue``, ``channel``, ``outcome``, ``agent`` and ``group`` are categoricals
    (``agent`` and ``group`` are missing when no agent took the contact).

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with one row per contact, in record order.
    """
    _check_record(meta, record)
    contacts = record.contacts
    channels = list(dict.fromkeys(meta.channels))
    channel_of_queue = np.array([channels.index(channel) for channel in meta.channels])
    queue = contacts["queue"].astype(np.int64)
    return pd.DataFrame(
        {
            "replication": np.full(len(queue), record.replication, dtype=np.int64),
            "contact_id": contacts["contact_id"],
            "customer_id": contacts["customer_id"],
            "queue": pd.Categorical.from_codes(queue, categories=list(meta.queues)),
            "channel": pd.Categorical.from_codes(channel_of_queue[queue], categories=channels),
            **{name: contacts[name] for name in ("arrival_s", "answered_s", "end_s")},
            **{name: contacts[name] for name in ("wait_s", "handle_s")},
            "outcome": pd.Categorical.from_codes(contacts["outcome"], categories=list(OUTCOMES)),
            "agent": pd.Categorical.from_codes(
                contacts["agent"], categories=list(meta.agent_names)
            ),
            "group": pd.Categorical.from_codes(contacts["group"], categories=list(meta.groups)),
            "attempt": contacts["attempt"],
        }
    )


def combine(frames: Sequence[pd.DataFrame], keys: Sequence[str]) -> pd.DataFrame:
    """Mean over replications of every numeric column, with 95 % confidence half-widths.

    Rows are matched on ``keys`` and keep the order of their first appearance.
    With at least two frames, each figure is followed by ``<figure>_ci95``, the
    Student-t half-width ``t(0.975, n−1) · s / √n`` over the n replications where
    the figure is defined (NaN values are skipped; NaN when n < 2). Non-numeric
    columns outside ``keys`` are dropped.

    Args:
        frames: One table per replication, all with the same columns.
        keys: Columns that identify a row (``["queue"]``, ``["group"]``, ...).

    Returns:
        A DataFrame with the key columns, then each figure (and its ``_ci95``).
    """
    stacked = pd.concat(frames, ignore_index=True)
    figures = [
        name
        for name in stacked.columns
        if name not in keys and pd.api.types.is_numeric_dtype(stacked[name])
    ]
    grouped = stacked.groupby(list(keys), sort=False, observed=True)[figures]
    means = grouped.mean()
    if len(frames) < 2:
        return means.reset_index()
    count = grouped.count()
    half_width = stats.t.ppf(0.975, count - 1) * grouped.std() / np.sqrt(count)
    columns = {}
    for name in figures:
        columns[name] = means[name]
        columns[f"{name}_ci95"] = half_width[name].where(count[name] >= 2)
    return pd.DataFrame(columns, index=means.index).reset_index()


def outcome_count_columns(meta: RunMeta) -> list[str]:
    """Outcome count columns of the summary: ``meta.outcomes`` not already figures."""
    return [name for name in meta.outcomes if name not in SUMMARY_FIGURES]


def _check_record(meta: RunMeta, record: ReplicationRecord) -> None:
    """Raise ValueError if the record breaks the records.py contract in a way reports rely on."""
    missing = [name for name in CONTACT_COLUMNS if name not in record.contacts]
    if missing:
        raise ValueError(f"replication {record.replication}: contacts lack columns {missing}")
    codes = np.unique(record.contacts["outcome"])
    unexpected = sorted(
        {OUTCOMES[code] for code in codes} - {"answered", "abandoned", *meta.outcomes}
    )
    if unexpected:
        raise ValueError(
            f"replication {record.replication}: outcomes {unexpected} are not in "
            f"meta.outcomes {list(meta.outcomes)}"
        )


def _contact_figures(
    meta: RunMeta,
    contacts: dict[str, np.ndarray],
    keys: np.ndarray,
    key_count: int,
    definitions: Sequence[str],
) -> dict[str, np.ndarray]:
    """Summary figures (without occupancy) of the contacts grouped by integer ``keys``."""
    counts = _count_figures(meta, contacts, keys, key_count, definitions)
    times = _time_figures(contacts, keys, key_count, counts["offered"], counts["answered"])
    outcome_counts = np.bincount(
        keys * len(OUTCOMES) + contacts["outcome"], minlength=key_count * len(OUTCOMES)
    ).reshape(key_count, len(OUTCOMES))
    extra = {name: outcome_counts[:, OUTCOME_CODE[name]] for name in outcome_count_columns(meta)}
    return {**counts, **times, **extra}


def _count_figures(
    meta: RunMeta,
    contacts: dict[str, np.ndarray],
    keys: np.ndarray,
    key_count: int,
    definitions: Sequence[str],
) -> dict[str, np.ndarray]:
    """Offered, answered, abandoned, in-target counts, abandon rate and service level."""
    outcome = contacts["outcome"]
    in_target = contacts["wait_s"] <= np.asarray(meta.sl_threshold_s)[contacts["queue"]]
    answered = outcome == _ANSWERED
    abandoned = outcome == _ABANDONED
    figures = {
        "offered": np.bincount(keys, minlength=key_count),
        "answered": np.bincount(keys[answered], minlength=key_count),
        "abandoned": np.bincount(keys[abandoned], minlength=key_count),
        "answered_in_target": np.bincount(keys[answered & in_target], minlength=key_count),
        "abandoned_in_target": np.bincount(keys[abandoned & in_target], minlength=key_count),
    }
    figures["abandon_rate"] = _ratio(figures["abandoned"], figures["offered"])
    figures["service_level"] = _service_level(definitions, figures)
    return figures


def _service_level(definitions: Sequence[str], counts: dict[str, np.ndarray]) -> np.ndarray:
    """Answered in target over the denominator each key's definition names."""
    unknown = sorted(set(definitions) - set(SERVICE_LEVEL_DEFINITIONS))
    if unknown:
        raise ValueError(
            f"unknown service-level definitions {unknown}; expected {SERVICE_LEVEL_DEFINITIONS}"
        )
    definition = np.asarray(definitions)
    denominator = np.select(
        [definition == "offered", definition == "answered"],
        [counts["offered"], counts["answered"]],
        default=counts["offered"] - counts["abandoned_in_target"],
    )
    return _ratio(counts["answered_in_target"], denominator)


def _time_figures(
    contacts: dict[str, np.ndarray],
    keys: np.ndarray,
    key_count: int,
    offered: np.ndarray,
    answered_count: np.ndarray,
) -> dict[str, np.ndarray]:
    """ASA, mean wait, wait percentiles and maximum, and AHT (seconds)."""
    wait = contacts["wait_s"]
    answered = contacts["outcome"] == _ANSWERED
    work = contacts["handle_s"][answered] + contacts["wrap_s"][answered]
    wait_answered = np.bincount(keys[answered], weights=wait[answered], minlength=key_count)
    return {
        "asa_s": _ratio(wait_answered, answered_count),
        "mean_wait_s": _ratio(np.bincount(keys, weights=wait, minlength=key_count), offered),
        **_wait_order_statistics(wait, keys, key_count),
        "aht_s": _ratio(
            np.bincount(keys[answered], weights=work, minlength=key_count), answered_count
        ),
    }


def _wait_order_statistics(
    wait: np.ndarray, keys: np.ndarray, key_count: int
) -> dict[str, np.ndarray]:
    """Wait percentiles (linear interpolation, numpy's default) and maximum per key."""
    counts = np.bincount(keys, minlength=key_count)
    if len(wait) == 0:
        return {name: np.full(key_count, np.nan) for name in (*dict(_WAIT_QUANTILES), "max_wait_s")}
    sorted_wait = wait[np.lexsort((wait, keys))]
    first = np.cumsum(counts) - counts
    last = np.maximum(counts - 1, 0)
    present = counts > 0
    figures = {}
    for name, quantile in _WAIT_QUANTILES:
        position = quantile * last
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, last)
        low = sorted_wait[np.minimum(first + below, len(wait) - 1)]
        high = sorted_wait[np.minimum(first + above, len(wait) - 1)]
        figures[name] = np.where(present, low + (high - low) * (position - below), np.nan)
    figures["max_wait_s"] = np.where(
        present, sorted_wait[np.minimum(first + last, len(wait) - 1)], np.nan
    )
    return figures


def _overall_definition(meta: RunMeta) -> str:
    """Service-level definition of ``ALL`` rows: the queues' common one, else ``offered``."""
    definitions = set(meta.sl_definition)
    return definitions.pop() if len(definitions) == 1 else "offered"


def _staffed_seconds(meta: RunMeta, record: ReplicationRecord) -> np.ndarray:
    """On-duty agent-seconds per group within ``[warmup_s, end_s]``."""
    presence = record.presence
    start = np.clip(presence["start_s"], meta.warmup_s, record.end_s)
    end = np.clip(presence["end_s"], meta.warmup_s, record.end_s)
    return np.bincount(
        presence["group"].astype(np.int64),
        weights=np.maximum(end - start, 0.0),
        minlength=len(meta.groups),
    )


def _interval_agent_seconds(
    meta: RunMeta, record: ReplicationRecord, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """On-duty and busy agent-seconds per group (rows) and interval (columns)."""
    group_count = len(meta.groups)
    presence = record.presence
    staffed = _seconds_per_bin(
        presence["start_s"], presence["end_s"], presence["group"], group_count, edges
    )
    contacts = record.contacts
    served = np.isfinite(contacts["answered_s"]) & (contacts["group"] >= 0)
    busy_start = contacts["answered_s"][served]
    busy_end = busy_start + contacts["handle_s"][served] + np.nan_to_num(contacts["wrap_s"][served])
    busy = _seconds_per_bin(busy_start, busy_end, contacts["group"][served], group_count, edges)
    return staffed, busy


def _seconds_per_bin(
    start: np.ndarray, end: np.ndarray, keys: np.ndarray, key_count: int, edges: np.ndarray
) -> np.ndarray:
    """Seconds of the periods ``[start, end)`` inside each bin ``[edges[k], edges[k+1])``, per key.

    A period is split into the part in its first bin, the part in its last bin
    and whole bins in between; the whole bins are counted with a difference
    array, so the work is proportional to periods + bins.
    """
    bin_count = len(edges) - 1
    start = np.clip(start, edges[0], edges[-1])
    end = np.clip(end, edges[0], edges[-1])
    kept = end > start
    start, end, keys = start[kept], end[kept], keys[kept].astype(np.int64)
    first = np.searchsorted(edges, start, side="right") - 1
    last = np.searchsorted(edges, end, side="left") - 1
    same = first == last
    cell_first = keys * bin_count + first
    cell_last = keys * bin_count + last
    size = key_count * bin_count
    seconds = np.zeros(size)
    seconds += np.bincount(cell_first[same], weights=(end - start)[same], minlength=size)
    split = ~same
    seconds += np.bincount(
        cell_first[split], weights=(edges[first + 1] - start)[split], minlength=size
    )
    seconds += np.bincount(cell_last[split], weights=(end - edges[last])[split], minlength=size)
    covered = np.bincount(cell_first[split] + 1, minlength=size) - np.bincount(
        cell_last[split], minlength=size
    )
    whole_bins = np.cumsum(covered.reshape(key_count, bin_count), axis=1)
    return seconds.reshape(key_count, bin_count) + whole_bins * np.diff(edges)


def _count_at_or_before(
    values: np.ndarray, keys: np.ndarray, key_count: int, grid: np.ndarray
) -> np.ndarray:
    """For each key (rows) and grid point (columns), how many values are <= the point."""
    order = np.lexsort((values, keys))
    sorted_values, sorted_keys = values[order], keys[order]
    counts = np.empty((key_count, len(grid)), dtype=np.int64)
    for key in range(key_count):
        low, high = np.searchsorted(sorted_keys, [key, key + 1])
        counts[key] = np.searchsorted(sorted_values[low:high], grid, side="right")
    return counts


def _interval_edges(meta: RunMeta) -> np.ndarray:
    """Reporting interval boundaries (seconds); the last is ``warmup_s + horizon_s``."""
    edges = meta.warmup_s + meta.interval_s * np.arange(
        _bin_count(meta.horizon_s, meta.interval_s) + 1
    )
    edges[-1] = meta.warmup_s + meta.horizon_s
    return edges


def _bin_count(length_s: float, step_s: float) -> int:
    """Number of steps that cover ``length_s`` (ratios within 1e-9 of an integer are exact)."""
    return max(1, math.ceil(round(length_s / step_s, 9)))


def _interval_of(times: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Index of the interval holding each time; later times go to the last interval."""
    index = np.searchsorted(edges, times, side="right") - 1
    return np.clip(index, 0, len(edges) - 2).astype(np.int64)


def _interval_frame(
    meta: RunMeta,
    edges: np.ndarray,
    queues: np.ndarray,
    figures: dict[str, np.ndarray],
    levels: dict[str, np.ndarray | float],
) -> pd.DataFrame:
    """Interval rows, interval-major, for the queue indices ``queues`` (``ALL`` is the last index).

    ``figures`` holds one value per (interval, queue) cell, interval-major;
    ``levels`` holds one value per interval, or one scalar for every row.
    """
    interval_count = len(edges) - 1
    interval = np.repeat(np.arange(interval_count), len(queues))
    starts = np.asarray(_calendar_starts(meta, edges[:-1]))
    return pd.DataFrame(
        {
            "interval": interval,
            "start": starts[interval],
            "start_s": edges[:-1][interval],
            "queue": _queue_names(meta, np.tile(queues, interval_count)),
            **figures,
            **{
                name: np.asarray(value)[interval] if np.ndim(value) else value
                for name, value in levels.items()
            },
        }
    )


def _calendar_starts(meta: RunMeta, start_s: np.ndarray) -> list[str]:
    """ISO 8601 calendar times of simulation times (absolute arithmetic, DST-safe)."""
    times = pd.Timestamp(meta.start) + pd.to_timedelta(start_s, unit="s")
    return [time.isoformat() for time in times]


def _queue_names(meta: RunMeta, codes: np.ndarray) -> pd.Categorical:
    """Queue names of queue indices; index ``len(meta.queues)`` is ``ALL``."""
    return pd.Categorical.from_codes(codes, categories=[*meta.queues, ALL])


def _group_names(meta: RunMeta, codes: np.ndarray) -> pd.Categorical:
    """Group names of group indices."""
    return pd.Categorical.from_codes(codes, categories=list(meta.groups))


def _ratio(numerator: np.ndarray | float, denominator: np.ndarray | float) -> np.ndarray:
    """Element-wise numerator / denominator, NaN where the denominator is 0."""
    numerator, denominator = np.broadcast_arrays(
        np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    )
    result = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=result, where=denominator > 0)
    return result
