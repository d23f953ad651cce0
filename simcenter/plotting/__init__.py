"""Plots: matplotlib figures of the result tables.

Each function takes tables of :class:`~simcenter.results.Results` (or the
same tables read back from an output folder) and returns a
:class:`matplotlib.figure.Figure`; given ``ax=``, it draws into those axes and
returns their figure. Figures are created without pyplot, so no global state
is touched and any backend can save them. matplotlib is imported inside the
functions, so importing simcenter does not import it.

Names are text, never markup: every figure is drawn with matplotlib's
mathtext off (:func:`plain_text`), so ``$`` in a name shows as written.

Time axes show the calendar clock of the scenario time zone and say which
zone it is; ``day=`` keeps one day of a longer run. Beyond ten queues (or
groups), the busiest ten are drawn one by one and the rest as one grey
"others" series, so legends stay short at any size of centre.

Modules: ``queues`` (service level, queue length, waits, abandonment, the
average day) and ``agents`` (occupancy, staffed against required, agents
scheduled, present and busy over time).
"""

from simcenter.plotting._common import plain_text
from simcenter.plotting.agents import (
    agents_figure,
    occupancy_figure,
    occupancy_heatmap_figure,
    staffing_figure,
)
from simcenter.plotting.queues import (
    abandonment_figure,
    average_day_figure,
    queue_length_figure,
    service_level_figure,
    wait_percentiles_figure,
    waiting_times_figure,
)

__all__ = [
    "abandonment_figure",
    "agents_figure",
    "average_day_figure",
    "occupancy_figure",
    "occupancy_heatmap_figure",
    "plain_text",
    "queue_length_figure",
    "service_level_figure",
    "staffing_figure",
    "wait_percentiles_figure",
    "waiting_times_figure",
]
