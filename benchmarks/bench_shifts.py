"""Benchmark: a centre on shifts against the same centre with a constant count of agents.

Covers:
- Peak resident set (``VmHWM`` of the process, imports included; not
  ``ru_maxrss``, which Linux carries over ``fork`` and ``exec``) and its
  growth during the run, of ``simcenter.simulate`` followed by
  ``Results.save`` (no plots, no contact log), each case in a fresh
  subprocess.
- Throughput: contacts offered per CPU second (``time.process_time``) of
  ``simulate``, and per wall second; the two cases run in interleaved rounds.
- The targets: the centre on shifts peaks within 10 % of the constant centre's
  memory and simulates at least 0.8 times as many contacts per second.

Scenarios (both 24 hours a day, every day, one queue, one agent group):

- ``shifts``: 1,000 agents on the roster in three shifts a day, 06:00-14:00,
  14:00-22:00 and 22:00-06:00 (334, 333 and 333 agents), each agent with two
  15-minute breaks per shift (staggered: each shift is written as four
  sub-shifts of a quarter of its agents whose breaks are 15 minutes apart),
  and 5 % absence (each agent misses each whole shift with probability 0.05).
- ``constant``: ``count`` agents always on duty, as many as the shift centre
  has present on average: 1,000 / 3 x 0.95 x (1 - 0.5 h / 8 h) = 297.

Contacts arrive at 0.8 per second (69,120 a day, Poisson; 240 Erlangs
offered); exponential handle time with mean 300 s; exponential patience with
mean 600 s; 30-minute reporting intervals; the centre drains at the end. A
year is about 25 million contacts.

Run by hand from the project root (results go into ``benchmarks/README.md``)::

    .venv/bin/python benchmarks/bench_shifts.py --days 14             # about a minute
    .venv/bin/python benchmarks/bench_shifts.py --days 365            # the year (minutes)
    .venv/bin/python benchmarks/bench_shifts.py --days 365 --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AGENTS = 1000
"""Agents on the roster of the centre on shifts."""
SHIFTS = (("early", "06:00", "14:00"), ("late", "14:00", "22:00"), ("night", "22:00", "06:00"))
"""Name, start and end of the three shifts of a day."""
STAGGER = 4
"""Sub-shifts per shift, each with its breaks 15 minutes after the previous one's."""
ABSENCE = 0.05
BREAK_MIN = 15
BREAKS_AFTER_MIN = (120, 300)
"""When the two breaks of the first sub-shift are due, in minutes after the shift starts."""
SHIFT_H = 8.0
RATE_PER_S = 0.8
AHT_S = 300.0
PATIENCE_S = 600.0
MEMORY_TARGET = 1.10
"""Peak RSS of the centre on shifts at most this times the constant centre's."""
THROUGHPUT_TARGET = 0.8
"""Contacts per CPU second of the centre on shifts at least this times the constant centre's."""


def present_on_average(agents: int) -> int:
    """Agents present on average in the centre on shifts: on duty, not absent, not on a break."""
    breaks_h = len(BREAKS_AFTER_MIN) * BREAK_MIN / 60
    return round(agents / len(SHIFTS) * (1 - ABSENCE) * (1 - breaks_h / SHIFT_H))


def _split(total: int, parts: int) -> list[int]:
    """``total`` as ``parts`` whole numbers differing by at most one, larger first."""
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def _shifts(agents: int) -> list[dict[str, Any]]:
    """The three shifts of a day, each as ``STAGGER`` sub-shifts with staggered breaks."""
    shifts = []
    for (name, start, end), count in zip(SHIFTS, _split(agents, len(SHIFTS)), strict=True):
        for part, part_count in enumerate(_split(count, STAGGER)):
            breaks = [
                {"after": f"{after + part * BREAK_MIN}min", "duration": f"{BREAK_MIN}min"}
                for after in BREAKS_AFTER_MIN
            ]
            shifts.append(
                {
                    "name": f"{name}{part + 1}",
                    "start": start,
                    "end": end,
                    "count": part_count,
                    "breaks": breaks,
                }
            )
    return shifts


def centre(variant: str, days: int, agents: int) -> dict[str, Any]:
    """The scenario of ``variant`` (``shifts`` or ``constant``) over ``days`` days."""
    group: dict[str, Any] = {"name": "agents", "skills": ["calls"]}
    if variant == "shifts":
        group["shifts"] = _shifts(agents)
        group["absence"] = {"probability": ABSENCE}
    else:
        group["count"] = present_on_average(agents)
    return {
        "name": f"{variant}-{days}d",
        "seed": 1,
        "horizon": f"{days}d",
        "interval": "30min",
        "queues": [
            {
                "name": "calls",
                "arrivals": {"rate": RATE_PER_S},
                "handle_time": {"distribution": "exponential", "mean": AHT_S},
                "patience": {"distribution": "exponential", "mean": PATIENCE_S},
            }
        ],
        "agents": [group],
    }


def peak_rss_mb() -> float:
    """Peak resident set of this process (``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_case(variant: str, days: int, agents: int) -> dict[str, Any]:
    """Simulate and save one case in this process; its figures."""
    import numpy  # noqa: F401  (imported by every case: not part of the run's memory)
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401
    import scipy.special  # noqa: F401
    import simpy  # noqa: F401

    import simcenter
    import simcenter.engine
    import simcenter.results

    scenario = simcenter.load_scenario(centre(variant, days, agents))
    before_mb = peak_rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    results = simcenter.simulate(scenario, replications=1, jobs=1, keep_contacts=False)
    simulate_wall_s = time.perf_counter() - wall
    simulate_cpu_s = time.process_time() - cpu
    with tempfile.TemporaryDirectory() as folder:
        results.save(Path(folder) / "out", plots=False)
    summary = results.summary.set_index("queue")
    staffed = results.agents["staffed_h"].sum() if "staffed_h" in results.agents else float("nan")
    return {
        "variant": variant,
        "days": days,
        "contacts": int(summary.loc["ALL", "offered"]),
        "abandon_rate": float(summary.loc["ALL", "abandon_rate"]),
        "staffed_h": float(staffed),
        "simulate_wall_s": simulate_wall_s,
        "simulate_cpu_s": simulate_cpu_s,
        "wall_s": time.perf_counter() - wall,
        "peak_rss_mb": peak_rss_mb(),
        "imports_rss_mb": before_mb,
    }


def in_subprocess(variant: str, days: int, agents: int) -> dict[str, Any]:
    """:func:`run_case` in a fresh interpreter."""
    command = [sys.executable, __file__, "--case", variant, str(days), str(agents)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _best(rows: list[dict[str, Any]], key: str, pick: Any = min) -> float:
    return float(pick(row[key] for row in rows))


def main() -> None:
    """Run the cases in interleaved rounds and print markdown tables and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=14, help="horizon in days (default 14)")
    parser.add_argument("--agents", type=int, default=AGENTS, help="agents on the roster")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of both cases")
    parser.add_argument("--case", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        variant, days, agents = args.case
        print(json.dumps(run_case(variant, int(days), int(agents))))
        return
    print(
        f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; "
        f"Python {platform.python_version()}; {args.days} days, {args.agents} agents on shifts, "
        f"{present_on_average(args.agents)} constant"
    )
    rows: dict[str, list[dict[str, Any]]] = {"shifts": [], "constant": []}
    for _ in range(args.repeat):
        for variant in rows:
            rows[variant].append(in_subprocess(variant, args.days, args.agents))
    print(
        "| variant | contacts | abandon rate | agent-hours present | simulate wall s (CPU s) "
        "| contacts per CPU s | peak RSS MB | after imports MB | RSS growth MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for variant, runs in rows.items():
        best = min(runs, key=lambda row: row["simulate_cpu_s"])
        peak = _best(runs, "peak_rss_mb", max)
        print(
            f"| {variant} | {best['contacts']:,} | {best['abandon_rate']:.4f} "
            f"| {best['staffed_h']:,.0f} "
            f"| {best['simulate_wall_s']:.1f} ({best['simulate_cpu_s']:.1f}) "
            f"| {best['contacts'] / best['simulate_cpu_s']:,.0f} | {peak:.0f} "
            f"| {best['imports_rss_mb']:.0f} | {peak - best['imports_rss_mb']:.0f} |"
        )
    memory = _best(rows["shifts"], "peak_rss_mb", max) / _best(rows["constant"], "peak_rss_mb", max)
    throughputs = {
        variant: [row["contacts"] / row["simulate_cpu_s"] for row in runs]
        for variant, runs in rows.items()
    }
    speed = max(throughputs["shifts"]) / max(throughputs["constant"])
    within_round = statistics.median(
        shifts / constant
        for shifts, constant in zip(throughputs["shifts"], throughputs["constant"], strict=True)
    )
    print()
    verdict = "met" if memory <= MEMORY_TARGET else "NOT met"
    print(f"peak RSS, shifts / constant: {memory:.3f} (target <= {MEMORY_TARGET}): {verdict}")
    verdict = "met" if speed >= THROUGHPUT_TARGET else "NOT met"
    print(
        f"contacts per CPU s, shifts / constant: {speed:.3f} best / best, "
        f"{within_round:.3f} median within a round (target >= {THROUGHPUT_TARGET}): {verdict}"
    )


if __name__ == "__main__":
    main()
