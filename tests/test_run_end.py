"""How a run ends: an error in a step after the horizon surfaces, and the run's objects are freed.

An exception raised by a step while the centre drains (after the horizon) is
a bug in simcenter: it must not end the run quietly as if the centre had
emptied. The command line reports it as an internal error in one line with
exit code 1 (``--debug`` shows the traceback). Once ``run_replication`` has
returned, nothing of the run waits for the garbage collector: the centre,
its environment, recorder, groups and queues are freed by reference counting.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest
import yaml
from scripted import ScenarioFactory, group, queue

from simcenter import cli
from simcenter.centre import Centre
from simcenter.engine import run_replication
from simcenter.timer import Timer

SCENARIO = {
    "name": "busy",
    "horizon": "1h",
    "closing": "drain",
    "queues": [
        {
            "name": "a",
            "arrivals": {"rate": "120/h"},
            "handle_time": {"distribution": "exponential", "mean": "2min"},
        }
    ],
    "agents": [{"name": "g", "count": 2, "skills": ["a"]}],
}
"""Overloaded (4 Erlangs on 2 agents): contacts still talk and wait at the horizon."""


@pytest.fixture
def failing_drain(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make the first talk that ends after the horizon raise; returns when it failed (s)."""
    original = Centre._talk_ends
    failed: list[float] = []

    def talk_ends(self: Centre, timer: Timer) -> None:
        if self.closed:
            failed.append(self.env.now)
            raise RuntimeError("injected failure\nduring the drain")
        original(self, timer)

    monkeypatch.setattr(Centre, "_talk_ends", talk_ends)
    return failed


def write_scenario(folder: Path) -> Path:
    path = folder / "busy.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    return path


def test_an_error_during_the_drain_propagates_from_the_engine(
    make_scenario: ScenarioFactory, failing_drain: list[float]
) -> None:
    scenario = make_scenario(SCENARIO["queues"], SCENARIO["agents"], closing="drain")
    with pytest.raises(RuntimeError, match="injected failure"):
        run_replication(scenario, 0)
    assert failing_drain
    assert failing_drain[0] > scenario.end_s


def test_an_error_during_the_drain_exits_1_with_a_one_line_internal_error(
    tmp_path: Path, failing_drain: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_scenario(tmp_path)
    code = cli.main(["run", str(path), "-o", str(tmp_path / "out"), "--jobs", "1", "--no-plots"])
    # The overloaded scenario draws a lint warning first; the error itself is one line.
    lines = [line for line in capsys.readouterr().err.splitlines(True) if ": warning: " not in line]
    error = "".join(lines)
    assert code == 1
    assert failing_drain
    assert error.count("\n") == 1
    assert error.startswith("internal error (a bug in simcenter): RuntimeError: injected failure")
    assert "--debug" in error
    assert "Traceback" not in error
    assert not (tmp_path / "out").exists()


def test_debug_shows_the_traceback_of_an_error_during_the_drain(
    tmp_path: Path, failing_drain: list[float]
) -> None:
    path = write_scenario(tmp_path)
    arguments = ["--debug", "run", str(path), "-o", str(tmp_path / "out"), "--jobs", "1"]
    with pytest.raises(RuntimeError, match="injected failure"):
        cli.main([*arguments, "--no-plots"])


def test_a_run_without_errors_drains_to_the_end(make_scenario: ScenarioFactory) -> None:
    """Without the injected error the same scenario serves every contact after the horizon."""
    scenario = make_scenario(SCENARIO["queues"], SCENARIO["agents"], closing="drain")
    record = run_replication(scenario, 0)
    assert record.end_s > scenario.end_s
    assert (record.contacts["answered_s"] == record.contacts["answered_s"]).all()


@pytest.mark.parametrize("closing", ["drain", "clear", "stop"])
def test_the_run_is_freed_on_return_without_the_garbage_collector(
    make_scenario: ScenarioFactory, monkeypatch: pytest.MonkeyPatch, closing: str
) -> None:
    """Weak references to the run's objects are dead as soon as run_replication returns."""
    refs: list[weakref.ref[Any]] = []
    original = Centre.__init__

    def init(self: Centre, *args: Any, **keys: Any) -> None:
        original(self, *args, **keys)
        refs.extend(weakref.ref(thing) for thing in (self, self.env, self.recorder))
        refs.extend(weakref.ref(thing) for thing in (*self.groups, *self.queues, self.router))

    monkeypatch.setattr(Centre, "__init__", init)
    queues = [
        {**SCENARIO["queues"][0], "patience": {"distribution": "exponential", "mean": "5min"}},
        queue("b", repeat={"probability": 0.3, "delay": {"distribution": "constant", "mean": 60}}),
    ]
    agents = [group("g", ["a", "b"], count=2)]
    scenario = make_scenario(queues, agents, closing=closing)
    gc.collect()
    gc.disable()
    try:
        record = run_replication(scenario, 0)
        alive = [ref() for ref in refs if ref() is not None]
    finally:
        gc.enable()
    assert len(refs) == 7  # centre, environment, recorder, group, two queues, router
    assert len(record.contacts["arrival_s"]) > 100
    assert alive == []
