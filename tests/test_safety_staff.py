"""The staffing search stays bounded: bisection, gallops, a start contacts bound, an estimate.

A scenario with a ten-day handle time in an eight-hour horizon asks Erlang
for about 14,400 agents per interval; stepping one agent at a time from
there took hours. The search now starts from what contacts can occupy,
gallops then bisects, and announces a search expected to take over an hour.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from safety import run_cli

import simcenter
from simcenter import workload
from simcenter.erlang import erlang_a, erlang_c
from simcenter.experiments import as_scenario
from simcenter.studies import staffing
from simcenter.studies.staffing import Objective, StaffingWarning, fewest_meeting

TEN_DAYS: dict[str, Any] = {
    "name": "ten-day handle time",
    "seed": 3,
    "start": "2026-01-05T00:00",
    "horizon": "8h",
    "interval": "1h",
    "queues": [
        {
            "name": "support",
            "arrivals": {"rate": "60/h"},
            "handle_time": {"distribution": "exponential", "mean": "10d"},
        }
    ],
    "agents": [{"name": "team", "count": 3, "skills": ["support"]}],
}


def test_a_ten_day_handle_time_search_ends_with_few_candidates() -> None:
    plan = simcenter.staff(TEN_DAYS, target=0.8, threshold=20, replications=2, max_replications=4)

    table = plan.table
    assert len(table) == 8
    assert (table["erlang_agents"] > 14_000).all()  # Erlang's steady state: 14,400 Erlang
    # never more agents than contacts can have arrived (60 per hour, plus 4 standard deviations)
    for k, required in enumerate(table["required_agents"]):
        arrived = 60 * (k + 1)
        assert required <= math.ceil(arrived + 4 * math.sqrt(arrived)) + 1
    assert (table["service_level"] >= 0.8).all()
    assert plan.evaluations < 400  # one agent at a time from 14,400 would take about 100,000


@pytest.mark.parametrize("target", [0.5, 0.8, 0.95])
@pytest.mark.parametrize("rate_per_h", [10, 400, 3_000])
@pytest.mark.parametrize("patience", [None, 60.0])
def test_the_analytic_requirement_by_bisection_is_the_linear_walks_answer(
    target: float, rate_per_h: float, patience: float | None
) -> None:
    rate, aht = rate_per_h / 3600, 300.0
    line = staffing._Line("team", "q", aht, patience, 20.0, target, 30.0, 0.0)

    found = staffing.erlang_requirement(
        line, rate, Objective("service_level", target, 20.0), 3600.0, patience is not None
    )

    def level(n: int) -> float:
        if patience is None:
            return erlang_c(rate, aht, n, 20.0).service_level
        return erlang_a(rate, aht, patience, n, 20.0).service_level

    first = 1 if patience else math.floor(rate * aht) + 1
    walked = next(n for n in range(first, 10_000) if level(n) >= target)
    assert found == walked


def test_fewest_meeting_gallops_then_bisects() -> None:
    asked: list[int] = []

    def meets(n: int) -> bool:
        asked.append(n)
        return n >= 14_400

    assert fewest_meeting(meets, 1, 10**6) == 14_400
    assert len(asked) <= 2 * math.ceil(math.log2(14_400)) + 2
    assert fewest_meeting(lambda n: False, 1, 100) is None


@pytest.mark.parametrize(("start", "answer"), [(14_401, 48), (3, 470), (50, 50), (51, 50)])
def test_the_simulated_decision_gallops_then_bisects(start: int, answer: int) -> None:
    decision = staffing._Decision(start, 1)
    asked = 0
    while not decision.done:
        asked += 1
        decision.observe_target(decision.count >= answer)
    assert decision.count == answer
    assert asked <= 2 * math.ceil(math.log2(abs(start - answer) + 1)) + 2


def test_a_search_expected_to_take_over_an_hour_is_announced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small = {**TEN_DAYS, "horizon": "2h"}
    monkeypatch.setattr(workload, "CONTACTS_PER_SECOND", 1e-3)  # as if contacts were slow
    with pytest.warns(StaffingWarning, match=r"^warning: this staffing search may take about"):
        simcenter.staff(small, replications=2, max_replications=2)

    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(small), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the command line prints it, never as a Python warning
        code, _, err = run_cli(capsys, "staff", "scenario.yaml", "-n", "2", "--jobs", "1")
    assert code == 0
    assert err.startswith("warning: this staffing search may take about")
    assert "candidates of 2 replications); press Ctrl-C to stop it\n" in err


def test_the_start_is_erlang_when_contacts_do_not_bound_it() -> None:
    ordinary = {
        **TEN_DAYS,
        "queues": [
            {
                **TEN_DAYS["queues"][0],
                "handle_time": {"distribution": "exponential", "mean": "5min"},
            }
        ],
    }
    search = staffing._Search(
        as_scenario(ordinary), Objective("service_level", 0.8, 20.0), 2, 2, None, 1, None
    )
    erlang = search.erlang(patience=True)
    assert search.start(erlang) == erlang
