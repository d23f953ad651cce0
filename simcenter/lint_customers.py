"""Lint of customer behaviour: an IVR that leaves nothing for the agents of its queue.

A warning about a valid scenario (see :func:`simcenter.lint.lint`): a queue
whose IVR resolves every contact (``self_service: 1``) while agent groups
serve it, by skill or by overflow. No contact of it ever reaches them, which
is rarely what was meant (a share in percent, ``1`` for 1 %?).
"""

from __future__ import annotations

from simcenter.errors import Problem
from simcenter.scenario import Scenario


def ivr_resolves_everything(scenario: Scenario) -> list[Problem]:
    """Queues whose IVR resolves every contact while agent groups serve them."""
    warnings = []
    for index, queue in enumerate(scenario.queues):
        if queue.ivr is None or queue.ivr.self_service < 1:
            continue
        overflow = set(queue.overflow.to) if queue.overflow is not None else set()
        serving = [
            group.name
            for group in scenario.agents
            if queue.name in group.skill_levels or group.name in overflow
        ]
        if serving:
            warnings.append(
                Problem(
                    ("queues", index, "ivr", "self_service"),
                    f"is 1: the IVR resolves every contact, so the agents of "
                    f"{', '.join(serving)} never get one of {queue.name}",
                )
            )
    return warnings
