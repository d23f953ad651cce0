"""Every notebook in notebooks/ is committed without outputs and runs without errors.

A notebook joins these tests by being saved in notebooks/ (they are found by
the glob below). Each one has a cell tagged ``parameters``; the run injects
:data:`SHORT_RUN` after it, so the studies run on short horizons with few
replications. The notebooks run from the notebooks/ folder, as a user opens
them, with ipykernel's ``python3`` kernel (the interpreter running the tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

SHORT_RUN = {"REPLICATIONS": "3", "HORIZON": '"4h"'}
"""Parameters injected after each notebook's ``parameters`` cell: name -> Python source."""

CELL_TIMEOUT_S = 120
"""A cell running longer than this fails the test (a hang, not a slow study)."""


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _parameters_index(notebook: nbformat.NotebookNode) -> int:
    tagged = [
        index
        for index, cell in enumerate(notebook.cells)
        if "parameters" in cell.get("metadata", {}).get("tags", [])
    ]
    assert len(tagged) == 1, "a notebook needs exactly one cell tagged 'parameters'"
    return tagged[0]


def test_notebooks_exist() -> None:
    names = {path.stem for path in NOTEBOOKS}
    assert {"01-quickstart", "02-staffing-what-if", "03-routing-and-rotation"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = _read(path)
    nbformat.validate(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {index} has outputs"
            assert cell.execution_count is None, f"cell {index} has an execution count"
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_parameters_cell_sets_the_short_run_names(path: Path) -> None:
    notebook = _read(path)
    source = notebook.cells[_parameters_index(notebook)].source
    for name in SHORT_RUN:
        assert re.search(rf"^{name} = ", source, re.MULTILINE), f"{name} is not a parameter"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_without_errors(path: Path) -> None:
    notebook = _read(path)
    short_run = "\n".join(f"{name} = {value}" for name, value in SHORT_RUN.items())
    notebook.cells.insert(_parameters_index(notebook) + 1, nbformat.v4.new_code_cell(short_run))
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    outputs = [output for cell in code_cells for output in cell.outputs]
    assert [output for output in outputs if output.output_type == "error"] == []
    warnings = [output.text for output in outputs if output.get("name") == "stderr"]
    assert warnings == []  # no warning leaks into what the analyst reads


def test_the_clear_output_command_of_the_guide_works_with_the_dev_extras(tmp_path: Path) -> None:
    """The guide's ``jupyter nbconvert --clear-output --inplace`` comes with ``[dev]``."""
    import shutil
    import subprocess
    import sys

    guide = (NOTEBOOK_DIR / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`(jupyter nbconvert --clear-output --inplace) [^`]+`", guide)
    assert command is not None
    notebook = _read(NOTEBOOKS[0])
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
            cell.execution_count = 1
    path = tmp_path / NOTEBOOKS[0].name
    nbformat.write(notebook, path)
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent))
    assert jupyter is not None, "jupyter is not installed by the dev extras"
    _, *arguments = command[1].split()  # "jupyter" is the program found above
    subprocess.run([jupyter, *arguments, str(path)], check=True, capture_output=True)
    cleared = _read(path)
    assert all(cell.outputs == [] for cell in cleared.cells if cell.cell_type == "code")
