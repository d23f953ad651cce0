"""The contact log: one row per contact, with names instead of codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcenter.records import OUTCOMES, ReplicationRecord, RunMeta
from simcenter.reports._common import agent_names, check_record, group_names


def replication_contacts(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """The contact log of one replication with names instead of codes.

    Columns: ``replication, contact_id, customer_id, queue, channel, arrival_s,
    answered_s, end_s, wait_s, handle_s, outcome, agent, group, attempt``, then
    ``linked_id`` (the contact this one continues, -1 if none),
    ``previous_agent`` (the agent of the customer's previous contact, for
    repeat contacts) and ``skill_set`` (the answering agent's rotation
    skill set, -1 if none). ``queue``, ``channel``, ``outcome``, ``agent``,
    ``group`` and ``previous_agent`` are categoricals; agents and groups are
    missing when there is none.

    Args:
        meta: The run description.
        record: One replication.

    Returns:
        A DataFrame with one row per contact, in record order.
    """
    check_record(meta, record)
    contacts = record.contacts
    channels = list(dict.fromkeys(meta.channels))
    channel_of_queue = np.array([channels.index(channel) for channel in meta.channels])
    queue = contacts["queue"].astype(np.int64)
    return pd.DataFrame(
        {
            "replication": np.full(len(queue), record.replication, dtype=np.int64),
            "contact_id": contacts["contact_id"],
            "customer_id": contacts["customer_id"],
            "queue": pd.Categorical.from_codes(queue, categories=list(meta.queues)),
            "channel": pd.Categorical.from_codes(channel_of_queue[queue], categories=channels),
            **{name: contacts[name] for name in ("arrival_s", "answered_s", "end_s")},
            **{name: contacts[name] for name in ("wait_s", "handle_s")},
            "outcome": pd.Categorical.from_codes(contacts["outcome"], categories=list(OUTCOMES)),
            "agent": agent_names(meta, contacts["agent"]),
            "group": group_names(meta, contacts["group"]),
            "attempt": contacts["attempt"],
            "linked_id": contacts["linked_id"],
            "previous_agent": agent_names(meta, contacts["previous_agent"]),
            "skill_set": contacts["skill_set"],
        }
    )
