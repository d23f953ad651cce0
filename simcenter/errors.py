"""The errors simcenter raises to its callers.

Only :class:`SimcenterError` and its subclasses reach the command line, which
prints their message and exits with code 2. Anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

Location = tuple[str | int, ...]
"""A key path into a scenario, e.g. ``("queues", 0, "handle_time", "mean")``."""


def format_location(loc: Location) -> str:
    """Render a key path the way users read it: ``queues[0].handle_time.mean``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    Attributes:
        loc: Key path of the offending value (empty for the whole file).
        message: What is wrong, naming the expectation and the value found.
        file: The scenario file, when the scenario came from a file.
        line: 1-based line of the offending key in ``file``, when known.
    """

    loc: Location
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.line is not None:
            where = f"{self.file}:{self.line}"
        path = format_location(self.loc)
        head = " ".join(part for part in (where, path) if part)
        return f"{head}: {self.message}" if head else self.message


class SimcenterError(Exception):
    """Base class of every error simcenter reports to users."""


class ScenarioError(SimcenterError):
    """A scenario is invalid; carries every problem found, not just the first.

    Attributes:
        problems: All problems, in file order where lines are known.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
