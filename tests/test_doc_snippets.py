"""Every Python snippet of README.md and docs/*.md runs, so that the docs cannot drift.

The ``python`` code blocks of a page run in order, in one namespace (a later
block may use what an earlier one made), in a fresh folder where
``scenarios/`` is the repository's and the page's files are written:

- a ``yaml`` block preceded by ``<!-- file: NAME -->`` is written to NAME
  first (the file the page tells the reader to save);
- a block preceded by ``<!-- not runnable: REASON -->`` is skipped, and must
  give its reason;
- a block of ``>>>`` lines is run as a doctest, its output compared.

The pages that search a staffing plan (``staff`` simulates dozens of
candidates) run on the first two hours of each scenario loaded from a file
(:data:`SHORTENED`): what the test checks is that names, arguments and
columns are those of the code, not the figures.
"""

from __future__ import annotations

import doctest
import os
import re
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot
import pytest

import simcenter
import simcenter.loading

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

SHORTENED = {"README.md", "api.md", "staffing-studies.md"}
"""Pages run with every scenario loaded from a file cut to :data:`SHORT_HORIZON`."""

SHORT_HORIZON = "2h"

_BLOCK = re.compile(
    r"(?:<!-- (?P<mark>file|not runnable): (?P<value>[^>]*?) -->\n)?"
    r"```(?P<language>\w+)\n(?P<code>.*?)```",
    re.S,
)


def blocks(page: Path) -> list[dict[str, Any]]:
    """The fenced blocks of a page: language, code, line and its mark if any."""
    text = page.read_text(encoding="utf-8")
    return [
        {
            "language": match["language"],
            "code": match["code"],
            "line": text[: match.start("language")].count("\n") + 1,
            "mark": match["mark"],
            "value": (match["value"] or "").strip(),
        }
        for match in _BLOCK.finditer(text)
    ]


RUNNABLE = [page for page in PAGES if any(b["language"] == "python" for b in blocks(page))]


def test_pages_with_python_snippets_are_found() -> None:
    names = {page.name for page in RUNNABLE}
    assert {"README.md", "reading-outputs.md", "api.md", "tutorial.md"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("page", RUNNABLE, ids=[page.name for page in RUNNABLE])
def test_every_python_snippet_of_the_page_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matplotlib.use("Agg")
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    if page.name in SHORTENED:
        _shorten_scenarios(monkeypatch)
    namespace: dict[str, Any] = {"__name__": f"snippets of {page.name}"}
    for block in blocks(page):
        where = f"{page.relative_to(ROOT)}:{block['line']}"
        if block["mark"] == "file" and block["language"] == "yaml":
            Path(block["value"]).write_text(block["code"], encoding="utf-8")
        if block["language"] != "python":
            continue
        if block["mark"] == "not runnable":
            assert block["value"], f"{where}: a snippet marked not runnable must say why"
            continue
        if block["code"].lstrip().startswith(">>>"):
            _run_doctest(block["code"], where, namespace)
        else:
            exec(compile(block["code"], where, "exec"), namespace)
    matplotlib.pyplot.close("all")


def _run_doctest(code: str, where: str, namespace: dict[str, Any]) -> None:
    test = doctest.DocTestParser().get_doctest(code, namespace, where, where, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0, f"{where}: the doctest's output differs"


def _shorten_scenarios(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scenarios loaded from a file, by the snippet or by the API, end after two hours."""
    load = simcenter.loading.load_scenario

    def shortened(source: Any, *args: Any, **options: Any) -> simcenter.Scenario:
        scenario = load(source, *args, **options)
        if not isinstance(source, str | os.PathLike):
            return scenario
        return scenario.with_overrides({"horizon": SHORT_HORIZON})

    monkeypatch.setattr(simcenter.loading, "load_scenario", shortened)
    monkeypatch.setattr(simcenter, "load_scenario", shortened)


def test_a_not_runnable_snippet_needs_a_reason() -> None:
    marked = [
        (page.name, block["line"])
        for page in PAGES
        for block in blocks(page)
        if block["mark"] == "not runnable" and not block["value"]
    ]
    assert marked == []
