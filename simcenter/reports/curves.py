"""Curves behind the plots: queue length over time and the waiting-time distribution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcenter.records import ReplicationRecord, RunMeta
from simcenter.reports._common import (
    bin_count,
    check_record,
    count_at_or_before,
    queue_names,
    ratio,
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
    check_record(meta, record)
    times = meta.warmup_s + step_s * np.arange(bin_count(meta.horizon_s, step_s))
    contacts = record.contacts
    waited = contacts["wait_s"] > 0
    queue = contacts["queue"][waited].astype(np.int64)
    arrival = contacts["arrival_s"][waited]
    queue_count = len(meta.queues)
    waiting = count_at_or_before(arrival, queue, queue_count, times) - count_at_or_before(
        arrival + contacts["wait_s"][waited], queue, queue_count, times
    )
    return pd.DataFrame(
        {
            "time_s": np.repeat(times, queue_count),
            "queue": queue_names(meta, np.tile(np.arange(queue_count), len(times))),
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
    check_record(meta, record)
    contacts = record.contacts
    queue = contacts["queue"].astype(np.int64)
    queue_count = len(meta.queues)
    within = count_at_or_before(contacts["wait_s"], queue, queue_count, wait_grid_s)
    offered = np.bincount(queue, minlength=queue_count)
    return pd.DataFrame(
        {
            "wait_s": np.repeat(wait_grid_s, queue_count),
            "queue": queue_names(meta, np.tile(np.arange(queue_count), len(wait_grid_s))),
            "fraction_within": ratio(within, offered[:, np.newaxis]).T.ravel(),
        }
    )
