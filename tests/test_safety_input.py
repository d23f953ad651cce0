"""Bounded input and bounded work: no file makes simcenter hang, fill the memory or crash.

Each case asserts the exit code 2 and the exact message of ``simcenter
validate`` (or ``run``), and that no output is written.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from safety import TINY, run_cli, run_process, write

from simcenter import workload
from simcenter.loading import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, load_scenario
from simcenter.workload import WorkloadError


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate(capsys: pytest.CaptureFixture[str], path: str = "scenario.yaml") -> tuple[int, str]:
    code, _, err = run_cli(capsys, "validate", path)
    return code, err


# --- YAML limits ----------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [
        f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]"
        for level in range(1, levels + 1)
    ]
    return "\n".join(lines) + "\n" + TINY


def test_an_alias_bomb_is_refused_at_once(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here, billion_laughs())
    started = time.monotonic()

    code, err = validate(capsys)

    assert code == 2
    assert err == (
        f"scenario.yaml:7: the document expands to more than {MAX_VALUES:,} values "
        "(are aliases repeating a large part?)\n"
    )
    assert time.monotonic() - started < 5


def test_aliases_of_a_normal_size_are_fine(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = TINY.replace(
        "    handle_time: {distribution: exponential, mean: 2min}",
        "    handle_time: &aht {distribution: exponential, mean: 2min}\n    wrap_up: *aht",
    ).replace("count: 3", "count: 5")  # 4 Erlang of work: enough agents that the queue drains
    write(here, text)

    assert validate(capsys) == (0, "")
    assert load_scenario("scenario.yaml").queues[0].wrap_up.mean == 120.0


def test_a_value_that_contains_itself_is_refused(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(here, TINY + "loop: &loop [*loop]\n")

    assert validate(capsys) == (2, "scenario.yaml:11: a value contains itself through an alias\n")


@pytest.mark.parametrize("levels", [101, 900, 5000])
def test_deep_nesting_is_refused_with_exit_2(
    here: Path, capsys: pytest.CaptureFixture[str], levels: int
) -> None:
    write(here, TINY + "description: " + "[" * levels + "]" * levels + "\n")

    code, err = validate(capsys)

    assert code == 2
    assert err == f"scenario.yaml:11: the document nests deeper than {MAX_DEPTH} levels\n"


def test_deep_nesting_through_aliases_is_refused(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["n0: &n0 [x]"] + [f"n{level}: &n{level} [*n{level - 1}]" for level in range(1, 120)]
    write(here, "\n".join(lines) + "\n" + TINY)

    code, err = validate(capsys)

    assert code == 2
    assert f"nests deeper than {MAX_DEPTH} levels once its aliases are expanded" in err


def test_deep_block_nesting_in_a_subprocess_has_no_traceback(tmp_path: Path) -> None:
    text = "".join(f"{'  ' * level}k{level}:\n" for level in range(900)) + "  " * 900 + "x: 1\n"
    write(tmp_path, text)

    result = run_process("validate", "scenario.yaml", cwd=tmp_path)

    assert result.returncode == 2
    assert (
        result.stderr == f"scenario.yaml:100: the document nests deeper than {MAX_DEPTH} levels\n"
    )


def test_a_fifo_is_refused_without_blocking(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(here / "scenario.yaml")

    assert validate(capsys) == (
        2,
        "scenario.yaml: is not a regular file (a pipe or device?); give a scenario file\n",
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/dev/zero", "/dev/zero: is not a regular file (a pipe or device?); give a scenario file"),
        (".", ".: is a folder, not a scenario file"),
        ("missing.yaml", "missing.yaml: file not found"),
    ],
)
def test_other_things_that_are_not_scenario_files(
    here: Path, capsys: pytest.CaptureFixture[str], path: str, message: str
) -> None:
    assert validate(capsys, path) == (2, message + "\n")


def test_a_file_larger_than_the_limit_is_refused(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(here, TINY + "#" * MAX_FILE_BYTES + "\n")

    code, err = validate(capsys)

    assert code == 2
    assert err.startswith(f"scenario.yaml: is larger than {MAX_FILE_BYTES:,} bytes (got ")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("folder", '"folder" is a folder, not a CSV file'),
        ("/dev/zero", '"/dev/zero" is not a regular file (a pipe or device?)'),
        ("missing.csv", 'no such file "missing.csv" (looked for {here}/missing.csv)'),
    ],
)
def test_an_empirical_file_that_is_not_a_file(
    here: Path, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    (here / "folder").mkdir()
    write(
        here,
        TINY.replace(
            "{distribution: exponential, mean: 2min}",
            f"{{distribution: empirical, file: {target}}}",
        ),
    )

    code, err = validate(capsys)

    assert code == 2
    expected = message.replace("{here}", str(here.resolve()))
    assert err == f"scenario.yaml:6 queues[0].handle_time.file: {expected}\n"


# --- values that cannot be simulated ---------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("horizon: 1h", "horizon: 1e308", 2, "horizon: must be at most 3650d (got 1e+308)"),
        ("horizon: 1h", "horizon: 3651d", 2, 'horizon: must be at most 3650d (got "3651d")'),
        (
            "horizon: 1h",
            "horizon: 1h\nwarmup: 1e12",
            3,
            "warmup: must be at most 3650d (got 1000000000000.0)",
        ),
        (
            "60/h",
            "1e308/h",
            5,
            'queues[0].arrivals.rate: must be at most 3600000/h (got "1e308/h")',
        ),
        (
            "horizon: 1h",
            "horizon: 1d\ninterval: 1ms",
            3,
            'interval: must be at least 1s (got "1ms")',
        ),
        (
            "horizon: 1h",
            "horizon: 1000d\ninterval: 1min",
            3,
            "interval: gives 1,440,000 reporting intervals over warmup + horizon, more than "
            "the 200,000 allowed (got 1min; choose a longer interval)",
        ),
        ("horizon: 1h", "horizon: 5e-324", 2, "horizon: must be at least 1s (got 5e-324)"),
        (
            "horizon: 1h",
            "horizon: 1h\nreplications: 100000000000000000000",
            3,
            "replications: must be at most 100,000 (got 100000000000000000000)",
        ),
        (
            "horizon: 1h",
            "horizon: 1h\nreplications: 1e20",
            3,
            "replications: must be a positive integer (got 1e+20)",
        ),
        (
            "count: 3",
            "count: 99999999999999999999999",
            9,
            "agents[0].count: must be at most 100,000 (got 99999999999999999999999)",
        ),
        (
            "horizon: 1h",
            "horizon: 1h\nseed: 9223372036854775808",
            3,
            "seed: must be at most 9,223,372,036,854,775,807 (got 9223372036854775808)",
        ),
        (
            "    skills: [support]",
            "    skills: [support]\n    rotation: {every: 1ms, skill_sets: [[support], [support]]}",
            11,
            "agents[0].rotation.every: gives 3,600,000 task blocks over warmup + horizon, more "
            "than the 200,000 allowed (got 1ms)",
        ),
    ],
)
def test_values_beyond_the_limits_are_refused(
    here: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    line: int,
    message: str,
) -> None:
    write(here, TINY.replace(old, new))

    assert validate(capsys) == (2, f"scenario.yaml:{line} {message}\n")


TWO_QUEUES = """\
name: loop
horizon: 1d
queues:
  - name: a
    arrivals: {rate: 60/h}
    handle_time: {distribution: exponential, mean: 2min}
    max_wait: {after: AFTER, to: b}
  - name: b
    arrivals: {rate: 60/h}
    handle_time: {distribution: exponential, mean: 2min}
    max_wait: {after: 1ms, to: a}
agents:
  - {name: team, count: 1, skills: [a, b]}
"""


def test_a_fast_reroute_loop_is_refused(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here, TWO_QUEUES.replace("AFTER", "1ms"))

    assert validate(capsys) == (
        2,
        "scenario.yaml:7 queues[0].max_wait.after: max_wait moves form a cycle (a -> b -> a) "
        "of 2ms in all; it must take at least 1min\n",
    )


def test_a_slow_reroute_loop_is_accepted(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here, TWO_QUEUES.replace("AFTER", "1min"))

    code, messages = validate(capsys)
    assert code == 0
    # Valid: at most warnings (this loop cannot drain and its max_wait undercuts the threshold).
    assert all(": warning: " in line for line in messages.splitlines())


# --- the work estimate ------------------------------------------------------------------------


def test_the_estimate_counts_expected_contacts_and_table_rows() -> None:
    scenario = load_scenario_text(TINY.replace("horizon: 1h", "horizon: 2h\nwarmup: 1h"))

    estimate = workload.estimate(scenario, replications=4)

    assert estimate.contacts == 60 * 3 * 4  # 60/h over 3 simulated hours, 4 replications
    assert estimate.events >= estimate.contacts * workload.EVENTS_PER_CONTACT
    assert estimate.interval_rows == 12 * (1 + 1 + 1) * 4  # (queue, ALL, group) x 12 intervals


def test_a_run_whose_tables_cannot_fit_is_refused_showing_the_estimate(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        here,
        TINY.replace("horizon: 1h", "horizon: 3000d\ninterval: 1d").replace("60/h", "3000000/h"),
    )

    code, out, err = run_cli(capsys, "run", "scenario.yaml")

    assert code == 2
    assert out == ""
    errors = [line for line in err.splitlines() if ": warning: " not in line]
    assert errors[0].startswith("this run would need ")
    assert "about 216,000,000,000 contacts and 1,296,000,009,000 events in 1 replications" in err
    assert not (here / "results").exists()


def test_a_long_run_is_announced_with_a_warning() -> None:
    scenario = load_scenario_text(
        TINY.replace("horizon: 1h", "horizon: 30d").replace("60/h", "100000/h")
    )
    estimate = workload.estimate(scenario, replications=10, keep_contacts=False)

    warning = workload.check(estimate, workers=2, memory_bytes=1e15)

    assert warning is not None
    assert warning.startswith("warning: this run may take about ")
    assert "about 720,000,000 contacts" in warning
    assert workload.check(workload.estimate(load_scenario_text(TINY), 1), 1) is None
    with pytest.raises(WorkloadError, match=r"more than the 1\.0 MB available"):
        workload.check(estimate, workers=2, memory_bytes=1e6)


def load_scenario_text(text: str):
    import yaml

    return load_scenario(yaml.safe_load(text))
