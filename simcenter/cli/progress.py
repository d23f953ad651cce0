"""The progress bar of the commands that run replications."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager

ProgressBar = AbstractContextManager["Callable[[int, int], None] | None"]
"""Yields ``progress(done, total)`` to call as replications finish, or None (no bar)."""


def progress_bar(total: int) -> ProgressBar:
    """A transient bar of ``total`` replications on a terminal; nothing for one or fewer."""
    if total <= 1 or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from rich.progress import Progress

    @contextlib.contextmanager
    def bar():
        with Progress(transient=True) as progress:
            task = progress.add_task("replications", total=total)
            yield lambda done, total: progress.update(task, completed=done, total=total)

    return bar()
