"""Helpers of the safety tests: a tiny scenario, the command line in-process and as a process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simcenter import cli

TINY = """\
name: tiny
horizon: 1h
queues:
  - name: support
    arrivals: {rate: 60/h}
    handle_time: {distribution: exponential, mean: 2min}
agents:
  - name: team
    count: 3
    skills: [support]
"""
"""A scenario that runs in a few milliseconds."""


def write(folder: Path, text: str, name: str = "scenario.yaml") -> Path:
    """Write a dedented scenario file into ``folder``."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``simcenter ARGS`` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m simcenter ARGS`` as a process (for signals, tracebacks, exit codes)."""
    return subprocess.run(
        [sys.executable, "-m", "simcenter", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) with its content, by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    """Staging folders of simcenter (``.NAME.tmp-...``) in ``folder``."""
    return sorted(entry.name for entry in folder.iterdir() if ".tmp-" in entry.name)


def group_members(pgid: int) -> list[int]:
    """Processes still alive (not zombies) in process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid and int(entry.name) != os.getpid():
            members.append(int(entry.name))
    return members
