"""Benchmark: simcenter against a plain SimPy model of the M/M/100+M call centre.

Covers:
- Throughput (contacts simulated per second of wall-clock time, ``time.perf_counter``)
  of simcenter with and without the per-contact log, of its engine alone, and
  of the idiomatic SimPy model in ``plain_simpy.py``, all in this process.
- Peak memory of each, in a fresh subprocess per variant: the peak resident
  set (``VmHWM``) in one run and the ``tracemalloc`` peak in another, because
  tracing slows the run down.
- A sanity check that simcenter and the plain model simulate the same system:
  abandon rate and mean wait of each against the other and against Erlang A.
- A cProfile of the engine (``--profile``) and a micro-benchmark of the
  buffered ``Sampler`` (``--sampler``).
- Beside them, the same centre with customer behaviour (no contact log):
  abandoning callers retry (probability 0.5, after an exponential 10 min,
  at most 3 attempts) and every call first spends a constant 30 s in an IVR
  that resolves 10 % of them; its contacts per second count every contact
  (retrials and self-served ones included). It simulates another system, so
  it has no ratio to the plain model.

Scenario:
  100 agents, Poisson arrivals at 0.3 per second (an offered load of 90
  Erlangs), exponential handle time with mean 300 s, exponential patience
  with mean 600 s; 40 days (about 1,040,000 contacts), then the centre drains.

Run by hand from the project root (results go into ``benchmarks/README.md``)::

    .venv/bin/python benchmarks/bench_mmn.py            # throughput, memory, sanity check
    .venv/bin/python benchmarks/bench_mmn.py --profile  # where the engine's time goes
    .venv/bin/python benchmarks/bench_mmn.py --sampler  # Sampler against one numpy call per draw
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import plain_simpy
import simpy
from scipy import stats

import simcenter
from simcenter._version import __version__
from simcenter.distributions import Exponential, Sampler
from simcenter.engine import run_replication
from simcenter.erlang import erlang_a
from simcenter.records import OUTCOME_CODE, ReplicationRecord
from simcenter.scenario import Scenario, build_scenario

RATE_PER_S = 0.3  # arrivals per second: 0.3 * 300 s = 90 Erlangs offered
AHT_S = 300.0  # mean handle time, seconds
PATIENCE_S = 600.0  # mean patience, seconds
AGENTS = 100
SEED = 1
BATCHES = 20
"""Batches of consecutive contacts for batch-means confidence intervals."""
TARGET = 3.0
"""The project's target: simcenter's throughput over the plain SimPy model's."""
ALPHA = 0.001
"""Significance level of the agreement checks (the house level for statistical tests)."""


@dataclass(frozen=True)
class Variant:
    """One way of simulating the scenario.

    Attributes:
        name: Label in the tables.
        run: Simulates the scenario and returns its output.
        contacts: Number of contacts simulated, read from the output.
    """

    name: str
    run: Callable[[Scenario], Any]
    contacts: Callable[[Any], int]


@dataclass(frozen=True)
class Estimate:
    """Abandon rate and mean wait of one run, with batch-means half-widths.

    Attributes:
        abandon_rate: Abandoned / offered.
        abandon_half_width: Half-width of its (1 − ALPHA) confidence interval.
        mean_wait_s: Mean wait over all offered contacts (seconds).
        wait_half_width: Half-width of its (1 − ALPHA) confidence interval (seconds).
    """

    abandon_rate: float
    abandon_half_width: float
    mean_wait_s: float
    wait_half_width: float


def mmn_scenario(days: int) -> Scenario:
    """The benchmark's M/M/100+M scenario over ``days`` days."""
    return build_scenario(
        {
            "name": "mmn",
            "horizon": f"{days}d",
            "seed": SEED,
            "queues": [
                {
                    "name": "calls",
                    "arrivals": {"rate": RATE_PER_S},
                    "handle_time": {"distribution": "exponential", "mean": AHT_S},
                    "patience": {"distribution": "exponential", "mean": PATIENCE_S},
                }
            ],
            "agents": [{"name": "agents", "count": AGENTS, "skills": ["calls"]}],
        }
    )


def behaviour_scenario(scenario: Scenario) -> Scenario:
    """``scenario`` with retrials and an IVR on its queue (same arrivals, agents and load)."""
    data = scenario.to_dict()
    data["queues"][0] |= {
        "retrial": {
            "probability": 0.5,
            "delay": {"distribution": "exponential", "mean": "10min"},
            "max_attempts": 3,
        },
        "ivr": {"duration": {"distribution": "constant", "mean": "30s"}, "self_service": 0.1},
    }
    return build_scenario(data)


def _behaviour(scenario: Scenario) -> simcenter.Results:
    return simcenter.simulate(
        behaviour_scenario(scenario), replications=1, jobs=1, keep_contacts=False
    )


def _every_contact(results: simcenter.Results) -> int:
    summary = results.summary.set_index("queue").loc["ALL"]
    return int(summary["offered"] + summary["self_served"])


def _simulate_with_log(scenario: Scenario) -> simcenter.Results:
    return simcenter.simulate(scenario, replications=1, jobs=1, keep_contacts=True)


def _simulate_without_log(scenario: Scenario) -> simcenter.Results:
    return simcenter.simulate(scenario, replications=1, jobs=1, keep_contacts=False)


def _plain(scenario: Scenario) -> plain_simpy.Outcomes:
    return plain_simpy.simulate(RATE_PER_S, AHT_S, PATIENCE_S, AGENTS, scenario.horizon, SEED)


def _offered(results: simcenter.Results) -> int:
    return int(results.summary.set_index("queue").loc["ALL", "offered"])


def _engine_only(scenario: Scenario) -> ReplicationRecord:
    return run_replication(scenario, 0, contact_log=None)


VARIANTS = (
    Variant("simcenter, contact log", _simulate_with_log, _offered),
    Variant("simcenter, no contact log", _simulate_without_log, _offered),
    Variant(
        "simcenter engine only",
        _engine_only,
        lambda record: int(record.tallies.contacts.outcomes.sum()),
    ),
    Variant("plain SimPy", _plain, lambda outcomes: len(outcomes.waits_s)),
    Variant("simcenter, retrials + IVR, no contact log", _behaviour, _every_contact),
)
BY_NAME = {variant.name: variant for variant in VARIANTS}
PLAIN = "plain SimPy"
BESIDE = "simcenter, retrials + IVR, no contact log"
"""The variant of another system: shown beside the others, not held to the target."""


# --- throughput ----------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """One timed run.

    Attributes:
        wall_s: Wall-clock seconds (``time.perf_counter``).
        cpu_s: CPU seconds of this process (``time.process_time``); well below
            ``wall_s`` when other work competes for the cores.
        contacts: Contacts simulated.
    """

    wall_s: float
    cpu_s: float
    contacts: int


def time_variants(scenario: Scenario, repeat: int) -> dict[str, list[Timing]]:
    """Every run of every variant, the repeats interleaved in rounds."""
    timings: dict[str, list[Timing]] = {variant.name: [] for variant in VARIANTS}
    for _ in range(repeat):
        for variant in VARIANTS:
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            output = variant.run(scenario)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            timings[variant.name].append(Timing(wall, cpu, variant.contacts(output)))
            del output
    return timings


def throughput_rows(
    timings: dict[str, list[Timing]], memory: dict[str, dict[str, float]]
) -> list[list[str]]:
    """Rows of the results table: contacts/s (wall clock), ratio to plain SimPy, memory.

    The ratio is the best throughput over plain SimPy's best, and (in
    brackets) the median over rounds of the ratio within each round, which is
    less sensitive to other load on the machine drifting during the benchmark.
    """
    rates = {name: [run.contacts / run.wall_s for run in runs] for name, runs in timings.items()}
    rows = []
    for name, runs in timings.items():
        paired = [ours / plain for ours, plain in zip(rates[name], rates[PLAIN], strict=True)]
        fastest = min(runs, key=lambda run: run.wall_s)
        used = memory.get(name, {})
        rows.append(
            [
                name,
                f"{runs[0].contacts:,}",
                f"{fastest.wall_s:.2f} ({fastest.cpu_s:.2f})",
                f"{max(rates[name]):,.0f}",
                f"{statistics.median(rates[name]):,.0f}",
                f"{max(rates[name]) / max(rates[PLAIN]):.2f} ({statistics.median(paired):.2f})",
                _megabytes(used.get("peak_rss_mb")),
                _megabytes(used.get("rss_growth_mb")),
                _megabytes(used.get("tracemalloc_peak_mb")),
            ]
        )
    return rows


def target_line(timings: dict[str, list[Timing]]) -> str:
    """Whether every simcenter variant of the same system reaches TARGET times plain SimPy's
    best throughput."""
    best = {name: max(run.contacts / run.wall_s for run in runs) for name, runs in timings.items()}
    slowest = min(rate for name, rate in best.items() if name not in (PLAIN, BESIDE)) / best[PLAIN]
    verdict = "met" if slowest >= TARGET else "NOT met"
    return f"target: every simcenter variant >= {TARGET} x plain SimPy: {verdict} ({slowest:.2f} x)"


def _megabytes(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


THROUGHPUT_HEADER = [
    "variant",
    "contacts",
    "best wall s (CPU s)",
    "contacts/s (best)",
    "contacts/s (median)",
    "ratio vs plain SimPy",
    "peak RSS MB",
    "RSS growth MB",
    "tracemalloc peak MB",
]


# --- memory, one fresh subprocess per variant and measure ------------------------


def measure_memory(name: str, days: int, traced: bool) -> dict[str, float]:
    """Run one variant in this (fresh) process and report its memory in MB.

    ``peak_rss_mb`` is the peak resident set of the process after the run
    (imports included) and ``rss_growth_mb`` its growth during the run; with
    ``traced``, ``tracemalloc_peak_mb`` is the peak of memory allocated through
    Python and numpy during the run. The output is kept alive until measured.
    """
    scenario = mmn_scenario(days)
    gc.collect()
    before_mb = peak_rss_mb()
    if traced:
        tracemalloc.start()
    output = BY_NAME[name].run(scenario)
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del output
        return {"tracemalloc_peak_mb": peak / 2**20}
    after_mb = peak_rss_mb()
    del output
    return {"peak_rss_mb": after_mb, "rss_growth_mb": after_mb - before_mb}


def peak_rss_mb() -> float:
    """Peak resident set of this process so far (MB): ``VmHWM`` of ``/proc/self/status``.

    Not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries that high-water
    mark over ``fork`` and ``exec``, so a child started by a large parent
    reports at least the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (the memory measure needs Linux)")


def memory_in_subprocesses(days: int) -> dict[str, dict[str, float]]:
    """Memory figures of every variant, each measure in its own fresh interpreter."""
    memory: dict[str, dict[str, float]] = {}
    for variant in VARIANTS:
        figures: dict[str, float] = {}
        for traced in (False, True):
            command = [sys.executable, __file__, "--days", str(days), "--memory-of", variant.name]
            command += ["--tracemalloc"] if traced else []
            completed = subprocess.run(command, capture_output=True, text=True, check=True)
            figures |= json.loads(completed.stdout.splitlines()[-1])
        memory[variant.name] = figures
    return memory


# --- sanity check: both models simulate the same system --------------------------


def batch_mean(values: np.ndarray) -> tuple[float, float]:
    """Mean of ``values`` and the (1 − ALPHA) half-width from BATCHES consecutive batches."""
    means = np.array([batch.mean() for batch in np.array_split(values, BATCHES)])
    quantile = stats.t.ppf(1 - ALPHA / 2, BATCHES - 1)
    return float(values.mean()), float(quantile * means.std(ddof=1) / np.sqrt(BATCHES))


def engine_estimate(scenario: Scenario) -> Estimate:
    """Abandon rate and mean wait from simcenter's engine, contacts in arrival order."""
    contacts = run_replication(scenario, 0).contacts
    order = np.argsort(contacts["arrival_s"], kind="stable")
    abandoned = contacts["outcome"][order] == OUTCOME_CODE["abandoned"]
    return Estimate(*batch_mean(abandoned.astype(float)), *batch_mean(contacts["wait_s"][order]))


def plain_estimate(scenario: Scenario) -> Estimate:
    """Abandon rate and mean wait from the plain SimPy model, in order of leaving the queue."""
    outcomes = _plain(scenario)
    abandoned = np.array(outcomes.abandoned, dtype=float)
    return Estimate(*batch_mean(abandoned), *batch_mean(np.array(outcomes.waits_s)))


def sanity_rows(scenario: Scenario) -> list[list[str]]:
    """Rows comparing simcenter, plain SimPy and Erlang A on abandon rate and mean wait."""
    theory = erlang_a(RATE_PER_S, AHT_S, PATIENCE_S, AGENTS)
    ours, plain = engine_estimate(scenario), plain_estimate(scenario)
    rows = []
    for figure, exact in (("abandon_rate", theory.p_abandon), ("mean_wait_s", theory.mean_wait)):
        width = "abandon_half_width" if figure == "abandon_rate" else "wait_half_width"
        ours_value, ours_width = getattr(ours, figure), getattr(ours, width)
        plain_value, plain_width = getattr(plain, figure), getattr(plain, width)
        rows.append(
            [
                figure,
                f"{exact:.5g}",
                _with_width(ours_value, ours_width),
                _with_width(plain_value, plain_width),
                _verdict(ours_value - exact, ours_width),
                _verdict(plain_value - exact, plain_width),
                _verdict(ours_value - plain_value, float(np.hypot(ours_width, plain_width))),
                f"{(ours_value / plain_value - 1) * 100:+.1f} %",
            ]
        )
    return rows


def _with_width(value: float, half_width: float) -> str:
    return f"{value:.4g} ± {half_width:.2g} (±{half_width / value:.0%})"


def _verdict(difference: float, half_width: float) -> str:
    agree = "agree" if abs(difference) <= half_width else "DIFFER"
    return f"{agree} ({difference:+.3g})"


SANITY_HEADER = [
    "figure",
    "Erlang A",
    "simcenter",
    "plain SimPy",
    "simcenter vs Erlang A",
    "plain vs Erlang A",
    "simcenter vs plain",
    "simcenter / plain − 1",
]


# --- profile and Sampler micro-benchmark ---------------------------------------------


def profile_engine(scenario: Scenario, top: int) -> str:
    """cProfile report of ``run_replication``: the top functions by own time, then by file."""
    profiler = cProfile.Profile()
    profiler.enable()
    run_replication(scenario, 0, contact_log=None)
    profiler.disable()
    report = io.StringIO()
    profile = pstats.Stats(profiler, stream=report)
    profile.sort_stats("tottime").print_stats(top)
    return report.getvalue() + "\n" + _markdown(["file", "own time s", "share"], _by_file(profile))


def _by_file(profile: pstats.Stats) -> list[list[str]]:
    """Own time summed per source file, largest first; files under 0.1 % are left out."""
    own: dict[str, float] = {}
    for (filename, _, _), (_, _, total_own, _, _) in profile.stats.items():  # type: ignore[attr-defined]
        key = _short_path(filename)
        own[key] = own.get(key, 0.0) + total_own
    total = sum(own.values())
    ranked = sorted(own.items(), key=lambda item: -item[1])
    return [
        [name, f"{seconds:.2f}", f"{seconds / total:.1%}"]
        for name, seconds in ranked
        if seconds >= 0.001 * total
    ]


def _short_path(filename: str) -> str:
    if filename == "~":
        return "built-ins (C: list/array methods, heapq, ...)"
    for marker in ("simcenter/", "simpy/", "numpy/"):
        if marker in filename:
            return marker + filename.split(marker, 1)[1]
    return filename


def sampler_rows(draws: int) -> list[list[str]]:
    """Nanoseconds per exponential draw: one numpy call per draw against the buffered Sampler."""
    per_call = np.random.default_rng(SEED)
    sampler = Sampler(Exponential(AHT_S), np.random.default_rng(SEED))
    rows = []
    for name, draw in (
        ("rng.exponential(mean), one call per draw", lambda: per_call.exponential(AHT_S)),
        ("Sampler(Exponential(mean), rng)(), block 1024", sampler),
    ):
        start = time.perf_counter()
        for _ in range(draws):
            draw()
        rows.append([name, f"{(time.perf_counter() - start) / draws * 1e9:.0f}"])
    return rows


# --- output ----------------------------------------------------------------------


def machine() -> str:
    """The machine and software versions, for the README."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"nproc {os.cpu_count()}, CPU {model}, load average {os.getloadavg()[0]:.2f}; "
        f"Python {platform.python_version()}, simpy {simpy.__version__}, "
        f"numpy {np.__version__}, simcenter {__version__}"
    )


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=40, help="horizon in days (default 40)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per variant")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    parser.add_argument("--profile", action="store_true", help="only profile the engine")
    parser.add_argument("--top", type=int, default=25, help="functions in the profile")
    parser.add_argument("--sampler", action="store_true", help="only the Sampler benchmark")
    parser.add_argument("--memory-of", choices=list(BY_NAME), help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    """Run the benchmark the command line asks for and print markdown tables."""
    arguments = _arguments()
    if arguments.memory_of:
        figures = measure_memory(arguments.memory_of, arguments.days, arguments.tracemalloc)
        print(json.dumps(figures))
        return
    print(machine())
    scenario = mmn_scenario(arguments.days)
    if arguments.profile:
        print(profile_engine(scenario, arguments.top))
        return
    if arguments.sampler:
        print(_markdown(["draw", "ns per draw"], sampler_rows(1_000_000)))
        return
    timings = time_variants(scenario, arguments.repeat)
    memory = {} if arguments.no_memory else memory_in_subprocesses(arguments.days)
    print(_markdown(THROUGHPUT_HEADER, throughput_rows(timings, memory)))
    print(target_line(timings))
    print()
    print(_markdown(SANITY_HEADER, sanity_rows(scenario)))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
