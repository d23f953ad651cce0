"""What ``simcenter run`` prints: the summary table, verdicts, the worst queues, JSON.

Every figure in the table is checked against the summary DataFrame of the
same run, formatted a second time here, never against numbers copied from a
run.
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import simcenter as sc
from simcenter.cli import console, main
from simcenter.formats import count, erlangs, money, percent, seconds

HANDLE = {"distribution": "exponential", "mean": "3min"}
PATIENCE = {"distribution": "exponential", "mean": "1min"}


def _two_queues() -> dict[str, Any]:
    """``easy`` is heavily staffed (its target is met), ``hard`` is understaffed (missed)."""
    return {
        "name": "two",
        "seed": 3,
        "horizon": "2h",
        "interval": "30min",
        "queues": [
            {
                "name": "easy",
                "arrivals": {"rate": "60/h"},
                "handle_time": HANDLE,
                "patience": PATIENCE,
                "service_level": {"threshold": "30s", "target": 0.7},
            },
            {
                "name": "hard",
                "arrivals": {"rate": "120/h"},
                "handle_time": HANDLE,
                "patience": PATIENCE,
            },
        ],
        "agents": [
            {"name": "easy-team", "count": 8, "skills": ["easy"], "cost_per_hour": 20},
            {"name": "hard-team", "count": 5, "skills": ["hard"], "cost_per_hour": 30},
        ],
    }


@pytest.fixture(scope="module")
def results() -> sc.Results:
    return sc.simulate(sc.load_scenario(_two_queues()), replications=5, seed=1, jobs=1)


def _many_queues(queues: int) -> dict[str, Any]:
    """``queues`` client queues from a template with rates from 2 to 60 an hour, one team."""
    return {
        "name": "many",
        "seed": 5,
        "horizon": "1h",
        "templates": {"client": {"handle_time": HANDLE, "patience": PATIENCE}},
        "queues": [
            {
                "name": f"client-{number:02d}",
                "template": "client",
                "arrivals": {"rate": f"{2 * number}/h"},
            }
            for number in range(1, queues + 1)
        ],
        "agents": [
            {
                "name": "team",
                "count": 14,
                "skills": [f"client-{n:02d}" for n in range(1, queues + 1)],
            }
        ],
    }


# --- formats -------------------------------------------------------------------------------


def test_number_formats() -> None:
    assert (percent(0.8757), percent(1.0), percent(math.nan)) == ("87.6%", "100.0%", "-")
    assert (seconds(4.94), seconds(99.94), seconds(123.4), seconds(2_834_112.2)) == (
        "4.9 s",
        "99.9 s",
        "123 s",
        "2,834,112 s (787:15:12)",  # a long wait also as h:mm:ss
    )
    assert (count(12345.4), count(0.0), count(math.nan)) == ("12,345", "0", "-")
    assert (money(1968.759), erlangs(66.666)) == ("1,968.76", "66.7")


# --- verdicts ----------------------------------------------------------------------------


def rule(level: float, half_width: float, target: float) -> str:
    """The verdict rule of docs/definitions.md, written out again."""
    half_width = 0.0 if math.isnan(half_width) else half_width
    if level - half_width >= target:
        return "met"
    return "missed" if level + half_width < target else "too close to call"


def test_met_and_missed_follow_the_summary_and_each_queue_target(results: sc.Results) -> None:
    summary = results.summary.set_index("queue")
    verdicts = console.verdicts(results)
    targets = {"easy": (30.0, 0.7), "hard": (20.0, 0.8)}
    for queue, (threshold, target) in targets.items():
        verdict = verdicts[queue]
        assert (verdict.threshold_s, verdict.target) == (threshold, target)
        level, half = summary.loc[queue, ["service_level", "service_level_ci95"]]
        assert verdict.verdict == rule(level, half, target)
    assert {verdicts["easy"].verdict, verdicts["hard"].verdict} == {"met", "missed"}  # power
    assert verdicts["ALL"].verdict is None  # the queues' objectives differ: no common target


def test_all_has_the_common_target_when_the_queues_share_it() -> None:
    data = _two_queues()
    del data["queues"][0]["service_level"]
    shared = sc.simulate(sc.load_scenario(data), replications=1, seed=1, jobs=1)
    verdict = console.verdicts(shared)["ALL"]
    level = shared.summary.set_index("queue").loc["ALL", "service_level"]
    assert (verdict.threshold_s, verdict.target) == (20.0, 0.8)
    assert verdict.verdict == ("met" if level >= 0.8 else "missed")  # one replication


# --- the table -----------------------------------------------------------------------------


def test_table_rows_show_every_figure_with_its_half_width(results: sc.Results) -> None:
    rows = console.table_rows(results, ["easy", "hard", "ALL"])
    summary = results.summary.set_index("queue")
    for row in rows:
        figures = summary.loc[row[0]]
        assert row[1:4] == [count(figures[name]) for name in ("offered", "answered", "abandoned")]
        assert row[4] == (
            f"{percent(figures['service_level'])} ± {figures['service_level_ci95'] * 100:.1f}"
        )
        assert row[7] == f"{seconds(figures['asa_s'])} ± {figures['asa_s_ci95']:.1f}"
        assert row[8].startswith(percent(figures["abandon_rate"]) + " ± ")
        assert row[9] == percent(figures["occupancy"])
    assert [row[5] for row in rows] == ["70.0% in 30s", "80.0% in 20s", "-"]


def test_one_replication_shows_no_half_width() -> None:
    single = sc.simulate(sc.load_scenario(_two_queues()), replications=1, seed=1, jobs=1)
    rows = console.table_rows(single, ["easy"])
    assert "±" not in " ".join(rows[0])


def test_the_plain_table_and_the_cost_line(results: sc.Results) -> None:
    out = io.StringIO()
    console.print_summary(results, stream=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == [
        "queue",
        "offered",
        "answered",
        "abandoned",
        "service",
        "level",
        "target",
        "verdict",
        "ASA",
        "abandoned",
        "%",
        "occupancy",
    ]
    assert [line.split()[0] for line in lines[1:4]] == ["easy", "hard", "ALL"]
    assert len({len(line) for line in lines[:4]}) <= 2  # aligned (trailing blanks stripped)
    agents = results.agents
    assert lines[4] == (
        f"cost {money(agents['cost'].sum())} per replication for "
        f"{agents['staffed_h'].sum():,.1f} staffed agent-hours "
        f"(easy-team {money(agents['cost'][0])}, hard-team {money(agents['cost'][1])})"
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_rich_table(results: sc.Results, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    out = _Terminal()
    console.print_summary(results, stream=out)
    text = out.getvalue()
    assert "┃" in text or "│" in text
    assert "missed" in text
    assert "met" in text


def test_an_80_column_terminal_folds_the_table_and_never_cuts_a_figure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Long queue names and ten-million counts at 80 columns: every figure printed whole."""
    monkeypatch.setenv("COLUMNS", "80")
    data = _many_queues(3)
    long_name = "vertragsverwaltung-privatkunden-und-geschaeftskunden"
    data["queues"][0]["name"] = long_name
    data["agents"][0]["skills"][0] = long_name
    many = sc.simulate(sc.load_scenario(data), replications=2, seed=3, jobs=1)
    rows = console.table_rows(many, [*console.shown_queues(many.summary, False)[0]])
    rows[1][1] = "10,000,000"  # a count as wide as a large centre's
    out = _Terminal()
    console._print_rich(rows, ["cost"], out)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    for row in rows:
        for cell in row[1:]:
            assert cell in text, cell  # whole, on one line
    assert rows[0][0][: console.QUEUE_WIDTH] in text  # a long name folds, it is not cut


# --- many queues ---------------------------------------------------------------------------


def test_many_queues_show_the_worst_then_all_and_a_count_of_the_rest() -> None:
    many = sc.simulate(sc.load_scenario(_many_queues(30)), replications=1, seed=2, jobs=1)
    summary = many.summary.set_index("queue")
    shown, left_out = console.shown_queues(many.summary, all_queues=False)
    assert (len(shown), shown[-1], left_out) == (console.WORST_QUEUES + 1, "ALL", 20)
    levels = summary.drop(index="ALL")["service_level"]
    worst = levels.loc[shown[:-1]]
    others = levels.drop(index=shown[:-1])
    assert worst.is_monotonic_increasing
    assert worst.max() <= others.min()  # no queue left out is worse than one shown
    verdicts = console.verdicts(many)
    rest = list(others.index)
    met = sum(verdicts[queue].verdict == "met" for queue in rest)
    missed = sum(verdicts[queue].verdict == "missed" for queue in rest)
    assert met + missed == len(rest)  # one replication: no interval, never too close to call
    assert console.rest_line(many, shown, left_out) == (
        f"20 more queues not shown ({met} met, {missed} missed the target); "
        "--all-queues shows them all"
    )
    shown_all, none_left = console.shown_queues(many.summary, all_queues=True)
    assert (len(shown_all), none_left) == (31, 0)


def test_a_few_queues_are_all_shown(results: sc.Results) -> None:
    assert console.shown_queues(results.summary, all_queues=False) == (["easy", "hard", "ALL"], 0)


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_run_prints_the_worst_queues_or_all_of_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _many_queues(20))
    common = ["run", str(path), "--no-plots", "--no-contacts", "--jobs", "1", "-n", "1"]
    assert main([*common, "-o", str(tmp_path / "a")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + console.WORST_QUEUES + 1 + 3  # header, worst, ALL, rest, cost, where
    assert lines[-3].startswith("10 more queues not shown (")
    assert main([*common, "-o", str(tmp_path / "b"), "--all-queues"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 20 + 1 + 2


def test_quiet_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _two_queues())
    assert (
        main(["run", str(path), "-o", str(tmp_path / "out"), "--quiet", "--no-plots", "-n", "1"])
        == 0
    )
    assert capsys.readouterr() == ("", "")
    assert (tmp_path / "out" / "summary.csv").is_file()


# --- JSON ----------------------------------------------------------------------------------


def test_json_is_the_only_output_and_matches_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _two_queues())
    outdir = tmp_path / "out"
    code = main(
        [
            "run",
            str(path),
            "-o",
            str(outdir),
            "--format",
            "json",
            "--no-plots",
            "-n",
            "2",
            "--jobs",
            "1",
        ]
    )
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    document = json.loads(captured.out)  # the whole of stdout is one JSON document
    assert set(document) == {
        "scenario",
        "seed",
        "replications",
        "outdir",
        "files",
        "summary",
        "agents",
        "cost",
        "warnings",
    }
    assert (document["scenario"], document["replications"], document["warnings"]) == ("two", 2, [])
    assert Path(document["outdir"]) == outdir
    assert {"summary.csv", "intervals.csv", "agents.csv", "scenario.yaml"} <= set(document["files"])
    assert all(Path(file).is_file() for file in document["files"].values())
    written = pd.read_csv(outdir / "summary.csv").set_index("queue")
    for row in document["summary"]:
        figures = written.loc[row["queue"]]
        assert row["offered"] == pytest.approx(figures["offered"])
        assert row["service_level"] == pytest.approx(figures["service_level"])
        if row["queue"] != "ALL":
            verdict = rule(
                figures["service_level"], figures["service_level_ci95"], row["sl_target"]
            )
            assert row["sl_verdict"] == verdict
            assert row["sl_met"] == {"met": True, "missed": False}.get(verdict)
    by_queue = {row["queue"]: row for row in document["summary"]}
    assert by_queue["ALL"]["sl_met"] is None
    assert by_queue["ALL"]["sl_verdict"] is None
    assert by_queue["easy"]["occupancy"] is None  # NaN becomes null
    agents = pd.read_csv(outdir / "agents.csv")
    assert document["cost"] == pytest.approx(agents["cost"].sum())


def test_json_carries_the_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _two_queues()
    data["agents"].append({"name": "spare", "count": 0, "skills": ["easy"]})
    path = _write(tmp_path, data)
    code = main(
        ["run", str(path), "-o", str(tmp_path / "out"), "--format", "json", "--no-plots", "-n", "1"]
    )
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert code == 0
    assert len(document["warnings"]) == 1
    assert document["warnings"][0].endswith(
        "agents[2].count: warning: the group has no agents (count 0)"
    )
    assert captured.err == document["warnings"][0] + "\n"  # also on standard error


def test_names_are_printed_as_text_never_as_rich_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A queue called "[red]q" shows its brackets on a terminal; it does not colour the row."""
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no cell is cut

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    row = ["[red]q", "1", "1", "0", "100%", "80%", "met", "1 s", "0%", "-"]
    out = Terminal()
    console._print_rich([row], ["[bold]cost"], out)

    text = out.getvalue()
    assert "[red]q" in text
    assert "[bold]cost" in text


# --- days ----------------------------------------------------------------------------------


def _three_days() -> dict[str, Any]:
    """``_two_queues`` over three days in Berlin, open 08:00-18:00, with an abandon cost."""
    data = _two_queues()
    data |= {"start": "2026-01-05T00:00", "timezone": "Europe/Berlin", "horizon": "3d"}
    for queue, rate in zip(data["queues"], (60, 120), strict=True):
        queue["arrivals"] = {
            "profile": {"start": "08:00", "interval": "10h", "volumes": [rate * 10]}
        }
        queue["abandon_cost"] = 2.5
    return data


@pytest.fixture(scope="module")
def days_results() -> sc.Results:
    return sc.simulate(sc.load_scenario(_three_days()), replications=2, seed=1, jobs=1)


def test_a_run_over_several_days_prints_a_day_table(days_results: sc.Results) -> None:
    out = io.StringIO()
    console.print_summary(days_results, stream=out)
    lines = out.getvalue().splitlines()
    daily = days_results.daily
    assert daily is not None
    every = daily[daily["queue"] == "ALL"].reset_index(drop=True)

    start = lines.index("") + 1
    assert lines[start].split()[:2] == ["day", "offered"]
    assert max(len(line) for line in lines[start:]) <= console.DAY_WIDTH
    for position, row in every.iterrows():
        line = lines[start + 1 + position]
        assert line.startswith(str(row["day"]))
        assert count(row["offered"]) in line
        assert f"{percent(row['service_level'])} ± {row['service_level_ci95'] * 100:.1f}" in line
    assert [line.split()[0] for line in lines[start + 1 : start + 4]] == [
        "2026-01-05",
        "2026-01-06",
        "2026-01-07",
    ]


def test_a_run_within_one_day_prints_no_day_table(results: sc.Results) -> None:
    assert console.day_lines(results) == []
    assert "days" not in console.json_document(results, Path("out"), [])


def test_the_day_table_folds_at_80_columns_and_repeats_the_day() -> None:
    rows = [["2026-01-05", "10,000,000", "99.9% ± 12.3", "2,834 s (0:47:14) ± 1,234", "12.3%",
             "45.6%", "1,234,567.89"]]  # fmt: skip
    groups = console.column_groups(rows, 80, console.DAY_HEADERS, chrome=2)
    assert len(groups) == 2
    for group in groups:
        assert group[0] == 0
        part = [[row[column] for column in group] for row in rows]
        table = console.plain_table(part, [console.DAY_HEADERS[column] for column in group])
        assert max(len(line) for line in table.splitlines()) <= 80
    assert sorted(column for group in groups for column in group[1:]) == list(range(1, 7))


def test_many_days_show_the_seven_worst_by_service_level() -> None:
    from simcenter import days

    levels = [0.9, 0.5, 0.7, float("nan"), 0.95, 0.4, 0.8, 0.85, 0.6, 0.3, 0.99, 0.75, 0.65,
              0.55, 0.88, 0.91, 0.45, 0.92, 0.93, 0.94]  # fmt: skip
    table = pd.DataFrame(
        {"day": [f"2026-02-{day:02d}" for day in range(1, 21)], "service_level": levels}
    )
    shown, left_out = days.shown_days(table)
    assert left_out == 13
    assert list(shown["service_level"]) == sorted(level for level in levels if level == level)[:7]
    assert days.rest_note(left_out, 20) == (
        "7 worst days by service level of 20; 13 more days in daily.csv"
    )
    few, none_left = days.shown_days(table.head(14))
    assert (list(few["day"]), none_left) == (list(table["day"][:14]), 0)


def test_json_has_the_days_of_a_run_over_several_days(days_results: sc.Results) -> None:
    document = console.json_document(days_results, Path("out"), [])
    daily = days_results.daily
    assert daily is not None
    every = daily[daily["queue"] == "ALL"]
    rows = daily[daily["queue"] != "ALL"]

    assert [day["day"] for day in document["days"]] == list(every["day"])
    assert [day["offered"] for day in document["days"]] == pytest.approx(list(every["offered"]))
    assert [day["service_level_ci95"] for day in document["days"]] == pytest.approx(
        list(every["service_level_ci95"])
    )
    abandoned = rows.groupby("day")["abandoned"].sum()
    agent_days = days_results.agent_days
    for day in document["days"]:
        agent_cost = (
            agent_days.loc[agent_days["day"] == day["day"], "cost"].sum()
            if agent_days is not None
            else math.nan
        )
        expected = agent_cost + 2.5 * abandoned[day["day"]]
        assert day["cost"] == (None if math.isnan(expected) else pytest.approx(expected))
    json.dumps(document, allow_nan=False)


def test_the_staffing_line_of_a_run_over_several_days(days_results: sc.Results) -> None:
    out = io.StringIO()
    console.print_summary(days_results, stream=out)
    text = out.getvalue()
    table = days_results.agent_intervals
    hours = 0.5  # every interval is half an hour long
    scheduled_h = (table["scheduled"] * hours).sum()
    present_h = (table["present"] * hours).sum()

    line = " ".join(part.strip() for part in text.split("staffing: ", 1)[1].splitlines())

    assert line.startswith(f"{scheduled_h:,.1f} agent-hours scheduled, {present_h:,.1f} present, ")
    assert scheduled_h == pytest.approx(13 * 72)  # 13 agents around the clock for three days
    document = console.json_document(days_results, Path("out"), [])
    assert document["staffing"]["scheduled_h"] == pytest.approx(scheduled_h)
    assert document["staffing"]["intervals"] == 144
    assert f"{document['staffing']['required_h']:,.1f} required by Erlang" in line
