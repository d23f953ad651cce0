"""Tests of simcenter.results: the combined tables, atomic saving and the plot accessor."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure
from scipy import stats

# Record builders shared with the reports tests (tests/ is on sys.path under pytest).
from test_reports import random_meta, random_record, scripted_meta, scripted_record

import simcenter
import simcenter.outdir
from simcenter import plotting, reports
from simcenter.analysis import with_arrival_time
from simcenter.outdir import OutputError
from simcenter.records import ReplicationRecord, RunMeta
from simcenter.results import Results

SCENARIO = {
    "name": "Retail support",
    "seed": 7,
    "simcenter_version": "0.1.0",
    "queues": [{"name": "billing", "handle_time": {"distribution": "exponential", "mean": "240s"}}],
    "horizon": "1d",
}
CONTACT_COLUMNS = [
    "replication", "contact_id", "customer_id", "queue", "channel", "arrival_s", "arrival",
    "answered_s", "end_s", "wait_s", "handle_s", "outcome", "agent", "group", "attempt",
    "linked_id", "previous_agent", "skill_set",
]  # fmt: skip
OUTPUT_FILES = {
    ".simcenter",
    "scenario.yaml",
    "summary.csv",
    "replications.csv",
    "intervals.csv",
    "agents.csv",
    "routing.csv",
    "agent_intervals.csv",
    "contacts.parquet",
    "plots/service_level.png",
    "plots/queue_length.png",
    "plots/waiting_times.png",
    "plots/wait_percentiles.png",
    "plots/occupancy.png",
    "plots/occupancy_heatmap.png",
    "plots/staffing.png",
    "plots/agents.png",
    "plots/abandonment.png",
    "plots/average_day.png",
}


def three_replications() -> tuple[RunMeta, list[ReplicationRecord]]:
    """Three random replications of the same run, numbered 0, 1, 2."""
    meta = random_meta()
    records = []
    for replication in range(3):
        record = random_record(meta, np.random.default_rng([11, replication]), size=1500)
        record.replication = replication
        records.append(record)
    return meta, records


@pytest.fixture(scope="module")
def run() -> tuple[RunMeta, list[ReplicationRecord]]:
    """The records behind :func:`results`."""
    return three_replications()


@pytest.fixture(scope="module")
def results(run: tuple[RunMeta, list[ReplicationRecord]]) -> Results:
    """Results of three random replications, with the contact log."""
    meta, records = run
    return Results.from_records(meta, records, SCENARIO)


def files_under(directory: Path) -> set[str]:
    """Relative paths of the files below ``directory``."""
    return {
        path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file()
    }


# ---------------------------------------------------------------------------- tables


def test_summary_is_the_mean_of_the_replication_rows(results: Results) -> None:
    figures = [
        name for name in results.replications.columns if name not in ("replication", "queue")
    ]

    means = results.replications.groupby("queue", observed=True, sort=False)[figures].mean()

    assert list(results.summary["queue"]) == ["billing", "tech", "sales", "ALL"]
    for name in figures:
        assert list(results.summary[name]) == pytest.approx(list(means[name]), nan_ok=True), name


def test_summary_half_width_is_the_student_t_interval_of_the_replications(
    results: Results,
) -> None:
    columns = list(results.summary.columns)
    service_level = results.replications.loc[
        results.replications["queue"] == "tech", "service_level"
    ]

    expected = stats.t.ppf(0.975, 2) * np.std(service_level, ddof=1) / math.sqrt(3)

    assert columns[columns.index("service_level") + 1] == "service_level_ci95"
    assert results.summary.loc[1, "service_level_ci95"] == pytest.approx(expected, rel=1e-12)
    assert expected > 0


def test_replications_hold_every_replication_summary(
    run: tuple[RunMeta, list[ReplicationRecord]], results: Results
) -> None:
    meta, records = run
    expected = pd.concat(
        [reports.replication_summary(meta, record) for record in records], ignore_index=True
    )

    assert list(results.replications.columns) == ["replication", *expected.columns]
    assert list(results.replications["replication"]) == [0] * 4 + [1] * 4 + [2] * 4
    pd.testing.assert_frame_equal(results.replications.drop(columns="replication"), expected)


def test_the_contact_log_is_read_once_and_kept(results: Results) -> None:
    """A second access returns the same frame, not a new read of the log file."""
    first = results.contacts
    assert first is not None
    assert results.contacts is first


def test_summary_equals_the_aggregate_of_the_contact_log(results: Results) -> None:
    contacts = results.contacts
    assert contacts is not None
    rows = results.replications.query("queue != 'ALL'")

    offered = contacts.groupby(["replication", "queue"], observed=True).size()
    answered = contacts[contacts["outcome"] == "answered"].groupby(
        ["replication", "queue"], observed=True
    )
    assert list(offered) == list(rows["offered"])
    assert list(answered.size()) == list(rows["answered"])
    assert list(answered["wait_s"].mean()) == pytest.approx(list(rows["asa_s"]), rel=1e-12)


def test_contact_log_stacks_every_replication(
    run: tuple[RunMeta, list[ReplicationRecord]], results: Results
) -> None:
    _, records = run
    contacts = results.contacts
    assert contacts is not None

    assert list(contacts.columns) == CONTACT_COLUMNS
    assert len(contacts) == sum(len(record.contacts["queue"]) for record in records)
    assert list(contacts["replication"].unique()) == [0, 1, 2]
    assert set(contacts["queue"].unique()) == {"billing", "tech", "sales"}
    no_agent = contacts["outcome"] != "answered"
    assert contacts.loc[no_agent, "agent"].isna().all()
    assert contacts.loc[~no_agent, "group"].notna().all()


def test_interval_figures_add_up_to_the_summary(results: Results) -> None:
    # Means over replications commute with sums over intervals.
    totals = results.intervals.groupby("queue", observed=True, sort=False)["offered"].sum()

    assert list(totals) == pytest.approx(list(results.summary["offered"]), rel=1e-12)
    assert "offered_ci95" in results.intervals.columns
    assert list(results.agent_intervals.columns[:4]) == [
        "interval",
        "interval_start",
        "start_s",
        "group",
    ]
    assert list(results.agents["group"]) == ["tier1", "tier2"]


def test_results_without_the_contact_log(run: tuple[RunMeta, list[ReplicationRecord]]) -> None:
    meta, records = run

    results = Results.from_records(meta, records[:1], SCENARIO, keep_contacts=False)

    assert results.contacts is None
    assert "offered_ci95" not in results.summary.columns
    assert results.replication_count == 1


def test_results_need_a_record() -> None:
    with pytest.raises(ValueError, match="at least one replication record"):
        Results.from_records(scripted_meta(), [], SCENARIO)


def test_repr_is_one_short_line(results: Results) -> None:
    assert repr(results) == (
        "<Results 'Retail support': 3 queues, 2 groups, 3 replications, 12 intervals>"
    )


# ---------------------------------------------------------------------------- saving


def test_save_writes_exactly_the_output_files(results: Results, tmp_path: Path) -> None:
    outdir = results.save(tmp_path / "out")

    assert outdir == tmp_path / "out"
    assert files_under(outdir) == OUTPUT_FILES
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]
    for name in ("service_level", "queue_length", "waiting_times", "occupancy"):
        assert (outdir / "plots" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_saved_tables_round_trip_exactly(results: Results, tmp_path: Path) -> None:
    outdir = results.save(tmp_path / "out")

    summary = pd.read_csv(outdir / "summary.csv")
    assert list(summary.columns) == list(results.summary.columns)
    numeric = summary.columns.drop("queue")
    np.testing.assert_array_equal(summary[numeric], results.summary[numeric])  # full precision
    replications = pd.read_csv(outdir / "replications.csv")
    np.testing.assert_array_equal(replications["aht_s"], results.replications["aht_s"])
    contacts = pd.read_parquet(outdir / "contacts.parquet")
    # The file is in recording order; results.contacts is in arrival order with a calendar column.
    pd.testing.assert_frame_equal(with_arrival_time(results.meta, contacts), results.contacts)
    with (outdir / "scenario.yaml").open(encoding="utf-8") as file:
        assert yaml.safe_load(file) == SCENARIO
    text = (outdir / "scenario.yaml").read_text(encoding="utf-8")
    assert text.startswith(f"# Resolved scenario, written by simcenter {simcenter.__version__}.")
    assert "\nname: Retail support" in text  # the keys in the scenario's own order


def test_save_without_the_contact_log_writes_no_parquet(
    run: tuple[RunMeta, list[ReplicationRecord]], tmp_path: Path
) -> None:
    meta, records = run
    results = Results.from_records(meta, records[:1], SCENARIO, keep_contacts=False)

    outdir = results.save(tmp_path / "nested" / "out")

    assert files_under(outdir) == OUTPUT_FILES - {"contacts.parquet"}


def previous_output(outdir: Path) -> None:
    """An output folder of an earlier run: a summary.csv and simcenter's marker listing it."""
    outdir.mkdir()
    (outdir / "summary.csv").write_text("previous run\n")
    (outdir / ".simcenter").write_text("written by simcenter 0.0\nsummary.csv\nstale.csv\n")
    (outdir / "stale.csv").write_text("old\n")


def test_save_replaces_an_existing_output_directory(results: Results, tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    previous_output(outdir)

    results.save(outdir)

    assert files_under(outdir) == OUTPUT_FILES
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def fail_while_plotting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the last plot raise, after the tables and some plots are written."""

    def broken(*arguments: object) -> Figure:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(plotting, "occupancy_figure", broken)


def test_failed_save_leaves_nothing_behind(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_while_plotting(monkeypatch)

    with pytest.raises(RuntimeError, match="disk on fire"):
        results.save(tmp_path / "out")

    assert list(tmp_path.iterdir()) == []


def test_failed_save_leaves_an_existing_output_directory_untouched(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outdir = tmp_path / "out"
    previous_output(outdir)
    fail_while_plotting(monkeypatch)

    with pytest.raises(RuntimeError, match="disk on fire"):
        results.save(outdir)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]
    assert files_under(outdir) == {"summary.csv", "stale.csv", ".simcenter"}
    assert (outdir / "summary.csv").read_text() == "previous run\n"


def test_failed_final_swap_leaves_the_existing_output_directory(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outdir = tmp_path / "out"
    previous_output(outdir)

    def refuse(first: Path, second: Path) -> bool:
        raise OSError("rename refused")

    monkeypatch.setattr(simcenter.outdir, "_exchange", refuse)

    with pytest.raises(OSError, match="rename refused"):
        results.save(outdir)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]
    assert (outdir / "summary.csv").read_text() == "previous run\n"


def test_failed_final_rename_restores_the_existing_output_directory(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an atomic exchange, the old folder is renamed aside and back on failure."""
    outdir = tmp_path / "out"
    previous_output(outdir)
    original_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        moving_new_output_in = self.name.startswith(".out.tmp-") and not self.name.endswith(".old")
        if Path(target) == outdir and moving_new_output_in:
            raise OSError("rename refused")
        return original_rename(self, target)

    monkeypatch.setattr(simcenter.outdir, "_exchange", lambda first, second: False)
    monkeypatch.setattr(Path, "rename", rename)

    with pytest.raises(OSError, match="rename refused"):
        results.save(outdir)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]
    assert (outdir / "summary.csv").read_text() == "previous run\n"


def test_save_refuses_to_replace_a_file(results: Results, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("not a directory\n")

    with pytest.raises(OutputError, match="is a file, not a folder"):
        results.save(target)

    assert target.read_text() == "not a directory\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


# ---------------------------------------------------------------------------- plots


def test_plots_are_figures_with_one_line_per_queue_or_group(results: Results) -> None:
    service_level = results.plot.service_level()
    queue_length = results.plot.queue_length()
    waiting_times = results.plot.waiting_times()
    occupancy = results.plot.occupancy()

    for figure in (service_level, queue_length, waiting_times, occupancy):
        assert isinstance(figure, Figure)
    # A line and a dashed target per queue; a curve and a dotted threshold per queue.
    assert len(service_level.axes[0].get_lines()) == 2 * 3
    assert len(waiting_times.axes[0].get_lines()) == 2 * 3
    assert len(queue_length.axes[0].get_lines()) == 3
    assert [line.get_label() for line in occupancy.axes[0].get_lines()] == ["tier1", "tier2"]


def test_service_level_plot_draws_the_interval_values() -> None:
    meta = scripted_meta()
    results = Results.from_records(meta, [scripted_record()], SCENARIO)

    figure = results.plot.service_level()

    billing, target = figure.axes[0].get_lines()[:2]
    # The interval values, the last one repeated to close the step at the horizon.
    assert list(billing.get_ydata()) == pytest.approx([1 / 3, 1 / 2, 1 / 2])
    assert list(target.get_ydata()) == [0.8, 0.8]
    assert target.get_linestyle() == "--"


@pytest.mark.parametrize("rows", [0, 1, 1024, 10_001])
def test_tables_are_written_in_blocks_with_the_bytes_of_one_go(rows: int, tmp_path: Path) -> None:
    """Block-wise CSV writing gives exactly the file that one ``to_csv`` call gives."""
    from simcenter import results as results_module
    from simcenter.text import csv_safe

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "interval": np.arange(rows),
            "interval_start": pd.date_range(
                "2026-03-28", periods=rows, freq="30min", tz="Europe/Berlin"
            ),
            "queue": pd.Categorical(rng.choice(["=sum(A1)", "billing", "+tech"], rows)),
            "service_level": rng.random(rows) / 3,
        }
    )
    path = tmp_path / "table.csv"

    results_module._write_csv(frame, path)

    one_go = csv_safe(results_module._iso_calendar_times(frame)).to_csv(index=False)
    assert path.read_text(encoding="utf-8") == one_go
