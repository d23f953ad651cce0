"""Benchmark: peak memory of a year-long run of a 1,000-agent centre, with and without the log.

Covers:
- Peak resident set (``VmHWM`` of the process, imports included; not
  ``ru_maxrss``, which Linux carries over ``fork`` and ``exec``) and wall and
  CPU time of ``simcenter.simulate`` followed by ``Results.save`` (no plots),
  each case in a fresh subprocess.
- Without the contact log (``keep_contacts=False``) and with it streamed to
  Parquet (``keep_contacts=True``), for a short and a long horizon, so that
  the flatness of memory shows: the peak of the short run should be within
  10 % of the long run's.

Scenario:
  1,000 agents on duty from 08:00 to 16:00 every day; contacts arrive over the
  same eight hours at 3 per second (86,400 a day, Poisson); exponential
  handle time with mean 300 s (an offered load of 900 Erlangs); no
  abandonment; 30-minute reporting intervals; the centre drains at the end.
  365 days is about 31.5 million contacts.

Run by hand from the project root (results go into ``benchmarks/README.md``)::

    .venv/bin/python benchmarks/bench_memory.py --days 10          # both logs, 10 days
    .venv/bin/python benchmarks/bench_memory.py --days 10 365      # then the year (minutes)
    .venv/bin/python benchmarks/bench_memory.py --days 365 --log off
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AGENTS = 1000
RATE_PER_S = 3.0
OPEN_H = 8
AHT_S = 300.0


def centre(days: int) -> dict[str, Any]:
    """The scenario over ``days`` days."""
    return {
        "name": f"memory-{days}d",
        "seed": 1,
        "horizon": f"{days}d",
        "interval": "30min",
        "queues": [
            {
                "name": "calls",
                "arrivals": {
                    "profile": {
                        "interval": f"{OPEN_H}h",
                        "start": "08:00",
                        "volumes": [RATE_PER_S * OPEN_H * 3600],
                    }
                },
                "handle_time": {"distribution": "exponential", "mean": AHT_S},
            }
        ],
        "agents": [
            {
                "name": "agents",
                "staffing": {"interval": f"{OPEN_H}h", "start": "08:00", "counts": [AGENTS]},
                "skills": ["calls"],
            }
        ],
    }


def peak_rss_mb() -> float:
    """Peak resident set of this process (``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_case(days: int, log: bool) -> dict[str, Any]:
    """Simulate and save one case in this process; its figures."""
    import simcenter

    scenario = simcenter.load_scenario(centre(days))
    before_mb = peak_rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    results = simcenter.simulate(scenario, replications=1, jobs=1, keep_contacts=log)
    simulate_s = time.perf_counter() - wall
    with tempfile.TemporaryDirectory() as folder:
        results.save(Path(folder) / "out", plots=False)
        log_mb = (Path(folder) / "out" / "contacts.parquet").stat().st_size / 1e6 if log else 0.0
    return {
        "days": days,
        "log": log,
        "contacts": int(results.summary.set_index("queue").loc["ALL", "offered"]),
        "simulate_s": simulate_s,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mb": peak_rss_mb(),
        "imports_rss_mb": before_mb,
        "parquet_mb": log_mb,
    }


def in_subprocess(days: int, log: bool) -> dict[str, Any]:
    """:func:`run_case` in a fresh interpreter."""
    command = [sys.executable, __file__, "--case", str(days), "on" if log else "off"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run the cases asked for and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, nargs="+", default=[10], help="horizons in days")
    parser.add_argument("--log", choices=["on", "off", "both"], default="both")
    parser.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(int(args.case[0]), args.case[1] == "on")))
        return
    logs = {"on": [True], "off": [False], "both": [False, True]}[args.log]
    print(
        f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; "
        f"Python {platform.python_version()}"
    )
    print(
        "| days | contact log | contacts | simulate s | total wall s (CPU s) "
        "| peak RSS MB | after imports MB | contacts.parquet MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for days in args.days:
        for log in logs:
            row = in_subprocess(days, log)
            print(
                f"| {row['days']} | {'streamed' if row['log'] else 'off'} "
                f"| {row['contacts']:,} | {row['simulate_s']:.1f} "
                f"| {row['wall_s']:.1f} ({row['cpu_s']:.1f}) | {row['peak_rss_mb']:.0f} "
                f"| {row['imports_rss_mb']:.0f} | {row['parquet_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
