"""The kill test: SIGKILL and SIGTERM at random moments of ``-n 6 --jobs 2`` runs.

Twenty runs of a tiny scenario into one folder, each killed at a random
moment (fixed seed) between start-up and the end of writing. After each:
no process of the run survives, and the output folder holds either the
previous output or the new one, complete (every file its marker lists, and
nothing else). After one more run, no temporary folder remains.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from safety import TINY, group_members, leftovers, run_process, tree, write

from simcenter.outdir import MARKER

RUNS = 20


def complete_output(folder: Path) -> int:
    """The seed of a complete output folder (asserting that it is complete)."""
    files = tree(folder)
    listed = files[MARKER].decode().splitlines()
    assert listed[0].startswith("written by simcenter")
    assert set(listed[1:]) == set(files) - {MARKER}
    seeds = [
        line for line in files["scenario.yaml"].decode().splitlines() if line.startswith("seed:")
    ]
    return int(seeds[0].split()[1])


def test_kills_at_random_moments_leave_no_orphan_and_no_broken_output(tmp_path: Path) -> None:
    write(tmp_path, TINY)
    assert (
        run_process("run", "scenario.yaml", "-o", "out", "--seed", "100", cwd=tmp_path).returncode
        == 0
    )
    rng = np.random.default_rng(2026)
    previous, previous_seed = tree(tmp_path / "out"), 100
    for run in range(RUNS):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simcenter",
                "run",
                "scenario.yaml",
                "-o",
                "out",
                "-n",
                "6",
                "--jobs",
                "2",
                "--seed",
                str(run),
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.3, 2.6))
        process.send_signal(signal.SIGKILL if run % 2 else signal.SIGTERM)
        process.wait(timeout=30)

        deadline = time.monotonic() + 20  # an orphan lives for ever; this covers a busy machine
        while group_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert group_members(process.pid) == [], f"run {run}: orphans"
        assert process.returncode in (0, 143, -signal.SIGTERM, -signal.SIGKILL)
        seed = complete_output(tmp_path / "out")
        if seed == previous_seed:
            assert tree(tmp_path / "out") == previous, f"run {run}: old output changed"
        else:
            assert seed == run, f"run {run}: output of seed {seed}"
        previous, previous_seed = tree(tmp_path / "out"), seed

    assert (
        run_process("run", "scenario.yaml", "-o", "out", "--no-plots", cwd=tmp_path).returncode == 0
    )
    assert leftovers(tmp_path) == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "scenario.yaml"]
