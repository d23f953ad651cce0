"""Reports: the summary, interval, agent, routing and contact tables of one replication.

This package owns the definitions of every reported figure
(docs/outputs.md). Each ``replication_*`` function turns the tallies of one
:class:`~simcenter.records.ReplicationRecord` into a pandas DataFrame with
numpy array arithmetic; nothing loops over contacts, and no table needs the
contact log. :func:`combine` averages
the tables of several replications and adds Student-t confidence half-widths.

All times are simulation seconds (time 0 is the scenario ``start``) unless a
column name says hours (``_h``). Only contacts that arrived at or after the
warm-up are counted as contacts, and agent time is clipped to ``[warmup_s, end_s]``.

The per-queue tables (summary, intervals, days, customers) have one row per
queue, then, when the queues use several channels, a total row per channel
(``ALL voice``, ``ALL video``) and a ``channel`` column, then ``ALL``;
:func:`is_total` and :func:`queue_rows` tell the total rows from the queues.

Modules: ``summary`` (queue figures, overall and per interval), ``agents``
(per group, per group and interval, per agent), ``customers`` (per queue of the
customers' first contacts, over all their attempts), ``daily`` (the calendar days of the
intervals, queue figures per day), ``agent_days`` (agent figures per day and
group), ``routing`` (per group and queue), ``curves`` (queue length, wait
distribution), ``contacts`` (the contact log) and ``confidence`` (combining
replications).
"""

from simcenter.reports._common import (
    ALL,
    CHANNEL,
    TOTAL_ROWS,
    channel_rows,
    has_channel_rows,
    is_total,
    queue_rows,
    row_channels,
    row_keys,
    row_names,
    row_queues,
    with_totals,
)
from simcenter.reports.agent_days import AGENT_DAY_FIGURES, agent_days
from simcenter.reports.agent_days import INPUTS as AGENT_DAY_INPUTS
from simcenter.reports.agents import (
    replication_agent_details,
    replication_agent_intervals,
    replication_agents,
)
from simcenter.reports.confidence import combine
from simcenter.reports.contacts import replication_contacts
from simcenter.reports.curves import longest_wait_s, queue_length, wait_distribution
from simcenter.reports.customers import replication_customers
from simcenter.reports.daily import DAILY_KEYS, DAY_COLUMNS, Days, interval_days, replication_daily
from simcenter.reports.routing import replication_routing
from simcenter.reports.summary import (
    REPEAT_FIGURES,
    SERVICE_LEVEL_DEFINITIONS,
    SUMMARY_FIGURES,
    outcome_count_columns,
    replication_intervals,
    replication_summary,
)

__all__ = [
    "AGENT_DAY_FIGURES",
    "AGENT_DAY_INPUTS",
    "ALL",
    "CHANNEL",
    "DAILY_KEYS",
    "DAY_COLUMNS",
    "REPEAT_FIGURES",
    "SERVICE_LEVEL_DEFINITIONS",
    "SUMMARY_FIGURES",
    "TOTAL_ROWS",
    "Days",
    "agent_days",
    "channel_rows",
    "combine",
    "has_channel_rows",
    "interval_days",
    "is_total",
    "longest_wait_s",
    "outcome_count_columns",
    "queue_length",
    "queue_rows",
    "replication_agent_details",
    "replication_agent_intervals",
    "replication_agents",
    "replication_contacts",
    "replication_customers",
    "replication_daily",
    "replication_intervals",
    "replication_routing",
    "replication_summary",
    "row_channels",
    "row_keys",
    "row_names",
    "row_queues",
    "wait_distribution",
    "with_totals",
]
