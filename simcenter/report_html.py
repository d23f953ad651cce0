"""The HTML report: one self-contained ``report.html`` from an output folder.

:func:`write_report` reads what ``simcenter run`` wrote (the CSV tables and the
resolved ``scenario.yaml``) and writes ``report.html`` beside them: headline
figures against their targets, per-queue and per-group tables, interval
charts, the scenario and the definition of every figure. Charts are PNG images
embedded as ``data:`` URIs and the styles are inline, so the page makes no
network request (its Content-Security-Policy forbids any) and can be mailed
as one file. The page is the Jinja2 template ``templates/report.html`` with
autoescaping, so every name and text from the scenario is escaped; every
figure is written by :mod:`simcenter.formats`, as the console writes it.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import yaml

from simcenter import analysis, days, plotting, verdicts
from simcenter._version import __version__
from simcenter.errors import SimcenterError
from simcenter.formats import (
    count,
    decimal,
    duration_label,
    money,
    percent,
    percent_points,
    seconds,
    seconds_number,
    with_half_width,
    zone_name,
)
from simcenter.records import RunMeta
from simcenter.reports import ALL, CHANNEL
from simcenter.text import with_names_restored

REPORT_FILE = "report.html"
UNSERVED = (("in_system", "still in system at the end"), ("disconnected", "disconnected"))
"""Summary columns of contacts left unserved, with their labels: shown whenever not zero."""
_EMBEDDED_PLOTS = (
    ("queue_length", "Queue length over time"),
    ("waiting_times", "Waiting-time distribution"),
)
"""Plots drawn by ``run`` from tables that are not written as CSV: embedded from ``plots/``."""

DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("offered", "every contact that arrived for the queue in the measured window, whatever "
     "happened to it (offered = the sum of all outcome counts)"),
    ("answered", "contacts an agent took and finished (outcome answered)"),
    ("abandoned", "contacts that hung up while waiting"),
    ("service level", "answered within the queue's threshold / offered (or / answered, or / "
     "offered less short abandons, by the queue's definition)"),
    ("verdict", verdicts.RULE),
    ("queues", "how many queues met their service-level target, missed it, or are too close to "
     "call (see verdict)"),
    ("still in system at the end", "contacts still waiting or in service when the run stopped, "
     "per replication (never served within the run)"),
    ("disconnected", "contacts still waiting at the end of the horizon and disconnected by "
     "closing: clear, per replication"),
    ("ASA", "average speed of answer: mean wait of the answered contacts, in seconds"),
    ("abandon rate", "abandoned / offered"),
    ("target", "the queue's service-level target (fraction of contacts answered in time)"),
    ("threshold", "the wait within which a contact counts as answered in time"),
    ("wait p90", "90th percentile of the wait of all offered contacts, in seconds"),
    ("occupancy", "busy time (talk and after-call work) / time on duty of the agents"),
    ("staffed hours", "time on duty of a group's agents, in hours"),
    ("busy hours", "time a group's agents spent talking or in after-call work, in hours"),
    ("contacts handled", "contacts an agent of the group answered and finished in the run"),
    ("handled", "contacts of the queue that agents of the group answered and finished"),
    ("AHT", "average handle time: mean talk and after-call work per handled contact, seconds"),
    ("cost", "staffed hours × the group's cost per hour; in the days table, the agents' cost of "
     "the day plus the day's abandoned contacts × their queue's abandon_cost"),
    ("day", "a calendar day in the scenario's time zone (23 or 25 hours when the clocks change); "
     "its figures cover the contacts that arrived in it"),
    ("staffing", "agent-hours scheduled (rostered by plan or shift) and present (idle, busy, in "
     "wrap-up or on break) against the agent-hours the queues require by Erlang C per "
     "interval (no abandonment, as the staffing chart; summed over queues)"),
    ("± (95 % CI)", "half-width of the 95 % Student-t confidence interval of the mean over "
     "replications (shown with two or more replications)"),
    ("required agents", "per interval, the agents each queue needs on its own to meet its target "
     "by Erlang C (no abandonment), from the interval's offered rate and handle time; summed "
     "over queues, so an upper bound where agents serve several queues"),
    ("average day", "per time of day, the interval figures averaged over the days of the run"),
)  # fmt: skip
"""Every figure the report shows, with its definition."""


@dataclass(frozen=True)
class _Output:
    """The tables of an output folder, as the report needs them."""

    folder: Path
    scenario: dict[str, Any]
    scenario_text: str
    meta: RunMeta
    summary: pd.DataFrame
    intervals: pd.DataFrame
    agents: pd.DataFrame
    routing: pd.DataFrame | None
    agent_intervals: pd.DataFrame | None
    replications: int
    daily: pd.DataFrame | None = None
    agent_days: pd.DataFrame | None = None


def write_report(outdir: str | os.PathLike[str]) -> Path:
    """Write ``report.html`` into a results folder written by ``simcenter run``.

    Args:
        outdir: The results folder (with ``scenario.yaml``, ``summary.csv``,
            ``intervals.csv`` and ``agents.csv``; ``routing.csv``,
            ``agent_intervals.csv`` and ``plots/`` are used when present).

    Returns:
        The path of the report.

    Raises:
        SimcenterError: If the folder is not a results folder.
    """
    from simcenter.outdir import temporary

    text = report_text(outdir)
    target = Path(outdir) / REPORT_FILE
    staging = temporary(target.parent, REPORT_FILE)
    try:
        staging.write_text(text, encoding="utf-8")
        staging.replace(target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return target


READ_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError, yaml.YAMLError)
"""What reading a results folder changed by hand may raise (pandas' parser errors included)."""


def report_text(outdir: str | os.PathLike[str]) -> str:
    """The report page of a results folder written by ``simcenter run``, as HTML text.

    Raises:
        SimcenterError: The folder is not a results folder, or its files
            cannot be read as simcenter wrote them (edited or truncated).
    """
    folder = Path(outdir)
    try:
        return render(_read_output(folder))
    except READ_ERRORS as error:
        detail = " ".join(str(error).split())[:200]
        raise SimcenterError(
            f"{folder}: its files cannot be read as simcenter run wrote them "
            f"({type(error).__name__}: {detail}); were they edited? Run simcenter run again"
        ) from None


def check_results_folder(folder: Path) -> None:
    """Refuse a folder without the files of ``simcenter run`` that the report reads.

    Raises:
        SimcenterError: A file is missing (the message names them).
    """
    required = ("scenario.yaml", "summary.csv", "intervals.csv", "agents.csv")
    missing = [name for name in required if not (folder / name).is_file()]
    if missing:
        raise SimcenterError(
            f"{folder}: not a results folder of simcenter run (missing {', '.join(missing)})"
        )


def _read_output(folder: Path) -> _Output:
    """Read the tables and the scenario of a results folder."""
    from simcenter.loading import load_scenario
    from simcenter.records import run_meta

    check_results_folder(folder)
    scenario_text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    meta = run_meta(load_scenario(folder / "scenario.yaml"))
    replications = _optional_csv(folder / "replications.csv")
    names = [*meta.queues, *meta.groups]

    def read(name: str, **options: Any) -> pd.DataFrame:
        return with_names_restored(pd.read_csv(folder / name, **options), names)

    return _Output(
        folder=folder,
        scenario=yaml.safe_load(scenario_text),
        scenario_text=scenario_text,
        meta=meta,
        summary=read("summary.csv", keep_default_na=False, na_values=[""]),
        intervals=_with_calendar(meta, read("intervals.csv")),
        agents=read("agents.csv"),
        routing=_optional_csv(folder / "routing.csv", names),
        agent_intervals=_with_calendar(meta, _agent_intervals(folder, names)),
        replications=1 if replications is None else int(replications["replication"].nunique()),
        daily=_optional_csv(folder / "daily.csv", names),
        agent_days=_optional_csv(folder / "agent_days.csv", names),
    )


def _agent_intervals(folder: Path, names: list[str]) -> pd.DataFrame | None:
    """``agent_intervals.csv`` with today's column names (older folders read too), or None."""
    frame = _optional_csv(folder / "agent_intervals.csv", names)
    return None if frame is None else analysis.with_current_agent_columns(frame)


def _optional_csv(path: Path, names: list[str] | None = None) -> pd.DataFrame | None:
    """A CSV table (with the escaped cells of ``names`` restored), or None if it is absent."""
    if not path.is_file():
        return None
    return with_names_restored(pd.read_csv(path), names or [])


def _with_calendar(meta: RunMeta, frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """An interval table read from CSV, its ``interval_start`` rebuilt from ``start_s``."""
    if frame is None:
        return None
    return analysis.with_interval_start(
        meta, frame.drop(columns=["interval_start"], errors="ignore")
    )


def render(output: _Output) -> str:
    """The report page of a results folder, as HTML text (the ``report.html`` template)."""
    every = _row(output.summary, ALL)
    judged = verdicts.queue_verdicts(output.summary, output.meta)
    return _template().render(
        name=str(output.scenario.get("name", "scenario")),
        description=output.scenario.get("description"),
        facts=_facts(output),
        headline=verdicts.headline(judged),
        cards=_cards(output, every, judged),
        queues=_queue_table(output),
        groups=_group_table(output),
        routing=_routing_table(output),
        days=_day_table(output),
        days_note=_days_note(output),
        staffing=_staffing_line(output),
        figures=_figures(output),
        scenario_text=output.scenario_text,
        definitions=DEFINITIONS,
        version=__version__,
    )


@functools.cache
def _template() -> jinja2.Template:
    """The page template, shipped in ``simcenter/templates``; every value is escaped."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("simcenter", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.tests["verdict"] = lambda value: isinstance(value, Verdict)
    return environment.get_template(REPORT_FILE)


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class Verdict:
    """A verdict badge: its text (a verdict of :mod:`simcenter.verdicts`, or ``no contacts``)
    and its style (``met``, ``missed``, ``close``, or none)."""

    text: str
    kind: str


@dataclass(frozen=True)
class Card:
    """A headline figure: its name (defined in :data:`DEFINITIONS`), value and verdict."""

    name: str
    value: str
    verdict: Verdict | None = None


@dataclass(frozen=True)
class Table:
    """A table of the page: cells are text, or a :class:`Verdict`."""

    name: str
    headers: list[str]
    rows: list[list[str | Verdict]]


@dataclass(frozen=True)
class Chart:
    """A chart: its title and its PNG image in base64."""

    title: str
    png: str


def _facts(output: _Output) -> list[tuple[str, str]]:
    """The run's calendar and size."""
    meta, scenario = output.meta, output.scenario
    return [
        ("start", pd.Timestamp(meta.start).isoformat()),
        ("time zone", zone_name(meta)),
        ("horizon", f"{meta.horizon_s / 3600:g} h after a warm-up of {meta.warmup_s / 60:g} min"),
        ("interval", f"{meta.interval_s / 60:g} min"),
        ("replications", str(output.replications)),
        ("seed", str(scenario.get("seed", ""))),
    ]


def _cards(output: _Output, every: pd.Series, judged: list[verdicts.QueueVerdict]) -> list[Card]:
    """How many queues meet their targets, the whole centre's figures and the unserved contacts."""
    counts = verdicts.tally(judged)
    return [
        Card("queues", " · ".join(f"{counts[name]} {name}" for name in verdicts.VERDICTS)),
        Card("service level", _percent(every, "service_level")),
        Card("ASA", _seconds(every, "asa_s")),
        Card("abandon rate", _percent(every, "abandon_rate")),
        Card("occupancy", _percent(every, "occupancy")),
        Card("offered", _count(every, "offered")),
        Card("cost", money(float(output.agents["cost"].sum()))),
        *(Card(label, _count(every, column)) for column, label in _unserved(output.summary)),
    ]


def _unserved(summary: pd.DataFrame) -> list[tuple[str, str]]:
    """The columns of :data:`UNSERVED` with a contact in some row, with their labels."""
    return [
        (column, label)
        for column, label in UNSERVED
        if column in summary and (summary[column].fillna(0) > 0).any()
    ]


def _badge(verdict: verdicts.Verdict | None) -> Verdict:
    """The badge of a verdict (see :mod:`simcenter.verdicts`); None: the queue had no contacts."""
    if verdict is None:
        return Verdict("no contacts", "")
    kind = {verdicts.MET: "met", verdicts.MISSED: "missed", verdicts.TOO_CLOSE: "close"}[verdict]
    return Verdict(verdict, kind)


def _queue_table(output: _Output) -> Table:
    """One row per queue (then each channel's, with several, then ALL): volumes, service level
    against target, waits; with several channels, the channel of each row."""
    meta = output.meta
    unserved = _unserved(output.summary)
    channels = CHANNEL in output.summary
    headers = ["queue", *([CHANNEL] if channels else []), "offered", "answered", "abandoned",
               "service level", "target", "threshold", "verdict", "ASA", "abandon rate",
               "wait p90", *(label for _, label in unserved)]  # fmt: skip
    judged = verdicts.summary_verdicts(output.summary, meta)
    rows: list[list[str | Verdict]] = []
    for _, row in output.summary.iterrows():
        name = str(row["queue"])
        index = meta.queues.index(name) if name in meta.queues else None
        target = None if index is None else meta.sl_target[index]
        rows.append([
            name,
            *([str(row[CHANNEL])] if channels else []),
            _count(row, "offered"),
            _count(row, "answered"),
            _count(row, "abandoned"),
            _percent(row, "service_level"),
            "" if target is None else percent(target),
            "" if index is None else duration_label(meta.sl_threshold_s[index]),
            "" if index is None else _badge(judged[name].verdict),
            _seconds(row, "asa_s"),
            _percent(row, "abandon_rate"),
            _seconds(row, "wait_p90_s"),
            *(_count(row, column) for column, _ in unserved),
        ])  # fmt: skip
    return Table("queues", headers, rows)


def _group_table(output: _Output) -> Table:
    """One row per agent group."""
    headers = ["group", "staffed hours", "busy hours", "occupancy", "contacts handled", "cost"]
    rows: list[list[str | Verdict]] = [
        [
            str(row["group"]),
            _hours(row, "staffed_h"),
            _hours(row, "busy_h"),
            _percent(row, "occupancy"),
            _count(row, "contacts_handled"),
            _money(row, "cost"),
        ]
        for _, row in output.agents.iterrows()
    ]
    return Table("groups", headers, rows)


def _routing_table(output: _Output) -> Table | None:
    """The work of each group per queue, when the folder has it."""
    if output.routing is None or not len(output.routing):
        return None
    rows: list[list[str | Verdict]] = [
        [str(row["group"]), str(row["queue"]), _count(row, "handled"), _seconds(row, "aht_s")]
        for _, row in output.routing.iterrows()
    ]
    return Table("routing", ["group", "queue", "handled", "AHT"], rows)


def _days_shown(output: _Output) -> tuple[pd.DataFrame, int, int] | None:
    """The days the table shows, how many it leaves out and how many there are; None for one day."""
    if output.daily is None or output.daily["day"].nunique() < 2:
        return None
    table = days.day_table(output.daily, output.agent_days, days.abandon_costs(output.scenario))
    shown, left_out = days.shown_days(table)
    return shown, left_out, len(table)


def _day_table(output: _Output) -> Table | None:
    """One row per day of a multi-day run (the worst days by service level when there are many)."""
    selection = _days_shown(output)
    if selection is None:
        return None
    headers = ["day", "offered", "service level", "ASA", "abandon rate", "occupancy", "cost"]
    rows: list[list[str | Verdict]] = [
        [
            str(row["day"]),
            _count(row, "offered"),
            _percent(row, "service_level"),
            _seconds(row, "asa_s"),
            _percent(row, "abandon_rate"),
            _percent(row, "occupancy"),
            _money(row, "cost"),
        ]
        for _, row in selection[0].iterrows()
    ]
    return Table("days", headers, rows)


def _days_note(output: _Output) -> str | None:
    """The note under a day table that shows the worst days only."""
    selection = _days_shown(output)
    if selection is None or not selection[1]:
        return None
    return days.rest_note(selection[1], selection[2])


def _staffing_line(output: _Output) -> str | None:
    """Scheduled and present agent-hours against the requirement, when the folder has them."""
    if output.agent_intervals is None:
        return None
    figures = days.staffing(output.intervals, output.agent_intervals, output.meta)
    return None if figures is None else days.staffing_text(figures)


def _figures(output: _Output) -> list[Chart]:
    """The interval charts, drawn from the tables, and the plots ``run`` saved."""
    charts = [Chart(title, _base64(_png(draw()))) for title, draw in _charts(output)]
    for name, title in _EMBEDDED_PLOTS:
        path = output.folder / "plots" / f"{name}.png"
        if path.is_file():
            charts.append(Chart(title, _base64(path.read_bytes())))
    return charts


def _charts(output: _Output) -> list[tuple[str, Callable[[], Any]]]:
    """The charts that can be drawn from the CSV tables, with their titles."""
    meta, summary, intervals = output.meta, output.summary, output.intervals
    charts = [
        ("Service level per interval",
         lambda: plotting.service_level_figure(intervals, meta, None, None, None, summary)),
        ("Abandonment against waiting",
         lambda: plotting.abandonment_figure(intervals, meta, None, None, None, summary)),
        ("Waiting-time percentiles",
         lambda: plotting.wait_percentiles_figure(summary, meta)),
        ("Average day: offered contacts",
         lambda: plotting.average_day_figure(
             analysis.by_time_of_day(intervals, meta), meta, "offered", None, None, summary)),
    ]  # fmt: skip
    agent_intervals = output.agent_intervals
    if agent_intervals is not None:
        skills = analysis.group_skills(output.scenario)
        charts += [
            ("Agents staffed and required (Erlang C)",
             lambda: plotting.staffing_figure(intervals, agent_intervals, meta, (), skills)),
            ("Occupancy by group and interval",
             lambda: plotting.occupancy_heatmap_figure(agent_intervals, meta)),
        ]  # fmt: skip
    return charts


# ------------------------------------------------------------------------- figures as text
# Every figure is written by simcenter.formats, as the console writes it.


def _base64(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


def _png(figure: Any) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def _row(table: pd.DataFrame, queue: str) -> pd.Series:
    """The summary row of a queue (or of a total row: ``ALL``, ``ALL voice``, ...)."""
    return table[table["queue"].astype(str) == queue].iloc[0]


def _half(row: pd.Series, column: str) -> float | None:
    """The 95 % half-width of ``column`` (None without replications to give one)."""
    value = row.get(f"{column}_ci95")
    return None if value is None or not math.isfinite(float(value)) else float(value)


def _with_half(row: pd.Series, column: str, write: Callable[[float], str],
               write_half: Callable[[float], str]) -> str:  # fmt: skip
    """``column`` written by ``write``, then ``± half-width`` written by ``write_half``."""
    half = _half(row, column)
    return with_half_width(write(float(row[column])), None if half is None else write_half(half))


def _percent(row: pd.Series, column: str) -> str:
    """A fraction as a percentage, ± percentage points: ``84.6% ± 1.2``."""
    return _with_half(row, column, percent, percent_points)


def _seconds(row: pd.Series, column: str) -> str:
    """Seconds, ± seconds: ``6.0 s ± 0.4``."""
    return _with_half(row, column, seconds, seconds_number)


def _count(row: pd.Series, column: str) -> str:
    """A mean count per replication, ± its half-width with one decimal: ``1,234 ± 12.5``."""
    return _with_half(row, column, count, decimal)


def _hours(row: pd.Series, column: str) -> str:
    """Hours with one decimal, ± hours: ``123.4 ± 0.5``."""
    return _with_half(row, column, decimal, decimal)


def _money(row: pd.Series, column: str) -> str:
    """An amount of money, ± money: ``1,968.76 ± 12.50``."""
    return _with_half(row, column, money, money)
