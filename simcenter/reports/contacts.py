"""The contact log of one replication as a table, with names instead of codes."""

from __future__ import annotations

import pandas as pd

from simcenter.contact_log import contact_frame
from simcenter.records import ReplicationRecord, RunMeta


def replication_contacts(meta: RunMeta, record: ReplicationRecord) -> pd.DataFrame:
    """The in-memory contact log of one replication with names instead of codes.

    The columns are those of ``contacts.parquet``
    (:func:`simcenter.contact_log.contact_frame`).

    Args:
        meta: The run description.
        record: One replication, recorded with an in-memory contact log.

    Returns:
        A DataFrame with one row per contact, in record order.

    Raises:
        ValueError: If the record kept no in-memory contact log.
    """
    if record.contacts is None:
        raise ValueError(f"replication {record.replication} kept no in-memory contact log")
    return contact_frame(meta, record.replication, record.contacts)
