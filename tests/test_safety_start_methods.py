"""Parallel replications under every start method of multiprocessing: fork, spawn, forkserver.

The same results whatever the start method (``forkserver`` is the default on
Linux from Python 3.14, ``spawn`` on macOS and Windows), and no worker left
running when the parent is killed with SIGKILL under any of them.
"""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from safety import TINY, group_members

import simcenter

METHODS = [
    m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()
]


@pytest.fixture
def start_method(request: pytest.FixtureRequest) -> Iterator[str]:
    """Make ``request.param`` the start method of this process for the test."""
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(request.param, force=True)
    try:
        yield request.param
    finally:
        multiprocessing.set_start_method(previous, force=True)


@pytest.fixture(scope="module")
def in_process() -> simcenter.Results:
    """The reference: the same replications in this process (jobs=1)."""
    return simcenter.simulate(yaml.safe_load(TINY), replications=4, seed=11, jobs=1)


@pytest.mark.parametrize("start_method", METHODS, indirect=True)
def test_parallel_replications_are_identical_under_every_start_method(
    start_method: str, in_process: simcenter.Results
) -> None:
    assert multiprocessing.get_start_method() == start_method

    results = simcenter.simulate(yaml.safe_load(TINY), replications=4, seed=11, jobs=2)

    pd.testing.assert_frame_equal(results.replications, in_process.replications)
    pd.testing.assert_frame_equal(results.intervals, in_process.intervals)
    pd.testing.assert_frame_equal(results.contacts, in_process.contacts)


KILLED = """
import multiprocessing, sys
from pathlib import Path
multiprocessing.set_start_method(sys.argv[1])
import simcenter

def started(done, total):
    Path("started").touch()

scenario = {
    "name": "long",
    "horizon": "200h",
    "queues": [{"name": "q", "arrivals": {"rate": "600/h"},
                "handle_time": {"distribution": "exponential", "mean": "5min"}}],
    "agents": [{"name": "team", "count": 60, "skills": ["q"]}],
}
simcenter.simulate(scenario, replications=40, seed=1, jobs=2, keep_contacts=False,
                   progress=started)
"""


@pytest.mark.parametrize("method", METHODS)
def test_a_killed_parent_leaves_no_worker_under_every_start_method(
    tmp_path: Path, method: str
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED, method],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not (tmp_path / "started").exists():  # a replication is done: the workers run
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert len(group_members(process.pid)) >= 3  # the parent and its two workers at least

    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    deadline = time.monotonic() + 20  # an orphan lives for ever; this covers a busy machine
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert group_members(process.pid) == []
