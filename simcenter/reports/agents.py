"""Agent figures: per agent group, per group and reporting interval, and per agent.

Time on duty comes from the presence periods, busy time (talk + after-call
work) from the engine's busy area (per group, whole run) or from the contacts'
busy periods (per interval, per agent). All of it is clipped to
``[warmup_s, end_s]``; columns ending in ``_h`` are hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcenter.records import ReplicationRecord, RunMeta
from simcenter.reports._common import (
    SECONDS_PER_HOUR,
    agent_names,
    busy_periods,
    check_record,
    clipped_seconds,
    group_names,
    handled_mask,
    interval_edges,
    presence_seconds,
    ratio,
    seconds_per_bin,
)


def replication_agents(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Agent figures of one replication: one row per agent group.

    Columns: ``group``; ``staffed_h`` = on-duty time clipped to
    ``[warmup_s, end_s]`` (hours); ``busy_h`` = ``record.busy_area_s`` / 3600, the
    busy-agent count integrated by the engine over the same window (hours; talk
    and after-call work count as busy); ``occupancy`` = busy_h / staffed_h;
    ``contacts_handled`` = contacts whose handling by an agent of the group ended
    in the record (every answered contact, whatever its outcome, except those
    still in service at the end of the run); ``cost`` = staffed_h × cost_per_hour.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``len(meta.groups)`` rows.
    """
    check_record(meta, record)
    contacts = record.contacts
    staffed_h = presence_seconds(meta, record, "group") / SECONDS_PER_HOUR
    busy_h = np.asarray(record.busy_area_s, dtype=np.float64) / SECONDS_PER_HOUR
    group_count = len(meta.groups)
    handled = contacts["group"][handled_mask(contacts)].astype(np.int64)
    return pd.DataFrame(
        {
            "group": group_names(meta, np.arange(group_count)),
            "staffed_h": staffed_h,
            "busy_h": busy_h,
            "occupancy": ratio(busy_h, staffed_h),
            "contacts_handled": np.bincount(handled, minlength=group_count),
            "cost": staffed_h * np.asarray(meta.cost_per_hour, dtype=np.float64),
        }
    )


def replication_agent_details(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Agent figures of one replication: one row per agent, in agent order.

    Columns: ``agent``, ``group``; ``staffed_h`` = the agent's on-duty time
    clipped to ``[warmup_s, end_s]`` (hours); ``busy_h`` = the busy periods of
    the contacts it answered (talk + after-call work, see
    :func:`replication_agent_intervals`) clipped to the same window (hours);
    ``occupancy`` = busy_h / staffed_h; ``contacts_handled`` as in
    :func:`replication_agents`. The staffed hours of a group's agents add up to
    the group's; their busy hours can fall short of the group's engine-tracked
    busy hours by the busy time, after the warm-up, of contacts that arrived
    during it (those contacts are not in the record).

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``len(meta.agent_names)`` rows.
    """
    check_record(meta, record)
    contacts = record.contacts
    agent_count = len(meta.agent_names)
    served, start, end = busy_periods(contacts)
    busy_s = np.bincount(
        contacts["agent"][served].astype(np.int64),
        weights=clipped_seconds(start, end, meta.warmup_s, record.end_s),
        minlength=agent_count,
    )
    staffed_h = presence_seconds(meta, record, "agent") / SECONDS_PER_HOUR
    handled = contacts["agent"][handled_mask(contacts)].astype(np.int64)
    return pd.DataFrame(
        {
            "agent": agent_names(meta, np.arange(agent_count)),
            "group": group_names(meta, np.asarray(meta.agent_groups, dtype=np.int64)),
            "staffed_h": staffed_h,
            "busy_h": busy_s / SECONDS_PER_HOUR,
            "occupancy": ratio(busy_s / SECONDS_PER_HOUR, staffed_h),
            "contacts_handled": np.bincount(handled, minlength=agent_count),
        }
    )


def replication_agent_intervals(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Agent figures per reporting interval and group.

    Columns: ``interval``, ``start_s``, ``group``, ``agents_staffed`` (on-duty
    agent-seconds in the interval / interval length), ``busy_agents`` (busy
    agent-seconds / interval length) and ``occupancy`` (busy / on-duty time).
    A contact's busy period is ``[answered_s, answered_s + handle_s + wrap_s]``
    for every contact with an answer time, split across interval boundaries.
    Contacts that arrived during the warm-up are not in the record, so their
    busy time after the warm-up is missing from the first intervals (an edge
    effect of at most one handle time), and busy time after ``warmup + horizon``
    (a drain) is in no interval.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``intervals × len(meta.groups)`` rows, interval-major.
    """
    check_record(meta, record)
    edges = interval_edges(meta)
    staffed_s, busy_s = interval_agent_seconds(meta, record, edges)
    group_count, interval_count = staffed_s.shape
    lengths = np.diff(edges)
    return pd.DataFrame(
        {
            "interval": np.repeat(np.arange(interval_count), group_count),
            "start_s": np.repeat(edges[:-1], group_count),
            "group": group_names(meta, np.tile(np.arange(group_count), interval_count)),
            "agents_staffed": (staffed_s / lengths).T.ravel(),
            "busy_agents": (busy_s / lengths).T.ravel(),
            "occupancy": ratio(busy_s, staffed_s).T.ravel(),
        }
    )


def interval_agent_seconds(
    meta: RunMeta, record: ReplicationRecord, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """On-duty and busy agent-seconds per group (rows) and interval (columns)."""
    group_count = len(meta.groups)
    presence = record.presence
    staffed = seconds_per_bin(
        presence["start_s"], presence["end_s"], presence["group"], group_count, edges
    )
    contacts = record.contacts
    served, start, end = busy_periods(contacts)
    busy = seconds_per_bin(start, end, contacts["group"][served], group_count, edges)
    return staffed, busy
