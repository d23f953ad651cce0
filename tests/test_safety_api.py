"""The Python API checks its arguments like the command line, and every run's resources are bounded.

Wrong types raise ``TypeError`` and values out of range ``ValueError``, each
message naming the argument, before any work; a run whose tables could not
fit in memory is refused by the API as by the command line; the estimate
counts the contact log only when it is kept; a local Dask cluster gets at
most one worker per core, like the local pool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from safety import TINY, run_cli, write

import simcenter
import simcenter.experiments
from simcenter import workload
from simcenter.loading import load_scenario
from simcenter.stops import available_cores
from simcenter.workload import WorkloadError

SCENARIO = yaml.safe_load(TINY)
OTHER = yaml.safe_load(TINY.replace("count: 3", "count: 4"))


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any replication starts (the arguments must be checked before)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("started simulating before checking the arguments")

    monkeypatch.setattr(simcenter.experiments, "run_replications", refuse)
    monkeypatch.setattr("simcenter.studies.sweep.iter_replications", refuse)
    monkeypatch.setattr("simcenter.studies.compare.iter_replications", refuse)
    monkeypatch.setattr("simcenter.studies.staffing.run_replications", refuse)


def test_a_huge_number_of_replications_is_refused_at_once(no_simulation: None) -> None:
    with pytest.raises(ValueError, match=r"^replications: must be at most 100,000 \(got 1"):
        simcenter.simulate(SCENARIO, replications=10**20)


CALLS = {
    "simulate": lambda **kw: simcenter.simulate(SCENARIO, **kw),
    "sweep": lambda **kw: simcenter.sweep(SCENARIO, {"agents.team.count": [3, 4]}, **kw),
    "compare": lambda **kw: simcenter.compare(SCENARIO, OTHER, **kw),
    "staff": lambda **kw: simcenter.staff(SCENARIO, **kw),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"replications": 10**20}, ValueError, r"^replications: must be at most 100,000"),
        ({"replications": "20"}, TypeError, r"^replications: must be an integer \(got str\)"),
        ({"replications": True}, TypeError, r"^replications: must be an integer \(got bool\)"),
        ({"replications": 2.0}, TypeError, r"^replications: must be an integer \(got float\)"),
        ({"seed": -1}, ValueError, r"^seed: must be non-negative \(got -1\)"),
        ({"seed": 2**64}, ValueError, r"^seed: must be at most 9,223,372,036,854,775,807"),
        ({"seed": "1"}, TypeError, r"^seed: must be an integer \(got str\)"),
        ({"jobs": 0}, ValueError, r"^jobs: must be positive \(got 0\)"),
        ({"jobs": 1.5}, TypeError, r"^jobs: must be an integer \(got float\)"),
    ],
)
def test_every_api_function_checks_its_arguments_before_any_work(
    no_simulation: None, call: str, arguments: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        CALLS[call](**arguments)


def test_the_api_checks_the_other_arguments_too(no_simulation: None) -> None:
    with pytest.raises(ValueError, match=r"^replications: must be at least 2 \(got 1\)"):
        simcenter.compare(SCENARIO, OTHER, replications=1)
    with pytest.raises(ValueError, match=r"^max_replications: must be at least 20 \(got 10\)"):
        simcenter.staff(SCENARIO, replications=20, max_replications=10)
    with pytest.raises(TypeError, match=r"^keep_contacts: must be True or False \(got str\)"):
        simcenter.simulate(SCENARIO, keep_contacts="no")


def test_the_api_refuses_a_run_that_cannot_fit_in_memory(
    no_simulation: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workload, "available_memory", lambda: 1e6)

    with pytest.raises(WorkloadError, match=r"this run would need .* more than the 1.0 MB"):
        simcenter.simulate(SCENARIO, replications=1000)


# --- the estimate ---------------------------------------------------------------------------


def test_the_estimate_counts_the_contact_log_only_when_it_is_kept() -> None:
    scenario = load_scenario(SCENARIO)
    busier = scenario.with_overrides({"queues.support.arrivals.rate": "600/h"})

    kept = workload.estimate(scenario, 100, keep_contacts=True)
    dropped = workload.estimate(scenario, 100, keep_contacts=False)
    busier_dropped = workload.estimate(busier, 100, keep_contacts=False)

    per_contact = workload.CONTACT_RECORD_BYTES + workload.CONTACT_ROW_BYTES
    assert kept.memory_bytes - dropped.memory_bytes == pytest.approx(kept.contacts * per_contact)
    assert busier_dropped.contacts == pytest.approx(10 * dropped.contacts)
    assert busier_dropped.memory_bytes == dropped.memory_bytes  # no per-contact data at all


def test_the_memory_advice_says_no_contacts_only_when_the_log_is_kept() -> None:
    scenario = load_scenario(SCENARIO)
    for keep, advised in ((True, True), (False, False)):
        estimate = workload.estimate(scenario, 100, keep_contacts=keep)
        with pytest.raises(WorkloadError) as refused:
            workload.check(estimate, memory_bytes=1.0)
        assert ("--no-contacts" in str(refused.value)) is advised


# --- Dask ---------------------------------------------------------------------------------------


def test_a_local_dask_cluster_gets_at_most_one_worker_per_core(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    from simcenter.studies import dask_executor

    started: list[int] = []
    real = dask_executor.LocalCluster

    def cluster(*args: Any, **kwargs: Any) -> Any:
        started.append(kwargs["n_workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(dask_executor, "LocalCluster", cluster)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TINY)
    cores = available_cores()

    code, _, err = run_cli(
        capsys,
        *("sweep", "scenario.yaml", "--vary", "agents.team.count=3:4", "-n", "2", "--quiet"),
        *("--executor", "dask", "--jobs", "16", "-o", "out"),
    )

    assert code == 0
    assert f"note: --jobs 16 is more than the {cores} cores here; using {cores}" in err
    assert started == [min(16, cores)]
    assert (tmp_path / "out" / "sweep.csv").is_file()
