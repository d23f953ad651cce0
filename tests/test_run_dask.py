"""``simcenter run --executor dask [--address]``: the same files as the local pool.

A run on a Dask ``LocalCluster`` of two worker processes, and one on a
running cluster given by its scheduler address, write tables that are
byte-identical to those of the local pool of two workers with the same seed
(Dask workers keep no contact log, so the local run is made without one).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simcenter.cli import main
from simcenter.results import TABLE_FILES

SCENARIO = {
    "name": "dask-run",
    "seed": 5,
    "horizon": "1h",
    "interval": "15min",
    "replications": 4,
    "queues": [
        {
            "name": "support",
            "arrivals": {"rate": "240/h"},
            "handle_time": {"distribution": "exponential", "mean": "3min"},
            "patience": {"distribution": "exponential", "mean": "2min"},
        }
    ],
    "agents": [{"name": "team", "count": 12, "skills": ["support"], "cost_per_hour": 30}],
}


def _tables(folder: Path) -> dict[str, bytes]:
    """The tables and the resolved scenario a run wrote, as bytes."""
    files = [*sorted(folder.glob("*.csv")), folder / "scenario.yaml"]
    return {path.name: path.read_bytes() for path in files}


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("local")
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    out = folder / "out"
    common = ["--jobs", "2", "--no-plots", "--quiet", "--no-contacts"]
    assert main(["run", str(path), "-o", str(out), *common]) == 0
    return path, _tables(out)


@pytest.mark.slow
def test_run_on_a_local_dask_cluster_writes_the_local_tables(
    local: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    path, expected = local
    out = tmp_path / "dask"
    assert (
        main(
            [
                "run",
                str(path),
                "-o",
                str(out),
                "--executor",
                "dask",
                "--jobs",
                "2",
                "--no-plots",
                "--quiet",
            ]
        )
        == 0
    )
    written = _tables(out)
    assert {name.removesuffix(".csv") for name in written} >= set(TABLE_FILES)
    assert written == expected
    assert not (out / "contacts.parquet").exists()


@pytest.mark.slow
def test_run_on_a_cluster_given_by_its_address_writes_the_local_tables(
    local: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    from simcenter.studies.dask_executor import _client

    path, expected = local
    out = tmp_path / "dask"
    with _client(None, 2) as client:
        address = client.scheduler.address
        assert (
            main(
                [
                    "run",
                    str(path),
                    "-o",
                    str(out),
                    "--executor",
                    "dask",
                    "--address",
                    address,
                    "--no-plots",
                    "--quiet",
                ]
            )
            == 0
        )
    assert _tables(out) == expected


def test_address_needs_the_dask_executor(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    assert main(["run", str(path), "--address", "tcp://127.0.0.1:8786"]) == 2
    assert "--address: needs --executor dask" in capsys.readouterr().err
