"""The work of a run, estimated before it starts: contacts, events, table sizes, time.

:func:`estimate` computes, from the scenario alone, the expected number of
contacts and simulation events, the rows of the interval tables and the
memory they need, and a rough running time. :func:`check` turns it into a
warning when the run would take hours, and refuses a run whose tables could
not fit in memory (docs/limits.md).

The figures are expectations, not bounds: a queue's expected contacts are its
arrival rate (or daily profile) over ``warmup + horizon``, times the mean
over the run's calendar days of the day's multiplier (weekdays, dates and the
scenario's calendar; busyness has mean 1), times ``1 / (1 - p)`` for repeat contacts of probability
``p`` and ``1 + p`` for transfers.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import date, timedelta

from simcenter.agents import group_size
from simcenter.busyness import run_days
from simcenter.errors import SimcenterError
from simcenter.scenario import CalendarSpec, QueueSpec, Scenario
from simcenter.scenario.values import DAY_S

EVENTS_PER_CONTACT = 6
"""Simulation events of a contact: arrival, patience, answer, end of talk, wrap-up, routing."""

CONTACT_RECORD_BYTES = 80
"""Memory of one contact's record in the contact log, when it is kept (bytes)."""

CONTACT_ROW_BYTES = 200
"""Memory of one row of the contacts table, when it is kept (bytes)."""

AGENT_BYTES = 1000
"""Memory of one agent while a replication runs (bytes)."""

AGENTS_PER_SECOND = 75_000
"""Agents one core sets up and retires per second (a 15,000-agent replication takes 0.2 s)."""

INTERVAL_ROW_BYTES = 400
"""Memory of one row of the interval tables, for one replication (bytes)."""

CONTACTS_PER_SECOND = 30_000
"""Contacts one core simulates per second: a rough, conservative figure."""

WARN_AFTER_S = 3600.0
"""A run expected to take longer than this (seconds) is announced with a warning."""


class WorkloadError(SimcenterError):
    """A run whose tables could not fit in memory (exit code 2); the message shows the estimate."""


@dataclass(frozen=True)
class Workload:
    """The estimated work of a run.

    Attributes:
        replications: Number of replications.
        contacts: Expected contacts over all replications.
        events: Expected simulation events over all replications.
        interval_rows: Rows of the interval tables (queues plus ``ALL`` and,
            with several channels, each channel's total row; and agent groups)
            over all replications.
        memory_bytes: Memory the records and tables need at their largest (bytes).
        cpu_s: Expected processor time (seconds), over all cores.
        keep_contacts: Whether the contact log is kept (and counted in the memory).
    """

    replications: int
    contacts: float
    events: float
    interval_rows: float
    memory_bytes: float
    cpu_s: float
    keep_contacts: bool = True

    def describe(self) -> str:
        """The estimate in words: ``12,345,678 contacts, 74,074,068 events, ...``."""
        return (
            f"about {_count(self.contacts)} contacts and {_count(self.events)} events "
            f"in {_count(self.replications)} replications, {_count(self.interval_rows)} "
            f"interval-table rows, {_bytes(self.memory_bytes)} of memory"
        )


def estimate(scenario: Scenario, replications: int, keep_contacts: bool = True) -> Workload:
    """The expected work of ``replications`` replications of ``scenario``.

    Args:
        scenario: The validated scenario.
        replications: Number of replications.
        keep_contacts: Whether the contact log is kept: its records and rows
            are counted in the memory only then (without it, a replication
            keeps no per-contact data).
    """
    simulated_s = scenario.warmup + scenario.horizon
    days = [_date_of(scenario, day) for day in range(run_days(scenario))]
    per_replication = math.fsum(
        _expected_contacts(queue, simulated_s, _mean_day_factor(queue, scenario.calendar, days))
        for queue in scenario.queues
    )
    contacts = per_replication * replications
    intervals = math.ceil(simulated_s / scenario.interval)
    channels = len({queue.channel for queue in scenario.queues})
    totals = 1 + (channels if channels > 1 else 0)  # ALL, and each channel's row with several
    rows = intervals * (len(scenario.queues) + totals + len(scenario.agents)) * replications
    agents = sum(group_size(group) for group in scenario.agents)
    row_bytes = CONTACT_RECORD_BYTES + CONTACT_ROW_BYTES if keep_contacts else 0
    memory = contacts * row_bytes + rows * INTERVAL_ROW_BYTES + agents * replications * AGENT_BYTES
    return Workload(
        replications=replications,
        contacts=contacts,
        events=contacts * EVENTS_PER_CONTACT + rows,
        interval_rows=rows,
        memory_bytes=memory,
        cpu_s=contacts / CONTACTS_PER_SECOND + agents * replications / AGENTS_PER_SECOND,
        keep_contacts=keep_contacts,
    )


def check(workload: Workload, workers: int = 1, memory_bytes: float | None = None) -> str | None:
    """Refuse a run whose tables could not fit in memory; a warning for one that takes hours.

    Args:
        workload: The estimate.
        workers: Worker processes that share the work.
        memory_bytes: Memory available (default: what the system reports).

    Returns:
        A warning when the run is expected to take longer than an hour, else None.

    Raises:
        WorkloadError: The estimated memory exceeds the memory available.
    """
    available = available_memory() if memory_bytes is None else memory_bytes
    if available is not None and workload.memory_bytes > available:
        advice = "run fewer replications or with --no-contacts"
        if not workload.keep_contacts:
            advice = "run fewer replications"
        raise WorkloadError(
            f"this run would need {_bytes(workload.memory_bytes)} of memory, more than the "
            f"{_bytes(available)} available ({workload.describe()}); shorten the horizon, "
            f"lengthen the interval, or {advice}"
        )
    wall_s = workload.cpu_s / max(1, min(workers, workload.replications))
    if wall_s > WARN_AFTER_S:
        return (
            f"warning: this run may take about {_duration(wall_s)} ({workload.describe()}); "
            "press Ctrl-C to stop it"
        )
    return None


def available_memory() -> float | None:
    """Memory available to new work (bytes), from ``/proc/meminfo``; None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def _date_of(scenario: Scenario, day: int) -> date:
    """The local date of day ``day`` of the run (0 = the start's date)."""
    return scenario.start_at.date() + timedelta(days=day)


def _mean_day_factor(queue: QueueSpec, calendar: CalendarSpec | None, days: list[date]) -> float:
    """Mean over the run's days of the queue's volume multiplier (1 without any)."""
    arrivals = queue.arrivals
    if not (
        arrivals.weekdays or arrivals.dates or (calendar and (calendar.weekdays or calendar.dates))
    ):
        return 1.0
    factors = [
        arrivals.day_factor(day) * (calendar.factor(day) if calendar else 1.0) for day in days
    ]
    return math.fsum(factors) / len(factors)


def _expected_contacts(queue: QueueSpec, simulated_s: float, factor: float) -> float:
    """Expected contacts of one queue in one replication, repeats and transfers included.

    Args:
        queue: The queue.
        simulated_s: Warm-up plus horizon (seconds).
        factor: The mean multiplier of its volumes over the run's days.
    """
    arrivals = queue.arrivals
    if arrivals.rate is not None:
        first = arrivals.rate * simulated_s * factor
    else:
        profile = arrivals.profile
        first = math.fsum(profile.volumes) * simulated_s / DAY_S * factor if profile else 0.0
    if queue.repeat is not None:
        first /= 1 - queue.repeat.probability
    if queue.transfer is not None:
        first *= 1 + queue.transfer.probability
    return first


def _count(value: float) -> str:
    return f"{value:,.0f}" if value < 1e15 else f"{value:.2g}"


def _bytes(value: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if value >= size:
            return f"{value / size:,.1f} {unit}"
    return f"{value / 1e3:,.1f} kB"


def _duration(seconds: float) -> str:
    if seconds >= 2 * 86_400:
        return f"{seconds / 86_400:,.0f} days"
    return f"{seconds / 3600:,.1f} hours"
