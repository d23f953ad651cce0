"""simcenter: a discrete-event simulator of contact centres, on SimPy.

The public API::

    import simcenter as sc
    scenario = sc.load_scenario("scenarios/single_queue.yaml")
    results = sc.simulate(scenario, replications=10, seed=1)
    results.summary, results.intervals, results.agents, results.contacts
    results.save("out/")
    table = sc.sweep(scenario, {"agents.tier1.count": range(24, 37)})
    sc.erlang.erlang_c(rate=0.1, aht=240, agents=30)
"""

from simcenter import erlang
from simcenter._version import __version__
from simcenter.errors import Problem, ScenarioError, SimcenterError
from simcenter.experiments import simulate
from simcenter.loading import load_scenario
from simcenter.results import Results
from simcenter.scenario import Scenario
from simcenter.studies.compare import compare
from simcenter.studies.staffing import staff
from simcenter.studies.sweep import sweep

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
