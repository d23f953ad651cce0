"""Every command that writes follows the rules of ``run``: it never loses a file.

``run``, ``report``, ``sweep``, ``compare`` and ``staff`` write only into a new
or empty folder or one that simcenter marked for the same kind of output;
``report`` writes only into a folder of ``run`` and never over a file it did
not write. Each case checks the exit code, the message and the files on disk
before and after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from safety import TINY, run_cli, tree, write

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
