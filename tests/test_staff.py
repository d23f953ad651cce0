"""Staffing by simulation (``simcenter staff``): the fewest agents per interval meeting a target.

The test scenario has four hourly intervals of a time-varying profile and
impatient callers (mean patience 1 min against a 3 min handle time), so
that abandonment matters: Erlang C, which ignores it, asks for more agents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import simcenter
from simcenter.cli import main
from simcenter.studies import staffing
from simcenter.studies.staffing import STAFFING_COLUMNS, StaffingPlan

TARGET = 0.8
SCENARIO: dict[str, Any] = {
    "name": "staff-test",
    "seed": 2,
    "start": "2026-01-05T08:00",
    "horizon": "4h",
    "interval": "1h",
    "queues": [
        {
            "name": "sales",
            "arrivals": {
                "profile": {"start": "08:00", "interval": "1h", "volumes": [200, 400, 300, 150]}
            },
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "1min"},
        }
    ],
    "agents": [{"name": "team", "count": 10, "skills": ["sales"], "cost_per_hour": 30}],
}
CHECK_SEED = 99
"""Seed of the independent check runs (the search uses the scenario's seed, 2)."""


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> StaffingPlan:
    return simcenter.staff(
        SCENARIO, target=TARGET, threshold=20, outdir=tmp_path_factory.mktemp("staff") / "out"
    )


def _interval_levels(scenario: simcenter.Scenario) -> pd.DataFrame:
    """Service level per interval of the queue in 30 replications with the check seed."""
    results = simcenter.simulate(scenario, replications=30, seed=CHECK_SEED, keep_contacts=False)
    rows = results.intervals[results.intervals["queue"] == "sales"]
    return rows[["service_level", "service_level_ci95"]].reset_index(drop=True)


def test_the_staffing_meets_the_target_in_every_interval_in_an_independent_run(
    plan: StaffingPlan,
) -> None:
    levels = _interval_levels(plan.scenario)
    assert len(levels) == 4
    for interval, row in levels.iterrows():
        assert row["service_level"] + row["service_level_ci95"] >= TARGET, interval


def test_one_agent_fewer_in_any_busy_interval_misses_the_target(plan: StaffingPlan) -> None:
    counts = plan.table["required_agents"].tolist()
    for interval, count in enumerate(counts):
        fewer = list(counts)
        fewer[interval] = count - 1
        scenario = plan.scenario.with_overrides({"agents.team.staffing.counts": fewer})
        assert _interval_levels(scenario).loc[interval, "service_level"] < TARGET, interval


def test_abandonment_makes_the_requirement_lower_than_erlang_c(plan: StaffingPlan) -> None:
    table = plan.table
    assert (table["required_agents"] <= table["erlang_agents"]).all()
    assert (table["required_agents"] < table["erlang_agents"]).any()
    assert table["erlang_agents"].tolist() == [
        simcenter.erlang.agents_for_service_level(
            rate=volume / 3600, aht=180, target=0.8, threshold=20
        )
        for volume in (200, 400, 300, 150)
    ]


def test_outputs_are_written_and_run_confirms_the_staffed_scenario(
    plan: StaffingPlan, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert tuple(plan.table.columns) == STAFFING_COLUMNS
    staffed = simcenter.load_scenario(yaml.safe_load(yaml.safe_dump(plan.scenario.to_dict())))
    assert staffed.agents[0].staffing is not None
    assert staffed.agents[0].staffing.counts == plan.table["required_agents"].tolist()


def test_the_command_writes_the_files_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "s.yaml"
    small = SCENARIO | {"horizon": "2h"}
    path.write_text(yaml.safe_dump(small), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["staff", str(path), "--target", "0.8", "--threshold", "20s", "-n", "4", "-o", str(out)]

    calls = []
    real = staffing.run_replications

    def stopped_after_two(tasks: Any, **options: Any) -> Any:
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(len(tasks))
        return real(tasks, **options)

    monkeypatch.setattr(staffing, "run_replications", stopped_after_two)
    assert main(argv) == 130
    assert not (out / "staffing.csv").exists()  # an interrupted study leaves no final file
    assert len(list((out / "points").iterdir())) == 2
    capsys.readouterr()

    monkeypatch.setattr(
        staffing, "run_replications", lambda tasks, **o: calls.append(0) or real(tasks, **o)
    )
    assert main(argv) == 0
    for name in ("staffing.csv", "staffing.png", "staffed.yaml"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "staffing.csv")
    assert list(table.columns) == list(STAFFING_COLUMNS)
    resumed = len(calls) - 2

    calls.clear()
    assert main(argv) == 0  # everything finished: nothing is simulated again
    assert calls == []
    assert resumed >= 1
    assert "required" in capsys.readouterr().out
    assert main(["run", str(out / "staffed.yaml"), "-o", str(tmp_path / "run"), "--no-plots"]) == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"target": 0.8, "max_abandon": 0.05}, "give one objective"),
        ({"max_abandon": 1.5}, "max_abandon must be a fraction"),
        ({"objective": "cost"}, "needs patience and an abandon_cost"),
    ],
)
def test_bad_objectives_are_refused(options: dict[str, Any], message: str) -> None:
    data = SCENARIO | {"queues": [SCENARIO["queues"][0] | {"patience": None}]}
    data["queues"][0].pop("patience")
    with pytest.raises(simcenter.SimcenterError, match=message):
        simcenter.staff(data, **options)


def test_groups_serving_several_queues_are_out_of_scope() -> None:
    data = yaml.safe_load(yaml.safe_dump(SCENARIO))
    data["queues"].append(data["queues"][0] | {"name": "other"})
    data["agents"][0]["skills"] = ["sales", "other"]
    with pytest.raises(simcenter.SimcenterError, match="one group per queue"):
        simcenter.staff(data)


def test_cost_objective_weighs_abandonment_against_agents() -> None:
    cheap, dear = (
        simcenter.staff(
            _with_abandon_cost(cost), objective="cost", replications=10, max_replications=10
        ).table["required_agents"]
        for cost in (0.5, 20.0)
    )
    assert (dear >= cheap).all()
    assert (dear > cheap).any()


def _with_abandon_cost(cost: float) -> dict[str, Any]:
    data = yaml.safe_load(yaml.safe_dump(SCENARIO | {"horizon": "2h"}))
    data["queues"][0]["abandon_cost"] = cost
    return data
