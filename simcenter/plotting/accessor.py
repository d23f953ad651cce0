"""The ``Results.plot`` accessor: one method per plot, each returning a matplotlib Figure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from simcenter import analysis, plotting

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from simcenter.plotting._common import Day
    from simcenter.results import Results

Names = str | Sequence[str] | None
"""One queue or group name, several, or None for all."""


class ResultsPlots:
    """The ``Results.plot`` accessor: each method returns a matplotlib Figure.

    Every method takes ``ax=`` (draw into existing axes); methods of queues take
    ``queue=`` (one name or several), methods over time take ``day=`` (a day of
    the run: its number from 0, or a date). See :mod:`simcenter.plotting`.
    """

    def __init__(self, results: Results) -> None:
        """Plots of ``results``."""
        self._results = results

    def service_level(self, queue: Names = None, day: Day = None, ax: Axes | None = None) -> Figure:
        """Service level per interval and queue against its target, with 95 % CI bands."""
        results = self._results
        return plotting.service_level_figure(
            results.intervals, results.meta, queue, day, ax, results.summary
        )

    def queue_length(self, queue: Names = None, day: Day = None, ax: Axes | None = None) -> Figure:
        """Contacts waiting per queue over time (mean over replications)."""
        results = self._results
        return plotting.queue_length_figure(
            results.queue_length, results.meta, queue, day, ax, results.summary
        )

    def waiting_times(self, queue: Names = None, ax: Axes | None = None) -> Figure:
        """Waiting-time distribution per queue with its service-level threshold."""
        results = self._results
        return plotting.waiting_times_figure(
            results.wait_distribution, results.meta, queue, ax, results.summary
        )

    def wait_percentiles(self, queue: Names = None, ax: Axes | None = None) -> Figure:
        """50th, 90th and 95th wait percentiles per queue."""
        return plotting.wait_percentiles_figure(
            self._results.summary, self._results.meta, queue, ax
        )

    def occupancy(self, group: Names = None, day: Day = None, ax: Axes | None = None) -> Figure:
        """Occupancy per interval and agent group."""
        return plotting.occupancy_figure(
            self._results.agent_intervals, self._results.meta, group, day, ax
        )

    def occupancy_heatmap(
        self, group: Names = None, day: Day = None, ax: Axes | None = None
    ) -> Figure:
        """Occupancy by agent group and interval, as a heatmap."""
        return plotting.occupancy_heatmap_figure(
            self._results.agent_intervals, self._results.meta, group, day, ax
        )

    def staffing(
        self,
        queue: Names = None,
        day: Day = None,
        ax: Axes | None = None,
        model: str = "erlang_c",
    ) -> Figure:
        """Agents staffed against agents required per interval.

        ``model="erlang_c"`` (the default, as in workforce-management tools:
        no abandonment, so a conservative requirement) or ``"erlang_a"`` (with
        each queue's mean patience; about 20 times slower to compute).
        """
        results = self._results
        if model not in ("erlang_c", "erlang_a"):
            raise ValueError(f'model: must be "erlang_c" or "erlang_a" (got {model!r})')
        patience = (
            analysis.patience_means(results.scenario, results.meta.queues)
            if model == "erlang_a"
            else ()
        )
        return plotting.staffing_figure(
            results.intervals,
            results.agent_intervals,
            results.meta,
            patience,
            analysis.group_skills(results.scenario),
            queue,
            day,
            ax,
        )

    def agents(self, group: Names = None, day: Day = None, ax: Axes | None = None) -> Figure:
        """Scheduled, present and busy agents per interval, one panel per agent group."""
        return plotting.agents_figure(
            self._results.agent_intervals, self._results.meta, group, day, ax
        )

    def abandonment(self, queue: Names = None, day: Day = None, ax: Axes | None = None) -> Figure:
        """Abandon rate against ASA, one point per interval and queue."""
        results = self._results
        return plotting.abandonment_figure(
            results.intervals, results.meta, queue, day, ax, results.summary
        )

    def average_day(
        self, figure: str = "offered", queue: Names = None, ax: Axes | None = None
    ) -> Figure:
        """One figure of :meth:`Results.by_time_of_day` against the time of day."""
        results = self._results
        return plotting.average_day_figure(
            results.by_time_of_day(), results.meta, figure, queue, ax, results.summary
        )

    def figures(self) -> dict[str, Callable[[], Figure]]:
        """Every plot ``run`` saves, by the name of its file in ``plots/`` (without ``.png``)."""
        return {
            "service_level": self.service_level,
            "queue_length": self.queue_length,
            "waiting_times": self.waiting_times,
            "wait_percentiles": self.wait_percentiles,
            "occupancy": self.occupancy,
            "occupancy_heatmap": self.occupancy_heatmap,
            "staffing": self.staffing,
            "agents": self.agents,
            "abandonment": self.abandonment,
            "average_day": self.average_day,
        }
