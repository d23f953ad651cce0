"""``simcenter erlang``: units required, every error names its option, solving, instability.

The figures printed are checked against :mod:`simcenter.erlang` computed
here a second time, never against numbers copied from a run.
"""

from __future__ import annotations

import pytest

from simcenter import erlang
from simcenter.cli import main
from simcenter.formats import percent, seconds


def _run(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str, str]:
    code = main(["erlang", *options])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(out: str) -> dict[str, str]:
    """The ``name  value`` rows of the output."""
    rows = {}
    for line in out.splitlines()[1:]:
        name, _, value = line.strip().partition(" ")
        rows[name] = value.strip()
    return rows


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--rate", "360/h", "--aht", "4", "--agents", "30"],
            '--aht "4": give a unit, e.g. "4s" or "4min"',
        ),
        (
            ["--rate", "400", "--aht", "4min", "--agents", "30"],
            '--rate "400": give a unit, e.g. "400/h" or "400/min"',
        ),
        (
            ["--rate", "360/h", "--aht", "4 minutes", "--agents", "30"],
            '--aht "4 minutes": is not a duration (use a unit: ms, s, min, h or d, e.g. "4min")',
        ),
        (
            ["--rate", "lots", "--aht", "4min", "--agents", "30"],
            '--rate "lots": is not a rate (use contacts per unit of time, e.g. "360/h")',
        ),
        (
            ["--rate", "360/h", "--aht", "4min", "--agents", "30", "--patience", "120"],
            '--patience "120": give a unit, e.g. "120s" or "120min"',
        ),
        (
            ["--rate", "360/h", "--aht", "4min", "--target", "0.8", "--threshold", "20"],
            '--threshold "20": give a unit, e.g. "20s" or "20min"',
        ),
        (["--rate", "0/h", "--aht", "4min", "--agents", "3"], '--rate "0/h": must be positive'),
        (["--rate", "360/h", "--aht", "0s", "--agents", "3"], '--aht "0s": must be positive'),
        (["--rate", "360/h", "--aht", "4min", "--agents", "0"], "--agents 0: must be at least 1"),
        (
            ["--rate", "360/h", "--aht", "4min", "--target", "1.2"],
            '--target "1.2": must be a fraction strictly between 0 and 1, e.g. 0.8 or 80%',
        ),
        (
            ["--rate", "360/h", "--aht", "4min"],
            "give --agents N, or --target (with --threshold) to find the agents needed",
        ),
    ],
)
def test_every_error_names_its_option(
    capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    code, out, err = _run(capsys, *options)
    assert (code, out, err) == (2, "", message + "\n")


def test_all_bad_options_are_reported_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "--rate", "400", "--aht", "4", "--agents", "30")
    assert code == 2
    assert err.splitlines() == [
        '--rate "400": give a unit, e.g. "400/h" or "400/min"',
        '--aht "4": give a unit, e.g. "4s" or "4min"',
    ]


def test_an_error_of_the_formulas_names_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        capsys, "--rate", "360/h", "--aht", "4min", "--patience", "1000d", "--agents", "10"
    )
    assert code == 2
    assert err.startswith('--patience "1000d": 86400000.0 s is too long for this load')


def test_erlang_c_figures_match_the_formulas(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--rate", "360/h", "--aht", "240s", "--agents", "30")
    expected = erlang.erlang_c(0.1, 240.0, 30, 20.0)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Erlang C: 360/h, AHT 4min, offered load 24.0 Erlang"
    assert _rows(out) == {
        "agents": "30",
        "p_wait": percent(expected.p_wait),
        "asa": seconds(expected.asa),
        "mean_wait": seconds(expected.mean_wait),
        "service_level": f"{percent(expected.service_level)} within 20s",
        "p_abandon": "0.0%",
        "occupancy": "80.0%",
    }


def test_solving_for_agents_with_erlang_c(capsys: pytest.CaptureFixture[str]) -> None:
    """The Call Centre Helper example: 100 calls per 30 min, AHT 3 min, 80 % in 20 s: 14 agents."""
    code, out, _ = _run(
        capsys, "--rate", "200/h", "--aht", "3min", "--target", "0.8", "--threshold", "20s"
    )
    assert code == 0
    assert out.splitlines()[1] == "  14 agents are the fewest that answer 80.0% within 20s"
    fewer = erlang.erlang_c(200 / 3600, 180.0, 13, 20.0)
    assert fewer.service_level < 0.8  # 13 would not do
    rows = _rows(out)
    assert rows["agents"] == "14"
    assert rows["service_level"].endswith("(target met)")


def test_solving_for_agents_with_erlang_a(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "--rate", "360/h", "--aht", "4min", "--target", "80%", "--patience", "2min"
    )
    needed = erlang.agents_for_service_level(0.1, 240.0, 0.8, 20.0, patience=120.0)
    result = erlang.erlang_a(0.1, 240.0, 120.0, needed, 20.0)
    assert code == 0
    assert out.splitlines()[0] == (
        "Erlang A (patience 2min): 360/h, AHT 4min, offered load 24.0 Erlang"
    )
    assert out.splitlines()[1] == f"  {needed} agents are the fewest that answer 80.0% within 20s"
    assert _rows(out)["p_abandon"] == percent(result.p_abandon)


def test_given_agents_and_target_say_met_or_missed(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(
        capsys, "--rate", "200/h", "--aht", "3min", "--agents", "13", "--target", "0.8"
    )
    assert _rows(out)["service_level"].endswith("(target missed)")


def test_an_unstable_erlang_c_queue_is_named_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--rate", "90/h", "--aht", "4min", "--agents", "6")
    assert code == 0
    assert out.splitlines() == [
        "Erlang C: 90/h, AHT 4min, offered load 6.0 Erlang",
        "  unstable: offered load 6.0 Erlang ≥ 6 agents; waits grow without bound",
        "  at least 7 agents are needed for a stable queue",
    ]
    assert "inf" not in out


def test_an_overloaded_erlang_a_queue_has_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """With abandonment the queue is stable at any load: figures, not a warning."""
    code, out, _ = _run(
        capsys, "--rate", "90/h", "--aht", "4min", "--agents", "5", "--patience", "1min"
    )
    result = erlang.erlang_a(90 / 3600, 240.0, 60.0, 5, 20.0)
    assert code == 0
    assert _rows(out)["p_abandon"] == percent(result.p_abandon)
