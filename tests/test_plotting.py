"""Tests of simcenter.plotting through ``Results.plot``: each figure's data, labels and legend.

Every plot is checked against the table it draws (a second reading of the same
figures), not only for running. The runs are tiny (tests/tiny_runs.py).
"""

from __future__ import annotations

import io
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection, QuadMesh
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from tiny_runs import many_queues, two_days, two_queues

from simcenter import erlang, plotting
from simcenter.plotting import _common

matplotlib.use("Agg")


def instants(results, seconds) -> list[np.datetime64]:
    """UTC instants (naive) of simulation seconds, as the plots put them on the x axis."""
    start = pd.Timestamp(results.meta.start).tz_convert("UTC").tz_localize(None)
    return list((start + pd.to_timedelta(np.asarray(seconds, dtype=float), unit="s")).to_numpy())


def x_instants(line) -> list[np.datetime64]:
    """The x data of a line as naive datetime64 values."""
    return list(pd.to_datetime(line.get_xdata()).to_numpy())


def rows_of(table: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    """Rows of ``table`` whose ``column`` is ``name``."""
    return table[table[column].astype(str) == name]


def closed(values) -> list[float]:
    """Interval values with the last one repeated (the step's closing edge)."""
    values = list(values)
    return [*values, values[-1]]


def legend_labels(figure: Figure) -> list[str]:
    """Texts of the legend of the figure's first axes."""
    legend = figure.axes[0].get_legend()
    return [] if legend is None else [text.get_text() for text in legend.get_texts()]


def drawn(figure: Figure) -> Figure:
    """The figure after rendering it to PNG, which runs the layout engine."""
    figure.savefig(io.BytesIO(), format="png", dpi=50)
    return figure


# ----------------------------------------------------------------------- service level


def test_service_level_draws_each_queue_closed_at_the_horizon_with_its_target() -> None:
    results = two_queues()
    figure = results.plot.service_level()
    ax = figure.axes[0]

    billing, billing_target, tech, tech_target = ax.get_lines()
    intervals = rows_of(results.intervals, "queue", "billing")
    assert billing.get_label() == "billing"
    assert billing.get_drawstyle() == "steps-post"
    assert list(billing.get_ydata()) == pytest.approx(closed(intervals["service_level"]))
    end = results.meta.warmup_s + results.meta.horizon_s
    assert x_instants(billing) == instants(results, [*intervals["start_s"], end])
    assert list(billing_target.get_ydata()) == [0.8, 0.8]
    assert list(tech_target.get_ydata()) == [0.9, 0.9]
    assert billing_target.get_linestyle() == "--"
    assert billing_target.get_color() == billing.get_color() != tech.get_color()
    assert legend_labels(figure) == ["billing", "tech", "target (dashed)"]
    assert ax.get_title() == "Service level per interval: answered within 20 s–30 s by queue"
    assert ax.get_xlabel() == "time (Europe/Berlin)"
    assert ax.get_ylabel() == "service level (% of offered)"


def test_service_level_shades_the_confidence_band_of_each_queue() -> None:
    results = two_queues()
    figure = results.plot.service_level(queue="billing")
    ax = figure.axes[0]

    (band,) = [item for item in ax.collections if isinstance(item, PolyCollection)]
    rows = rows_of(results.intervals, "queue", "billing")
    low = np.clip(rows["service_level"] - rows["service_level_ci95"], 0, 1)
    high = np.clip(rows["service_level"] + rows["service_level_ci95"], 0, 1)
    y = band.get_paths()[0].vertices[:, 1]
    assert y.min() == pytest.approx(low.min())
    assert y.max() == pytest.approx(high.max())
    assert ax.get_title() == "Service level per interval: answered within 20 s"
    assert [line.get_label() for line in ax.get_lines()] == ["billing", "_target"]


def test_the_confidence_band_covers_the_last_interval_up_to_the_horizon() -> None:
    """The band is a step like its line: the last interval's half-width reaches the horizon."""
    from matplotlib.dates import num2date

    results = two_queues()
    ax = results.plot.service_level(queue="billing").axes[0]
    (band,) = [item for item in ax.collections if isinstance(item, PolyCollection)]
    rows = rows_of(results.intervals, "queue", "billing")
    vertices = band.get_paths()[0].vertices
    x = pd.to_datetime([num2date(value).replace(tzinfo=None) for value in vertices[:, 0]])
    end = instants(results, [results.meta.warmup_s + results.meta.horizon_s])[0]
    last_start = instants(results, [rows["start_s"].iloc[-1]])[0]

    assert x.max().to_datetime64() == end
    at_last = vertices[np.asarray(x > last_start), 1]  # the closing edge at the horizon
    last = rows.iloc[-1]
    low = np.clip(last["service_level"] - last["service_level_ci95"], 0, 1)
    high = np.clip(last["service_level"] + last["service_level_ci95"], 0, 1)
    assert at_last.min() == pytest.approx(low)
    assert at_last.max() == pytest.approx(high)


def test_service_level_of_one_day_of_a_longer_run() -> None:
    results = two_days()

    whole = results.plot.service_level().axes[0].get_lines()[0]
    second = results.plot.service_level(day=1).axes[0].get_lines()[0]
    by_date = results.plot.service_level(day="2026-03-03").axes[0].get_lines()[0]

    assert len(whole.get_xdata()) == 12 + 1
    day_rows = rows_of(results.intervals, "queue", "sales").iloc[6:]
    assert list(second.get_ydata()) == pytest.approx(closed(day_rows["service_level"]))
    assert x_instants(second)[0] == instants(results, [86_400.0])[0]
    assert x_instants(by_date) == x_instants(second)


def test_a_day_outside_the_run_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"day: 5 is not a day of the run \(2026-03-02 to 2026-03-03\)"
    ):
        two_days().plot.service_level(day=5)


def test_an_unknown_queue_is_refused() -> None:
    with pytest.raises(ValueError, match=r"queue: unknown queue \['bliling'\]"):
        two_queues().plot.service_level(queue="bliling")


def test_plots_draw_into_given_axes() -> None:
    figure = Figure()
    left, right = figure.subplots(1, 2)

    returned = two_queues().plot.service_level(queue="tech", ax=right)

    assert returned is figure
    assert [line.get_label() for line in right.get_lines()] == ["tech", "_target"]
    assert left.get_lines() == []


# ------------------------------------------------------------------------ queue length


def test_queue_length_draws_the_mean_waiting_of_each_queue() -> None:
    results = two_queues()
    figure = results.plot.queue_length()
    ax = figure.axes[0]

    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["billing", "tech"]
    rows = rows_of(results.queue_length, "queue", "tech")
    assert list(lines[1].get_ydata()) == list(rows["waiting"])
    assert x_instants(lines[1]) == instants(results, rows["time_s"])
    assert ax.get_ylabel() == "contacts waiting"
    assert ax.get_xlabel() == "time (Europe/Berlin)"


# ---------------------------------------------------------------------- waiting times


def test_waiting_times_draw_each_distribution_and_its_threshold() -> None:
    results = two_queues()
    figure = results.plot.waiting_times()
    ax = figure.axes[0]

    billing, billing_threshold, _, tech_threshold = ax.get_lines()
    rows = rows_of(results.wait_distribution, "queue", "billing")
    assert list(billing.get_xdata()) == list(rows["wait_s"])
    assert list(billing.get_ydata()) == list(rows["fraction_within"])
    assert list(billing_threshold.get_xdata()) == [20.0, 20.0]
    assert list(tech_threshold.get_xdata()) == [30.0, 30.0]
    assert legend_labels(figure) == ["billing", "tech"]
    assert ax.get_xlabel() == "wait (s)"
    assert "threshold dotted: 20 s–30 s by queue" in ax.get_title()


def test_wait_percentiles_are_the_summary_percentiles() -> None:
    results = two_queues()
    figure = results.plot.wait_percentiles()
    ax = figure.axes[0]

    assert [label.get_text() for label in ax.get_yticklabels()] == ["billing", "tech", "ALL"]
    bars = [item for item in ax.containers if isinstance(item, BarContainer)]
    assert [container.get_label() for container in bars] == [
        "50th percentile",
        "90th percentile",
        "95th percentile",
    ]
    widths = [patch.get_width() for patch in bars[1].patches]
    assert widths == pytest.approx(list(results.summary["wait_p90_s"]))
    assert ax.get_xlabel() == "wait (s)"


# --------------------------------------------------------------------------- agents


def test_occupancy_lines_are_the_group_interval_occupancies() -> None:
    results = two_queues()
    figure = results.plot.occupancy()

    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["tier1", "tier2"]
    rows = rows_of(results.agent_intervals, "group", "tier2")
    assert list(lines[1].get_ydata()) == pytest.approx(closed(rows["occupancy"]))
    assert figure.axes[0].get_ylabel() == "occupancy (% of time on duty)"


def test_occupancy_heatmap_holds_one_cell_per_group_and_interval() -> None:
    results = two_queues()
    figure = results.plot.occupancy_heatmap()
    ax, colour_bar = figure.axes

    (mesh,) = [item for item in ax.collections if isinstance(item, QuadMesh)]
    expected = results.agent_intervals.pivot_table(
        index="group", columns="start_s", values="occupancy", observed=True
    ).loc[["tier1", "tier2"]]
    assert np.asarray(mesh.get_array()).reshape(2, 4) == pytest.approx(expected.to_numpy())
    assert [label.get_text() for label in ax.get_yticklabels()] == ["tier1", "tier2"]
    assert colour_bar.get_ylabel() == "occupancy (fraction of time on duty)"
    assert ax.get_xlabel() == "time (Europe/Berlin)"


def first_interval_requirement(results, patience: tuple[float | None, float | None]) -> int:
    """Erlang agents of the first interval, computed directly: billing then tech."""
    rows = results.intervals[results.intervals["interval"] == 0].set_index("queue")
    return sum(
        erlang.agents_for_service_level(
            rows.loc[queue, "offered"] / 1800, rows.loc[queue, "aht_s"], target, threshold, wait
        )
        for queue, target, threshold, wait in zip(
            ("billing", "tech"), (0.8, 0.9), (20, 30), patience, strict=True
        )
    )


def test_staffing_draws_agents_on_duty_and_the_erlang_c_requirement() -> None:
    results = two_queues()
    figure = results.plot.staffing()
    ax = figure.axes[0]

    staffed, required = ax.get_lines()
    assert staffed.get_label() == "staffed"
    assert list(staffed.get_ydata()) == pytest.approx([9.0] * 5)  # 6 + 3 agents all the time
    assert required.get_label() == "required (Erlang C, each queue on its own)"
    assert required.get_ydata()[0] == first_interval_requirement(results, (None, None))
    assert len(required.get_ydata()) == 4 + 1
    assert ax.get_title() == (
        "Agents staffed and required (Erlang C: 80%–90% within 20 s–30 s by queue)"
    )
    assert ax.get_ylabel() == "agents (time-average)"


def test_staffing_by_erlang_a_uses_the_mean_patience_of_each_queue() -> None:
    results = two_queues()
    figure = results.plot.staffing(model="erlang_a")

    _, required = figure.axes[0].get_lines()
    # Billing callers have a mean patience of 2 min; tech callers never abandon.
    assert required.get_ydata()[0] == first_interval_requirement(results, (120.0, None))
    assert required.get_label() == "required (Erlang A/C, each queue on its own)"
    with pytest.raises(ValueError, match='model: must be "erlang_c" or "erlang_a"'):
        results.plot.staffing(model="erlang_b")


def test_staffing_of_one_queue_counts_the_groups_that_serve_it() -> None:
    results = two_queues()
    figure = results.plot.staffing(queue="billing")

    staffed, _ = figure.axes[0].get_lines()
    assert staffed.get_label() == "staffed: tier1"
    assert list(staffed.get_ydata()) == pytest.approx([6.0] * 5)


# -------------------------------------------------------------------- abandonment, day


def test_abandonment_plots_each_interval_at_its_asa_and_abandon_rate() -> None:
    results = two_queues()
    figure = results.plot.abandonment()
    ax = figure.axes[0]

    billing, tech = ax.collections
    rows = rows_of(results.intervals, "queue", "billing")
    np.testing.assert_allclose(billing.get_offsets(), rows[["asa_s", "abandon_rate"]].to_numpy())
    assert np.all(np.asarray(tech.get_offsets())[:, 1] == 0.0)  # tech callers never abandon
    assert legend_labels(figure) == ["billing", "tech"]
    assert ax.get_xlabel() == "ASA: mean wait of answered contacts (s)"
    assert ax.get_ylabel() == "abandoned (% of offered)"


def test_average_day_draws_the_by_time_of_day_figures_over_the_clock() -> None:
    results = two_days()
    figure = results.plot.average_day()
    ax = figure.axes[0]

    (line,) = ax.get_lines()
    day = results.by_time_of_day()
    sales = day[day["queue"] == "sales"]
    assert list(line.get_ydata()) == pytest.approx(closed(sales["offered"]))
    assert list(line.get_xdata()) == [0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0]
    assert ax.get_xlabel() == "time of day (h, America/New_York)"
    assert ax.get_title() == "Average day: offered contacts per interval"
    service = results.plot.average_day("service_level").axes[0].get_lines()[0]
    assert list(service.get_ydata()) == pytest.approx(closed(sales["service_level"]))


# ------------------------------------------------------------------ many queues, warnings


def test_five_hundred_queues_keep_a_short_legend_of_the_busiest_queues() -> None:
    results = many_queues()
    offered = results.summary.set_index("queue")["offered"].drop("ALL")
    busiest = set(offered.sort_values(ascending=False, kind="stable").index[:10])

    for name in ("service_level", "queue_length", "waiting_times", "abandonment", "average_day"):
        figure = drawn(results.plot.figures()[name]())
        labels = legend_labels(figure)
        assert len(labels) <= 12, name
        others = [label for label in labels if label.startswith("others (490 queues")]
        assert len(others) == 1, name
        assert busiest <= set(labels), name
        handles = figure.axes[0].get_legend().legend_handles
        queue_colours = [
            to_hex(_colour(handle))
            for handle, label in zip(handles, labels, strict=True)
            if label in busiest
        ]
        assert len(set(queue_colours)) == 10, name  # distinct colours
        assert to_hex(_colour(handles[labels.index(others[0])])) not in queue_colours, name
    percentiles = results.plot.wait_percentiles().axes[0]
    assert len(percentiles.get_yticklabels()) == 11  # the ten busiest, then ALL


def test_the_others_of_many_queues_are_their_mean_per_queue() -> None:
    results = many_queues()
    offered = results.summary.set_index("queue")["offered"].drop("ALL")
    rest = set(offered.sort_values(ascending=False, kind="stable").index[10:])

    queue_length = results.plot.queue_length().axes[0].get_lines()[-1]
    average_day = results.plot.average_day().axes[0].get_lines()[-1]

    waiting = results.queue_length[results.queue_length["queue"].isin(rest)]
    assert queue_length.get_label() == "others (490 queues, mean per queue)"
    assert list(queue_length.get_ydata()) == pytest.approx(
        list(waiting.groupby("time_s")["waiting"].mean())
    )
    day = results.by_time_of_day()
    assert list(average_day.get_ydata()) == pytest.approx(
        closed(day[day["queue"].isin(rest)].groupby("time_of_day_s")["offered"].mean())
    )


def _colour(handle) -> object:
    """The colour of a legend handle (line or scatter)."""
    if hasattr(handle, "get_color") and not hasattr(handle, "get_facecolor"):
        return handle.get_color()
    return handle.get_facecolor()[0]


def test_many_groups_keep_a_short_occupancy_legend() -> None:
    results = many_queues()

    labels = legend_labels(results.plot.occupancy())

    assert len(labels) == 11
    assert labels[-1] == "others (10 groups)"
    heatmap = results.plot.occupancy_heatmap().axes[0]
    assert len(heatmap.get_yticklabels()) == 20


def test_no_plot_warns() -> None:
    for results in (two_queues(), many_queues(), two_days()):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for draw in results.plot.figures().values():
                drawn(draw())


def test_others_label_counts_the_queues() -> None:
    assert _common.others_label(["a", "b"], "queues") == "others (2 queues)"


def test_time_axis_reads_the_wall_clock_of_the_scenario_time_zone() -> None:
    figure = drawn(two_queues().plot.service_level())

    labels = [label.get_text() for label in figure.axes[0].get_xticklabels()]

    assert labels[0] == "08:00"  # the start, 07:00 UTC, in Berlin
    assert labels[-1] == "10:00"  # the end of the two-hour horizon


def test_service_level_axis_names_the_denominator_of_the_definition() -> None:
    results = two_queues()
    fields = {**results.meta.__dict__}
    answered = results.meta.__class__(**{**fields, "sl_definition": ("answered", "answered")})
    mixed = results.meta.__class__(**{**fields, "sl_definition": ("answered", "offered")})

    def label(meta) -> str:
        return plotting.service_level_figure(results.intervals, meta).axes[0].get_ylabel()

    assert label(answered) == "service level (% of answered)"
    assert label(mixed) == "service level (%)"


def _present_column(table: pd.DataFrame) -> str:
    """The present agents' column: ``present``, or ``agents_staffed`` before it was renamed."""
    return "present" if "present" in table.columns else "agents_staffed"


def _busy_column(table: pd.DataFrame) -> str:
    """The busy agents' column: ``busy``, or ``busy_agents`` before it was renamed."""
    return "busy" if "busy" in table.columns else "busy_agents"


def test_agents_plot_draws_each_groups_levels_in_its_own_panel() -> None:
    results = two_days()
    table = results.agent_intervals
    figure = drawn(results.plot.agents())

    groups = list(results.meta.groups)
    assert [ax.get_title(loc="left") for ax in figure.axes] == groups
    for ax, name in zip(figure.axes, groups, strict=True):
        rows = rows_of(table, "group", name)
        lines = {line.get_label(): line for line in ax.get_lines()}
        expected = ["present", "busy"]
        if "scheduled" in table.columns:
            expected = ["scheduled", *expected]
            assert list(lines["scheduled"].get_ydata()) == pytest.approx(closed(rows["scheduled"]))
        assert list(lines) == expected
        assert list(lines["present"].get_ydata()) == pytest.approx(
            closed(rows[_present_column(table)])
        )
        assert list(lines["busy"].get_ydata()) == pytest.approx(closed(rows[_busy_column(table)]))
        assert x_instants(lines["busy"])[0] == instants(results, rows["start_s"][:1])[0]
    assert max(line.get_ydata().max() for line in figure.axes[0].get_lines()) > 0


def test_agents_plot_into_given_axes_sums_the_groups_of_one_day() -> None:
    from matplotlib.figure import Figure as NewFigure

    results = two_days()
    table = results.agent_intervals
    ax = NewFigure().add_subplot()
    results.plot.agents(day=1, ax=ax)

    day = _common.day_window(results.meta, 1)
    rows = table[(table["start_s"] >= day[0]) & (table["start_s"] < day[1])]
    busy = rows.groupby("start_s")[_busy_column(table)].sum()
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["busy"].get_ydata()) == pytest.approx(closed(busy))
    assert len(busy) < table["interval"].nunique()


def test_many_groups_share_a_panel_beyond_six() -> None:
    results = many_queues()

    figure = results.plot.agents()

    assert len(figure.axes) == 6
    assert figure.axes[-1].get_title(loc="left") == (
        f"others ({len(results.meta.groups) - 5} groups)"
    )
