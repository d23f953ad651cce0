"""The optional per-contact log: kept in memory, or streamed to Parquet in row groups.

The recorder hands each reduced chunk of contacts (numpy columns by name,
:data:`~simcenter.records.CONTACT_COLUMNS`) to a sink: :class:`MemoryLog`
keeps them (for tests and callers of ``run_replication``), :class:`ParquetLog`
writes them as one row group of a Parquet file and forgets them, so the log
never sits whole in memory. :class:`SpooledLog` is the finished log of a run:
one Parquet file in a temporary folder, read on demand and placed into an
output folder by ``Results.save``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simcenter.records import CONTACT_COLUMNS, OUTCOMES, RunMeta

LOG_FILE = "contacts.parquet"
"""Name of the contact log in an output folder."""

NONE = -1
"""The engine's code for "none" in the integer columns of :data:`CONTACT_COLUMNS`
(no agent, no group, no link, no skill set); the log shows it as a missing value."""


class MemoryLog:
    """Keeps every chunk of the contact log in memory."""

    def __init__(self) -> None:
        """An empty log."""
        self._chunks: list[dict[str, np.ndarray]] = []

    def write(self, columns: dict[str, np.ndarray]) -> None:
        """Keep one chunk of contacts (columns by name)."""
        self._chunks.append({name: columns[name].copy() for name in CONTACT_COLUMNS})

    def close(self) -> dict[str, np.ndarray]:
        """The whole log, as numpy columns by name."""
        if not self._chunks:
            return {name: np.empty(0, dtype=dtype) for name, dtype in CONTACT_COLUMNS.items()}
        return {
            name: np.concatenate([chunk[name] for chunk in self._chunks])
            for name in CONTACT_COLUMNS
        }


class ParquetLog:
    """Writes the contact log of one replication to a Parquet file, one row group a chunk.

    Args:
        path: The file to write.
        meta: The run description (names of queues, agents, groups).
        replication: Replication number (the ``replication`` column).
    """

    def __init__(self, path: Path, meta: RunMeta, replication: int) -> None:
        self.path = path
        self._meta = meta
        self._replication = replication
        self._schema = log_schema(meta)
        self._writer = pq.ParquetWriter(path, self._schema)

    def write(self, columns: dict[str, np.ndarray]) -> None:
        """Write one chunk of contacts (columns by name) as a row group."""
        frame = contact_frame(self._meta, self._replication, columns)
        self._writer.write_table(
            pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
        )

    def close(self) -> None:
        """Finish the file."""
        self._writer.close()


def contact_frame(meta: RunMeta, replication: int, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Contacts (numpy columns by name) as rows of ``contacts.parquet``, with names for codes.

    Columns: ``replication, contact_id, customer_id, queue, channel, arrival_s,
    answered_s, end_s, wait_s, handle_s, outcome, agent, group, attempt``, then
    ``linked_id`` (the contact this one continues), ``previous_agent`` (the
    agent of the customer's previous contact, for repeat contacts) and
    ``skill_set`` (the answering agent's rotation skill set). ``queue``,
    ``channel``, ``outcome``, ``agent``, ``group`` and ``previous_agent`` are
    categoricals; ``linked_id`` and ``skill_set`` are nullable integers
    (``Int64``, ``Int16``). Where the engine's columns hold :data:`NONE` (no
    agent, no link, no skill set), the frame holds a missing value, and the
    Parquet file a null.
    """
    channels = list(dict.fromkeys(meta.channels))
    channel_of_queue = np.array([channels.index(channel) for channel in meta.channels])
    queue = columns["queue"].astype(np.int64)
    return pd.DataFrame(
        {
            "replication": np.full(len(queue), replication, dtype=np.int64),
            "contact_id": columns["contact_id"],
            "customer_id": columns["customer_id"],
            "queue": pd.Categorical.from_codes(queue, categories=list(meta.queues)),
            "channel": pd.Categorical.from_codes(channel_of_queue[queue], categories=channels),
            **{name: columns[name] for name in ("arrival_s", "answered_s", "end_s")},
            **{name: columns[name] for name in ("wait_s", "handle_s")},
            "outcome": pd.Categorical.from_codes(columns["outcome"], categories=list(OUTCOMES)),
            "agent": _names(meta.agent_names, columns["agent"]),
            "group": _names(meta.groups, columns["group"]),
            "attempt": columns["attempt"],
            "linked_id": _missing_where_none(columns["linked_id"]),
            "previous_agent": _names(meta.agent_names, columns["previous_agent"]),
            "skill_set": _missing_where_none(columns["skill_set"]),
        }
    )


def log_schema(meta: RunMeta) -> pa.Schema:
    """The Arrow schema of ``contacts.parquet`` for this run (the same for every row group)."""
    empty = {name: np.empty(0, dtype=dtype) for name, dtype in CONTACT_COLUMNS.items()}
    schema = pa.Schema.from_pandas(contact_frame(meta, 0, empty), preserve_index=False)
    for index, field in enumerate(schema):
        if pa.types.is_dictionary(field.type):  # names as plain strings, as Parquet reads them
            plain = pa.dictionary(field.type.index_type, pa.string())
            schema = schema.set(index, field.with_type(plain))
    return schema


def _names(names: Sequence[str], codes: np.ndarray) -> pd.Categorical:
    """Codes as names; :data:`NONE` becomes a missing value (NaN)."""
    return pd.Categorical.from_codes(codes, categories=list(names))


def _missing_where_none(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Integers as a nullable integer array of the same width; :data:`NONE` becomes ``<NA>``."""
    return pd.arrays.IntegerArray(values, values == NONE)


class SpooledLog:
    """The finished contact log of a run: one Parquet file in a temporary folder of its own.

    The folder is deleted when this object is garbage-collected (or at exit).

    Args:
        folder: The temporary folder, owned from now on.
        path: The Parquet file inside it.
    """

    def __init__(self, folder: Path, path: Path) -> None:
        self.folder = folder
        self.path = path
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)

    def read(self) -> pd.DataFrame:
        """The whole log as a DataFrame (it is read from disk every time)."""
        return pd.read_parquet(self.path)

    def place(self, directory: Path) -> None:
        """Put the log into ``directory`` as ``contacts.parquet`` (a hard link, else a copy)."""
        target = directory / LOG_FILE
        try:
            os.link(self.path, target)
        except OSError:
            shutil.copyfile(self.path, target)


def spool_folder() -> Path:
    """A new temporary folder for the contact logs of one run."""
    return Path(tempfile.mkdtemp(prefix="simcenter-contacts-"))


def replication_path(folder: Path, replication: int) -> Path:
    """Where replication ``replication`` streams its contact log inside ``folder``."""
    return folder / f"replication-{replication:06d}.parquet"


def merge(meta: RunMeta, folder: Path, parts: Sequence[Path]) -> SpooledLog:
    """Join the replications' logs, in the given order, into one file in ``folder``.

    Row groups are copied one at a time, so memory holds one row group at most;
    each part is deleted once copied.
    """
    path = folder / LOG_FILE
    if len(parts) == 1:
        parts[0].rename(path)
        return SpooledLog(folder, path)
    with pq.ParquetWriter(path, log_schema(meta)) as writer:
        for part in parts:
            source = pq.ParquetFile(part)
            for group in range(source.num_row_groups):
                writer.write_table(source.read_row_group(group))
            source.close()
            part.unlink()
    return SpooledLog(folder, path)


def spool_memory_logs(
    meta: RunMeta, logs: Sequence[tuple[int, dict[str, np.ndarray]]]
) -> SpooledLog:
    """Write in-memory logs ``(replication, columns)`` to a new spooled log, in order."""
    folder = spool_folder()
    path = folder / LOG_FILE
    schema = log_schema(meta)
    with pq.ParquetWriter(path, schema) as writer:
        for replication, columns in logs:
            frame = contact_frame(meta, replication, columns)
            writer.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
    return SpooledLog(folder, path)
