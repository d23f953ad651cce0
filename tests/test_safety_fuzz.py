"""Fuzzing: mutated valid scenarios never give a traceback, an exit other than 0 or 2, or a hang.

Each example draws a valid scenario (``strategies.routing_scenario_dicts``),
applies a few mutations (a value replaced by another type, a number at the
edge of float range, unicode or control characters, deep nesting, a key
removed or added), writes it as YAML and runs ``simcenter validate`` in this
process. A scenario that is still valid and small is also run. Every exit
code must be 0 or 2 (1 would be an internal error), and every example must
end within the deadline.

The default (reproducible) profile runs a fixed set of 60 examples; run
``pytest --hypothesis-profile=explore tests/test_safety_fuzz.py`` for 10,000
new ones.
"""

from __future__ import annotations

import math
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import routing_scenario_dicts

from simcenter import cli, workload
from simcenter.errors import ScenarioError
from simcenter.loading import load_scenario

EXAMPLES = 10_000 if settings.get_current_profile_name() == "explore" else 60
SMALL_RUN_CONTACTS = 5_000
"""A still-valid mutant with at most this many expected contacts is also run."""

EDGE_NUMBERS = [
    0,
    -0.0,
    -1,
    1e308,
    -1e308,
    5e-324,
    2.2250738585072014e-308,
    math.inf,
    -math.inf,
    math.nan,
    2**63,
    2**64 + 1,
    10**30,
    -(10**30),
]
EDGE_TEXT = [
    "1e308s",
    "1e308/h",
    "-1s",
    "0ms",
    "1e-308h",
    "99999999999999999999d",
    "ALL",
    " all ",
    "=cmd|' /C calc'!A0",
    "\x1b[31mred",
    "zero\u200bwidth",
    "cafe\u0301",
    "",
    "   ",
    "08:00",
    "25:00",
    "2026-03-29T02:30",
]


def leaves() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(EDGE_NUMBERS),
        st.sampled_from(EDGE_TEXT),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.text(max_size=12),
        st.booleans(),
        st.none(),
    )


def values() -> st.SearchStrategy[Any]:
    """Any YAML value: scalars at the edges, and nested lists and mappings."""
    return st.recursive(
        leaves(),
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.text(max_size=6), children, max_size=3),
        ),
        max_leaves=12,
    )


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in ``data``."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutants(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario with one to three mutations."""
    data = draw(routing_scenario_dicts())
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(data)))
        parent: Any = data
        for part in where[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "nest"]))
        key = where[-1]
        if action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(values())
        elif action == "nest":
            parent[key] = [parent[key]] * draw(st.integers(1, 3))
        else:
            parent[key] = draw(values())
    return data


def check_command(*args: str) -> int:
    try:
        code = cli.main(list(args))
    except SystemExit as stop:  # argparse's usage errors (`--vary -1:2`): exit 2, no traceback
        code = stop.code
    assert code in (0, 2), f"exit {code} for {args}"
    return code


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutants())
def test_mutated_scenarios_exit_0_or_2(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        if check_command("validate", str(path)) != 0:
            return
        try:
            scenario = load_scenario(path)
        except ScenarioError:  # pragma: no cover - validate said it was valid
            pytest.fail("validate and load_scenario disagree")
        if workload.estimate(scenario, 1).contacts <= SMALL_RUN_CONTACTS:
            out = str(Path(folder) / "out")
            check_command("run", str(path), "-o", out, "-n", "1", "--no-plots", "--no-contacts")


# --- the other commands: report, sweep, compare, staff, and tampered study folders --------------

STUDY_EXAMPLES = (
    int(os.environ.get("SIMCENTER_FUZZ_EXAMPLES", "10000"))
    if settings.get_current_profile_name() == "explore"
    else 24
)
"""Examples of the study commands (the explore profile: ``SIMCENTER_FUZZ_EXAMPLES``, 10,000)."""

TINY_SCENARIO = """\
name: tiny
horizon: 1h
queues:
  - name: support
    arrivals: {rate: 30/h}
    handle_time: {distribution: exponential, mean: 2min}
agents:
  - name: team
    count: 3
    skills: [support]
"""

OPTION_TEXT = [
    "0",
    "-1",
    "1",
    "2",
    "3",
    "1e400",
    "nan",
    "inf",
    "10**20",
    "99999999999999999999999",
    "",
    " ",
    "0.8",
    "80%",
    "150%",
    "20s",
    "-5s",
    "1e308s",
    "abc",
    "\x1b[31m",
    "\u202e1",
]
VARY = [
    "agents.team.count=3:4",
    "agents.team.count=1:1e400",
    "agents.team.count=1:2:1e-320",
    "agents.team.count=4:1",
    "agents.team.count=3,x",
    "agents.team.count=1:1000000",
    "seed=1:2",
    "replications=2,3",
    "horizon=30min,1e308s",
    "queues.support.arrivals.rate=0/h,60/h",
    "nokey=1:2",
    "agents.team.count=",
    "=1:2",
    "agents.team.count=0:1",
]


def option_values() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(OPTION_TEXT), st.text(max_size=8))


@st.composite
def study_commands(draw: st.DrawFn) -> list[str]:
    """A ``sweep``, ``compare`` or ``staff`` command line with hostile options."""
    kind = draw(st.sampled_from(["sweep", "compare", "staff"]))
    args = {"sweep": ["sweep", "s.yaml"], "compare": ["compare", "s.yaml", "s.yaml"]}.get(
        kind, ["staff", "s.yaml"]
    )
    if kind == "sweep":
        for vary in draw(
            st.lists(st.one_of(st.sampled_from(VARY), st.text(max_size=12)), min_size=1, max_size=2)
        ):
            args += ["--vary", vary]
    options = {
        "sweep": ["-n", "--seed", "--jobs", "--set"],
        "compare": ["-n", "--seed", "--jobs", "--set", "--label"],
        "staff": [
            "-n",
            "--seed",
            "--jobs",
            "--target",
            "--threshold",
            "--max-abandon",
            "--max-asa",
        ],
    }[kind]
    for option in draw(st.lists(st.sampled_from(options), max_size=3, unique=True)):
        args += [option, draw(option_values())]
    if kind != "compare" and "-n" not in args:
        args += ["-n", "2"]
    return [*args, "-o", "out", "--jobs", "1"] if "--jobs" not in args else [*args, "-o", "out"]


TAMPERINGS = [
    ("study.json", b"[[["),
    ("study.json", b'{"study": "sweep", "spec": [1]}'),
    ("study.json", b"null"),
    (".simcenter", b"written by simcenter 0.1.0 (sweep\n"),
    (".simcenter", b""),
    (".simcenter", b"written by simcenter 0.1.0 (run)\nsweep.csv\n"),
    ("points/x.parquet", b"PAR1 not parquet"),
    ("summary.csv", b'garbage,"\n'),
    ("intervals.csv", b"\x00\xff"),
    ("agents.csv", b"a,b\n1,2\n"),
    ("scenario.yaml", b"name: ["),
    ("report.html", b"mine"),
    (".simcenter-tmp-1-.simcenter", b"half"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(
    max_examples=STUDY_EXAMPLES,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    first=st.sampled_from(
        [
            ["run", "s.yaml", "-o", "out", "-n", "2", "--no-plots", "--quiet"],
            ["sweep", "s.yaml", "--vary", "agents.team.count=3:4", "-n", "2", "-o", "out"],
            ["compare", "s.yaml", "s.yaml", "-n", "2", "--jobs", "1", "-o", "out"],
        ]
    ),
    tampering=st.lists(st.sampled_from(TAMPERINGS), max_size=3),
    then=st.one_of(study_commands(), st.just(["report", "out"])),
)
def test_study_commands_and_tampered_folders_exit_0_or_2(
    first: list[str], tampering: list[tuple[str, bytes]], then: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder, Inside(Path(folder)):
        Path("s.yaml").write_text(TINY_SCENARIO, encoding="utf-8")
        check_command(*first)
        for name, content in tampering:
            path = Path("out") / name
            if path.parent.is_dir():
                path.write_bytes(content)
        check_command(*then)


class Inside:
    """Change into a folder for the block (tests in this file run commands in place)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.previous = Path.cwd()

    def __enter__(self) -> Path:
        os.chdir(self.folder)
        return self.folder

    def __exit__(self, *exc_info: object) -> None:
        os.chdir(self.previous)
