"""Benchmark: routing at scale — the 500-queue, 300-agent secretarial service.

Covers:
- Contacts simulated per CPU second (``time.process_time``) by simcenter's
  engine on ``scenarios/secretarial.yaml`` (500 client companies, each its
  own queue; 300 agents in groups that each know 5-40 clients), against, in
  the same process and taking turns:
  - a single queue with the same agents and load: one queue with the summed
    arrival rate, exponential handle time and patience with the
    load-weighted means, and one group of all 300 agents (target: the
    secretarial service at least 0.85 of it);
  - the M/M/100+M benchmark of ``bench_mmn.py``, with its length chosen so
    that both runs simulate about as many contacts (the earlier yardstick).
- With ``--floor``: the same two systems in ``floor_model.py`` (the least work
  a Python engine does per contact), µs of CPU per contact and the ratio,
  beside simcenter's.

Run by hand from the project root (results go into ``benchmarks/README.md``)::

    .venv/bin/python benchmarks/bench_secretarial.py [--repeat 3] [--days 3] [--floor]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import floor_model
from bench_mmn import mmn_scenario

from simcenter.engine import run_replication
from simcenter.loading import load_scenario
from simcenter.scenario import Scenario, build_scenario

ROOT = Path(__file__).resolve().parents[1]


TARGET = 0.85
"""The secretarial service's throughput over the single queue's."""


def single_queue(scenario: Scenario) -> Scenario:
    """One queue with the same agents and load as ``scenario`` (exponential times).

    Arrival rate: the sum of the queues' rates; mean handle time and mean
    patience: the queues' means weighted by their rates; one group with all
    the agents.
    """
    rates = [queue.arrivals.rate or 0.0 for queue in scenario.queues]
    total = sum(rates)

    def weighted(means: list[float]) -> float:
        return sum(rate * mean for rate, mean in zip(rates, means, strict=True)) / total

    handle = weighted([queue.handle_time.build().mean for queue in scenario.queues])
    patience = weighted([queue.patience.build().mean for queue in scenario.queues])  # type: ignore[union-attr]
    agents = sum(group.count or 0 for group in scenario.agents)
    return build_scenario(
        {
            "name": "single",
            "horizon": scenario.horizon,
            "closing": scenario.closing,
            "seed": scenario.seed,
            "queues": [
                {
                    "name": "single",
                    "arrivals": {"rate": total},
                    "handle_time": {"distribution": "exponential", "mean": handle},
                    "patience": {"distribution": "exponential", "mean": patience},
                }
            ],
            "agents": [{"name": "agents", "count": agents, "skills": ["single"]}],
        }
    )


def contacts_per_second(scenario: Scenario) -> tuple[int, float]:
    """Contacts recorded and contacts per CPU second of one engine run."""
    started = time.process_time()
    record = run_replication(scenario, 0)
    elapsed = time.process_time() - started
    contacts = len(record.contacts["arrival_s"])
    return contacts, contacts / elapsed


def main() -> None:
    """Time both scenarios in turns and print the ratio of the best runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of both scenarios")
    parser.add_argument("--days", type=float, default=3, help="simulated days of each scenario")
    parser.add_argument("--floor", action="store_true", help="also time the bare floor model")
    args = parser.parse_args()
    secretarial = load_scenario(ROOT / "scenarios" / "secretarial.yaml")
    secretarial = secretarial.with_overrides({"horizon": args.days * 86_400, "closing": "drain"})
    expected = sum(queue.arrivals.rate or 0.0 for queue in secretarial.queues) * secretarial.end_s
    mmn = mmn_scenario(max(1, round(expected / (0.3 * 86_400))))  # about as many contacts
    scenarios = {
        "secretarial (500 queues, 300 agents)": secretarial,
        "single queue, same agents and load": single_queue(secretarial),
        "M/M/100+M": mmn,
    }
    best = dict.fromkeys(scenarios, 0.0)
    sizes = {}
    for _ in range(args.repeat):
        for name, scenario in scenarios.items():
            sizes[name], speed = contacts_per_second(scenario)
            best[name] = max(best[name], speed)
    print(f"| scenario | contacts per run | contacts per CPU s (best of {args.repeat}) |")
    print("|---|---:|---:|")
    for name, speed in best.items():
        print(f"| {name} | {sizes[name]:,} | {speed:,.0f} |")
    secretarial_speed, single_speed, mmn_speed = best.values()
    ratio = secretarial_speed / single_speed
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"\nsecretarial / single queue = {ratio:.2f} (target >= {TARGET}: {verdict})")
    print(f"secretarial / M/M/100+M = {secretarial_speed / mmn_speed:.2f}")
    if args.floor:
        engine = (1e6 / secretarial_speed, 1e6 / single_speed)
        compare_with_floor(secretarial, single_queue(secretarial), args.repeat, engine)


def compare_with_floor(
    secretarial: Scenario, single: Scenario, repeat: int, engine: tuple[float, float]
) -> None:
    """Print µs of CPU per contact of the bare floor model and of simcenter, and their ratios.

    ``engine``: simcenter's µs of CPU per contact on the secretarial service and
    on the single queue.
    """
    floor = {}
    for name, scenario in (("secretarial", secretarial), ("single queue", single)):
        system = floor_model.system_of(scenario)
        runs = [floor_model.run(system, seed) for seed in range(1, repeat + 1)]
        floor[name] = min(elapsed / contacts for contacts, elapsed, _ in runs) * 1e6
        counters = runs[0][2]
        print(f"floor model, {name}: {counters}")
    print("\n| µs of CPU per contact | secretarial | single queue | single / secretarial |")
    print("|---|---:|---:|---:|")
    for label, (sec, one) in (
        ("floor model", (floor["secretarial"], floor["single queue"])),
        ("simcenter", engine),
    ):
        print(f"| {label} | {sec:.2f} | {one:.2f} | {one / sec:.2f} |")


if __name__ == "__main__":
    main()
