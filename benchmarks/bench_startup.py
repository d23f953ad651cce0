"""Start-up time of the command line: ``--help``, ``--version``, ``validate``, ``schema``.

Each command runs ``--runs`` times as a fresh process (``python -m simcenter``,
the same as the ``simcenter`` script) and the minimum and median wall times
are printed. ``--source DIR`` runs the simcenter found in ``DIR`` instead of
this checkout's, to compare two checkouts on the same machine and
interpreter::

    .venv/bin/python benchmarks/bench_startup.py
    git worktree add ../before <commit>
    .venv/bin/python benchmarks/bench_startup.py --source ../before

``-X importtime`` shows where the time of one command goes::

    .venv/bin/python -X importtime -m simcenter --help 2>&1 | sort -t'|' -k2 -n | tail
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "single_queue.yaml"
COMMANDS = {
    "--help": ["--help"],
    "--version": ["--version"],
    "validate": ["validate", str(EXAMPLE)],
    "schema": ["schema"],
}


NO_EDITABLE = (
    "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
)
"""Let ``PYTHONPATH`` choose the checkout even when simcenter is installed editable."""
BOOT = NO_EDITABLE + (
    "import runpy; runpy.run_module('simcenter', run_name='__main__', alter_sys=True)"
)
"""``python -m simcenter``, from the checkout on ``PYTHONPATH``."""
WHERE = NO_EDITABLE + "import simcenter; print(simcenter.__file__)"


def times_of(
    arguments: list[str], runs: int, env: dict[str, str]
) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of ``runs`` fresh ``python -m simcenter ARGUMENTS``.

    The CPU time is the child's own, so it depends less than the wall time on
    what else the machine runs.
    """
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", BOOT, *arguments],
            env=env,
            cwd=Path.home(),
            stdout=subprocess.DEVNULL,
            check=True,
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="processes per command (default 20)")
    parser.add_argument("--source", help="a checkout whose simcenter/ to time instead")
    args = parser.parse_args()
    source = args.source or str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": source}
    where = subprocess.run(
        [sys.executable, "-c", WHERE],
        env=env,
        cwd=Path.home(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"simcenter from {where}; {args.runs} runs per command")
    print(f"{'command':<10} {'wall min':>9} {'wall median':>12} {'CPU median':>11}  (seconds)")
    for name, arguments in COMMANDS.items():
        walls, cpus = times_of(arguments, args.runs, env)
        print(
            f"{name:<10} {min(walls):9.3f} {statistics.median(walls):12.3f}"
            f" {statistics.median(cpus):11.3f}"
        )


if __name__ == "__main__":
    main()
