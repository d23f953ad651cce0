"""Lint of the calendar: special dates that never apply, shifts whose days mean other days.

Two warnings about valid scenarios (see :func:`simcenter.lint.lint`):

- a ``dates`` entry (of a queue's arrivals or of the scenario ``calendar``)
  outside the run's local days, ``start`` to the end of ``warmup +
  horizon``: its factor never applies (often a wrong year);
- a shift with its own ``timezone`` whose ``days`` are read in that zone and
  then fall on other weekdays in the scenario's zone: a Manila shift on
  ``[mon, tue, wed, thu, fri]`` from 06:00 starts on Sunday to Thursday
  evenings in Europe/Berlin. The rule: the warning is given when at least
  one occurrence of the shift in the run starts on a weekday of the
  scenario's zone other than the weekday it is listed under (a shift on all
  seven days never is). Demand (``weekdays``, ``dates``), the daily reports
  and staffing by weekday all read days in the scenario's zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from simcenter.clock import ScenarioClock
from simcenter.errors import Location, Problem
from simcenter.rota import ShiftTime
from simcenter.scenario import Scenario
from simcenter.scenario.values import WEEKDAYS, clock_text

_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def dates_outside_the_run(scenario: Scenario) -> list[Problem]:
    """Every ``dates`` key of the queues and the calendar outside the run's local days."""
    clock = ScenarioClock(scenario.start_at)
    first = clock.date(0)
    last = clock.date(clock.day_of(max(scenario.end_s - 1e-6, 0.0)))
    where = f"the run's days are {first.isoformat()} to {last.isoformat()}"
    keyed: list[tuple[Location, date]] = []
    if scenario.calendar is not None:
        keyed += [(("calendar", "dates", day.isoformat()), day) for day in scenario.calendar.dates]
    for index, queue in enumerate(scenario.queues):
        keyed += [
            (("queues", index, "arrivals", "dates", day.isoformat()), day)
            for day in queue.arrivals.dates
        ]
    return [
        Problem(loc, f"is outside the run ({where}): its factor never applies")
        for loc, day in keyed
        if not first <= day <= last
    ]


def shift_days_in_another_zone(
    scenario: Scenario, shifts: list[list[ShiftTime]]
) -> list[Problem]:
    """Shifts in another time zone whose days fall on other weekdays of the scenario's zone.

    Args:
        scenario: The scenario.
        shifts: Each group's shift occurrences in the run (``rota.shift_times``).
    """
    clock = ScenarioClock(scenario.start_at)
    warnings = []
    for group_index, group in enumerate(scenario.agents):
        for shift_index, shift in enumerate(group.shifts or []):
            zone = shift.timezone
            if zone is None or zone == scenario.timezone or len(set(shift.days)) == len(WEEKDAYS):
                continue
            moved = [
                occurrence
                for occurrence in shifts[group_index]
                if occurrence.shift == shift_index
                and occurrence.start_s >= 0
                and clock.weekday(clock.day_of(occurrence.start_s)) != clock.weekday(occurrence.day)
            ]
            if not moved:
                continue
            example = moved[0]
            local = _local(scenario, example.start_s)
            own = _NAMES[clock.weekday(example.day)]
            warnings.append(
                Problem(
                    ("agents", group_index, "shifts", shift_index, "days"),
                    f"are weekdays in {zone}, the shift's zone: its {own} "
                    f"{clock_text(shift.start)} start is {_NAMES[local.weekday()]} "
                    f"{local:%H:%M} in {scenario.timezone}, whose days demand, dates and "
                    f"daily reports use ({len(moved)} of its starts in the run fall on "
                    "another weekday there); to mean days there, give the shift's hours in "
                    f"{scenario.timezone}",
                )
            )
    return warnings


def _local(scenario: Scenario, seconds: float) -> datetime:
    """Calendar time in the scenario's zone of a simulation time (seconds)."""
    start = scenario.start_at
    return (start.astimezone(timezone.utc) + timedelta(seconds=seconds)).astimezone(start.tzinfo)
