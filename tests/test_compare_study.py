"""``compare`` for planners: labels, a variant by ``--set``, the cost, percentages, resuming.

A and B are named after their files (told apart by their folders when the
names are the same) or ``--label``; ``compare A --set KEY=VALUE`` compares A
with A changed, and gives the same table as a file of the variant; the cost
of each is that of ``run`` (agents' ``cost_per_hour`` × staffed hours); a
comparison killed mid-way and run again with the same command reuses its
finished replications and writes the same ``compare.csv`` byte for byte.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from safety import group_members, run_cli, tree

import simcenter
from simcenter.formats import money
from simcenter.studies.store import POINTS_FOLDER

BASE: dict[str, Any] = {
    "name": "compare-study",
    "seed": 5,
    "horizon": "1h",
    "queues": [
        {
            "name": "support",
            "arrivals": {"rate": "240/h"},
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "3min"},
        }
    ],
    "agents": [{"name": "team", "count": 13, "skills": ["support"], "cost_per_hour": 25}],
}


def write(path: Path, count: int = 13, **changes: Any) -> Path:
    """``BASE`` with ``count`` agents (and ``changes``) written to ``path``."""
    data = BASE | changes
    data["agents"] = [BASE["agents"][0] | {"count": count}]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "base.yaml")
    write(tmp_path / "bigger.yaml", count=14)
    return tmp_path


def compare_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "compare", *args, "-n", "4", "--jobs", "1")


# --- labels --------------------------------------------------------------------------------


def test_a_and_b_are_named_after_their_files(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = compare_cli(capsys, "base.yaml", "bigger.yaml", "-o", "out")
    assert code == 0
    assert out.splitlines()[0].startswith("A = base, B = bigger; ")


def test_files_of_the_same_name_are_told_apart_by_their_folders(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(here / "now" / "plan.yaml")
    write(here / "next" / "plan.yaml", count=14)
    code, out, _ = compare_cli(capsys, "now/plan.yaml", "next/plan.yaml", "-o", "out")
    assert code == 0
    assert out.splitlines()[0].startswith("A = now/plan, B = next/plan; ")


def test_label_names_a_and_b(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("base.yaml", "bigger.yaml", "-o", "out")
    code, out, _ = compare_cli(capsys, *args, "--label", "today", "--label", "one more")
    assert code == 0
    assert out.splitlines()[0].startswith("A = today, B = one more; ")


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["today"], "--label: give it twice, A's name then B's (got 1 name)\n"),
        (["a", "b", "c"], "--label: give it twice, A's name then B's (got 3 names)\n"),
        (["same", "same"], "--label: A and B need different names (got 'same' twice)\n"),
        (["today", " "], "--label: a name must not be empty\n"),
    ],
)
def test_wrong_labels_are_refused_before_any_work(
    here: Path, capsys: pytest.CaptureFixture[str], labels: list[str], message: str
) -> None:
    options = [part for label in labels for part in ("--label", label)]
    code, out, err = compare_cli(capsys, "base.yaml", "bigger.yaml", *options, "-o", "out")
    assert (code, out, err) == (2, "", message)
    assert not (here / "out").exists()


# --- B as A with --set ---------------------------------------------------------------------


def test_set_makes_b_from_a_and_gives_the_table_of_a_file_of_the_variant(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = compare_cli(capsys, "base.yaml", "--set", "agents.team.count=14", "-o", "set")
    assert code == 0
    assert out.splitlines()[0].startswith("A = base, B = base with agents.team.count=14; ")
    assert compare_cli(capsys, "base.yaml", "bigger.yaml", "-o", "file")[0] == 0
    by_set = pd.read_csv(here / "set" / "compare.csv")
    by_file = pd.read_csv(here / "file" / "compare.csv")
    pd.testing.assert_frame_equal(by_set, by_file)
    level = by_set[(by_set["queue"] == "support") & (by_set["figure"] == "service_level")]
    assert level["difference"].iloc[0] > 0  # one more agent: the variant was simulated


def test_set_changes_b_when_b_is_a_file_too(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "smaller.yaml", count=12)
    args = ("base.yaml", "smaller.yaml", "--set", "agents.team.count=14", "-o", "out")
    assert compare_cli(capsys, *args)[0] == 0
    assert compare_cli(capsys, "base.yaml", "bigger.yaml", "-o", "file")[0] == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(here / "out" / "compare.csv"), pd.read_csv(here / "file" / "compare.csv")
    )


def test_a_bad_set_key_is_reported_with_its_file_and_line(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = compare_cli(capsys, "base.yaml", "--set", "agents.tem.count=14", "-o", "out")
    assert code == 2
    assert out == ""
    assert err.startswith("base.yaml:")
    assert 'no entry "tem" (in override "agents.tem.count"' in err
    assert not (here / "out").exists()


def test_compare_needs_b_or_set(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = compare_cli(capsys, "base.yaml", "-o", "out")
    assert (code, out) == (2, "")
    assert err == "compare: give scenario B, or --set KEY=VALUE to compare A with A changed\n"
    assert not (here / "out").exists()


# --- cost and percentages -------------------------------------------------------------------


def test_the_cost_of_a_and_b_is_that_of_run_and_printed_with_its_difference(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = compare_cli(capsys, "base.yaml", "bigger.yaml", "-o", "out", "--seed", "3")
    assert code == 0
    written = pd.read_csv(here / "out" / "compare.csv").set_index(["queue", "figure"])
    costs = [
        simcenter.simulate(here / name, replications=4, seed=3, keep_contacts=False).agents
        for name in ("base.yaml", "bigger.yaml")
    ]
    cost = written.loc[("ALL", "cost")]
    assert cost["a"] == pytest.approx(costs[0]["cost"].sum(), rel=1e-12)
    assert cost["b"] == pytest.approx(costs[1]["cost"].sum(), rel=1e-12)
    assert written.loc[("ALL", "staffed_h"), "b"] == pytest.approx(costs[1]["staffed_h"].sum())
    assert cost["difference"] > 0  # one more agent costs more
    line = next(line for line in out.splitlines() if line.startswith("cost per replication:"))
    assert line.startswith(
        f"cost per replication: A {money(cost['a'])}, B {money(cost['b'])}, "
        f"B - A +{money(cost['difference'])} ± "
    )
    assert line.endswith(f"({cost['difference'] / cost['a'] * 100:+.1f}%)")


def test_levels_are_printed_as_percentages_and_their_differences_in_points(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = compare_cli(capsys, "base.yaml", "bigger.yaml", "-o", "out")
    assert code == 0
    row = pd.read_csv(here / "out" / "compare.csv").query(
        "queue == 'support' and figure == 'service_level'"
    )
    line = next(line for line in out.splitlines() if line.startswith("support  service_level"))
    assert line.split()[2:6] == [
        f"{row['a'].iloc[0] * 100:.1f}%",
        f"{row['b'].iloc[0] * 100:.1f}%",
        f"{row['difference'].iloc[0] * 100:+.1f}",
        "pts",
    ]


# --- resuming -------------------------------------------------------------------------------


class StoppedError(Exception):
    """Stands for a Ctrl-C after a few replications."""


def test_an_interrupted_comparison_resumes_to_the_uninterrupted_output(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from simcenter.studies.compare import run_compare

    def stop_after_three(done: int, total: int) -> None:
        if done == 3:
            raise StoppedError

    with pytest.raises(StoppedError):
        run_compare(
            "base.yaml", "bigger.yaml", replications=4, outdir="killed", progress=stop_after_three
        )
    assert len(list((here / "killed" / POINTS_FOLDER).glob("*.parquet"))) == 3
    assert not (here / "killed" / "compare.csv").exists()

    code, resumed, _ = compare_cli(capsys, "base.yaml", "bigger.yaml", "-o", "killed")
    assert code == 0
    assert resumed.splitlines()[-1] == (
        "comparison written to killed/compare.csv (3 replications found finished, not rerun)"
    )
    code, whole, _ = compare_cli(capsys, "base.yaml", "bigger.yaml", "-o", "whole")
    assert code == 0
    assert (here / "killed" / "compare.csv").read_bytes() == (
        here / "whole" / "compare.csv"
    ).read_bytes()
    assert resumed.splitlines()[:-1] == whole.splitlines()[:-1]

    before = tree(here / "whole")  # a finished comparison run again runs nothing
    code, again, _ = compare_cli(capsys, "base.yaml", "bigger.yaml", "-o", "whole")
    assert again.splitlines()[-1].endswith("(8 replications found finished, not rerun)")
    assert tree(here / "whole") == before


def test_a_killed_comparison_resumes_to_the_uninterrupted_compare_csv(tmp_path: Path) -> None:
    """SIGKILL once a replication is kept; the rerun reuses the kept ones."""
    write(tmp_path / "base.yaml", horizon="8h")
    write(tmp_path / "bigger.yaml", count=14, horizon="8h")
    command = [sys.executable, "-m", "simcenter", "compare", "base.yaml", "bigger.yaml"]
    command += ["-n", "8", "--jobs", "1"]
    process = subprocess.Popen(
        [*command, "-o", "killed"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    points = tmp_path / "killed" / POINTS_FOLDER
    deadline = time.monotonic() + 60
    while not list(points.glob("*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert group_members(process.pid) == []
    finished = len(list(points.glob("*.parquet")))
    assert 1 <= finished < 16, "the kill must land mid-way"
    assert not (tmp_path / "killed" / "compare.csv").exists()

    rerun = subprocess.run(
        [*command, "-o", "killed"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"({finished} replications found finished, not rerun)" in rerun.stdout
    whole = subprocess.run(
        [*command, "-o", "whole"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert whole.returncode == 0, whole.stderr
    assert (tmp_path / "killed" / "compare.csv").read_bytes() == (
        tmp_path / "whole" / "compare.csv"
    ).read_bytes()
    assert rerun.stdout.splitlines()[:-1] == whole.stdout.splitlines()[:-1]


def test_a_folder_of_another_comparison_is_refused(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert compare_cli(capsys, "base.yaml", "bigger.yaml", "-o", "out")[0] == 0
    before = tree(here / "out")
    code, out, err = run_cli(capsys, "compare", "base.yaml", "bigger.yaml", "-n", "5", "-o", "out")
    assert (code, out) == (2, "")
    assert err == (
        "output folder out: holds a study with another replications; a study resumes only "
        "when everything is the same: choose another folder with -o, or remove this one to "
        "start afresh\n"
    )
    code, _, err = compare_cli(capsys, "base.yaml", "--set", "agents.team.count=15", "-o", "out")
    assert code == 2
    assert err.startswith("output folder out: holds a study with another scenario B; ")
    assert tree(here / "out") == before


# --- the Python API ----------------------------------------------------------------------


def test_the_api_takes_overrides_for_b_and_labels() -> None:
    scenario = simcenter.load_scenario(BASE)
    by_overrides = simcenter.compare(
        scenario, overrides={"agents.team.count": 14}, replications=3, seed=2
    )
    by_scenario = simcenter.compare(
        scenario, scenario.with_overrides({"agents.team.count": 14}), replications=3, seed=2
    )
    pd.testing.assert_frame_equal(by_overrides, by_scenario)
    assert by_overrides.attrs["labels"] == (
        "compare-study",
        "compare-study with agents.team.count=14",
    )
    named = simcenter.compare(
        scenario, overrides={"agents.team.count": 14}, labels=["now", "then"], replications=2
    )
    assert named.attrs["labels"] == ("now", "then")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"labels": ["one"]}, ValueError, r"^labels: must be two names, A's then B's \(got 1\)"),
        ({"labels": "ab"}, TypeError, r"^labels: must be two names, A's then B's \(got str\)"),
        ({"labels": ["x", "x"]}, ValueError, r'^labels: A and B need different names \(got "x"'),
        ({"labels": ["x", 1]}, TypeError, r"^labels: must be two names"),
        ({"overrides": 5}, TypeError, r"^overrides: must be a mapping of key paths \(got int\)"),
        ({"overrides": {1: 2}}, TypeError, r"^overrides: every key must be a string"),
        ({"b": None}, ValueError, r"^b: give scenario B, or overrides= that change A into B"),
    ],
)
def test_the_api_checks_labels_and_overrides_before_any_work(
    monkeypatch: pytest.MonkeyPatch, arguments: dict[str, Any], error: type, message: str
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("started simulating before checking the arguments")

    monkeypatch.setattr("simcenter.studies.compare.iter_replications", refuse)
    call = {"b": BASE} | arguments
    with pytest.raises(error, match=message):
        simcenter.compare(BASE, **call)
