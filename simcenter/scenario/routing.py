"""Routing specs: how contacts and free agents are matched.

The scenario's ``routing`` sets the rules for every queue; a queue's own
``routing`` may override any of them except ``contact_selection``, which is
the choice of a freed agent across all of its queues and so belongs to the
whole centre. :meth:`simcenter.scenario.Scenario.routing_of` merges the two.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from simcenter.scenario.values import NonNegativeSeconds, PositiveNumber, Spec

AgentSelection = Literal["longest_idle", "random", "round_robin", "fewest_skills", "priority"]
ContactSelection = Literal["oldest", "priority", "sl_urgency"]
RepeatContacts = Literal["any_agent", "prefer_last_agent", "last_agent_only"]


class RoutingSpec(Spec):
    """Routing rules of the centre.

    Attributes:
        agent_selection: Which free eligible agent answers an arriving
            contact: ``longest_idle``, ``random`` (uniformly among all
            eligible ones), ``round_robin`` (in turn), ``fewest_skills`` (the
            least skilled first) or ``priority`` (best skill level first,
            longest idle among them).
        contact_selection: Which waiting contact a freed agent takes:
            ``oldest``, ``priority`` (best skill level, then higher queue
            priority, then oldest) or ``sl_urgency`` (nearest to or furthest
            past its queue's service-level threshold). Unset, it is
            ``priority`` when any agent group gives its skills different
            levels, ``oldest`` otherwise.
        repeat_contacts: Who answers a repeat contact: ``any_agent``,
            ``prefer_last_agent`` (waits up to ``affinity_wait`` for the agent
            of the previous contact) or ``last_agent_only``.
        affinity_wait: With ``prefer_last_agent``, how long a repeat contact
            waits for its last agent before any agent may take it (seconds).
        handover_factor: Handle-time factor of a repeat contact answered by
            a different agent than its previous contact.
    """

    agent_selection: AgentSelection = "longest_idle"
    contact_selection: ContactSelection = "oldest"
    repeat_contacts: RepeatContacts = "any_agent"
    affinity_wait: NonNegativeSeconds = 60.0
    handover_factor: PositiveNumber = 1.0


class QueueRoutingSpec(Spec):
    """A queue's own routing rules; unset keys inherit the scenario's ``routing``.

    Attributes:
        agent_selection: As in the scenario's ``routing``.
        repeat_contacts: As in the scenario's ``routing``.
        affinity_wait: As in the scenario's ``routing`` (seconds).
        handover_factor: As in the scenario's ``routing``.
    """

    key_hints: ClassVar[dict[str, str]] = {
        "contact_selection": "contact_selection belongs in the top-level routing: "
        "a freed agent chooses across all of its queues"
    }

    agent_selection: AgentSelection | None = None
    repeat_contacts: RepeatContacts | None = None
    affinity_wait: NonNegativeSeconds | None = None
    handover_factor: PositiveNumber | None = None
