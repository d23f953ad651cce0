"""Verdicts with their uncertainty: one rule, the same answer in every output.

A service level is met when its whole 95 % interval reaches the target,
missed when the whole interval is below, too close to call when the target
lies inside. The console JSON, ``report.html``, ``compare`` and ``staff``
all give the verdict of :func:`simcenter.verdicts.judge`; the report's
headline counts the verdicts and names the worst queue.
"""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import simcenter
from simcenter.cli import main
from simcenter.verdicts import MET, MISSED, TOO_CLOSE, judge


@pytest.mark.parametrize(
    ("value", "half_width", "target", "expected"),
    [
        (0.799, 0.021, 0.80, TOO_CLOSE),  # 79.9 % ± 2.1 against 80 %: the target is inside
        (0.801, 0.021, 0.80, TOO_CLOSE),
        (0.85, 0.04, 0.80, MET),  # 81 % .. 89 %
        (0.75, 0.04, 0.80, MISSED),  # 71 % .. 79 %
        (0.80, 0.0, 0.80, MET),  # the whole (empty) interval reaches the target
        (0.799, math.nan, 0.80, MISSED),  # one replication: the mean decides
        (math.nan, 0.01, 0.80, None),  # no contact offered
        (0.9, 0.01, math.nan, None),  # no common target
    ],
)
def test_a_service_level_is_judged_by_its_interval(
    value: float, half_width: float, target: float, expected: str | None
) -> None:
    assert judge(value, half_width, target) == expected


@pytest.mark.parametrize(
    ("value", "half_width", "expected"),
    [(0.03, 0.01, MET), (0.07, 0.01, MISSED), (0.045, 0.01, TOO_CLOSE)],
)
def test_an_upper_bound_is_met_when_the_whole_interval_stays_under_it(
    value: float, half_width: float, expected: str
) -> None:
    assert judge(value, half_width, 0.05, at_least=False) == expected


# --- every output gives the same verdict -------------------------------------------------

THREE_QUEUES: dict[str, Any] = {
    "name": "three-verdicts",
    "seed": 4,
    "horizon": "2h",
    "warmup": "15min",
    "interval": "1h",
    "replications": 10,
    "service_level": {"threshold": "20s"},
    "queues": [
        {
            "name": name,
            "arrivals": {"rate": "90/h"},
            "handle_time": {"distribution": "exponential", "mean": "4min"},
            "patience": {"distribution": "exponential", "mean": "5min"},
        }
        for name in ("claims", "motor", "home")
    ],
    "agents": [
        {"name": f"{name}-team", "count": 6, "skills": [name]}
        for name in ("claims", "motor", "home")
    ],
}


def _with_targets(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The scenario with one target per queue chosen to give each verdict, and the verdicts.

    Targets do not change what is simulated, only how it is judged: the
    first queue's target is 3 half-widths below its level (met), the
    second's 3 above (missed), the third's half a half-width above (inside
    the interval: too close to call).
    """
    summary = simcenter.simulate(data).summary.set_index("queue")
    chosen = copy.deepcopy(data)
    expected = {}
    for queue, (offset, verdict) in zip(
        chosen["queues"], ((-3, MET), (3, MISSED), (0.5, TOO_CLOSE)), strict=True
    ):
        level, half = summary.loc[queue["name"], ["service_level", "service_level_ci95"]]
        assert half > 0
        assert 0.05 < level + offset * half < 1, "the scenario must leave room for the target"
        queue["service_level"] = {"target": round(float(level + offset * half), 6)}
        expected[queue["name"]] = verdict
    return chosen, expected


def _report_verdicts(page: str) -> dict[str, str]:
    """Queue -> the verdict badge of its row in the report's queue table."""
    table = page[page.index('data-table="queues"') :]
    table = table[: table.index("</table>")]
    return dict(re.findall(r'<tr><td>([^<]+)</td>.*?data-verdict="([^"]+)"', table))


def test_console_json_report_compare_and_rule_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    data, expected = _with_targets(THREE_QUEUES)
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out"

    assert main(["run", str(path), "-o", str(out), "--format", "json", "--report"]) == 0
    document = json.loads(capsys.readouterr().out)
    from_json = {
        row["queue"]: row["sl_verdict"] for row in document["summary"] if row["queue"] != "ALL"
    }
    met_flags = {
        row["queue"]: row["sl_met"] for row in document["summary"] if row["queue"] != "ALL"
    }
    from_report = _report_verdicts((out / "report.html").read_text(encoding="utf-8"))
    assert main(["compare", str(path), str(path), "-o", str(tmp_path / "cmp")]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(tmp_path / "cmp" / "compare.csv")
    rows = table[(table["figure"] == "service_level") & (table["queue"] != "ALL")]
    from_compare = dict(zip(rows["queue"], rows["a_verdict"], strict=True))

    summary = pd.read_csv(out / "summary.csv").set_index("queue")
    targets = {queue["name"]: queue["service_level"]["target"] for queue in data["queues"]}
    by_rule = {
        name: judge(
            summary.loc[name, "service_level"], summary.loc[name, "service_level_ci95"], target
        )
        for name, target in targets.items()
    }
    assert by_rule == expected
    assert from_json == expected
    assert from_report == expected
    assert from_compare == expected
    assert dict(zip(rows["queue"], rows["b_verdict"], strict=True)) == expected
    assert met_flags == {"claims": True, "motor": False, "home": None}
    assert "home A too close to call, B too close to call" in printed


def test_staffing_table_gives_each_interval_the_verdict_of_the_rule() -> None:
    scenario = simcenter.load_scenario(
        {
            "name": "staff-verdicts",
            "seed": 3,
            "horizon": "2h",
            "interval": "1h",
            "service_level": {"threshold": "20s", "target": 0.8},
            "queues": [
                {
                    "name": "q",
                    "arrivals": {"rate": "120/h"},
                    "handle_time": {"distribution": "exponential", "mean": "3min"},
                    "patience": {"distribution": "exponential", "mean": "5min"},
                }
            ],
            "agents": [{"name": "g", "count": 8, "skills": ["q"]}],
        }
    )
    plan = simcenter.staff(scenario, replications=4, max_replications=8)
    for row in plan.table.itertuples():
        low = row.service_level - row.service_level_ci95
        high = row.service_level + row.service_level_ci95
        rule = MET if low >= 0.8 else MISSED if high < 0.8 else TOO_CLOSE
        assert row.verdict == rule


# --- the headline ------------------------------------------------------------------------


def test_headline_counts_the_verdicts_and_names_the_worst_queue(tmp_path: Path) -> None:
    """ALL meets 80 % on the strength of a big queue while a small one misses by far."""
    data = {
        "name": "headline",
        "seed": 2,
        "horizon": "2h",
        "replications": 4,
        "service_level": {"threshold": "20s", "target": 0.8},
        "queues": [
            {
                "name": "big",
                "arrivals": {"rate": "300/h"},
                "handle_time": {"distribution": "exponential", "mean": "3min"},
                "patience": {"distribution": "exponential", "mean": "5min"},
            },
            {
                "name": "small",
                "arrivals": {"rate": "30/h"},
                "handle_time": {"distribution": "exponential", "mean": "3min"},
                "patience": {"distribution": "exponential", "mean": "5min"},
            },
        ],
        "agents": [
            {"name": "big-team", "count": 22, "skills": ["big"]},
            {"name": "small-team", "count": 1, "skills": ["small"]},
        ],
    }
    results = simcenter.simulate(data)
    summary = results.summary.set_index("queue")
    assert summary.loc["ALL", "service_level"] - summary.loc["ALL", "service_level_ci95"] >= 0.8
    assert summary.loc["small", "service_level"] + summary.loc["small", "service_level_ci95"] < 0.65
    outdir = results.save(tmp_path / "out")
    assert main(["report", str(outdir)]) == 0
    page = (outdir / "report.html").read_text(encoding="utf-8")
    headline = page[page.index("<h2>Headline</h2>") : page.index("<h2>Queues</h2>")]
    level = summary.loc["small", "service_level"]
    assert (
        "1 of 2 queues met the service-level target, 1 missed, 0 too close to call; "
        f"worst: small {level * 100:.1f}% against 80%." in headline
    )
    assert 'class="badge met"' not in headline  # ALL alone is no verdict on the queues
