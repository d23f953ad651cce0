"""Contact-selection policies: which waiting contact a freed agent takes.

Each policy is a small class with one method, :meth:`choose`, that looks at
the heads of the lines of the agent's pool and returns the line whose head
the agent takes, or None when nothing waits. Queue ``priority`` is absolute
for ``oldest`` and ``sl_urgency`` (a higher-priority queue is always served
first); ``priority`` ranks skill level before queue priority (docs/routing.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simcenter.routing.lines import Line, Pool


class ContactSelection:
    """Base of the contact-selection policies."""

    def choose(self, pool: Pool, now: float) -> Line | None:
        """The line whose head the agent of ``pool`` takes at ``now``, or None."""
        raise NotImplementedError


def _oldest(lines: list[Line]) -> Line | None:
    """Among lines with work: the highest queue priority, then the oldest head."""
    best: Line | None = None
    best_key = (0, 0.0)
    for line in lines:
        if line.waiting:
            key = (-line.queue.priority, line.head().arrival_s)
            if best is None or key < best_key:
                best, best_key = line, key
    return best


class OldestContact(ContactSelection):
    """The highest-priority queue with work first, then the contact that has waited longest."""

    def choose(self, pool: Pool, now: float) -> Line | None:
        """The line of the oldest contact of the highest priority with work."""
        return _oldest(pool.lines)


class BestSkillContact(ContactSelection):
    """The agent's best skill level with work first, then queue priority, then the oldest."""

    def choose(self, pool: Pool, now: float) -> Line | None:
        """The line of the oldest contact of the best level and priority with work."""
        for level in pool.lines_by_level:
            best = _oldest(level)
            if best is not None:
                return best
        return None


class MostUrgentContact(ContactSelection):
    """The contact whose wait is closest to, or furthest past, its queue's threshold.

    Urgency = wait so far − service-level threshold of the contact's queue;
    the highest-priority queue with work first, then the most urgent.
    """

    def choose(self, pool: Pool, now: float) -> Line | None:
        """The line of the most urgent contact of the highest priority with work."""
        best: Line | None = None
        best_key = (0, 0.0)
        for line in pool.lines:
            if line.waiting:
                urgency = now - line.head().arrival_s - line.queue.threshold_s
                key = (-line.queue.priority, -urgency)
                if best is None or key < best_key:
                    best, best_key = line, key
        return best


def contact_selection(name: str) -> ContactSelection:
    """The policy called ``name`` in the scenario (``routing.contact_selection``)."""
    policies = {
        "oldest": OldestContact,
        "priority": BestSkillContact,
        "sl_urgency": MostUrgentContact,
    }
    return policies[name]()
