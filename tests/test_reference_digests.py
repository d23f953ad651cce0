"""Reference runs: the engine's outputs stay byte-identical while its code is reshaped.

Every example scenario (on a shorter horizon; the examples on shifts also
over several days), cheap versions of the
theory tests' reference cases, and 60 small centres drawn once by the
Hypothesis routing strategy (``tests/data/reference_scenarios.json``, every
routing feature, rotation, repeats, transfers, staffing plans, the three
closings) are simulated with the contact log, written as a user gets them,
and the SHA-256 digests of ``summary.csv``, ``intervals.csv``, ``agents.csv``
and ``routing.csv`` and of the contact log's content are compared with the
digests committed in ``tests/data/reference_digests.json``.

A change that is meant to change the numbers (a new way of drawing, a fixed
bug) regenerates the digests with ``SIMCENTER_UPDATE_DIGESTS=1 pytest
tests/test_reference_digests.py`` and says so in the changelog.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import simcenter as sc
from simcenter.scenario import Scenario, build_scenario

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
DIGESTS = DATA / "reference_digests.json"
FILES = ("summary.csv", "intervals.csv", "agents.csv", "routing.csv")
UPDATE = os.environ.get("SIMCENTER_UPDATE_DIGESTS") == "1"
SHIFT_EXAMPLES = {"follow_the_sun": "8d", "week_with_shifts": "7d"}
"""Examples on shifts, also run over days long enough to cover what they show (their
first 4 hours have few or no agents on duty): New York's change of clocks on
8 March, and the whole week with its meeting, absence and holiday."""


def _theory_case(agents: int, load: float, patience_s: float | None, closing: str) -> Scenario:
    """The theory tests' single queue (``tests/theory/conftest.py``) on a 6-hour horizon."""
    queue: dict[str, Any] = {
        "name": "q",
        "arrivals": {"rate": load / 300.0},
        "handle_time": {"distribution": "exponential", "mean": 300.0},
    }
    if patience_s is not None:
        queue["patience"] = {"distribution": "exponential", "mean": patience_s}
    return build_scenario(
        {
            "name": "theory",
            "horizon": "6h",
            "warmup": "1h",
            "closing": closing,
            "service_level": {"threshold": "20s"},
            "queues": [queue],
            "agents": [{"name": "g", "count": agents, "skills": ["q"]}],
        }
    )


def _cases() -> dict[str, tuple[Scenario, int, int]]:
    """Case name -> (scenario, replications, seed)."""
    cases: dict[str, tuple[Scenario, int, int]] = {}
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = sc.load_scenario(path)
        short = scenario.with_overrides({"horizon": min(scenario.horizon, 4 * 3600.0)})
        cases[f"example-{path.stem}"] = (short, 2, 1)
    for name, horizon in SHIFT_EXAMPLES.items():
        scenario = sc.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        cases[f"example-{name}-{horizon}"] = (scenario.with_overrides({"horizon": horizon}), 1, 1)
    cases["erlang-a-20-agents-24-erlangs"] = (_theory_case(20, 24.0, 180.0, "drain"), 2, 20260106)
    cases["erlang-c-10-agents-9-erlangs"] = (_theory_case(10, 9.0, None, "drain"), 2, 20260105)
    cases["littles-law-20-agents-stop"] = (_theory_case(20, 18.0, None, "stop"), 2, 20260107)
    drawn = json.loads((DATA / "reference_scenarios.json").read_text(encoding="utf-8"))
    for number, data in enumerate(drawn):
        cases[f"drawn-{number:02d}"] = (build_scenario(data), 2, data["seed"])
    return cases


CASES = _cases()


def _digests(results: sc.Results, folder: Path) -> dict[str, str]:
    """SHA-256 of each output table as written, and of the contact log's content.

    The contact log is digested as its rows (a CSV of the table read back),
    not as the Parquet bytes, whose metadata names the writing library's version.
    """
    results.save(folder, plots=False)
    digests = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES}
    contacts = pd.read_parquet(folder / "contacts.parquet")
    text = contacts.to_csv(index=False).encode()
    digests["contacts.parquet"] = hashlib.sha256(text).hexdigest()
    return digests


@pytest.fixture(scope="module")
def committed() -> dict[str, dict[str, str]]:
    """The committed digests (empty when they are being regenerated)."""
    if UPDATE:
        return {}
    return json.loads(DIGESTS.read_text(encoding="utf-8"))


_FRESH: dict[str, dict[str, str]] = {}


@pytest.mark.parametrize("case", list(CASES))
def test_outputs_are_byte_identical_to_the_reference(
    case: str, committed: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    scenario, replications, seed = CASES[case]
    results = sc.simulate(scenario, replications=replications, seed=seed, jobs=1)
    digests = _digests(results, tmp_path / "out")
    if UPDATE:
        _FRESH[case] = digests
        DIGESTS.write_text(json.dumps(_FRESH, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert digests == committed[case]


def test_every_reference_case_has_committed_digests() -> None:
    if UPDATE:
        pytest.skip("regenerating the digests")
    assert set(json.loads(DIGESTS.read_text(encoding="utf-8"))) == set(CASES)
