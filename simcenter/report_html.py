"""The HTML report: one self-contained ``report.html`` from an output folder.

:func:`write_report` reads what ``simcenter run`` wrote (the CSV tables and the
resolved ``scenario.yaml``) and writes ``report.html`` beside them: headline
figures against their targets, per-queue and per-group tables, interval
charts, the scenario and the definition of every figure. Charts are PNG images
embedded as ``data:`` URIs and the styles are inline, so the page makes no
network request (its Content-Security-Policy forbids any) and can be mailed
as one file. Text is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simcenter import analysis, plotting
from simcenter._version import __version__
from simcenter.errors import SimcenterError
from simcenter.formats import duration_label, zone_name
from simcenter.records import RunMeta
from simcenter.reports import ALL

REPORT_FILE = "report.html"
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
     "offered less short abandons, by the queue's definition); met when it reaches the target"),
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
    ("cost", "staffed hours × the group's cost per hour"),
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
    output = _read_output(Path(outdir))
    target = output.folder / REPORT_FILE
    staging = target.with_name(f".{REPORT_FILE}.tmp-{os.getpid()}")
    staging.write_text(render(output), encoding="utf-8")
    staging.replace(target)
    return target


def _read_output(folder: Path) -> _Output:
    """Read the tables and the scenario of a results folder."""
    from simcenter.engine import run_meta
    from simcenter.loading import load_scenario

    required = ("scenario.yaml", "summary.csv", "intervals.csv", "agents.csv")
    missing = [name for name in required if not (folder / name).is_file()]
    if missing:
        raise SimcenterError(
            f"{folder}: not a results folder of simcenter run (missing {', '.join(missing)})"
        )
    scenario_text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    meta = run_meta(load_scenario(folder / "scenario.yaml"))
    replications = _optional_csv(folder / "replications.csv")
    return _Output(
        folder=folder,
        scenario=yaml.safe_load(scenario_text),
        scenario_text=scenario_text,
        meta=meta,
        summary=pd.read_csv(folder / "summary.csv", keep_default_na=False, na_values=[""]),
        intervals=_with_calendar(meta, pd.read_csv(folder / "intervals.csv")),
        agents=pd.read_csv(folder / "agents.csv"),
        routing=_optional_csv(folder / "routing.csv"),
        agent_intervals=_with_calendar(meta, _optional_csv(folder / "agent_intervals.csv")),
        replications=1 if replications is None else int(replications["replication"].nunique()),
    )


def _optional_csv(path: Path) -> pd.DataFrame | None:
    """A CSV table, or None if the file is absent."""
    return pd.read_csv(path) if path.is_file() else None


def _with_calendar(meta: RunMeta, frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """An interval table read from CSV, its ``interval_start`` rebuilt from ``start_s``."""
    if frame is None:
        return None
    return analysis.with_interval_start(
        meta, frame.drop(columns=["interval_start"], errors="ignore")
    )


def render(output: _Output) -> str:
    """The report page of a results folder, as HTML text."""
    name = str(output.scenario.get("name", "scenario"))
    sections = [
        _run_section(output),
        _headline_section(output),
        _queue_section(output),
        _group_section(output),
        _chart_section(output),
        _scenario_section(output),
        _definition_section(),
    ]
    return _PAGE.format(
        title=_text(f"simcenter report: {name}"),
        style=_STYLE,
        body="\n".join(sections),
        version=_text(__version__),
    )


# --------------------------------------------------------------------------- sections


def _run_section(output: _Output) -> str:
    """Name, description and the run's calendar and size."""
    meta, scenario = output.meta, output.scenario
    facts = [
        ("start", pd.Timestamp(meta.start).isoformat()),
        ("time zone", zone_name(meta)),
        ("horizon", f"{meta.horizon_s / 3600:g} h after a warm-up of {meta.warmup_s / 60:g} min"),
        ("interval", f"{meta.interval_s / 60:g} min"),
        ("replications", str(output.replications)),
        ("seed", str(scenario.get("seed", ""))),
    ]
    items = "".join(f"<dt>{_text(key)}</dt><dd>{_text(value)}</dd>" for key, value in facts)
    description = scenario.get("description")
    intro = f"<p>{_text(description)}</p>" if description else ""
    return (
        f"<header><h1>{_text(scenario.get('name', 'scenario'))}</h1>{intro}"
        f'<dl class="facts">{items}</dl></header>'
    )


def _headline_section(output: _Output) -> str:
    """The whole centre's service level, ASA, abandonment, occupancy and cost."""
    every = _row(output.summary, ALL)
    targets = set(output.meta.sl_target)
    target = targets.pop() if len(targets) == 1 else None
    level = every["service_level"]
    verdict = "" if target is None else _verdict(level, target)
    cards = [
        ("service level", _percent(level, every.get("service_level_ci95")), verdict),
        ("ASA", _seconds(every["asa_s"], every.get("asa_s_ci95")), ""),
        ("abandon rate", _percent(every["abandon_rate"], every.get("abandon_rate_ci95")), ""),
        ("occupancy", _percent(every["occupancy"], every.get("occupancy_ci95")), ""),
        ("offered", _count(every["offered"], every.get("offered_ci95")), ""),
        ("cost", _count(output.agents["cost"].sum()), ""),
    ]
    html_cards = "".join(
        f'<div class="card" data-figure="{_text(name)}"><div class="label">{_text(name)}</div>'
        f'<div class="value">{_text(value)}</div>{note}</div>'
        for name, value, note in cards
    )
    caption = "" if target is None else f" (target {target:.0%})"
    return f"<section><h2>Headline: every queue{_text(caption)}</h2>{html_cards}</section>"


def _verdict(level: float, target: float) -> str:
    """A met / missed badge of a service level against its target."""
    if not math.isfinite(level):
        return '<span class="badge">no contacts</span>'
    met = level >= target
    return f'<span class="badge {"met" if met else "missed"}">{"met" if met else "missed"}</span>'


def _queue_section(output: _Output) -> str:
    """One row per queue (then ALL): volumes, service level against target, waits."""
    meta = output.meta
    headers = ["queue", "offered", "answered", "abandoned", "service level", "target",
               "threshold", "", "ASA", "abandon rate", "wait p90"]  # fmt: skip
    rows = []
    for _, row in output.summary.iterrows():
        name = str(row["queue"])
        index = meta.queues.index(name) if name in meta.queues else None
        target = None if index is None else meta.sl_target[index]
        rows.append([
            name,
            _count(row["offered"], row.get("offered_ci95")),
            _count(row["answered"], row.get("answered_ci95")),
            _count(row["abandoned"], row.get("abandoned_ci95")),
            _percent(row["service_level"], row.get("service_level_ci95")),
            "" if target is None else f"{target:.0%}",
            "" if index is None else duration_label(meta.sl_threshold_s[index]),
            _Html("" if target is None else _verdict(row["service_level"], target)),
            _seconds(row["asa_s"], row.get("asa_s_ci95")),
            _percent(row["abandon_rate"], row.get("abandon_rate_ci95")),
            _seconds(row["wait_p90_s"], row.get("wait_p90_s_ci95")),
        ])  # fmt: skip
    table = _table(headers, rows, "queues")
    return f"<section><h2>Queues</h2><p>{_text(_met_count(output))}</p>{table}</section>"


def _met_count(output: _Output) -> str:
    """How many queues met their service-level target."""
    meta = output.meta
    levels = output.summary.set_index(output.summary["queue"].astype(str))["service_level"]
    met = sum(
        bool(levels.get(name, math.nan) >= target)
        for name, target in zip(meta.queues, meta.sl_target, strict=True)
    )
    return f"{met} of {len(meta.queues)} queues met their service-level target."


def _group_section(output: _Output) -> str:
    """One row per agent group, then the work of each group per queue."""
    headers = ["group", "staffed hours", "busy hours", "occupancy", "contacts handled", "cost"]
    rows = [
        [
            str(row["group"]),
            _count(row["staffed_h"], row.get("staffed_h_ci95")),
            _count(row["busy_h"], row.get("busy_h_ci95")),
            _percent(row["occupancy"], row.get("occupancy_ci95")),
            _count(row["contacts_handled"], row.get("contacts_handled_ci95")),
            _count(row["cost"], row.get("cost_ci95")),
        ]
        for _, row in output.agents.iterrows()
    ]
    parts = [f"<section><h2>Agent groups</h2>{_table(headers, rows, 'groups')}"]
    if output.routing is not None and len(output.routing):
        routing = [
            [str(row["group"]), str(row["queue"]), _count(row["handled"]), _seconds(row["aht_s"])]
            for _, row in output.routing.iterrows()
        ]
        parts.append("<h3>Who handled which queue</h3>")
        parts.append(_table(["group", "queue", "handled", "AHT"], routing, "routing"))
    parts.append("</section>")
    return "".join(parts)


def _chart_section(output: _Output) -> str:
    """The interval charts, drawn from the tables, and the plots ``run`` saved."""
    figures = []
    for title, draw in _charts(output):
        figures.append(_figure(title, _png(draw())))
    for name, title in _EMBEDDED_PLOTS:
        path = output.folder / "plots" / f"{name}.png"
        if path.is_file():
            figures.append(_figure(title, path.read_bytes()))
    return f'<section><h2>Charts</h2><div class="charts">{"".join(figures)}</div></section>'


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


def _scenario_section(output: _Output) -> str:
    """The resolved scenario, as written to ``scenario.yaml``."""
    return f"<section><h2>Scenario</h2><pre>{_text(output.scenario_text)}</pre></section>"


def _definition_section() -> str:
    """The definition of every figure of the report."""
    items = "".join(f"<dt>{_text(name)}</dt><dd>{_text(text)}</dd>" for name, text in DEFINITIONS)
    return f'<section><h2>Definitions</h2><dl class="definitions">{items}</dl></section>'


# ------------------------------------------------------------------------- building blocks


class _Html(str):
    """Text that is already HTML (not escaped again)."""


def _text(value: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(value), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], name: str) -> str:
    """An HTML table; cells are escaped unless they are :class:`_Html`."""
    head = "".join(f"<th>{_text(header)}</th>" for header in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{cell if isinstance(cell, _Html) else _text(cell)}</td>" for cell in row)
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table data-table="{_text(name)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _figure(title: str, png: bytes) -> str:
    """A chart as an embedded PNG with its caption."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{_text(title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_text(title)}</figcaption></figure>"
    )


def _png(figure: Any) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def _row(table: pd.DataFrame, queue: str) -> pd.Series:
    """The summary row of a queue (or ``ALL``)."""
    return table[table["queue"].astype(str) == queue].iloc[0]


def _plus_minus(text: str, half_width: object, scale: float, unit: str) -> str:
    """``text`` followed by ``± half-width`` when a finite half-width is given."""
    if half_width is None or not math.isfinite(float(half_width)):
        return text
    return f"{text} ± {float(half_width) * scale:,.1f}{unit}"


def _percent(value: float, half_width: object = None) -> str:
    """A fraction as a percentage with one decimal (``84.6 %``), ``–`` if missing."""
    if not math.isfinite(float(value)):
        return "–"
    return _plus_minus(f"{float(value) * 100:.1f}", half_width, 100.0, "") + " %"


def _seconds(value: float, half_width: object = None) -> str:
    """Seconds with one decimal (``6.0 s``), ``–`` if missing."""
    if not math.isfinite(float(value)):
        return "–"
    return _plus_minus(f"{float(value):,.1f}", half_width, 1.0, "") + " s"


def _count(value: float, half_width: object = None) -> str:
    """A count or amount with one decimal and thousands separators, ``–`` if missing."""
    if not math.isfinite(float(value)):
        return "–"
    return _plus_minus(f"{float(value):,.1f}", half_width, 1.0, "")


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem;
       color: #1d2330; max-width: 80rem; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ccd; padding-bottom: 0.2rem; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.1rem 1rem; }
dl.facts dt, dl.definitions dt { font-weight: 600; }
dl.definitions dd { margin: 0 0 0.5rem 1.5rem; }
.card { display: inline-block; min-width: 10rem; margin: 0 1rem 1rem 0; padding: 0.7rem 1rem;
        border: 1px solid #ccd; border-radius: 6px; vertical-align: top; }
.card .label { color: #556; font-size: 0.9rem; } .card .value { font-size: 1.5rem; }
.badge { display: inline-block; padding: 0 0.5rem; border-radius: 4px; background: #eee; }
.badge.met { background: #d5f5dd; color: #145c28; }
.badge.missed { background: #fbdada; color: #8a1414; }
.scroll { max-height: 32rem; overflow: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #e4e4ea; text-align: right;
         white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { position: sticky; top: 0; background: #f4f4f8; }
figure { margin: 0 0 1.5rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #556; }
pre { background: #f4f4f8; padding: 1rem; overflow: auto; max-height: 30rem; }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
<footer><p>Written by simcenter {version}.</p></footer>
</body>
</html>
"""
