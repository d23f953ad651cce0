"""Tables combined over replications: means and Student-t confidence half-widths."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special


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
    if len(frames) == 1:  # the mean of one value is the value: no grouping needed
        return _as_means(frames[0], keys)
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
    half_width = special.stdtrit((count - 1).to_numpy(), 0.975) * grouped.std() / np.sqrt(count)
    columns = {}
    for name in figures:
        columns[name] = means[name]
        columns[f"{name}_ci95"] = half_width[name].where(count[name] >= 2)
    return pd.DataFrame(columns, index=means.index).reset_index()


def _as_means(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """One table as its own mean: the key columns, then every numeric figure as float."""
    figures = [
        name
        for name in frame.columns
        if name not in keys and pd.api.types.is_numeric_dtype(frame[name])
    ]
    columns = {name: frame[name].array for name in keys}
    columns |= {name: frame[name].to_numpy(dtype=np.float64) for name in figures}
    return pd.DataFrame(columns, copy=False)
