"""Sweeps: the grid, common random numbers across points, monotone responses, resuming.

Metamorphic tests (STYLE 6.7, layer 5): under common random numbers every
staffing point sees the same callers, so ``offered`` is identical across
points and the ASA does not increase with agents. The kill test sends
SIGKILL to a sweep mid-way and checks that the rerun's ``sweep.csv`` equals
that of an uninterrupted sweep.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from safety import group_members, run_cli, tree

import simcenter
from simcenter.errors import ScenarioError
from simcenter.outdir import MARKER
from simcenter.scenario import build_scenario
from simcenter.studies.grid import parse_vary, points
from simcenter.studies.store import POINTS_FOLDER
from simcenter.studies.sweep import OBJECTIVE_COLUMNS

PLAIN: dict[str, Any] = {
    "name": "sweep-test",
    "seed": 4,
    "horizon": "2h",
    "interval": "30min",
    "queues": [
        {
            "name": "support",
            "arrivals": {"rate": "180/h"},
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "2min"},
        }
    ],
    "agents": [{"name": "team", "count": 9, "skills": ["support"], "cost_per_hour": 30}],
}
"""One queue with abandonment; 9 agents carry a load of 9 Erlangs."""

REPEATS_AND_TRANSFERS: dict[str, Any] = {
    "name": "sweep-repeats",
    "seed": 8,
    "horizon": "3h",
    "interval": "30min",
    "queues": [
        {
            "name": "billing",
            "arrivals": {"rate": "120/h"},
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "2min"},
            "repeat": {
                "probability": 0.3,
                "delay": {"distribution": "exponential", "mean": "10min"},
            },
            "transfer": {"probability": 0.2, "to": "tech"},
        },
        {
            "name": "tech",
            "arrivals": {"rate": "30/h"},
            "handle_time": {"distribution": "exponential", "mean": "5min"},
            "patience": {"distribution": "exponential", "mean": "3min"},
        },
    ],
    "agents": [
        {"name": "tier1", "count": 6, "skills": ["billing"], "cost_per_hour": 30},
        {"name": "tier2", "count": 4, "skills": ["tech"], "cost_per_hour": 40},
    ],
}
"""Billing repeats unresolved contacts and transfers a share to tech."""

STAFFING = {"agents.team.count": [7, 8, 9, 10, 11, 12]}


# --- the grid ---------------------------------------------------------------------------


def test_vary_ranges_steps_and_lists() -> None:
    grid = parse_vary(["agents.t.count=24:27", "x=0.5:1:0.25", "y=2:9:3", "p=60s, 2min,300"])
    assert grid == {
        "agents.t.count": [24, 25, 26, 27],
        "x": [0.5, 0.75, 1.0],
        "y": [2, 5, 8],
        "p": ["60s", "2min", 300],
    }


def test_bad_vary_options_are_all_reported() -> None:
    with pytest.raises(ScenarioError) as error:
        parse_vary(["a=5:1", "b=1,,2", "c", "d=1:3:0", "a=1:2", "e=1", "e=2"])
    assert [problem.message for problem in error.value.problems] == [
        '--vary "a=5:1": the range is empty (from 5 down to 1)',
        '--vary "b=1,,2": a list must not have empty values',
        '--vary "c": expected KEY=a:b, KEY=a:b:step or KEY=v1,v2,...',
        '--vary "d=1:3:0": the step must be positive (got 0)',
        '--vary "e=2": e is varied twice (give all its values in one --vary)',
    ]


def test_points_are_the_cartesian_product_first_key_slowest() -> None:
    assert points({"a": [1, 2], "b": ["x", "y", "z"]}) == [
        (("a", a), ("b", b)) for a in (1, 2) for b in ("x", "y", "z")
    ]


def test_an_invalid_point_is_reported_with_the_point() -> None:
    with pytest.raises(ScenarioError) as error:
        simcenter.sweep(PLAIN, {"agents.team.count": [3, -1]}, replications=1)
    assert [str(problem) for problem in error.value.problems] == [
        "agents[0].count: must be a non-negative integer (got -1) "
        "(at the point agents.team.count=-1)"
    ]


# --- common random numbers and monotone responses ------------------------------------------


@pytest.fixture(scope="module")
def staffing_sweep() -> pd.DataFrame:
    return simcenter.sweep(PLAIN, STAFFING, replications=3, seed=2, jobs=2)


def test_the_table_has_the_varied_values_then_the_summary(staffing_sweep: pd.DataFrame) -> None:
    summary = simcenter.simulate(PLAIN, replications=3, seed=2, keep_contacts=False).summary
    expected = ["agents.team.count", *summary.columns, "cost", "cost_ci95", *OBJECTIVE_COLUMNS]
    assert list(staffing_sweep.columns) == expected
    assert len(staffing_sweep) == 6 * 2  # points x (support, ALL)
    # the point at the scenario's own staffing is the scenario's own run
    nine = staffing_sweep[staffing_sweep["agents.team.count"] == 9].reset_index(drop=True)
    pd.testing.assert_frame_equal(nine[summary.columns], summary, check_categorical=False)


def test_offered_is_identical_across_staffing_points(staffing_sweep: pd.DataFrame) -> None:
    """Common random numbers: every point sees the same callers."""
    for _, rows in staffing_sweep.groupby("queue", observed=True):
        assert rows["offered"].nunique() == 1
        assert rows["offered_ci95"].nunique() == 1
    assert staffing_sweep["offered_ci95"].iloc[0] > 0  # the replications differ


def test_asa_and_abandonment_do_not_increase_with_agents(staffing_sweep: pd.DataFrame) -> None:
    overall = staffing_sweep[staffing_sweep["queue"] == "ALL"]
    assert overall["agents.team.count"].is_monotonic_increasing
    assert overall["asa_s"].is_monotonic_decreasing
    assert overall["abandon_rate"].is_monotonic_decreasing
    assert overall["asa_s"].iloc[0] > 2 * overall["asa_s"].iloc[-1]  # the sweep spans a change


def first_contacts(scenario: dict[str, Any], agents: int, replications: int) -> pd.DataFrame:
    """First-time contacts (attempt 1, not a transfer leg) at one staffing point of tier1."""
    point = build_scenario(scenario).with_overrides({"agents.tier1.count": agents})
    contacts = simcenter.simulate(point, replications=replications, seed=5).contacts
    first = contacts[(contacts["attempt"] == 1) & contacts["linked_id"].isna()]
    return first.sort_values(["replication", "queue", "arrival_s"]).reset_index(drop=True)


def test_first_time_contacts_are_identical_across_points_with_repeats_and_transfers() -> None:
    """offered counts repeat contacts and transfer legs, which depend on the staffing;
    the first-time contacts (the callers) are the same at every point."""
    grid = {"agents.tier1.count": [4, 6, 8]}
    table = simcenter.sweep(REPEATS_AND_TRANSFERS, grid, replications=2, seed=5)
    contacts = {agents: first_contacts(REPEATS_AND_TRANSFERS, agents, 2) for agents in (4, 6, 8)}
    assert len(contacts[4]) > 400
    assert (contacts[4]["queue"] == "tech").sum() > 100
    for agents in (6, 8):
        for column in ("replication", "queue", "arrival_s"):
            pd.testing.assert_series_equal(contacts[agents][column], contacts[4][column])
    billing = table[table["queue"] == "billing"]
    assert billing["repeat_contacts"].is_monotonic_increasing  # more answered, more repeats
    assert billing["repeat_contacts"].iloc[-1] > billing["repeat_contacts"].iloc[0]


def test_first_time_draws_are_identical_across_points_with_repeats_and_transfers() -> None:
    """A first-time contact answered at two staffing points talks for the same time."""
    few, many = (first_contacts(REPEATS_AND_TRANSFERS, agents, 2) for agents in (4, 8))
    answered = few["answered_s"].notna() & many["answered_s"].notna()
    assert answered.sum() > 100
    np.testing.assert_array_equal(few["handle_s"][answered], many["handle_s"][answered])


# --- output folder and resuming -------------------------------------------------------------


def write_plain(folder: Path) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(PLAIN), encoding="utf-8")
    return path


def test_the_sweep_folder_holds_the_table_plot_and_points(tmp_path: Path) -> None:
    table = simcenter.sweep(PLAIN, STAFFING, replications=2, seed=1, outdir=tmp_path / "out")
    files = tree(tmp_path / "out")
    assert {"sweep.csv", "sweep.png", "scenario.yaml", "study.json", MARKER} <= set(files)
    assert sum(name.startswith(f"{POINTS_FOLDER}/") for name in files) == 6
    assert set(files[MARKER].decode().splitlines()[1:]) == set(files) - {MARKER}
    pd.testing.assert_frame_equal(
        table, simcenter.sweep(PLAIN, STAFFING, replications=2, seed=1), check_dtype=False
    )
    written = pd.read_csv(tmp_path / "out" / "sweep.csv")
    np.testing.assert_allclose(written["service_level"], table["service_level"], rtol=0)


def test_a_folder_of_another_sweep_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = str(write_plain(tmp_path))
    out = str(tmp_path / "out")
    assert run_cli(capsys, "sweep", scenario, "--vary", "agents.team.count=8:9", "-o", out)[0] == 0
    before = tree(tmp_path / "out")
    code, _, err = run_cli(capsys, "sweep", scenario, "--vary", "agents.team.count=8:10", "-o", out)
    assert code == 2
    assert err == (
        f"output folder {out}: holds a study with another grid; a study resumes only when "
        "everything is the same: choose another folder with -o, or remove this one to start "
        "afresh\n"
    )
    assert tree(tmp_path / "out") == before


def test_rerunning_a_finished_sweep_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = str(write_plain(tmp_path))
    args = ("sweep", scenario, "--vary", "agents.team.count=8:9", "-n", "2", "-o", "out")
    args = (*args[:-1], str(tmp_path / "out"))
    assert run_cli(capsys, *args)[0] == 0
    first = tree(tmp_path / "out")
    code, out, _ = run_cli(capsys, *args)
    assert code == 0
    assert "2 points (2 found finished, not rerun)" in out
    assert tree(tmp_path / "out") == first


def kill_after_the_first_point(command: list[str], folder: Path) -> int:
    """Start a sweep into ``folder``, SIGKILL it once a point is finished; points finished.

    Asserts that no process of the sweep (its workers) outlives it.
    """
    process = subprocess.Popen(
        [*command, "-o", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not list((folder / POINTS_FOLDER).glob("*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert group_members(process.pid) == [], "workers outlived the sweep"
    return len(list((folder / POINTS_FOLDER).glob("*.parquet")))


def sweep_command(scenario: Path, *options: str) -> list[str]:
    command = [sys.executable, "-m", "simcenter", "sweep", str(scenario), *options]
    return [*command, "--vary", "agents.team.count=6:17", "--set", "horizon=8h", "-n", "2"]


def test_a_sweep_killed_mid_way_resumes_to_the_uninterrupted_table(tmp_path: Path) -> None:
    """SIGKILL after the first finished point; the rerun skips the finished points."""
    command = sweep_command(write_plain(tmp_path), "--jobs", "2")
    killed = tmp_path / "killed"
    finished = kill_after_the_first_point(command, killed)
    assert 1 <= finished < 12, "the kill must land mid-way"
    assert not (killed / "sweep.csv").exists()  # nothing looks complete

    rerun = subprocess.run([*command, "-o", str(killed)], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({finished} found finished, not rerun)" in rerun.stdout
    whole = subprocess.run([*command, "-o", str(tmp_path / "whole")], capture_output=True)
    assert whole.returncode == 0
    assert (killed / "sweep.csv").read_bytes() == (tmp_path / "whole" / "sweep.csv").read_bytes()
    assert not [entry for entry in tmp_path.iterdir() if ".tmp-" in entry.name]


def test_a_killed_sweep_on_a_local_dask_cluster_leaves_no_worker(tmp_path: Path) -> None:
    command = sweep_command(write_plain(tmp_path), "--executor", "dask")
    finished = kill_after_the_first_point(command, tmp_path / "killed")
    assert 1 <= finished < 12
    assert not (tmp_path / "killed" / "sweep.csv").exists()


def test_the_folder_of_a_run_is_not_taken_for_a_sweep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = str(write_plain(tmp_path))
    out = str(tmp_path / "out")
    assert run_cli(capsys, "run", scenario, "-o", out, "--quiet", "--no-plots")[0] == 0
    before = tree(tmp_path / "out")
    code, _, err = run_cli(capsys, "sweep", scenario, "--vary", "agents.team.count=8:9", "-o", out)
    assert code == 2
    assert err == (
        f"output folder {out}: holds the results of simcenter run, not of simcenter sweep; "
        "simcenter does not replace another command's results: choose another folder with -o, "
        "or remove that one yourself\n"
    )
    assert tree(tmp_path / "out") == before


def test_an_address_needs_the_dask_executor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = str(write_plain(tmp_path))
    code, _, err = run_cli(
        capsys, "sweep", scenario, "--vary", "agents.team.count=8:9", "--address", "tcp://x:1"
    )
    assert (code, err) == (2, "--address: needs --executor dask\n")
    assert list(tmp_path.iterdir()) == [tmp_path / "scenario.yaml"]
