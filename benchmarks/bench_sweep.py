"""A 40-point sweep of a day-long two-queue scenario, 10 replications per point.

Wall time of the same sweep (400 replications of ``scenarios/two_queues.yaml``,
one day, two queues, two groups with staffing plans) on one process, on a
local pool of two workers, and on a Dask ``LocalCluster`` of two worker
processes (started by the sweep, start and close included, and already
running, given by its address), in interleaved rounds so that load drifting during the benchmark
affects every variant alike. The grid is 8 billing patience means × 5 tech
handle-time means. Every variant must give the same table (checked).

Run from the project root (about 1 minute of CPU per round)::

    .venv/bin/python benchmarks/bench_sweep.py [--rounds 2] [--replications 10]

Prints a markdown table: best and median wall seconds per variant, the
speed-up against one process, the CPU seconds of every process of the
variant (workers included: what the parallel run costs in all), the load
average before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import simcenter
from simcenter.studies.dask_executor import _client

ROOT = Path(__file__).resolve().parents[1]
GRID = {
    "queues.billing.patience.mean": [f"{minutes}min" for minutes in range(1, 9)],
    "queues.tech.handle_time.mean": ["5min", "5.5min", "6min", "6.5min", "7min"],
}


def variants(replications: int) -> dict[str, Callable[[], pd.DataFrame]]:
    scenario = simcenter.load_scenario(ROOT / "scenarios" / "two_queues.yaml")

    def run(**options: object) -> pd.DataFrame:
        return simcenter.sweep(scenario, GRID, replications=replications, seed=1, **options)

    return {
        "1 process (jobs=1)": lambda: run(jobs=1),
        "local pool, 2 workers": lambda: run(jobs=2),
        "Dask LocalCluster, 2 workers, started by the sweep": lambda: run(executor="dask", jobs=2),
        "Dask LocalCluster, 2 workers, already running": lambda: run(
            executor="dask", address=RUNNING["address"]
        ),
    }


RUNNING: dict[str, str] = {}
"""The scheduler address of the running cluster, while its variant is timed."""


def cpu_s() -> float:
    """CPU seconds of this process and of its finished child processes (the workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(name: str, run: Callable[[], pd.DataFrame]) -> tuple[float, float, pd.DataFrame]:
    """Wall seconds of one variant (a running cluster is started and closed outside them),
    CPU seconds of every process (a running cluster's start and close included)."""
    cpu = cpu_s()
    if "already running" not in name:
        start = time.perf_counter()
        table = run()
        return time.perf_counter() - start, cpu_s() - cpu, table
    with _client(None, 2) as client:
        RUNNING["address"] = client.scheduler.address
        client.submit(sum, [1]).result()  # the workers are up
        start = time.perf_counter()
        table = run()
        wall = time.perf_counter() - start
    return wall, cpu_s() - cpu, table


def cluster_start_s() -> float:
    """Seconds to start and close a local Dask cluster of two workers, doing nothing."""
    start = time.perf_counter()
    with _client(None, 2):
        pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    load_before = os.getloadavg()
    runs = variants(args.replications)
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    tables: dict[str, pd.DataFrame] = {}
    for _ in range(args.rounds):
        for name, run in runs.items():
            seconds, cpu_seconds, tables[name] = timed(name, run)
            times[name].append(seconds)
            cpu[name].append(cpu_seconds)
    startup = cluster_start_s()
    load_after = os.getloadavg()
    first = next(iter(tables.values()))
    for table in tables.values():
        pd.testing.assert_frame_equal(table, first)
    points = len(first) // 3  # billing, tech, ALL
    single = min(times[next(iter(runs))])
    print(f"{points} points x {args.replications} replications, {args.rounds} rounds")
    print("| variant | best wall s | median wall s | speed-up (best) | CPU s (median) |")
    print("|---|---|---|---|---|")
    for name, values in times.items():
        best, median = min(values), statistics.median(values)
        work = statistics.median(cpu[name])
        print(f"| {name} | {best:.1f} | {median:.1f} | {single / best:.2f} | {work:.1f} |")
    print(f"\nDask LocalCluster start and close alone: {startup:.1f} s")
    print(f"load average (1, 5, 15 min) before: {load_before}, after: {load_after}")


if __name__ == "__main__":
    main()
