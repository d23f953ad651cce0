"""Scenario lint: warnings about scenarios that are valid but probably not what was meant.

A scenario can pass every check of the schema and still describe a centre
that a planner would not want to simulate as it stands: callers arrive while
nobody who could answer them is on duty, a queue without abandonment that can
never be served out, an overflow to agents who already take the queue. The
simulation runs such scenarios as written; :func:`lint` says what looks wrong,
each warning with the key path it is about (the command line adds the file
and line).

The arrival rates and staffing are read over the simulated time ``[0,
warmup + horizon)`` exactly as the engine reads them (``arrivals.rate_pieces``,
``agents.staffing_changes`` and the shifts of ``rota.shift_times``); a group's
agents on duty are those rostered by its count or plan and its shifts
(absence, outages and breaks aside). A group *serves* a queue when the queue is
one of its skills or the queue overflows to it; rotation is not taken into
account (a rotating group counts as serving all of its skills).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeGuard

from simcenter import lint_calendar, lint_customers
from simcenter.agents import staffing_changes
from simcenter.arrivals import RatePiece, rate_pieces
from simcenter.clock import ScenarioClock
from simcenter.errors import Location, Problem
from simcenter.formats import erlangs, money
from simcenter.rota import BreakTime, ShiftTime, shift_times
from simcenter.scenario import AgentGroupSpec, QueueSpec, Scenario
from simcenter.scenario.shifts import ShiftSpec
from simcenter.scenario.values import clock_text
from simcenter.units import format_duration

PLAN_GAP_S = 3600.0
"""A staffing plan that stops at least this long (seconds) before the arrivals do is flagged."""

MARGIN_S = 3600.0
"""Agents on duty this long (seconds) after arrivals stop or before they start are not idle."""

MIN_UNCOVERED_CONTACTS = 1.0
"""Expected contacts arriving with nobody on duty from which a queue is flagged."""

Segment = tuple[float, float, int]
"""``(start_s, end_s, agents)``: agents on duty on ``[start_s, end_s)``."""


def lint(scenario: Scenario, data: Mapping[str, Any] | None = None) -> list[Problem]:
    """Every warning about a valid scenario, each with its key path, in the order of the checks.

    Args:
        scenario: The validated scenario.
        data: The scenario as written (the parsed YAML, overrides applied),
            when there is one: plain numbers are checked there
            (:func:`plain_numbers`), since units are gone once validated.
    """
    timeline = _Timeline.of(scenario)
    warnings: list[Problem] = [] if data is None else plain_numbers(data)
    for check in _CHECKS:
        warnings += check(scenario, timeline)
    return warnings


# --- plain numbers ---------------------------------------------------------------------------

SHORTEST_PERIOD_S = 60.0
"""A horizon or interval written as a plain number below this (seconds) is flagged."""

HIGHEST_RATE_PER_S = 10.0
"""An arrival rate written as a plain number above this (per second) is flagged."""

SHORTEST_DURATION_S = 5.0
"""A handle time or patience written as a plain number below this (seconds) is flagged."""


def plain_numbers(data: Mapping[str, Any]) -> list[Problem]:
    """Plain numbers (no unit) that are implausible as seconds or as a rate per second.

    The format reads a plain number as seconds (a rate as per second), so
    ``horizon: 8`` simulates 8 seconds and ``rate: 120`` is 120 contacts per
    second. Flagged: a horizon or interval under :data:`SHORTEST_PERIOD_S`,
    a rate over :data:`HIGHEST_RATE_PER_S`, a handle-time or patience mean
    (or uniform ``high``) under :data:`SHORTEST_DURATION_S`; in the queues
    and in the templates they take keys from.
    """
    warnings = [
        _plain_warning((key,), value, "seconds", f"{value:g}{unit}")
        for key, unit in (("horizon", "h"), ("interval", "min"))
        if _is_plain(value := data.get(key)) and 0 < value < SHORTEST_PERIOD_S
    ]
    for path, queue in _queue_bodies(data):
        arrivals = queue.get("arrivals")
        rate = arrivals.get("rate") if isinstance(arrivals, Mapping) else None
        if _is_plain(rate) and rate > HIGHEST_RATE_PER_S:
            warnings.append(
                _plain_warning(
                    (*path, "arrivals", "rate"), rate, "contacts per second", f"{rate:g}/h"
                )
            )
        for key in ("handle_time", "patience"):
            for where, spec in _distributions_of(queue.get(key), (*path, key)):
                for parameter in ("mean", "high"):
                    value = spec.get(parameter)
                    if _is_plain(value) and 0 < value < SHORTEST_DURATION_S:
                        warnings.append(
                            _plain_warning((*where, parameter), value, "seconds", f"{value:g}min")
                        )
    return warnings


def _distributions_of(spec: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """The distribution mappings of a time as written: itself, or each of its periods' values."""
    if not isinstance(spec, Mapping):
        return
    periods = spec.get("periods")
    values = periods.get("values") if isinstance(periods, Mapping) else None
    if isinstance(values, list):
        for index, value in enumerate(values):
            if isinstance(value, Mapping):
                yield (*path, "periods", "values", index), value
    else:
        yield path, spec


def _queue_bodies(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    """Every queue and every template of the raw data, with its key path."""
    queues = data.get("queues")
    if isinstance(queues, list):
        for index, queue in enumerate(queues):
            if isinstance(queue, Mapping):
                yield ("queues", index), queue
    templates = data.get("templates")
    if isinstance(templates, Mapping):
        for name, body in templates.items():
            if isinstance(body, Mapping):
                yield ("templates", name), body


def _is_plain(value: Any) -> TypeGuard[float]:
    """A number written without a unit (YAML ``8``, not ``"8h"``; never ``true``)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plain_warning(loc: tuple[Any, ...], value: float, unit: str, example: str) -> Problem:
    return Problem(
        loc,
        f"the plain number {value:g} is read as {value:g} {unit}; if that is not what was "
        f"meant, write a unit (for example {example})",
    )


# --- arrivals and staffing over the simulated time ------------------------------------------


@dataclass(frozen=True)
class _Timeline:
    """Arrival rates and agents on duty over ``[0, end_s)``.

    Attributes:
        end_s: End of the simulated time (seconds): warm-up plus horizon.
        start: Calendar time of simulation time 0 (timezone-aware).
        arrivals: Per queue, its pieces of positive rate, in time order.
        servers: Per queue, the indices of the groups that serve it.
        staffing: Per group, its on-duty count changes ``(time_s, agents)``:
            those of its count or plan and of its shifts together.
        shifts: Per group, its shift occurrences (:func:`~simcenter.rota.shift_times`).
    """

    end_s: float
    start: datetime
    arrivals: list[list[RatePiece]]
    servers: list[list[int]]
    staffing: list[list[tuple[float, int]]]
    shifts: list[list[ShiftTime]]
    _uncovered: dict[int, list[_Uncovered]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, scenario: Scenario) -> _Timeline:
        clock = ScenarioClock(scenario.start_at)
        end = scenario.end_s
        shifts = [
            shift_times(index, group, scenario.start_at, end)
            for index, group in enumerate(scenario.agents)
        ]
        return cls(
            end_s=end,
            start=scenario.start_at,
            arrivals=[
                [
                    piece
                    for piece in rate_pieces(queue.arrivals, clock, end, scenario.calendar)
                    if piece[2] > 0
                ]
                for queue in scenario.queues
            ],
            servers=[_servers(scenario, queue) for queue in scenario.queues],
            staffing=[
                _rostered(list(staffing_changes(group, clock, end)), occurrences, end)
                for group, occurrences in zip(scenario.agents, shifts, strict=True)
            ],
            shifts=shifts,
        )

    def expected_contacts(self, queue: int) -> float:
        """Expected arrivals of a queue over the simulated time."""
        return sum(rate * (end - start) for start, end, rate in self.arrivals[queue])

    def on_duty(self, queue: int) -> list[Segment]:
        """Agents on duty who serve a queue, as consecutive segments covering ``[0, end_s)``."""
        groups = self.servers[queue]
        events = sorted(
            (time, slot, count)
            for slot, group in enumerate(groups)
            for time, count in self.staffing[group]
        )
        counts = [0] * len(groups)
        segments: list[Segment] = []
        last = 0.0
        for time, slot, count in events:
            if time > last:
                segments.append((last, time, sum(counts)))
                last = time
            counts[slot] = count
        segments.append((last, self.end_s, sum(counts)))
        return segments

    def uncovered(self, queue: int) -> list[_Uncovered]:
        """The stretches of a queue with arrivals and no agent on duty who serves it (cached)."""
        if queue not in self._uncovered:
            self._uncovered[queue] = _uncovered(self, queue)
        return self._uncovered[queue]

    def local(self, seconds: float) -> datetime:
        """Calendar time (in the scenario's zone) of a simulation time.

        Elapsed seconds are added in UTC, so that a time after a
        daylight-saving change reads as the clocks show it.
        """
        moment = self.start.astimezone(timezone.utc) + timedelta(seconds=seconds)
        return moment.astimezone(self.start.tzinfo)


def _rostered(
    changes: list[tuple[float, int]], occurrences: list[ShiftTime], end_s: float
) -> list[tuple[float, int]]:
    """A group's on-duty count changes: those of its count or plan plus its shifts' agents.

    Starts at time 0; then one change per instant where the count changes, before ``end_s``.
    """
    deltas: dict[float, int] = {}
    previous = 0
    for time, count in changes:
        deltas[time] = deltas.get(time, 0) + count - previous
        previous = count
    for occurrence in occurrences:
        for time, delta in (
            (max(occurrence.start_s, 0.0), occurrence.count),
            (occurrence.end_s, -occurrence.count),
        ):
            if time < end_s:
                deltas[time] = deltas.get(time, 0) + delta
    rostered, level = [(0.0, 0)], 0
    for time in sorted(deltas):
        level += deltas[time]
        if time == 0.0:
            rostered[0] = (0.0, level)
        elif level != rostered[-1][1]:
            rostered.append((time, level))
    return rostered


def _servers(scenario: Scenario, queue: QueueSpec) -> list[int]:
    overflow = set(queue.overflow.to) if queue.overflow is not None else set()
    return [
        index
        for index, group in enumerate(scenario.agents)
        if queue.name in group.skills or group.name in overflow
    ]


@dataclass(frozen=True)
class _Uncovered:
    """A stretch of time when contacts arrive and nobody who serves their queue is on duty.

    Attributes:
        start_s: Start (seconds).
        end_s: End (seconds).
        contacts: Expected arrivals in the stretch.
        after_duty: Agents who serve the queue were on duty just before it.
        arrivals_stop: No contact arrives just after it (before the end of the run).
    """

    start_s: float
    end_s: float
    contacts: float
    after_duty: bool
    arrivals_stop: bool


def _uncovered(timeline: _Timeline, queue: int) -> list[_Uncovered]:
    """The stretches of a queue with arrivals and no agent on duty who serves it."""
    pieces = timeline.arrivals[queue]
    segments = timeline.on_duty(queue)
    spans: list[list[float]] = []  # [start, end, contacts]
    for start, end, rate in _overlaps(pieces, [seg for seg in segments if seg[2] == 0]):
        if spans and spans[-1][1] == start:
            spans[-1][1] = end
            spans[-1][2] += rate * (end - start)
        else:
            spans.append([start, end, rate * (end - start)])
    staffed_until = {end for _, end, agents in segments if agents > 0}
    return [
        _Uncovered(
            start,
            end,
            contacts,
            after_duty=start in staffed_until,
            arrivals_stop=end < timeline.end_s and not _arriving_at(pieces, end),
        )
        for start, end, contacts in spans
    ]


def _arriving_at(pieces: list[RatePiece], time: float) -> bool:
    """Whether contacts arrive at ``time``: a piece of positive rate covers it."""
    position = bisect.bisect_right(pieces, (time, math.inf, math.inf)) - 1
    return position >= 0 and pieces[position][0] <= time < pieces[position][1]


def _overlaps(pieces: list[RatePiece], gaps: list[Segment]) -> Iterator[RatePiece]:
    """The parts of the rate pieces that fall in the gaps (both sorted, non-overlapping)."""
    index = 0
    for start, end, rate in pieces:
        while index < len(gaps) and gaps[index][1] <= start:
            index += 1
        scan = index
        while scan < len(gaps) and gaps[scan][0] < end:
            low, high = max(start, gaps[scan][0]), min(end, gaps[scan][1])
            if low < high:
                yield (low, high, rate)
            scan += 1


# --- the checks ------------------------------------------------------------------------------

_Check = Callable[[Scenario, _Timeline], list[Problem]]


def _zero_agents(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """A group with no agents never answers a contact; a shift without agents does nothing."""
    warnings = []
    for index, group in enumerate(scenario.agents):
        if group.count == 0 and not group.shifts:
            warnings.append(
                Problem(("agents", index, "count"), "the group has no agents (count 0)")
            )
        elif group.staffing is not None and group.staffing.peak == 0:
            key = "counts" if group.staffing.counts is not None else "days"
            warnings.append(
                Problem(
                    ("agents", index, "staffing", key),
                    "every count is 0: the group never has an agent on duty",
                )
            )
        warnings += [
            Problem(
                ("agents", index, "shifts", number, "count"), "the shift has no agents (count 0)"
            )
            for number, shift in enumerate(group.shifts or [])
            if shift.count == 0
        ]
    return warnings


def _absence_without_shifts(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """Absence is of whole shifts: a group without shifts has none to miss."""
    return [
        Problem(
            ("agents", index, "absence"),
            "the group has no shifts: absence (an agent missing a whole shift) never applies "
            "to the agents of count or staffing",
        )
        for index, group in enumerate(scenario.agents)
        if group.absence is not None and not group.shifts
    ]


def _roster_key(group: AgentGroupSpec) -> str:
    """The key that rosters most of a group's agents: ``shifts``, ``staffing`` or ``count``."""
    if group.shifts:
        return "shifts"
    return "count" if group.staffing is None else "staffing"


def _breaks_leave_nobody(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """A break that every agent of the group on duty takes at once: nobody is present then.

    Flagged once per group, at the shift of the first such break.
    """
    warnings = []
    for index, occurrences in enumerate(timeline.shifts):
        level = _on_break(occurrences)
        nobody = (
            (occurrence.shift, due)
            for occurrence in occurrences
            for due in occurrence.breaks
            if (time := max(due.start_s, 0.0)) < min(occurrence.end_s, timeline.end_s)
            and 0 < _level_at(timeline.staffing[index], time) <= _level_at(level, time)
        )
        first = next(nobody, None)
        if first is not None:
            warnings.append(_nobody_present(index, first[0], timeline, first[1]))
    return warnings


def _on_break(occurrences: list[ShiftTime]) -> list[tuple[float, int]]:
    """Changes ``(time_s, agents)`` of the number of a group's agents on a break, as rostered."""
    deltas: dict[float, int] = {}
    for occurrence in occurrences:
        for due in occurrence.breaks:
            end = min(due.start_s + due.duration_s, occurrence.end_s)
            deltas[due.start_s] = deltas.get(due.start_s, 0) + occurrence.count
            deltas[end] = deltas.get(end, 0) - occurrence.count
    changes, level = [], 0
    for time in sorted(deltas):
        level += deltas[time]
        changes.append((time, level))
    return changes


def _level_at(changes: list[tuple[float, int]], time: float) -> int:
    """The count in force at ``time`` of changes ``(time_s, count)`` in time order (0 before)."""
    position = bisect.bisect_right(changes, (time, math.inf)) - 1
    return changes[position][1] if position >= 0 else 0


def _nobody_present(group: int, shift: int, timeline: _Timeline, due: BreakTime) -> Problem:
    begin, end = timeline.local(due.start_s), timeline.local(due.start_s + due.duration_s)
    loc: Location = ("agents", group, "shifts", shift, "breaks")
    return Problem(
        loc,
        "every agent of the group on duty is on a break at once (the first time "
        f"{begin:%a %Y-%m-%d %H:%M} to {end:%H:%M}): nobody in the group is present then; "
        "stagger the breaks or keep other agents on duty",
    )


def _doubled_shifts(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """Two shifts of a group with the same hours on the same days: likely one written twice."""
    warnings = []
    for index, group in enumerate(scenario.agents):
        shifts = group.shifts or []
        for later, shift in enumerate(shifts):
            same = [
                earlier
                for earlier in range(later)
                if _same_hours(shifts[earlier], shift)
                and set(shifts[earlier].days) & set(shift.days)
            ]
            if same:
                earlier = shifts[same[0]]
                days = [day for day in earlier.days if day in shift.days]
                warnings.append(
                    Problem(
                        ("agents", index, "shifts", later),
                        f"has the same hours as shifts[{same[0]}] ({clock_text(shift.start)} to "
                        f"{clock_text(shift.end)} on {', '.join(days)}): the group has the "
                        "agents of both then; if one shift was meant, give it the total count",
                    )
                )
    return warnings


def _same_hours(first: ShiftSpec, second: ShiftSpec) -> bool:
    """Same start, end, time zone and breaks (names, counts and days aside)."""
    return (first.start, first.end, first.timezone, first.breaks) == (
        second.start,
        second.end,
        second.timezone,
        second.breaks,
    )


def _needless_overflow(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """Overflow to a group that has the skill already: the delay means nothing for it."""
    warnings = []
    for index, queue in enumerate(scenario.queues):
        if queue.overflow is None:
            continue
        skilled = {group.name for group in scenario.agents if queue.name in group.skills}
        delay = format_duration(queue.overflow.after)
        warnings += [
            Problem(
                ("queues", index, "overflow", "to", position),
                f'agent group "{name}" already has the skill "{queue.name}": it answers at once, '
                f"so the overflow after {delay} means nothing for it",
            )
            for position, name in enumerate(queue.overflow.to)
            if name in skilled
        ]
    return warnings


def _no_arrivals(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """A queue that gets no contact over the whole run."""
    return [
        Problem(("queues", index, "arrivals"), "no contact arrives over the simulated time")
        for index in range(len(scenario.queues))
        if timeline.expected_contacts(index) == 0
    ]


def _plans_that_end_early(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """Staffing that stops hours before the arrivals of a queue it serves do."""
    warnings = []
    for queue_index, queue in enumerate(scenario.queues):
        flagged: set[int] = set()
        for span in timeline.uncovered(queue_index):
            group = _plan_ending_at(timeline, queue_index, span)
            if group is None or group in flagged:
                continue
            flagged.add(group)
            key = _roster_key(scenario.agents[group])
            ends = "the last shift ends" if key == "shifts" else "the plan ends"
            warnings.append(
                Problem(
                    ("agents", group, key),
                    f"{ends} at {timeline.local(span.start_s):%H:%M}, "
                    f"{_duration_text(span.end_s - span.start_s)} before the arrivals of "
                    f'"{queue.name}" end at {timeline.local(span.end_s):%H:%M}: '
                    f'no agent who serves "{queue.name}" is on duty in between',
                )
            )
    return warnings


def _plan_ending_at(timeline: _Timeline, queue: int, span: _Uncovered) -> int | None:
    """The group whose plan ends where ``span`` begins, if the span is such a tail."""
    if not (span.after_duty and span.arrivals_stop and span.end_s - span.start_s >= PLAN_GAP_S):
        return None
    for group in timeline.servers[queue]:
        if any(time == span.start_s and count == 0 for time, count in timeline.staffing[group]):
            return group
    return None


def _arrivals_without_agents(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """Contacts arriving while nobody who serves their queue is on duty."""
    warnings = []
    for index in range(len(scenario.queues)):
        spans = [
            span
            for span in timeline.uncovered(index)
            if _plan_ending_at(timeline, index, span) is None
        ]
        contacts = sum(span.contacts for span in spans)
        if contacts < MIN_UNCOVERED_CONTACTS:
            continue
        first = spans[0]
        begin, end = timeline.local(first.start_s), timeline.local(first.end_s)
        until = f"{end:%H:%M}" if end.date() == begin.date() else f"{end:%a %Y-%m-%d %H:%M}"
        total = _duration_text(sum(span.end_s - span.start_s for span in spans))
        warnings.append(
            Problem(
                ("queues", index, "arrivals"),
                f"about {round(contacts):,} contacts arrive while no agent who serves the queue "
                f"is on duty ({total} in all; the first time {begin:%a %Y-%m-%d %H:%M} to {until})",
            )
        )
    return warnings


def _idle_agents(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """Agents paid to sit idle: on duty while none of the queues they serve has arrivals.

    A group's queues are those it serves (skills and overflow). The
    :data:`MARGIN_S` after arrivals stop and before they start again are not
    counted: the agents may still be serving the contacts that arrived
    before, or getting ready. A group none of whose queues has any arrival
    is left to the warning about those queues.
    """
    warnings = []
    for group_index, group in enumerate(scenario.agents):
        queues = [index for index, servers in enumerate(timeline.servers) if group_index in servers]
        pieces = sorted(piece for queue in queues for piece in timeline.arrivals[queue])
        if not pieces:
            continue
        duty = _segments(timeline.staffing[group_index], timeline.end_s)
        idle = [
            part
            for start, end in _gaps(pieces, timeline.end_s)
            for part in _overlap(
                duty,
                start + MARGIN_S if start > 0 else start,
                end - MARGIN_S if end < timeline.end_s else end,
            )
        ]
        if not idle:
            continue
        agent_hours = sum((end - start) * count for start, end, count in idle) / 3600
        first_start, first_end = idle[0][0], idle[0][1]
        for start, end, _ in idle[1:]:
            if start != first_end:
                break
            first_end = end
        begin, finish = timeline.local(first_start), timeline.local(first_end)
        until = (
            f"{finish:%H:%M}" if finish.date() == begin.date() else f"{finish:%a %Y-%m-%d %H:%M}"
        )
        warnings.append(
            Problem(
                ("agents", group_index, _roster_key(group)),
                "agents are on duty while no contact arrives for any queue they serve: "
                f"{agent_hours:,.1f} agent-hours in "
                f"{sum(end - start for start, end, _ in idle) / 3600:,.1f} hours "
                f"(the first time {begin:%a %Y-%m-%d %H:%M} to {until}), costing "
                f"{money(agent_hours * group.cost_per_hour)}",
            )
        )
    return warnings


def _segments(changes: list[tuple[float, int]], end_s: float) -> list[Segment]:
    """On-duty count changes ``(time_s, agents)`` as consecutive segments up to ``end_s``."""
    times = [time for time, _ in changes[1:]] + [end_s]
    return [(time, until, count) for (time, count), until in zip(changes, times, strict=True)]


def _gaps(pieces: list[RatePiece], end_s: float) -> Iterator[tuple[float, float]]:
    """The stretches of ``[0, end_s)`` that no rate piece covers (pieces sorted by start)."""
    covered_until = 0.0
    for start, end, _ in pieces:
        if start > covered_until:
            yield (covered_until, start)
        covered_until = max(covered_until, end)
    if covered_until < end_s:
        yield (covered_until, end_s)


def _overlap(segments: list[Segment], start_s: float, end_s: float) -> Iterator[Segment]:
    """The parts of the segments with agents on duty that fall within ``[start_s, end_s)``."""
    for start, end, count in segments:
        low, high = max(start, start_s), min(end, end_s)
        if count > 0 and low < high:
            yield (low, high, count)


def _cannot_drain(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """More work than the agents can do, and callers who never give up."""
    warnings = []
    for index, queue in enumerate(scenario.queues):
        if queue.patience is not None:
            continue
        factors = [
            scenario.agents[group].handle_time_factors.get(queue.name, 1.0)
            for group in timeline.servers[index]
        ]
        work = (
            queue.handle_time.build().mean * min(factors, default=1.0) + queue.wrap_up.build().mean
        )
        load = timeline.expected_contacts(index) * work / timeline.end_s
        agents = (
            sum((end - start) * count for start, end, count in timeline.on_duty(index))
            / timeline.end_s
        )
        if 0 < agents < load:
            warnings.append(
                Problem(
                    ("queues", index),
                    f"the offered load ({erlangs(load)} Erlang on average) is more than all "
                    f"the agents who serve the queue can take ({agents:,.1f} on duty on average), "
                    "and its callers never abandon (no patience): the queue cannot drain",
                )
            )
    return warnings


def _threshold_beyond_max_wait(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """A service-level threshold that no answered contact can exceed."""
    warnings = []
    for index, queue in enumerate(scenario.queues):
        threshold = scenario.service_level_of(queue).threshold
        if queue.max_wait is not None and threshold >= queue.max_wait.after:
            warnings.append(
                Problem(
                    ("queues", index, "max_wait", "after"),
                    f"the service-level threshold ({format_duration(threshold)}) is not shorter "
                    f"than this maximum wait ({format_duration(queue.max_wait.after)}): every "
                    "contact answered in this queue counts as within the threshold",
                )
            )
    return warnings


def _overflow_after_max_wait(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """An overflow that a contact never reaches, because it leaves at its maximum wait first."""
    warnings = []
    for index, queue in enumerate(scenario.queues):
        if queue.overflow is None or queue.max_wait is None:
            continue
        if queue.overflow.after >= queue.max_wait.after:
            warnings.append(
                Problem(
                    ("queues", index, "overflow", "after"),
                    "contacts leave at their maximum wait "
                    f"({format_duration(queue.max_wait.after)}) before they could overflow "
                    f"({format_duration(queue.overflow.after)}): "
                    "the overflow never happens",
                )
            )
    return warnings


def _long_warmup(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """A warm-up longer than the measured horizon."""
    if scenario.warmup <= scenario.horizon:
        return []
    return [
        Problem(
            ("warmup",),
            f"is longer than the horizon ({format_duration(scenario.warmup)} > "
            f"{format_duration(scenario.horizon)}): most of the simulated time is not measured",
        )
    ]


def _partial_last_interval(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """A horizon that is not a whole number of reporting intervals."""
    remainder = math.remainder(scenario.horizon, scenario.interval)
    if abs(remainder) < 1e-6:
        return []
    last = scenario.horizon - scenario.interval * math.floor(scenario.horizon / scenario.interval)
    return [
        Problem(
            ("interval",),
            f"the horizon ({format_duration(scenario.horizon)}) is not a whole number of "
            f"intervals ({format_duration(scenario.interval)}): the last interval is only "
            f"{_duration_text(last)} long",
        )
    ]


def _unused_templates(scenario: Scenario, timeline: _Timeline) -> list[Problem]:
    """A template that no queue names."""
    used = {queue.template for queue in scenario.queues}
    return [
        Problem(("templates", name), "no queue uses this template")
        for name in scenario.templates
        if name not in used
    ]


def _duration_text(seconds: float) -> str:
    """A duration rounded to whole minutes (whole seconds below a minute), with a unit."""
    step = 60.0 if seconds >= 60 else 1.0
    return format_duration(round(seconds / step) * step)


_CHECKS: tuple[_Check, ...] = (
    _long_warmup,
    _partial_last_interval,
    _unused_templates,
    _zero_agents,
    _absence_without_shifts,
    _doubled_shifts,
    _breaks_leave_nobody,
    _no_arrivals,
    _arrivals_without_agents,
    _plans_that_end_early,
    _idle_agents,
    _cannot_drain,
    _needless_overflow,
    _overflow_after_max_wait,
    _threshold_beyond_max_wait,
    lambda scenario, timeline: lint_calendar.dates_outside_the_run(scenario),
    lambda scenario, timeline: lint_calendar.shift_days_in_another_zone(scenario, timeline.shifts),
    lambda scenario, timeline: lint_customers.ivr_resolves_everything(scenario),
)
