"""The waiting-time histogram: its bins, and percentiles within the documented error."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from recording import within_histogram_error

from simcenter import histogram

waits = st.lists(
    st.one_of(
        st.just(0.0),
        st.integers(1, 120).map(float),  # ties and values on bin edges
        st.floats(0.0, 1e6, allow_nan=False),
    ),
    min_size=1,
    max_size=300,
)


def test_bins_are_right_closed_fine_then_two_percent_wide() -> None:
    edges = histogram.UPPER_EDGES

    assert histogram.bin_of(np.array([0.0, 1e-9, 1.0, 1.5, 50.0, 50.5, 51.0, 51.01])).tolist() == [
        0, 1, 1, 2, 50, 51, 51, 52,
    ]  # fmt: skip
    assert np.all(np.diff(edges[:-1]) > 0)
    assert np.allclose(np.diff(edges[:51]), 1.0)
    assert np.allclose(edges[52:-1] / edges[51:-2], 1.02)
    assert edges[-2] >= histogram.TOP_S


@given(st.lists(st.floats(0.0, 1e9, allow_nan=False), min_size=1, max_size=200))
def test_every_wait_lies_in_its_bin(values: list[float]) -> None:
    wait = np.array(values)
    bins = histogram.bin_of(wait)
    lower = np.concatenate([[-np.inf, 0.0], histogram.UPPER_EDGES[1:-1]])[bins]

    assert np.all(lower < wait)
    assert np.all(wait <= histogram.UPPER_EDGES[bins])


def _histogram_of(groups: list[list[float]]) -> tuple[np.ndarray, ...]:
    cells = np.concatenate([np.full(len(values), cell) for cell, values in enumerate(groups)])
    wait = np.concatenate([np.array(values) for values in groups])
    merged = histogram.regroup(cells, histogram.bin_of(wait), np.ones(len(wait)), cells)
    maxima = np.array([max(values) for values in groups])
    return (*merged, maxima)


@settings(max_examples=200)
@given(st.lists(waits, min_size=1, max_size=4))
def test_percentiles_are_within_the_documented_error_of_the_exact_ones(
    groups: list[list[float]],
) -> None:
    cells, bins, counts, maxima = _histogram_of(groups)
    probabilities = (0.0, 0.5, 0.9, 0.95, 1.0)

    estimates = histogram.quantiles(cells, bins, counts, len(groups), maxima, probabilities)

    for probability, estimate in zip(probabilities, estimates, strict=True):
        for cell, values in enumerate(groups):
            exact = float(np.quantile(values, probability))
            assert within_histogram_error(float(estimate[cell]), exact), (probability, values)


def test_percentile_of_a_cell_without_waits_is_missing() -> None:
    cells, bins, counts, _ = _histogram_of([[3.0, 4.0]])

    estimates = histogram.quantiles(cells + 1, bins, counts, 2, np.array([-np.inf, 4.0]), (0.5,))

    assert np.isnan(estimates[0][0])
    assert estimates[0][1] == 3.0  # waits in (2, 3] and (3, 4]: midpoints 2.5 and 3.5, halfway


@given(waits)
def test_distribution_function_is_exact_at_bin_edges(values: list[float]) -> None:
    cells, bins, counts, _ = _histogram_of([values])
    grid = histogram.UPPER_EDGES[:80]

    within = histogram.fraction_within(cells, bins, counts, 1, grid)[0]

    exact = [(np.array(values) <= edge).sum() for edge in grid]
    assert within.tolist() == exact


@settings(max_examples=200)
@given(
    st.lists(
        st.lists(
            st.tuples(st.integers(0, 5), st.sampled_from([0.0, 0.5, 3.0, 60.0, 4e4])), max_size=40
        ),
        max_size=6,
    )
)
def test_a_histogram_kept_chunk_by_chunk_counts_every_wait_once(
    chunks: list[list[tuple[int, float]]],
) -> None:
    """Counting chunk by chunk gives, entry by entry, the counts of all waits counted at once."""
    kept = histogram.WaitHistogram()
    for chunk in chunks:
        kept.add(
            np.array([cell for cell, _ in chunk], dtype=np.int64), np.array([w for _, w in chunk])
        )
    every = [pair for chunk in chunks for pair in chunk]
    expected: dict[tuple[int, int], int] = {}
    for cell, wait in every:
        key = (cell, int(histogram.bin_of(np.array([wait]))[0]))
        expected[key] = expected.get(key, 0) + 1

    cells, bins, counts = kept.entries()

    assert sorted(expected) == list(zip(cells.tolist(), bins.tolist(), strict=True))
    assert [expected[key] for key in sorted(expected)] == counts.tolist()


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 30), st.integers(1, 9)), max_size=60),
    st.sampled_from(["in order", "one cell", "scattered"]),
)
def test_regroup_adds_up_the_entries_of_each_new_cell_and_bin(
    entries: list[tuple[int, int, int]], mapping: str
) -> None:
    """Entries already in order, all into one cell (few keys), or many keys: a plain count."""
    if mapping == "in order":
        entries = sorted({(cell, b): count for cell, b, count in entries}.items())
        entries = [(cell, b, count) for (cell, b), count in entries]
    cells = np.array([cell for cell, _, _ in entries], dtype=np.int64)
    bins = np.array([b for _, b, _ in entries], dtype=np.int64)
    counts = np.array([count for _, _, count in entries], dtype=np.float64)
    new_cells = {"in order": cells, "one cell": 0 * cells, "scattered": cells * 1000}[mapping]
    expected: dict[tuple[int, int], int] = {}
    for cell, b, count in zip(new_cells.tolist(), bins.tolist(), counts.tolist(), strict=True):
        expected[(cell, b)] = expected.get((cell, b), 0) + int(count)

    got_cells, got_bins, got_counts = histogram.regroup(cells, bins, counts, new_cells)

    assert list(zip(got_cells.tolist(), got_bins.tolist(), strict=True)) == sorted(expected)
    assert got_counts.tolist() == [expected[key] for key in sorted(expected)]
    assert got_counts.dtype == np.int64
