"""A contact's draws: declared by purpose name, taken through the ``Draws`` protocol.

- Every purpose of ``draws.PURPOSES`` names its stream and the contact
  attribute that holds its value: each attribute of a new contact is
  recomputed from the stream of that name alone (value ``k`` for contact
  ``k``; the repeat delay for the ``k``-th contact that calls again, the
  retrial delay for the ``k``-th that would try again), for
  first-time contacts (``<purpose>/<queue>``) and contacts of another origin
  (``<origin>/<queue>/<purpose>``).
- A second implementation of the protocol, a trace that gives each contact
  the handle time and patience of its row, runs through the engine unchanged
  (``run_replication(..., draws=...)``): the contact log shows exactly the
  row's handle times, and who abandons and when follows from the rows by an
  independent single-agent first-come-first-served recursion.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simcenter.contact import Contact
from simcenter.distributions import Uniform
from simcenter.draws import (
    CHOICES,
    IVR_PATIENCE,
    IVR_TIME,
    PURPOSES,
    REPEAT_DELAY,
    RETRIAL_DELAY,
    TIMES,
    Draws,
    DrawsOf,
    Time,
    sampled,
)
from simcenter.engine import run_replication
from simcenter.records import OUTCOMES
from simcenter.scenario import QueueSpec, Scenario, build_scenario
from simcenter.streams import stream

SEED = 17
CONTACTS = 3000
"""Contacts drawn: several refills of growing size (64, 128, ... 1024)."""


def billing() -> QueueSpec:
    """A queue with every rule that draws, each from a distribution that draws."""
    scenario = build_scenario(
        {
            "name": "draws",
            "horizon": "1h",
            "queues": [
                {
                    "name": "billing",
                    "arrivals": {"rate": "60/h"},
                    "handle_time": {"distribution": "exponential", "mean": "4min"},
                    "wrap_up": {"distribution": "lognormal", "mean": "30s", "cv": 0.5},
                    "patience": {"distribution": "gamma", "mean": "2min", "cv": 0.8},
                    "balking": {"probability": 0.2},
                    "repeat": {
                        "probability": 0.3,
                        "delay": {"distribution": "exponential", "mean": "20min"},
                    },
                    "transfer": {"probability": 0.4, "to": "tech"},
                    "retrial": {
                        "probability": 0.6,
                        "delay": {"distribution": "gamma", "mean": "10min", "cv": 0.5},
                    },
                    "ivr": {
                        "duration": {"distribution": "exponential", "mean": "40s"},
                        "self_service": 0.25,
                        "abandon_in_ivr": True,
                        "patience": {"distribution": "exponential", "mean": "2min"},
                    },
                },
                {
                    "name": "tech",
                    "arrivals": {"rate": "10/h"},
                    "handle_time": {"distribution": "exponential", "mean": "6min"},
                },
            ],
            "agents": [{"name": "team", "count": 2, "skills": ["billing", "tech"]}],
        }
    )
    return scenario.queues[0]


def test_every_purpose_has_its_own_name_and_contact_attribute() -> None:
    assert list(PURPOSES) == [
        purpose.name
        for purpose in (*TIMES, *CHOICES, REPEAT_DELAY, RETRIAL_DELAY, IVR_TIME, IVR_PATIENCE)
    ]
    attributes = [purpose.attribute for purpose in PURPOSES.values()]
    assert len(set(attributes)) == len(attributes) == len(PURPOSES)
    assert set(attributes) <= set(Contact.__slots__)


@pytest.mark.parametrize("origin", ["first", "repeat", "transfer", "reroute", "retrial"])
def test_each_attribute_is_the_value_of_the_stream_named_after_its_purpose(origin: str) -> None:
    spec = billing()
    draws = sampled(SEED, 2)(spec, origin)
    contacts = [Contact(k, None, 0.0, draws) for k in range(CONTACTS)]  # type: ignore[arg-type]

    def named(purpose: str) -> np.random.Generator:
        name = f"{purpose}/billing" if origin == "first" else f"{origin}/billing/{purpose}"
        return stream(SEED, 2, name)

    for purpose in TIMES:
        distribution = purpose.distribution(spec)
        assert distribution is not None
        built = distribution.build()
        assert built.ELEMENTWISE  # its values do not depend on the block sizes
        expected = built.sample(named(purpose.name), CONTACTS)
        got = [getattr(contact, purpose.attribute) for contact in contacts]
        assert got == expected.tolist(), purpose.name
    for choice in CHOICES:
        probability = choice.probability(spec)
        assert probability is not None
        expected = Uniform(0.0, 1.0).sample(named(choice.name), CONTACTS) < probability
        got = [getattr(contact, choice.attribute) for contact in contacts]
        assert got == expected.tolist(), choice.name
    delays: tuple[tuple[Time, str], ...] = ((REPEAT_DELAY, "repeats"), (RETRIAL_DELAY, "retries"))
    for purpose, decision in delays:
        chosen = [contact for contact in contacts if getattr(contact, decision)]
        delay = purpose.distribution(spec)
        assert delay is not None
        expected = delay.build().sample(named(purpose.name), len(chosen))
        assert [getattr(contact, purpose.attribute) for contact in chosen] == expected.tolist()
        others = [contact for contact in contacts if not getattr(contact, decision)]
        assert all(math.isnan(getattr(contact, purpose.attribute)) for contact in others)
    for purpose in (IVR_TIME, IVR_PATIENCE):  # every contact at a queue with an IVR
        distribution = purpose.distribution(spec)
        assert distribution is not None
        expected = distribution.build().sample(named(purpose.name), CONTACTS)
        assert [getattr(contact, purpose.attribute) for contact in contacts] == expected.tolist()


def test_a_queue_without_a_rule_draws_its_default() -> None:
    spec = billing().model_copy(
        update={
            "patience": None,
            "balking": None,
            "repeat": None,
            "transfer": None,
            "retrial": None,
            "ivr": None,
        }
    )
    draws = sampled(SEED, 0)(spec, "first")
    contacts = [Contact(k, None, 0.0, draws) for k in range(100)]  # type: ignore[arg-type]
    assert all(contact.patience_s == math.inf for contact in contacts)
    assert not any(
        contact.transfers
        or contact.repeats
        or contact.balks
        or contact.retries
        or contact.self_serves
        for contact in contacts
    )
    assert all(math.isnan(contact.repeat_delay_s) for contact in contacts)
    assert all(math.isnan(contact.retrial_delay_s) for contact in contacts)


# --- a second implementation: a trace's rows ------------------------------------------


class TraceDraws:
    """The handle time and patience of each contact from its row (by contact id).

    Every other purpose comes from ``rest``; a row gives values by purpose name.
    """

    def __init__(self, rows: dict[int, dict[str, float]], rest: Draws) -> None:
        self.rows = rows
        self.rest = rest

    def draw(self, contact: Contact) -> None:
        """The sampled values, then the row's where it has them."""
        self.rest.draw(contact)
        for name, value in self.rows[contact.contact_id].items():
            setattr(contact, PURPOSES[name].attribute, value)


def one_agent() -> Scenario:
    """One agent, one queue at about 90 % load; drawn times that the trace replaces."""
    return build_scenario(
        {
            "name": "trace",
            "seed": SEED,
            "horizon": "8h",
            "queues": [
                {
                    "name": "billing",
                    "arrivals": {"rate": "20/h"},
                    "handle_time": {"distribution": "exponential", "mean": "3min"},
                    "patience": {"distribution": "exponential", "mean": "1min"},
                }
            ],
            "agents": [{"name": "solo", "count": 1, "skills": ["billing"]}],
        }
    )


def trace_rows(count: int) -> dict[int, dict[str, float]]:
    """Handle times of 100 to 260 s; patience of 90 to 315 s, every fifth contact never abandons."""
    return {
        k: {
            "handle": 100.0 + 16.0 * (k % 11),
            "patience": math.inf if k % 5 == 0 else 15.0 + 75.0 * (k % 5),
        }
        for k in range(count)
    }


def first_come_first_served(
    arrivals: np.ndarray, handle: np.ndarray, patience: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One agent, contacts in arrival order: ``(answered, start_s)`` of each contact.

    A contact is answered when the agent is free before its patience runs
    out (at ``max(arrival, agent free)``); a contact that abandons never
    holds the agent.
    """
    answered = np.zeros(len(arrivals), dtype=bool)
    start = np.full(len(arrivals), math.nan)
    free_s = 0.0
    for k, arrival in enumerate(arrivals):
        begins = max(arrival, free_s)
        if begins - arrival < patience[k]:
            answered[k], start[k] = True, begins
            free_s = begins + handle[k]
    return answered, start


def by_id(contacts: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    """The contact log's columns in the order of ``contact_id`` (the log is in order of ending)."""
    assert contacts is not None
    order = np.argsort(contacts["contact_id"])
    return {column: values[order] for column, values in contacts.items()}


def test_a_trace_gives_each_contact_the_handle_time_and_patience_of_its_row() -> None:
    scenario = one_agent()
    rows = trace_rows(1000)
    source = sampled(scenario.seed, 0)

    def traced(spec: QueueSpec, origin: str) -> Draws:
        return TraceDraws(rows, source(spec, origin))

    draws: DrawsOf = traced
    contacts = by_id(run_replication(scenario, 0, draws=draws).contacts)
    ids = contacts["contact_id"]
    assert 100 < len(ids) < 1000
    assert (ids == np.arange(len(ids))).all()
    handle = np.array([rows[k]["handle"] for k in ids])
    patience = np.array([rows[k]["patience"] for k in ids])
    answered = contacts["outcome"] == OUTCOMES.index("answered")
    abandoned = contacts["outcome"] == OUTCOMES.index("abandoned")
    assert (answered | abandoned).all()
    assert 10 < abandoned.sum() < answered.sum()
    assert (contacts["handle_s"][answered] == handle[answered]).all()
    np.testing.assert_allclose(contacts["wait_s"][abandoned], patience[abandoned], rtol=1e-12)
    assert not abandoned[np.isinf(patience)].any()

    expected_answered, expected_start = first_come_first_served(
        contacts["arrival_s"], handle, patience
    )
    assert (answered == expected_answered).all()
    np.testing.assert_allclose(
        contacts["answered_s"][answered], expected_start[answered], rtol=1e-12
    )

    plain = by_id(run_replication(scenario, 0).contacts)
    assert (plain["arrival_s"] == contacts["arrival_s"]).all()  # the arrivals are not the trace's
    assert not (plain["handle_s"][answered] == handle[answered]).all()


def test_the_engine_draws_from_the_sampled_streams_by_default() -> None:
    scenario = one_agent()
    default = by_id(run_replication(scenario, 3).contacts)
    explicit = by_id(run_replication(scenario, 3, draws=sampled(scenario.seed, 3)).contacts)
    other = by_id(run_replication(scenario, 3, draws=sampled(scenario.seed, 4)).contacts)
    for column in default:
        np.testing.assert_array_equal(default[column], explicit[column], err_msg=column)
    np.testing.assert_array_equal(other["arrival_s"], default["arrival_s"])
    assert not np.array_equal(other["handle_s"], default["handle_s"], equal_nan=True)
