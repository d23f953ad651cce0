"""Every command that writes follows the rules of ``run``: it never loses a file.

``run``, ``report``, ``sweep``, ``compare`` and ``staff`` write only into a new
or empty folder or one that simcenter marked for the same kind of output;
``report`` writes only into a folder of ``run`` and never over a file it did
not write. Each case checks the exit code, the message and the files on disk
before and after.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from safety import TINY, run_cli, tree, write

import simcenter
from simcenter.outdir import MARKER, foreign_files

SWEEP = ("sweep", "scenario.yaml", "--vary", "agents.team.count=3:4", "-n", "2", "--quiet")
COMPARE = ("compare", "scenario.yaml", "other.yaml", "-n", "2", "--jobs", "1")
STAFF = ("staff", "scenario.yaml", "-n", "2", "--jobs", "1")
RUN = ("run", "scenario.yaml", "--no-plots", "--quiet", "-n", "2")
COMMANDS = {"run": RUN, "sweep": SWEEP, "compare": COMPARE, "staff": STAFF}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding the tiny scenario and a variant of it (one more agent)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TINY)
    write(tmp_path, TINY.replace("count: 3", "count: 4"), "other.yaml")
    return tmp_path


def command(kind: str, outdir: str) -> list[str]:
    return [*COMMANDS[kind], "-o", outdir]


def first_line(folder: Path) -> str:
    return (folder / MARKER).read_text(encoding="utf-8").splitlines()[0]


# --- each command marks its kind ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["run", "sweep", "compare", "staff"])
def test_every_command_marks_its_kind_and_reruns_into_its_own_folder(
    here: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    assert run_cli(capsys, *command(kind, "out"))[0] == 0
    assert first_line(here / "out").endswith(f" ({kind})")
    assert foreign_files(here / "out") == []

    assert run_cli(capsys, *command(kind, "out"))[0] == 0  # its own folder: replaced or resumed
    assert first_line(here / "out").endswith(f" ({kind})")


# --- no command replaces another's folder --------------------------------------------------


@pytest.mark.parametrize(
    ("study", "intruder"),
    [
        ("sweep", "compare"),
        ("staff", "compare"),
        ("sweep", "run"),
        ("staff", "run"),
        ("compare", "run"),
        ("compare", "sweep"),
        ("run", "compare"),
        ("run", "staff"),
    ],
)
def test_a_command_refuses_the_folder_of_another_kind_and_leaves_it_intact(
    here: Path, capsys: pytest.CaptureFixture[str], study: str, intruder: str
) -> None:
    assert run_cli(capsys, *command(study, "out"))[0] == 0
    before = tree(here / "out")

    code, _, err = run_cli(capsys, *command(intruder, "out"))

    assert code == 2
    assert err.startswith(f"output folder out: holds the results of simcenter {study}")
    assert "choose another folder with -o" in err
    assert tree(here / "out") == before
    assert sorted(path.name for path in here.iterdir()) == ["other.yaml", "out", "scenario.yaml"]


# --- report ---------------------------------------------------------------------------------


def test_report_never_overwrites_a_report_html_it_did_not_write(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, *command("run", "out"))[0] == 0
    (here / "out" / "report.html").write_text("my own notes\n")
    before = tree(here / "out")

    code, out, err = run_cli(capsys, "report", "out")

    assert code == 2
    assert out == ""
    assert err.startswith("out: holds a file report.html that simcenter did not write;")
    assert tree(here / "out") == before
    assert foreign_files(here / "out") == ["report.html"]  # still not listed as simcenter's
    assert run_cli(capsys, *command("run", "out"))[0] == 2  # so the next run keeps it
    assert (here / "out" / "report.html").read_text() == "my own notes\n"


def test_report_writes_only_into_a_folder_simcenter_marked(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, *command("run", "out"))[0] == 0
    copy = here / "copy"
    copy.mkdir()
    for name, data in tree(here / "out").items():
        if name != MARKER:
            (copy / name).write_bytes(data)
    before = tree(copy)

    code, _, err = run_cli(capsys, "report", "copy")

    assert code == 2
    assert "not a folder written by simcenter run" in err
    assert tree(copy) == before


def test_report_refuses_a_study_folder(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, *command("sweep", "out"))[0] == 0
    for name in ("summary.csv", "intervals.csv", "agents.csv"):  # as if it were a run's
        (here / "out" / name).write_text("a sweep writes no such file\n")
    before = tree(here / "out")

    code, _, err = run_cli(capsys, "report", "out")

    assert code == 2
    assert err.startswith("output folder out: holds the results of simcenter sweep")
    assert tree(here / "out") == before


def test_report_lists_its_file_and_a_run_then_replaces_it(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, *command("run", "out"))[0] == 0

    assert run_cli(capsys, "report", "out")[0] == 0
    assert run_cli(capsys, "report", "out")[0] == 0  # its own report: replaced

    assert "report.html" in (here / "out" / MARKER).read_text().splitlines()
    assert foreign_files(here / "out") == []
    assert run_cli(capsys, *command("run", "out"))[0] == 0
    assert not (here / "out" / "report.html").exists()


# --- nothing left behind on failure ----------------------------------------------------------


def dead_pid() -> int:
    """A process id that no process has (the largest possible)."""
    return int(Path("/proc/sys/kernel/pid_max").read_text()) - 1


def temporaries(folder: Path) -> list[str]:
    """Temporary files and folders of simcenter's naming anywhere below ``folder``."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if ".tmp-" in path.name or "-tmp-" in path.name
    )


def full_disk_error(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_marker_write_leaves_no_temporary_marker_and_the_sweep_resumes(
    here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Path.replace
    calls = {"marker": 0}

    def replace(self: Path, target: Path) -> Path:
        if self.name.endswith(MARKER) and "-tmp-" in self.name:
            calls["marker"] += 1
            if calls["marker"] == 3:  # the marker of the second point: the disk is full
                original(self, self)  # the temporary file was written, as on a real disk
                full_disk_error()
        return original(self, target)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "replace", replace)
        code, _, err = run_cli(capsys, *command("sweep", "out"))

    assert code == 2
    assert err == "output folder out: cannot write the results (No space left on device)\n"
    assert temporaries(here) == []
    assert foreign_files(here / "out") == []
    assert run_cli(capsys, *command("sweep", "out"))[:3:2] == (0, "")
    assert (here / "out" / "sweep.csv").is_file()


def test_a_failed_report_write_leaves_no_temporary_file(
    here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli(capsys, *command("run", "out"))[0] == 0
    before = tree(here / "out")
    original = Path.write_text

    def write_text(self: Path, text: str, *args: object, **kwargs: object) -> int:
        if "report.html" in self.name:
            original(self, text[: len(text) // 2], *args, **kwargs)  # half of it fits
            full_disk_error()
        return original(self, text, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "write_text", write_text)
        code, _, err = run_cli(capsys, "report", "out")

    assert code == 2
    assert err == "output folder out: cannot write the results (No space left on device)\n"
    assert tree(here / "out") == before
    assert temporaries(here) == []


def test_temporary_files_of_ended_processes_are_not_foreign_and_are_removed(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, *command("run", "out"))[0] == 0
    left = [f".simcenter-tmp-{dead_pid()}-{MARKER}", f".simcenter.tmp-{dead_pid()}"]
    for name in left:
        (here / "out" / name).write_text("half a marker\n")
    running = here / "out" / f".simcenter-tmp-{os.getppid()}-report.html"  # a live process's
    running.write_text("being written\n")

    assert foreign_files(here / "out") == [running.name]
    running.unlink()
    assert foreign_files(here / "out") == []
    assert run_cli(capsys, "report", "out")[0] == 0
    assert temporaries(here) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 kB file system (tmpfs), where the test may mount one (root on Linux)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_sweep_on_a_full_disk_leaves_nothing_behind_and_resumes_when_space_is_freed(
    here: Path, capsys: pytest.CaptureFixture[str], small_disk: Path
) -> None:
    out = str(small_disk / "out")
    sweep = ["sweep", "scenario.yaml", "--vary", "agents.team.count=3:22", "-n", "2", "-o", out]

    code, _, err = run_cli(capsys, *sweep, "--quiet")

    assert code == 2
    assert err == f"output folder {out}: cannot write the results (No space left on device)\n"
    assert temporaries(small_disk) == []
    assert foreign_files(small_disk / "out") == []
    finished = len(list((small_disk / "out" / "points").glob("*.parquet")))
    assert 0 < finished < 20

    subprocess.run(["mount", "-o", "remount,size=4m", str(small_disk)], check=True)
    code, resumed, _ = run_cli(capsys, *sweep)

    assert code == 0
    assert f"20 points ({finished} found finished, not rerun)" in resumed
    assert temporaries(small_disk) == []
    fresh = simcenter.sweep(
        str(here / "scenario.yaml"), {"agents.team.count": range(3, 23)}, replications=2
    )
    written = pd.read_csv(small_disk / "out" / "sweep.csv")
    np.testing.assert_allclose(written["service_level"], fresh["service_level"], rtol=1e-12)


# --- one writer per folder ---------------------------------------------------------------------

GATED = """
import sys, time
from pathlib import Path
import simcenter.studies.sweep as sweep
from simcenter import cli

gate = Path(sys.argv[1])
original = sweep.iter_replications

def gated(*args, **kwargs):
    gate.with_suffix(".waiting").touch()
    while not gate.exists():
        time.sleep(0.01)
    return original(*args, **kwargs)

sweep.iter_replications = gated
sys.argv = ["simcenter", *sys.argv[2:]]
sys.exit(cli.main(sys.argv[1:]))
"""
"""A command line whose sweep waits, holding its folder, until the file ``argv[1]`` exists."""


def wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    """Wait until ``path`` exists (the process is then where the test wants it)."""
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the process never got there"
        time.sleep(0.01)


def test_a_run_into_a_folder_that_a_sweep_is_writing_is_refused_and_both_complete(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gate = here / "gate"
    sweep = subprocess.Popen(
        [sys.executable, "-c", GATED, str(gate), *command("sweep", "out")],
        cwd=here,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(gate.with_suffix(".waiting"), sweep)
        held = tree(here / "out")

        code, out, err = run_cli(capsys, *command("run", "out"))
        code_report, _, err_report = run_cli(capsys, "report", "out")

        assert (code, out, code_report) == (2, "", 2)
        assert err == (
            f"output folder out: another simcenter command (pid {sweep.pid}: simcenter "
            f"{' '.join(command('sweep', 'out'))}) is writing into it; wait until it ends, or "
            "choose another folder with -o\n"
        )
        assert err_report.startswith(
            f"output folder out: another simcenter command (pid {sweep.pid}"
        )
        assert tree(here / "out") == held
        gate.touch()
        assert sweep.wait(timeout=120) == 0
    finally:
        sweep.kill()
        sweep.wait()

    files = tree(here / "out")
    assert {"sweep.csv", "sweep.png", "study.json"} <= set(files)
    assert first_line(here / "out").endswith("(sweep)")
    assert foreign_files(here / "out") == []
    assert run_cli(capsys, *command("run", "run-out"))[0] == 0
    assert tree(here / "out") == files
    assert foreign_files(here / "run-out") == []
    assert sorted(entry.name for entry in here.iterdir() if entry.name.startswith(".")) == []


HOLD = """
import sys
from simcenter import outdir
with outdir.locked(sys.argv[1], "run"):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_the_lock_of_a_killed_command_is_taken_over(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, "out"],
        cwd=here,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    assert run_cli(capsys, *command("run", "out"))[0] == 2
    holder.kill()
    holder.wait()
    assert (here / ".out.lock").read_text().startswith(f"pid {holder.pid}\n")  # left by the kill

    assert run_cli(capsys, *command("run", "out"))[0] == 0

    assert not (here / ".out.lock").exists()
    assert foreign_files(here / "out") == []


def test_two_commands_into_the_same_folder_through_a_symlink_share_one_lock(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (here / "real").mkdir()
    (here / "link").symlink_to("real")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, "real"],
        cwd=here,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        code, _, err = run_cli(capsys, *command("run", "link"))
        assert code == 2
        assert f"(pid {holder.pid}:" in err
    finally:
        holder.communicate("")
    assert run_cli(capsys, *command("run", "link"))[0] == 0


# --- integrity on resume ------------------------------------------------------------------------


def sweep_of(here: Path, grid: str, outdir: str | None = "out", *extra: str) -> list[str]:
    return [
        "sweep",
        "scenario.yaml",
        "--vary",
        grid,
        "-n",
        "2",
        "--seed",
        "5",
        *(["-o", outdir] if outdir else []),
        *extra,
    ]


def reference(grid: dict[str, range]) -> pd.DataFrame:
    """The sweep table computed afresh, without an output folder."""
    return simcenter.sweep(TINY_DICT, grid, replications=2, seed=5)


TINY_DICT = yaml.safe_load(TINY)


def points_of(folder: Path) -> dict[str, Path]:
    """Point key (as recorded) -> its file."""
    found = {}
    for path in (folder / "points").glob("*.parquet"):
        metadata = pq.read_schema(path).metadata
        found[metadata[b"simcenter.point"].decode()] = path
    return found


def check_resumed_table(here: Path, capsys: pytest.CaptureFixture[str], rejected: int) -> None:
    code, out, err = run_cli(capsys, *sweep_of(here, "agents.team.count=3:5"))
    assert code == 0
    resumed = f" ({3 - rejected} found finished, not rerun)" if rejected < 3 else ""
    assert f"3 points{resumed}; results written to out" in out
    assert err == (
        f"note: {rejected} point file(s) in out did not match their record (changed or copied "
        "since simcenter wrote them): their points were run again\n"
    )
    written = pd.read_csv(here / "out" / "sweep.csv")
    fresh = reference({"agents.team.count": range(3, 6)})
    np.testing.assert_allclose(written["service_level"], fresh["service_level"], rtol=1e-12)
    np.testing.assert_allclose(written["asa_s"], fresh["asa_s"], rtol=1e-12)


def interrupted_sweep(here: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    """A sweep of three points whose final files are removed, as if it had been stopped."""
    assert run_cli(capsys, *sweep_of(here, "agents.team.count=3:5"))[0] == 0
    for name in ("sweep.csv", "sweep.png", "scenario.yaml"):
        (here / "out" / name).unlink()
    return points_of(here / "out")


def test_a_point_file_copied_over_another_is_detected_and_run_again(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = interrupted_sweep(here, capsys)
    first, second = (points[key] for key in sorted(points)[:2])
    shutil.copyfile(first, second)

    check_resumed_table(here, capsys, rejected=1)


def test_an_edited_point_file_is_detected_and_run_again(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = interrupted_sweep(here, capsys)
    path = points[sorted(points)[0]]
    table = pq.read_table(path)
    frame = table.to_pandas()
    frame["service_level"] = 1.0  # a better figure than the simulation gave
    edited = pa.Table.from_pandas(frame).replace_schema_metadata(table.schema.metadata)
    pq.write_table(edited, path)

    check_resumed_table(here, capsys, rejected=1)


def test_a_point_file_of_another_study_is_detected_and_run_again(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = interrupted_sweep(here, capsys)
    assert (
        run_cli(capsys, *sweep_of(here, "agents.team.count=3:5", "other", "--set", "horizon=2h"))[0]
        == 0
    )
    others = points_of(here / "other")
    for key in points:
        shutil.copyfile(others[key], points[key])  # same points, same names, other figures

    check_resumed_table(here, capsys, rejected=3)


def test_seed_is_a_legitimate_sweep_axis(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_cli(capsys, *sweep_of(here, "seed=1:2", None, "-o", "out", "--quiet"))
    assert code == 0

    table = pd.read_csv(here / "out" / "sweep.csv")
    for seed in (1, 2):
        rows = table[table["seed"] == seed].reset_index(drop=True)
        alone = simcenter.simulate(TINY_DICT, replications=2, seed=seed).summary
        np.testing.assert_allclose(rows["offered"], alone["offered"], rtol=1e-12)
        np.testing.assert_allclose(rows["asa_s"], alone["asa_s"], rtol=1e-12)
    assert not np.allclose(
        table[table["seed"] == 1]["asa_s"].to_numpy(), table[table["seed"] == 2]["asa_s"].to_numpy()
    )


def test_replications_is_a_legitimate_sweep_axis(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run_cli(capsys, *sweep_of(here, "replications=2,4", None, "-o", "out", "--quiet"))
    assert code == 0

    table = pd.read_csv(here / "out" / "sweep.csv")
    for count in (2, 4):
        rows = table[table["replications"] == count].reset_index(drop=True)
        alone = simcenter.simulate(TINY_DICT, replications=count, seed=5).summary
        np.testing.assert_allclose(rows["offered"], alone["offered"], rtol=1e-12)
        np.testing.assert_allclose(
            rows["service_level_ci95"], alone["service_level_ci95"], rtol=1e-12
        )


# --- exit 2 with a message, never a traceback ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("summary.csv", b'garbage,"\n\x00\xff'),
        ("intervals.csv", b"interval,start_s\n1,2\n"),
        ("agents.csv", b"a,b\n"),
        ("summary.csv", b""),
        ("scenario.yaml", b"name: ["),
    ],
)
def test_report_of_edited_files_exits_2_with_a_message(
    here: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes
) -> None:
    assert run_cli(capsys, *command("run", "out"))[0] == 0
    (here / "out" / name).write_bytes(content)
    before = tree(here / "out")

    code, out, err = run_cli(capsys, "report", "out")

    assert (code, out) == (2, "")
    assert "internal error" not in err
    assert err.count("\n") == 1
    assert tree(here / "out") == before


@pytest.mark.parametrize(
    "study",
    [
        '{"study": "sweep", "simcenter": "0", "spec": [1]}',
        '{"study": "sweep", "simcenter": null, "spec": "x"}',
        "[[[",
        "[" * 100_000,
        "[1, 2]",
        '"sweep"',
    ],
)
def test_a_tampered_study_file_exits_2_and_the_folder_is_kept(
    here: Path, capsys: pytest.CaptureFixture[str], study: str
) -> None:
    assert run_cli(capsys, *command("sweep", "out"))[0] == 0
    (here / "out" / "study.json").write_text(study)
    before = tree(here / "out")

    code, _, err = run_cli(capsys, *command("sweep", "out"))

    assert code == 2
    assert err.startswith("output folder out: holds")
    assert tree(here / "out") == before


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        (
            ["agents.team.count=1:1000", "horizon=1:1000"],
            "--vary: the sweep has 1,000,000 points (at most 100,000)\n",
        ),
        (
            ["agents.team.count=1:1e400"],
            '--vary "agents.team.count=1:1e400": the bounds and the step must be finite numbers '
            "(one is too large)\n",
        ),
        (
            ["agents.team.count=1:2:1e-320"],
            '--vary "agents.team.count=1:2:1e-320": the range has too many values '
            "(at most 100,000)\n",
        ),
        (
            ["agents.team.count=1:1e9"],
            '--vary "agents.team.count=1:1e9": the range has 1,000,000,000 values '
            "(at most 100,000)\n",
        ),
    ],
)
def test_grids_too_large_or_overflowing_exit_2_with_the_count_and_the_limit(
    here: Path, capsys: pytest.CaptureFixture[str], vary: list[str], message: str
) -> None:
    options = [part for key in vary for part in ("--vary", key)]

    code, out, err = run_cli(capsys, "sweep", "scenario.yaml", *options, "-o", "out")

    assert (code, out, err) == (2, "", message)
    assert not (here / "out").exists()


@pytest.mark.parametrize("kind", ["run", "sweep", "compare", "staff"])
def test_the_root_folder_as_outdir_is_refused(
    here: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    code, _, err = run_cli(capsys, *command(kind, "/"))
    assert (code, err) == (
        2,
        "output folder /: is the root of the file system (choose another -o folder)\n",
    )
    assert run_cli(capsys, "report", "/")[:3:2] == (
        2,
        "output folder /: is the root of the file system (choose another -o folder)\n",
    )


@pytest.mark.parametrize("kind", ["run", "sweep", "compare", "staff"])
def test_symlink_loops_and_dangling_symlinks_as_outdir_are_refused(
    here: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    (here / "loop").symlink_to("loop")
    (here / "dangling").symlink_to(here / "elsewhere" / "deep")

    code, _, err = run_cli(capsys, *command(kind, "loop"))
    assert (code, err) == (2, "output folder loop: is a symlink loop (choose another -o folder)\n")
    code, _, err = run_cli(capsys, *command(kind, "dangling/out"))
    assert code == 2
    assert err == (
        f"output folder dangling/out: {here / 'dangling'} is a symlink to a place that does not "
        "exist (simcenter does not create folders through it)\n"
    )
    assert not (here / "elsewhere").exists()
    assert sorted(path.name for path in here.iterdir()) == [
        "dangling",
        "loop",
        "other.yaml",
        "scenario.yaml",
    ]
