"""Agent figures: per agent group, per group and reporting interval, and per agent.

Time on duty and busy time (talk + after-call work) are tallied during the run
from the agents' on-duty periods and every contact's busy period, the
contacts of the warm-up included, within ``[warmup_s, end_s]``; per interval
within the horizon. Columns ending in ``_h`` are hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcenter.records import ReplicationRecord, RunMeta
from simcenter.reports._common import (
    SECONDS_PER_HOUR,
    agent_names,
    check_record,
    group_names,
    interval_edges,
    ratio,
    sum_by,
)


def replication_agents(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Agent figures of one replication: one row per agent group.

    Columns: ``group``; ``staffed_h`` = on-duty time clipped to
    ``[warmup_s, end_s]`` (hours); ``busy_h`` = busy time (talk and after-call
    work) within the same window (hours), including the busy time after the
    warm-up of contacts that arrived during it; ``occupancy`` = busy_h /
    staffed_h; ``contacts_handled`` = contacts whose handling by an agent of the
    group ended in the run (every answered contact that arrived after the
    warm-up, whatever its outcome, except those still in service at the end of
    the run); ``cost`` = staffed_h × cost_per_hour.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``len(meta.groups)`` rows.
    """
    check_record(meta, record)
    tallies = record.tallies
    staffed_h = tallies.agents.group_staffed_total_s / SECONDS_PER_HOUR
    busy_h = tallies.agents.group_busy_total_s / SECONDS_PER_HOUR
    group_count = len(meta.groups)
    owners = np.asarray(meta.agent_groups, dtype=np.int64)
    return pd.DataFrame(
        {
            "group": group_names(meta, np.arange(group_count)),
            "staffed_h": staffed_h,
            "busy_h": busy_h,
            "occupancy": ratio(busy_h, staffed_h),
            "contacts_handled": sum_by(tallies.routing.agent_handled, owners, group_count),
            "cost": staffed_h * np.asarray(meta.cost_per_hour, dtype=np.float64),
        }
    )


def replication_agent_details(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Agent figures of one replication: one row per agent, in agent order.

    Columns: ``agent``, ``group``, ``staffed_h``, ``busy_h``, ``occupancy`` and
    ``contacts_handled``, defined as in :func:`replication_agents` for one
    agent. The figures of a group's agents add up to the group's.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``len(meta.agent_names)`` rows.
    """
    check_record(meta, record)
    tallies = record.tallies
    staffed_h = tallies.agents.agent_staffed_s / SECONDS_PER_HOUR
    busy_h = tallies.agents.agent_busy_s / SECONDS_PER_HOUR
    return pd.DataFrame(
        {
            "agent": agent_names(meta, np.arange(len(meta.agent_names))),
            "group": group_names(meta, np.asarray(meta.agent_groups, dtype=np.int64)),
            "staffed_h": staffed_h,
            "busy_h": busy_h,
            "occupancy": ratio(busy_h, staffed_h),
            "contacts_handled": tallies.routing.agent_handled,
        }
    )


def replication_agent_intervals(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Agent figures per reporting interval and group.

    Columns: ``interval``, ``start_s``, ``group``, ``agents_staffed`` (on-duty
    agent-seconds in the interval / interval length), ``busy_agents`` (busy
    agent-seconds / interval length) and ``occupancy`` (busy / on-duty time).
    A contact's busy period is ``[answered_s, answered_s + handle_s + wrap_s]``
    (for a contact still in service when a ``stop`` run ends, until the end),
    split across interval boundaries when it is recorded; contacts that
    arrived during the warm-up count with their busy time after it. Time after
    ``warmup + horizon`` (a drain) is in no interval.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``intervals × len(meta.groups)`` rows, interval-major.
    """
    check_record(meta, record)
    tallies = record.tallies
    edges = interval_edges(meta)
    staffed_s, busy_s = tallies.agents.group_staffed_s, tallies.agents.group_busy_s
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
