"""Benchmark: routing at scale — the 500-queue, 300-agent secretarial service.

Covers:
- Contacts simulated per second by simcenter's engine on
  ``scenarios/secretarial.yaml`` (500 client companies, each its own queue;
  300 agents in groups that each know 5-40 clients), against the M/M/100+M
  benchmark of ``bench_mmn.py`` run in the same process, taking turns, with
  its length chosen so that both runs simulate about as many contacts.
  Issue 3's target: at least half the M/M/100+M throughput.

Run by hand from the project root (results go into ``benchmarks/README.md``)::

    .venv/bin/python benchmarks/bench_secretarial.py [--repeat 3] [--days 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench_mmn import mmn_scenario

from simcenter.engine import run_replication
from simcenter.loading import load_scenario
from simcenter.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]


def contacts_per_second(scenario: Scenario) -> tuple[int, float]:
    """Contacts recorded and contacts per wall-clock second of one engine run."""
    started = time.perf_counter()
    record = run_replication(scenario, 0)
    elapsed = time.perf_counter() - started
    contacts = len(record.contacts["arrival_s"])
    return contacts, contacts / elapsed


def main() -> None:
    """Time both scenarios in turns and print the ratio of the best runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of both scenarios")
    parser.add_argument("--days", type=float, default=3, help="simulated days of each scenario")
    args = parser.parse_args()
    secretarial = load_scenario(ROOT / "scenarios" / "secretarial.yaml")
    secretarial = secretarial.with_overrides({"horizon": args.days * 86_400, "closing": "drain"})
    expected = sum(queue.arrivals.rate or 0.0 for queue in secretarial.queues) * secretarial.end_s
    mmn = mmn_scenario(max(1, round(expected / (0.3 * 86_400))))  # about as many contacts
    best = {"secretarial": 0.0, "M/M/100+M": 0.0}
    sizes = {}
    for _ in range(args.repeat):
        for name, scenario in (("secretarial", secretarial), ("M/M/100+M", mmn)):
            sizes[name], speed = contacts_per_second(scenario)
            best[name] = max(best[name], speed)
    print(f"| scenario | contacts per run | contacts/s (best of {args.repeat}) |")
    print("|---|---:|---:|")
    for name, speed in best.items():
        print(f"| {name} | {sizes[name]:,} | {speed:,.0f} |")
    ratio = best["secretarial"] / best["M/M/100+M"]
    verdict = "met" if ratio >= 0.5 else "NOT met"
    print(f"\nsecretarial / M/M/100+M = {ratio:.2f} (target >= 0.5: {verdict})")


if __name__ == "__main__":
    main()
