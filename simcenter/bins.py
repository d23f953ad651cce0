"""Time bins: reporting intervals, the queue-length grid, and periods split over bins.

All times are simulation seconds.
"""

from __future__ import annotations

import math

import numpy as np

from simcenter.records import RunMeta


def bin_count(length_s: float, step_s: float) -> int:
    """Number of steps that cover ``length_s`` (ratios within 1e-9 of an integer are exact)."""
    return max(1, math.ceil(round(length_s / step_s, 9)))


def grid_edges(meta: RunMeta, step_s: float) -> np.ndarray:
    """Boundaries of steps of ``step_s`` from the warm-up; the last is ``warmup_s + horizon_s``."""
    edges = meta.warmup_s + step_s * np.arange(bin_count(meta.horizon_s, step_s) + 1)
    edges[-1] = meta.warmup_s + meta.horizon_s
    return edges


def interval_edges(meta: RunMeta) -> np.ndarray:
    """Reporting interval boundaries (seconds); the last is ``warmup_s + horizon_s``."""
    return grid_edges(meta, meta.interval_s)


def interval_of(times: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Index of the interval holding each time; later times go to the last interval."""
    index = np.searchsorted(edges, times, side="right") - 1
    return np.clip(index, 0, len(edges) - 2).astype(np.int64)


def clipped_seconds(start: np.ndarray, end: np.ndarray, low: float, high: float) -> np.ndarray:
    """Length (seconds) of each period ``[start, end]`` inside ``[low, high]``."""
    return np.maximum(np.clip(end, low, high) - np.clip(start, low, high), 0.0)


def _periods_in_bins(
    start: np.ndarray, end: np.ndarray, keys: np.ndarray, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The periods clipped to the bins' span (empty ones dropped), with their first and last bin.

    Returns:
        ``start``, ``end``, ``keys`` (int64) of the kept periods and the index
        of the bin each starts in and ends in.
    """
    start = np.clip(start, edges[0], edges[-1])
    end = np.clip(end, edges[0], edges[-1])
    kept = end > start
    start, end, keys = start[kept], end[kept], keys[kept].astype(np.int64)
    first = np.searchsorted(edges, start, side="right") - 1
    last = np.searchsorted(edges, end, side="left") - 1
    return start, end, keys, first, last


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
    return _dense_seconds(*_periods_in_bins(start, end, keys, edges), key_count, edges)


def _dense_seconds(
    start: np.ndarray,
    end: np.ndarray,
    keys: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    key_count: int,
    edges: np.ndarray,
) -> np.ndarray:
    """:func:`seconds_per_bin` of periods already clipped by :func:`_periods_in_bins`."""
    bin_total = len(edges) - 1
    same = first == last
    cell_first = keys * bin_total + first
    cell_last = keys * bin_total + last
    size = key_count * bin_total
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
    whole_bins = np.cumsum(covered.reshape(key_count, bin_total), axis=1)
    return seconds.reshape(key_count, bin_total) + whole_bins * np.diff(edges)


def add_seconds_per_bin(
    out: np.ndarray, start: np.ndarray, end: np.ndarray, keys: np.ndarray, edges: np.ndarray
) -> None:
    """``out += seconds_per_bin(start, end, keys, len(out), edges)``, to the last bit.

    ``out`` has the shape ``(key_count, len(edges) - 1)``.
    When the periods touch few of its cells (500 queues on a grid of 1,440
    steps: 720,000 cells, a few thousand touched per chunk), only those cells
    are computed and added, with the same sums in the same order; otherwise
    the dense :func:`seconds_per_bin`.
    """
    # PERF: the dense grid of 500 queues cost 0.02 s per chunk of contacts
    # (benchmarks/README.md, "Routing at scale").
    if out.size <= 4 * len(start):
        out += seconds_per_bin(start, end, keys, out.shape[0], edges)
        return
    bin_total = len(edges) - 1
    start, end, keys, first, last = _periods_in_bins(start, end, keys, edges)
    same = first == last
    split = ~same
    whole_count = np.maximum(last[split] - first[split] - 1, 0)
    # A few long periods touch many cells: each whole bin would be an entry of
    # several temporary arrays (297 agents on duty for a year: 5.2 million
    # entries, 340 MB), so the dense grid, whose temporaries are the size of
    # ``out``, is used unless the entries are few (benchmarks/README.md,
    # "Shifts against a constant count").
    if out.size <= 4 * (len(start) + np.count_nonzero(split) + int(whole_count.sum())):
        out += _dense_seconds(start, end, keys, first, last, out.shape[0], edges)
        return
    cell_first = keys * bin_total + first
    cell_last = keys * bin_total + last
    whole_start = cell_first[split] + 1
    offsets = np.repeat(np.cumsum(whole_count) - whole_count, whole_count)
    whole = np.repeat(whole_start, whole_count) + np.arange(len(offsets)) - offsets
    cells, index = np.unique(
        np.concatenate([cell_first[same], cell_first[split], cell_last[split], whole]),
        return_inverse=True,
    )
    parts = np.cumsum([0, np.count_nonzero(same), np.count_nonzero(split), np.count_nonzero(split)])
    in_same, in_first, in_last, in_whole = (
        index[parts[0] : parts[1]],
        index[parts[1] : parts[2]],
        index[parts[2] : parts[3]],
        index[parts[3] :],
    )
    size = len(cells)
    seconds = np.zeros(size)
    seconds += np.bincount(in_same, weights=(end - start)[same], minlength=size)
    seconds += np.bincount(in_first, weights=(edges[first + 1] - start)[split], minlength=size)
    seconds += np.bincount(in_last, weights=(end - edges[last])[split], minlength=size)
    whole_bins = np.bincount(in_whole, minlength=size)
    row, column = np.divmod(cells, bin_total)
    out[row, column] += seconds + whole_bins * np.diff(edges)[column]
