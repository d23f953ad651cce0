"""simcenter: a discrete-event simulator of contact centres, on SimPy.

The public API::

    import simcenter as sc
    scenario = sc.load_scenario("scenarios/single_queue.yaml")
    results = sc.simulate(scenario, replications=10, seed=1)
    results.summary, results.intervals, results.agents, results.contacts
    results.save("out/")
    table = sc.sweep(scenario, {"agents.tier1.count": range(24, 37)})
    sc.erlang.erlang_c(rate=0.1, aht=240, agents=30)

Each name is imported when first used, so that ``import simcenter`` (and the
command line's ``--help``) does not load pandas, SciPy and SimPy before they
are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from simcenter._version import __version__

if TYPE_CHECKING:
    from simcenter import erlang
    from simcenter.errors import Problem, ScenarioError, SimcenterError
    from simcenter.experiments import simulate
    from simcenter.loading import load_scenario
    from simcenter.results import Results
    from simcenter.scenario import Scenario
    from simcenter.studies.compare import compare
    from simcenter.studies.staffing import staff
    from simcenter.studies.sweep import sweep

_HOMES = {
    "Problem": "simcenter.errors",
    "Results": "simcenter.results",
    "Scenario": "simcenter.scenario",
    "ScenarioError": "simcenter.errors",
    "SimcenterError": "simcenter.errors",
    "compare": "simcenter.studies.compare",
    "load_scenario": "simcenter.loading",
    "simulate": "simcenter.experiments",
    "staff": "simcenter.studies.staffing",
    "sweep": "simcenter.studies.sweep",
}
"""Where each public name is defined (``erlang`` is a module of its own)."""

__all__ = [
    "Problem",
    "Results",
    "Scenario",
    "ScenarioError",
    "SimcenterError",
    "__version__",
    "compare",
    "erlang",
    "load_scenario",
    "simulate",
    "staff",
    "sweep",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562) and keep it."""
    if name == "erlang":
        value: Any = importlib.import_module("simcenter.erlang")
    elif name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    else:
        raise AttributeError(f"module 'simcenter' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
