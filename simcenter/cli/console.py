"""What ``simcenter run`` prints: the summary table, the cost, warnings, or a JSON document.

The table has one row per queue and the ``ALL`` row: offered, answered and
abandoned contacts (means per replication), the service level with its 95 %
half-width, the queue's objective (``80% in 20s``) and whether the service
level meets it (``met`` / ``missed``), the ASA, the abandonment rate and the
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

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

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
from simcenter.results import Results
from simcenter.units import format_duration

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
    "met?",
    "ASA",
    "abandoned %",
    "occupancy",
)


@dataclass(frozen=True)
class Verdict:
    """A queue's service level against its objective.

    Attributes:
        threshold_s: Service-level threshold (seconds), or NaN for ``ALL``
            when the queues' objectives differ.
        target: Target fraction, or NaN likewise.
        met: ``"met"`` when the service level is at least the target,
            ``"missed"`` when below, ``"-"`` when either is unknown (no
            contact offered, or no common objective).
    """

    threshold_s: float
    target: float
    met: str


def verdicts(results: Results) -> dict[str, Verdict]:
    """Queue name (and ``ALL``) -> its objective and whether its service level meets it.

    ``ALL`` has an objective only when every queue has the same threshold and target.
    """
    meta = results.meta
    objectives = dict(
        zip(meta.queues, zip(meta.sl_threshold_s, meta.sl_target, strict=True), strict=True)
    )
    common = set(objectives.values())
    if len(common) == 1:
        objectives["ALL"] = next(iter(common))
    levels = results.summary.set_index("queue")["service_level"]
    table = {}
    for queue, level in levels.items():
        threshold, target = objectives.get(str(queue), (math.nan, math.nan))
        known = not (math.isnan(level) or math.isnan(target))
        met = ("met" if level >= target else "missed") if known else MISSING
        table[str(queue)] = Verdict(threshold, target, met)
    return table


def shown_queues(summary: pd.DataFrame, all_queues: bool) -> tuple[list[str], int]:
    """The queues the table shows, in order (``ALL`` last), and how many are left out.

    With at most :data:`MANY_QUEUES` queues, or ``all_queues``, every queue in
    summary order; otherwise the :data:`WORST_QUEUES` with the lowest service
    level (ties by name; queues with no contact offered last).
    """
    queues = [str(queue) for queue in summary["queue"] if queue != "ALL"]
    if all_queues or len(queues) <= MANY_QUEUES:
        return [*queues, "ALL"], 0
    levels = summary.set_index("queue")["service_level"]
    ranked = sorted(queues, key=lambda queue: (math.isnan(levels[queue]), levels[queue], queue))
    return [*ranked[:WORST_QUEUES], "ALL"], len(queues) - WORST_QUEUES


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
                verdict.met,
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
    return None if pd.isna(value) else write(float(value))


def rest_line(results: Results, shown: Sequence[str], left_out: int) -> str:
    """The line that counts the queues the table leaves out, and how many of them met the target."""
    judged = verdicts(results)
    rest = [queue for queue in judged if queue != "ALL" and queue not in shown]
    met = sum(judged[queue].met == "met" for queue in rest)
    missed = sum(judged[queue].met == "missed" for queue in rest)
    parts = [f"{met:,} met", f"{missed:,} missed the target"]
    if len(rest) - met - missed:
        parts.append(f"{len(rest) - met - missed:,} had no contact")
    return f"{left_out:,} more queues not shown ({', '.join(parts)}); --all-queues shows them all"


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
    footer.append(cost_line(results.agents))
    if out.isatty():
        _print_rich(rows, footer, out)
    else:
        out.write(plain_table(rows) + "\n")
        out.write("".join(line + "\n" for line in footer))


def plain_table(rows: list[list[str]]) -> str:
    """The table as aligned plain text: the queue name left, every figure right-aligned."""
    table = [list(HEADERS), *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(HEADERS))]
    lines = []
    for row in table:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _print_rich(rows: list[list[str]], footer: list[str], out: IO[str]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(*HEADERS)
    for column in table.columns[1:]:
        column.justify = "right"
    colours = {"met": "green", "missed": "red"}
    for row in rows:
        verdict = row[6]
        cells = [  # names are text, never markup: "[red]" in a queue name prints as written
            *map(escape, row[:6]),
            f"[{colours[verdict]}]{verdict}[/]" if verdict in colours else verdict,
            *map(escape, row[7:]),
        ]
        table.add_row(*cells, style="bold" if row[0] == "ALL" else None)
    console = Console(file=out)
    console.print(table)
    for line in footer:
        console.print(escape(line), highlight=False)


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
    ``summary`` (one object per queue and ``ALL`` with every summary column,
    plus ``sl_threshold_s``, ``sl_target`` and ``sl_met``: true, false or
    null), ``agents`` (one object per group), ``cost`` (total per
    replication) and ``warnings`` (their text). Missing figures are null.
    """
    judged = verdicts(results)
    summary = []
    for row in json_records(results.summary):
        verdict = judged[row["queue"]]
        row["sl_threshold_s"] = _number(verdict.threshold_s)
        row["sl_target"] = _number(verdict.target)
        row["sl_met"] = {"met": True, "missed": False}.get(verdict.met)
        summary.append(row)
    return {
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
