"""Benchmark: throughput of the engine at 10, 100 and 1,000 agents (M/M/n+M, same occupancy).

Covers:
- Contacts simulated per CPU second (``time.process_time``) of
  ``simcenter.engine.run_replication`` and, optionally, of
  ``simcenter.simulate`` with every result table, for M/M/n+M with n = 10,
  100 and 1,000 agents at the same offered load per agent (0.9 Erlang:
  arrivals at 0.9 n / 300 per second, exponential handle time with mean
  300 s, exponential patience with mean 600 s), each run over as many days as
  give about the same number of contacts.
- The ratio of each throughput to the 100-agent one (target: at least 0.9).

The runs take turns (10, 100, 1000, 10, ...), best of ``--repeat``.

Run by hand from the project root (results go into ``benchmarks/README.md``)::

    .venv/bin/python benchmarks/bench_scale.py [--contacts 260000] [--repeat 3] [--full]
"""

from __future__ import annotations

import argparse
import time

import simcenter
from simcenter.engine import run_replication
from simcenter.scenario import Scenario, build_scenario

AHT_S = 300.0
PATIENCE_S = 600.0
LOAD_PER_AGENT = 0.9
SIZES = (10, 100, 1000)


def scenario(agents: int, contacts: int) -> Scenario:
    """M/M/n+M with ``agents`` agents at 0.9 Erlang per agent, about ``contacts`` contacts."""
    rate = LOAD_PER_AGENT * agents / AHT_S
    return build_scenario(
        {
            "name": f"mmn{agents}",
            "horizon": contacts / rate,
            "seed": 1,
            "queues": [
                {
                    "name": "calls",
                    "arrivals": {"rate": rate},
                    "handle_time": {"distribution": "exponential", "mean": AHT_S},
                    "patience": {"distribution": "exponential", "mean": PATIENCE_S},
                }
            ],
            "agents": [{"name": "agents", "count": agents, "skills": ["calls"]}],
        }
    )


def throughput(scenario: Scenario, full: bool) -> tuple[int, float]:
    """Contacts and contacts per CPU second of one run."""
    started = time.process_time()
    if full:
        results = simcenter.simulate(scenario, replications=1, jobs=1, keep_contacts=False)
        contacts = int(results.summary.set_index("queue").loc["ALL", "offered"])
    else:
        contacts = len(run_replication(scenario, 0).contacts["arrival_s"])
    return contacts, contacts / (time.process_time() - started)


def main() -> None:
    """Time the three sizes in turns and print a markdown table with the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=260_000, help="contacts per run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds")
    parser.add_argument("--full", action="store_true", help="simulate() with every table")
    args = parser.parse_args()
    scenarios = {agents: scenario(agents, args.contacts) for agents in SIZES}
    best = dict.fromkeys(SIZES, 0.0)
    sizes = {}
    for _ in range(args.repeat):
        for agents, each in scenarios.items():
            sizes[agents], speed = throughput(each, args.full)
            best[agents] = max(best[agents], speed)
    what = "simulate()" if args.full else "engine"
    print(f"| agents | contacts | {what} contacts per CPU s (best of {args.repeat}) | vs 100 |")
    print("|---:|---:|---:|---:|")
    for agents in SIZES:
        ratio = best[agents] / best[100]
        print(f"| {agents:,} | {sizes[agents]:,} | {best[agents]:,.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
