"""Summary figures of the contacts of each queue, over the run or per reporting interval.

docs/outputs.md defines every figure. Offered = every contact of the queue =
the sum of all outcome counts; only contacts with outcome ``answered`` count
as answered (in ``asa_s``, ``aht_s`` and ``answered_in_target``): a contact
answered and then transferred counts as ``transferred``, and its next leg is
a contact of its own in the target queue.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simcenter import histogram
from simcenter.records import NOT_OFFERED, OUTCOME_CODE, ReplicationRecord, RunMeta, Tallies
from simcenter.reports._common import (
    CHANNEL,
    channel_codes,
    channel_names,
    check_record,
    has_channel_rows,
    has_repeats,
    interval_edges,
    queue_names,
    ratio,
    row_major,
    row_names,
    run_channels,
    sum_by,
)

_ANSWERED = OUTCOME_CODE["answered"]
_ABANDONED = OUTCOME_CODE["abandoned"]
_NOT_OFFERED = [OUTCOME_CODE[name] for name in NOT_OFFERED]

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

REPEAT_FIGURES: tuple[str, ...] = ("repeat_contacts", "same_agent_share", "handover_extra_s")
"""Repeat-contact columns, after the outcome counts, when a queue has ``repeat``."""

SERVICE_LEVEL_DEFINITIONS: tuple[str, ...] = ("offered", "answered", "exclude_short_abandons")

_WAIT_QUANTILES: tuple[tuple[str, float], ...] = (
    ("wait_p50_s", 0.50),
    ("wait_p90_s", 0.90),
    ("wait_p95_s", 0.95),
)


def replication_summary(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Summary figures of one replication: one row per queue, the channel rows, then ``ALL``.

    Columns: ``queue``, ``channel`` (with several channels only), then
    :data:`SUMMARY_FIGURES`, then one count column per
    outcome of ``meta.outcomes`` other than answered and abandoned, then
    :data:`REPEAT_FIGURES` when a queue has repeat contacts. Definitions
    (docs/outputs.md): offered = every contact of the queue that reached it =
    the sum of all outcome counts but those of contacts that ended in an IVR
    (``self_served``, ``abandoned_in_ivr``); service level follows the queue's
    ``sl_definition``; wait statistics cover all offered contacts (the percentiles read from the
    waiting-time histogram, see :mod:`simcenter.histogram`); ``asa_s`` and ``aht_s`` (mean talk +
    after-call work) cover contacts with outcome answered; ``occupancy`` is NaN
    on queue and channel rows and, on ``ALL``, busy time / present time of all agents over
    ``[warmup_s, end_s]``. A figure whose denominator is 0 is NaN. A channel
    row (``ALL voice``, when the queues use several channels) and ``ALL``
    are computed from the summed tallies of their queues, as one queue would be.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with one row per queue, per channel (several channels only) and ``ALL``.
    """
    check_record(meta, record)
    tallies = record.tallies
    queue_count = len(meta.queues)
    cells = np.arange(len(tallies.contacts.max_wait_s))
    per_queue = _cell_figures(meta, tallies, cells % queue_count, queue_count, meta.sl_definition)
    totals = total_figures(meta, tallies, np.zeros_like(cells), 1)
    rows = len(row_names(meta))
    occupancy = np.append(
        np.full(rows - 1, np.nan),
        ratio(
            np.sum(tallies.agents.group_busy_total_s), np.sum(tallies.agents.group_staffed_total_s)
        ),
    )
    figures = {
        name: np.concatenate([per_queue[name], *(part[name] for part in totals)])
        for name in per_queue
    }
    frame = pd.DataFrame({"queue": queue_names(meta, np.arange(rows)), **figures})
    if has_channel_rows(meta):
        frame.insert(1, CHANNEL, channel_names(meta, np.arange(rows)))
    frame.insert(frame.columns.get_loc("aht_s") + 1, "occupancy", occupancy)
    return frame


def replication_intervals(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Summary figures per reporting interval and queue, the channel rows and an ``ALL`` row.

    Interval ``k`` covers ``[warmup + k·interval, warmup + (k+1)·interval)``,
    the last one cut at ``warmup + horizon``; a contact belongs to the interval of
    its arrival. Columns: ``interval`` (k), ``start`` (ISO calendar time),
    ``start_s``, ``queue``, ``channel`` (several channels only), the summary
    figures without ``occupancy``, the outcome
    count columns, the repeat-contact columns (when a queue repeats), then
    ``agents_staffed`` (time-average number of agents on duty, all groups) and
    ``occupancy`` (busy / present time in the interval, all groups); those two
    are NaN on queue and channel rows. Interval busy time is tallied from the agents' busy
    periods (see :func:`~simcenter.reports.replication_agent_intervals`).

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``intervals × rows`` rows, interval-major, where rows
        are the queues, the channel rows (several channels only) and ``ALL``.
    """
    check_record(meta, record)
    tallies = record.tallies
    edges = interval_edges(meta)
    interval_count = len(edges) - 1
    queue_count = len(meta.queues)
    cells = np.arange(interval_count * queue_count)
    per_queue = _cell_figures(meta, tallies, cells, len(cells), meta.sl_definition * interval_count)
    totals = total_figures(meta, tallies, cells // queue_count, interval_count)
    staffed_s = tallies.agents.group_staffed_s.sum(axis=0)
    levels = {
        "agents_staffed": staffed_s / np.diff(edges),
        "occupancy": ratio(tallies.agents.group_busy_s.sum(axis=0), staffed_s),
    }
    rows = len(row_names(meta))
    interval = np.repeat(np.arange(interval_count), rows)
    row = np.tile(np.arange(rows), interval_count)
    no_levels = np.full(interval_count * (rows - 1), np.nan)
    columns: dict[str, object] = {
        "interval": interval,
        "start_s": edges[:-1][interval],
        "queue": queue_names(meta, row),
    }
    if has_channel_rows(meta):
        columns[CHANNEL] = channel_names(meta, row)
    return pd.DataFrame(
        {
            **columns,
            # PERF: each figure's cell arrays are dropped once interleaved (lower peak memory)
            **{
                name: row_major(
                    [per_queue.pop(name), *(part.pop(name) for part in totals)], interval_count
                )
                for name in list(per_queue)
            },
            **{
                name: row_major([no_levels, values], interval_count)
                for name, values in levels.items()
            },
        },
        copy=False,  # PERF: no second copy of every column (benchmarks/README.md, "Memory")
    )


def total_figures(
    meta: RunMeta, tallies: Tallies, period_of_cell: np.ndarray, period_count: int
) -> list[dict[str, np.ndarray]]:
    """Figures of the total rows of each period (the run, an interval, a day), as row groups.

    With several channels, first the channel rows (``period_count ×
    channels`` rows, period-major, channels in :func:`run_channels` order:
    the summed tallies of the channel's queues, with their common
    service-level definition, else ``offered``); then always the ``ALL``
    rows (``period_count`` rows, as :func:`overall_definition` says).

    Args:
        meta: The run description.
        tallies: One replication's tallies.
        period_of_cell: The period (0 to ``period_count − 1``) of every
            (interval, queue) cell of the tallies.
        period_count: Number of periods.

    Returns:
        One dict of figures (as :func:`figures_by`) per row group.
    """
    groups = []
    if has_channel_rows(meta):
        channels = len(run_channels(meta))
        queue_of_cell = np.arange(len(period_of_cell)) % len(meta.queues)
        groups.append(
            _cell_figures(
                meta,
                tallies,
                period_of_cell * channels + channel_codes(meta)[queue_of_cell],
                period_count * channels,
                channel_definitions(meta) * period_count,
            )
        )
    overall = (_overall_definition(meta),) * period_count
    groups.append(_cell_figures(meta, tallies, period_of_cell, period_count, overall))
    return groups


def channel_definitions(meta: RunMeta) -> tuple[str, ...]:
    """Service-level definition of each channel row: its queues' common one, else ``offered``."""
    codes = channel_codes(meta)
    return tuple(
        _common_definition([meta.sl_definition[q] for q in np.flatnonzero(codes == channel)])
        for channel in range(len(run_channels(meta)))
    )


def outcome_count_columns(meta: RunMeta) -> list[str]:
    """Outcome count columns of the summary: ``meta.outcomes`` not already figures."""
    return [name for name in meta.outcomes if name not in SUMMARY_FIGURES]


def _cell_figures(
    meta: RunMeta,
    tallies: Tallies,
    keys: np.ndarray,
    key_count: int,
    definitions: Sequence[str],
) -> dict[str, np.ndarray]:
    """Summary figures (without occupancy) of the tally cells grouped by integer ``keys``.

    ``keys`` gives the row of every (interval, queue) cell of the tallies.
    """
    outcomes = sum_by(tallies.contacts.outcomes, keys, key_count)
    counts = {
        "offered": outcomes.sum(axis=1) - outcomes[:, _NOT_OFFERED].sum(axis=1),
        "answered": outcomes[:, _ANSWERED],
        "abandoned": outcomes[:, _ABANDONED],
        "answered_in_target": sum_by(tallies.contacts.answered_in_target, keys, key_count),
        "abandoned_in_target": sum_by(tallies.contacts.abandoned_in_target, keys, key_count),
    }
    counts["abandon_rate"] = ratio(counts["abandoned"], counts["offered"])
    counts["service_level"] = _service_level(definitions, counts)
    times = _time_figures(tallies, keys, key_count, counts["offered"], counts["answered"])
    extra = {name: outcomes[:, OUTCOME_CODE[name]] for name in outcome_count_columns(meta)}
    if has_repeats(meta):
        extra |= _repeat_figures(tallies, keys, key_count)
    return {**counts, **times, **extra}


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
    return ratio(counts["answered_in_target"], denominator)


def _time_figures(
    tallies: Tallies,
    keys: np.ndarray,
    key_count: int,
    offered: np.ndarray,
    answered: np.ndarray,
) -> dict[str, np.ndarray]:
    """ASA, mean wait, wait percentiles (from the histogram) and maximum, and AHT (seconds)."""
    maxima = np.full(key_count, -np.inf)
    np.maximum.at(maxima, keys, tallies.contacts.max_wait_s)
    cells, bins, counts = histogram.regroup(
        tallies.contacts.wait_cells,
        tallies.contacts.wait_bins,
        tallies.contacts.wait_counts,
        keys[tallies.contacts.wait_cells],
    )
    percentiles = histogram.quantiles(
        cells, bins, counts, key_count, maxima, tuple(dict(_WAIT_QUANTILES).values())
    )
    return {
        "asa_s": ratio(sum_by(tallies.contacts.answered_wait_sum_s, keys, key_count), answered),
        "mean_wait_s": ratio(sum_by(tallies.contacts.wait_sum_s, keys, key_count), offered),
        **dict(zip(dict(_WAIT_QUANTILES), percentiles, strict=True)),
        "max_wait_s": np.where(offered > 0, maxima, np.nan),
        "aht_s": ratio(sum_by(tallies.contacts.answered_work_sum_s, keys, key_count), answered),
    }


def _repeat_figures(tallies: Tallies, keys: np.ndarray, key_count: int) -> dict[str, np.ndarray]:
    """Repeat contacts an agent handled, the share their previous agent took, handover cost.

    A repeat contact has a previous agent. Answered by another agent, its talk
    time was multiplied by the handover factor f, so ``handle_s · (1 − 1/f)``
    seconds of it are the handover cost.
    """
    repeat_count = sum_by(tallies.repeats.repeat_contacts, keys, key_count)
    return {
        "repeat_contacts": repeat_count,
        "same_agent_share": ratio(
            sum_by(tallies.repeats.same_agent, keys, key_count), repeat_count
        ),
        "handover_extra_s": ratio(
            sum_by(tallies.repeats.handover_extra_sum_s, keys, key_count),
            sum_by(tallies.repeats.changed_agent, keys, key_count),
        ),
    }


def _overall_definition(meta: RunMeta) -> str:
    """Service-level definition of ``ALL`` rows: the queues' common one, else ``offered``."""
    return _common_definition(meta.sl_definition)


def _common_definition(definitions: Sequence[str]) -> str:
    """The service-level definition of a total row: its queues' common one, else ``offered``."""
    distinct = set(definitions)
    return distinct.pop() if len(distinct) == 1 else "offered"


def figures_by(
    meta: RunMeta,
    tallies: Tallies,
    keys: np.ndarray,
    key_count: int,
    definitions: Sequence[str],
) -> dict[str, np.ndarray]:
    """Summary figures (without occupancy) of the tally cells grouped into rows by ``keys``.

    Args:
        meta: The run description.
        tallies: One replication's tallies.
        keys: The row (0 to ``key_count − 1``) of every (interval, queue) cell,
            ``cell = interval · queues + queue``.
        key_count: Number of rows.
        definitions: The service-level definition of each row.

    Returns:
        Column name -> one value per row: :data:`SUMMARY_FIGURES` but
        ``occupancy``, the outcome count columns and, when a queue repeats,
        :data:`REPEAT_FIGURES`; as in :func:`replication_summary`.
    """
    return _cell_figures(meta, tallies, keys, key_count, definitions)
