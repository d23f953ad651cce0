"""Staffing: the fewest agents per interval that meet the targets, found by simulation.

The search starts from the analytic requirement of each reporting interval,
Erlang A when the queue's callers abandon (with the mean patience) and
Erlang C otherwise, computed from the interval's expected arrival rate (of
the contacts that come out of the queue's IVR, if it has one) and the mean
handle time plus wrap-up. It then corrects it with the simulation
itself: interval by interval from the first, each group's count is raised
while its queue misses the target in that interval and lowered while it
still meets it, so that it ends at the fewest agents that meet it. Every
candidate is simulated over the whole horizon with the same seeds (common
random numbers), so that two candidates differ only by their staffing.
Because contacts that arrive late in an interval are served in the next
one, a later interval's staffing slightly changes an earlier interval's
figures: the forward pass is repeated (up to :data:`MAX_PASSES` passes)
until a pass changes nothing.

A decision is taken on the mean over the replications; when the mean is
within its 95 % half-width of the target, the replications are doubled (up
to ``max_replications``) and kept at that number for the rest of the search.

Scope: each agent group serves exactly one queue and each queue is served
by exactly one group (no overflow, no rotation); the warm-up is a whole
number of reporting intervals, staffed as the first measured interval.

With an output folder, every simulated candidate is kept as it is finished
(:class:`~simcenter.studies.store.PointStore`): the same call with the same
folder skips the candidates already simulated, and the final files
(``staffing.csv``, ``staffing.png``, ``staffed.yaml``) appear only when the
search is done.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

from simcenter import erlang, reports, workload
from simcenter.arguments import check_integer, check_run
from simcenter.arrivals import rate_pieces
from simcenter.bins import bin_count
from simcenter.clock import ScenarioClock
from simcenter.errors import SimcenterError
from simcenter.experiments import as_scenario
from simcenter.ivr import reach_share
from simcenter.records import run_meta
from simcenter.results import INTERVAL_KEYS
from simcenter.scenario import Scenario
from simcenter.scenario.model import build_scenario
from simcenter.scenario.values import MAX_AGENTS, MAX_REPLICATIONS, clock_text
from simcenter.studies.runner import ExecutorLike, ProgressCallback, Task, run_replications
from simcenter.studies.store import PointStore
from simcenter.units import format_duration
from simcenter.verdicts import Verdict, judge

MAX_PASSES = 3
"""Forward passes over the intervals, at most."""

STAFFING_COLUMNS = (
    "interval_start",
    "group",
    "erlang_agents",
    "required_agents",
    "service_level",
    "service_level_ci95",
    "start_s",
    "queue",
    "erlang_a_agents",
    "abandon_rate",
    "asa_s",
    "cost",
    "verdict",
)
"""Columns of :attr:`StaffingPlan.table` (``staffing.csv``)."""

Kind = Literal["service_level", "abandon_rate", "asa", "cost"]


class StaffingWarning(UserWarning):
    """A staffing search expected to take more than an hour (the message gives the estimate)."""


@dataclass(frozen=True)
class Objective:
    """What a staffing must achieve in every interval.

    Attributes:
        kind: ``service_level`` (at least ``target`` within ``threshold``),
            ``abandon_rate`` (at most ``target``), ``asa`` (at most ``target``
            seconds) or ``cost`` (least agent cost plus ``abandon_cost`` per
            abandoned contact).
        target: The bound (a fraction, or seconds for ``asa``); None for
            ``service_level`` means each queue's own target.
        threshold: Service-level threshold (seconds); None means each
            queue's own.
    """

    kind: Kind = "service_level"
    target: float | None = None
    threshold: float | None = None

    def describe(self) -> str:
        """The objective in words, for messages and the plot's title."""
        if self.kind == "service_level":
            if self.target is None:
                return "each queue's service-level objective"
            return f"{self.target:.0%} in {format_duration(self.threshold or 0.0)}"
        if self.kind == "abandon_rate":
            return f"at most {self.target:.1%} abandoned"
        if self.kind == "asa":
            return f"ASA at most {format_duration(self.target or 0.0)}"
        return "least agent cost plus abandonment cost"


@dataclass(frozen=True)
class StaffingPlan:
    """The result of :func:`staff`.

    Attributes:
        table: One row per measured interval and group (:data:`STAFFING_COLUMNS`):
            the Erlang C and Erlang A requirements, the simulated requirement
            and the figures the last evaluation of the plan gave it.
        scenario: The scenario with that staffing plan for every group.
        objective: What the plan meets.
        replications: Replications per candidate at the end of the search.
        evaluations: Candidates simulated (or read back from the output folder).
    """

    table: pd.DataFrame
    scenario: Scenario
    objective: Objective
    replications: int
    evaluations: int


def staff(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    *,
    target: float | None = None,
    threshold: float | None = None,
    max_abandon: float | None = None,
    max_asa: float | None = None,
    objective: Literal["targets", "cost"] = "targets",
    replications: int = 20,
    max_replications: int = 80,
    seed: int | None = None,
    jobs: int | None = 1,
    executor: ExecutorLike = "local",
    address: str | None = None,
    outdir: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
) -> StaffingPlan:
    """The fewest agents per interval and group that meet the targets.

    Give at most one of: ``target``/``threshold`` (service level; default:
    each queue's own objective), ``max_abandon``, ``max_asa`` or
    ``objective="cost"``.

    Args:
        scenario: The scenario (a :class:`Scenario`, a dict or a YAML path).
        target: Required service level (a fraction) of every queue.
        threshold: Service-level threshold (seconds) of every queue.
        max_abandon: Highest abandonment rate (a fraction).
        max_asa: Highest ASA (seconds).
        objective: ``"targets"`` or ``"cost"``: least agent cost plus each
            queue's ``abandon_cost`` per abandoned contact.
        replications: Replications per candidate at first.
        max_replications: Replications per candidate at most (close decisions).
        seed: Base seed (default: the scenario's).
        jobs: Worker processes (1: this process; None: every core).
        executor: ``"local"``, ``"dask"`` or a :class:`concurrent.futures.Executor`:
            where the candidates' replications run (see :func:`simcenter.simulate`).
        address: Scheduler address of a Dask cluster.
        outdir: Output folder: candidates are kept there as they finish, so a
            rerun resumes, and ``staffing.csv``, ``staffing.png`` and
            ``staffed.yaml`` are written there at the end. None: keep nothing.
        progress: Called as ``progress(done, total)`` for each candidate's replications.

    Returns:
        The plan.

    Raises:
        TypeError, ValueError: ``replications``, ``max_replications``,
            ``seed`` or ``jobs`` of the wrong type or out of range (the
            message names the argument).
        SimcenterError: Conflicting objectives, or a scenario outside the
            search's scope (see the module description).
    """
    check_run(None, seed, jobs)
    check_integer("replications", replications, 2, MAX_REPLICATIONS, optional=False)
    check_integer("max_replications", max_replications, replications, MAX_REPLICATIONS)
    base = as_scenario(scenario)
    goal = _objective(target, threshold, max_abandon, max_asa, objective)
    if goal.kind == "service_level" and goal.target is not None:
        base = _with_service_level(base, goal.target, goal.threshold)
    search = _Search(base, goal, replications, max_replications, seed, jobs, progress)
    search.executor, search.address = executor, address
    spec = {
        "scenario": base.to_dict(),
        "objective": vars(goal),
        "seed": search.seed,
        "replications": replications,
        "max_replications": max_replications,
    }
    store = None if outdir is None else PointStore(outdir, "staff", spec)
    try:
        search.store = store
        plan = search.run()
        if store is not None:
            store.finish(_writers(plan))
    finally:
        if store is not None:
            store.close()
    return plan


# --- the objective --------------------------------------------------------------------


def _objective(
    target: float | None,
    threshold: float | None,
    max_abandon: float | None,
    max_asa: float | None,
    objective: str,
) -> Objective:
    chosen = [
        name
        for name, given in (
            ("target/threshold", target is not None or threshold is not None),
            ("max_abandon", max_abandon is not None),
            ("max_asa", max_asa is not None),
            ("objective=cost", objective == "cost"),
        )
        if given
    ]
    if len(chosen) > 1:
        raise SimcenterError(f"staff: give one objective (got {', '.join(chosen)})")
    if objective not in ("targets", "cost"):
        raise SimcenterError(f'staff: objective must be "targets" or "cost" (got "{objective}")')
    if objective == "cost":
        return Objective("cost")
    if max_abandon is not None:
        _check_fraction("max_abandon", max_abandon)
        return Objective("abandon_rate", max_abandon)
    if max_asa is not None:
        if not max_asa > 0:
            raise SimcenterError(f"staff: max_asa must be positive seconds (got {max_asa})")
        return Objective("asa", max_asa)
    if target is None and threshold is None:
        return Objective()
    target = 0.8 if target is None else target
    _check_fraction("target", target)
    threshold = 20.0 if threshold is None else threshold
    if not threshold >= 0:
        raise SimcenterError(f"staff: threshold must be non-negative seconds (got {threshold})")
    return Objective("service_level", target, threshold)


def _check_fraction(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise SimcenterError(f"staff: {name} must be a fraction between 0 and 1 (got {value})")


def _with_service_level(scenario: Scenario, target: float, threshold: float | None) -> Scenario:
    """The scenario with every queue's objective set to ``target`` within ``threshold``."""
    data = scenario.to_dict()
    for queue in data["queues"]:
        queue["service_level"] = {
            **queue.get("service_level", {}),
            "target": target,
            "threshold": threshold,
        }
    return build_scenario(data)


# --- the analytic start ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One group and the one queue it serves."""

    group: str
    queue: str
    aht_s: float
    patience_s: float | None
    threshold_s: float
    target: float
    cost_per_hour: float
    abandon_cost: float


def _lines(scenario: Scenario) -> list[_Line]:
    """Each group with the one queue it serves.

    Raises:
        SimcenterError: A group serves several queues, a queue has several
            groups or none, a queue overflows, or a group rotates.
    """
    served: dict[str, list[str]] = {queue.name: [] for queue in scenario.queues}
    for group in scenario.agents:
        if len(group.skills) != 1 or group.rotation is not None:
            raise SimcenterError(
                f'staff: agent group "{group.name}" serves {len(group.skills)} queues'
                f"{' in rotation' if group.rotation else ''}; the staffing search supports "
                "one group per queue, each serving that queue only"
            )
        served[next(iter(group.skills))].append(group.name)
    for queue in scenario.queues:
        groups = served[queue.name]
        if len(groups) != 1 or queue.overflow is not None:
            raise SimcenterError(
                f'staff: queue "{queue.name}" is served by {len(groups)} groups'
                f"{' with overflow' if queue.overflow else ''}; the staffing search supports "
                "exactly one group per queue"
            )
    queues = {queue.name: queue for queue in scenario.queues}
    lines = []
    for group in scenario.agents:
        name = next(iter(group.skills))
        queue = queues[name]
        level = scenario.service_level_of(queue)
        factor = group.skills[name].handle_time_factor
        lines.append(
            _Line(
                group=group.name,
                queue=name,
                aht_s=queue.handle_time.build().mean * factor + queue.wrap_up.build().mean,
                patience_s=None if queue.patience is None else queue.patience.build().mean,
                threshold_s=level.threshold,
                target=level.target,
                cost_per_hour=group.cost_per_hour,
                abandon_cost=queue.abandon_cost,
            )
        )
    return lines


def interval_rates(scenario: Scenario) -> dict[str, list[float]]:
    """Each queue's mean rate (per second) of contacts offered to agents in each measured
    reporting interval: its arrivals, times the share that comes out of its IVR."""
    clock = ScenarioClock(scenario.start_at)
    count = bin_count(scenario.horizon, scenario.interval)
    edges = [scenario.warmup + k * scenario.interval for k in range(count)] + [scenario.end_s]
    rates = {}
    for queue in scenario.queues:
        arrived = [0.0] * count
        pieces = rate_pieces(queue.arrivals, clock, scenario.end_s, scenario.calendar)
        for start, end, rate in pieces:
            for k in range(count):
                overlap = min(end, edges[k + 1]) - max(start, edges[k])
                if overlap > 0:
                    arrived[k] += rate * overlap
        share = 1.0 if queue.ivr is None else reach_share(queue.ivr)
        rates[queue.name] = [
            share * arrived[k] / (edges[k + 1] - edges[k]) for k in range(count)
        ]
    return rates


def arrivals_by_interval_end(scenario: Scenario) -> dict[str, list[float]]:
    """Each queue's expected arrivals from time 0 to the end of each measured interval."""
    clock = ScenarioClock(scenario.start_at)
    count = bin_count(scenario.horizon, scenario.interval)
    ends = [scenario.warmup + (k + 1) * scenario.interval for k in range(count - 1)]
    ends.append(scenario.end_s)
    arrived = {}
    for queue in scenario.queues:
        pieces = list(rate_pieces(queue.arrivals, clock, scenario.end_s, scenario.calendar))
        arrived[queue.name] = [
            math.fsum(rate * max(0.0, min(end, stop) - start) for start, stop, rate in pieces)
            for end in ends
        ]
    return arrived


def erlang_requirement(
    line: _Line, rate: float, goal: Objective, interval_s: float, patience: bool
) -> int:
    """Agents the Erlang formula asks for (Erlang A with ``patience``, else Erlang C).

    0 when no contact is expected. Erlang C cannot express abandonment: for
    an abandonment or cost objective without patience it gives the fewest
    agents that keep the queue stable.
    """
    if rate <= 0:
        return 0
    load = rate * line.aht_s
    mean_patience = line.patience_s if patience and line.patience_s else math.inf

    def measures(agents: int) -> erlang.ErlangResult:
        if math.isinf(mean_patience):
            return erlang.erlang_c(rate, line.aht_s, agents, line.threshold_s)
        return erlang.erlang_a(rate, line.aht_s, mean_patience, agents, line.threshold_s)

    stable = math.floor(load) + 1
    if goal.kind == "cost":
        if math.isinf(mean_patience):
            return stable
        hours = interval_s / 3600
        upper = max(stable, 1) * 2 + 10
        return min(
            range(1, upper),
            key=lambda n: (
                n * hours * line.cost_per_hour
                + line.abandon_cost * rate * interval_s * measures(n).p_abandon
            ),
        )

    def meets(agents: int) -> bool:
        result = measures(agents)
        if goal.kind == "service_level":
            return result.service_level >= line.target
        if goal.kind == "abandon_rate":
            return result.p_abandon <= (goal.target or 0.0)
        return result.asa <= (goal.target or 0.0)

    first = 1 if not math.isinf(mean_patience) else stable
    found = fewest_meeting(meets, first, 10 * stable + 100)
    if found is None:
        raise SimcenterError(f'staff: no staffing of queue "{line.queue}" meets {goal.describe()}')
    return found


def fewest_meeting(meets: Callable[[int], bool], low: int, high: int) -> int | None:
    """The fewest agents from ``low`` (below ``high``) that meet, ``meets`` only improving.

    Gallops up from ``low`` with steps that double (1, 2, 4, ...) until a
    count meets, then bisects between the last count that missed and it:
    about ``2 log2(answer - low)`` evaluations instead of ``answer - low``.
    None when no count below ``high`` meets.

    >>> fewest_meeting(lambda n: n * n >= 2_000_000, 1, 10**6)
    1415
    """
    if meets(low):
        return low
    missed, step = low, 1
    while True:
        candidate = min(missed + step, high - 1)
        if candidate <= missed:
            return None
        if meets(candidate):
            break
        missed, step = candidate, 2 * step
    met = candidate
    while met - missed > 1:
        middle = (missed + met) // 2
        if meets(middle):
            met = middle
        else:
            missed = middle
    return met


# --- the simulated search -----------------------------------------------------------------


@dataclass
class _Decision:
    """The search for one group's count in one interval."""

    count: int
    floor: int
    direction: int = 0  # cost: +1 going up, -1 going down
    costs: dict[int, float] = field(default_factory=dict)
    done: bool = False
    missed: int | None = None  # targets: the most agents seen to miss
    met: int | None = None  # targets: the fewest agents seen to meet
    step: int = 1

    def observe_target(self, ok: bool) -> None:
        """Move after learning whether ``count`` meets the target.

        Gallops away from the start (down from a count that meets, up from
        one that misses) with steps that double, 1, 2, 4, ..., until the
        verdict changes, then bisects between the most agents seen to miss
        and the fewest seen to meet: about ``2 log2(distance)`` candidates
        instead of one per agent. Ends at the fewest agents seen to meet.
        """
        if ok:
            self.met = self.count if self.met is None else min(self.met, self.count)
        else:
            self.missed = self.count if self.missed is None else max(self.missed, self.count)
        if self.met is not None and (self.met <= self.floor or self.missed is not None):
            if self.met <= self.floor or self.met - self.missed <= 1:  # type: ignore[operator]
                self.count, self.done = self.met, True
            else:
                self.count = (self.met + self.missed) // 2  # type: ignore[operator]
            return
        if self.count >= MAX_AGENTS:
            raise SimcenterError(
                f"staff: no staffing of up to {MAX_AGENTS:,} agents per group meets the target"
            )
        self.count = max(self.floor, self.count - self.step) if ok else self.count + self.step
        self.count = min(self.count, MAX_AGENTS)
        self.step *= 2

    def observe_cost(self, cost: float) -> None:
        """Move towards lower cost; stop at a local minimum."""
        self.costs[self.count] = cost
        best = min(self.costs, key=lambda n: (self.costs[n], n))
        if self.direction == 0:
            self.direction = 1
            self.count += 1
            return
        if best == self.count:
            if self.count + self.direction < self.floor:
                self.done = True
            else:
                self.count += self.direction
            return
        if self.direction > 0 and len(self.costs) == 2 and best + 1 == self.count:
            self.direction = -1  # going up made it worse: try fewer
            if best - 1 < self.floor or best - 1 in self.costs:
                self.count, self.done = best, True
            else:
                self.count = best - 1
            return
        self.count, self.done = best, True


class _Search:
    """The state of one staffing search."""

    def __init__(
        self,
        scenario: Scenario,
        goal: Objective,
        replications: int,
        max_replications: int,
        seed: int | None,
        jobs: int | None,
        progress: ProgressCallback | None,
    ) -> None:
        if replications < 2 or max_replications < replications:
            raise SimcenterError(
                "staff: replications must be at least 2 and at most max_replications "
                f"(got {replications} and {max_replications})"
            )
        if not math.isclose(
            scenario.warmup / scenario.interval, round(scenario.warmup / scenario.interval)
        ):
            raise SimcenterError(
                "staff: the warm-up must be a whole number of reporting intervals "
                f"(got {format_duration(scenario.warmup)} with intervals of "
                f"{format_duration(scenario.interval)})"
            )
        self.scenario = scenario
        self.goal = goal
        self.lines = _lines(scenario)
        if goal.kind == "cost":
            for line in self.lines:
                if line.patience_s is None or line.abandon_cost <= 0:
                    raise SimcenterError(
                        f'staff: the cost objective needs patience and an abandon_cost on queue "'
                        f'{line.queue}" (without them the cheapest staffing has one agent)'
                    )
        self.replications = replications
        self.max_replications = max_replications
        self.seed = scenario.seed if seed is None else seed
        self.jobs = jobs
        self.executor: ExecutorLike = "local"
        self.address: str | None = None
        self.progress = progress
        self.store: PointStore | None = None
        self.memory: dict[str, pd.DataFrame] = {}
        self.evaluations = 0
        self.meta = run_meta(scenario)
        rates = interval_rates(scenario)
        self.rates = {line.group: rates[line.queue] for line in self.lines}
        arrived = arrivals_by_interval_end(scenario)
        self.arrived = {line.group: arrived[line.queue] for line in self.lines}
        self.intervals = len(next(iter(rates.values())))
        self.lead = round(scenario.warmup / scenario.interval)

    # --- candidates -----------------------------------------------------------------

    def erlang(self, patience: bool) -> dict[str, list[int]]:
        """Every group's Erlang requirement per interval."""
        return {
            line.group: [
                erlang_requirement(line, rate, self.goal, self.scenario.interval, patience)
                for rate in self.rates[line.group]
            ]
            for line in self.lines
        }

    def candidate(self, plan: Mapping[str, list[int]]) -> Scenario:
        """The scenario with each group staffed by its plan (the warm-up as the first interval)."""
        data = self.scenario.to_dict()
        start = self.scenario.start_at
        for group in data["agents"]:
            counts = plan[group["name"]]
            group.pop("count", None)
            group["staffing"] = {
                "interval": self.scenario.interval,
                "start": clock_text(start.hour * 3600 + start.minute * 60 + start.second),
                "counts": [counts[0]] * self.lead + list(counts),
            }
        return build_scenario(data)

    def evaluate(self, plan: Mapping[str, list[int]]) -> pd.DataFrame:
        """Interval figures of a plan (combined over the current replications), cached."""
        key = json.dumps({"plan": dict(plan), "replications": self.replications}, sort_keys=True)
        if key in self.memory:
            return self.memory[key]
        if self.store is not None and self.store.has(key):
            frame = self.store.get(key)
        else:
            scenario = self.candidate(plan)
            tasks = [Task(scenario, r, self.seed) for r in range(self.replications)]
            records = run_replications(
                tasks,
                executor=self.executor,
                address=self.address,
                jobs=self.jobs,
                progress=self.progress,
            )
            frames = [reports.replication_intervals(self.meta, record) for record in records]
            combined = reports.combine(frames, INTERVAL_KEYS)
            frame = combined[
                [
                    "interval",
                    "start_s",
                    "queue",
                    "offered",
                    "abandoned",
                    "service_level",
                    "service_level_ci95",
                    "abandon_rate",
                    "abandon_rate_ci95",
                    "asa_s",
                    "asa_s_ci95",
                ]
            ].reset_index(drop=True)
            frame["queue"] = frame["queue"].astype(str)
            if self.store is not None:
                self.store.add(key, frame)
        self.evaluations += 1
        self.memory[key] = frame
        return frame

    # --- decisions ------------------------------------------------------------------

    def figures(self, frame: pd.DataFrame, line: _Line, interval: int) -> pd.Series:
        rows = frame[(frame["queue"] == line.queue) & (frame["interval"] == interval)]
        return rows.iloc[0]

    def verdict(self, row: pd.Series, line: _Line) -> tuple[bool, bool]:
        """(the mean meets the target, the decision is close: within the half-width)."""
        value, half_width, bound, at_least = self.goal_figure(row, line)
        if pd.isna(value):  # no contact offered (or none answered): nothing to miss
            return True, False
        ok = value >= bound if at_least else value <= bound
        close = not pd.isna(half_width) and abs(value - bound) < half_width
        return bool(ok), bool(close)

    def goal_figure(self, row: pd.Series, line: _Line) -> tuple[float, float, float, bool]:
        """(figure, its 95 % half-width, its bound, whether it must be at least the bound)."""
        figure, bound, at_least = {
            "service_level": ("service_level", line.target, True),
            "abandon_rate": ("abandon_rate", self.goal.target, False),
            "asa": ("asa_s", self.goal.target, False),
        }[self.goal.kind]
        assert bound is not None  # every goal of these kinds has its target
        return row[figure], row[f"{figure}_ci95"], float(bound), at_least

    def judged(self, row: pd.Series, line: _Line) -> Verdict | None:
        """The interval's figure against the objective (None for the cost objective)."""
        if self.goal.kind == "cost":
            return None
        value, half_width, bound, at_least = self.goal_figure(row, line)
        return judge(value, half_width, bound, at_least=at_least)

    def cost(self, row: pd.Series, line: _Line, count: int) -> float:
        """Agent cost plus abandonment cost of one interval, per replication."""
        return count * self.scenario.interval / 3600 * line.cost_per_hour + line.abandon_cost * (
            0.0 if pd.isna(row["abandoned"]) else float(row["abandoned"])
        )

    def settle(self, plan: dict[str, list[int]], interval: int) -> bool:
        """Search every group's count of one interval; True when a count changed."""
        decisions = {
            line.group: _Decision(
                plan[line.group][interval], 1 if self.rates[line.group][interval] > 0 else 0
            )
            for line in self.lines
        }
        for group, decision in decisions.items():
            if self.rates[group][interval] <= 0:
                decision.count, decision.done = 0, True
        before = {group: plan[group][interval] for group in plan}
        while not all(decision.done for decision in decisions.values()):
            for group, decision in decisions.items():
                plan[group][interval] = decision.count
            frame = self.evaluate(plan)
            if self.goal.kind != "cost" and self._close_call(frame, decisions, interval):
                self.replications = min(self.max_replications, 2 * self.replications)
                frame = self.evaluate(plan)
            for line in self.lines:
                decision = decisions[line.group]
                if decision.done:
                    continue
                row = self.figures(frame, line, interval)
                if self.goal.kind == "cost":
                    decision.observe_cost(self.cost(row, line, decision.count))
                else:
                    decision.observe_target(self.verdict(row, line)[0])
        for group, decision in decisions.items():
            plan[group][interval] = decision.count
        return any(plan[group][interval] != before[group] for group in plan)

    def _close_call(
        self, frame: pd.DataFrame, decisions: dict[str, _Decision], interval: int
    ) -> bool:
        if self.replications >= self.max_replications:
            return False
        return any(
            self.verdict(self.figures(frame, line, interval), line)[1]
            for line in self.lines
            if not decisions[line.group].done
        )

    def start(self, erlang_a: Mapping[str, list[int]]) -> dict[str, list[int]]:
        """The first candidate: Erlang A, but never more agents than contacts can be there.

        Erlang's figures are those of a steady state; when the handle time is
        long against the time elapsed (days of handling in a day's horizon),
        they ask for agents no contact could ever occupy. By the end of
        interval ``k`` at most the contacts arrived since the start can be in
        the system: their expected number ``m`` plus four standard
        deviations (``4 √m``, Poisson) bounds the start.
        """
        plan = {}
        for line in self.lines:
            bounds = [math.ceil(m + 4 * math.sqrt(m)) + 1 for m in self.arrived[line.group]]
            plan[line.group] = [
                min(count, bound) for count, bound in zip(erlang_a[line.group], bounds, strict=True)
            ]
        return plan

    def estimate(self, plan: Mapping[str, list[int]]) -> tuple[int, float]:
        """Expected candidates of the search from ``plan``, and their processor time (seconds).

        Per interval, a gallop and a bisection over the distance from the
        start to the answer, taken as the start itself at most
        (``2 log2(start) + 2`` candidates), then two candidates for each later
        pass; each candidate costs what :func:`simcenter.workload.estimate`
        gives for the first candidate.
        """
        largest = [max(plan[g][k] for g in plan) for k in range(self.intervals)]
        candidates = sum(2 * math.ceil(math.log2(count + 1)) + 2 for count in largest)
        candidates += 2 * self.intervals * (MAX_PASSES - 1)
        each = workload.estimate(self.candidate(plan), self.replications, keep_contacts=False)
        workload.check(each, self._workers())
        return candidates, candidates * each.cpu_s

    def _workers(self) -> int:
        from simcenter.stops import available_cores

        return min(self.replications, self.jobs or available_cores())

    def run(self) -> StaffingPlan:
        """Search the plan, pass by pass, and describe it."""
        erlang_c = self.erlang(patience=False)
        erlang_a = self.erlang(patience=True)
        plan = self.start(erlang_a)
        candidates, cpu_s = self.estimate(plan)
        wall_s = cpu_s / self._workers()
        if wall_s > workload.WARN_AFTER_S:
            warnings.warn(
                StaffingWarning(
                    f"warning: this staffing search may take about {format_duration(wall_s)} "
                    f"(about {candidates:,} candidates of {self.replications} replications); "
                    "press Ctrl-C to stop it"
                ),
                stacklevel=3,
            )
        for _ in range(MAX_PASSES):
            changed = [self.settle(plan, interval) for interval in range(self.intervals)]
            if not any(changed):
                break
        return StaffingPlan(
            table=self.table(plan, erlang_c, erlang_a, self.evaluate(plan)),
            scenario=self.candidate(plan),
            objective=self.goal,
            replications=self.replications,
            evaluations=self.evaluations,
        )

    def table(
        self,
        plan: Mapping[str, list[int]],
        erlang_c: Mapping[str, list[int]],
        erlang_a: Mapping[str, list[int]],
        frame: pd.DataFrame,
    ) -> pd.DataFrame:
        rows = []
        start = pd.Timestamp(self.scenario.start_at)
        for interval in range(self.intervals):
            for line in self.lines:
                row = self.figures(frame, line, interval)
                count = plan[line.group][interval]
                rows.append(
                    {
                        "interval_start": start + pd.to_timedelta(row["start_s"], unit="s"),
                        "group": line.group,
                        "erlang_agents": erlang_c[line.group][interval],
                        "required_agents": count,
                        "service_level": row["service_level"],
                        "service_level_ci95": row["service_level_ci95"],
                        "start_s": row["start_s"],
                        "queue": line.queue,
                        "erlang_a_agents": erlang_a[line.group][interval],
                        "abandon_rate": row["abandon_rate"],
                        "asa_s": row["asa_s"],
                        "cost": self.cost(row, line, count),
                        "verdict": self.judged(row, line),
                    }
                )
        return pd.DataFrame(rows, columns=list(STAFFING_COLUMNS))


# --- output files ---------------------------------------------------------------------------


def _writers(plan: StaffingPlan) -> dict[str, Callable[[Path], None]]:
    return {
        "staffing.csv": lambda path: write_table(plan, path),
        "staffing.png": lambda path: plot(plan).savefig(path, dpi=100),
        "staffed.yaml": lambda path: write_scenario(plan, path),
    }


def write_table(plan: StaffingPlan, path: Path) -> None:
    """Write ``staffing.csv`` (``interval_start`` in ISO 8601 with its offset)."""
    from simcenter.text import csv_safe

    table = plan.table.assign(
        interval_start=plan.table["interval_start"].map(pd.Timestamp.isoformat)
    )
    csv_safe(table).to_csv(path, index=False)


def write_scenario(plan: StaffingPlan, path: Path) -> None:
    """Write ``staffed.yaml``: the scenario with the plan as every group's ``staffing``."""
    with path.open("w", encoding="utf-8") as file:
        file.write(
            f"# Staffed by simcenter staff: {plan.objective.describe()}.\n"
            "# simcenter run on this file checks the plan with fresh replications.\n"
        )
        yaml.safe_dump(plan.scenario.to_dict(), file, sort_keys=False, allow_unicode=True)


def plot(plan: StaffingPlan):  # -> matplotlib.figure.Figure
    """Erlang C, Erlang A and the simulated requirement per interval, one panel per group."""
    from simcenter.plotting import plain_text

    return plain_text(_plot)(plan)


def _plot(plan: StaffingPlan):  # -> matplotlib.figure.Figure
    from matplotlib.figure import Figure

    groups = list(dict.fromkeys(plan.table["group"]))
    interval_s = plan.scenario.interval
    figure = Figure(figsize=(8, 2.6 * len(groups) + 0.6), layout="constrained")
    axes = figure.subplots(len(groups), 1, squeeze=False)[:, 0]
    for axis, group in zip(axes, groups, strict=True):
        rows = plan.table[plan.table["group"] == group]
        times = list(rows["interval_start"].dt.tz_localize(None))
        times.append(times[-1] + pd.Timedelta(seconds=interval_s))  # the last interval's end
        for column, label, style in (
            ("erlang_agents", "Erlang C", ":"),
            ("erlang_a_agents", "Erlang A", "--"),
            ("required_agents", "simulation", "-"),
        ):
            values = [*rows[column], rows[column].iloc[-1]]
            axis.step(times, values, where="post", linestyle=style, label=label)
        axis.set_title(f"{group}: agents required ({plan.objective.describe()})")
        axis.set_ylabel("agents")
        axis.legend(loc="best")
    return figure
