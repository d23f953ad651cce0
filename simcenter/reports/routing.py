"""Routing figures: the work each agent group did for each queue."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcenter.records import ReplicationRecord, RunMeta
from simcenter.reports._common import (
    SECONDS_PER_HOUR,
    check_record,
    group_names,
    ratio,
)


def replication_routing(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Contacts handled and work done per agent group and queue in one replication.

    One row per group × queue pair, group-major, queues in scenario order,
    including pairs without contacts (:class:`~simcenter.results.Results` keeps
    the pairs served in some replication). A contact counts for the group of
    the agent who answered it and for its own queue when the agent finished
    talking to it in the run: outcome ``answered``, or ``transferred`` after
    talk (its next leg counts for the queue it went to). Columns: ``group``,
    ``queue``, ``handled`` (contacts), ``talk_h`` (their talk time, hours),
    ``busy_h`` (talk + after-call work, hours, whole contacts, not clipped) and
    ``aht_s`` (busy time per handled contact, seconds; NaN without contacts).

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``len(meta.groups) × len(meta.queues)`` rows.
    """
    check_record(meta, record)
    tallies = record.tallies
    queue_count = len(meta.queues)
    size = len(meta.groups) * queue_count
    count = tallies.routing.handled
    talk_s = tallies.routing.talk_s
    busy_s = talk_s + tallies.routing.wrap_s
    return pd.DataFrame(
        {
            "group": group_names(meta, np.arange(size) // queue_count),
            "queue": pd.Categorical.from_codes(
                np.arange(size) % queue_count, categories=list(meta.queues)
            ),
            "handled": count,
            "talk_h": talk_s / SECONDS_PER_HOUR,
            "busy_h": busy_s / SECONDS_PER_HOUR,
            "aht_s": ratio(busy_s, count),
        }
    )
