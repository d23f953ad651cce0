"""Clean stops: SIGTERM and SIGHUP act like Ctrl-C, and no kill leaves worker processes.

Each test starts ``simcenter run`` as a process in its own process group,
waits for a known moment (workers started, or the staging folder written),
sends a signal and checks the exit code, the processes left and the files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safety import TINY, group_members, leftovers, run_process, tree, write

from simcenter.stops import Stopped, capped_jobs, exit_code

# About three seconds of simulation per replication: long enough to be stopped midway.
MEDIUM = (
    TINY.replace("horizon: 1h", "horizon: 1d")
    .replace("60/h", "3600/h")
    .replace("count: 3", "count: 130")
)


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    """``simcenter run scenario.yaml ARGS`` in a new process group (its id is the pid)."""
    return subprocess.Popen(
        [sys.executable, "-m", "simcenter", "run", "scenario.yaml", *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(condition, timeout: float = 30.0) -> None:
    """Poll ``condition()`` every millisecond until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def no_process_left(pgid: int, timeout: float = 20.0) -> bool:
    """Whether every process of group ``pgid`` is gone within ``timeout`` seconds.

    An orphan would live on for ever; the grace only covers a loaded machine
    (the kernel's SIGKILL of the workers and the multiprocessing resource
    tracker's exit after them take a moment when the cores are busy).
    """
    deadline = time.monotonic() + timeout
    while group_members(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def previous(tmp_path: Path) -> dict[str, bytes]:
    """A folder with the scenario and the output of an earlier run in ``out``."""
    write(tmp_path, TINY)
    assert (
        run_process("run", "scenario.yaml", "-o", "out", "--no-plots", cwd=tmp_path).returncode == 0
    )
    write(tmp_path, MEDIUM)
    return tree(tmp_path / "out")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_stop_signal_while_simulating_keeps_the_old_output(
    tmp_path: Path, previous: dict[str, bytes], signum: int, code: int
) -> None:
    process = start(tmp_path, "-o", "out", "-n", "6", "--jobs", "2")
    wait_for(lambda: len(group_members(process.pid)) >= 3)  # the run and its two workers

    process.send_signal(signum)
    _, err = process.communicate(timeout=30)

    assert process.returncode == code
    assert err == f"stopped by {signal.Signals(signum).name}\n"
    assert no_process_left(process.pid)
    assert tree(tmp_path / "out") == previous
    assert leftovers(tmp_path) == []


def test_sigkill_of_the_parent_leaves_no_worker(tmp_path: Path, previous: dict[str, bytes]) -> None:
    process = start(tmp_path, "-o", "out", "-n", "6", "--jobs", "2")
    wait_for(lambda: len(group_members(process.pid)) >= 3)

    process.kill()
    process.wait(timeout=30)

    assert no_process_left(process.pid)
    assert tree(tmp_path / "out") == previous


def test_sigterm_while_writing_keeps_the_old_output_and_removes_the_staging_folder(
    tmp_path: Path, previous: dict[str, bytes]
) -> None:
    write(tmp_path, TINY)
    for _attempt in range(5):  # the writing takes about a second; catch it
        process = start(tmp_path, "-o", "out", "--seed", "9")
        wait_for(lambda process=process: leftovers(tmp_path) or process.poll() is not None)
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
        if process.returncode == 143:
            break
        previous = tree(tmp_path / "out")  # finished first: its output is the old one now
    assert process.returncode == 143
    assert tree(tmp_path / "out") == previous
    assert leftovers(tmp_path) == []


def test_exit_codes_of_stops() -> None:
    assert exit_code(KeyboardInterrupt()) == 130
    assert exit_code(Stopped(signal.SIGTERM)) == 143
    assert exit_code(Stopped(signal.SIGHUP)) == 129


def test_jobs_are_capped_at_the_cores(tmp_path: Path) -> None:
    write(tmp_path, TINY)

    result = run_process(
        "run",
        "scenario.yaml",
        "-o",
        "out",
        "--no-plots",
        "-n",
        "2",
        "--jobs",
        "1000",
        cwd=tmp_path,
    )

    cores = capped_jobs(None)
    assert result.returncode == 0
    assert result.stderr == (
        f"note: --jobs 1000 is more than the {cores} cores here; using {cores}\n"
    )
    assert capped_jobs(1000) == cores
    assert capped_jobs(1) == 1


def test_sigterm_to_the_whole_process_group_is_a_clean_stop(
    tmp_path: Path, previous: dict[str, bytes]
) -> None:
    """As a batch system's time limit does it: the run and its workers all get SIGTERM."""
    process = start(tmp_path, "-o", "out", "-n", "6", "--jobs", "2")
    wait_for(lambda: len(group_members(process.pid)) >= 3)

    os.killpg(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=30)

    assert process.returncode == 143
    assert err == "stopped by SIGTERM\n"
    assert no_process_left(process.pid)
    assert tree(tmp_path / "out") == previous
    assert leftovers(tmp_path) == []


ORPHANED_WORKER = """
import os, sys, time
from simcenter.stops import _worker_started

folder = sys.argv[1]
parent = os.getpid()
if os.fork():
    os._exit(0)  # the parent dies before its worker has started
while os.getppid() == parent:
    time.sleep(0.001)
with open(os.path.join(folder, "pid"), "w") as file:
    file.write(str(os.getpid()))
_worker_started(parent)
with open(os.path.join(folder, "survived"), "w") as file:
    file.write("the worker outlived its parent")
"""


def test_a_worker_whose_parent_died_before_it_started_ends(tmp_path: Path) -> None:
    # The dead parent is kept a zombie (not reaped) while its worker starts.
    parent = subprocess.Popen([sys.executable, "-c", ORPHANED_WORKER, str(tmp_path)])
    try:
        wait_for(lambda: (tmp_path / "pid").exists() and (tmp_path / "pid").read_text() != "")
        worker = int((tmp_path / "pid").read_text())
        wait_for(lambda: not _alive(worker))
        assert not (tmp_path / "survived").exists()
    finally:
        parent.wait(timeout=30)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
