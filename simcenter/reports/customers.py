"""Customer figures: how customers fared over all their attempts, per queue of their first contact.

A customer is who made a first-time contact; its retrials and repeat calls
are further attempts of the same customer (:mod:`simcenter.customers`
defines when its story ends, its first-attempt and final outcome, and its
summed wait). The table is made when a queue has ``retrial`` or ``repeat``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcenter.records import OUTCOME_CODE, ReplicationRecord, RunMeta
from simcenter.reports._common import (
    CHANNEL,
    channel_names,
    has_channel_rows,
    queue_names,
    ratio,
    row_names,
    with_totals,
)

LOST = ("abandoned", "blocked", "balked", "disconnected", "abandoned_in_ivr")
"""Final outcomes of a customer who never reached an agent nor left a message."""


def customer_outcomes(meta: RunMeta) -> tuple[str, ...]:
    """The outcomes a customer's attempt can end with in this run: all but ``transferred``."""
    return tuple(name for name in meta.outcomes if name != "transferred")


def replication_customers(
    meta: RunMeta, record: ReplicationRecord, summary: pd.DataFrame
) -> pd.DataFrame:
    """Customers per queue of their first contact, the channel rows and ``ALL``, in one replication.

    Columns: ``queue``, ``channel`` (several channels only); ``customers``
    (whose first contact arrived at or after the warm-up); ``attempts``
    (first attempts, retrials and repeat calls), ``retrials``,
    ``repeat_calls``, ``attempts_per_customer``;
    ``first_<outcome>`` and ``final_<outcome>`` (customers whose first
    attempt, and whose last contact, ended so; every outcome of the run but
    ``transferred``); ``finally_lost`` (final outcome abandoned, blocked,
    balked, disconnected or abandoned in an IVR); ``first_contact_answer_rate`` (share answered at
    their first attempt), ``final_answer_rate`` (share answered in the end);
    ``mean_customer_wait_s`` (waits summed over a customer's contacts,
    seconds); ``customer_service_level`` (share finally answered with that
    summed wait within the first queue's threshold) beside
    ``contact_service_level`` (the summary's ``service_level`` of the queue,
    every attempt a contact). A channel row (several channels only) adds up
    the customers whose first contact was in one of the channel's queues.

    Args:
        meta: The run description.
        record: One replication.
        summary: The replication's summary (:func:`~simcenter.reports.replication_summary`).
    """
    t = record.tallies.customers

    def with_all(values: np.ndarray) -> np.ndarray:
        return with_totals(meta, values)

    customers = with_all(t.customers)
    first, final = with_all(t.first_outcomes), with_all(t.final_outcomes)
    rows = np.arange(len(row_names(meta)))
    columns: dict[str, object] = {"queue": queue_names(meta, rows)}
    if has_channel_rows(meta):
        columns[CHANNEL] = channel_names(meta, rows)
    columns |= {
        "customers": customers,
        "attempts": with_all(t.attempts),
        "retrials": with_all(t.retrials),
        "repeat_calls": with_all(t.repeats),
        "attempts_per_customer": ratio(with_all(t.attempts), customers),
    }
    outcomes = customer_outcomes(meta)
    columns |= {f"first_{name}": first[:, OUTCOME_CODE[name]] for name in outcomes}
    columns |= {f"final_{name}": final[:, OUTCOME_CODE[name]] for name in outcomes}
    columns["finally_lost"] = final[:, [OUTCOME_CODE[name] for name in LOST]].sum(axis=1)
    columns["first_contact_answer_rate"] = ratio(first[:, OUTCOME_CODE["answered"]], customers)
    columns["final_answer_rate"] = ratio(final[:, OUTCOME_CODE["answered"]], customers)
    columns["mean_customer_wait_s"] = ratio(with_all(t.wait_sum_s), customers)
    columns["customer_service_level"] = ratio(with_all(t.answered_in_target), customers)
    levels = summary.set_index("queue")["service_level"]
    columns["contact_service_level"] = levels.loc[row_names(meta)].to_numpy()
    return pd.DataFrame(columns)
