"""Experiments: replications of a scenario, run in parallel processes.

Every replication's random streams are fixed by ``(seed, replication)``
before any work is dispatched, and results are merged in replication order,
so the results are identical whatever the number of jobs. Workers send back
tallies, never per-contact columns: with the contact log on, each
replication streams its log to a Parquet file of its own in a temporary
folder, and the files are joined in replication order.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from simcenter import contact_log
from simcenter.engine import run_meta, run_replication
from simcenter.records import ReplicationRecord
from simcenter.results import Results
from simcenter.scenario import Scenario
from simcenter.stops import capped_jobs, worker_pool

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each replication finishes."""


def simulate(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    keep_contacts: bool = True,
    progress: ProgressCallback | None = None,
) -> Results:
    """Simulate a scenario and return its results.

    Args:
        scenario: A :class:`Scenario`, a dict, or the path of a YAML file.
        replications: Number of independent replications (default: the scenario's).
        seed: Base seed (default: the scenario's). Replication ``r`` uses the
            streams of ``(seed, r)``.
        jobs: Worker processes; 1 runs in this process, None uses every core;
            at most one per core.
        keep_contacts: Keep the per-contact log (``results.contacts``), streamed
            to a temporary Parquet file as the run goes; False keeps no
            per-contact data at all.
        progress: Optional callback ``progress(done, total)``.

    Returns:
        The results, identical for any ``jobs``.
    """
    scenario = _as_scenario(scenario)
    count = scenario.replications if replications is None else replications
    base_seed = scenario.seed if seed is None else seed
    folder = contact_log.spool_folder() if keep_contacts else None
    try:
        records = _run_all(scenario, count, base_seed, jobs, progress, folder)
        resolved = scenario.to_dict() | {"seed": base_seed, "replications": count}
        return Results.from_records(
            run_meta(scenario), records, resolved, keep_contacts=keep_contacts
        )
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _as_scenario(scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str]) -> Scenario:
    from simcenter.loading import load_scenario

    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | os.PathLike | Path | Mapping):
        return load_scenario(scenario)
    raise TypeError(f"expected a Scenario, a mapping or a path (got {type(scenario).__name__})")


def _run_all(
    scenario: Scenario,
    count: int,
    seed: int,
    jobs: int | None,
    progress: ProgressCallback | None,
    folder: Path | None,
) -> list[ReplicationRecord]:
    """Run every replication; each streams its contact log into ``folder`` (None: no log)."""
    workers = min(count, capped_jobs(jobs))
    logs = [
        None if folder is None else contact_log.replication_path(folder, replication)
        for replication in range(count)
    ]
    records: list[ReplicationRecord] = []
    if workers <= 1:
        for replication in range(count):
            records.append(run_replication(scenario, replication, seed, logs[replication]))
            if progress:
                progress(len(records), count)
        return records
    with worker_pool(workers) as pool:
        futures = [
            pool.submit(run_replication, scenario, replication, seed, logs[replication])
            for replication in range(count)
        ]
        for future in futures:  # in replication order, whatever finishes first
            records.append(future.result())
            if progress:
                progress(len(records), count)
    return records
