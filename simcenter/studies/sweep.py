"""Sweeps: one scenario at every point of a grid of values, under common random numbers.

Every point runs the same replications with the same seeds, so the points
see the same callers (common random numbers) and differences between points
come from the values varied, not from the luck of the draw. The table has
one row per point and queue: the varied values, then the summary figures of
the point (means over replications, with ``_ci95`` half-widths), then the
cost of the whole centre, then each queue's service-level objective and
verdict at that point (:mod:`simcenter.verdicts`). With an output folder, each point is kept as soon
as it is finished and a rerun of the same sweep resumes where it stopped
(:class:`~simcenter.studies.store.PointStore`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simcenter import reports
from simcenter._version import __version__
from simcenter.arguments import check_run
from simcenter.errors import Problem, ScenarioError
from simcenter.experiments import as_scenario
from simcenter.records import ReplicationRecord, run_meta
from simcenter.scenario import Scenario
from simcenter.studies import grid as grids
from simcenter.studies.runner import ExecutorLike, ProgressCallback, Task, iter_replications
from simcenter.studies.store import PointStore
from simcenter.text import csv_safe
from simcenter.verdicts import summary_verdicts

STUDY = "sweep"
"""The kind of study, as stored in its output folder."""

COST_COLUMN = "cost"
"""Agent cost of the whole centre at a point (the same on every row of the point)."""

OBJECTIVE_COLUMNS = ("sl_threshold_s", "sl_target", "sl_verdict")
"""The last columns of the table: the queue's service-level objective at the point and its
verdict (``met``, ``missed``, ``too close to call`` or empty), as ``run --format json`` names
them."""


@dataclass(frozen=True)
class SweepRun:
    """A finished sweep.

    Attributes:
        table: One row per point and queue (see :func:`sweep`).
        keys: The varied keys, in grid order.
        points: Number of points.
        resumed: Points found finished in the output folder and not rerun.
        outdir: The output folder, or None.
        rejected: Point files found in the output folder that did not match
            their record (edited, copied over another point's, or of another
            study): their points were run again.
    """

    table: pd.DataFrame
    keys: list[str]
    points: int
    resumed: int
    outdir: Path | None
    rejected: int = 0


def sweep(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    grid: Mapping[str, Iterable[Any]],
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    executor: ExecutorLike = "local",
    address: str | None = None,
    outdir: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """Simulate a scenario at every point of a grid of values (common random numbers).

    Args:
        scenario: A :class:`Scenario`, a dict, or the path of a YAML file.
        grid: Key path -> values, as for :meth:`Scenario.with_overrides`
            (``{"agents.tier1.count": range(24, 37)}``); the points are the
            Cartesian product, the first key varying slowest. ``seed`` and
            ``replications`` may be varied too: each point then runs with its
            own base seed or number of replications.
        replications: Replications per point (default: the scenario's).
        seed: Base seed (default: the scenario's); every point uses the same
            seeds.
        jobs: Workers: 1 (the default) runs in this process, None uses one
            per core (at most one per core); on a local Dask cluster, its
            worker processes (None: 2). The same default as every function.
        executor: ``"local"``, ``"dask"`` or a :class:`concurrent.futures.Executor`
            (see :func:`simcenter.simulate`).
        address: Scheduler address of a Dask cluster.
        outdir: Output folder: each finished point is kept there, so the same
            sweep resumes where it stopped, and ``sweep.csv``, ``sweep.png``
            and ``scenario.yaml`` are written when every point is done. A
            folder holding another study is refused.
        progress: Optional callback ``progress(done, total)`` over the
            replications still to run.

    Returns:
        One row per point and queue (plus the channels' total rows when the
        queues use several, and ``ALL``): a column per varied key,
        then the summary columns (:attr:`Results.summary`, with ``_ci95``
        half-widths from two replications on), then ``cost`` (and
        ``cost_ci95``): the agent cost of the whole centre at that point,
        then ``sl_threshold_s`` (seconds) and ``sl_target`` (fraction): the
        queue's service-level objective at the point (NaN for a total row
        when its queues' objectives differ), and ``sl_verdict``: its service
        level against it (:func:`simcenter.verdicts.judge`; None without
        one).

    Raises:
        TypeError, ValueError: ``replications``, ``seed`` or ``jobs`` of the
            wrong type or out of range, or a grid too large (the message
            names the argument).
        ScenarioError: A point is not a valid scenario (every problem, each
            naming its point).
        OutputError: The output folder cannot be used or holds another study.
        ExecutorError: As :func:`simcenter.simulate`.
    """
    return run_sweep(
        scenario,
        grid,
        replications=replications,
        seed=seed,
        jobs=jobs,
        executor=executor,
        address=address,
        outdir=outdir,
        progress=progress,
    ).table


def run_sweep(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    grid: Mapping[str, Iterable[Any]],
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    executor: ExecutorLike = "local",
    address: str | None = None,
    outdir: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
) -> SweepRun:
    """As :func:`sweep`, returning the table with what was resumed."""
    check_run(replications, seed, jobs)
    base = as_scenario(scenario)
    checked = grids.as_grid(grid)
    count = base.replications if replications is None else replications
    base_seed = base.seed if seed is None else seed
    points = grids.points(checked)
    scenarios = _point_scenarios(base, points)
    resolved = base.to_dict() | {"seed": base_seed, "replications": count}
    spec = {"scenario": resolved, "grid": list(checked.items()), "replications": count}
    store = None if outdir is None else PointStore(outdir, STUDY, spec)
    seeds = [point.seed if "seed" in checked else base_seed for point in scenarios]
    counts = [point.replications if "replications" in checked else count for point in scenarios]
    try:
        frames, fresh = _run_points(
            scenarios, points, counts, seeds, store, jobs, executor, address, progress
        )
        table = _table(points, frames, scenarios)
        if store is not None:
            store.finish(_output_files(table, list(checked), resolved))
    finally:
        if store is not None:
            store.close()
    folder = None if store is None else store.outdir
    rejected = 0 if store is None else len(store.rejected)
    return SweepRun(table, list(checked), len(points), len(points) - fresh, folder, rejected)


def _point_scenarios(base: Scenario, points: Sequence[grids.Point]) -> list[Scenario]:
    """The scenario of every point; every distinct problem at once, naming its points."""
    scenarios: list[Scenario] = []
    found: dict[tuple[Any, str], list[grids.Point]] = {}
    for point in points:
        try:
            scenarios.append(base.with_overrides(dict(point)))
        except ScenarioError as error:
            for problem in error.problems:
                found.setdefault((problem.loc, problem.message), []).append(point)
    if found:
        raise ScenarioError(
            [
                Problem(loc, f"{message} ({_where(where)})")
                for (loc, message), where in found.items()
            ]
        )
    return scenarios


def _where(points: Sequence[grids.Point]) -> str:
    first = grids.label(points[0])
    return f"at the point {first}" if len(points) == 1 else f"at {len(points)} points: {first}, ..."


def _run_points(
    scenarios: Sequence[Scenario],
    points: Sequence[grids.Point],
    counts: Sequence[int],
    seeds: Sequence[int],
    store: PointStore | None,
    jobs: int | None,
    executor: ExecutorLike,
    address: str | None,
    progress: ProgressCallback | None,
) -> tuple[dict[int, pd.DataFrame], int]:
    """Run the replications of every point not yet finished, keeping each point as it ends.

    Point ``n`` runs ``counts[n]`` replications from the base seed ``seeds[n]``.

    Returns:
        Point number -> its frame, and the number of points run now.
    """
    keys = [grids.point_key(point) for point in points]
    frames: dict[int, pd.DataFrame] = {}
    pending = [number for number, key in enumerate(keys) if store is None or not store.has(key)]
    owners = [number for number in pending for _ in range(counts[number])]
    tasks = [
        Task(scenarios[number], rep, seeds[number])
        for number in pending
        for rep in range(counts[number])
    ]
    records: dict[int, list[ReplicationRecord | None]] = {
        number: [None] * counts[number] for number in pending
    }
    left = {number: counts[number] for number in pending}
    finished = iter_replications(tasks, executor=executor, address=address, jobs=jobs)
    for done, (index, record) in enumerate(finished, start=1):
        number = owners[index]
        records[number][record.replication] = record
        left[number] -= 1
        if left[number] == 0:
            frame = point_frame(scenarios[number], records.pop(number))  # type: ignore[arg-type]
            if store is not None:
                store.add(keys[number], frame)
            frames[number] = frame
        if progress:
            progress(done, len(tasks))
    if store is not None:  # every frame as stored, so a resumed sweep gives the same table
        for number, key in enumerate(keys):
            frames[number] = store.get(key)
    return frames, len(pending)


def point_frame(scenario: Scenario, records: Sequence[ReplicationRecord]) -> pd.DataFrame:
    """The summary of one point (combined over its replications), then the centre's cost.

    ``cost`` = the sum over agent groups of staffed hours × cost per hour, per
    replication; its mean, and its ``cost_ci95`` half-width from two
    replications on.
    """
    meta = run_meta(scenario)
    summary = reports.combine(
        [reports.replication_summary(meta, r) for r in records], reports.row_keys(meta, ["queue"])
    )
    costs = [
        pd.DataFrame(
            {"point": [0], COST_COLUMN: [reports.replication_agents(meta, r)["cost"].sum()]}
        )
        for r in records
    ]
    cost = reports.combine(costs, ["point"]).drop(columns="point")
    for name in cost.columns:
        summary[name] = cost[name].iloc[0]
    return summary


def _table(
    points: Sequence[grids.Point],
    frames: Mapping[int, pd.DataFrame],
    scenarios: Sequence[Scenario],
) -> pd.DataFrame:
    """The sweep table: the varied values of each point, then its frame and its verdicts."""
    parts = []
    for number, point in enumerate(points):
        frame = with_objectives(frames[number], scenarios[number])
        for position, (key, value) in enumerate(point):
            frame.insert(position, key, pd.Series([value] * len(frame)))
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def with_objectives(frame: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """A point's frame with :data:`OBJECTIVE_COLUMNS`: each queue's objective and verdict."""
    judged = summary_verdicts(frame, run_meta(scenario))
    names = frame["queue"].astype(str)
    return frame.assign(
        sl_threshold_s=[judged[name].threshold_s for name in names],
        sl_target=[judged[name].target for name in names],
        sl_verdict=[judged[name].verdict for name in names],
    )


def _output_files(
    table: pd.DataFrame, keys: list[str], resolved: dict[str, Any]
) -> dict[str, Callable[[Path], None]]:
    """The writers of ``sweep.csv``, ``sweep.png`` and ``scenario.yaml``."""

    def write_table(path: Path) -> None:
        csv_safe(table).to_csv(path, index=False)

    def write_plot(path: Path) -> None:
        from simcenter.plotting.sweep import sweep_figure

        sweep_figure(table, keys).savefig(path, dpi=100)

    def write_scenario(path: Path) -> None:
        with path.open("w", encoding="utf-8") as file:
            file.write(
                f"# Resolved scenario of the sweep (before its values), written by simcenter "
                f"{__version__}.\n"
            )
            yaml.safe_dump(resolved, file, sort_keys=False, allow_unicode=True)

    return {"sweep.csv": write_table, "sweep.png": write_plot, "scenario.yaml": write_scenario}
