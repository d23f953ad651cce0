"""Experiments: replications of a scenario, run by the study runner.

Every replication's random streams are fixed by ``(seed, replication)``
before any work is dispatched, and results are merged in replication order,
so the results are identical whatever the executor and the number of jobs
(:mod:`simcenter.studies.runner`). Workers send back tallies, never
per-contact columns: with the contact log on (local executor only), each
replication streams its log to a Parquet file of its own in a temporary
folder, and the files are joined in replication order.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simcenter import contact_log, workload
from simcenter.arguments import check_flag, check_run
from simcenter.records import run_meta
from simcenter.results import Results
from simcenter.scenario import Scenario
from simcenter.studies.runner import (
    ExecutorError,
    ExecutorLike,
    ProgressCallback,
    Task,
    run_replications,
)

__all__ = ["ProgressCallback", "as_scenario", "simulate"]


def simulate(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    keep_contacts: bool | None = None,
    progress: ProgressCallback | None = None,
    executor: ExecutorLike = "local",
    address: str | None = None,
) -> Results:
    """Simulate a scenario and return its results.

    Args:
        scenario: A :class:`Scenario`, a dict, or the path of a YAML file.
        replications: Number of independent replications (default: the scenario's).
        seed: Base seed (default: the scenario's). Replication ``r`` uses the
            streams of ``(seed, r)``.
        jobs: Worker processes; 1 runs in this process, None uses every core;
            at most one per core. With ``executor="dask"`` and no address, the
            number of worker processes of the local Dask cluster (None: 2);
            ignored with an address.
        keep_contacts: Keep the per-contact log (``results.contacts``), streamed
            to a temporary Parquet file as the run goes; False keeps no
            per-contact data at all. Default: True with the local executor,
            False with any other executor (whose workers keep no contact log).
        progress: Optional callback ``progress(done, total)``.
        executor: ``"local"`` (processes on this machine), ``"dask"`` (a
            Dask cluster: the one at ``address``, or a local one), or any
            :class:`concurrent.futures.Executor` (a thread or process pool, a
            Dask ``Client.get_executor()``, loky, mpi4py), which the caller
            starts and shuts down; ``jobs`` is then ignored.
        address: Scheduler address of a Dask cluster (``tcp://host:8786``).

    Returns:
        The results, identical for any executor and any ``jobs``.

    Raises:
        TypeError: An argument of the wrong type (the message names it).
        ValueError: ``replications``, ``seed`` or ``jobs`` out of range, as on
            the command line (the message names it).
        WorkloadError: The run's tables could not fit in memory (the message
            gives the estimate).
        ExecutorError: An unknown executor, ``keep_contacts=True`` with
            another executor than ``"local"``,
            or a Dask scheduler that cannot be reached.
    """
    check_run(replications, seed, jobs)
    check_flag("keep_contacts", keep_contacts)
    scenario = as_scenario(scenario)
    count = scenario.replications if replications is None else replications
    base_seed = scenario.seed if seed is None else seed
    if keep_contacts is None:
        keep_contacts = executor == "local"
    elif keep_contacts and executor != "local":
        which = "the dask executor" if executor == "dask" else "an executor of your own"
        raise ExecutorError(
            f"keep_contacts=True: {which} keeps no per-contact log "
            "(its workers may be on other machines); use keep_contacts=False"
        )
    workers = count if jobs is None else min(jobs, count)
    workload.check(workload.estimate(scenario, count, keep_contacts), workers)
    folder = contact_log.spool_folder() if keep_contacts else None
    tasks = [
        Task(
            scenario,
            replication,
            base_seed,
            None if folder is None else contact_log.replication_path(folder, replication),
        )
        for replication in range(count)
    ]
    try:
        records = run_replications(
            tasks, executor=executor, address=address, jobs=jobs, progress=progress
        )
        resolved = scenario.to_dict() | {"seed": base_seed, "replications": count}
        return Results.from_records(
            run_meta(scenario), records, resolved, keep_contacts=keep_contacts
        )
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def as_scenario(scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str]) -> Scenario:
    """A :class:`Scenario` as given, or validated from a dict, or loaded from a YAML file.

    Raises:
        ScenarioError: The dict or the file is not a valid scenario.
        TypeError: Anything else.
    """
    from simcenter.loading import load_scenario

    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | os.PathLike | Path | Mapping):
        return load_scenario(scenario)
    raise TypeError(f"expected a Scenario, a mapping or a path (got {type(scenario).__name__})")
