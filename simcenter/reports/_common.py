"""Helpers shared by the report tables: record checks, cell sums, names and ratios.

All times are simulation seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcenter.bins import interval_edges
from simcenter.records import NOT_OFFERED, OUTCOME_CODE, OUTCOMES, ReplicationRecord, RunMeta

ALL = "ALL"
"""Name of the row that aggregates every queue."""

SECONDS_PER_HOUR = 3600.0

__all__ = [
    "ALL",
    "SECONDS_PER_HOUR",
    "agent_names",
    "check_record",
    "group_names",
    "has_repeats",
    "interval_edges",
    "offered_per_cell",
    "queue_names",
    "ratio",
    "sum_by",
]


def check_record(meta: RunMeta, record: ReplicationRecord) -> None:
    """Raise ValueError if the record does not fit the run description in a way reports rely on."""
    outcomes = record.tallies.contacts.outcomes
    cells = (len(interval_edges(meta)) - 1) * len(meta.queues)
    if outcomes.shape != (cells, len(OUTCOMES)):
        raise ValueError(
            f"replication {record.replication}: tallies have {outcomes.shape[0]} cells, "
            f"the run description {cells} (intervals × queues)"
        )
    codes = np.flatnonzero(outcomes.sum(axis=0))
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


def offered_per_cell(record: ReplicationRecord) -> np.ndarray:
    """Contacts offered per tally cell: all but those that ended in an IVR (``NOT_OFFERED``)."""
    outcomes = record.tallies.contacts.outcomes
    return outcomes.sum(axis=1) - outcomes[:, [OUTCOME_CODE[name] for name in NOT_OFFERED]].sum(
        axis=1
    )


def has_repeats(meta: RunMeta) -> bool:
    """Whether any queue of the run has repeat contacts (``meta.repeat_queues``)."""
    return any(meta.repeat_queues)


def sum_by(values: np.ndarray, keys: np.ndarray, key_count: int) -> np.ndarray:
    """Sum of ``values`` (first axis) per key; integers stay integers."""
    if values.ndim == 1:
        summed = np.bincount(keys, weights=values, minlength=key_count)
        return summed.astype(values.dtype) if values.dtype.kind == "i" else summed
    result = np.zeros((key_count, *values.shape[1:]), dtype=values.dtype)
    np.add.at(result, keys, values)
    return result


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
