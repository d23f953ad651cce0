"""What ``simcenter run`` prints: the summary table, the cost, warnings, or a JSON document.

The table has one row per queue, a total row per channel when the queues use
several (``ALL voice``, ``ALL video``), and the ``ALL`` row: offered, answered and
abandoned contacts (means per replication), the service level with its 95 %
half-width, the queue's objective (``80% in 20s``) and whether the service
level meets it (``met``, ``missed`` or ``too close to call``, by the rule of
:mod:`simcenter.verdicts`), the ASA, the abandonment rate and the
occupancy. Figures are written as :mod:`simcenter.formats` writes them. A
scenario with more than :data:`MANY_QUEUES` queues shows the
:data:`WORST_QUEUES` queues with the lowest service level, then ``ALL``, and
one line counting the rest (all of them with ``--all-queues``). The table is
drawn with rich on a terminal and as plain aligned text otherwise.

``--format json`` prints instead one JSON document (:func:`json_document`)
with the summary, the agent groups, the cost, the warnings and the files
written, and nothing else on standard output.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from simcenter.errors import Problem
from simcenter.formats import (
    MISSING,
    count,
    money,
    percent,
    percent_points,
    seconds,
    seconds_number,
    with_half_width,
)
from simcenter.units import format_duration
from simcenter.verdicts import MET, MISSED, TOO_CLOSE, VERDICTS, QueueVerdict, summary_verdicts

if TYPE_CHECKING:
    import pandas as pd

    from simcenter.days import Staffing
    from simcenter.results import Results

MANY_QUEUES = 15
"""With more queues than this, the table shows the worst ones only (unless ``--all-queues``)."""

WORST_QUEUES = 10
"""How many queues the table shows when there are many: those with the lowest service level."""

HEADERS = (
    "queue",
    "offered",
    "answered",
    "abandoned",
    "service level",
    "target",
    "verdict",
    "ASA",
    "abandoned %",
    "occupancy",
)


def verdicts(results: Results) -> dict[str, QueueVerdict]:
    """Queue name (and ``ALL``) -> its objective and verdict (:mod:`simcenter.verdicts`)."""
    return summary_verdicts(results.summary, results.meta)


def _verdict_text(verdict: QueueVerdict) -> str:
    return verdict.verdict or MISSING


def shown_queues(summary: pd.DataFrame, all_queues: bool) -> tuple[list[str], int]:
    """The rows the table shows, in order (the channel rows, then ``ALL``, last), and how
    many queues are left out.

    With at most :data:`MANY_QUEUES` queues, or ``all_queues``, every queue in
    summary order; otherwise the :data:`WORST_QUEUES` with the lowest service
    level (ties by name; queues with no contact offered last).
    """
    from simcenter.reports import is_total

    names = [str(queue) for queue in summary["queue"]]
    queues = [name for name in names if not is_total(name)]
    totals = [name for name in names if is_total(name)]
    if all_queues or len(queues) <= MANY_QUEUES:
        return [*queues, *totals], 0
    levels = summary.set_index("queue")["service_level"]
    ranked = sorted(queues, key=lambda queue: (math.isnan(levels[queue]), levels[queue], queue))
    return [*ranked[:WORST_QUEUES], *totals], len(queues) - WORST_QUEUES


def table_rows(results: Results, queues: Sequence[str]) -> list[list[str]]:
    """The table's cells (as text) for the given queues, in :data:`HEADERS` order."""
    summary = results.summary.set_index("queue")
    judged = verdicts(results)
    rows = []
    for queue in queues:
        row = summary.loc[queue]
        verdict = judged[queue]
        objective = (
            MISSING
            if math.isnan(verdict.target)
            else f"{percent(verdict.target)} in {format_duration(verdict.threshold_s)}"
        )
        rows.append(
            [
                queue,
                count(row["offered"]),
                count(row["answered"]),
                count(row["abandoned"]),
                with_half_width(
                    percent(row["service_level"]), _half(row, "service_level", percent_points)
                ),
                objective,
                _verdict_text(verdict),
                with_half_width(seconds(row["asa_s"]), _half(row, "asa_s", seconds_number)),
                with_half_width(
                    percent(row["abandon_rate"]), _half(row, "abandon_rate", percent_points)
                ),
                percent(row["occupancy"]),
            ]
        )
    return rows


def _half(row: pd.Series, column: str, write: Any) -> str | None:
    """The 95 % half-width of ``column`` as text, or None without replications to give one."""
    value = row.get(f"{column}_ci95", math.nan)
    import pandas as pd

    return None if pd.isna(value) else write(float(value))


def rest_line(results: Results, shown: Sequence[str], left_out: int) -> str:
    """The line that counts the queues the table leaves out, and how many of them met the target."""
    judged = verdicts(results)
    from simcenter.reports import is_total

    rest = [queue for queue in judged if not is_total(queue) and queue not in shown]
    counts = {kind: sum(judged[queue].verdict == kind for queue in rest) for kind in VERDICTS}
    parts = [f"{counts[MET]:,} met", f"{counts[MISSED]:,} missed the target"]
    if counts[TOO_CLOSE]:
        parts.append(f"{counts[TOO_CLOSE]:,} too close to call")
    if len(rest) - sum(counts.values()):
        parts.append(f"{len(rest) - sum(counts.values()):,} had no contact")
    return f"{left_out:,} more queues not shown ({', '.join(parts)}); --all-queues shows them all"


UNSERVED = (
    ("in_system", "still in the system at the end"),
    ("disconnected", "disconnected at closing"),
)
"""Summary columns of contacts that were never served, with how the console names them."""


def unserved_lines(summary: pd.DataFrame) -> list[str]:
    """A line per kind of unserved contact (:data:`UNSERVED`) whose ``ALL`` count is not zero.

    ``in_system`` counts the contacts still waiting or in service when the run
    stopped, ``disconnected`` those still waiting at the end with
    ``closing: clear``; both are means per replication, given for ``ALL``
    then for each queue that has any.
    """
    from simcenter.reports import is_total

    table = summary.set_index(summary["queue"].astype(str))
    lines = []
    for column, label in UNSERVED:
        if column not in table or not table.loc["ALL", column] > 0:
            continue
        queues = ", ".join(
            f"{queue} {_mean_count(value)}"
            for queue, value in table[column].items()
            if not is_total(queue) and value > 0
        )
        lines.append(f"{_mean_count(table.loc['ALL', column])} contacts {label} ({queues})")
    return lines


def _mean_count(value: float) -> str:
    """A mean count per replication: whole when it is, else one decimal (``0.3``, never ``0``)."""
    return f"{value:,.1f}".removesuffix(".0")


def cost_line(agents: pd.DataFrame) -> str:
    """Total agent cost and staffed hours per replication, with the groups when they are few."""
    total = money(float(agents["cost"].sum()))
    hours = f"{float(agents['staffed_h'].sum()):,.1f}"
    line = f"cost {total} per replication for {hours} staffed agent-hours"
    if len(agents) <= 5:
        groups = ", ".join(f"{row.group} {money(row.cost)}" for row in agents.itertuples())
        line += f" ({groups})"
    return line


def print_summary(
    results: Results, *, all_queues: bool = False, stream: IO[str] | None = None
) -> None:
    """Print the summary table and the cost line (rich on a terminal, plain text otherwise)."""
    out = stream or sys.stdout
    queues, left_out = shown_queues(results.summary, all_queues)
    rows = table_rows(results, queues)
    footer = [rest_line(results, queues, left_out)] if left_out else []
    footer += unserved_lines(results.summary)
    footer.append(cost_line(results.agents))
    if out.isatty():
        _print_rich(rows, footer, out)
    else:
        out.write(plain_table(rows) + "\n")
        out.write("".join(line + "\n" for line in footer))
    out.write("".join(line + "\n" for line in day_lines(results)))


# --- days ----------------------------------------------------------------------------------

DAY_HEADERS = ("day", "offered", "service level", "ASA", "abandoned %", "occupancy", "cost")
"""Columns of the day table of a multi-day run."""

DAY_WIDTH = 80
"""Width the day table is folded to (the day repeated in each part)."""

_PLAIN_GAP = 2
"""Blanks between two columns of a plain table."""


def day_table(results: Results) -> pd.DataFrame | None:
    """The day table of a run over several days (:func:`simcenter.days.day_table`), else None."""
    if results.daily is None or results.day_count < 2:
        return None
    from simcenter import days

    return days.day_table(results.daily, results.agent_days, days.abandon_costs(results.scenario))


def day_rows(table: pd.DataFrame) -> list[list[str]]:
    """The day table's cells (as text), in :data:`DAY_HEADERS` order."""
    rows = []
    for _, row in table.iterrows():
        rows.append(
            [
                str(row["day"]),
                count(row["offered"]),
                with_half_width(
                    percent(row["service_level"]), _half(row, "service_level", percent_points)
                ),
                with_half_width(seconds(row["asa_s"]), _half(row, "asa_s", seconds_number)),
                percent(row["abandon_rate"]),
                percent(row["occupancy"]),
                money(row["cost"]),
            ]
        )
    return rows


def staffing(results: Results) -> Staffing | None:
    """Agent-hours scheduled and present against the requirement (:func:`simcenter.days.staffing`).

    None when the agent interval table has no ``scheduled`` and ``present``.
    """
    from simcenter import days

    return days.staffing(results.intervals, results.agent_intervals, results.meta)


def staffing_line(results: Results) -> str | None:
    """The staffing line (:func:`simcenter.days.staffing_text`), or None without the levels."""
    from simcenter import days

    figures = staffing(results)
    return None if figures is None else days.staffing_text(figures)


def day_lines(results: Results, width: int = DAY_WIDTH) -> list[str]:
    """What a multi-day run prints after the summary: the day table, a note, the staffing line.

    The table has one row per day (:data:`DAY_HEADERS`), at most
    :data:`simcenter.days.MANY_DAYS` days, else the
    :data:`simcenter.days.WORST_DAYS` with the lowest service level and a
    note; it is folded into parts of at most ``width`` characters, each with
    the day column, and the staffing line wrapped at ``width``. Nothing for
    a run within one day.
    """
    table = day_table(results)
    if table is None:
        return []
    from simcenter import days

    shown, left_out = days.shown_days(table)
    rows = day_rows(shown)
    lines = [""]
    for group in column_groups(rows, width, DAY_HEADERS, chrome=_PLAIN_GAP):
        part = [[row[column] for column in group] for row in rows]
        lines += plain_table(part, [DAY_HEADERS[column] for column in group]).splitlines()
    if left_out:
        lines.append(days.rest_note(left_out, len(table)))
    line = staffing_line(results)
    if line is not None:
        lines += textwrap.wrap(line, width, subsequent_indent="  ", break_on_hyphens=False)
    return lines


def plain_table(rows: list[list[str]], headers: Sequence[str] = HEADERS) -> str:
    """The table as aligned plain text: the first column left, every figure right-aligned."""
    table = [list(headers), *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(headers))]
    lines = []
    for row in table:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


QUEUE_WIDTH = 24
"""Widest the queue column gets on a terminal; longer names fold onto the next line."""

_COLUMN_CHROME = 3
"""Characters a drawn column takes beyond its text (padding and rule)."""


def column_groups(
    rows: list[list[str]],
    width: int,
    headers: Sequence[str] = HEADERS,
    chrome: int = _COLUMN_CHROME,
) -> list[list[int]]:
    """The table's columns in groups that each fit ``width`` characters, the queue in each.

    Columns keep their order; a group takes columns while their widest cell
    (or header) fits, so that no figure is ever cut or wrapped; ``chrome``
    is what a column takes beyond its text (2 for the plain table's gap). With a
    terminal too narrow for even one figure beside the queue, each group
    holds one figure.
    """
    widths = [
        max(len(row[column]) for row in [list(headers), *rows]) for column in range(len(headers))
    ]
    first = min(widths[0], QUEUE_WIDTH) + chrome
    groups: list[list[int]] = [[]]
    used = first
    for column in range(1, len(headers)):
        need = widths[column] + chrome
        if groups[-1] and used + need > width:
            groups.append([])
            used = first
        groups[-1].append(column)
        used += need
    return [[0, *group] for group in groups]


def _print_rich(rows: list[list[str]], footer: list[str], out: IO[str]) -> None:
    """The table drawn by rich, folded into several tables when the terminal is too narrow.

    Figures are never cut or wrapped (``10,0…``): when the columns do not fit
    the terminal's width, they are shown in groups, one table each, the
    queue column repeated; only a queue name longer than
    :data:`QUEUE_WIDTH` folds onto the next line.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=out)
    colours: dict[str, str] = {MET: "green", MISSED: "red", TOO_CLOSE: "yellow"}
    for group in column_groups(rows, console.width):
        table = Table(*(HEADERS[column] for column in group))
        for position, column in zip(group, table.columns, strict=True):
            if position == 0:
                column.overflow, column.max_width = "fold", QUEUE_WIDTH
            else:
                column.no_wrap, column.justify = True, "right"
        for row in rows:
            cells = [  # names are text, never markup: "[red]" in a queue name prints as written
                f"[{colours[row[column]]}]{row[column]}[/]"
                if column == 6 and row[column] in colours
                else escape(row[column])
                for column in group
            ]
            table.add_row(*cells, style=_row_style(row[0]))
        console.print(table)
    for line in footer:
        console.print(escape(line), highlight=False)


def _row_style(name: str) -> str | None:
    """``ALL`` in bold, a channel's total row in italics, a queue plain."""
    from simcenter.reports import ALL, is_total

    if name == ALL:
        return "bold"
    return "italic" if is_total(name) else None


def print_warnings(warnings: Sequence[Problem], stream: IO[str] | None = None) -> None:
    """Print each warning as ``FILE:LINE key.path: warning: message`` (to standard error)."""
    out = stream or sys.stderr
    for warning in warnings:
        out.write(f"{warning_text(warning)}\n")


def warning_text(warning: Problem) -> str:
    """``FILE:LINE key.path: warning: message``."""
    return str(Problem(warning.loc, f"warning: {warning.message}", warning.file, warning.line))


# --- JSON ------------------------------------------------------------------------------------


def json_document(results: Results, outdir: Path, warnings: Sequence[Problem]) -> dict[str, Any]:
    """The machine-readable summary of a run, as ``--format json`` prints it.

    Keys: ``scenario`` (name), ``seed``, ``replications``, ``outdir``,
    ``files`` (file name -> path of every file written, ``plots/`` included),
    ``summary`` (one object per queue, channel row and ``ALL`` with every summary column,
    plus ``sl_threshold_s``, ``sl_target``, ``sl_verdict``: ``"met"``,
    ``"missed"``, ``"too close to call"`` or null, and ``sl_met``: true when
    met, false when missed, null otherwise), ``agents`` (one object per group), ``cost`` (total per
    replication) and ``warnings`` (their text). A run over several days
    also has ``days`` (one object per day, every day: ``day``, ``length_h``,
    ``offered``, ``service_level``, ``asa_s``, ``abandon_rate``,
    ``occupancy``, each with its ``_ci95`` with several replications, and
    ``cost``) and ``staffing`` (``scheduled_h``, ``present_h``,
    ``required_h``, ``short_intervals``, ``intervals``; null without the
    levels). Missing figures are null.
    """
    judged = verdicts(results)
    summary = []
    for row in json_records(results.summary):
        verdict = judged[row["queue"]]
        row["sl_threshold_s"] = _number(verdict.threshold_s)
        row["sl_target"] = _number(verdict.target)
        row["sl_verdict"] = verdict.verdict
        met: dict[str | None, bool] = {MET: True, MISSED: False}
        row["sl_met"] = met.get(verdict.verdict)
        summary.append(row)
    document = {
        "scenario": results.scenario.get("name"),
        "seed": results.scenario.get("seed"),
        "replications": results.replication_count,
        "outdir": str(outdir),
        "files": {
            str(path.relative_to(outdir)): str(path)
            for path in sorted(outdir.rglob("*"))
            if path.is_file()
        },
        "summary": summary,
        "agents": json_records(results.agents),
        "cost": _number(float(results.agents["cost"].sum())),
        "warnings": [warning_text(warning) for warning in warnings],
    }
    table = day_table(results)
    if table is not None:
        document["days"] = json_records(table)
        figures = staffing(results)
        document["staffing"] = (
            None
            if figures is None
            else {key: _number(value) for key, value in dataclasses.asdict(figures).items()}
        )
    return document


def print_json(document: dict[str, Any], stream: IO[str] | None = None) -> None:
    """Print a JSON document (strict JSON: no NaN)."""
    out = stream or sys.stdout
    out.write(json.dumps(document, indent=2, allow_nan=False) + "\n")


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(key): _number(value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _number(value: Any) -> Any:
    """A JSON value: numpy numbers as Python numbers, NaN as None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
