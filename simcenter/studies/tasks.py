"""A task of a study: one replication of one scenario, and how a worker runs it.

Kept apart from the runner so that the executors (the local pool in
:mod:`simcenter.studies.runner`, the Dask cluster in
:mod:`simcenter.studies.dask_executor`) share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simcenter.engine import run_replication
from simcenter.errors import SimcenterError
from simcenter.records import ReplicationRecord
from simcenter.scenario import Scenario


class ExecutorError(SimcenterError, ValueError):
    """An executor cannot be used as asked (exit code 2).

    For instance an unknown executor, an unreachable Dask scheduler, or a
    contact log asked of Dask.
    """


@dataclass(frozen=True)
class Task:
    """One replication of one scenario.

    Attributes:
        scenario: The validated scenario.
        replication: Replication number, from 0; with the seed it selects the
            random streams, so the same task always gives the same record.
        seed: Base seed.
        contact_log: A Parquet file to stream the contact log to, or None to
            keep no per-contact data (local executor only).
    """

    scenario: Scenario
    replication: int
    seed: int
    contact_log: Path | None = None


def run_task(task: Task) -> ReplicationRecord:
    """Run one task (in a worker): the replication's record, tallies only."""
    return run_replication(task.scenario, task.replication, task.seed, task.contact_log)
