"""Paired comparisons under common random numbers (``simcenter compare``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

import simcenter
from simcenter.cli import main
from simcenter.studies.compare import COMPARE_COLUMNS, paired_differences, welch_half_width

BASE: dict[str, Any] = {
    "name": "compare-base",
    "seed": 5,
    "horizon": "2h",
    "warmup": "15min",
    "queues": [
        {
            "name": "support",
            "arrivals": {"rate": "240/h"},
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "3min"},
        }
    ],
    "agents": [{"name": "team", "count": 13, "skills": ["support"]}],
}


@pytest.fixture(scope="module")
def one_more_agent() -> pd.DataFrame:
    scenario = simcenter.load_scenario(BASE)
    return simcenter.compare(
        scenario, scenario.with_overrides({"agents.team.count": 14}), replications=40
    )


def _row(table: pd.DataFrame, figure: str) -> pd.Series:
    return table[(table["queue"] == "support") & (table["figure"] == figure)].iloc[0]


def test_paired_half_width_is_at_least_three_times_narrower(one_more_agent: pd.DataFrame) -> None:
    for figure in ("service_level", "asa_s"):
        row = _row(one_more_agent, figure)
        assert row["unpaired_ci95"] >= 3 * row["difference_ci95"], figure
        assert row["narrowing"] == pytest.approx(row["unpaired_ci95"] / row["difference_ci95"])


def test_one_more_agent_raises_service_level_and_lowers_asa(one_more_agent: pd.DataFrame) -> None:
    level, asa = _row(one_more_agent, "service_level"), _row(one_more_agent, "asa_s")
    assert level["difference"] - level["difference_ci95"] > 0
    assert asa["difference"] + asa["difference_ci95"] < 0
    # the offered contacts are the same callers: common random numbers hold
    assert _row(one_more_agent, "offered")["difference"] == 0


def test_table_columns_and_differences(one_more_agent: pd.DataFrame) -> None:
    assert tuple(one_more_agent.columns) == COMPARE_COLUMNS
    assert set(one_more_agent["queue"]) == {"support", "ALL"}
    np.testing.assert_allclose(
        one_more_agent["difference"], one_more_agent["b"] - one_more_agent["a"], atol=1e-9
    )


def test_half_widths_match_a_direct_computation() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(10, 2, 12)
    b = a + rng.normal(1, 0.5, 12)
    frame_a = pd.DataFrame({"replication": range(12), "queue": "q", "x": a})
    frame_b = frame_a.assign(x=b)
    row = paired_differences(frame_a, frame_b).iloc[0]
    paired = stats.ttest_rel(b, a).confidence_interval(0.95)
    unpaired = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert row["difference_ci95"] == pytest.approx((paired.high - paired.low) / 2)
    assert welch_half_width(a, b) == pytest.approx((unpaired.high - unpaired.low) / 2)


def test_compare_command_writes_compare_csv(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    files = []
    for name, count in (("a", 13), ("b", 14)):
        data = BASE | {"name": name, "horizon": "1h"}
        data["agents"] = [{"name": "team", "count": count, "skills": ["support"]}]
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        files.append(str(path))
    out = tmp_path / "out"
    assert main(["compare", *files, "-n", "4", "--seed", "2", "-o", str(out)]) == 0
    written = pd.read_csv(out / "compare.csv")
    assert tuple(written.columns) == COMPARE_COLUMNS
    printed = capsys.readouterr().out
    assert "service_level" in printed
    assert "narrower" in printed
    lines = printed.splitlines()  # a table: one line per row, newlines never escaped
    assert len(lines) >= 4
    assert "\\x0a" not in printed


def test_compare_needs_two_replications() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        simcenter.compare(BASE, BASE, replications=1)
