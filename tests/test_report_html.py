"""Tests of the HTML report: its content, that it is self-contained, and that Chromium renders it.

The browser tests run Debian's headless Chromium (``/usr/bin/chromium``,
installed in CI by ``.ci/install-chromium``) and skip only when it is absent.
Console messages are read from Chromium's log and page requests from its
network log; a control page with a script error and a remote image proves
that both are detected.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest
from tiny_runs import two_queues

from simcenter.cli import main
from simcenter.report_html import DEFINITIONS, REPORT_FILE, write_report

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (run .ci/install-chromium, "
    "or apt-get install chromium)",
)


class _Page(HTMLParser):
    """What a test reads from a page: images, cards, table rows, attributes with URLs."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.headers: list[str] = []
        self._in_header = False
        self.cards: dict[str, str] = {}
        self.rows: dict[str, int] = {}
        self._card: str | None = None
        self._in_value = False
        self._table: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href", "action", "poster"):
            if attributes.get(name):
                self.links.append(str(attributes[name]))
        if tag == "img":
            self.images.append(str(attributes.get("src")))
        if "data-figure" in attributes:
            self._card = attributes["data-figure"]
        self._in_value = tag == "div" and attributes.get("class") == "value"
        if "data-table" in attributes:
            self._table = attributes["data-table"]
            self.rows[str(self._table)] = 0
        self._in_header = tag == "th"
        if tag == "tr" and self._table is not None:
            self.rows[self._table] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._in_header:
            self.headers.append(data)
            self._in_header = False
        if self._in_value and self._card is not None:
            self.cards[self._card] = data
            self._in_value = False


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a tiny run, written by ``simcenter report OUTDIR``."""
    outdir = two_queues().save(tmp_path_factory.mktemp("report") / "out")
    assert main(["report", str(outdir)]) == 0
    return outdir / REPORT_FILE


def test_report_shows_the_headline_figures_against_the_summary(report: Path) -> None:
    summary = two_queues().summary.set_index("queue")
    page = _Page(report.read_text(encoding="utf-8"))

    every = summary.loc["ALL"]
    assert page.cards["service level"] == (
        f"{every['service_level'] * 100:.1f}% ± {every['service_level_ci95'] * 100:.1f}"
    )
    assert every["asa_s"] < 99.95  # written with one decimal, as the console writes it
    assert page.cards["ASA"] == f"{every['asa_s']:.1f} s ± {every['asa_s_ci95']:.1f}"
    assert page.cards["cost"] == f"{two_queues().agents['cost'].sum():,.2f}"
    assert page.rows == {"queues": 1 + 3, "groups": 1 + 2, "routing": 1 + 3}


def test_report_has_its_charts_scenario_and_definitions(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    page = _Page(text)

    assert len(page.images) == 8  # six drawn from the tables, two from plots/
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        image = matplotlib.image.imread(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        assert min(image.shape[:2]) > 100
    assert "name: tiny-two-queues" in text  # the scenario, as written by run
    for name, _ in DEFINITIONS:
        assert f"<dt>{name}</dt>" in text.replace("&#39;", "'")
    summary = two_queues().summary.set_index("queue")
    expected = []
    for queue, target in (("billing", 0.8), ("tech", 0.9)):
        level, half = summary.loc[queue, ["service_level", "service_level_ci95"]]
        low, high = level - half, level + half
        expected.append("met" if low >= target else "missed" if high < target else "close")
    assert re.findall(r'class="badge (met|missed|close)"', text) == expected
    assert f"{expected.count('met')} of 2 queues met the service-level target, " in text


def test_every_figure_the_report_shows_is_defined(report: Path) -> None:
    page = _Page(report.read_text(encoding="utf-8"))
    defined = {name for name, _ in DEFINITIONS}

    shown = {*page.headers, *page.cards} - {"queue", "group"}

    assert shown <= defined
    assert {"service level", "ASA", "occupancy", "AHT", "busy hours"} <= shown


def test_report_refers_to_nothing_outside_itself(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    page = _Page(text)

    assert all(link.startswith("data:") for link in page.links)
    assert not re.search(r"https?://", text)
    assert not re.search(r"<script|<link|@import|url\(", text)
    assert "default-src 'none'; img-src data:" in text


def test_report_of_a_run_without_plots_draws_its_charts_from_the_tables(
    report: Path, tmp_path: Path
) -> None:
    folder = shutil.copytree(
        report.parent, tmp_path / "out", ignore=shutil.ignore_patterns("plots")
    )
    (folder / REPORT_FILE).unlink()

    page = _Page(write_report(folder).read_text(encoding="utf-8"))

    assert len(page.images) == 6


def test_report_of_a_folder_that_is_not_a_results_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path)]) == 2

    error = capsys.readouterr().err
    assert error == (
        f"{tmp_path}: not a results folder of simcenter run "
        "(missing scenario.yaml, summary.csv, intervals.csv, agents.csv)\n"
    )


def test_run_with_report_writes_it_beside_the_results(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(
        "name: tiny\nhorizon: 1h\ninterval: 30min\nqueues:\n"
        "  - {name: q, arrivals: {rate: 60/h},\n"
        "     handle_time: {distribution: exponential, mean: 2min}}\n"
        "agents:\n  - {name: a, count: 4, skills: [q]}\n",
        encoding="utf-8",
    )

    code = main(["run", str(scenario), "-o", str(tmp_path / "out"), "--jobs", "1", "--report"])

    assert code == 0
    assert "<h1>tiny</h1>" in (tmp_path / "out" / REPORT_FILE).read_text(encoding="utf-8")
    assert write_report(tmp_path / "out") == tmp_path / "out" / REPORT_FILE


# ------------------------------------------------------------------------------ Chromium


def render(page: Path, scratch: Path) -> tuple[str, list[str], list[str]]:
    """Load a page in headless Chromium.

    Returns:
        The DOM after loading, the console messages, and the URLs the page
        itself requested over the network (not Chromium's own background calls).
    """
    net_log = scratch / "net.json"
    completed = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={scratch / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            f"--log-net-log={net_log}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    console = re.findall(r":CONSOLE[^\]]*\] (.*)", completed.stderr)
    return completed.stdout, console, page_requests(net_log)


def page_requests(net_log: Path) -> list[str]:
    """URLs of the network requests made on behalf of a ``file://`` page."""
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start
        and "file://" in str(event["params"].get("network_isolation_key", ""))
        and not event["params"]["url"].startswith(("file:", "data:"))
    ]


@needs_chromium
def test_chromium_detects_console_errors_and_requests_of_a_control_page(tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text(
        '<html><body><img src="https://example.invalid/a.png">'
        "<script>missing_function();</script></body></html>",
        encoding="utf-8",
    )

    _, console, requests = render(control, tmp_path)

    assert any("missing_function is not defined" in message for message in console)
    assert requests == ["https://example.invalid/a.png"]


@needs_chromium
def test_report_loads_in_chromium_without_console_errors_or_requests(
    report: Path, tmp_path: Path
) -> None:
    dom, console, requests = render(report, tmp_path)

    assert console == []
    assert requests == []
    page = _Page(dom)
    summary = two_queues().summary.set_index("queue")
    assert page.cards["service level"].startswith(
        f"{summary.loc['ALL', 'service_level'] * 100:.1f}"
    )
    assert page.rows["queues"] == 1 + 3
    assert len(page.images) == 8
    assert "<h2>Definitions</h2>" in dom


# --- a run over several days -----------------------------------------------------------------


def _days_run() -> dict[str, object]:
    """Two queues over three days in New York, across the spring change (8 March 2026)."""
    handle = {"distribution": "exponential", "mean": "3min"}
    return {
        "name": "three-days",
        "seed": 4,
        "start": "2026-03-07T00:00",
        "timezone": "America/New_York",
        "horizon": "3d",
        "interval": "1h",
        "replications": 2,
        "queues": [
            {"name": "billing", "arrivals": {"rate": "40/h"}, "handle_time": handle,
             "abandon_cost": 3.0, "patience": {"distribution": "exponential", "mean": "2min"}},
            {"name": "tech", "arrivals": {"rate": "20/h"}, "handle_time": handle},
        ],
        "agents": [{"name": "team", "count": 5, "skills": ["billing", "tech"],
                    "cost_per_hour": 25}],
    }  # fmt: skip


def test_report_of_a_run_over_several_days_has_a_days_table(tmp_path: Path) -> None:
    import simcenter

    results = simcenter.simulate(_days_run(), jobs=1)
    outdir = results.save(tmp_path / "out", plots=False, report=True)
    text = (outdir / REPORT_FILE).read_text(encoding="utf-8")
    page = _Page(text)
    daily = pd.read_csv(outdir / "daily.csv")
    every = daily[daily["queue"] == "ALL"]

    assert page.rows["days"] == 1 + len(every) == 1 + 4  # 7, 8 (23 h), 9 March, an hour of the 10th
    assert "<h2>Days</h2>" in text
    days_table = text.split('data-table="days"')[1].split("</table>")[0]
    for _, row in every.iterrows():
        assert f"<td>{row['day']}</td>" in days_table
        level = f"{row['service_level'] * 100:.1f}% ± {row['service_level_ci95'] * 100:.1f}"
        assert f"<td>{level}</td>" in days_table
    defined = {name for name, _ in DEFINITIONS}
    assert {*page.headers} - {"queue", "group"} <= defined


def test_report_of_a_run_within_one_day_has_no_days_table(report: Path) -> None:
    assert "<h2>Days</h2>" not in report.read_text(encoding="utf-8")


def test_report_shows_the_staffing_line_of_the_console(tmp_path: Path) -> None:
    import simcenter
    from simcenter.cli import console

    results = simcenter.simulate(_days_run(), jobs=1)
    outdir = results.save(tmp_path / "out", plots=False, report=True)
    text = (outdir / REPORT_FILE).read_text(encoding="utf-8")

    line = console.staffing_line(results)

    assert line is not None
    assert line.startswith("staffing: 360.0 agent-hours scheduled")  # 5 agents for 72 hours
    assert f'<p class="staffing">{line}</p>' in text
