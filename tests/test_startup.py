"""The command line starts without the heavy libraries it does not need yet.

``simcenter --help`` and ``--version`` answer at once: they must not import
pandas, pyarrow, SciPy, SimPy, matplotlib, Dask, pydantic or numpy (each
costs a tenth of a second to half a second at start-up; the timings are in
``benchmarks/README.md``). The check is the list of modules loaded, which is
deterministic, not a time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "pandas",
    "pyarrow",
    "scipy",
    "simpy",
    "matplotlib",
    "dask",
    "distributed",
    "pydantic",
    "numpy",
)
"""Top-level packages a command that only prints text must not import."""

_PROBE = """
import contextlib, io, json, sys
from simcenter.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main({args!r})
    except SystemExit:
        pass
print(json.dumps(sorted({{name.partition(".")[0] for name in sys.modules}})))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["run", "--help"]])
def test_text_only_commands_import_no_heavy_library(args: list[str]) -> None:
    probe = _PROBE.format(args=args)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "simcenter" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded.intersection(HEAVY))
