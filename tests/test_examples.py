"""Every example scenario validates and runs; the README's commands are the real ones.

Example scenarios are run briefly (a shorter horizon, one replication) and
their invariants are asserted, not stored output.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import simcenter as sc
from simcenter.records import NOT_OFFERED

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def _readme_commands() -> list[str]:
    """The first two fenced bash commands of README.md, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.name for path in SCENARIOS])
def test_example_scenario_validates_and_runs(path: Path) -> None:
    scenario = sc.load_scenario(path)
    short = scenario.with_overrides({"horizon": min(scenario.horizon, 86_400.0)})
    results = sc.simulate(short, replications=1, seed=1)
    summary = results.summary.set_index("queue")
    outcomes = [name for name in results.meta.outcomes if name in summary.columns]
    offered = [name for name in outcomes if name not in NOT_OFFERED]
    assert summary.loc["ALL", "offered"] > 0
    np.testing.assert_array_equal(summary["offered"], summary[offered].sum(axis=1))
    queues = summary.drop(index="ALL")
    for column in ["offered", "answered", "abandoned", *outcomes]:
        assert queues[column].sum() == summary.loc["ALL", column]
    levels = summary["service_level"].dropna()
    assert ((levels >= 0) & (levels <= 1)).all()
    assert 0 < summary.loc["ALL", "occupancy"] <= 1


def test_readme_starts_with_the_install_and_test_commands() -> None:
    install_and_run, run_tests = _readme_commands()
    # A user installs only what running needs; the test tools come second.
    assert install_and_run.startswith("python3 -m venv .venv && .venv/bin/pip install -e . && ")
    assert "simcenter run scenarios/" in install_and_run
    assert "[dev]" in run_tests
    assert run_tests.endswith("-m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run_tests in ci.splitlines()  # CI runs exactly the README's test command


def test_readme_example_run_works(tmp_path: Path) -> None:
    install_and_run, _ = _readme_commands()
    scenario = install_and_run.split("simcenter run ", 1)[1].split()[0]
    outdir = tmp_path / "out"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "simcenter",
            "run",
            scenario,
            "-o",
            str(outdir),
            "-n",
            "2",
            "--jobs",
            "1",
            "--no-plots",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "ALL" in completed.stdout
    assert {"summary.csv", "intervals.csv", "agents.csv", "contacts.parquet"} <= {
        file.name for file in outdir.iterdir()
    }


def test_the_follow_the_sun_example_spans_both_march_changes_in_three_zones() -> None:
    """Its teams work in Manila, Berlin and New York, and both zones of the two change inside."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    scenario = sc.load_scenario(ROOT / "scenarios" / "follow_the_sun.yaml")
    assert scenario.timezone == "UTC"
    first = scenario.start_at
    last = first + timedelta(seconds=scenario.end_s)
    zones = {shift.timezone for group in scenario.agents for shift in group.shifts or []}
    assert zones == {"Asia/Manila", "Europe/Berlin", "America/New_York"}
    offsets = {
        zone: (
            first.astimezone(ZoneInfo(zone)).utcoffset(),
            last.astimezone(ZoneInfo(zone)).utcoffset(),
        )
        for zone in zones
    }
    hour = timedelta(hours=1)
    assert offsets["Asia/Manila"] == (8 * hour, 8 * hour)
    assert offsets["Europe/Berlin"] == (hour, 2 * hour)
    assert offsets["America/New_York"] == (-5 * hour, -4 * hour)
    # A whole working week on each side of each change, weekdays starting Monday.
    assert first.weekday() == 0
    assert scenario.end_s >= 5 * 7 * 86_400
