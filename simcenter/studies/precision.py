"""Precision-driven replications and control variates.

Two ways to get a narrower confidence interval for the same question:

- :func:`simulate_to_precision` adds replications in batches until the 95 %
  half-width of every queue's service level is below a precision, and says
  how many replications that took.
- :func:`controlled_summary` estimates every summary figure with control
  variates (Lavenberg & Welch; the ContactCenters library does the same):
  each replication's count of offered contacts and the work they brought
  (the sum of their base handle times), whose expectations ``μ`` the
  scenario fixes (:func:`expected_arrivals`, :func:`expected_work`). With R
  replications and q controls ``x_r`` the estimate of a figure ``y`` is
  ``ȳ − β̂·(x̄ − μ)`` with ``β̂`` the least-squares slopes of ``y`` on ``x``;
  its half-width is ``t(0.975, R−q−1) · s_e · √(1/R + (x̄ − μ)ᵀ S⁻¹ (x̄ −
  μ))``, with ``s_e²`` the residual variance on R − q − 1 degrees of freedom
  and ``S`` the centred cross-product matrix of the controls. A day that
  happened to bring more callers, or longer calls, than expected has a lower
  service level; the controls correct for that luck.

The controls of a queue are its own offered count and work; a total row's
(a channel's, ``ALL``) are the totals of its queues. The work is left out
where it adds nothing (every handle time of the row a constant: the work is
then the count times it) and with fewer than 4 replications. A queue that
also receives contacts created during the run (repeat calls, transfers or
moves after a maximum wait into it) has no known expected count: its figures
(and those of the total rows that count it) keep the plain estimate.
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from simcenter import contact_log, reports
from simcenter.arrivals import rate_pieces
from simcenter.clock import ScenarioClock
from simcenter.experiments import ProgressCallback
from simcenter.loading import load_scenario
from simcenter.periods import split_by_period
from simcenter.records import ReplicationRecord, RunMeta, run_meta
from simcenter.results import Results
from simcenter.scenario import PeriodsSpec, QueueSpec, Scenario
from simcenter.studies.runner import Task, run_replications

CONFIDENCE = 0.95
"""Confidence level of the half-widths."""

MAX_PRECISION_REPLICATIONS = 2_000
"""Default cap on the replications a precision-driven run may use."""

CONTROL_COLUMNS = (
    "queue",
    "figure",
    "mean",
    "ci95",
    "controlled_mean",
    "controlled_ci95",
    "variance_reduction",
)
"""Columns of :attr:`ControlledSummary.reduction` (``control_variates.csv``)."""


# --- control variates -------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A mean and its confidence half-width.

    Attributes:
        mean: The point estimate.
        half_width: Half-width of its confidence interval (NaN when it cannot
            be estimated).
        replications: Replications it was estimated from.
    """

    mean: float
    half_width: float
    replications: int


def plain_estimate(values: np.ndarray, confidence: float = CONFIDENCE) -> Estimate:
    """The sample mean and its Student-t half-width ``t(·, R−1) · s / √R``."""
    values = np.asarray(values, dtype=np.float64)
    count = len(values)
    if count < 2:
        return Estimate(float(values.mean()) if count else math.nan, math.nan, count)
    quantile = special.stdtrit(count - 1, 0.5 + confidence / 2)
    return Estimate(
        float(values.mean()), float(quantile * values.std(ddof=1) / math.sqrt(count)), count
    )


def controlled_estimate(
    values: np.ndarray,
    controls: np.ndarray,
    control_means: np.ndarray,
    confidence: float = CONFIDENCE,
) -> Estimate:
    """The control-variate (regression) estimate from R values and q controls.

    With ``X`` the R × q controls and ``μ`` their exactly known expectations,
    the estimate is ``ȳ − β̂·(x̄ − μ)`` with ``β̂`` the least-squares slope of
    ``y`` on ``X``; its half-width is ``t(·, R−q−1) · s · √(1/R + (x̄ − μ)ᵀ
    S⁻¹ (x̄ − μ))`` with ``s²`` the residual variance on R − q − 1 degrees of
    freedom and ``S`` the centred cross-product matrix of ``X`` (Lavenberg &
    Welch 1981; exact under joint normality). The plain estimate is returned
    when there are too few replications (R ≤ q + 1) or a control does not vary.

    Args:
        values: The R per-replication values of the figure.
        controls: R values (or R × q) of the controls.
        control_means: The q expectations of the controls.
        confidence: Confidence level of the half-width.
    """
    values = np.asarray(values, dtype=np.float64)
    controls = np.asarray(controls, dtype=np.float64).reshape(len(values), -1)
    count, control_count = controls.shape
    degrees = count - control_count - 1
    centred = controls - controls.mean(axis=0)
    cross = centred.T @ centred
    if degrees < 1 or np.linalg.matrix_rank(cross) < control_count:
        return plain_estimate(values, confidence)
    slope = np.linalg.solve(cross, centred.T @ (values - values.mean()))
    offset = controls.mean(axis=0) - np.asarray(control_means, dtype=np.float64)
    residuals = values - values.mean() - centred @ slope
    spread = math.sqrt(float(residuals @ residuals) / degrees)
    leverage = 1.0 / count + float(offset @ np.linalg.solve(cross, offset))
    quantile = special.stdtrit(degrees, 0.5 + confidence / 2)
    mean = float(values.mean() - offset @ slope)
    return Estimate(mean, float(quantile * spread * math.sqrt(leverage)), count)


def expected_arrivals(scenario: Scenario) -> dict[str, float]:
    """Expected first-time contacts per queue over the measured horizon.

    The integral of each queue's arrival rate over ``[warmup, warmup +
    horizon)``: the constant rate, or the daily profile with its weekday and
    date multipliers and the scenario's ``calendar``, on the scenario's clock
    (time-zone changes included). Busyness factors have mean 1 and leave the
    expectation unchanged.
    """
    clock = ScenarioClock(scenario.start_at)
    expected = {}
    for queue in scenario.queues:
        total = 0.0
        pieces = rate_pieces(queue.arrivals, clock, scenario.end_s, scenario.calendar)
        for start, end, rate in pieces:
            total += rate * max(0.0, end - max(start, scenario.warmup))
        expected[queue.name] = total
    return expected


def expected_work(scenario: Scenario, arrivals: dict[str, float] | None = None) -> dict[str, float]:
    """Expected sum of the base handle times of the offered contacts, per queue (seconds).

    Expected first-time contacts (:func:`expected_arrivals`) times the mean of
    the queue's handle-time distribution: a contact's base handle time is
    drawn from a stream of its own, independent of how many arrive (Wald's
    identity). A handle time given per period of the day weighs each
    period's mean by the contacts expected in it (the integral of rate ×
    period mean over the measured horizon).

    Args:
        scenario: The scenario.
        arrivals: Its :func:`expected_arrivals`, if already computed.
    """
    if arrivals is None:
        arrivals = expected_arrivals(scenario)
    work = {}
    for queue in scenario.queues:
        if isinstance(queue.handle_time, PeriodsSpec):
            work[queue.name] = _expected_period_work(scenario, queue)
        else:
            work[queue.name] = arrivals[queue.name] * queue.handle_time.build().mean
    return work


def _expected_period_work(scenario: Scenario, queue: QueueSpec) -> float:
    """∫ rate(t) × mean handle time of t's period dt over the measured horizon (seconds)."""
    assert isinstance(queue.handle_time, PeriodsSpec)
    clock = ScenarioClock(scenario.start_at)
    means = [distribution.mean for distribution in queue.handle_time.distributions()]
    pieces = rate_pieces(queue.arrivals, clock, scenario.end_s, scenario.calendar)
    total = 0.0
    for start, end, rate, index in split_by_period(
        pieces, queue.handle_time, clock, scenario.end_s
    ):
        total += rate * means[index] * max(0.0, end - max(start, scenario.warmup))
    return total


def controllable_queues(scenario: Scenario) -> set[str]:
    """Queues whose offered count has a known expectation: no contact comes from elsewhere.

    A queue is left out when it has repeat calls, receives retrials (its own,
    or another queue's ``retrial.to``), is the target of a transfer or of a
    move after a maximum wait, or has an IVR (whose self-served and abandoned
    contacts are not offered).
    """
    fed = {q.transfer.to for q in scenario.queues if q.transfer is not None}
    fed |= {q.max_wait.to for q in scenario.queues if q.max_wait and q.max_wait.to}
    fed |= {q.retrial.to or q.name for q in scenario.queues if q.retrial is not None}
    return {
        q.name
        for q in scenario.queues
        if q.repeat is None and q.ivr is None and q.name not in fed
    }


@dataclass(frozen=True)
class ControlledSummary:
    """The summary estimated with control variates, and what the control achieved.

    Attributes:
        summary: Same rows and columns as :attr:`Results.summary`, each
            figure and ``_ci95`` estimated with the offered count and work as
            controls (plain where no control applies).
        reduction: One row per queue (and ``ALL``) and figure (see
            :data:`CONTROL_COLUMNS`): the plain and the controlled estimate
            and half-width, and ``variance_reduction`` = (plain half-width /
            controlled half-width)², the factor by which the controls cut the
            variance of the estimate (about the factor of replications saved).
    """

    summary: pd.DataFrame
    reduction: pd.DataFrame


def controlled_summary(results: Results) -> ControlledSummary:
    """Every summary figure of ``results`` estimated with the offered count and work as controls.

    Args:
        results: Results of at least 3 replications.

    Raises:
        ValueError: With fewer than 3 replications (R − 2 degrees of freedom).
    """
    if results.replication_count < 3:
        raise ValueError(
            f"control variates need at least 3 replications (got {results.replication_count})"
        )
    scenario = load_scenario(results.scenario)
    means = _control_means(scenario, results.meta)
    frame = _with_offered_work(results)
    summary = results.summary.copy()
    rows = []
    for index, queue in summary["queue"].items():
        block = frame[frame["queue"] == queue]
        control_means = means.get(str(queue))
        controls = _control_columns(block, control_means)
        for figure in _figures(summary):
            table = block[[figure, *controls]].dropna().to_numpy(dtype=np.float64)
            if len(table) == 0:  # a figure with no value (occupancy of a queue row)
                continue
            plain = plain_estimate(table[:, 0])
            controlled = plain
            if control_means is not None and figure != "offered":
                wanted = np.array([control_means[name] for name in controls])
                controlled = controlled_estimate(table[:, 0], table[:, 1:], wanted)
            elif control_means is not None:
                controlled = Estimate(control_means["offered"], 0.0, plain.replications)
            summary.loc[index, figure] = controlled.mean
            summary.loc[index, f"{figure}_ci95"] = controlled.half_width
            rows.append(_reduction_row(str(queue), figure, plain, controlled, control_means))
    return ControlledSummary(summary, pd.DataFrame(rows, columns=list(CONTROL_COLUMNS)))


def _control_means(scenario: Scenario, meta: RunMeta) -> dict[str, dict[str, float]]:
    """The controls' expectations (``offered``, ``offered_work_s``) of the rows that have them.

    A total row (a channel's, ``ALL``) has them when every queue it counts has.
    """
    counts = expected_arrivals(scenario)
    work = expected_work(scenario, counts)
    usable = controllable_queues(scenario)
    means = {}
    for row, members in reports.row_queues(meta).items():
        names = [meta.queues[index] for index in members]
        if set(names) <= usable:
            means[row] = {
                "offered": sum(counts[name] for name in names),
                "offered_work_s": sum(work[name] for name in names),
            }
    return means


def _with_offered_work(results: Results) -> pd.DataFrame:
    """The replications table with each row's ``offered_work_s`` (NaN if not recorded)."""
    frame = results.replications.assign(queue=results.replications["queue"].astype(str))
    if results.offered_work is None:
        return frame.assign(offered_work_s=np.nan)
    work = results.offered_work.assign(queue=results.offered_work["queue"].astype(str))
    return frame.merge(work, on=["replication", "queue"], how="left")


def _control_columns(block: pd.DataFrame, means: dict[str, float] | None) -> list[str]:
    """The controls of one row: the count, and the work where it tells more than the count.

    The work is left out when it was not recorded, when there are too few
    replications for two controls (R − 3 degrees of freedom), and when it is
    the count times a constant (every handle time of the row a constant).
    """
    if means is None:
        return ["offered"]
    pairs = block[["offered", "offered_work_s"]].dropna().to_numpy(dtype=np.float64)
    if len(pairs) < len(block) or len(pairs) < 4:
        return ["offered"]
    centred = pairs - pairs.mean(axis=0)
    if np.linalg.matrix_rank(centred.T @ centred) < 2:
        return ["offered"]
    return ["offered", "offered_work_s"]


def _figures(summary: pd.DataFrame) -> list[str]:
    """The summary figures that have a ``_ci95`` column."""
    return [name for name in summary.columns if f"{name}_ci95" in summary.columns]


def _reduction_row(
    queue: str,
    figure: str,
    plain: Estimate,
    controlled: Estimate,
    control_means: dict[str, float] | None,
) -> dict[str, object]:
    ratio = math.nan
    if control_means is not None and controlled.half_width > 0:
        ratio = (plain.half_width / controlled.half_width) ** 2
    return {
        "queue": queue,
        "figure": figure,
        "mean": plain.mean,
        "ci95": plain.half_width,
        "controlled_mean": controlled.mean,
        "controlled_ci95": controlled.half_width,
        "variance_reduction": ratio,
    }


# --- precision-driven replications ----------------------------------------------------------


@dataclass(frozen=True)
class PrecisionRun:
    """Results of a precision-driven run.

    Attributes:
        results: The results of every replication run.
        precision: The requested 95 % half-width of every queue's service level.
        replications: Replications it took (or the cap, when not reached).
        reached: Whether every queue's half-width is below ``precision``.
        half_width: The widest service-level half-width over the queues.
    """

    results: Results
    precision: float
    replications: int
    reached: bool
    half_width: float


def simulate_to_precision(
    scenario: Scenario | str | os.PathLike[str],
    precision: float,
    *,
    seed: int | None = None,
    initial: int | None = None,
    max_replications: int = MAX_PRECISION_REPLICATIONS,
    jobs: int | None = 1,
    keep_contacts: bool = True,
    progress: ProgressCallback | None = None,
) -> PrecisionRun:
    """Add replications in batches until every queue's service level is precise enough.

    After each batch the widest 95 % half-width ``h`` of the queues' service
    levels is compared with ``precision``; the next batch aims at ``R (h /
    precision)²`` replications in all (the half-width shrinks as 1/√R), at
    least one more and at most twice as many as so far. Replication ``r``
    uses the streams of ``(seed, r)`` as in :func:`simcenter.simulate`, so
    the results equal ``simulate(scenario, replications=R, seed=seed)``.

    Args:
        scenario: The scenario (or its YAML path).
        precision: Required 95 % half-width of the service level (a
            fraction, 0.01 = one percentage point).
        seed: Base seed (default: the scenario's).
        initial: Replications of the first batch (default: the scenario's
            ``replications``, at least 10).
        max_replications: Stop here even if the precision is not reached.
        jobs: Worker processes (1: this process; None: every core).
        keep_contacts: Keep the per-contact log.
        progress: Called as ``progress(done, total)``; the total grows with the batches.

    Raises:
        ValueError: If ``precision`` is not positive.
    """
    if not precision > 0:
        raise ValueError(f"precision: must be positive (got {precision})")
    from simcenter.experiments import as_scenario

    scenario = as_scenario(scenario)
    base_seed = scenario.seed if seed is None else seed
    total = min(max_replications, max(2, initial or max(10, scenario.replications)))
    folder = contact_log.spool_folder() if keep_contacts else None
    records: list[ReplicationRecord] = []
    meta = run_meta(scenario)
    try:
        while True:
            records += _batch(
                scenario, range(len(records), total), base_seed, jobs, folder, progress
            )
            resolved = scenario.to_dict() | {"seed": base_seed, "replications": len(records)}
            results = Results.from_records(meta, records, resolved, keep_contacts=False)
            widest = widest_service_level_half_width(results.summary)
            if widest < precision or len(records) >= max_replications:
                break
            aim = math.ceil(len(records) * (widest / precision) ** 2)
            total = min(max_replications, 2 * len(records), max(aim, len(records) + 1))
        if keep_contacts:
            results = Results.from_records(meta, records, resolved, keep_contacts=True)
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    if folder is not None and not keep_contacts:
        shutil.rmtree(folder, ignore_errors=True)
    return PrecisionRun(results, precision, len(records), widest < precision, widest)


def widest_service_level_half_width(summary: pd.DataFrame) -> float:
    """The widest 95 % half-width of the queues' service levels (total rows left out).

    Queues where it is undefined (no contact offered) are left out; infinite
    when no queue has one yet.
    """
    queues = reports.queue_rows(summary)
    widths = queues["service_level_ci95"].dropna()
    return float(widths.max()) if len(widths) else math.inf


def _batch(
    scenario: Scenario,
    numbers: range,
    seed: int,
    jobs: int | None,
    folder: Path | None,
    progress: ProgressCallback | None,
) -> list[ReplicationRecord]:
    """Replications ``numbers`` of the scenario, in order; each streams its log into ``folder``."""
    tasks = [
        Task(scenario, n, seed, None if folder is None else contact_log.replication_path(folder, n))
        for n in numbers
    ]
    report = (
        None if progress is None else lambda done, _: progress(numbers.start + done, numbers.stop)
    )
    return run_replications(tasks, jobs=jobs, progress=report)
