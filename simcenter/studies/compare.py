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
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from simcenter.arguments import check_integer, check_run
from simcenter.experiments import as_scenario, simulate
from simcenter.scenario import Scenario
from simcenter.scenario.values import MAX_REPLICATIONS
from simcenter.studies.runner import ExecutorLike
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

ScenarioLike = Scenario | Mapping[str, Any] | str | os.PathLike[str]


def compare(
    a: ScenarioLike,
    b: ScenarioLike,
    *,
    replications: int = 20,
    seed: int | None = None,
    jobs: int | None = 1,
    executor: ExecutorLike = "local",
    address: str | None = None,
) -> pd.DataFrame:
    """Compare two scenarios replication by replication under common random numbers.

    Args:
        a: The reference scenario (a :class:`Scenario`, a dict or a YAML path).
        b: The alternative.
        replications: Replications of each scenario (at least 2).
        seed: Base seed of both (default: scenario ``a``'s seed).
        jobs: Worker processes (1: in this process; None: every core).
        executor: ``"local"``, ``"dask"`` or a :class:`concurrent.futures.Executor`
            (see :func:`simcenter.simulate`).
        address: Scheduler address of a Dask cluster.

    Returns:
        One row per queue (and ``ALL``) and summary figure defined in both:
        ``queue``, ``figure``, ``a`` and ``b`` (means per replication),
        ``difference`` (b − a), ``difference_ci95`` (paired Student-t
        half-width of the difference), ``unpaired_ci95`` (Welch half-width
        that independent runs would give) and ``narrowing``
        (``unpaired_ci95 / difference_ci95``; NaN when the paired half-width
        is 0); on the ``service_level`` rows, ``a_verdict`` and ``b_verdict``:
        each scenario's service level against its target (``met``,
        ``missed`` or ``too close to call``, :func:`simcenter.verdicts.judge`),
        empty elsewhere.

    Raises:
        TypeError: An argument of the wrong type (the message names it).
        ValueError: ``replications`` less than 2 or too large, or ``seed`` or
            ``jobs`` out of range (the message names it).
    """
    check_integer("replications", replications, 2, MAX_REPLICATIONS, optional=False)
    check_run(None, seed, jobs)
    first, second = as_scenario(a), as_scenario(b)
    base_seed = first.seed if seed is None else seed
    runs = [
        simulate(
            scenario,
            replications=replications,
            seed=base_seed,
            jobs=jobs,
            keep_contacts=False,
            executor=executor,
            address=address,
        )
        for scenario in (first, second)
    ]
    table = paired_differences(runs[0].replications, runs[1].replications)
    return with_verdicts(table, *(summary_verdicts(run.summary, run.meta) for run in runs))


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
