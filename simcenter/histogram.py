"""The waiting-time histogram: its bins, and percentiles and distribution functions read from it.

Waits are counted in bins that are right-closed, ``(lower, upper]``:

- bin 0 holds waits of exactly 0 s (contacts answered at once, blocked, balked);
- bins 1 to 50 are 1 s wide: ``(0, 1]``, ``(1, 2]``, ..., ``(49, 50]``;
- then every bin is 2 % wider than the last: ``(50, 51]``, ``(51, 52.02]``, ...,
  up to about 68 years; a last bin holds anything longer.

A percentile read from the histogram takes each order statistic at the
middle of its bin (0 for bin 0, never above the exact maximum wait) and
interpolates between the two order statistics around the percentile as the
exact percentile does (linear interpolation, numpy's default). Its error is
therefore at most half a bin width: ``|estimate - exact| <= 0.5 s + 1 % of the
exact value`` (:data:`ABSOLUTE_ERROR_S`, :data:`RELATIVE_ERROR`).
"""

from __future__ import annotations

import math

import numpy as np

FINE_WIDTH_S = 1.0
"""Width (seconds) of the fine bins."""

FINE_RANGE_S = 50.0
"""Upper end (seconds) of the fine bins; wider bins follow."""

GROWTH = 1.0 + FINE_WIDTH_S / FINE_RANGE_S
"""Ratio of the upper to the lower edge of every bin above :data:`FINE_RANGE_S` (1.02)."""

TOP_S = 2.0**31
"""Waits above this (about 68 years) share the last, unbounded bin."""

ABSOLUTE_ERROR_S = FINE_WIDTH_S / 2.0
"""Percentile error bound, absolute part: half a fine bin (seconds)."""

RELATIVE_ERROR = (GROWTH - 1.0) / 2.0
"""Percentile error bound, relative part: half the relative width of a wide bin (0.01)."""

_FINE_BINS = round(FINE_RANGE_S / FINE_WIDTH_S)
_WIDE_BINS = math.ceil(math.log(TOP_S / FINE_RANGE_S) / math.log(GROWTH))

UPPER_EDGES: np.ndarray = np.concatenate(
    [
        [0.0],
        FINE_WIDTH_S * np.arange(1, _FINE_BINS + 1),
        FINE_RANGE_S * GROWTH ** np.arange(1, _WIDE_BINS + 1),
        [math.inf],
    ]
)
"""Upper edge (seconds, inclusive) of every bin: bin b is (UPPER_EDGES[b-1], UPPER_EDGES[b]]."""

BIN_COUNT = len(UPPER_EDGES)
"""Number of bins."""

MIDPOINTS: np.ndarray = np.concatenate(
    [[0.0], (UPPER_EDGES[:-2] + UPPER_EDGES[1:-1]) / 2.0, [math.inf]]
)
"""The value (seconds) that stands for every wait of a bin; the last bin's is its maximum."""


def bin_of(wait_s: np.ndarray) -> np.ndarray:
    """Bin index of each wait (seconds); negative waits go to bin 0."""
    return np.searchsorted(UPPER_EDGES, wait_s, side="left").astype(np.int64)


def regroup(
    cells: np.ndarray, bins: np.ndarray, counts: np.ndarray, new_cells: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add up histogram entries that fall into the same ``(new cell, bin)``.

    Args:
        cells: Cell of each entry.
        bins: Bin of each entry.
        counts: Count of each entry.
        new_cells: The cell each entry moves to.

    Returns:
        ``(cells, bins, counts)`` of the merged entries, sorted by cell, then bin;
        counts as int64.
    """
    # PERF: entries already in order are only checked; few possible keys are
    # counted in a dense array; else a sort and one sum per run of equal keys,
    # whose temporaries are about four arrays of the entries (benchmarks/README.md,
    # "Shifts against a constant count").
    keys = new_cells.astype(np.int64) * BIN_COUNT + bins
    counts = counts.astype(np.int64, copy=False)
    if np.all(keys[1:] > keys[:-1]):
        return keys // BIN_COUNT, keys % BIN_COUNT, counts
    if int(keys.max()) < 2 * len(keys):
        dense = np.bincount(keys, weights=counts)
        keys = np.flatnonzero(dense)
        counts = dense[keys].astype(np.int64)
    else:
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
        del order
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        keys, counts = keys[starts], np.add.reduceat(counts, starts)
    return keys // BIN_COUNT, keys % BIN_COUNT, counts


class WaitHistogram:
    """The waiting-time histogram of one replication, kept while it runs.

    Its entries are sparse, one per ``(cell, bin)`` that holds a wait, kept
    as one sorted key (``cell * BIN_COUNT + bin``) and a count each: 16 bytes
    an entry. Each chunk of waits is counted on its own and merged into the
    sorted entries, so the temporaries of a merge are about the size of the
    entries (a year of a centre on shifts: some 230,000 entries, 3.7 MB;
    benchmarks/README.md, "Shifts against a constant count").
    """

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.int64)
        self._counts = np.empty(0, dtype=np.int64)

    def add(self, cells: np.ndarray, waits_s: np.ndarray) -> None:
        """Count the waits ``waits_s`` (seconds), each in its cell of ``cells``."""
        if not len(cells):
            return
        keys = cells.astype(np.int64) * BIN_COUNT + bin_of(waits_s)
        keys, counts = np.unique(keys, return_counts=True)
        at = np.searchsorted(self._keys, keys)
        known = at < len(self._keys)
        known[known] = self._keys[at[known]] == keys[known]
        self._counts[at[known]] += counts[known]  # the keys are unique: no index twice
        new = ~known
        if new.any():
            self._keys = np.insert(self._keys, at[new], keys[new])
            self._counts = np.insert(self._counts, at[new], counts[new])

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(cells, bins, counts)`` of the entries, sorted by cell, then bin (:func:`regroup`)."""
        return self._keys // BIN_COUNT, self._keys % BIN_COUNT, self._counts


def quantiles(
    cells: np.ndarray,
    bins: np.ndarray,
    counts: np.ndarray,
    cell_count: int,
    maxima_s: np.ndarray,
    probabilities: tuple[float, ...],
) -> list[np.ndarray]:
    """Percentiles of the waits of every cell, read from its histogram.

    The exact percentile of n sorted waits at probability p is
    ``x[k] + (x[k+1] - x[k]) · f`` with ``k + f = p · (n - 1)``; here each
    ``x[k]`` is the middle of its bin, capped at the cell's maximum.

    Args:
        cells: Cell of each histogram entry, sorted by cell, then bin.
        bins: Bin of each entry.
        counts: Count of each entry (> 0).
        cell_count: Number of cells.
        maxima_s: The exact longest wait of each cell (seconds).
        probabilities: The probabilities, between 0 and 1.

    Returns:
        One array of ``cell_count`` percentiles (seconds) per probability;
        NaN for a cell without waits.
    """
    totals = np.bincount(cells, weights=counts, minlength=cell_count).astype(np.int64)
    cumulative = np.cumsum(counts)
    first = np.searchsorted(cells, np.arange(cell_count), side="left")
    before = np.concatenate([[0], cumulative])[first]
    present = totals > 0
    last = np.maximum(totals - 1, 0)

    def order_statistic(rank: np.ndarray) -> np.ndarray:
        entry = np.searchsorted(cumulative, before + rank, side="right")
        entry = np.minimum(entry, max(len(bins) - 1, 0))
        value = MIDPOINTS[bins[entry]] if len(bins) else np.zeros(cell_count)
        return np.minimum(value, maxima_s)

    results = []
    for probability in probabilities:
        position = probability * last
        below = np.floor(position).astype(np.int64)
        low = order_statistic(below)
        high = order_statistic(np.minimum(below + 1, last))
        with np.errstate(invalid="ignore"):
            value = low + (high - low) * (position - below)
        results.append(np.where(present, value, np.nan))
    return results


def fraction_within(
    cells: np.ndarray, bins: np.ndarray, counts: np.ndarray, cell_count: int, grid_s: np.ndarray
) -> np.ndarray:
    """Share of each cell's waits in bins that end at or before each grid wait.

    That is exact at bin edges; between them it is low by at most the share
    of waits in the bin holding the grid point.

    Returns:
        Counts of shape ``(cell_count, len(grid_s))`` (not yet divided by the total).
    """
    dense = np.zeros((cell_count, BIN_COUNT), dtype=np.int64)
    np.add.at(dense, (cells, bins), counts)
    cumulative = np.cumsum(dense, axis=1)
    closed = np.searchsorted(UPPER_EDGES, grid_s, side="right")  # bins with upper edge <= x
    padded = np.concatenate([np.zeros((cell_count, 1), dtype=np.int64), cumulative], axis=1)
    return padded[:, closed]
