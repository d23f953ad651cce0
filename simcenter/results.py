"""Results of a simulated run: the output tables, their files and their plots.

:class:`Results` holds the output tables built by :mod:`simcenter.reports`
from the tallies of the engine's records, writes them atomically to an
output directory with :meth:`Results.save`, and draws them through the
:attr:`Results.plot` accessor (:mod:`simcenter.plotting`). docs/outputs.md
defines every file and column.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from simcenter import analysis, contact_log, reports
from simcenter import outdir as outdir_rules
from simcenter._version import __version__
from simcenter.contact_log import SpooledLog
from simcenter.plotting.accessor import ResultsPlots
from simcenter.records import ReplicationRecord, RunMeta
from simcenter.text import csv_safe

if TYPE_CHECKING:
    pass

WAIT_DISTRIBUTION_POINTS = 201
"""Grid points of the waiting-time distribution, from 0 to the longest wait."""

INTERVAL_KEYS = ("interval", "start_s", "queue")
AGENT_INTERVAL_KEYS = ("interval", "start_s", "group")
ROUTING_KEYS = ("group", "queue")
AGENT_DETAIL_KEYS = ("agent", "group")
TABLE_FILES = ("summary", "replications", "intervals", "agents", "routing", "agent_intervals")
"""Tables written as ``<name>.csv`` by :meth:`Results.save`."""
DAY_TABLE_FILES = ("daily", "agent_days")
"""Tables written as ``<name>.csv`` by :meth:`Results.save` when the run spans several days."""
OPTIONAL_TABLE_FILES = ("customers",)
"""Tables written as ``<name>.csv`` by :meth:`Results.save` when the run has them."""
AGENT_DAY_KEYS = (*reports.DAY_COLUMNS, "group")


@dataclass(frozen=True, eq=False, repr=False)
class Results:
    """The output tables of a run, combined over its replications.

    Combined tables hold the mean over replications of each figure and, with at
    least two replications, a ``<figure>_ci95`` Student-t half-width
    (:func:`simcenter.reports.combine`).

    Attributes:
        meta: The run description.
        scenario: The resolved scenario (written to ``scenario.yaml``).
        summary: One row per queue, per channel (when the queues use several:
            ``ALL voice``, ``ALL video``, with a ``channel`` column) and ``ALL`` (combined).
        replications: The summary rows of every replication, with a leading
            ``replication`` column.
        intervals: One row per reporting interval and queue, channel (several
            channels only) and ``ALL`` (combined), with the calendar
            ``interval_start`` (timezone-aware).
        agents: One row per agent group (combined).
        routing: One row per agent group and queue the group served in some
            replication: contacts handled and work done (combined).
        agent_details: One row per agent (combined); not written to a file.
        agent_intervals: One row per reporting interval and agent group
            (combined), with ``interval_start``.
        queue_length: Contacts waiting per queue over the horizon (combined).
        wait_distribution: Fraction of offered contacts waiting at most
            ``wait_s``, per queue (combined).
        contact_log: The contact log of every replication, a Parquet file in a
            temporary folder, or None when it was not kept (see :attr:`contacts`).
        offered_work: Per replication and queue (plus the channels and ``ALL``), ``offered_work_s``:
            the sum of the base handle times drawn for the offered contacts
            (seconds; the talk they would need with a standard agent, answered
            or not). Its expectation follows from the scenario for queues that
            only receive first-time contacts, which makes it a control variate
            (:func:`simcenter.studies.precision.controlled_summary`); not
            written to a file.
        daily: The summary figures per calendar day (scenario time zone) and
            queue plus ``ALL`` (combined); ``daily.csv`` when :attr:`day_count` > 1.
        agent_days: Agent-hours, shrinkage, occupancy and cost per calendar day
            and agent group (combined); ``agent_days.csv`` when :attr:`day_count`
            > 1. None when the agent interval table lacks the levels it adds up.
        customers: Customers per queue of their first contact, channel and ``ALL``, over
            all their attempts (combined); ``customers.csv``. None unless a queue has
            ``retrial`` or ``repeat`` (every contact is then a customer of its own).
    """

    meta: RunMeta
    scenario: dict[str, Any]
    summary: pd.DataFrame
    replications: pd.DataFrame
    intervals: pd.DataFrame
    agents: pd.DataFrame
    routing: pd.DataFrame
    agent_details: pd.DataFrame
    agent_intervals: pd.DataFrame
    queue_length: pd.DataFrame
    wait_distribution: pd.DataFrame
    contact_log: SpooledLog | None
    offered_work: pd.DataFrame | None = None
    daily: pd.DataFrame | None = None
    agent_days: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None

    @classmethod
    def from_records(
        cls,
        meta: RunMeta,
        records: Sequence[ReplicationRecord],
        resolved_scenario: dict[str, Any],
        keep_contacts: bool = True,
    ) -> Results:
        """Build the tables from the engine's records.

        Args:
            meta: The run description.
            records: One record per replication, in replication order.
            resolved_scenario: The resolved scenario, as written to ``scenario.yaml``.
            keep_contacts: Whether to keep the per-contact log: the records'
                streamed logs (``contact_log``) are joined into one file, or
                their in-memory logs (``contacts``) written to one.

        Returns:
            The results.

        Raises:
            ValueError: If there is no record.
        """
        if not records:
            raise ValueError("Results need at least one replication record")
        summaries = [reports.replication_summary(meta, record) for record in records]
        agent_intervals = [reports.replication_agent_intervals(meta, record) for record in records]
        tables = cls(
            meta=meta,
            scenario=resolved_scenario,
            summary=reports.combine(summaries, reports.row_keys(meta, ["queue"])),
            replications=_stack_replications(records, summaries),
            intervals=_combined(
                meta, records, reports.replication_intervals, reports.row_keys(meta, INTERVAL_KEYS)
            ),
            agents=_combined(meta, records, reports.replication_agents, ("group",)),
            routing=_routing(meta, records),
            agent_details=_combined(
                meta, records, reports.replication_agent_details, AGENT_DETAIL_KEYS
            ),
            agent_intervals=reports.combine(agent_intervals, AGENT_INTERVAL_KEYS),
            queue_length=_queue_length(meta, records),
            wait_distribution=_wait_distribution(meta, records),
            contact_log=_contact_log(meta, records) if keep_contacts else None,
            offered_work=_offered_work(meta, records),
            daily=_combined(
                meta, records, reports.replication_daily, reports.row_keys(meta, reports.DAILY_KEYS)
            ),
            agent_days=_agent_days(meta, agent_intervals),
            customers=_customers(meta, records, summaries),
        )
        return tables._with_calendar_columns()

    def _with_calendar_columns(self) -> Results:
        """These results with ``interval_start`` (timezone-aware) in the interval tables."""
        return dataclasses.replace(
            self,
            intervals=analysis.with_interval_start(self.meta, self.intervals),
            agent_intervals=analysis.with_interval_start(self.meta, self.agent_intervals),
        )

    @functools.cached_property
    def contacts(self) -> pd.DataFrame | None:
        """Every contact of every replication, in replication then arrival order, or None.

        Read from the log file on the first access and kept (later accesses
        return the same frame: copy it before changing it), with a calendar
        ``arrival`` column beside ``arrival_s``. None when the contact log
        was not kept. The log of a long run can be far
        larger than memory: read parts of ``contact_log.path`` with pyarrow
        then.
        """
        if self.contact_log is None:
            return None
        return analysis.with_arrival_time(self.meta, self.contact_log.read())

    @property
    def day_count(self) -> int:
        """Number of calendar days the run's reporting intervals fall in (scenario time zone)."""
        return 1 if self.daily is None else int(self.daily["day"].nunique())

    @property
    def replication_count(self) -> int:
        """Number of replications."""
        return int(self.replications["replication"].nunique())

    def by_time_of_day(self) -> pd.DataFrame:
        """The average day: interval figures per queue and time of day, averaged over days.

        See :func:`simcenter.analysis.by_time_of_day` for the definitions.
        """
        return analysis.by_time_of_day(self.intervals, self.meta)

    @property
    def plot(self) -> ResultsPlots:
        """Figures of these results: ``results.plot.service_level()`` and so on."""
        return ResultsPlots(self)

    def save(
        self, outdir: str | os.PathLike[str], plots: bool = True, report: bool = False
    ) -> Path:
        """Write every output file to ``outdir``, atomically and safely.

        The files (docs/outputs.md) are written to a staging folder next to
        ``outdir`` that then takes its place in one step (:func:`simcenter.outdir.staged`).
        ``outdir`` may be new, empty, or an earlier simcenter output, which is
        replaced; a folder holding files simcenter did not write is refused. If
        anything fails, the staging folder is removed and ``outdir`` is left as
        it was.

        Args:
            outdir: The output folder; its parents are created if needed, and
                a symlink to a folder is followed.
            plots: Also draw ``plots/*.png``.
            report: Also write ``report.html`` (:func:`simcenter.report_html.write_report`).

        Returns:
            The absolute path of the output folder.

        Raises:
            OutputError: ``outdir`` cannot be used (a file, not writable, or
                holding files simcenter did not write).
        """
        with outdir_rules.staged(outdir) as staging:
            self._write(staging, plots)
            if report:
                from simcenter.report_html import write_report

                write_report(staging)
        return Path(outdir).absolute()

    def _write(self, directory: Path, plots: bool) -> None:
        """Write every output file into an existing, empty directory."""
        with (directory / "scenario.yaml").open("w", encoding="utf-8") as file:
            file.write(
                f"# Resolved scenario, written by simcenter {__version__}.\n"
                "# Running it again reproduces these results exactly.\n"
            )
            yaml.safe_dump(self.scenario, file, sort_keys=False, allow_unicode=True)
        for name in TABLE_FILES:
            _write_csv(getattr(self, name), directory / f"{name}.csv")
        if self.day_count > 1:
            for name in DAY_TABLE_FILES:
                if getattr(self, name) is not None:
                    _write_csv(getattr(self, name), directory / f"{name}.csv")
        for name in OPTIONAL_TABLE_FILES:
            if getattr(self, name) is not None:
                _write_csv(getattr(self, name), directory / f"{name}.csv")
        if self.contact_log is not None:
            self.contact_log.place(directory)
        if not plots:
            return
        folder = directory / "plots"
        folder.mkdir()
        for name, draw in self.plot.figures().items():
            draw().savefig(folder / f"{name}.png", dpi=100)

    def __repr__(self) -> str:
        """A one-line description: scenario name and table sizes."""
        name = self.scenario.get("name", "?")
        return (
            f"<Results {name!r}: {len(self.meta.queues)} queues, {len(self.meta.groups)} groups, "
            f"{self.replication_count} replications, "
            f"{self.intervals['interval'].nunique()} intervals>"
        )


def _combined(
    meta: RunMeta,
    records: Sequence[ReplicationRecord],
    table: Callable[[RunMeta, ReplicationRecord], pd.DataFrame],
    keys: Sequence[str],
) -> pd.DataFrame:
    """One table per replication, combined over replications."""
    return reports.combine([table(meta, record) for record in records], keys)


def _agent_days(meta: RunMeta, agent_intervals: Sequence[pd.DataFrame]) -> pd.DataFrame | None:
    """Agent figures per day and group of each replication, combined; None without the levels."""
    if not set(reports.AGENT_DAY_INPUTS) <= set(agent_intervals[0].columns):
        return None
    frames = [reports.agent_days(meta, frame) for frame in agent_intervals]
    return reports.combine(frames, AGENT_DAY_KEYS)


def _customers(
    meta: RunMeta, records: Sequence[ReplicationRecord], summaries: Sequence[pd.DataFrame]
) -> pd.DataFrame | None:
    """Customer figures per queue of each replication, combined; None unless tallied."""
    if not meta.customers:
        return None
    frames = [
        reports.replication_customers(meta, record, summary)
        for record, summary in zip(records, summaries, strict=True)
    ]
    return reports.combine(frames, reports.row_keys(meta, ["queue"]))


def _stack_replications(
    records: Sequence[ReplicationRecord], summaries: Sequence[pd.DataFrame]
) -> pd.DataFrame:
    """The per-replication summaries stacked, with a leading ``replication`` column."""
    frames = [
        summary.assign(replication=record.replication)
        for record, summary in zip(records, summaries, strict=True)
    ]
    stacked = pd.concat(frames, ignore_index=True)
    return stacked[["replication", *summaries[0].columns]]


def _offered_work(meta: RunMeta, records: Sequence[ReplicationRecord]) -> pd.DataFrame:
    """Base handle time drawn for the offered contacts, per replication and queue, channel
    (several channels only) and ``ALL``."""
    queue_count = len(meta.queues)
    rows = []
    for record in records:
        per_queue = record.tallies.contacts.offered_work_sum_s.reshape(-1, queue_count).sum(axis=0)
        rows.append(reports.with_totals(meta, per_queue))
    names = reports.row_names(meta)
    return pd.DataFrame(
        {
            "replication": np.repeat([record.replication for record in records], len(names)),
            "queue": pd.Categorical(names * len(records), categories=names),
            "offered_work_s": np.concatenate(rows),
        }
    )


def _routing(meta: RunMeta, records: Sequence[ReplicationRecord]) -> pd.DataFrame:
    """Group × queue work, combined, for the pairs that handled a contact in some replication.

    Every replication contributes a row for each kept pair (0 contacts where it
    handled none), so the means are over all replications.
    """
    frames = [reports.replication_routing(meta, record) for record in records]
    served = np.logical_or.reduce([frame["handled"].to_numpy() > 0 for frame in frames])
    return reports.combine([frame[served] for frame in frames], ROUTING_KEYS)


def _queue_length(meta: RunMeta, records: Sequence[ReplicationRecord]) -> pd.DataFrame:
    """Time-average queue length on the recorded grid, combined."""
    frames = [reports.queue_length(meta, record) for record in records]
    return reports.combine(frames, ["time_s", "queue"])


def _wait_distribution(meta: RunMeta, records: Sequence[ReplicationRecord]) -> pd.DataFrame:
    """Waiting-time distribution from 0 to the longest wait (or threshold), combined."""
    longest = max([*meta.sl_threshold_s, *(reports.longest_wait_s(record) for record in records)])
    grid = np.linspace(0.0, max(longest, 1.0), WAIT_DISTRIBUTION_POINTS)
    frames = [reports.wait_distribution(meta, record, grid) for record in records]
    return reports.combine(frames, ["wait_s", "queue"])


def _contact_log(meta: RunMeta, records: Sequence[ReplicationRecord]) -> SpooledLog | None:
    """The records' contact logs joined in replication order; None if they kept none."""
    streamed = [record.contact_log for record in records]
    if all(path is not None for path in streamed):
        return contact_log.merge(meta, streamed[0].parent, streamed)  # type: ignore[union-attr,arg-type]
    if all(record.contacts is not None for record in records):
        return contact_log.spool_memory_logs(
            meta,
            [(record.replication, record.contacts) for record in records],  # type: ignore[misc]
        )
    return None


CSV_ROWS_PER_BLOCK = 1024
"""Rows converted and written at a time, so a year of intervals needs no copy of its table."""


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV, a block of rows at a time (the same bytes as in one go).

    Floats are written with Python's shortest round-trip repr (full
    precision), calendar columns as ISO 8601 with the UTC offset, and text
    cells that would start a spreadsheet formula escaped.
    """
    # PERF: blocks keep the converted copies small (benchmarks/README.md, "Memory").
    with path.open("w", encoding="utf-8", newline="") as file:
        for start in range(0, max(len(frame), 1), CSV_ROWS_PER_BLOCK):
            rows = slice(start, start + CSV_ROWS_PER_BLOCK)
            # Column by column: slicing the whole frame would consolidate it (a full copy).
            block = pd.DataFrame({name: frame[name].iloc[rows] for name in frame.columns})
            csv_safe(_iso_calendar_times(block)).to_csv(file, index=False, header=start == 0)


def _iso_calendar_times(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its timezone-aware datetime columns as ISO 8601 text with the UTC offset."""
    zoned = [name for name, dtype in frame.dtypes.items() if isinstance(dtype, pd.DatetimeTZDtype)]
    if not zoned:
        return frame
    return frame.assign(**{name: frame[name].map(pd.Timestamp.isoformat) for name in zoned})
