"""The Dask executor: the tasks of a study on a Dask cluster.

Imported only when a study asks for ``executor="dask"``. Without an address,
a local cluster of single-threaded worker processes is started for the study
and closed after it; its workers die with this process.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator, Sequence

from distributed import Client, LocalCluster, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from simcenter.records import ReplicationRecord
from simcenter.stops import die_with_parent
from simcenter.studies.runner import ExecutorError, Task, run_task

CONNECT_TIMEOUT = "10s"
"""How long to wait for the scheduler at a given address."""

DEFAULT_WORKERS = 2
"""Worker processes of the local cluster when ``jobs`` is not given."""


def iter_on_dask(
    tasks: Sequence[Task], address: str | None, jobs: int | None
) -> Iterator[tuple[int, ReplicationRecord]]:
    """Run the tasks on a Dask cluster; yield ``(index, record)`` as each finishes.

    Args:
        tasks: The replications to run.
        address: The scheduler's address, or None for a new local cluster.
        jobs: Worker processes of the local cluster (default 2); ignored with
            an address.
    """
    with _client(address, jobs) as client:
        futures = client.map(run_task, list(tasks), pure=False)
        index = {future.key: number for number, future in enumerate(futures)}
        try:
            for future in as_completed(futures):
                yield index[future.key], future.result()
        except BaseException:  # including the iterator closed early
            client.cancel(futures)
            raise


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
        client.register_plugin(DieWithParent())
        yield client


class DieWithParent(WorkerPlugin):
    """Worker plugin: a local cluster's workers die with the process that started them."""

    name = "simcenter-die-with-parent"

    def setup(self, worker: object) -> None:
        """Ask the kernel to kill this worker process when its parent ends (Linux)."""
        die_with_parent()
