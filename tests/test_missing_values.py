"""Where a contact has no value, the contact log says so with a missing value, never -1.

No linked contact, no rotation skill set, no agent, no group, no previous
agent: ``contacts.parquet`` holds a null (read with pyarrow), and
``Results.contacts`` a pandas missing value (``<NA>`` in a nullable integer
column, NaN in a categorical). The run is the bank of
``scenarios/specialists.yaml`` (transfers, rotation, overflow, abandonment)
with repeat callers on savings and no warm-up, so every linked contact is in
the log.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import simcenter
from simcenter.results import Results

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def bank() -> Results:
    """Two replications of the bank over 4 hours, with repeat callers on savings."""
    scenario = simcenter.load_scenario(ROOT / "scenarios" / "specialists.yaml").with_overrides(
        {
            "horizon": "4h",
            "warmup": "0s",
            "queues.savings.repeat": {
                "probability": 0.3,
                "delay": {"distribution": "constant", "mean": "10min"},
            },
        }
    )
    return simcenter.simulate(scenario, replications=2, seed=3, jobs=1)


@pytest.fixture(scope="module")
def contacts() -> pd.DataFrame:
    """``Results.contacts`` of :func:`bank`."""
    table = bank().contacts
    assert table is not None
    return table


@pytest.fixture(scope="module")
def in_file(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """``contacts.parquet`` of :func:`bank`, as saved and read with pyarrow."""
    folder = bank().save(tmp_path_factory.mktemp("bank") / "out", plots=False)
    return pq.read_table(folder / "contacts.parquet")


def test_no_linked_contact_is_missing_and_a_link_names_a_contact_of_the_log(
    contacts: pd.DataFrame,
) -> None:
    """Outside loans (the queue transfers reach), only repeat contacts (attempt > 1) link."""
    assert str(contacts["linked_id"].dtype) == "Int64"
    own = contacts[contacts["queue"] != "loans"]
    assert (own["linked_id"].isna() == (own["attempt"] == 1)).all()
    linked = contacts[contacts["linked_id"].notna()]
    assert (linked["attempt"] > 1).sum() > 20  # repeat contacts
    assert (linked["attempt"] == 1).sum() > 20  # second legs of transfers
    keys = pd.MultiIndex.from_frame(contacts[["replication", "contact_id"]])
    targets = pd.MultiIndex.from_arrays([linked["replication"], linked["linked_id"].astype(int)])
    assert targets.isin(keys).all()
    by_id = contacts.set_index(["replication", "contact_id"])
    continued = by_id.loc[targets, "outcome"].to_numpy()
    assert set(continued) == {"answered", "transferred"}  # repeats follow answers


def test_skill_set_is_missing_unless_a_rotating_agent_answered(contacts: pd.DataFrame) -> None:
    """Only the back office rotates (two skill sets); every other contact has no skill set."""
    assert str(contacts["skill_set"].dtype) == "Int16"
    rotating = (contacts["group"] == "back-office").to_numpy()
    assert (contacts["skill_set"].notna().to_numpy() == rotating).all()
    assert set(contacts.loc[rotating, "skill_set"]) == {0, 1}
    assert contacts["skill_set"].isna().sum() > 100


def test_no_agent_group_or_previous_agent_is_missing(contacts: pd.DataFrame) -> None:
    """A contact has an agent and a group exactly when it was answered (``answered_s``)."""
    answered = contacts["answered_s"].notna()
    assert (contacts["agent"].notna() == answered).all()
    assert (contacts["group"].notna() == answered).all()
    assert (~answered).sum() > 20  # abandoned contacts
    previous = contacts["previous_agent"].notna()
    assert (previous <= contacts["linked_id"].notna()).all()
    assert previous.sum() > 20


def test_no_column_a_user_reads_holds_minus_one(contacts: pd.DataFrame, in_file: pa.Table) -> None:
    for name in contacts.columns:
        column = contacts[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            assert "-1" not in map(str, column.cat.categories), name
        elif pd.api.types.is_numeric_dtype(column):
            assert not (column == -1).any(), name
    for name, column in zip(in_file.column_names, in_file.columns, strict=True):
        if pa.types.is_dictionary(column.type):
            column = column.combine_chunks().dictionary
        if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
            assert not pc.any(pc.equal(column, -1)).as_py(), name
        else:
            assert not pc.any(pc.equal(column.cast(pa.string()), "-1")).as_py(), name


def test_the_file_holds_nulls_where_results_contacts_holds_missing_values(
    contacts: pd.DataFrame, in_file: pa.Table
) -> None:
    """The file's null counts are the missing values of ``Results.contacts``, column by column."""
    assert in_file.schema.field("linked_id").type == pa.int64()
    assert in_file.schema.field("skill_set").type == pa.int16()
    for name in ("linked_id", "skill_set", "agent", "group", "previous_agent", "answered_s"):
        assert in_file.column(name).null_count == contacts[name].isna().sum() > 0, name
    assert in_file.column("contact_id").null_count == 0
    file_order = in_file.to_pandas().sort_values(["replication", "contact_id"], ignore_index=True)
    log_order = contacts.sort_values(["replication", "contact_id"], ignore_index=True)
    for name in ("linked_id", "skill_set"):
        np.testing.assert_array_equal(file_order[name].isna(), log_order[name].isna())
        pd.testing.assert_series_equal(file_order[name], log_order[name])
