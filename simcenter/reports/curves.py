"""Curves behind the plots: queue length over time and the waiting-time distribution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcenter import histogram
from simcenter.bins import grid_edges
from simcenter.records import ReplicationRecord, RunMeta
from simcenter.reports._common import (
    check_record,
    offered_per_cell,
    queue_names,
    ratio,
    sum_by,
)


def queue_length(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Time-average number of contacts waiting in each queue, per step of the recorded grid.

    A contact waits over ``[queued, queued + wait_s)``, from when it joined its
    queue (its arrival, or the end of its IVR); contacts answered
    at once (``wait_s == 0``) never wait. The grid's steps start at
    ``warmup_s`` and are ``record.tallies.queues.queue_length_step_s`` long (the last
    one cut at ``warmup_s + horizon_s``); ``time_s`` is the start of a step and
    ``waiting`` the contact-seconds of waiting in it / its length. Contacts that
    arrived during the warm-up count with their waiting after it.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with columns ``time_s``, ``queue`` and ``waiting``, time-major.
    """
    check_record(meta, record)
    tallies = record.tallies
    edges = grid_edges(meta, tallies.queues.queue_length_step_s)
    times = edges[:-1]
    queue_count = len(meta.queues)
    waiting = tallies.queues.waiting_s / np.diff(edges)
    return pd.DataFrame(
        {
            "time_s": np.repeat(times, queue_count),
            "queue": queue_names(meta, np.tile(np.arange(queue_count), len(times))),
            "waiting": waiting.T.ravel(),
        }
    )


def longest_wait_s(record: ReplicationRecord) -> float:
    """The longest wait (seconds) of any contact of the record; 0 without contacts."""
    return float(np.max(record.tallies.contacts.max_wait_s, initial=0.0))


def wait_distribution(
    meta: RunMeta, record: ReplicationRecord, wait_grid_s: np.ndarray
) -> pd.DataFrame:
    """Distribution function of the wait of each queue's offered contacts, from the histogram.

    ``fraction_within`` at ``wait_s`` is the fraction of offered contacts in
    histogram bins that end at or before ``wait_s`` (1 from the queue's longest
    wait on): exact at bin edges (0 s, every second up to 50 s, then 2 % apart),
    in between low by at most the fraction of contacts in the bin holding
    ``wait_s`` (:mod:`simcenter.histogram`).

    Args:
        meta: The run description.
        record: One replication.
        wait_grid_s: Increasing waits (seconds) at which to evaluate it.

    Returns:
        A DataFrame with columns ``wait_s``, ``queue`` and ``fraction_within``
        (NaN for a queue without contacts), wait-major.
    """
    check_record(meta, record)
    tallies = record.tallies
    queue_count = len(meta.queues)
    queue_of_cell = np.arange(len(tallies.contacts.max_wait_s)) % queue_count
    cells, bins, counts = histogram.regroup(
        tallies.contacts.wait_cells,
        tallies.contacts.wait_bins,
        tallies.contacts.wait_counts,
        queue_of_cell[tallies.contacts.wait_cells],
    )
    within = histogram.fraction_within(cells, bins, counts, queue_count, wait_grid_s)
    offered = sum_by(offered_per_cell(record), queue_of_cell, queue_count)
    longest = np.full(queue_count, -np.inf)
    np.maximum.at(longest, queue_of_cell, tallies.contacts.max_wait_s)
    within = np.where(
        wait_grid_s[np.newaxis, :] >= longest[:, np.newaxis], offered[:, np.newaxis], within
    )
    return pd.DataFrame(
        {
            "wait_s": np.repeat(wait_grid_s, queue_count),
            "queue": queue_names(meta, np.tile(np.arange(queue_count), len(wait_grid_s))),
            "fraction_within": ratio(within, offered[:, np.newaxis]).T.ravel(),
        }
    )
