"""The documentation builds in strict mode, covers the code, and stands alone.

- ``mkdocs build --strict`` succeeds (broken links, anchors and nav entries are
  errors);
- every key that the scenario JSON Schema accepts, walked recursively through
  nested mappings, lists and distributions, has a row in the generated
  scenario-keys page, and every key path where a mapping is used is named;
- every name of ``simcenter.__all__`` is on the Python API page, and every
  column of the result tables is defined on the outputs page;
- no user-facing text (docs/, README.md, notebooks/, docstrings in simcenter/)
  names a file outside the repository, an absolute path of a build machine or
  an issue number.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest

import simcenter
from simcenter.loading import scenario_json_schema

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _generator() -> ModuleType:
    """docs/gen_reference.py, the MkDocs hook that writes the generated pages."""
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    assert spec is not None
    assert spec.loader is not None
    if spec.name not in sys.modules:  # dataclasses look their module up there
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules[spec.name]


def test_docs_build_in_strict_mode(tmp_path: Path) -> None:
    site = tmp_path / "site"
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for page in ["index", "tutorial", "scenario-keys", "cli", "api", "outputs", "erlang"]:
        built = site / ("index.html" if page == "index" else f"{page}/index.html")
        assert built.is_file(), f"{page} was not built"
    assert "simcenter.simulate" in (site / "api" / "index.html").read_text(encoding="utf-8")


# --- every scenario key in the reference -----------------------------------------------


def _schema_keys(
    schema: dict[str, Any],
) -> Iterator[tuple[str, str, str]]:
    """Every (model, key, path of the mapping) reachable from the top level.

    Follows ``$ref``, ``anyOf``/``oneOf`` (the distribution families), list
    ``items`` (path ``[]``) and mapping values (path ``.<name>``); a model met
    again inside itself (a mixture of distributions) is listed but not
    walked again.
    """
    models = {"Scenario": schema, **schema["$defs"]}

    def refs(node: Any, path: str) -> Iterator[tuple[str, str]]:
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            yield node["$ref"].rsplit("/", 1)[-1], path
        for option in node.get("anyOf", []) + node.get("oneOf", []):
            yield from refs(option, path)
        yield from refs(node.get("items"), f"{path}[]")
        yield from refs(node.get("additionalProperties"), f"{path}.<name>")

    def walk(model: str, path: str, stack: tuple[str, ...]) -> Iterator[tuple[str, str, str]]:
        for key, prop in models[model].get("properties", {}).items():
            yield model, key, path
            if model in stack:
                continue
            for child, child_path in refs(prop, f"{path}.{key}" if path else key):
                yield from walk(child, child_path, (*stack, model))

    yield from walk("Scenario", "", ())


def _page_sections(page: str) -> dict[str, str]:
    """Anchor -> text of each section of a generated page (headings end in ``{#anchor}``)."""
    parts = re.split(r"^#{2,3} .*\{#([\w-]+)\}$", page, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_schema_key_is_in_the_scenario_keys_reference() -> None:
    generator = _generator()
    schema = scenario_json_schema()
    page = generator.scenario_keys_page(schema)
    sections = _page_sections(page)
    keys = list(_schema_keys(schema))
    assert len(keys) > 80  # the walk reaches the nested mappings and distributions
    missing = []
    for model, key, path in keys:
        section = sections.get(generator._anchor(model), "")
        if not re.search(rf"^\| `{re.escape(key)}` \|", section, re.MULTILINE):
            missing.append(f"{path}.{key} ({model})" if path else f"{key} ({model})")
        if path and f"`{path}`" not in page:
            missing.append(f"the path {path}")
    assert missing == []


def test_scenario_keys_reference_gives_type_default_and_example() -> None:
    page = _generator().scenario_keys_page()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    cells = [row.split(" | ") for row in rows]
    assert all(len(row) == 5 for row in cells)
    assert all(row[1].strip() and row[2].strip() for row in cells)  # type and default
    key_names = [row[0].strip("| `") for row in cells]
    assert all(row[4].startswith(f"`{key}: ") for key, row in zip(key_names, cells, strict=True))
    assert "| `horizon` | duration | `1d` |" in page  # defaults in the planner's units
    assert (
        "| `wrap_up` | [distribution](#distributions) or [periods](#periodsspec) | "
        "`{distribution: constant" in page
    )


def test_cli_reference_has_every_command() -> None:
    page = _generator().cli_page()
    for command in ["run", "validate", "schema", "erlang", "sweep"]:
        assert f"## simcenter {command}\n" in page
        assert f"usage: simcenter {command}" in page


def test_api_reference_names_every_public_name() -> None:
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: simcenter\.(\w+)", page, re.MULTILINE))
    assert set(simcenter.__all__) - {"__version__"} <= documented


# --- the docs stand alone --------------------------------------------------------------

OUTSIDE = re.compile(
    r"\.\./|/(?:work|tmp)/|DESIGN\.md|STYLE\.md|\bshared/|\bissues? ?#?\d+|issue-\d+",
    re.IGNORECASE,
)
"""What a user of the repository does not have: files outside it, build-machine paths, issues."""


def _user_facing_texts() -> Iterator[tuple[str, str]]:
    """(name, text) of every document a user reads."""
    for path in [ROOT / "README.md", ROOT / "mkdocs.yml", *sorted(DOCS.rglob("*"))]:
        if path.is_file():
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            yield f"{path.relative_to(ROOT).as_posix()} cell {index}", cell.source
    for path in sorted((ROOT / "simcenter").rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "see ../shared/DESIGN.md",
        "STYLE.md §6.7",
        "(issue 3)",
        "#routing-features-issue-3",
        "/" + "tmp/x",  # written in two parts so that this file names no machine path
    ],
)
def test_outside_references_are_recognised(text: str) -> None:
    assert OUTSIDE.search(text)


def test_no_document_names_a_path_outside_the_repository() -> None:
    found = [
        f"{name}:{text[: match.start()].count(chr(10)) + 1}: {match[0]}"
        for name, text in _user_facing_texts()
        for match in OUTSIDE.finditer(text)
    ]
    assert found == []


# --- every output column in the outputs reference ----------------------------------------


def test_every_output_column_is_defined_in_the_outputs_reference() -> None:
    scenario = simcenter.load_scenario(ROOT / "scenarios" / "specialists.yaml").with_overrides(
        {
            "horizon": "1h",
            "lines": 200,
            "queues.savings.repeat": {
                "probability": 0.2,
                "delay": {"distribution": "constant", "mean": "10min"},
            },
            "queues.loans.balking": {"max_queue": 5},
            "queues.written.max_wait": {"after": "50min", "outcome": "voicemail"},
        }
    )
    results = simcenter.simulate(scenario, replications=2, seed=1)
    tables = {
        name: getattr(results, name)
        for name in [
            "summary",
            "replications",
            "intervals",
            "agents",
            "routing",
            "contacts",
            "agent_details",
            "agent_intervals",
            "queue_length",
            "wait_distribution",
        ]
    }
    page = (DOCS / "outputs.md").read_text(encoding="utf-8")
    undefined = sorted(
        f"{name}.{column}"
        for name, table in tables.items()
        for column in table.columns
        if f"`{column.removesuffix('_ci95')}`" not in page
    )
    assert undefined == []


def test_every_sweep_column_is_defined_in_the_outputs_reference() -> None:
    scenario = simcenter.load_scenario(ROOT / "scenarios" / "single_queue.yaml")
    table = simcenter.sweep(
        scenario.with_overrides({"horizon": "30min"}),
        {"agents.team.count": [29, 30]},
        replications=2,
    )
    page = (DOCS / "outputs.md").read_text(encoding="utf-8")
    undefined = [
        column
        for column in table.columns[1:]  # the first is the varied key
        if f"`{column.removesuffix('_ci95')}`" not in page
    ]
    assert undefined == []
    assert "## `sweep.csv`" in page


def _column_table(page: str, heading: str) -> list[tuple[str, str]]:
    """(column, definition) of the first column table after a heading of the outputs page."""
    section = page[page.index(heading) :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"^\| `([^`]+)` \| [^|]* \| (.*) \|$", section, re.M)


def test_the_contact_log_columns_are_those_of_the_file_and_of_results_contacts(
    tmp_path: Path,
) -> None:
    """The file has exactly the columns listed; ``Results.contacts`` adds those marked so."""
    import pandas as pd

    scenario = simcenter.load_scenario(ROOT / "scenarios" / "single_queue.yaml")
    results = simcenter.simulate(scenario.with_overrides({"horizon": "1h"}), replications=1)
    folder = results.save(tmp_path / "out")
    in_file = list(pd.read_parquet(folder / "contacts.parquet").columns)
    rows = _column_table((DOCS / "outputs.md").read_text(encoding="utf-8"), "## `contacts.parquet`")
    only_results = [name for name, text in rows if text.startswith("`Results.contacts` only")]
    assert only_results == ["arrival"]
    assert [name for name, _ in rows if name not in only_results] == in_file
    assert [name for name, _ in rows] == list(results.contacts.columns)
