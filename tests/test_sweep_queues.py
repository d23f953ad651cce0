"""What a sweep shows of each queue: the table, ``sweep.csv`` and ``sweep.png``.

A sweep shows every queue of the scenario as ``run`` does: each queue's
service level, objective and verdict at every point, the worst ten (lowest
service level at some point) and a line counting the rest beyond fifteen
queues, every queue with ``--all-queues``. The verdicts are checked against
the rule of :func:`simcenter.verdicts.judge` applied to the written figures,
the queues shown against a ranking computed from ``sweep.csv``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from safety import run_cli

import simcenter
from simcenter.plotting.sweep import sweep_figure
from simcenter.verdicts import judge


def scenario(queues: int, targets: list[float] | None = None) -> dict[str, Any]:
    """``queues`` queues of one agent group each; queue ``qNN`` has ``2 + 2 * (NN % 3)`` agents.

    The offered load is the same everywhere, so the service levels spread
    with the number of agents.
    """
    data: dict[str, Any] = {
        "name": "many",
        "seed": 3,
        "horizon": "1h",
        "service_level": {"threshold": "20s", "target": 0.8},
        "queues": [],
        "agents": [],
    }
    for number in range(queues):
        queue: dict[str, Any] = {
            "name": f"q{number:02d}",
            "arrivals": {"rate": "40/h"},
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "2min"},
        }
        if targets is not None:
            queue["service_level"] = {"threshold": "20s", "target": targets[number]}
        data["queues"].append(queue)
        data["agents"].append(
            {
                "name": f"g{number:02d}",
                "count": 2 + 2 * (number % 3),
                "skills": [f"q{number:02d}"],
                "cost_per_hour": 20,
            }
        )
    return data


def sweep_cli(
    capsys: pytest.CaptureFixture[str], folder: Path, data: dict[str, Any], *options: str
) -> tuple[str, pd.DataFrame]:
    """Run ``simcenter sweep`` on ``data`` (patience varied): what it printed, and sweep.csv."""
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = folder / "out"
    vary = ("--vary", "queues.q00.patience.mean=1min,3min")
    code, printed, err = run_cli(
        capsys, "sweep", str(path), *vary, "-n", "3", "-o", str(out), *options
    )
    assert code == 0, err
    return printed, pd.read_csv(out / "sweep.csv", keep_default_na=False, na_values=[""])


def expected_verdict(row: pd.Series) -> str:
    verdict = judge(row["service_level"], row["service_level_ci95"], row["sl_target"])
    return verdict or "-"


def cells(line: str) -> list[str]:
    """The cells of a printed line (cells are separated by at least two spaces)."""
    return [cell.strip() for cell in line.split("  ") if cell.strip()]


def test_the_table_shows_every_queue_with_its_objective_and_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed, written = sweep_cli(capsys, tmp_path, scenario(3))
    lines = printed.splitlines()
    assert cells(lines[0]) == [
        "queues.q00.patience.mean",
        "queue",
        "service level",
        "target",
        "verdict",
        "ASA",
        "abandoned",
        "cost",
    ]
    rows = [cells(line) for line in lines[1:-1]]
    assert [(row[0], row[1]) for row in rows] == [
        (value, queue) for value in ("1min", "3min") for queue in ("q00", "q01", "q02", "ALL")
    ]
    for row, (_, expected) in zip(rows, written.iterrows(), strict=True):
        assert row[3] == "80.0% in 20s"
        assert row[4] == expected_verdict(expected)
        assert row[2].startswith(f"{expected['service_level'] * 100:.1f}% ± ")
    assert {row[4] for row in rows} >= {"met", "missed"}  # the sweep spans both
    assert len(rows[3]) == 8  # the cost on the ALL line only
    assert len(rows[0]) == 7


def test_sweep_csv_holds_each_queues_objective_and_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, written = sweep_cli(capsys, tmp_path, scenario(3, targets=[0.8, 0.6, 0.9]))
    assert list(written.columns[-3:]) == ["sl_threshold_s", "sl_target", "sl_verdict"]
    queues = written[written["queue"] != "ALL"]
    assert queues["sl_target"].tolist() == [0.8, 0.6, 0.9] * 2
    assert (queues["sl_threshold_s"] == 20.0).all()
    for _, row in queues.iterrows():
        assert row["sl_verdict"] == judge(
            row["service_level"], row["service_level_ci95"], row["sl_target"]
        )
    overall = written[written["queue"] == "ALL"]  # the targets differ: ALL has none
    assert overall["sl_target"].isna().all()
    assert overall["sl_verdict"].isna().all()


def test_beyond_fifteen_queues_the_worst_ten_are_shown_and_the_rest_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed, written = sweep_cli(capsys, tmp_path, scenario(17))
    queues = written[written["queue"] != "ALL"]
    lowest = queues.groupby("queue")["service_level"].min()
    worst = sorted(lowest.index, key=lambda name: (lowest[name], name))
    lines = printed.splitlines()
    rows = [cells(line) for line in lines[1:] if line.startswith(" ")]
    assert [row[1] for row in rows] == [*worst[:10], "ALL"] * 2
    rest = [name for name in lowest.index if name not in worst[:10]]
    by_queue = queues.set_index(["queue", "queues.q00.patience.mean"])
    met = sum(
        all(expected_verdict(by_queue.loc[(name, value)]) == "met" for value in ("1min", "3min"))
        for name in rest
    )
    missed = sum(
        any(expected_verdict(by_queue.loc[(name, value)]) == "missed" for value in ("1min", "3min"))
        for name in rest
    )
    assert lines[-2].startswith(
        f"7 more queues not shown ({met} met the target at every point, "
        f"{missed} missed it at some point"
    )
    assert lines[-2].endswith("; --all-queues shows them all")

    printed_all, _ = sweep_cli(capsys, tmp_path, scenario(17), "--all-queues")
    rows = [cells(line) for line in printed_all.splitlines()[1:] if line.startswith(" ")]
    assert [row[1] for row in rows] == [*(f"q{number:02d}" for number in range(17)), "ALL"] * 2
    assert "more queues not shown" not in printed_all


# --- sweep.png ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_queues() -> pd.DataFrame:
    return simcenter.sweep(
        scenario(13), {"queues.q00.patience.mean": ["1min", "3min"]}, replications=2
    )


def legend_labels(table: pd.DataFrame) -> list[str]:
    figure = sweep_figure(table, ["queues.q00.patience.mean"])
    legend = figure.axes[0].get_legend()
    return [text.get_text() for text in legend.get_texts()]


def test_the_plot_draws_the_ten_worst_queues_worst_first_then_the_others(
    many_queues: pd.DataFrame,
) -> None:
    queues = many_queues[many_queues["queue"] != "ALL"]
    lowest = queues.groupby(queues["queue"].astype(str))["service_level"].min()
    worst = sorted(lowest.index, key=lambda name: (lowest[name], name))
    assert legend_labels(many_queues) == ["ALL", *worst[:10], "others (3 queues)", "target 80%"]


def test_the_plot_draws_the_common_target_as_one_dashed_line(many_queues: pd.DataFrame) -> None:
    figure = sweep_figure(many_queues, ["queues.q00.patience.mean"])
    level = figure.axes[0]
    targets = [line for line in level.get_lines() if line.get_label().startswith("target")]
    assert [line.get_label() for line in targets] == ["target 80%"]
    assert targets[0].get_linestyle() == "--"
    np.testing.assert_allclose(targets[0].get_ydata(), 0.8)


def test_the_plot_draws_a_target_per_queue_when_they_differ() -> None:
    table = simcenter.sweep(
        scenario(2, targets=[0.8, 0.6]), {"queues.q00.patience.mean": ["1min", "3min"]}
    )
    figure = sweep_figure(table, ["queues.q00.patience.mean"])
    level = figure.axes[0]
    targets = {
        line.get_label(): line
        for line in level.get_lines()
        if line.get_label().startswith("target")
    }
    assert sorted(targets) == ["target q00", "target q01"]
    np.testing.assert_allclose(targets["target q00"].get_ydata(), 0.8)
    np.testing.assert_allclose(targets["target q01"].get_ydata(), 0.6)
    handles = dict(zip(*reversed(level.get_legend_handles_labels()), strict=True))
    for name in ("q00", "q01"):  # each target in its queue's colour
        assert targets[f"target {name}"].get_color() == handles[name].lines[0].get_color()


def test_a_varied_target_follows_the_points() -> None:
    table = simcenter.sweep(
        scenario(2), {"queues.q01.service_level.target": [0.5, 0.7, 0.9]}, replications=2
    )
    figure = sweep_figure(table, ["queues.q01.service_level.target"])
    level = figure.axes[0]
    targets = {
        line.get_label(): line
        for line in level.get_lines()
        if line.get_label().startswith("target")
    }
    np.testing.assert_allclose(targets["target q01"].get_ydata(), [0.5, 0.7, 0.9])
    np.testing.assert_allclose(targets["target q00"].get_ydata(), 0.8)


def test_beyond_three_queues_only_all_has_error_bars_and_the_axis_is_a_fraction(
    many_queues: pd.DataFrame,
) -> None:
    def error_bars(table: pd.DataFrame) -> dict[str, bool]:
        level = sweep_figure(table, ["queues.q00.patience.mean"]).axes[0]
        assert level.get_ylim() == (0.0, 1.05)
        handles, labels = level.get_legend_handles_labels()
        return {
            label: handle.has_yerr
            for handle, label in zip(handles, labels, strict=True)
            if not label.startswith("target")
        }

    bars = error_bars(many_queues)
    assert bars.pop("ALL") is True
    assert set(bars.values()) == {False}
    few = many_queues[many_queues["queue"].isin(["q00", "q01", "q02", "ALL"])]
    assert error_bars(few) == {"ALL": True, "q00": True, "q01": True, "q02": True}
