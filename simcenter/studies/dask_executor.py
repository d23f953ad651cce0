"""The Dask executor: the tasks of a study on a Dask cluster.

Imported only when a study asks for ``executor="dask"``. Without an address,
a local cluster of single-threaded worker processes is started for the study
and closed after it; its workers die with this process, even when it is
killed (Dask's workers watch the process that started them).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator, Sequence

from distributed import Client, LocalCluster, as_completed

from simcenter.records import ReplicationRecord
from simcenter.studies.tasks import ExecutorError, Task, run_task

CONNECT_TIMEOUT = "10s"
"""How long to wait for the scheduler at a given address."""

DEFAULT_WORKERS = 2
"""Worker processes of the local cluster when ``jobs`` is not given."""

MAX_BATCH = 16
"""Most tasks sent to a worker as one Dask task."""

BATCHES_PER_WORKER = 8
"""Fewest batches per worker thread, so that the work stays balanced to the end."""


def iter_on_dask(
    tasks: Sequence[Task], address: str | None, jobs: int | None
) -> Iterator[tuple[int, ReplicationRecord]]:
    """Run the tasks on a Dask cluster; yield ``(index, record)`` as each finishes.

    Consecutive tasks travel in batches (:func:`batches`), so that the
    cluster's cost per task (a round trip to the scheduler, a few
    milliseconds) stays small against the work; records of a batch arrive
    together.

    Args:
        tasks: The replications to run.
        address: The scheduler's address, or None for a new local cluster.
        jobs: Worker processes of the local cluster (default 2); ignored with
            an address.
    """
    with _client(address, jobs) as client:
        workers = max(1, sum(client.nthreads().values()))
        starts = batches(len(tasks), workers)
        futures = [
            client.submit(run_batch, list(tasks[first:last]), pure=False)
            for first, last in zip(starts, [*starts[1:], len(tasks)], strict=True)
        ]
        first_index = {future.key: first for future, first in zip(futures, starts, strict=True)}
        try:
            # PERF: results come with the completions, not one round trip each (bench_sweep.py)
            for future, records in as_completed(futures, with_results=True):
                for offset, record in enumerate(records):
                    yield first_index[future.key] + offset, record
        except BaseException:  # including the iterator closed early
            client.cancel(futures)
            raise


def batches(count: int, workers: int) -> list[int]:
    """First task of each batch: at least 8 batches per worker, at most 16 tasks in one.

    >>> batches(400, 2)[:3], len(batches(400, 2)), batches(5, 2)
    ([0, 16, 32], 25, [0, 1, 2, 3, 4])
    """
    size = max(1, min(MAX_BATCH, count // (BATCHES_PER_WORKER * workers)))
    return list(range(0, count, size))


def run_batch(tasks: list[Task]) -> list[ReplicationRecord]:
    """Run a batch of tasks in a worker, in order."""
    return [run_task(task) for task in tasks]


@contextlib.contextmanager
def _client(address: str | None, jobs: int | None) -> Iterator[Client]:
    """A client of the cluster at ``address``, or of a new local cluster closed on exit."""
    if address is not None:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as error:
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {address} ({error}); "
                "check the address, or leave it out to start a local Dask cluster"
            ) from None
        with client:
            yield client
        return
    with warnings.catch_warnings():  # its status page moves to a free port: nothing to say
        warnings.filterwarnings("ignore", "Port .* is already in use", UserWarning)
        cluster = LocalCluster(
            n_workers=jobs or DEFAULT_WORKERS,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    with cluster, Client(cluster) as client:
        yield client
