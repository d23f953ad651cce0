"""Studies: many simulations of related scenarios, run as one set of tasks.

A study (replications, sweep points, staffing candidates) is a list of
:class:`~simcenter.studies.tasks.Task` run by one executor
(:func:`~simcenter.studies.runner.run_replications`): a local process pool or
a Dask cluster. :class:`~simcenter.studies.store.PointStore` keeps the
finished points of a study in its output folder, so that an interrupted study
resumes where it stopped.
"""

from simcenter.studies.runner import (
    EXECUTORS,
    ExecutorError,
    ProgressCallback,
    Task,
    iter_replications,
    run_replications,
)
from simcenter.studies.store import PointStore, StudyError

__all__ = [
    "EXECUTORS",
    "ExecutorError",
    "PointStore",
    "ProgressCallback",
    "StudyError",
    "Task",
    "iter_replications",
    "run_replications",
]
