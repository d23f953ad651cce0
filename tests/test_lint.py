"""Scenario lint: each warning with its exact text and location; clean scenarios print none."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import simcenter as sc
from simcenter.cli import main
from simcenter.lint import lint

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

QUEUE = """\
  - name: billing
    arrivals: {rate: 60/h}
    handle_time: {distribution: exponential, mean: 3min}
    patience: {distribution: exponential, mean: 2min}
"""


def _validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *options: str
) -> tuple[int, str, list[str]]:
    """Run ``simcenter validate`` on ``text``; the exit code, stdout and the stderr lines."""
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    code = main(["validate", str(path), *options])
    captured = capsys.readouterr()
    return code, captured.out, [line.removeprefix(str(path)) for line in captured.err.splitlines()]


def _warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> list[str]:
    code, out, err = _validate(tmp_path, capsys, text)
    assert code == 0
    assert out.endswith(f"ok ({len(err)} warning{'s' if len(err) != 1 else ''})\n")
    return err


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.name for path in SCENARIOS])
def test_the_example_scenarios_have_no_warning(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(path), "--strict"]) == 0
    assert capsys.readouterr() == (f"{path}: ok\n", "")


def test_overflow_to_a_group_that_has_the_skill(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"""\
name: t
queues:
{QUEUE}    overflow: {{after: 30s, to: [tier2]}}
agents:
  - {{name: tier1, count: 5, skills: [billing]}}
  - {{name: tier2, count: 5, skills: [billing]}}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ':7 queues[0].overflow.to[0]: warning: agent group "tier2" already has the skill '
        '"billing": it answers at once, so the overflow after 30s means nothing for it'
    ]


def test_arrivals_while_nobody_who_serves_the_queue_is_on_duty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A constant rate all day, agents 08:00-16:00: 16 h and 960 expected contacts uncovered."""
    text = f"""\
name: t
queues:
{QUEUE}agents:
  - name: day
    staffing: {{start: "08:00", interval: 1h, counts: [5, 5, 5, 5, 5, 5, 5, 5]}}
    skills: [billing]
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":4 queues[0].arrivals: warning: about 960 contacts arrive while no agent who serves "
        "the queue is on duty (16h in all; the first time Mon 2026-01-05 00:00 to 08:00)"
    ]


def test_a_staffing_plan_that_ends_hours_before_the_arrivals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = """\
name: t
queues:
  - name: billing
    arrivals:
      profile: {start: "08:00", interval: 1h, volumes: [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]}
    handle_time: {distribution: exponential, mean: 3min}
    patience: {distribution: exponential, mean: 2min}
agents:
  - name: day
    staffing: {start: "08:00", interval: 1h, counts: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5]}
    skills: [billing]
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":10 agents[0].staffing: warning: the plan ends at 18:00, 2h before the arrivals of "
        '"billing" end at 20:00: no agent who serves "billing" is on duty in between'
    ]


def test_a_queue_that_cannot_drain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One agent at 1000 calls an hour of 4 min, callers who never hang up: 66.7 Erlang on 1."""
    text = """\
name: t
queues:
  - name: billing
    arrivals: {rate: 1000/h}
    handle_time: {distribution: exponential, mean: 4min}
agents:
  - {name: solo, count: 1, skills: [billing]}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":3 queues[0]: warning: the offered load (66.7 Erlang on average) is more than all the "
        "agents who serve the queue can take (1.0 on duty on average), and its callers never "
        "abandon (no patience): the queue cannot drain"
    ]


def test_with_patience_an_overloaded_queue_drains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = """\
name: t
queues:
  - name: billing
    arrivals: {rate: 1000/h}
    handle_time: {distribution: exponential, mean: 4min}
    patience: {distribution: exponential, mean: 1min}
agents:
  - {name: solo, count: 1, skills: [billing]}
"""
    assert _validate(tmp_path, capsys, text) == (0, f"{tmp_path / 's.yaml'}: ok\n", [])


def test_zero_agents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = f"""\
name: t
queues:
{QUEUE}agents:
  - {{name: tier1, count: 5, skills: [billing]}}
  - {{name: tier2, count: 0, skills: [billing]}}
  - name: tier3
    staffing: {{counts: [0, 0]}}
    skills: [billing]
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":9 agents[1].count: warning: the group has no agents (count 0)",
        ":11 agents[2].staffing.counts: warning: every count is 0: "
        "the group never has an agent on duty",
    ]


def test_a_queue_with_no_arrivals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = """\
name: t
queues:
  - name: billing
    arrivals: {rate: 60/h, weekdays: {mon: 0}}
    handle_time: {distribution: exponential, mean: 3min}
agents:
  - {name: tier1, count: 5, skills: [billing]}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":4 queues[0].arrivals: warning: no contact arrives over the simulated time"
    ]


def test_a_warmup_longer_than_the_horizon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"""\
name: t
horizon: 1h
warmup: 2h
queues:
{QUEUE}agents:
  - {{name: tier1, count: 5, skills: [billing]}}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":3 warmup: warning: is longer than the horizon (2h > 1h): "
        "most of the simulated time is not measured"
    ]


def test_a_horizon_that_is_not_a_whole_number_of_intervals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"""\
name: t
horizon: 8h
interval: 45min
queues:
{QUEUE}agents:
  - {{name: tier1, count: 5, skills: [billing]}}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":3 interval: warning: the horizon (8h) is not a whole number of intervals (45min): "
        "the last interval is only 30min long"
    ]


def test_a_threshold_not_shorter_than_the_maximum_wait(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"""\
name: t
service_level: {{threshold: 30s}}
queues:
{QUEUE}    max_wait: {{after: 30s, outcome: voicemail}}
agents:
  - {{name: tier1, count: 5, skills: [billing]}}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":8 queues[0].max_wait.after: warning: the service-level threshold (30s) is not "
        "shorter than this maximum wait (30s): every contact answered in this queue counts "
        "as within the threshold"
    ]


def test_an_overflow_after_the_maximum_wait(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"""\
name: t
queues:
{QUEUE}    max_wait: {{after: 2min, outcome: voicemail}}
    overflow: {{after: 3min, to: [tier2]}}
agents:
  - {{name: tier1, count: 5, skills: [billing]}}
  - {{name: tier2, count: 5, skills: [tech]}}
  - {{name: tech-team, count: 1, skills: [tech]}}
"""
    text = text.replace(
        "agents:\n",
        "  - name: tech\n    arrivals: {rate: 1/h}\n"
        "    handle_time: {distribution: constant, mean: 1min}\nagents:\n",
    )
    assert _warnings(tmp_path, capsys, text) == [
        ":8 queues[0].overflow.after: warning: contacts leave at their maximum wait (2min) "
        "before they could overflow (3min): the overflow never happens"
    ]


def test_an_unused_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = f"""\
name: t
templates:
  spare:
    priority: 1
queues:
{QUEUE}agents:
  - {{name: tier1, count: 5, skills: [billing]}}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":3 templates.spare: warning: no queue uses this template"
    ]


def test_a_warning_about_a_template_value_points_to_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = """\
name: t
templates:
  client:
    handle_time: {distribution: exponential, mean: 3min}
    overflow: {after: 30s, to: [tier2]}
queues:
  - {name: a, template: client, arrivals: {rate: 6/h}}
  - {name: b, template: client, arrivals: {rate: 6/h}}
agents:
  - {name: tier1, count: 5, skills: [a, b]}
  - {name: tier2, count: 5, skills: [a]}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ':5 templates.client.overflow.to[0]: warning: agent group "tier2" already has the '
        'skill "a": it answers at once, so the overflow after 30s means nothing for it'
    ]


# --- --strict and run ------------------------------------------------------------------

_OVERFLOW = f"""\
name: t
horizon: 30min
queues:
{QUEUE}    overflow: {{after: 30s, to: [tier2]}}
agents:
  - {{name: tier1, count: 5, skills: [billing]}}
  - {{name: tier2, count: 5, skills: [billing]}}
"""


def test_strict_validate_fails_on_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _validate(tmp_path, capsys, _OVERFLOW, "--strict")
    assert (code, out) == (2, "")
    assert err[0].startswith(":8 queues[0].overflow.to[0]: warning: ")
    assert err[1:] == [": 1 warning, treated as errors (--strict)"]


def test_run_warns_before_simulating_and_strict_stops_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(_OVERFLOW, encoding="utf-8")
    strict_out = tmp_path / "strict"
    assert main(["run", str(path), "-o", str(strict_out), "--strict", "--no-plots"]) == 2
    assert not strict_out.exists()  # nothing simulated
    capsys.readouterr()
    assert main(["run", str(path), "-o", str(tmp_path / "out"), "--no-plots", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"{path}:8 queues[0].overflow.to[0]: warning: ")


def test_lint_of_a_scenario_without_a_file_has_key_paths_only() -> None:
    scenario = sc.load_scenario(
        {
            "name": "t",
            "queues": [
                {
                    "name": "q",
                    "arrivals": {"rate": "1000/h"},
                    "handle_time": {"distribution": "constant", "mean": "4min"},
                }
            ],
            "agents": [{"name": "g", "count": 1, "skills": ["q"]}],
        }
    )
    (warning,) = lint(scenario)
    assert (warning.loc, warning.file, warning.line) == (("queues", 0), None, None)
    assert str(warning).startswith("queues[0]: the offered load (66.7 Erlang on average)")


# --- plain numbers that are implausible as seconds -----------------------------------------


def test_implausible_plain_numbers_are_flagged_where_they_were_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``horizon: 8`` is 8 s, ``rate: 120`` is 120 per second, ``mean: 3`` is 3 s: all flagged."""
    text = """\
name: t
horizon: 28800
interval: 30
templates:
  short: {patience: {distribution: uniform, low: 1, high: 4}}
queues:
  - name: billing
    template: short
    arrivals: {rate: 120}
    handle_time: {distribution: exponential, mean: 3}
  - name: tech
    arrivals: {rate: 0.05}
    handle_time: {distribution: exponential, mean: 240}
    patience: {distribution: exponential, mean: 2min}
agents:
  - {name: tier1, count: 5, skills: [billing, tech]}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":3 interval: warning: the plain number 30 is read as 30 seconds; if that is not "
        "what was meant, write a unit (for example 30min)",
        ":5 templates.short.patience.high: warning: the plain number 4 is read as 4 seconds; "
        "if that is not what was meant, write a unit (for example 4min)",
        ":9 queues[0].arrivals.rate: warning: the plain number 120 is read as 120 contacts "
        "per second; if that is not what was meant, write a unit (for example 120/h)",
        ":10 queues[0].handle_time.mean: warning: the plain number 3 is read as 3 seconds; "
        "if that is not what was meant, write a unit (for example 3min)",
    ]


def test_plausible_plain_numbers_and_numbers_with_units_are_not_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"""\
name: t
horizon: 8h
interval: 60
queues:
{QUEUE}    wrap_up: {{distribution: constant, mean: 2}}
agents:
  - {{name: tier1, count: 5, skills: [billing]}}
"""
    assert _validate(tmp_path, capsys, text)[0::2] == (0, [])


def test_a_plain_number_given_with_set_is_flagged_and_strict_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    text = f"name: t\nhorizon: 1h\nqueues:\n{QUEUE}agents:\n"
    path.write_text(text + "  - {name: tier1, count: 5, skills: [billing]}\n", encoding="utf-8")
    out = tmp_path / "out"
    options = ["--set", "queues.billing.patience.mean=3", "-o", str(out), "--no-plots"]
    assert main(["run", str(path), *options, "--strict"]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert (
        f"{path}:7 queues[0].patience.mean: warning: the plain number 3 is read as 3 seconds"
    ) in err
    assert err.endswith("1 warning, treated as errors (--strict)\n")


# --- agents paid to sit idle ---------------------------------------------------------------


def test_agents_on_duty_when_none_of_their_queues_has_demand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A week: weekday arrivals 08:00-16:00; a constant count works nights and weekends.

    ``day`` (2 agents all week at 30/h): 168 h on duty, 5 × 8 h with arrivals,
    less the hour after arrivals stop and the hour before they start (the
    queue drains, the agents get ready): 7 + 4 × 14 + 55 = 118 h and 236
    agent-hours idle, 7,080.00. ``plan`` (1 agent 08:00-16:00
    every day at 20/h): idle on Saturday and Sunday, 16 h, 320.00.
    """
    text = """\
name: t
start: 2026-01-05T00:00
horizon: 7d
interval: 1h
queues:
  - name: billing
    arrivals:
      profile: {start: "08:00", interval: 1h, volumes: [9, 9, 9, 9, 9, 9, 9, 9]}
      weekdays: {sat: 0, sun: 0}
    handle_time: {distribution: exponential, mean: 3min}
    patience: {distribution: exponential, mean: 2min}
agents:
  - {name: day, count: 2, skills: [billing], cost_per_hour: 30}
  - name: plan
    skills: [billing]
    cost_per_hour: 20
    staffing: {start: "08:00", interval: 1h, counts: [1, 1, 1, 1, 1, 1, 1, 1]}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":13 agents[0].count: warning: agents are on duty while no contact arrives for any "
        "queue they serve: 236.0 agent-hours in 118.0 hours (the first time Mon 2026-01-05 00:00 "
        "to 07:00), costing 7,080.00",
        ":17 agents[1].staffing: warning: agents are on duty while no contact arrives for any "
        "queue they serve: 16.0 agent-hours in 16.0 hours (the first time Sat 2026-01-10 08:00 to "
        "16:00), costing 320.00",
    ]


def test_agents_who_work_only_while_contacts_arrive_are_not_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = """\
name: t
horizon: 1d
queues:
  - name: billing
    arrivals:
      profile: {start: "08:00", interval: 1h, volumes: [9, 9, 9, 9, 9, 9, 9, 9]}
    handle_time: {distribution: exponential, mean: 3min}
    patience: {distribution: exponential, mean: 2min}
agents:
  - name: plan
    skills: [billing]
    staffing: {start: "07:45", interval: 15min, counts: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}
"""
    assert _validate(tmp_path, capsys, text)[0::2] == (0, [])  # the hour after 16:00 drains


# --- shifts -------------------------------------------------------------------------------


def test_arrivals_while_no_shift_covers_the_queue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A constant rate all day, a shift 08:00-16:00: 16 h and 960 expected contacts uncovered."""
    text = f"""\
name: t
queues:
{QUEUE}agents:
  - name: day
    shifts: [{{start: "08:00", end: "16:00", count: 5}}]
    skills: [billing]
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":4 queues[0].arrivals: warning: about 960 contacts arrive while no agent who serves "
        "the queue is on duty (16h in all; the first time Mon 2026-01-05 00:00 to 08:00)"
    ]


def test_shifts_around_the_clock_cover_the_queue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Early, late and night shift (the night one from the day before the run) leave no gap."""
    text = f"""\
name: t
horizon: 7d
queues:
{QUEUE}agents:
  - name: team
    skills: [billing]
    shifts:
      - {{name: early, start: "06:00", end: "14:00", count: 3}}
      - {{name: late, start: "14:00", end: "22:00", count: 3}}
      - {{name: night, start: "22:00", end: "06:00", count: 2}}
"""
    assert _validate(tmp_path, capsys, text)[1:] == (f"{tmp_path / 's.yaml'}: ok\n", [])


def test_the_last_shift_ends_hours_before_the_arrivals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = """\
name: t
queues:
  - name: billing
    arrivals:
      profile: {start: "08:00", interval: 1h, volumes: [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]}
    handle_time: {distribution: exponential, mean: 3min}
    patience: {distribution: exponential, mean: 2min}
agents:
  - name: day
    shifts: [{start: "08:00", end: "12:00", count: 4}, {start: "12:00", end: "18:00", count: 4}]
    skills: [billing]
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":10 agents[0].shifts: warning: the last shift ends at 18:00, 2h before the arrivals of "
        '"billing" end at 20:00: no agent who serves "billing" is on duty in between'
    ]


def test_a_break_that_leaves_the_group_with_nobody(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both shifts break at 12:00 (flagged once, at the first); staggered breaks are not."""
    text = f"""\
name: t
queues:
{QUEUE}agents:
  - name: day
    skills: [billing]
    shifts:
      - {{start: "00:00", end: "24:00", count: 2, breaks: [{{at: "12:00", duration: 30min}}]}}
      - {{start: "06:00", end: "18:00", count: 1, breaks: [{{at: "12:00", duration: 15min}}]}}
  - name: other
    skills: [billing]
    shifts:
      - {{start: "00:00", end: "24:00", count: 2, breaks: [{{at: "12:00", duration: 30min}}]}}
      - {{start: "06:00", end: "18:00", count: 1, breaks: [{{at: "12:30", duration: 15min}}]}}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":11 agents[0].shifts[0].breaks: warning: every agent of the group on duty is on a "
        "break at once (the first time Mon 2026-01-05 12:00 to 12:30): nobody in the group is "
        "present then; stagger the breaks or keep other agents on duty"
    ]


def test_a_shift_written_twice_and_a_shift_without_agents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"""\
name: t
queues:
{QUEUE}agents:
  - name: team
    skills: [billing]
    shifts:
      - {{name: a, start: "00:00", end: "12:00", count: 3, days: [mon, tue]}}
      - {{name: b, start: "12:00", end: "24:00", count: 3}}
      - {{name: c, start: "00:00", end: "12:00", count: 3, days: [tue, wed, mon]}}
      - {{name: d, start: "00:00", end: "12:00", count: 0, days: [sun]}}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":13 agents[0].shifts[2]: warning: has the same hours as shifts[0] (00:00 to 12:00 on "
        "mon, tue): the group has the agents of both then; if one shift was meant, give it the "
        "total count",
        ":14 agents[0].shifts[3].count: warning: the shift has no agents (count 0)",
    ]


def test_warning_times_after_a_daylight_saving_change_read_as_the_clocks_show_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On 29 March 2026 Berlin skips 02:00-03:00: 08:00 is 7 h after midnight, not 8."""
    text = f"""\
name: t
start: 2026-03-29T00:00
timezone: Europe/Berlin
horizon: 23h
queues:
{QUEUE}agents:
  - name: day
    shifts: [{{start: "08:00", end: "24:00", count: 5}}]
    skills: [billing]
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":7 queues[0].arrivals: warning: about 420 contacts arrive while no agent who serves "
        "the queue is on duty (7h in all; the first time Sun 2026-03-29 00:00 to 08:00)"
    ]


def test_absence_in_a_group_without_shifts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"""\
name: t
queues:
{QUEUE}agents:
  - name: team
    count: 5
    skills: [billing]
    absence: {{probability: 0.05}}
  - name: shifted
    shifts: [{{start: "00:00", end: "24:00", count: 2}}]
    skills: [billing]
    absence: {{probability: 0.05}}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":11 agents[0].absence: warning: the group has no shifts: absence (an agent missing a "
        "whole shift) never applies to the agents of count or staffing"
    ]


def test_special_dates_outside_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A date of a queue or of the calendar outside the run's local days never applies."""
    text = """\
name: t
timezone: Europe/Berlin
horizon: 7d
calendar: {dates: {2025-12-24: 0.5, 2026-01-11: 0.2}}
queues:
  - name: billing
    arrivals: {rate: 60/h, dates: {2026-01-05: 0.5, 2026-01-12: 0}}
    handle_time: {distribution: exponential, mean: 3min}
agents:
  - {name: team, count: 5, skills: [billing]}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":4 calendar.dates.2025-12-24: warning: is outside the run (the run's days are "
        "2026-01-05 to 2026-01-11): its factor never applies",
        ":7 queues[0].arrivals.dates.2026-01-12: warning: is outside the run (the run's days are "
        "2026-01-05 to 2026-01-11): its factor never applies",
    ]


def test_a_shift_whose_days_fall_on_other_weekdays_in_the_scenario_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Manila's weekday mornings start on Berlin's previous evenings; a shift starting the
    same local weekday in both zones, a shift on every day and one in the scenario's own
    zone are not flagged."""
    text = """\
name: t
timezone: Europe/Berlin
horizon: 7d
queues:
  - name: billing
    arrivals: {rate: 60/h}
    handle_time: {distribution: exponential, mean: 3min}
agents:
  - {name: berlin, count: 2, skills: [billing]}
  - name: abroad
    skills: [billing]
    shifts:
      - {start: "06:00", end: "14:00", count: 3, days: [mon, tue, wed], timezone: Asia/Manila}
      - {start: "10:00", end: "18:00", count: 3, days: [mon, tue, wed], timezone: Asia/Manila}
      - {start: "07:00", end: "14:00", count: 3, timezone: Asia/Manila}
      - {start: "06:00", end: "14:00", count: 3, days: [mon], timezone: Europe/Berlin}
      - {start: "20:00", end: "23:00", count: 1, days: [fri], timezone: America/New_York}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":13 agents[1].shifts[0].days: warning: are weekdays in Asia/Manila, the shift's zone: "
        "its Tuesday 06:00 start is Monday 23:00 in Europe/Berlin, whose days demand, dates "
        "and daily reports use (3 of its starts in the run fall on another weekday there); to "
        "mean days there, give the shift's hours in Europe/Berlin",
        ":17 agents[1].shifts[4].days: warning: are weekdays in America/New_York, the shift's "
        "zone: its Friday 20:00 start is Saturday 02:00 in Europe/Berlin, whose days demand, "
        "dates and daily reports use (1 of its starts in the run fall on another weekday "
        "there); to mean days there, give the shift's hours in Europe/Berlin",
    ]


def test_a_plain_number_in_a_period_of_the_day_is_flagged_where_it_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = """\
name: t
queues:
  - name: billing
    arrivals: {rate: 60/h}
    handle_time:
      periods:
        interval: 12h
        values:
          - {distribution: exponential, mean: 3min}
          - {distribution: exponential, mean: 4}
agents:
  - {name: tier1, count: 5, skills: [billing]}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":10 queues[0].handle_time.periods.values[1].mean: warning: the plain number 4 is read "
        "as 4 seconds; if that is not what was meant, write a unit (for example 4min)",
    ]


def test_an_ivr_that_resolves_every_contact_of_a_served_queue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self_service: 1`` leaves nothing for the agents; below 1, or unserved, is not flagged."""
    text = """\
name: t
queues:
  - name: billing
    arrivals: {rate: 60/h}
    handle_time: {distribution: exponential, mean: 3min}
    ivr: {duration: {distribution: constant, mean: 30s}, self_service: 1}
  - name: tech
    arrivals: {rate: 60/h}
    handle_time: {distribution: exponential, mean: 3min}
    ivr: {duration: {distribution: constant, mean: 30s}, self_service: 0.99}
agents:
  - {name: team, count: 5, skills: [billing, tech]}
"""
    assert _warnings(tmp_path, capsys, text) == [
        ":6 queues[0].ivr.self_service: warning: is 1: the IVR resolves every contact, so the "
        "agents of team never get one of billing",
    ]
