"""Streaming statistics: the tallies against second computations from the contact log.

The recorder reduces contacts in chunks as the run goes; every table comes
from the tallies. Here, for random scenarios and tiny chunks (many
reductions), each interval figure is recomputed from the in-memory contact
log: counts and maxima exactly, sums and means to floating-point rounding,
percentiles within the histogram's documented error. Busy and on-duty time
per interval are recomputed from the log and the on-duty periods, and the
whole-run busy time is checked against the busy-agent level of the agent trace.
The output files do not depend on whether the contact log is kept.
"""

from __future__ import annotations

import filecmp
import tracemalloc
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from recording import busy_level, within_histogram_error
from strategies import routing_scenarios, scenarios

import simcenter
from simcenter import cli, contact_log, engine, recorder, reports
from simcenter.analysis import with_arrival_time
from simcenter.bins import add_seconds_per_bin, interval_edges, seconds_per_bin
from simcenter.centre import AgentTransition
from simcenter.records import NOT_OFFERED, OUTCOME_CODE, OUTCOMES, ReplicationRecord, run_meta
from simcenter.scenario import Scenario, build_scenario

EXAMPLES = settings(max_examples=25, deadline=None)
QUANTILES = {"wait_p50_s": 0.5, "wait_p90_s": 0.9, "wait_p95_s": 0.95}
TABLES = ("summary", "replications", "intervals", "agents", "routing")
ANSWERED = OUTCOME_CODE["answered"]
ABANDONED = OUTCOME_CODE["abandoned"]

CENTRE = {
    "name": "streamed",
    "seed": 4,
    "horizon": "3h",
    "warmup": "20min",
    "interval": "30min",
    "queues": [
        {
            "name": "billing",
            "arrivals": {"rate": "150/h"},
            "handle_time": {"distribution": "exponential", "mean": "4min"},
            "wrap_up": {"distribution": "constant", "mean": "20s"},
            "patience": {"distribution": "exponential", "mean": "2min"},
            "transfer": {"probability": 0.1, "to": "tech"},
            "repeat": {"probability": 0.2, "delay": {"distribution": "constant", "mean": "10min"}},
        },
        {
            "name": "tech",
            "arrivals": {"rate": "40/h"},
            "handle_time": {"distribution": "exponential", "mean": "6min"},
            "patience": {"distribution": "exponential", "mean": "4min"},
        },
    ],
    "agents": [
        {"name": "tier1", "count": 9, "skills": ["billing"]},
        {"name": "tier2", "count": 4, "skills": {"tech": 1, "billing": 2}},
    ],
    "routing": {"handover_factor": 1.2},
}


def run_in_chunks(scenario: Scenario, chunk_size: int) -> ReplicationRecord:
    """One replication with the in-memory log, reduced every ``chunk_size`` contacts."""
    with mock.patch.object(recorder, "CHUNK_SIZE", chunk_size):
        return engine.run_replication(scenario, 0)


def log_figures(scenario: Scenario, record: ReplicationRecord) -> pd.DataFrame:
    """Figures per (interval, queue) cell, computed from the contact log with pandas.

    Contacts that ended in an IVR were never offered: they are left out.
    """
    meta = run_meta(scenario)
    log = pd.DataFrame(record.contacts)
    log = log[~log["outcome"].isin([OUTCOME_CODE[name] for name in NOT_OFFERED])]
    edges = interval_edges(meta)
    interval = np.clip(
        np.searchsorted(edges, log["arrival_s"], side="right") - 1, 0, len(edges) - 2
    )
    log["cell"] = interval * len(meta.queues) + log["queue"]
    log["in_target"] = log["wait_s"] <= np.asarray(meta.sl_threshold_s)[log["queue"]]
    log["answered"] = log["outcome"] == ANSWERED
    log["work_s"] = log["handle_s"] + log["wrap_s"]
    grouped = log.groupby("cell")
    answered = log[log["answered"]].groupby("cell")
    return pd.DataFrame(
        {
            "offered": grouped.size(),
            "answered": answered.size(),
            "abandoned": log[log["outcome"] == ABANDONED].groupby("cell").size(),
            "answered_in_target": log[log["answered"] & log["in_target"]].groupby("cell").size(),
            "mean_wait_s": grouped["wait_s"].mean(),
            "asa_s": answered["wait_s"].mean(),
            "aht_s": answered["work_s"].mean(),
            "max_wait_s": grouped["wait_s"].max(),
            **{
                name: grouped["wait_s"].quantile(probability)
                for name, probability in QUANTILES.items()
            },
        }
    )


@EXAMPLES
@given(scenario=routing_scenarios())
def test_interval_figures_equal_a_second_computation_from_the_log(scenario: Scenario) -> None:
    record = run_in_chunks(scenario, 7)
    meta = run_meta(scenario)
    intervals = reports.replication_intervals(meta, record)
    queue_rows = intervals[intervals["queue"] != "ALL"].reset_index(drop=True)
    expected = log_figures(scenario, record)

    for cell, row in expected.iterrows():
        actual = queue_rows.iloc[int(cell)]
        for name in ("offered", "answered", "abandoned", "answered_in_target", "max_wait_s"):
            assert actual[name] == np.nan_to_num(row[name]), (cell, name)
        for name in ("mean_wait_s", "asa_s", "aht_s"):
            assert np.isclose(actual[name], row[name], rtol=1e-12, atol=0, equal_nan=True), name
        for name in QUANTILES:
            assert within_histogram_error(actual[name], row[name]), (cell, name)
    empty = ~queue_rows.index.isin(expected.index)
    assert (queue_rows.loc[empty, "offered"] == 0).all()
    assert queue_rows.loc[empty, "max_wait_s"].isna().all()


@EXAMPLES
@given(scenario=routing_scenarios())
def test_tallies_do_not_depend_on_the_chunk_size(scenario: Scenario) -> None:
    meta = run_meta(scenario)
    small, large = run_in_chunks(scenario, 3), run_in_chunks(scenario, 1 << 16)

    for table in (reports.replication_summary, reports.replication_intervals):
        pd.testing.assert_frame_equal(
            table(meta, small), table(meta, large), check_exact=False, rtol=1e-12
        )
    np.testing.assert_array_equal(small.tallies.contacts.outcomes, large.tallies.contacts.outcomes)
    np.testing.assert_array_equal(
        small.tallies.contacts.wait_counts, large.tallies.contacts.wait_counts
    )
    for name, values in small.contacts.items():
        np.testing.assert_array_equal(values, large.contacts[name], err_msg=name)


@EXAMPLES
@given(scenario=scenarios(warmup=False))
def test_interval_levels_equal_a_second_computation_from_the_log(scenario: Scenario) -> None:
    """Without a warm-up every busy period is in the log: per group and interval, exactly."""
    record = run_in_chunks(scenario, 5)
    meta = run_meta(scenario)
    log, presence = record.contacts, record.presence
    edges = interval_edges(meta)
    group_count = len(meta.groups)
    served = np.isfinite(log["answered_s"]) & (log["group"] >= 0)
    start = log["answered_s"][served]
    end = start + log["handle_s"][served] + np.nan_to_num(log["wrap_s"][served])
    busy = seconds_per_bin(start, end, log["group"][served], group_count, edges)
    staffed = seconds_per_bin(
        presence["start_s"], presence["end_s"], presence["group"], group_count, edges
    )

    np.testing.assert_allclose(record.tallies.agents.group_busy_s, busy, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(record.tallies.agents.group_staffed_s, staffed, rtol=1e-9, atol=1e-6)
    waited = log["wait_s"] > 0
    grid = record.tallies.queues.waiting_s.sum(axis=1)
    inside = np.minimum(log["arrival_s"] + log["wait_s"], edges[-1]) - log["arrival_s"]
    per_queue = np.bincount(log["queue"][waited], weights=inside[waited], minlength=len(grid))
    np.testing.assert_allclose(grid, per_queue, rtol=1e-9, atol=1e-6)


@EXAMPLES
@given(scenario=routing_scenarios(warmup=True))
def test_tallied_busy_time_equals_the_engines_busy_agent_level(scenario: Scenario) -> None:
    """The contacts of the warm-up count with their busy time after it, like the level does."""
    trace: list[AgentTransition] = []
    record = engine.run_replication(scenario, 0, contact_log=None, agent_trace=trace)

    level = busy_level(trace, len(scenario.agents), scenario.warmup, record.end_s)
    np.testing.assert_allclose(record.busy_area_s, level, rtol=1e-9, atol=1e-6)
    assert record.tallies.agents.agent_busy_s.sum() == pytest.approx(
        level.sum(), rel=1e-9, abs=1e-6
    )


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, simcenter.Results]:
    """The centre saved with and without the contact log (two replications, two jobs)."""
    folder = tmp_path_factory.mktemp("streamed")
    with_log = simcenter.simulate(CENTRE, replications=2, jobs=2, keep_contacts=True)
    without = simcenter.simulate(CENTRE, replications=2, jobs=1, keep_contacts=False)
    return (
        with_log.save(folder / "with", plots=False),
        without.save(folder / "without", plots=False),
        with_log,
    )


@pytest.mark.parametrize("table", TABLES)
def test_tables_are_identical_with_and_without_the_contact_log(
    both_ways: tuple[Path, Path, simcenter.Results], table: str
) -> None:
    with_log, without, _ = both_ways

    assert filecmp.cmp(with_log / f"{table}.csv", without / f"{table}.csv", shallow=False)
    assert (with_log / "contacts.parquet").exists()
    assert not (without / "contacts.parquet").exists()


def test_the_streamed_log_joins_the_replications_in_order(
    both_ways: tuple[Path, Path, simcenter.Results],
) -> None:
    with_log, _, results = both_ways
    contacts = pd.read_parquet(with_log / "contacts.parquet")

    assert list(contacts["replication"].unique()) == [0, 1]
    assert contacts["replication"].is_monotonic_increasing
    offered = contacts.groupby(["replication", "queue"], observed=True).size()
    rows = results.replications.set_index(["replication", "queue"])["offered"]
    assert offered.to_dict() == {key: rows[key] for key in offered.index}
    assert set(contacts["outcome"].unique()) <= set(OUTCOMES)
    # The file is in recording order; results.contacts is in arrival order with a calendar column.
    pd.testing.assert_frame_equal(with_arrival_time(results.meta, contacts), results.contacts)


def test_without_the_log_no_per_contact_data_is_kept() -> None:
    with mock.patch.object(contact_log, "spool_folder", side_effect=AssertionError("spooled")):
        results = simcenter.simulate(CENTRE, replications=1, keep_contacts=False)
    record = engine.run_replication(build_scenario(CENTRE), 0, contact_log=None)

    assert results.contacts is None
    assert results.contact_log is None
    assert record.contacts is None
    assert record.presence is None
    assert record.contact_log is None


@pytest.mark.parametrize("flag", [[], ["--no-contacts"]])
def test_run_writes_the_contact_log_unless_told_not_to(tmp_path: Path, flag: list[str]) -> None:
    outdir = tmp_path / "out"
    scenario = Path(__file__).parent.parent / "scenarios" / "single_queue.yaml"
    arguments = ["run", str(scenario), "-o", str(outdir), "-n", "2"]
    arguments += ["--jobs", "1", "--no-plots", "--set", "horizon=1h", *flag]

    assert cli.main(arguments) == 0

    log = outdir / "contacts.parquet"
    assert log.exists() == (not flag)
    if not flag:
        summary = pd.read_csv(outdir / "summary.csv").set_index("queue")
        assert len(pd.read_parquet(log)) == 2 * summary.loc["ALL", "offered"]


@pytest.mark.parametrize("trial", range(40))
def test_sparse_seconds_per_bin_adds_exactly_what_the_dense_one_gives(trial: int) -> None:
    """The in-place addition equals ``out += seconds_per_bin(...)`` to the last bit.

    Random periods (some before, after and across the grid, some spanning
    many bins), many keys and few periods (the sparse path) or the reverse
    (the dense one), added to a non-zero array.
    """
    rng = np.random.default_rng(trial)
    key_count, bin_total = int(rng.integers(1, 600)), int(rng.integers(1, 300))
    periods = int(rng.integers(0, 3000))
    edges = np.sort(rng.uniform(0.0, 1000.0, bin_total + 1))
    start = rng.uniform(-50.0, 1050.0, periods)
    end = start + rng.exponential(float(rng.choice([1.0, 20.0, 300.0])), periods)
    keys = rng.integers(0, key_count, periods)
    base = rng.uniform(0.0, 5.0, (key_count, bin_total))
    dense = base.copy()
    dense += seconds_per_bin(start, end, keys, key_count, edges)
    add_seconds_per_bin(base, start, end, keys, edges)
    assert np.array_equal(base, dense)


def test_long_periods_over_many_bins_take_memory_of_the_grid_not_of_the_bins_they_cover() -> None:
    """297 agents on duty for a year of 30-minute intervals: 5.2 million covered bins.

    Enumerating each covered bin took about 340 MB of temporaries at the end of
    such a run (benchmarks/README.md, "Shifts against a constant count"); the
    addition takes a few times the grid's 140 kB, with the same result.
    """
    edges = 1800.0 * np.arange(17_521)
    start, end = np.full(297, 0.0), np.full(297, edges[-1] + 100.0)
    keys = np.zeros(297, dtype=np.int64)
    out = np.zeros((1, 17_520))
    dense = out + seconds_per_bin(start, end, keys, 1, edges)
    tracemalloc.start()
    try:
        add_seconds_per_bin(out, start, end, keys, edges)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(out, dense)
    assert peak < 20 * out.nbytes
