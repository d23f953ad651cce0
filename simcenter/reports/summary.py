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

from simcenter.records import OUTCOME_CODE, OUTCOMES, ReplicationRecord, RunMeta
from simcenter.reports._common import (
    ABANDONED,
    ANSWERED,
    calendar_starts,
    check_record,
    handled_mask,
    has_repeats,
    interval_edges,
    interval_of,
    presence_seconds,
    queue_names,
    ratio,
)
from simcenter.reports.agents import interval_agent_seconds

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
    """Summary figures of one replication: one row per queue, then ``ALL``.

    Columns: ``queue``, then :data:`SUMMARY_FIGURES`, then one count column per
    outcome of ``meta.outcomes`` other than answered and abandoned, then
    :data:`REPEAT_FIGURES` when a queue has repeat contacts. Definitions
    (docs/outputs.md): offered = every contact of the queue = the sum of all
    outcome counts; service level follows the queue's ``sl_definition``; wait
    statistics cover all offered contacts; ``asa_s`` and ``aht_s`` (mean talk +
    after-call work) cover contacts with outcome answered; ``occupancy`` is NaN
    on queue rows and, on ``ALL``, busy time / present time of all agents over
    ``[warmup_s, end_s]``. A figure whose denominator is 0 is NaN.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``len(meta.queues) + 1`` rows.
    """
    check_record(meta, record)
    contacts = record.contacts
    queue = contacts["queue"].astype(np.int64)
    queue_count = len(meta.queues)
    per_queue = _contact_figures(meta, contacts, queue, queue_count, meta.sl_definition)
    overall = _contact_figures(
        meta, contacts, np.zeros_like(queue), 1, (_overall_definition(meta),)
    )
    staffed_s = presence_seconds(meta, record, "group")
    occupancy = np.append(
        np.full(queue_count, np.nan), ratio(np.sum(record.busy_area_s), np.sum(staffed_s))
    )
    figures = {name: np.concatenate([per_queue[name], overall[name]]) for name in per_queue}
    frame = pd.DataFrame({"queue": queue_names(meta, np.arange(queue_count + 1)), **figures})
    frame.insert(frame.columns.get_loc("aht_s") + 1, "occupancy", occupancy)
    return frame


def replication_intervals(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Summary figures per reporting interval and queue, plus an ``ALL`` row per interval.

    Interval ``k`` covers ``[warmup + k·interval, warmup + (k+1)·interval)``,
    the last one cut at ``warmup + horizon``; a contact belongs to the interval of
    its arrival. Columns: ``interval`` (k), ``start`` (ISO calendar time),
    ``start_s``, ``queue``, the summary figures without ``occupancy``, the outcome
    count columns, the repeat-contact columns (when a queue repeats), then
    ``agents_staffed`` (time-average number of agents on duty, all groups) and
    ``occupancy`` (busy / present time in the interval, all groups); those two
    are NaN on queue rows. Interval busy time comes from the contacts' busy
    periods (see :func:`~simcenter.reports.replication_agent_intervals`).

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``intervals × (len(meta.queues) + 1)`` rows, interval-major.
    """
    check_record(meta, record)
    edges = interval_edges(meta)
    interval_count = len(edges) - 1
    queue_count = len(meta.queues)
    contacts = record.contacts
    interval = interval_of(contacts["arrival_s"], edges)
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
    staffed_s, busy_s = interval_agent_seconds(meta, record, edges)
    levels = {
        "agents_staffed": staffed_s.sum(axis=0) / np.diff(edges),
        "occupancy": ratio(busy_s.sum(axis=0), staffed_s.sum(axis=0)),
    }
    queue_rows = _interval_frame(
        meta, edges, np.arange(queue_count), per_queue, dict.fromkeys(levels, np.nan)
    )
    all_rows = _interval_frame(meta, edges, np.array([queue_count]), overall, levels)
    stacked = pd.concat([queue_rows, all_rows], ignore_index=True)
    return stacked.sort_values("interval", kind="stable", ignore_index=True)


def outcome_count_columns(meta: RunMeta) -> list[str]:
    """Outcome count columns of the summary: ``meta.outcomes`` not already figures."""
    return [name for name in meta.outcomes if name not in SUMMARY_FIGURES]


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
    if has_repeats(meta):
        extra |= _repeat_figures(meta, contacts, keys, key_count)
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
    answered = outcome == ANSWERED
    abandoned = outcome == ABANDONED
    figures = {
        "offered": np.bincount(keys, minlength=key_count),
        "answered": np.bincount(keys[answered], minlength=key_count),
        "abandoned": np.bincount(keys[abandoned], minlength=key_count),
        "answered_in_target": np.bincount(keys[answered & in_target], minlength=key_count),
        "abandoned_in_target": np.bincount(keys[abandoned & in_target], minlength=key_count),
    }
    figures["abandon_rate"] = ratio(figures["abandoned"], figures["offered"])
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
    return ratio(counts["answered_in_target"], denominator)


def _time_figures(
    contacts: dict[str, np.ndarray],
    keys: np.ndarray,
    key_count: int,
    offered: np.ndarray,
    answered_count: np.ndarray,
) -> dict[str, np.ndarray]:
    """ASA, mean wait, wait percentiles and maximum, and AHT (seconds)."""
    wait = contacts["wait_s"]
    answered = contacts["outcome"] == ANSWERED
    work = contacts["handle_s"][answered] + contacts["wrap_s"][answered]
    wait_answered = np.bincount(keys[answered], weights=wait[answered], minlength=key_count)
    return {
        "asa_s": ratio(wait_answered, answered_count),
        "mean_wait_s": ratio(np.bincount(keys, weights=wait, minlength=key_count), offered),
        **_wait_order_statistics(wait, keys, key_count),
        "aht_s": ratio(
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


def _repeat_figures(
    meta: RunMeta, contacts: dict[str, np.ndarray], keys: np.ndarray, key_count: int
) -> dict[str, np.ndarray]:
    """Repeat contacts an agent handled, the share their previous agent took, handover cost.

    A repeat contact has a ``previous_agent``. Answered by another agent, its
    talk time was multiplied by its queue's handover factor f, so
    ``handle_s · (1 − 1/f)`` seconds of it are the handover cost.
    """
    repeat = handled_mask(contacts) & (contacts["previous_agent"] >= 0)
    same = repeat & (contacts["agent"] == contacts["previous_agent"])
    changed = repeat & ~same
    factor = np.asarray(meta.handover_factor, dtype=np.float64)[contacts["queue"][changed]]
    extra = contacts["handle_s"][changed] * (1.0 - 1.0 / factor)
    repeat_count = np.bincount(keys[repeat], minlength=key_count)
    return {
        "repeat_contacts": repeat_count,
        "same_agent_share": ratio(np.bincount(keys[same], minlength=key_count), repeat_count),
        "handover_extra_s": ratio(
            np.bincount(keys[changed], weights=extra, minlength=key_count),
            np.bincount(keys[changed], minlength=key_count),
        ),
    }


def _overall_definition(meta: RunMeta) -> str:
    """Service-level definition of ``ALL`` rows: the queues' common one, else ``offered``."""
    definitions = set(meta.sl_definition)
    return definitions.pop() if len(definitions) == 1 else "offered"


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
    starts = np.asarray(calendar_starts(meta, edges[:-1]))
    return pd.DataFrame(
        {
            "interval": interval,
            "start": starts[interval],
            "start_s": edges[:-1][interval],
            "queue": queue_names(meta, np.tile(queues, interval_count)),
            **figures,
            **{
                name: np.asarray(value)[interval] if np.ndim(value) else value
                for name, value in levels.items()
            },
        }
    )
