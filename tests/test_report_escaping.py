"""The HTML report escapes every name and text of the scenario (Jinja2 autoescaping).

The hostile names of the safety tests (path tricks, spreadsheet formulas) and
names written to break out of HTML or to be read as template code are given
to a scenario's queues, group, name and description; the report must show
each one as text: escaped where HTML would read it, never as markup, never
evaluated.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from simcenter import analysis
from simcenter.cli import main
from simcenter.report_html import REPORT_FILE, _read_output
from simcenter.reports import ALL
from simcenter.text import FORMULA_STARTS

HOSTILE = [
    # the names of the safety tests
    "../../x",
    ".",
    "..",
    "/var/abs",
    "Retail support / EU",
    ".hidden",
    "=HYPERLINK(x)",
    "+1",
    "-x",
    "@SUM(A1)",
    # HTML and template injection
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "&lt;already escaped&gt;",
    "{{ 7 * 7 }}",
    "{% raw %}x",
    "</td></tr></table><h1>fake",
    "Café Réseau – Zürich",
    "上海客服中心",
]


class _Elements(HTMLParser):
    """The tags and the text of a page, as a browser's parser reads them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    queues = [
        {"name": name, "arrivals": {"rate": "20/h"},
         "handle_time": {"distribution": "exponential", "mean": "2min"}}
        for name in HOSTILE
    ]  # fmt: skip
    scenario = {
        "name": "<script>alert('name')</script>",
        "description": "<b>bold</b> & {{ description }}",
        "horizon": "1h",
        "queues": queues,
        "agents": [{"name": "<i>group</i>", "count": 8, "skills": HOSTILE}],
    }
    path = folder / "hostile.yaml"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    outdir = folder / "out"
    arguments = ["run", str(path), "-o", str(outdir), "-n", "2", "--jobs", "1"]
    assert main([*arguments, "--quiet", "--report"]) == 0
    return outdir


@pytest.fixture(scope="module")
def page(outdir: Path) -> str:
    return (outdir / REPORT_FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", HOSTILE)
def test_every_hostile_name_is_shown_as_escaped_text(page: str, name: str) -> None:
    assert str(escape(name)) in page
    if set(name) & set("<>&\"'"):
        assert f">{name}<" not in page  # never raw inside an element
    assert name in "".join(_Elements(page).text)  # what a reader sees


@pytest.mark.parametrize("name", [name for name in HOSTILE if name.startswith(FORMULA_STARTS)])
def test_a_name_escaped_in_the_csv_files_is_shown_as_the_user_wrote_it(
    page: str, name: str
) -> None:
    text = _Elements(page).text
    assert name in text  # a table cell of its own
    assert f"'{name}" not in text  # not as the CSV file guards it


def test_the_report_reads_back_every_name_of_the_run(outdir: Path) -> None:
    output = _read_output(outdir)
    queues = {*output.meta.queues, ALL}

    for table in (output.summary, output.intervals, output.routing):
        assert set(table["queue"]) <= queues
    assert set(output.intervals["queue"]) == queues
    assert set(output.agents["group"]) <= {*output.meta.groups, ALL}
    average_day = analysis.by_time_of_day(output.intervals, output.meta)
    assert average_day["queue"].notna().all()
    assert set(average_day["queue"]) == queues


def test_no_name_becomes_markup_or_is_evaluated(page: str) -> None:
    elements = _Elements(page)

    assert "script" not in elements.tags
    assert "img" in elements.tags  # the charts ...
    assert "onerror" not in elements.attributes  # ... but no injected attribute
    assert "onmouseover" not in elements.attributes
    assert elements.tags.count("h1") == 1
    assert "{{ 7 * 7 }}" in page  # shown, not evaluated
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; {{ description }}" in page
    assert "&lt;i&gt;group&lt;/i&gt;" in page
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in page
