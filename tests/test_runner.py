"""The study runner: tasks run in any order on any executor, records back in task order.

Reproducibility tests: the same tasks give the same records (compared array
by array) on one process, on a local pool of two workers and on a Dask
``LocalCluster`` of two worker processes; ``simulate`` gives identical frames
on every executor.
"""

from __future__ import annotations

import inspect
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import simcenter
from simcenter.cli import main
from simcenter.records import ReplicationRecord
from simcenter.results import TABLE_FILES
from simcenter.scenario import build_scenario
from simcenter.studies import ExecutorError, Task, iter_replications, run_replications
from simcenter.studies.runner import DASK_HINT

SCENARIO: dict[str, Any] = {
    "name": "runner",
    "seed": 11,
    "horizon": "1h",
    "interval": "15min",
    "queues": [
        {
            "name": "support",
            "arrivals": {"rate": "240/h"},
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "2min"},
        }
    ],
    "agents": [{"name": "team", "count": 12, "skills": ["support"], "cost_per_hour": 30}],
}


def assert_same_records(first: list[ReplicationRecord], second: list[ReplicationRecord]) -> None:
    assert [record.replication for record in first] == [record.replication for record in second]
    for one, other in zip(first, second, strict=True):
        assert one.end_s == other.end_s
        for concern, tallies in vars(one.tallies).items():
            for name, value in vars(tallies).items():
                expected = getattr(getattr(other.tallies, concern), name)
                np.testing.assert_array_equal(value, expected, err_msg=f"{concern}.{name}")


def tasks() -> list[Task]:
    """Six tasks of two scenarios, out of replication order."""
    scenario = build_scenario(SCENARIO)
    bigger = scenario.with_overrides({"agents.team.count": 14})
    return [Task(scenario, rep, 5) for rep in (2, 0, 1)] + [
        Task(bigger, rep, 5) for rep in (0, 1, 2)
    ]


def test_records_come_back_in_task_order_whatever_the_number_of_workers() -> None:
    one = run_replications(tasks(), jobs=1)
    two = run_replications(tasks(), jobs=2)
    assert [record.replication for record in one] == [2, 0, 1, 0, 1, 2]
    assert_same_records(one, two)
    # the two scenarios differ, so the comparison could fail
    assert one[1].tallies.contacts.outcomes.sum() != 0
    busy = [record.tallies.agents.agent_busy_s for record in (one[1], one[3])]
    assert not np.array_equal(*busy)


def test_progress_counts_every_task() -> None:
    seen: list[tuple[int, int]] = []
    run_replications(tasks(), jobs=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(done, 6) for done in range(1, 7)]


def test_iter_replications_yields_every_index_once() -> None:
    found = dict(iter_replications(tasks(), jobs=2))
    assert sorted(found) == list(range(6))
    assert found[0].replication == 2


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"executor": "threads"},
            'executor: must be "local", "dask" or a concurrent.futures.Executor (got \'threads\')',
        ),
        ({"address": "tcp://host:8786"}, "address: a scheduler address needs the dask executor"),
    ],
)
def test_bad_executor_options_are_refused(keys: dict[str, Any], message: str) -> None:
    with pytest.raises(ExecutorError) as error:
        run_replications(tasks(), **keys)
    assert str(error.value) == message


def test_dask_keeps_no_contact_log() -> None:
    scenario = build_scenario(SCENARIO)
    with pytest.raises(ExecutorError, match="keeps no per-contact log"):
        simcenter.simulate(scenario, replications=2, executor="dask", keep_contacts=True)


def test_a_dask_local_cluster_gives_the_frames_of_the_local_pool() -> None:
    """Two Dask worker processes against two local workers: every table identical."""
    scenario = build_scenario(SCENARIO)
    local = simcenter.simulate(scenario, replications=6, seed=3, jobs=2, keep_contacts=False)
    dask = simcenter.simulate(scenario, replications=6, seed=3, jobs=2, executor="dask")
    assert dask.contact_log is None  # Dask keeps no contact log by default
    for name in TABLE_FILES:
        pd.testing.assert_frame_equal(getattr(dask, name), getattr(local, name), obj=name)
    assert local.summary["offered_ci95"].iloc[0] > 0  # six different replications


def test_a_sweep_on_a_running_dask_cluster_equals_the_local_sweep() -> None:
    """Batches of tasks of different points, on a cluster given by its address."""
    from simcenter.studies.dask_executor import _client

    grid = {"agents.team.count": [10, 12, 14], "queues.support.patience.mean": ["1min", "3min"]}
    local = simcenter.sweep(SCENARIO, grid, replications=5, seed=2, jobs=2)
    with _client(None, 2) as client:
        address = client.scheduler.address
        dask = simcenter.sweep(
            SCENARIO, grid, replications=5, seed=2, executor="dask", address=address
        )
    pd.testing.assert_frame_equal(dask, local)
    assert local["service_level"].nunique() == 6


@pytest.fixture
def without_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask as if not installed: importing ``distributed`` fails, as in a plain install."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "simcenter.studies.dask_executor", raising=False)


@pytest.mark.usefixtures("without_dask")
def test_the_dask_executor_without_dask_says_how_to_install_it() -> None:
    with pytest.raises(ExecutorError) as error:
        run_replications(tasks(), executor="dask")
    assert str(error.value) == DASK_HINT
    assert "pip install 'simcenter[dask]'" in DASK_HINT


@pytest.mark.usefixtures("without_dask")
def test_run_with_the_dask_executor_without_dask_exits_2_with_the_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    arguments = ["run", str(scenario), "-o", str(tmp_path / "out"), "--executor", "dask"]

    code = main([*arguments, "-n", "2", "--no-plots", "--quiet"])

    assert (code, capsys.readouterr().err) == (2, DASK_HINT + "\n")
    assert not (tmp_path / "out").exists()


def test_an_executor_of_your_own_gives_the_frames_of_the_local_pool() -> None:
    """A thread pool given as the executor: every table identical to two local workers."""
    scenario = build_scenario(SCENARIO)
    local = simcenter.simulate(scenario, replications=6, seed=3, jobs=2, keep_contacts=False)
    with ThreadPoolExecutor(max_workers=3) as pool:
        threads = simcenter.simulate(scenario, replications=6, seed=3, executor=pool)
    assert threads.contact_log is None  # like Dask, no contact log by default
    for name in TABLE_FILES:
        pd.testing.assert_frame_equal(getattr(threads, name), getattr(local, name), obj=name)
    assert local.summary["offered_ci95"].iloc[0] > 0  # six different replications


def test_a_sweep_on_a_process_pool_of_your_own_equals_the_local_sweep() -> None:
    grid = {"agents.team.count": [10, 12], "queues.support.patience.mean": ["1min", "3min"]}
    local = simcenter.sweep(SCENARIO, grid, replications=3, seed=2)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = simcenter.sweep(SCENARIO, grid, replications=3, seed=2, executor=pool)
    pd.testing.assert_frame_equal(pooled, local)
    assert local["service_level"].nunique() == 4


def test_an_executor_of_your_own_keeps_no_contact_log() -> None:
    scenario = build_scenario(SCENARIO)
    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(ExecutorError) as error:
        simcenter.simulate(scenario, replications=2, executor=pool, keep_contacts=True)
    assert "an executor of your own keeps no per-contact log" in str(error.value)


@pytest.mark.parametrize(
    ("function", "leading"),
    [
        (simcenter.simulate, ["scenario"]),
        (simcenter.compare, ["a", "b"]),
        (simcenter.staff, ["scenario"]),
        (simcenter.sweep, ["scenario", "grid"]),
    ],
)
def test_the_api_takes_keywords_after_its_scenarios_and_one_default_for_jobs(
    function: Any, leading: list[str]
) -> None:
    parameters = list(inspect.signature(function).parameters.values())
    positional = [p.name for p in parameters if p.kind is not p.KEYWORD_ONLY]
    assert positional == leading
    assert inspect.signature(function).parameters["jobs"].default == 1
    executor = inspect.signature(function).parameters["executor"]
    assert executor.default == "local"
