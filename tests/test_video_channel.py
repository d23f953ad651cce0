"""The video channel: a queue like a voice queue, reported as a channel of its own.

A centre with two voice and two video queues (interleaved, video first) is
simulated once, and the channel rows (``ALL video``, ``ALL voice``) of every
table are checked against an independent computation:

- from the contact log, contact by contact: offered, answered, abandoned,
  answered in target (each contact against its own queue's threshold),
  service level, ASA, mean and longest wait, with ``==`` for counts;
- from the queue rows of the same table: counts summed, and ``ALL`` equal to
  the sum over the channel rows;
- on a random replication record with three service-level definitions, from a
  loop over its contacts (the channel's common definition, else ``offered``).

A video queue simulates exactly as the same queue declared voice: same seed,
same contact log but for the ``channel`` column. A centre of one channel has
neither channel rows nor a ``channel`` column. ``chat`` and ``email`` stay
refused; so does any other channel, and the names of the total rows.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import statistics
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from recording import within_histogram_error
from test_reports import random_meta, random_record

import simcenter as sc
from simcenter import analysis, plotting, reports
from simcenter.cli import console
from simcenter.cli.sweep_command import sweep_text
from simcenter.errors import ScenarioError
from simcenter.loading import scenario_json_schema
from simcenter.plotting.sweep import worst_queues
from simcenter.records import OUTCOMES, ReplicationRecord, RunMeta
from simcenter.results import Results
from simcenter.scenario import Scenario, build_scenario
from simcenter.studies.precision import (
    controllable_queues,
    controlled_summary,
    widest_service_level_half_width,
)
from simcenter.verdicts import summary_verdicts

QUEUES = ("video-support", "support", "video-sales", "sales")
CHANNEL_OF = {
    "video-support": "video",
    "support": "voice",
    "video-sales": "video",
    "sales": "voice",
}
ROWS = [*QUEUES, "ALL video", "ALL voice", "ALL"]
"""Rows of every per-queue table: the queues, the channels in order of their first queue, ALL."""
TOTALS = {"ALL video": ["video-support", "video-sales"], "ALL voice": ["support", "sales"]}
COUNTS = ["offered", "answered", "abandoned", "answered_in_target", "abandoned_in_target"]
PERCENTILES = {"wait_p50_s": 50, "wait_p90_s": 90, "wait_p95_s": 95}


def _queue(name: str, rate: str, mean: str, **keys: Any) -> dict[str, Any]:
    return {
        "name": name,
        "arrivals": {"rate": rate},
        "handle_time": {"distribution": "exponential", "mean": mean},
        "patience": {"distribution": "exponential", "mean": "90s"},
        **keys,
    }


def centre(video: str = "video") -> dict[str, Any]:
    """Two voice and two video queues (``video`` is the channel of the video ones).

    Eight hours from 20:00, so the run covers two calendar days; retrials on
    ``support``, so that it has a customer table; the queues' thresholds
    differ (20, 60 and 30 s).
    """
    return {
        "name": "video",
        "seed": 17,
        "start": "2026-01-05T20:00",
        "timezone": "UTC",
        "horizon": "8h",
        "interval": "1h",
        "replications": 3,
        "service_level": {"threshold": "20s", "target": 0.8},
        "queues": [
            _queue(
                "video-support", "40/h", "6min", channel=video, service_level={"threshold": "60s"}
            ),
            _queue(
                "support",
                "90/h",
                "4min",
                retrial={"probability": 0.5, "delay": {"distribution": "constant", "mean": "5min"}},
            ),
            _queue("video-sales", "15/h", "5min", channel=video),
            _queue("sales", "30/h", "3min", service_level={"threshold": "30s"}),
        ],
        "agents": [
            {"name": "team", "count": 9, "skills": ["support", "video-support"]},
            {"name": "sellers", "count": 4, "skills": ["sales", "video-sales"]},
        ],
    }


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return build_scenario(centre())


@pytest.fixture(scope="module")
def results(scenario: Scenario) -> Results:
    """Three replications of the mixed centre, with the contact log."""
    return sc.simulate(scenario)


@pytest.fixture(scope="module")
def voiced() -> Results:
    """The same centre with every queue declared voice."""
    return sc.simulate(build_scenario(centre(video="voice")))


@pytest.fixture(scope="module")
def outdir(results: Results, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mixed centre's output folder, with plots and the report."""
    return results.save(tmp_path_factory.mktemp("video") / "out", report=True)


def names(frame: pd.DataFrame) -> list[str]:
    return [str(name) for name in frame["queue"]]


def contacts_of(results: Results) -> pd.DataFrame:
    log = results.contacts
    assert log is not None
    return log


# --- the channel rows, computed again from the contact log --------------------------


def log_figures(log: pd.DataFrame, thresholds: dict[str, float]) -> dict[str, float]:
    """Summary figures of some contacts, one at a time (each against its own queue's threshold)."""
    waits = [float(wait) for wait in log["wait_s"]]
    answered = log[log["outcome"] == "answered"]
    within = [
        float(row.wait_s) <= thresholds[str(row.queue)]
        for row in log.itertuples()
        if row.outcome == "answered"
    ]
    abandoned = log[log["outcome"] == "abandoned"]
    return {
        "offered": len(log),
        "answered": len(answered),
        "abandoned": len(abandoned),
        "answered_in_target": sum(within),
        "abandoned_in_target": sum(
            float(row.wait_s) <= thresholds[str(row.queue)] for row in abandoned.itertuples()
        ),
        "service_level": sum(within) / len(log),
        "asa_s": statistics.fmean(float(wait) for wait in answered["wait_s"]),
        "mean_wait_s": statistics.fmean(waits),
        "max_wait_s": max(waits),
    }


def thresholds_of(scenario: Scenario) -> dict[str, float]:
    return {queue.name: scenario.service_level_of(queue).threshold for queue in scenario.queues}


@pytest.mark.parametrize("row", ["ALL video", "ALL voice", "ALL"])
def test_total_rows_equal_the_contact_log_of_their_queues(
    results: Results, scenario: Scenario, row: str
) -> None:
    log = contacts_of(results)
    members = TOTALS.get(row, list(QUEUES))
    table = results.replications.set_index(["replication", "queue"])
    for replication in range(3):
        own = log[(log["replication"] == replication) & log["queue"].isin(members)]
        actual = table.loc[(replication, row)]
        expected = log_figures(own, thresholds_of(scenario))
        for name in COUNTS:
            assert actual[name] == expected[name], (replication, name)
        for name in ("service_level", "asa_s", "mean_wait_s", "max_wait_s"):
            assert actual[name] == pytest.approx(expected[name], rel=1e-12), (replication, name)
        waits = own["wait_s"].to_numpy()
        for name, percent in PERCENTILES.items():
            assert within_histogram_error(actual[name], float(np.percentile(waits, percent))), name
    assert (log["channel"].astype(str) == log["queue"].astype(str).map(CHANNEL_OF)).all()


def test_channel_rows_sum_their_queue_rows_and_add_up_to_all(results: Results) -> None:
    table = results.replications.set_index(["replication", "queue"])
    outcomes = ["blocked", "balked", "voicemail", "disconnected", "transferred", "in_system"]
    counts = COUNTS + [name for name in outcomes if name in table.columns]
    for replication in range(3):
        part = table.loc[replication]
        for row, members in TOTALS.items():
            assert (part.loc[row, counts] == part.loc[members, counts].sum()).all(), row
            expected = (
                part.loc[members, "answered_in_target"].sum() / part.loc[members, "offered"].sum()
            )
            assert part.loc[row, "service_level"] == pytest.approx(expected, rel=1e-15)
            waited = (part.loc[members, "asa_s"] * part.loc[members, "answered"]).sum()
            assert part.loc[row, "asa_s"] == pytest.approx(
                waited / part.loc[members, "answered"].sum(), rel=1e-12
            )
            assert part.loc[row, "max_wait_s"] == part.loc[members, "max_wait_s"].max()
        assert (part.loc["ALL", counts] == part.loc[list(TOTALS), counts].sum()).all()
        assert part.loc[list(TOTALS), "occupancy"].isna().all()
        assert part.loc["ALL", "occupancy"] > 0


def test_summary_rows_and_channel_column(results: Results) -> None:
    summary = results.summary
    assert names(summary) == ROWS
    assert list(summary.columns[:2]) == ["queue", "channel"]
    assert list(summary["channel"].astype(str)) == [
        *(CHANNEL_OF[queue] for queue in QUEUES),
        "video",
        "voice",
        "ALL",
    ]
    means = results.replications.groupby("queue", observed=True, sort=False)[COUNTS].mean()
    pd.testing.assert_frame_equal(
        summary.set_index(summary["queue"].astype(str))[COUNTS],
        means.set_axis(means.index.astype(str)).loc[ROWS],
        check_names=False,
    )
    assert list(results.replications.columns[:3]) == ["replication", "queue", "channel"]
    assert names(results.replications) == ROWS * 3


def test_interval_and_day_rows_add_up(results: Results) -> None:
    for table, keys in ((results.intervals, ["interval"]), (results.daily, ["day"])):
        assert table is not None
        assert "channel" in table.columns
        assert list(table.columns).index("channel") == list(table.columns).index("queue") + 1
        for key, part in table.groupby(keys, sort=False):
            assert names(part) == ROWS, key
            part = part.set_index(part["queue"].astype(str))
            for row, members in TOTALS.items():
                assert part.loc[row, COUNTS].to_numpy() == pytest.approx(
                    part.loc[members, COUNTS].sum().to_numpy(), rel=1e-12
                ), (key, row)
            assert part.loc["ALL", COUNTS].to_numpy() == pytest.approx(
                part.loc[list(TOTALS), COUNTS].sum().to_numpy(), rel=1e-12
            )
        over_time = table.groupby(table["queue"].astype(str), sort=False)["offered"].sum()
        summary = results.summary.set_index(results.summary["queue"].astype(str))["offered"]
        assert list(over_time.loc[ROWS]) == pytest.approx(list(summary.loc[ROWS]), rel=1e-12)
    assert results.day_count == 2
    assert (
        results.intervals.loc[
            results.intervals["queue"].isin(list(TOTALS)), ["agents_staffed", "occupancy"]
        ]
        .isna()
        .all(axis=None)
    )


def test_customer_rows_add_up(results: Results) -> None:
    customers = results.customers
    assert customers is not None
    assert names(customers) == ROWS
    table = customers.set_index(customers["queue"].astype(str))
    figures = ["customers", "attempts", "retrials", "repeat_calls", "finally_lost"]
    for row, members in TOTALS.items():
        assert table.loc[row, figures].to_numpy() == pytest.approx(
            table.loc[members, figures].sum().to_numpy(), rel=1e-12
        )
    summary = results.summary.set_index(results.summary["queue"].astype(str))
    assert list(table["contact_service_level"]) == list(summary.loc[ROWS, "service_level"])


def test_offered_work_has_the_channel_rows(results: Results) -> None:
    work = results.offered_work
    assert work is not None
    table = work[work["replication"] == 0].set_index("queue")["offered_work_s"]
    assert list(table.index.astype(str)) == ROWS
    for row, members in TOTALS.items():
        assert table.loc[row] == pytest.approx(table.loc[members].sum(), rel=1e-12)


# --- the same rows from a random record, against a loop over its contacts ----------


def loop_total(
    meta: RunMeta, record: ReplicationRecord, queues: list[int], definition: str
) -> dict[str, float]:
    """The figures of a total row over ``queues``, one contact at a time."""
    contacts = record.contacts
    offered = answered = abandoned = in_target = short_abandons = 0
    waits, answered_waits = [], []
    for index in range(len(contacts["queue"])):
        queue = int(contacts["queue"][index])
        if queue not in queues:
            continue
        outcome = OUTCOMES[contacts["outcome"][index]]
        wait = float(contacts["wait_s"][index])
        within = wait <= meta.sl_threshold_s[queue]
        offered += 1
        waits.append(wait)
        if outcome == "answered":
            answered += 1
            answered_waits.append(wait)
            in_target += within
        if outcome == "abandoned":
            abandoned += 1
            short_abandons += within
    denominator = {
        "offered": offered,
        "answered": answered,
        "exclude_short_abandons": offered - short_abandons,
    }[definition]
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "answered_in_target": in_target,
        "abandoned_in_target": short_abandons,
        "service_level": in_target / denominator,
        "asa_s": statistics.fmean(answered_waits),
        "mean_wait_s": statistics.fmean(waits),
        "max_wait_s": max(waits),
    }


@pytest.mark.parametrize(
    ("channels", "row", "queues", "definition"),
    [
        # billing "offered" and sales "exclude_short_abandons": no common definition
        (("voice", "video", "voice"), "ALL voice", [0, 2], "offered"),
        (("voice", "video", "voice"), "ALL video", [1], "answered"),
        (("video", "voice", "video"), "ALL video", [0, 2], "offered"),
        (("video", "video", "voice"), "ALL video", [0, 1], "offered"),
        (("video", "voice", "voice"), "ALL voice", [1, 2], "offered"),
        (("voice", "voice", "video"), "ALL video", [2], "exclude_short_abandons"),
    ],
)
def test_channel_row_equals_a_loop_over_the_contacts(
    channels: tuple[str, ...], row: str, queues: list[int], definition: str
) -> None:
    meta = dataclasses.replace(random_meta(), channels=channels)
    record = random_record(meta, np.random.default_rng(20260107))

    summary = reports.replication_summary(meta, record).set_index("queue")

    expected = loop_total(meta, record, queues, definition)
    for name, value in expected.items():
        assert summary.loc[row, name] == pytest.approx(value, rel=1e-12), name
    everything = loop_total(meta, record, [0, 1, 2], "offered")
    assert summary.loc["ALL", "offered"] == everything["offered"] == len(record.contacts["queue"])


def test_interval_rows_of_a_random_record_are_interval_major() -> None:
    meta = dataclasses.replace(random_meta(), channels=("voice", "video", "voice"))
    record = random_record(meta, np.random.default_rng(3))

    intervals = reports.replication_intervals(meta, record)
    daily = reports.replication_daily(meta, record)
    summary = reports.replication_summary(meta, record).set_index("queue")

    rows = ["billing", "tech", "sales", "ALL voice", "ALL video", "ALL"]
    assert names(intervals) == rows * 12
    assert names(daily) == rows
    counts = intervals.groupby("queue", observed=True)[COUNTS].sum()
    pd.testing.assert_frame_equal(counts.loc[rows], summary.loc[rows, COUNTS], check_names=False)
    assert (daily.set_index("queue").loc[rows, COUNTS] == summary.loc[rows, COUNTS]).all(axis=None)


# --- video behaves as voice -----------------------------------------------------------


def test_a_video_queue_simulates_exactly_as_a_voice_queue(
    results: Results, voiced: Results
) -> None:
    log, voice_log = contacts_of(results), contacts_of(voiced)

    pd.testing.assert_frame_equal(log.drop(columns="channel"), voice_log.drop(columns="channel"))
    assert set(voice_log["channel"].astype(str)) == {"voice"}

    def rows(summary: pd.DataFrame, queues: list[str]) -> pd.DataFrame:
        table = summary.assign(queue=summary["queue"].astype(str)).drop(
            columns="channel", errors="ignore"
        )
        return table.set_index("queue").loc[queues]

    kept = [*QUEUES, "ALL"]
    pd.testing.assert_frame_equal(rows(results.summary, kept), rows(voiced.summary, kept))
    pd.testing.assert_frame_equal(results.agents, voiced.agents)


def test_one_channel_has_no_channel_rows_nor_column(voiced: Results, tmp_path: Path) -> None:
    folder = voiced.save(tmp_path / "out", plots=False)

    for name in ("summary", "replications", "intervals", "daily", "customers"):
        table = getattr(voiced, name)
        assert "channel" not in table.columns, name
        assert not any(queue.startswith("ALL ") for queue in names(table)), name
        header = (folder / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert "channel" not in header.split(","), name
    assert names(voiced.summary) == [*QUEUES, "ALL"]
    assert set(contacts_of(voiced)["channel"].astype(str)) == {"voice"}


# --- what reads the tables -------------------------------------------------------------


def test_saved_files_have_the_channel_rows(outdir: Path) -> None:
    for name in ("summary", "replications", "intervals", "daily", "customers"):
        table = pd.read_csv(outdir / f"{name}.csv")
        assert {"ALL video", "ALL voice", "ALL"} <= set(table["queue"]), name
        assert set(table.loc[table["queue"] == "ALL video", "channel"]) == {"video"}
        assert set(table.loc[table["queue"] == "ALL", "channel"]) == {"ALL"}
    contacts = pd.read_parquet(outdir / "contacts.parquet")
    assert set(contacts.loc[contacts["queue"] == "video-sales", "channel"]) == {"video"}
    assert (outdir / "plots" / "wait_percentiles.png").is_file()


def test_console_shows_the_channel_rows(results: Results) -> None:
    stream = io.StringIO()
    console.print_summary(results, stream=stream)
    lines = stream.getvalue().splitlines()

    assert [line.split("  ")[0].strip() for line in lines[1:8]] == ROWS
    assert console.shown_queues(results.summary, all_queues=False) == (ROWS, 0)
    document = console.json_document(results, Path("out"), [])
    assert [row["queue"] for row in document["summary"]] == ROWS
    assert [row["channel"] for row in document["summary"]][-3:] == ["video", "voice", "ALL"]
    json.dumps(document, allow_nan=False)


def test_verdicts_of_the_channel_rows(results: Results) -> None:
    judged = summary_verdicts(results.summary, results.meta)

    # Video queues: 60 s and 20 s thresholds, no common objective; voice: 20 s and 30 s.
    assert math.isnan(judged["ALL video"].target)
    assert judged["ALL video"].verdict is None
    assert math.isnan(judged["ALL voice"].target)
    voice_only = dataclasses.replace(results.meta, sl_threshold_s=(60.0, 20.0, 60.0, 20.0))
    judged = summary_verdicts(results.summary, voice_only)
    assert (judged["ALL video"].threshold_s, judged["ALL video"].target) == (60.0, 0.8)
    assert judged["ALL video"].verdict is not None


def test_the_report_shows_the_channel_rows(outdir: Path) -> None:
    text = (outdir / "report.html").read_text(encoding="utf-8")
    table = text[text.index('data-table="queues"') :]
    table = table[: table.index("</table>")]

    first_cells = [row.split("<td>")[1].split("</td>")[0] for row in table.split("<tr>")[2:]]
    assert first_cells == ROWS
    assert "<th>channel</th>" in table


def test_plots_and_analysis_leave_the_channel_rows_out_of_the_queues(results: Results) -> None:
    offered = plotting._common.offered_by_queue(results.summary)
    assert offered is not None
    assert list(offered.index) == list(QUEUES)
    figure = plotting.wait_percentiles_figure(results.summary, results.meta)
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert labels == ROWS
    required = analysis.required_agents(results.intervals, results.meta)
    assert list(dict.fromkeys(required["queue"])) == list(QUEUES)
    day = results.by_time_of_day()
    assert list(dict.fromkeys(day["queue"].astype(str))) == ROWS
    assert list(day.columns[:3]) == ["queue", "channel", "time_of_day"]
    assert set(day.loc[day["queue"] == "ALL video", "channel"]) == {"video"}
    for name, draw in results.plot.figures().items():
        assert draw() is not None, name


def test_precision_leaves_the_channel_rows_out(results: Results) -> None:
    summary = results.summary.copy()
    queues = reports.queue_rows(summary)
    summary.loc[summary["queue"].isin(["ALL video", "ALL voice"]), "service_level_ci95"] = 9.0

    assert widest_service_level_half_width(summary) == queues["service_level_ci95"].max()
    controlled = controlled_summary(results)
    assert names(controlled.summary) == ROWS
    reduction = controlled.reduction
    offered = reduction[reduction["figure"] == "offered"].set_index("queue")
    usable = controllable_queues(sc.load_scenario(results.scenario))
    for row, members in TOTALS.items():
        if set(members) <= usable:  # the controls' means: the sums of the queues'
            assert offered.loc[row, "controlled_mean"] == pytest.approx(
                offered.loc[members, "controlled_mean"].sum(), rel=1e-12
            )
        else:  # a queue that receives retrials has no known mean: nor has its channel
            assert offered.loc[row, "controlled_mean"] == offered.loc[row, "mean"]
    assert not set(TOTALS["ALL voice"]) <= usable  # both cases are checked
    assert set(TOTALS["ALL video"]) <= usable


def test_sweep_and_compare_keep_the_channel_rows(scenario: Scenario) -> None:
    short = scenario.with_overrides({"horizon": "2h"})

    table = sc.sweep(short, {"agents.team.count": [8, 10]}, replications=2, seed=1)
    assert names(table) == ROWS * 2
    assert list(table["channel"].astype(str))[-3:] == ["video", "voice", "ALL"]
    shown, _ = worst_queues(table)
    assert set(shown) == set(QUEUES)
    text = sweep_text(table, ["agents.team.count"])
    assert text.count("ALL video") == 2
    assert text.count("ALL voice") == 2
    compared = sc.compare(short, overrides={"agents.team.count": 10}, replications=2, seed=1)
    assert {"ALL video", "ALL voice"} <= set(compared["queue"])
    service = compared[compared["figure"] == "service_level"].set_index("queue")
    assert list(service.index) == ROWS


# --- the scenario ------------------------------------------------------------------------


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        build_scenario(data)
    return str(caught.value).splitlines()


def with_channel(channel: str) -> dict[str, Any]:
    data = centre()
    data["queues"][1]["channel"] = channel
    return data


@pytest.mark.parametrize("channel", ["chat", "email", "fax", "Video", "sms"])
def test_other_channels_are_refused(channel: str) -> None:
    assert problems_of(with_channel(channel)) == [
        f'queues[1].channel: must be one of voice, video (got "{channel}")'
    ]


def test_channel_defaults_to_voice(scenario: Scenario) -> None:
    assert [queue.channel for queue in scenario.queues] == ["video", "voice", "video", "voice"]
    data = centre()
    del data["queues"][0]["channel"]
    assert build_scenario(data).queues[0].channel == "voice"
    assert scenario.to_dict()["queues"][0]["channel"] == "video"
    assert build_scenario(scenario.to_dict()) == scenario


@pytest.mark.parametrize(
    ("name", "row"),
    [
        ("ALL video", "ALL video"),
        ("all  Voice", "ALL voice"),
        (" ALL VIDEO ", "ALL video"),
        ("ALL chat", "ALL chat"),
        ("ALL email", "ALL email"),
    ],
)
def test_the_total_rows_names_are_reserved(name: str, row: str) -> None:
    data = centre()
    data["queues"][3]["name"] = name
    data["agents"][1]["skills"] = [name, "video-sales"]

    found = problems_of(data)

    channel = row.removeprefix("ALL ")
    assert found[0].startswith(
        f'queues[3].name: "{row}" is reserved for the total row of the {channel} channel in '
        "the reports"
    ), found


@pytest.mark.parametrize("name", ["ALLvideo", "video", "voice", "ALL videos", "ALL fax"])
def test_other_names_near_the_total_rows_are_queues(name: str) -> None:
    data = centre()
    data["queues"][3]["name"] = name
    data["agents"][1]["skills"] = [name, "video-sales"]
    assert build_scenario(data).queues[3].name == name


def test_the_json_schema_has_both_channels() -> None:
    channel = scenario_json_schema()["$defs"]["QueueSpec"]["properties"]["channel"]
    assert channel["enum"] == ["voice", "video"]
    assert channel["default"] == "voice"
