"""Contacts never served (still in the system, disconnected at closing) are shown, not hidden.

The console prints a line per kind whenever its ``ALL`` count is not zero,
and the report shows a headline card and a queue-table column for it;
with none, neither says anything about them.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

import simcenter
from simcenter.cli import main
from simcenter.cli.console import print_summary


def _overloaded(closing: str) -> dict[str, Any]:
    """One overloaded queue and one quiet one, patient callers: contacts are left at the end."""
    return {
        "name": f"left-{closing}",
        "seed": 3,
        "horizon": "1h",
        "replications": 3,
        "closing": closing,
        "queues": [
            {
                "name": "claims",
                "arrivals": {"rate": "120/h"},
                "handle_time": {"distribution": "exponential", "mean": "4min"},
                "patience": {"distribution": "exponential", "mean": "1h"},
            },
            {
                "name": "quiet",
                "arrivals": {"rate": "2/h"},
                "handle_time": {"distribution": "exponential", "mean": "1min"},
            },
        ],
        "agents": [
            {"name": "team", "count": 5, "skills": ["claims"]},
            {"name": "solo", "count": 2, "skills": ["quiet"]},
        ],
    }


@pytest.mark.parametrize(
    ("closing", "column", "words"),
    [
        ("clear", "disconnected", "disconnected at closing"),
        ("stop", "in_system", "still in the system at the end"),
    ],
)
def test_console_and_report_show_unserved_contacts(
    tmp_path: Path, closing: str, column: str, words: str
) -> None:
    results = simcenter.simulate(_overloaded(closing))
    summary = results.summary.set_index("queue")
    left = summary.loc["ALL", column]
    assert left > 1  # the conservation of contacts puts them here, not elsewhere
    assert summary.loc["claims", column] == pytest.approx(left)

    stream = io.StringIO()
    print_summary(results, stream=stream)
    text = stream.getvalue()
    expected = f"{left:,.1f}".removesuffix(".0")
    assert f"{expected} contacts {words} (claims {expected})" in text

    outdir = results.save(tmp_path / "out")
    assert main(["report", str(outdir)]) == 0
    page = (outdir / "report.html").read_text(encoding="utf-8")
    headline = page[page.index("<h2>Headline</h2>") : page.index("<h2>Queues</h2>")]
    label = {"disconnected": "disconnected", "in_system": "still in system at the end"}[column]
    assert f'data-figure="{label}"' in headline
    queues = page[page.index('data-table="queues"') :]
    queues = queues[: queues.index("</table>")]
    assert f"<th>{label}</th>" in queues


def test_nothing_is_said_about_unserved_contacts_when_there_are_none(tmp_path: Path) -> None:
    data = _overloaded("drain")
    results = simcenter.simulate(data)
    assert results.summary.set_index("queue").loc["ALL", "in_system"] == 0
    stream = io.StringIO()
    print_summary(results, stream=stream)
    assert "contacts still" not in stream.getvalue()
    assert "disconnected" not in stream.getvalue()
    outdir = results.save(tmp_path / "out")
    assert main(["report", str(outdir)]) == 0
    page = (outdir / "report.html").read_text(encoding="utf-8")
    assert 'data-figure="still in system' not in page
    assert "<th>still in system" not in page
    assert 'data-figure="disconnected' not in page
