"""Checks across keys: names that must be unique, and names that must refer to something.

The checks of :func:`reference_problems` run on the raw data, before and
independently of the schema, so that they report their problems together
with the schema's even when other keys are invalid. A check that refers to
another list runs only when that list is readable (every entry a mapping with
a text ``name``), so that one broken key does not echo as a problem elsewhere.
Names are compared as the schema keeps them (trimmed, NFC).

The checks of :func:`scenario_problems` need validated values (seconds):
the limits on the work of a run (docs/limits.md) and the calendar start.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from simcenter.errors import Location, Problem, format_location
from simcenter.scenario.values import MAX_INTERVALS
from simcenter.text import canonical_name
from simcenter.units import format_duration

if TYPE_CHECKING:
    from simcenter.scenario.model import Scenario

MIN_REROUTE_CYCLE_S = 60.0
"""Shortest total ``max_wait.after`` around a cycle of queues that move contacts on (seconds)."""


_Entries = list[tuple[int, Mapping[str, Any]]]


def reference_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every cross-reference problem of raw scenario data, each with its key path."""
    queues = _mappings(data.get("queues"))
    groups = _mappings(data.get("agents"))
    queue_names = _readable_names(data.get("queues"), queues)
    group_names = _readable_names(data.get("agents"), groups)
    problems = _duplicate_names("queues", queues) + _duplicate_names("agents", groups)
    for index, group in groups:
        problems += _repeated_skills(index, group.get("skills"))
    if queue_names is not None:
        problems += _unknown_skills(groups, queue_names)
    for index, group in groups:
        problems += _rotation_problems(index, group)
        problems += _duplicate_shift_names(index, group.get("shifts"))
    for index, queue in queues:
        problems += _overflow_problems(index, queue, group_names)
        problems += _queue_target_problems(index, queue, "max_wait", queue_names)
        problems += _queue_target_problems(index, queue, "transfer", queue_names)
        problems += _queue_target_problems(index, queue, "retrial", queue_names)
    if queue_names is not None:
        problems += _certain_transfer_cycle(queues)
    if groups and len(groups) == len(data["agents"]):
        problems += _unserved_queues(queues, groups)
    return problems


# --- reading raw data -------------------------------------------------------------------


def _mappings(items: Any) -> _Entries:
    """The entries of a list that are mappings, with their index."""
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, Mapping)]


def _name(value: Any) -> str | None:
    """A name as the schema keeps it (trimmed, NFC), or None if it is not text."""
    return canonical_name(value) if isinstance(value, str) else None


def _readable_names(items: Any, entries: _Entries) -> list[str] | None:
    """The names of a list whose every entry is a mapping with a text name; else None."""
    names = [name for _, entry in entries if (name := _name(entry.get("name"))) is not None]
    if not names or len(names) != len(items):
        return None
    return names


def _skill_entries(skills: Any) -> list[tuple[str | int, str]]:
    """(key in the data, queue name) of each skill written as text."""
    if isinstance(skills, list):
        return [
            (index, canonical_name(skill))
            for index, skill in enumerate(skills)
            if isinstance(skill, str)
        ]
    if isinstance(skills, Mapping):
        return [(skill, canonical_name(skill)) for skill in skills if isinstance(skill, str)]
    return []


def _section(entry: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested mapping of an entry (``overflow``, ``rotation``, ...), or empty."""
    value = entry.get(key)
    return value if isinstance(value, Mapping) else {}


def _listing(kind: str, names: list[str]) -> str:
    return f"({kind}: {', '.join(names)})"


# --- names ------------------------------------------------------------------------------


def _duplicate_names(key: str, items: _Entries) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for index, item in items:
        name = _name(item.get("name"))
        if name is None:
            continue
        if name in first:
            problems.append(
                Problem(
                    (key, index, "name"), f'duplicate name "{name}" (also {key}[{first[name]}])'
                )
            )
        else:
            first[name] = index
    return problems


# --- agent groups -----------------------------------------------------------------------


def _repeated_skills(group_index: int, skills: Any) -> list[Problem]:
    if not isinstance(skills, list):
        return []
    names = [_name(skill) for skill in skills]
    return [
        Problem(
            ("agents", group_index, "skills", index),
            f'duplicate queue "{name}" (also skills[{names.index(name)}])',
        )
        for index, name in enumerate(names)
        if name is not None and names.index(name) < index
    ]


def _duplicate_shift_names(group_index: int, shifts: Any) -> list[Problem]:
    """Shift names are unique in a group, unnamed shifts counting as ``shift1``, ``shift2``, ..."""
    if not isinstance(shifts, list):
        return []
    names = [
        _name(shift.get("name")) if isinstance(shift, Mapping) and "name" in shift else None
        for shift in shifts
    ]
    names = [name or f"shift{index + 1}" for index, name in enumerate(names)]
    return [
        Problem(
            ("agents", group_index, "shifts", index, "name"),
            f'duplicate shift name "{name}" (also shifts[{names.index(name)}])'
            + ("" if "name" in shifts[index] else "; an unnamed shift is named by its position"),
        )
        for index, name in enumerate(names)
        if names.index(name) < index and isinstance(shifts[index], Mapping)
    ]


def _unknown_skills(groups: _Entries, queue_names: list[str]) -> list[Problem]:
    return [
        Problem(
            ("agents", index, "skills", key),
            f'unknown queue "{skill}" {_listing("queues", queue_names)}',
        )
        for index, group in groups
        for key, skill in _skill_entries(group.get("skills"))
        if skill not in queue_names
    ]


def _rotation_problems(group_index: int, group: Mapping[str, Any]) -> list[Problem]:
    """Every queue of a rotation's skill sets must be one of the group's skills."""
    skill_sets = _section(group, "rotation").get("skill_sets")
    skills = {skill for _, skill in _skill_entries(group.get("skills"))}
    if not isinstance(skill_sets, list) or not skills:
        return []
    return [
        Problem(
            ("agents", group_index, "rotation", "skill_sets", set_index, index),
            f'"{name}" is not one of the group\'s skills',
        )
        for set_index, skill_set in enumerate(skill_sets)
        if isinstance(skill_set, list)
        for index, name in enumerate(skill_set)
        if isinstance(name, str) and canonical_name(name) not in skills
    ]


# --- queues -----------------------------------------------------------------------------


def _overflow_problems(
    queue_index: int, queue: Mapping[str, Any], group_names: list[str] | None
) -> list[Problem]:
    """Every group an overflow names must exist."""
    targets = _section(queue, "overflow").get("to")
    if group_names is None or not isinstance(targets, list):
        return []
    return [
        Problem(
            ("queues", queue_index, "overflow", "to", index),
            f'unknown agent group "{name}" {_listing("groups", group_names)}',
        )
        for index, name in enumerate(targets)
        if isinstance(name, str) and canonical_name(name) not in group_names
    ]


def _queue_target_problems(
    queue_index: int, queue: Mapping[str, Any], key: str, queue_names: list[str] | None
) -> list[Problem]:
    """``queues[i].<key>.to`` must name another existing queue."""
    target = _name(_section(queue, key).get("to"))
    loc: Location = ("queues", queue_index, key, "to")
    if target is None:
        return []
    if target == _name(queue.get("name")):
        return [Problem(loc, f'must name another queue, not this one (got "{target}")')]
    if queue_names is not None and target not in queue_names:
        return [Problem(loc, f'unknown queue "{target}" {_listing("queues", queue_names)}')]
    return []


def _certain_transfer_cycle(queues: _Entries) -> list[Problem]:
    """Transfers with probability 1 that lead back to where they started.

    A call caught in such a cycle would never leave the centre, so the run
    would never end. The problem is reported at the first queue of the cycle.
    """
    certain = {
        _name(queue["name"]): canonical_name(transfer["to"])
        for _, queue in queues
        if isinstance(transfer := _section(queue, "transfer"), Mapping)
        and transfer.get("probability") == 1
        and isinstance(transfer.get("to"), str)
    }
    index_of = {_name(queue.get("name")): index for index, queue in queues}
    for start in certain:
        path, name = [start], certain[start]
        while name in certain and name not in path:
            path.append(name)
            name = certain[name]
        if name == start:
            cycle = " -> ".join(str(step) for step in [*path, start])
            loc: Location = ("queues", index_of[start], "transfer", "probability")
            return [
                Problem(
                    loc,
                    f"transfers with probability 1 form a cycle ({cycle}): "
                    "a call would never leave the centre",
                )
            ]
    return []


def _unserved_queues(queues: _Entries, groups: _Entries) -> list[Problem]:
    """Queues that no group serves, by skill or by overflow.

    Runs only when every group is a mapping with readable skills, so that a
    broken ``skills`` key is not echoed here.
    """
    skill_lists = [_skill_entries(group.get("skills")) for _, group in groups]
    if not all(skill_lists):
        return []
    served = {skill for entries in skill_lists for _, skill in entries}
    return [
        Problem(("queues", index, "name"), f'no agent group has the skill "{name}"')
        for index, queue in queues
        if (name := _name(queue.get("name"))) is not None
        and name not in served
        and not _overflow_targets(queue)
    ]


def _overflow_targets(queue: Mapping[str, Any]) -> list[str]:
    """Names of the groups a queue overflows to (known or not: unknown ones are reported)."""
    targets = _section(queue, "overflow").get("to")
    if not isinstance(targets, list):
        return []
    return [name for name in targets if isinstance(name, str)]


# --- checks on the validated scenario ----------------------------------------------------


def scenario_problems(scenario: Scenario) -> list[Problem]:
    """Problems that need validated values: the size of the tables, reroute loops, the start."""
    problems = _interval_count(scenario) + _reroute_cycles(scenario) + _start_in_gap(scenario)
    problems += _start_in_range(scenario) + _agent_name_clashes(scenario)
    problems += [
        Problem(
            ("agents", index, "rotation", "every"),
            f"gives {math.ceil(blocks):,} task blocks over warmup + horizon, more than the "
            f"{MAX_INTERVALS:,} allowed (got {format_duration(group.rotation.every)})",
        )
        for index, group in enumerate(scenario.agents)
        if group.rotation is not None
        and (blocks := scenario.end_s / group.rotation.every) > MAX_INTERVALS
    ]
    return problems


def _agent_name_clashes(scenario: Scenario) -> list[Problem]:
    """Two sets of agents named alike: a shift ``early`` of ``tier1`` and a group ``tier1-early``.

    Agents are named ``<prefix>-001``, ... after their group (``count`` or
    ``staffing``) or their group and shift; names of different prefixes
    never meet, so the prefixes must differ.
    """
    owners: dict[str, Location] = {}
    problems = []
    for index, group in enumerate(scenario.agents):
        prefixes: list[tuple[str, Location]] = []
        if group.count is not None or group.staffing is not None:
            prefixes.append((group.name, ("agents", index, "name")))
        prefixes += [
            (f"{group.name}-{name}", ("agents", index, "shifts", number, "name"))
            for number, name in enumerate(group.shift_names)
        ]
        for prefix, loc in prefixes:
            if prefix in owners:
                problems.append(
                    Problem(
                        loc,
                        f'its agents would be named "{prefix}-001", ... as those of '
                        f"{format_location(owners[prefix][:-1])}; rename the shift or the group",
                    )
                )
            owners.setdefault(prefix, loc)
    return problems


def _interval_count(scenario: Scenario) -> list[Problem]:
    """The reporting intervals of ``warmup + horizon`` must be at most :data:`MAX_INTERVALS`."""
    count = math.ceil(scenario.end_s / scenario.interval)
    if count <= MAX_INTERVALS:
        return []
    return [
        Problem(
            ("interval",),
            f"gives {count:,} reporting intervals over warmup + horizon, more than the "
            f"{MAX_INTERVALS:,} allowed (got {format_duration(scenario.interval)}; "
            "choose a longer interval)",
        )
    ]


def _reroute_cycles(scenario: Scenario) -> list[Problem]:
    """Queues whose ``max_wait.to`` moves form a cycle faster than :data:`MIN_REROUTE_CYCLE_S`.

    A contact caught in such a cycle would move again and again, making
    millions of events an hour. Reported once, at the first queue of the cycle.
    """
    moves = {
        queue.name: (queue.max_wait.to, queue.max_wait.after)
        for queue in scenario.queues
        if queue.max_wait is not None and queue.max_wait.to is not None
    }
    index_of = {queue.name: index for index, queue in enumerate(scenario.queues)}
    for start in moves:
        path, total, name = [start], moves[start][1], moves[start][0]
        while name in moves and name not in path:
            path.append(name)
            total += moves[name][1]
            name = moves[name][0]
        if name == start and total < MIN_REROUTE_CYCLE_S:
            cycle = " -> ".join(str(step) for step in [*path, start])
            return [
                Problem(
                    ("queues", index_of[start], "max_wait", "after"),
                    f"max_wait moves form a cycle ({cycle}) of {format_duration(total)} in "
                    f"all; it must take at least {format_duration(MIN_REROUTE_CYCLE_S)}",
                )
            ]
    return []


CALENDAR_RANGE = (
    datetime(1677, 9, 23, tzinfo=timezone.utc),
    datetime(2262, 4, 10, tzinfo=timezone.utc),
)
"""Calendar times the tables can hold (those of pandas' timestamps, less a day each side)."""


def _start_in_range(scenario: Scenario) -> list[Problem]:
    """The run, from ``start`` to the end of the horizon, must lie within :data:`CALENDAR_RANGE`."""
    first, last = CALENDAR_RANGE
    try:
        start = scenario.start_at.astimezone(timezone.utc)
        end = start + timedelta(seconds=scenario.end_s)
    except (OverflowError, ValueError):
        start = end = datetime.max.replace(tzinfo=timezone.utc)
    if first <= start and end <= last:
        return []
    return [
        Problem(
            ("start",),
            f"the run from {scenario.start.isoformat(timespec='minutes')} to the end of the "
            f"horizon must lie between {first.date()} and {last.date()} (the calendar "
            "simcenter's tables can hold)",
        )
    ]


def _start_in_gap(scenario: Scenario) -> list[Problem]:
    """A ``start`` without an offset must exist on the zone's clock (not in a DST gap)."""
    start = scenario.start
    if start.tzinfo is not None:
        return []
    local = start.replace(tzinfo=scenario.zone)
    round_trip = local.astimezone(timezone.utc).astimezone(scenario.zone).replace(tzinfo=None)
    if round_trip == start:
        return []
    return [
        Problem(
            ("start",),
            f"{start.isoformat(timespec='minutes')} does not exist in {scenario.timezone}: "
            "the clocks skip it when summer time begins; choose a time outside the gap "
            "or give an offset",
        )
    ]
