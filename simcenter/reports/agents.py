"""Agent figures: per agent group, per group and reporting interval, and per agent.

Time on duty and busy time (talk + after-call work) are tallied during the run
from the agents' on-duty periods and every contact's busy period, the
contacts of the warm-up included, within ``[warmup_s, end_s]``; per interval
within the horizon. Columns ending in ``_h`` are hours.

The words: **scheduled** = rostered by the plan (``count``, ``staffing``) or
by a shift occurrence; **present** = idle, busy, in wrap-up or on a break
(agents past their shift's end finishing a contact included); **overtime** =
present while not rostered; **absent** = missing a whole shift occurrence;
**in outage** = away in an outage. The agent cost (:func:`agent_cost`) is
present hours × ``cost_per_hour`` + overtime hours × ``cost_per_hour`` ×
(``overtime_factor`` − 1) + contacts handled × ``cost_per_contact``; the
queues' abandon cost is not in the agent tables.
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


def _per_group(values: tuple[float, ...], group_count: int, default: float) -> np.ndarray:
    """A per-group figure of the run description (``default`` when it is not given)."""
    if not values:
        return np.full(group_count, default)
    return np.asarray(values, dtype=np.float64)


def agent_cost(
    meta: RunMeta, present_h: np.ndarray, overtime_h: np.ndarray, handled: np.ndarray
) -> np.ndarray:
    """The agent cost: presence, overtime premium and per-contact bonus, per group (rows).

    ``present_h × cost_per_hour + overtime_h × cost_per_hour × (overtime_factor − 1)
    + handled × cost_per_contact``; the arrays have the groups on their first axis.
    """
    group_count = len(meta.groups)
    shape = (group_count,) + (1,) * (np.ndim(present_h) - 1)
    rate = np.asarray(meta.cost_per_hour, dtype=np.float64).reshape(shape)
    premium = (_per_group(meta.overtime_factor, group_count, 1.0) - 1.0).reshape(shape)
    bonus = _per_group(meta.cost_per_contact, group_count, 0.0).reshape(shape)
    return present_h * rate + overtime_h * rate * premium + handled * bonus


def replication_agents(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """Agent figures of one replication: one row per agent group.

    Columns: ``group``; ``staffed_h`` = on-duty time (idle, busy or in
    wrap-up) clipped to ``[warmup_s, end_s]`` (hours); ``busy_h`` = busy time
    (talk and after-call work) within the same window (hours), including the
    busy time after the warm-up of contacts that arrived during it;
    ``occupancy`` = busy_h / staffed_h; ``contacts_handled`` = contacts whose
    handling by an agent of the group ended in the run (every answered contact
    that arrived after the warm-up, whatever its outcome, except those still in
    service at the end of the run); ``cost`` = the agent cost
    (:func:`agent_cost`) of present_h and overtime_h; then ``scheduled_h``,
    ``on_break_h``, ``absent_h`` and ``in_outage_h`` (within the horizon after
    the warm-up), ``present_h`` = staffed_h + on_break_h, ``overtime_h``
    (within ``[warmup_s, end_s]``), ``breaks_delayed`` (breaks taken late
    because a contact was in hand, or not at all when it lasted to the
    shift's end), ``break_delay_s`` (their total delay, seconds) and
    ``cost_per_contact_handled`` = cost / contacts_handled.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``len(meta.groups)`` rows.
    """
    check_record(meta, record)
    tallies = record.tallies
    agents = tallies.agents
    staffed_h = agents.group_staffed_total_s / SECONDS_PER_HOUR
    busy_h = agents.group_busy_total_s / SECONDS_PER_HOUR
    on_break_h = agents.group_on_break_s.sum(axis=1) / SECONDS_PER_HOUR
    present_h = staffed_h + on_break_h
    overtime_h = agents.group_overtime_total_s / SECONDS_PER_HOUR
    group_count = len(meta.groups)
    owners = np.asarray(meta.agent_groups, dtype=np.int64)
    handled = sum_by(tallies.routing.agent_handled, owners, group_count)
    cost = agent_cost(meta, present_h, overtime_h, handled)
    return pd.DataFrame(
        {
            "group": group_names(meta, np.arange(group_count)),
            "staffed_h": staffed_h,
            "busy_h": busy_h,
            "occupancy": ratio(busy_h, staffed_h),
            "contacts_handled": handled,
            "cost": cost,
            "scheduled_h": agents.group_scheduled_s.sum(axis=1) / SECONDS_PER_HOUR,
            "present_h": present_h,
            "on_break_h": on_break_h,
            "absent_h": agents.group_absent_s.sum(axis=1) / SECONDS_PER_HOUR,
            "in_outage_h": agents.group_away_s.sum(axis=1) / SECONDS_PER_HOUR,
            "overtime_h": overtime_h,
            "breaks_delayed": agents.group_breaks_delayed,
            "break_delay_s": agents.group_break_delay_s,
            "cost_per_contact_handled": ratio(cost, handled),
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

    Columns: ``interval``, ``start_s``, ``group``, then time-average numbers
    of the group's agents in the interval (agent-seconds / interval length):
    ``scheduled`` (rostered by the plan or a shift occurrence, absent ones
    included), ``present`` (idle, busy, in wrap-up or on a break, overtime
    included), ``on_break``, ``absent`` (missing the whole shift occurrence),
    ``in_outage`` (away in an outage), ``busy`` (talk + after-call work); then
    ``overtime_h`` (agent-hours present while not rostered), ``occupancy`` =
    busy / (present − on_break), and ``cost``, the agent cost of the interval
    (:func:`agent_cost` of its present and overtime hours and of the contacts
    the group handled that arrived in it). A contact's busy period is
    ``[answered_s, answered_s + handle_s + wrap_s]`` (for a contact still in
    service when a ``stop`` run ends, until the end), split across interval
    boundaries when it is recorded; contacts that arrived during the warm-up
    count with their busy time after it. Time after ``warmup + horizon`` (a
    drain) is in no interval.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with ``intervals × len(meta.groups)`` rows, interval-major.
    """
    check_record(meta, record)
    tallies = record.tallies
    agents = tallies.agents
    edges = interval_edges(meta)
    staffed_s, busy_s = agents.group_staffed_s, agents.group_busy_s
    present_s = staffed_s + agents.group_on_break_s
    group_count, interval_count = staffed_s.shape
    lengths = np.diff(edges)
    cost = agent_cost(
        meta,
        present_s / SECONDS_PER_HOUR,
        agents.group_overtime_s / SECONDS_PER_HOUR,
        tallies.routing.group_interval_handled,
    )

    def per_row(values: np.ndarray) -> np.ndarray:
        return values.T.ravel()

    return pd.DataFrame(
        {
            "interval": np.repeat(np.arange(interval_count), group_count),
            "start_s": np.repeat(edges[:-1], group_count),
            "group": group_names(meta, np.tile(np.arange(group_count), interval_count)),
            "scheduled": per_row(agents.group_scheduled_s / lengths),
            "present": per_row(present_s / lengths),
            "on_break": per_row(agents.group_on_break_s / lengths),
            "absent": per_row(agents.group_absent_s / lengths),
            "in_outage": per_row(agents.group_away_s / lengths),
            "busy": per_row(busy_s / lengths),
            "overtime_h": per_row(agents.group_overtime_s / SECONDS_PER_HOUR),
            "occupancy": per_row(ratio(busy_s, staffed_s)),
            "cost": per_row(cost),
        }
    )
