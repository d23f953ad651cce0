"""Output folders: names never become paths, foreign files are never deleted, no debris.

Each case runs ``simcenter run`` in this process and checks the exit code, the
message and the files on disk before and after.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from safety import TINY, leftovers, run_cli, tree, write

import simcenter.experiments
from simcenter import outdir as rules
from simcenter.outdir import MARKER, STAGING_MARKER, OutputError, default_outdir, slug

FILES_OF_A_RUN = {
    MARKER,
    "scenario.yaml",
    "summary.csv",
    "replications.csv",
    "intervals.csv",
    "agents.csv",
    "routing.csv",
    "agent_intervals.csv",
    "contacts.parquet",
}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding the tiny scenario as ``scenario.yaml``."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TINY)
    return tmp_path


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a run starts simulating (the folder must be checked before)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before checking the output folder")

    monkeypatch.setattr(simcenter.experiments, "simulate", refuse)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "run", "scenario.yaml", "--no-plots", *args)


def with_name(folder: Path, name: str) -> None:
    write(folder, TINY.replace("name: tiny", f"name: {name}"))


# --- names never become paths ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ('"../../x"', "x"),
        ('"."', "scenario"),
        ('".."', "scenario"),
        ('"/var/abs"', "var-abs"),
        ('"Retail support / EU"', "Retail-support-EU"),
        ('".hidden"', "hidden"),
    ],
)
def test_the_scenario_name_becomes_a_slug_inside_results(
    here: Path, capsys: pytest.CaptureFixture[str], name: str, folder: str
) -> None:
    with_name(here, name)

    code, out, _ = run(capsys)

    assert code == 0
    assert sorted(path.name for path in (here / "results").iterdir()) == [folder]
    assert set(tree(here / "results" / folder)) == FILES_OF_A_RUN
    assert f"results written to {Path('results') / folder}" in out
    assert sorted(path.name for path in here.iterdir()) == ["results", "scenario.yaml"]


def test_a_dot_name_does_not_replace_other_scenarios_results(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys)[0] == 0
    before = tree(here / "results" / "tiny")
    with_name(here, '"."')

    assert run(capsys)[0] == 0

    assert tree(here / "results" / "tiny") == before
    assert sorted(path.name for path in (here / "results").iterdir()) == ["scenario", "tiny"]


def test_slug_examples() -> None:
    assert slug("single-queue") == "single-queue"
    assert slug("") == "scenario"
    assert slug("a" * 200) == "a" * 80
    assert slug("caf\u00e9 \u2014 north") == "cafe-north"
    assert default_outdir("x/../y") == Path("results") / "x-..-y"


# --- -o DIR ---------------------------------------------------------------------------


def test_an_unrelated_file_in_the_output_folder_survives_every_command(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = here / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("precious\n")

    code, _, err = run(capsys, "-o", "mine")
    assert code == 2
    assert err == (
        "output folder mine: is not empty and was not written by simcenter (it holds "
        "notes.txt); simcenter never deletes such files: move them away or choose another "
        "folder with -o\n"
    )
    for command in (
        ["validate", "scenario.yaml"],
        ["run", "scenario.yaml", "-o", "mine", "-n", "2", "--jobs", "2"],
        ["run", "scenario.yaml", "-o", "mine/", "--set", "agents.team.count=4"],
        ["run", "scenario.yaml", "-o", "./mine/../mine"],
        ["schema"],
    ):
        run_cli(capsys, *command)
        assert tree(folder) == {"notes.txt": b"precious\n"}, command
        assert sorted(path.name for path in here.iterdir()) == ["mine", "scenario.yaml"]


def test_output_dot_refuses_and_keeps_the_scenario_file(
    here: Path, capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    before = tree(here)

    code, _, err = run(capsys, "-o", ".")

    assert code == 2
    assert "output folder .: is not empty and was not written by simcenter" in err
    assert "scenario.yaml" in err
    assert tree(here) == before


def test_a_simcenter_folder_with_a_foreign_file_is_refused(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "-o", "out")[0] == 0
    (here / "out" / "my-analysis.xlsx").write_text("mine\n")
    before = tree(here / "out")

    code, _, err = run(capsys, "-o", "out")

    assert code == 2
    assert err.startswith(
        "output folder out: holds files that simcenter did not write (my-analysis.xlsx)"
    )
    assert tree(here / "out") == before


def test_an_earlier_simcenter_output_is_replaced(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "-o", "out", "--seed", "1")[0] == 0

    assert run(capsys, "-o", "out", "--seed", "2", "--no-contacts")[0] == 0

    files = tree(here / "out")
    assert set(files) == FILES_OF_A_RUN - {"contacts.parquet"}
    assert b"seed: 2\n" in files["scenario.yaml"]
    assert leftovers(here) == []


def test_an_empty_folder_is_used(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "out").mkdir()

    assert run(capsys, "-o", "out")[0] == 0

    assert set(tree(here / "out")) == FILES_OF_A_RUN


def test_the_marker_is_written_last_and_lists_every_file(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "run", "scenario.yaml", "-o", "out")[0] == 0

    folder = here / "out"
    lines = (folder / MARKER).read_text().splitlines()
    assert lines[0].startswith("written by simcenter ")
    assert set(lines[1:]) == set(tree(folder)) - {MARKER}
    assert "plots/service_level.png" in lines
    newest = max(path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file())
    assert (folder / MARKER).stat().st_mtime_ns == newest


def test_a_symlink_to_a_folder_is_followed(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "real").mkdir()
    (here / "link").symlink_to("real")

    for seed in ("1", "2"):
        assert run(capsys, "-o", "link", "--seed", seed)[0] == 0

    assert (here / "link").is_symlink()
    assert set(tree(here / "real")) == FILES_OF_A_RUN
    assert b"seed: 2\n" in (here / "real" / "scenario.yaml").read_bytes()
    assert sorted(path.name for path in here.iterdir()) == ["link", "real", "scenario.yaml"]


# --- unusable paths: exit 2 before simulating ------------------------------------------


@pytest.mark.parametrize(
    ("outdir", "message"),
    [
        ("afile", "output folder afile: is a file, not a folder (choose another -o folder)"),
        ("afile/out", "output folder afile/out: a part of the path is a file, not a folder"),
        ("x" * 300, f"output folder {'x' * 300}: the path is too long"),
        ("bad\0name", "output folder bad\\x00name: the path contains a NUL character"),
        ("/proc/simcenter-out", "output folder /proc/simcenter-out: cannot write in /proc"),
    ],
)
def test_an_unusable_output_path_is_refused_before_simulating(
    here: Path,
    capsys: pytest.CaptureFixture[str],
    no_simulation: None,
    outdir: str,
    message: str,
) -> None:
    (here / "afile").write_text("keep\n")

    code, out, err = run(capsys, "-o", outdir)

    assert code == 2
    assert err.startswith(message)
    assert out == ""
    assert (here / "afile").read_text() == "keep\n"
    assert sorted(path.name for path in here.iterdir()) == ["afile", "scenario.yaml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_a_read_only_parent_is_refused_before_simulating(
    here: Path, capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    (here / "locked").mkdir(mode=0o555)

    code, _, err = run(capsys, "-o", "locked/out")

    assert code == 2
    assert err.startswith("output folder locked/out: cannot write in")


def test_results_save_refuses_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")

    with pytest.raises(OutputError, match="was not written by simcenter"):
        rules.prepare(tmp_path)

    assert tree(tmp_path) == {"notes.txt": b"mine\n"}


# --- temporary folders ----------------------------------------------------------------


def stale(parent: Path, name: str, pid: int, marker: str | None, files: int = 1) -> Path:
    folder = parent / f".{name}.tmp-{pid}-{os.urandom(4).hex()}"
    folder.mkdir()
    for number in range(files):
        (folder / f"summary{number}.csv").write_text("half\n")
    if marker:
        (folder / marker).write_text("pid\n")
    return folder


def dead_pid() -> int:
    """A process id that no process has (the largest possible)."""
    return int(Path("/proc/sys/kernel/pid_max").read_text()) - 1


def test_a_later_run_removes_the_staging_folders_of_killed_runs(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    killed = stale(here, "out", dead_pid(), STAGING_MARKER)
    swapped = stale(here, "out", dead_pid(), MARKER)
    empty = stale(here, "out", dead_pid(), None, files=0)
    old = here / f"{swapped.name}.old"
    swapped.rename(old)
    foreign = stale(here, "out", dead_pid(), None)  # not simcenter's: kept
    running = stale(here, "out", os.getppid(), STAGING_MARKER)  # a run in progress: kept
    other = stale(here, "other", dead_pid(), STAGING_MARKER)  # another target: kept

    assert run(capsys, "-o", "out")[0] == 0

    assert [path.exists() for path in (killed, old, empty)] == [False, False, False]
    assert leftovers(here) == sorted([foreign.name, running.name, other.name])
    assert tree(foreign) == {"summary0.csv": b"half\n"}


def test_a_failed_write_leaves_no_staging_folder(
    here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "-o", "out")[0] == 0
    before = tree(here / "out")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pandas.DataFrame.to_csv", broken)
    code, _, err = run(capsys, "-o", "out", "--seed", "5")

    assert code == 2
    assert err == "output folder out: cannot write the results (No space left on device)\n"
    assert tree(here / "out") == before
    assert leftovers(here) == []


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o027, 0o750), (0o002, 0o775)])
def test_output_folders_get_the_permissions_of_the_umask(
    here: Path, capsys: pytest.CaptureFixture[str], umask: int, mode: int
) -> None:
    previous = os.umask(umask)
    try:
        assert run_cli(capsys, "run", "scenario.yaml", "-o", "deep/out")[0] == 0
    finally:
        os.umask(previous)

    for folder in (here / "deep", here / "deep" / "out", here / "deep" / "out" / "plots"):
        assert folder.stat().st_mode & 0o777 == mode
    assert (here / "deep" / "out" / "summary.csv").stat().st_mode & 0o777 == mode & 0o666
