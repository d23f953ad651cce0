"""Paired comparison of two scenarios under common random numbers.

Both scenarios run with the same seeds, replication by replication, so
replication ``r`` of each sees the same callers (the same arrival times,
handle times and patience draws) as long as the two share their queues.
The difference ``B − A`` of a figure is then estimated from the R
per-replication differences ``d_r = b_r − a_r``: its 95 % half-width is
``t(0.975, R−1) · s_d / √R``. An unpaired comparison of independent runs
would give Welch's half-width ``t(0.975, ν) · √(s_a²/R + s_b²/R)`` with
Welch–Satterthwaite degrees of freedom ``ν``; the positive correlation that
common random numbers create between ``a_r`` and ``b_r`` makes the paired
half-width narrower, often many times so.

B may be a scenario of its own or A with overrides. Besides the summary
figures of every queue, the agent cost and staffed agent-hours of the whole
centre are compared. With an output folder, each finished replication of A
and of B is kept as soon as it ends, and the same comparison run again
resumes where it stopped (:class:`~simcenter.studies.store.PointStore`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from simcenter import reports, workload
from simcenter.arguments import check_integer, check_labels, check_overrides, check_run
from simcenter.experiments import as_scenario
from simcenter.records import ReplicationRecord, run_meta
from simcenter.reports import ALL
from simcenter.scenario import Scenario
from simcenter.scenario.values import MAX_REPLICATIONS
from simcenter.studies.runner import ExecutorLike, ProgressCallback, Task, iter_replications
from simcenter.studies.store import PointStore
from simcenter.text import csv_safe
from simcenter.verdicts import QueueVerdict, summary_verdicts

CONFIDENCE = 0.95
"""Confidence level of every half-width of a comparison."""

PAIRED_COLUMNS = (
    "queue",
    "figure",
    "a",
    "b",
    "difference",
    "difference_ci95",
    "unpaired_ci95",
    "narrowing",
)
"""Columns of :func:`paired_differences`'s table."""

COMPARE_COLUMNS = (*PAIRED_COLUMNS, "a_verdict", "b_verdict")
"""Columns of :func:`compare`'s table (``compare.csv``)."""

COST_FIGURES = ("cost", "staffed_h")
"""Figures of the whole centre compared on the ``ALL`` rows after the summary figures: agent
cost (money) and staffed agent-hours per replication, from the agents' ``cost_per_hour``."""

STUDY = "compare"
"""The kind of study, as stored in its output folder."""

ScenarioLike = Scenario | Mapping[str, Any] | str | os.PathLike[str]


@dataclass(frozen=True)
class Comparison:
    """A finished comparison.

    Attributes:
        table: The comparison table (see :func:`compare`).
        labels: The names of A and B in what is printed.
        replications: Replications of each scenario.
        resumed: Replications (of A and of B together) found finished in the
            output folder and not run again.
        outdir: The output folder, or None.
        rejected: Replication files found in the output folder that did not
            match their record: their replications were run again.
    """

    table: pd.DataFrame
    labels: tuple[str, str]
    replications: int
    resumed: int
    outdir: Path | None
    rejected: int = 0


def compare(
    a: ScenarioLike,
    b: ScenarioLike | None = None,
    *,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    replications: int = 20,
    seed: int | None = None,
    jobs: int | None = 1,
    executor: ExecutorLike = "local",
    address: str | None = None,
    outdir: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """Compare two scenarios replication by replication under common random numbers.

    Args:
        a: The reference scenario (a :class:`Scenario`, a dict or a YAML path).
        b: The alternative; None (with ``overrides``) for A itself.
        overrides: Key path -> value changed in B, as for
            :meth:`Scenario.with_overrides` (``{"agents.team.count": 31}``),
            or ``KEY=VALUE`` texts as ``--set`` takes them: a variant needs
            no scenario of its own.
        labels: The names of A and B (two different strings), as the
            command line prints them; default: the file names without
            ``.yaml`` (with their folders when the names are the same), or
            the scenario names, B's followed by its overrides
            (``single_queue with agents.team.count=31``). Kept in
            ``table.attrs["labels"]``.
        replications: Replications of each scenario (at least 2).
        seed: Base seed of both (default: scenario ``a``'s seed).
        jobs: Worker processes (1: in this process; None: every core).
        executor: ``"local"``, ``"dask"`` or a :class:`concurrent.futures.Executor`
            (see :func:`simcenter.simulate`).
        address: Scheduler address of a Dask cluster.
        outdir: Output folder: each finished replication of A and of B is
            kept there, so the same comparison resumes where it stopped, and
            ``compare.csv`` is written when both are done. A folder holding
            another study, or a comparison of other scenarios, seed or
            replications, is refused.
        progress: Optional callback ``progress(done, total)`` over the
            replications still to run.

    Returns:
        One row per queue (and ``ALL``) and summary figure defined in both:
        ``queue``, ``figure``, ``a`` and ``b`` (means per replication),
        ``difference`` (b − a), ``difference_ci95`` (paired Student-t
        half-width of the difference), ``unpaired_ci95`` (Welch half-width
        that independent runs would give) and ``narrowing``
        (``unpaired_ci95 / difference_ci95``; NaN when the paired half-width
        is 0); then, for ``ALL``, the figures ``cost`` (agent cost per
        replication) and ``staffed_h`` (staffed agent-hours per
        replication); on the ``service_level`` rows, ``a_verdict`` and
        ``b_verdict``: each scenario's service level against its target
        (``met``, ``missed`` or ``too close to call``,
        :func:`simcenter.verdicts.judge`), empty elsewhere.

    Raises:
        TypeError: An argument of the wrong type (the message names it).
        ValueError: ``replications`` less than 2 or too large, ``seed`` or
            ``jobs`` out of range, ``labels`` not two different names, or
            neither ``b`` nor ``overrides`` given (the message names it).
        ScenarioError: A scenario, or B with its overrides, is not valid.
        OutputError: The output folder cannot be used or holds another study.
        ExecutorError: As :func:`simcenter.simulate`.
    """
    return run_compare(
        a,
        b,
        overrides=overrides,
        labels=labels,
        replications=replications,
        seed=seed,
        jobs=jobs,
        executor=executor,
        address=address,
        outdir=outdir,
        progress=progress,
    ).table


def run_compare(
    a: ScenarioLike,
    b: ScenarioLike | None = None,
    *,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    replications: int = 20,
    seed: int | None = None,
    jobs: int | None = 1,
    executor: ExecutorLike = "local",
    address: str | None = None,
    outdir: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
) -> Comparison:
    """As :func:`compare`, returning the table with its labels and what was resumed."""
    check_integer("replications", replications, 2, MAX_REPLICATIONS, optional=False)
    check_run(None, seed, jobs)
    check_labels(labels)
    check_overrides(overrides)
    if b is None and not overrides:
        raise ValueError("b: give scenario B, or overrides= that change A into B")
    first = as_scenario(a)
    second = as_scenario(a if b is None else b)
    if overrides:
        second = _overridden(second, overrides)
    named = tuple(labels) if labels is not None else default_labels(a, b, overrides)
    base_seed = first.seed if seed is None else seed
    spec = {
        "scenario A": first.to_dict() | {"seed": base_seed},
        "scenario B": second.to_dict() | {"seed": base_seed},
        "replications": replications,
    }
    store = None if outdir is None else PointStore(outdir, STUDY, spec)
    try:
        frames, fresh = _run_sides(
            (first, second), replications, base_seed, store, jobs, executor, address, progress
        )
        table = comparison_table(frames, (first, second))
        if store is not None:
            store.finish({"compare.csv": lambda path: csv_safe(table).to_csv(path, index=False)})
    finally:
        if store is not None:
            store.close()
    table.attrs["labels"] = named
    return Comparison(
        table,
        (str(named[0]), str(named[1])),
        replications,
        2 * replications - fresh,
        None if store is None else store.outdir,
        0 if store is None else len(store.rejected),
    )


def _overridden(scenario: Scenario, overrides: Mapping[str, Any] | Sequence[str]) -> Scenario:
    """B: ``scenario`` with ``overrides`` (a mapping, or ``KEY=VALUE`` texts)."""
    if isinstance(overrides, Mapping):
        return scenario.with_overrides(dict(overrides))
    from simcenter.loading import load_scenario

    return load_scenario(scenario.to_dict(), overrides=overrides)


SIDES = ("a", "b")
"""The two scenarios, as the keys of their replications in the output folder name them."""


def _run_sides(
    scenarios: tuple[Scenario, Scenario],
    count: int,
    seed: int,
    store: PointStore | None,
    jobs: int | None,
    executor: ExecutorLike,
    address: str | None,
    progress: ProgressCallback | None,
) -> tuple[dict[str, list[pd.DataFrame]], int]:
    """The frame of every replication of A and of B, running those not yet finished.

    Returns:
        Side (``a``, ``b``) -> its replications' frames in order, and the
        number of replications run now.
    """
    workers = count if jobs is None else min(jobs, count)
    for scenario in scenarios:  # as simulate() checks a run without its contact log
        workload.check(workload.estimate(scenario, count, False), workers)
    keys = [(side, rep) for side in SIDES for rep in range(count)]
    pending = [key for key in keys if store is None or not store.has(_key(*key))]
    tasks = [Task(scenarios[SIDES.index(side)], rep, seed) for side, rep in pending]
    frames: dict[tuple[str, int], pd.DataFrame] = {}
    finished = iter_replications(tasks, executor=executor, address=address, jobs=jobs)
    for done, (index, record) in enumerate(finished, start=1):
        side, rep = pending[index]
        frame = replication_frame(scenarios[SIDES.index(side)], record)
        if store is not None:
            store.add(_key(side, rep), frame)
        frames[(side, rep)] = frame
        if progress:
            progress(done, len(tasks))
    if store is not None:  # every frame as stored, so a resumed comparison gives the same table
        frames = {key: store.get(_key(*key)) for key in keys}
    return {side: [frames[(side, rep)] for rep in range(count)] for side in SIDES}, len(tasks)


def _key(side: str, replication: int) -> str:
    return f"{side}/{replication}"


def replication_frame(scenario: Scenario, record: ReplicationRecord) -> pd.DataFrame:
    """One replication's summary (a row per queue, then ``ALL``) and the centre's cost.

    The :data:`COST_FIGURES` of the whole centre (sums over agent groups) are
    on every row.
    """
    meta = run_meta(scenario)
    summary = reports.replication_summary(meta, record)
    agents = reports.replication_agents(meta, record)
    for figure in COST_FIGURES:
        summary[figure] = float(agents[figure].sum())
    return summary


def comparison_table(
    frames: Mapping[str, Sequence[pd.DataFrame]], scenarios: tuple[Scenario, Scenario]
) -> pd.DataFrame:
    """The comparison table of the replications' frames of A and B (see :func:`compare`)."""
    stacked = {side: _stacked(frames[side]) for side in SIDES}
    summaries = {side: table.drop(columns=list(COST_FIGURES)) for side, table in stacked.items()}
    centre = {
        side: table.loc[table["queue"].astype(str) == ALL, ["replication", "queue", *COST_FIGURES]]
        for side, table in stacked.items()
    }
    table = pd.concat(
        [
            paired_differences(summaries["a"], summaries["b"]),
            paired_differences(centre["a"], centre["b"]),
        ],
        ignore_index=True,
    )
    judged = [
        summary_verdicts(
            reports.combine(
                [frame.drop(columns=list(COST_FIGURES)) for frame in frames[side]], ["queue"]
            ),
            run_meta(scenario),
        )
        for side, scenario in zip(SIDES, scenarios, strict=True)
    ]
    return with_verdicts(table, *judged)


def _stacked(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The replications' frames one under the other, with a leading ``replication`` column."""
    parts = [frame.assign(replication=number) for number, frame in enumerate(frames)]
    stacked = pd.concat(parts, ignore_index=True)
    return stacked[["replication", *frames[0].columns]]


def default_labels(
    a: ScenarioLike, b: ScenarioLike | None, overrides: Mapping[str, Any] | Sequence[str] | None
) -> tuple[str, str]:
    """The names of A and B: their file names without ``.yaml``, else their scenario names.

    Two files of the same name are told apart by their folders (``a/x`` and
    ``b/x``); B made of A (or of its own file) with overrides is followed by
    them (``x with agents.team.count=31``); two names still the same get
    ``(A)`` and ``(B)``.
    """
    first, second = _label(a), _label(a if b is None else b)
    if first == second and b is not None and _is_path(a) and _is_path(b):
        first, second = _told_apart(Path(os.fspath(a)), Path(os.fspath(b)))  # type: ignore[arg-type]
    if overrides:
        pairs = (
            [f"{key}={value}" for key, value in overrides.items()]
            if isinstance(overrides, Mapping)
            else [str(pair) for pair in overrides]
        )
        second = f"{second} with {', '.join(pairs)}"
    if first == second:
        first, second = f"{first} (A)", f"{second} (B)"
    return first, second


def _is_path(scenario: object) -> bool:
    return isinstance(scenario, str | os.PathLike)


def _label(scenario: ScenarioLike) -> str:
    if _is_path(scenario):
        return Path(os.fspath(scenario)).stem  # type: ignore[arg-type]
    if isinstance(scenario, Scenario):
        return scenario.name
    name = scenario.get("name") if isinstance(scenario, Mapping) else None
    return str(name) if name else "scenario"


def _told_apart(a: Path, b: Path) -> tuple[str, str]:
    """The shortest trailing parts of two paths (without ``.yaml``) that differ."""
    parts_a = [*a.resolve().parent.parts, a.stem]
    parts_b = [*b.resolve().parent.parts, b.stem]
    for size in range(2, max(len(parts_a), len(parts_b)) + 1):
        first, second = "/".join(parts_a[-size:]), "/".join(parts_b[-size:])
        if first != second:
            return first, second
    return a.stem, b.stem


def with_verdicts(
    table: pd.DataFrame, a: Mapping[str, QueueVerdict], b: Mapping[str, QueueVerdict]
) -> pd.DataFrame:
    """The comparison table with each scenario's verdict on its ``service_level`` rows."""
    table = table.copy()
    rows = table["figure"] == "service_level"
    for column, judged in (("a_verdict", a), ("b_verdict", b)):
        table[column] = None
        table.loc[rows, column] = [
            judged[queue].verdict if queue in judged else None for queue in table.loc[rows, "queue"]
        ]
    return table


def paired_differences(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The comparison table of two ``replications`` frames (see :func:`compare`).

    Rows are matched on ``replication`` and ``queue``; queues present in only
    one frame are left out. A figure is compared over the replications where
    it is defined in both (at least 2); otherwise it is left out.
    """
    keys = ["replication", "queue"]
    figures = [
        name
        for name in a.columns
        if name not in keys
        and name in b.columns
        and pd.api.types.is_numeric_dtype(a[name])
        and pd.api.types.is_numeric_dtype(b[name])
    ]
    joined = a[keys + figures].merge(b[keys + figures], on=keys, suffixes=("_a", "_b"))
    rows = []
    for queue in dict.fromkeys(a["queue"]):
        block = joined[joined["queue"] == queue]
        for figure in figures:
            pair = block[[f"{figure}_a", f"{figure}_b"]].dropna().to_numpy(dtype=np.float64)
            if len(pair) >= 2:
                rows.append(
                    {"queue": str(queue), "figure": figure, **_paired(pair[:, 0], pair[:, 1])}
                )
    return pd.DataFrame(rows, columns=list(PAIRED_COLUMNS))


def _paired(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Means, difference and the paired and unpaired half-widths of one figure."""
    count = len(a)
    quantile = special.stdtrit(count - 1, 0.5 + CONFIDENCE / 2)
    paired = float(quantile * np.std(b - a, ddof=1) / math.sqrt(count))
    unpaired = welch_half_width(a, b)
    return {
        "a": float(a.mean()),
        "b": float(b.mean()),
        "difference": float((b - a).mean()),
        "difference_ci95": paired,
        "unpaired_ci95": unpaired,
        "narrowing": unpaired / paired if paired > 0 else math.nan,
    }


def welch_half_width(a: np.ndarray, b: np.ndarray) -> float:
    """95 % half-width of ``mean(b) − mean(a)`` for independent samples (Welch).

    ``t(0.975, ν) · √(s_a²/n_a + s_b²/n_b)`` with the Welch–Satterthwaite
    degrees of freedom ``ν``; 0 when both samples are constant.
    """
    var_a, var_b = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    total = var_a + var_b
    if total == 0:
        return 0.0
    degrees = total**2 / (var_a**2 / (len(a) - 1) + var_b**2 / (len(b) - 1))
    return float(special.stdtrit(degrees, 0.5 + CONFIDENCE / 2) * math.sqrt(total))
