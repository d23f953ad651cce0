"""The study runner: replications of any scenarios, as tasks of one executor.

Every study (the replications of a run, the points of a sweep, the
candidates of a staffing search) is a list of :class:`Task`: a scenario, a
replication number and a base seed, which together fix every random stream
of the replication before any work is dispatched. :func:`run_replications`
runs them on a local process pool (the default) or on a Dask cluster and
returns the records in task order, whatever finishes first, so the results
are identical for any executor and any number of workers.

Workers reduce their replication to its tallies and send back only the
:class:`~simcenter.records.ReplicationRecord` (a few arrays of counts and
sums per interval and queue), never per-contact data, unless a task asks for
its contact log to be streamed to a file (local executor only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import as_completed

from simcenter.records import ReplicationRecord
from simcenter.stops import capped_jobs, worker_pool
from simcenter.studies.tasks import ExecutorError, Task, run_task

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` each time a task finishes."""

EXECUTORS = ("local", "dask")
"""The executors: ``local`` (a process pool on this machine) and ``dask`` (a Dask cluster)."""


def run_replications(
    tasks: Sequence[Task],
    *,
    executor: str = "local",
    address: str | None = None,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
) -> list[ReplicationRecord]:
    """Run every task and return their records in task order.

    Args:
        tasks: The replications to run.
        executor: ``"local"``: a process pool on this machine, with ``jobs``
            workers (None: one per core; at most one per core); ``jobs=1``
            runs in this process. ``"dask"``: the Dask cluster whose scheduler
            is at ``address``, or, without an address, a local Dask cluster
            of ``jobs`` (default 2) single-threaded worker processes.
        address: Scheduler address of a Dask cluster (``tcp://host:8786``);
            only with ``executor="dask"``.
        jobs: Number of workers (see ``executor``); ignored with an address.
        progress: Optional callback ``progress(done, total)``.

    Returns:
        One record per task, ``records[i]`` from ``tasks[i]``.

    Raises:
        ExecutorError: Unknown executor, an address without ``dask``, a
            contact log asked of Dask, or an unreachable scheduler.
    """
    records: list[ReplicationRecord | None] = [None] * len(tasks)
    finished = iter_replications(tasks, executor=executor, address=address, jobs=jobs)
    for done, (index, record) in enumerate(finished, start=1):
        records[index] = record
        if progress:
            progress(done, len(tasks))
    return records  # type: ignore[return-value]  (every slot is filled)


def iter_replications(
    tasks: Sequence[Task],
    *,
    executor: str = "local",
    address: str | None = None,
    jobs: int | None = None,
) -> Iterator[tuple[int, ReplicationRecord]]:
    """Run every task and yield ``(index in tasks, record)`` as each one finishes.

    The order in which tasks finish depends on the workers; each record is
    the same whatever the order. Closing the iterator early stops the
    remaining work. Arguments as :func:`run_replications`.

    Raises:
        ExecutorError: As :func:`run_replications`.
    """
    _check(tasks, executor, address)
    if not tasks:
        return iter(())
    if executor == "dask":
        from simcenter.studies.dask_executor import iter_on_dask  # imports Dask only when used

        return iter_on_dask(tasks, address, jobs)
    return _iter_locally(tasks, jobs)


def _check(tasks: Sequence[Task], executor: str, address: str | None) -> None:
    if executor not in EXECUTORS:
        raise ExecutorError(f'executor: must be "local" or "dask" (got "{executor}")')
    if address is not None and executor != "dask":
        raise ExecutorError("address: a scheduler address needs the dask executor")
    if executor == "dask" and any(task.contact_log is not None for task in tasks):
        raise ExecutorError(
            "the dask executor keeps no per-contact log (its workers may be on other "
            "machines): run without the contact log (keep_contacts=False, --no-contacts)"
        )


def _iter_locally(
    tasks: Sequence[Task], jobs: int | None
) -> Iterator[tuple[int, ReplicationRecord]]:
    """Run the tasks in this process (one worker) or on a pool of worker processes."""
    workers = min(len(tasks), capped_jobs(jobs))
    if workers <= 1:
        for index, task in enumerate(tasks):
            yield index, run_task(task)
        return
    with worker_pool(workers) as pool:
        futures = {pool.submit(run_task, task): index for index, task in enumerate(tasks)}
        for future in as_completed(futures):
            yield futures[future], future.result()  # a failed task stops the study at once
