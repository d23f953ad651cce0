"""Whether a figure meets its target, given the uncertainty of the figure.

Every verdict simcenter writes (the console table, ``--format json``,
``report.html``, ``compare``, ``sweep`` and ``staff``) comes from :func:`judge`, with
one rule (docs/definitions.md, "Verdicts"): a figure estimated as a mean
over replications, with a 95 % confidence interval ``mean ± half-width``,

- **met** when the whole interval meets the target
  (``mean − half-width ≥ target`` for a service level),
- **missed** when the whole interval misses it
  (``mean + half-width < target``),
- **too close to call** otherwise: the target lies inside the interval, and
  more replications are needed to tell.

Without a half-width (one replication) the mean alone decides. A figure or
a target that does not exist (no contact offered; ``ALL`` when the queues'
targets differ) has no verdict (None).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

    from simcenter.records import RunMeta

Verdict = Literal["met", "missed", "too close to call"]

MET: Verdict = "met"
MISSED: Verdict = "missed"
TOO_CLOSE: Verdict = "too close to call"
VERDICTS: tuple[Verdict, ...] = (MET, MISSED, TOO_CLOSE)
"""The three verdicts, in the order they are counted."""

RULE = (
    "met when the whole 95 % confidence interval of the figure meets the target, missed when "
    "the whole interval misses it, too close to call when the target lies inside the interval "
    "(run more replications); with one replication the mean alone decides"
)
"""The rule of :func:`judge` in words, as the report's definitions give it."""


def judge(
    value: float, half_width: float | None, target: float, *, at_least: bool = True
) -> Verdict | None:
    """The verdict of a figure against its target.

    Args:
        value: The figure (a mean over replications), e.g. a service level
            as a fraction.
        half_width: Its 95 % half-width; None or NaN without one.
        target: The target, in the figure's unit.
        at_least: True when the figure must reach the target (a service
            level), False when it must not exceed it (an abandon rate, an ASA).

    Returns:
        ``"met"``, ``"missed"``, ``"too close to call"``, or None when the
        figure or the target is missing (NaN).
    """
    if _missing(value) or _missing(target):
        return None
    width = 0.0 if half_width is None or _missing(half_width) else abs(float(half_width))
    low, high = float(value) - width, float(value) + width
    if at_least:
        if low >= target:
            return MET
        return MISSED if high < target else TOO_CLOSE
    if high <= target:
        return MET
    return MISSED if low > target else TOO_CLOSE


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(float(value))


@dataclass(frozen=True)
class QueueVerdict:
    """One queue's service level against its objective.

    Attributes:
        queue: Queue name (or a total row's: ``ALL``, ``ALL voice``, ...).
        level: Service level (fraction), NaN if no contact was offered.
        half_width: Its 95 % half-width (NaN without replications to give one).
        threshold_s: Service-level threshold (seconds); NaN for a total row
            when its queues' objectives differ.
        target: Target (fraction); NaN likewise.
        verdict: :func:`judge` of the level, half-width and target.
    """

    queue: str
    level: float
    half_width: float
    threshold_s: float
    target: float
    verdict: Verdict | None


def summary_verdicts(summary: pd.DataFrame, meta: RunMeta) -> dict[str, QueueVerdict]:
    """Queue name (and total row: ``ALL``, ``ALL voice``, ...) -> its service level against
    its objective.

    Args:
        summary: A summary table (``Results.summary`` or ``summary.csv``):
            ``queue``, ``service_level`` and, with replications,
            ``service_level_ci95``.
        meta: The run's queues and their objectives.

    ``ALL`` has an objective only when every queue has the same threshold
    and target; a channel's total row likewise, over the channel's queues.
    """
    objectives = dict(
        zip(meta.queues, zip(meta.sl_threshold_s, meta.sl_target, strict=True), strict=True)
    )
    objectives |= _total_objectives(meta, objectives)
    import pandas as pd

    table = summary.set_index(summary["queue"].astype(str))
    half_widths = table.get("service_level_ci95", pd.Series(math.nan, index=table.index))
    judged = {}
    for queue, level in table["service_level"].items():
        threshold, target = objectives.get(str(queue), (math.nan, math.nan))
        verdict = judge(level, half_widths[queue], target)
        judged[str(queue)] = QueueVerdict(
            str(queue), float(level), float(half_widths[queue]), threshold, target, verdict
        )
    return judged


def _total_objectives(
    meta: RunMeta, objectives: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """The objective (threshold in seconds, target) of each total row whose queues share one."""
    from simcenter.scenario.values import RESERVED_QUEUE_NAME, channel_row_name

    members = {RESERVED_QUEUE_NAME: list(meta.queues)}
    for queue, channel in zip(meta.queues, meta.channels, strict=True):
        members.setdefault(channel_row_name(channel), []).append(queue)
    totals = {}
    for row, queues in members.items():
        common = {objectives[queue] for queue in queues}
        if len(common) == 1:
            totals[row] = common.pop()
    return totals


def queue_verdicts(summary: pd.DataFrame, meta: RunMeta) -> list[QueueVerdict]:
    """The verdict of every queue (not ``ALL`` nor a channel's row), in the scenario's order."""
    judged = summary_verdicts(summary, meta)
    return [
        judged.get(queue, QueueVerdict(queue, math.nan, math.nan, threshold, target, None))
        for queue, threshold, target in zip(
            meta.queues, meta.sl_threshold_s, meta.sl_target, strict=True
        )
    ]


def tally(verdicts: Iterable[QueueVerdict]) -> dict[Verdict | None, int]:
    """How many queues have each verdict (None: no verdict)."""
    counts: dict[Verdict | None, int] = dict.fromkeys((*VERDICTS, None), 0)
    for item in verdicts:
        counts[item.verdict] += 1
    return counts


def worst(verdicts: Iterable[QueueVerdict]) -> QueueVerdict | None:
    """The queue furthest below its target (lowest level − target), or None without one."""
    judged = [item for item in verdicts if item.verdict is not None]
    if not judged:
        return None
    return min(judged, key=lambda item: (item.level - item.target, item.queue))


def headline(verdicts: Iterable[QueueVerdict]) -> str:
    """One sentence: how many queues met, missed or are too close to call, and the worst.

    >>> print(headline([QueueVerdict("a", 0.9, 0.01, 20.0, 0.8, "met"),
    ...                 QueueVerdict("b", 0.65, 0.02, 20.0, 0.8, "missed")]))
    ... # doctest: +NORMALIZE_WHITESPACE
    1 of 2 queues met the service-level target, 1 missed, 0 too close to call;
    worst: b 65.0% against 80%.
    """
    items = list(verdicts)
    counts = tally(items)
    text = (
        f"{counts[MET]:,} of {len(items):,} queues met the service-level target, "
        f"{counts[MISSED]:,} missed, {counts[TOO_CLOSE]:,} too close to call"
    )
    if counts[None]:
        text += f", {counts[None]:,} had no contact"
    bottom = worst(items)
    if bottom is not None and bottom.verdict != MET:
        text += f"; worst: {bottom.queue} {bottom.level * 100:.1f}% against {bottom.target:.0%}"
    return text + "."
