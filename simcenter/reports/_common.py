"""Helpers shared by the report tables: record checks, cell sums, names and ratios.

Rows of the per-queue tables: one per queue, in scenario order; then, when
the queues use more than one channel, one total row per channel
(``ALL voice``, ``ALL video``: every queue of the channel together, channels
in the order of their first queue); then ``ALL``. Those tables then have a
``channel`` column (:data:`CHANNEL`) too. No queue may take a total row's
name (``simcenter.scenario.values.RESERVED_ROW_NAMES``), so the ``queue``
column alone tells a total row from a queue (:func:`is_total`).

All times are simulation seconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simcenter.bins import interval_edges
from simcenter.records import NOT_OFFERED, OUTCOME_CODE, OUTCOMES, ReplicationRecord, RunMeta
from simcenter.scenario.values import RESERVED_ROW_NAMES, channel_row_name

ALL = "ALL"
"""Name of the row that aggregates every queue."""

CHANNEL = "channel"
"""Column naming each row's channel (``ALL`` on the ``ALL`` rows), with several channels only."""

TOTAL_ROWS: frozenset[str] = frozenset(RESERVED_ROW_NAMES)
"""Every name of a total row: ``ALL`` and the channels' (``ALL voice``, ...)."""

SECONDS_PER_HOUR = 3600.0

__all__ = [
    "ALL",
    "CHANNEL",
    "SECONDS_PER_HOUR",
    "TOTAL_ROWS",
    "agent_names",
    "channel_codes",
    "channel_names",
    "channel_rows",
    "check_record",
    "group_names",
    "has_channel_rows",
    "has_repeats",
    "interval_edges",
    "is_total",
    "offered_per_cell",
    "queue_names",
    "queue_rows",
    "ratio",
    "row_channels",
    "row_keys",
    "row_major",
    "row_names",
    "row_queues",
    "run_channels",
    "sum_by",
    "with_totals",
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
    """The ``queue`` column of row indices (:func:`row_names`): queues, channel rows, ``ALL``.

    With one channel, index ``len(meta.queues)`` is ``ALL``.
    """
    return pd.Categorical.from_codes(codes, categories=row_names(meta))


def run_channels(meta: RunMeta) -> tuple[str, ...]:
    """The channels of the run's queues, in the order of their first queue."""
    return tuple(dict.fromkeys(meta.channels))


def has_channel_rows(meta: RunMeta) -> bool:
    """Whether the per-queue tables have channel rows and a ``channel`` column: several channels."""
    return len(run_channels(meta)) > 1


def channel_rows(meta: RunMeta) -> tuple[str, ...]:
    """Names of the channels' total rows (``ALL voice``, ...); none with one channel."""
    if not has_channel_rows(meta):
        return ()
    return tuple(channel_row_name(channel) for channel in run_channels(meta))


def row_names(meta: RunMeta) -> list[str]:
    """The rows of a per-queue table, in order: the queues, the channel rows, ``ALL``."""
    return [*meta.queues, *channel_rows(meta), ALL]


def row_channels(meta: RunMeta) -> list[str]:
    """The channel of each row of :func:`row_names`: the queue's, the channel row's, ``ALL``."""
    return [*meta.channels, *(run_channels(meta) if has_channel_rows(meta) else ()), ALL]


def row_queues(meta: RunMeta) -> dict[str, list[int]]:
    """Row name (:func:`row_names`) -> indices of the queues it counts: a queue its own,
    a channel row the channel's queues, ``ALL`` every queue."""
    members = {name: [index] for index, name in enumerate(meta.queues)}
    for row, channel in zip(channel_rows(meta), run_channels(meta), strict=False):
        members[row] = [index for index, own in enumerate(meta.channels) if own == channel]
    members[ALL] = list(range(len(meta.queues)))
    return members


def channel_codes(meta: RunMeta) -> np.ndarray:
    """Queue index -> index of its channel in :func:`run_channels`."""
    channels = run_channels(meta)
    return np.array([channels.index(channel) for channel in meta.channels], dtype=np.int64)


def channel_names(meta: RunMeta, codes: np.ndarray) -> pd.Categorical:
    """The ``channel`` column of row indices (:func:`row_names`): each queue's channel,
    each channel row's channel, ``ALL`` for ``ALL``."""
    channels = run_channels(meta)
    of_row = np.concatenate(
        [channel_codes(meta), np.arange(len(channels)), [len(channels)]]
    ).astype(np.int64)
    return pd.Categorical.from_codes(of_row[codes], categories=[*channels, ALL])


def is_total(name: object) -> bool:
    """Whether a ``queue`` value names a total row (``ALL`` or a channel's), not a queue."""
    return str(name) in TOTAL_ROWS


def queue_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` that are queues: without ``ALL`` and the channel rows."""
    return frame[~frame["queue"].astype(str).isin(TOTAL_ROWS)]


def row_keys(meta: RunMeta, keys: Sequence[str]) -> list[str]:
    """Columns that identify a row: ``keys``, with :data:`CHANNEL` after ``queue`` when the
    tables have channel rows (so that :func:`~simcenter.reports.combine` keeps it)."""
    columns = list(keys)
    if has_channel_rows(meta) and "queue" in columns:
        columns.insert(columns.index("queue") + 1, CHANNEL)
    return columns


def with_totals(meta: RunMeta, values: np.ndarray) -> np.ndarray:
    """Per-queue values (first axis), then their sums per channel (several channels) and in all.

    The rows of :func:`row_names`; integers stay integers.
    """
    parts = [values]
    if has_channel_rows(meta):
        parts.append(sum_by(values, channel_codes(meta), len(run_channels(meta))))
    parts.append(values.sum(axis=0, keepdims=True))
    return np.concatenate(parts)


def row_major(parts: Sequence[np.ndarray], periods: int) -> np.ndarray:
    """Period-major rows of row groups: each period's values of ``parts[0]``, ``parts[1]``, ...

    Each part holds ``periods × k`` values, period-major (``k`` rows a period,
    ``k`` may differ by part): the queues, the channel rows, ``ALL``.
    """
    widths = [len(part) // periods for part in parts]
    table = np.empty((periods, sum(widths)), dtype=np.result_type(*parts))
    start = 0
    for part, width in zip(parts, widths, strict=True):
        table[:, start : start + width] = part.reshape(periods, width)
        start += width
    return table.ravel()


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
