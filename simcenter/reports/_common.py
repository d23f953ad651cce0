"""Helpers shared by the report tables: record checks, masks, time bins, names and ratios.

All times are simulation seconds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simcenter.records import CONTACT_COLUMNS, OUTCOME_CODE, OUTCOMES, ReplicationRecord, RunMeta

ALL = "ALL"
"""Name of the row that aggregates every queue."""

SECONDS_PER_HOUR = 3600.0
ANSWERED = OUTCOME_CODE["answered"]
ABANDONED = OUTCOME_CODE["abandoned"]
IN_SYSTEM = OUTCOME_CODE["in_system"]


def check_record(meta: RunMeta, record: ReplicationRecord) -> None:
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
    if has_repeats(meta) and len(meta.handover_factor) != len(meta.queues):
        raise ValueError(
            f"meta.handover_factor must have one factor per queue ({len(meta.queues)}) when "
            f"a queue repeats (got {len(meta.handover_factor)})"
        )


def has_repeats(meta: RunMeta) -> bool:
    """Whether any queue of the run has repeat contacts (``meta.repeat_queues``)."""
    return any(meta.repeat_queues)


def handled_mask(contacts: dict[str, np.ndarray]) -> np.ndarray:
    """Contacts an agent took and finished talking to in the run.

    That is every contact with an agent (a finite ``answered_s``) except those
    still in service when a ``stop`` run ended: outcome ``answered``, or
    ``transferred`` after talking to an agent.
    """
    return (
        (contacts["group"] >= 0)
        & np.isfinite(contacts["answered_s"])
        & (contacts["outcome"] != IN_SYSTEM)
    )


def busy_periods(
    contacts: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Busy periods of agents, one per contact with an agent.

    A contact keeps its agent busy over ``[answered_s, answered_s + handle_s +
    wrap_s]`` (talk, then after-call work; a contact still in service when a
    ``stop`` run ended has its talk truncated and no wrap-up).

    Returns:
        The mask of contacts with an agent, and the start and end (seconds) of
        their busy periods.
    """
    served = np.isfinite(contacts["answered_s"]) & (contacts["group"] >= 0)
    start = contacts["answered_s"][served]
    end = start + contacts["handle_s"][served] + np.nan_to_num(contacts["wrap_s"][served])
    return served, start, end


def clipped_seconds(start: np.ndarray, end: np.ndarray, low: float, high: float) -> np.ndarray:
    """Length (seconds) of each period ``[start, end]`` inside ``[low, high]``."""
    return np.maximum(np.clip(end, low, high) - np.clip(start, low, high), 0.0)


def presence_seconds(meta: RunMeta, record: ReplicationRecord, key: str) -> np.ndarray:
    """On-duty seconds within ``[warmup_s, end_s]`` per ``agent`` or per ``group`` index."""
    presence = record.presence
    count = len(meta.agent_names) if key == "agent" else len(meta.groups)
    return np.bincount(
        presence[key].astype(np.int64),
        weights=clipped_seconds(
            presence["start_s"], presence["end_s"], meta.warmup_s, record.end_s
        ),
        minlength=count,
    )


def seconds_per_bin(
    start: np.ndarray, end: np.ndarray, keys: np.ndarray, key_count: int, edges: np.ndarray
) -> np.ndarray:
    """Seconds of the periods ``[start, end)`` inside each bin ``[edges[k], edges[k+1])``, per key.

    A period is split into the part in its first bin, the part in its last bin
    and whole bins in between; the whole bins are counted with a difference
    array, so the work is proportional to periods + bins.

    Returns:
        An array of shape ``(key_count, len(edges) - 1)``.
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


def count_at_or_before(
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


def interval_edges(meta: RunMeta) -> np.ndarray:
    """Reporting interval boundaries (seconds); the last is ``warmup_s + horizon_s``."""
    edges = meta.warmup_s + meta.interval_s * np.arange(
        bin_count(meta.horizon_s, meta.interval_s) + 1
    )
    edges[-1] = meta.warmup_s + meta.horizon_s
    return edges


def bin_count(length_s: float, step_s: float) -> int:
    """Number of steps that cover ``length_s`` (ratios within 1e-9 of an integer are exact)."""
    return max(1, math.ceil(round(length_s / step_s, 9)))


def interval_of(times: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Index of the interval holding each time; later times go to the last interval."""
    index = np.searchsorted(edges, times, side="right") - 1
    return np.clip(index, 0, len(edges) - 2).astype(np.int64)


def calendar_starts(meta: RunMeta, start_s: np.ndarray) -> list[str]:
    """ISO 8601 calendar times of simulation times (absolute arithmetic, DST-safe)."""
    times = pd.Timestamp(meta.start) + pd.to_timedelta(start_s, unit="s")
    return [time.isoformat() for time in times]


def queue_names(meta: RunMeta, codes: np.ndarray) -> pd.Categorical:
    """Queue names of queue indices; index ``len(meta.queues)`` is ``ALL``."""
    return pd.Categorical.from_codes(codes, categories=[*meta.queues, ALL])


def group_names(meta: RunMeta, codes: np.ndarray) -> pd.Categorical:
    """Group names of group indices; -1 is missing."""
    return pd.Categorical.from_codes(codes, categories=list(meta.groups))


def agent_names(meta: RunMeta, codes: np.ndarray) -> pd.Categorical:
    """Agent names of agent indices; -1 is missing."""
    return pd.Categorical.from_codes(codes, categories=list(meta.agent_names))


def ratio(numerator: np.ndarray | float, denominator: np.ndarray | float) -> np.ndarray:
    """Element-wise numerator / denominator, NaN where the denominator is 0."""
    numerator, denominator = np.broadcast_arrays(
        np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    )
    result = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=result, where=denominator > 0)
    return result
