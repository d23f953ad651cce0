"""Common random numbers that hold: first-time contacts keep their draws whatever else changes.

Two runs with the same seed that differ in staffing, in routing policy, or
by an unrelated extra queue must give every first-time contact (attempt 1,
not a transfer leg or rerouted contact) exactly the same arrival time,
patience, base handle time, wrap-up and decisions (transfer, repeat and its
delay, balking), even though repeat contacts and transfer legs are created
in between in a different number and order. The draws are read from the
contacts themselves through the engine's opt-in state trace.
"""

from __future__ import annotations

from typing import Any

import pytest

from simcenter.contact import Contact
from simcenter.engine import run_replication
from simcenter.scenario import Scenario, build_scenario

SEED = 11
HORIZON = "6h"


def centre(
    agents: int,
    extra_queue: bool = False,
    agent_selection: str = "longest_idle",
    contact_selection: str = "oldest",
) -> Scenario:
    """Billing with repeats (p = 0.3) and transfers to tech (p = 0.2); one group serves both.

    About 14 Erlangs are offered on billing alone (13.2 with repeats and
    transfers counted once more), so 16 agents wait and lose callers and 20
    hardly do: the two staffings create different repeat contacts and legs.
    """
    queues: list[dict[str, Any]] = [
        {
            "name": "billing",
            "arrivals": {"rate": "180/h"},
            "handle_time": {"distribution": "exponential", "mean": "4min"},
            "wrap_up": {"distribution": "exponential", "mean": "30s"},
            "patience": {"distribution": "exponential", "mean": "2min"},
            "balking": {"probability": 0.2},
            "repeat": {
                "probability": 0.3,
                "delay": {"distribution": "exponential", "mean": "20min"},
            },
            "transfer": {"probability": 0.2, "to": "tech"},
        },
        {
            "name": "tech",
            "arrivals": {"rate": "20/h"},
            "handle_time": {"distribution": "exponential", "mean": "6min"},
            "patience": {"distribution": "exponential", "mean": "3min"},
        },
    ]
    skills = ["billing", "tech"]
    if extra_queue:
        queues.insert(
            0,
            {
                "name": "sales",
                "arrivals": {"rate": "60/h"},
                "handle_time": {"distribution": "exponential", "mean": "3min"},
                "patience": {"distribution": "exponential", "mean": "1min"},
            },
        )
        skills = ["sales", *skills]
    return build_scenario(
        {
            "name": "crn",
            "horizon": HORIZON,
            "seed": SEED,
            "routing": {
                "agent_selection": agent_selection,
                "contact_selection": contact_selection,
            },
            "queues": queues,
            "agents": [{"name": "team", "count": agents, "skills": skills}],
        }
    )


def first_time_draws(scenario: Scenario) -> dict[str, list[tuple[float, ...]]]:
    """Per queue, in arrival order, the draws of every first-time contact of one run."""
    trace: list[Any] = []
    run_replication(scenario, 0, trace=trace)
    contacts: dict[int, Contact] = {}
    for _, contact, _, _ in trace:
        contacts[contact.contact_id] = contact
    draws: dict[str, list[tuple[float, ...]]] = {}
    for contact in sorted(contacts.values(), key=lambda contact: contact.arrival_s):
        if contact.attempt == 1 and contact.linked_id == -1:
            draws.setdefault(contact.queue.name, []).append(
                (
                    contact.arrival_s,
                    contact.patience_s,
                    contact.base_handle_s,
                    contact.wrap_s,
                    contact.transfers,
                    contact.repeats,
                    contact.repeat_delay_s if contact.repeats else 0.0,
                    contact.balks,
                )
            )
    return draws


def created_during_the_run(scenario: Scenario) -> int:
    """How many repeat contacts and transfer legs one run creates."""
    trace: list[Any] = []
    run_replication(scenario, 0, trace=trace)
    return len({contact.contact_id for _, contact, _, _ in trace if contact.linked_id != -1})


@pytest.fixture(scope="module")
def baseline() -> dict[str, list[tuple[float, ...]]]:
    """The first-time draws with 16 agents."""
    return first_time_draws(centre(16))


def test_staffing_does_not_change_any_first_time_contact(
    baseline: dict[str, list[tuple[float, ...]]],
) -> None:
    """16 vs 20 agents: every first-time contact of both queues has identical draws (100 %)."""
    assert created_during_the_run(centre(16)) != created_during_the_run(centre(20))
    assert len(baseline["billing"]) > 500
    assert len(baseline["tech"]) > 50
    assert sum(draw[4] for draw in baseline["billing"]) > 50  # transfers drawn
    assert sum(draw[5] for draw in baseline["billing"]) > 100  # repeats drawn
    assert first_time_draws(centre(20)) == baseline


def test_an_unrelated_queue_does_not_change_any_first_time_contact(
    baseline: dict[str, list[tuple[float, ...]]],
) -> None:
    """Adding a queue (served by the same agents, so it competes for them) changes no draw."""
    with_sales = first_time_draws(centre(16, extra_queue=True))
    assert len(with_sales.pop("sales")) > 200
    assert with_sales == baseline


@pytest.mark.parametrize(
    ("agent_selection", "contact_selection"),
    [("random", "oldest"), ("round_robin", "sl_urgency"), ("longest_idle", "priority")],
)
def test_the_routing_policy_does_not_change_any_first_time_contact(
    baseline: dict[str, list[tuple[float, ...]]], agent_selection: str, contact_selection: str
) -> None:
    """Other routing policies (with 16 and with 20 agents) change no draw."""
    for agents in (16, 20):
        scenario = centre(
            agents, agent_selection=agent_selection, contact_selection=contact_selection
        )
        assert first_time_draws(scenario) == baseline


def test_answered_first_time_contacts_talk_their_base_time_in_both_staffings() -> None:
    """Without skill or handover factors, the talk time of every answered one is its base draw."""
    for agents in (16, 20):
        trace: list[Any] = []
        run_replication(centre(agents), 0, trace=trace)
        answered = {contact for _, contact, _, to in trace if to.value == "in_service"}
        assert len(answered) > 400
        assert all(contact.handle_s == contact.base_handle_s for contact in answered)
        assert all(contact.handover_factor == 1.0 for contact in answered)
