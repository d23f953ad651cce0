"""The package's layers, read from the source: who may import whom.

Every ``import`` of every module under ``simcenter/`` is read with :mod:`ast`
(imports inside functions included, imports under ``if TYPE_CHECKING:`` left
out: they never run). The rules:

- the engine (every module but the command line, the reports, the results,
  the plots, the studies and the few modules above them listed in
  ``ABOVE_ENGINE``)
  imports nothing from ``simcenter.cli``, ``simcenter.reports``,
  ``simcenter.results``, ``simcenter.plotting`` or ``simcenter.studies``;
- ``simcenter.studies`` imports nothing from ``simcenter.cli``;
- no module imports a private name (``_x``) of another module, nor a private
  module from outside the package that holds it;
- the modules import one another without a cycle.

The engine is defined by what it is not, so a new module joins it (and is
checked) unless it is added to a layer above it on purpose.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simcenter"

UPPER_LAYERS = (
    "simcenter.cli",
    "simcenter.reports",
    "simcenter.results",
    "simcenter.plotting",
    "simcenter.studies",
)
"""What the engine must not import."""

ABOVE_ENGINE = (
    *UPPER_LAYERS,
    "simcenter",  # the package's front page: the public API
    "simcenter.__main__",
    "simcenter.experiments",  # simulate(): runs the engine, returns Results
    "simcenter.report_html",  # report.html from an output folder
    "simcenter.analysis",  # what the report says about the results tables
    "simcenter.days",  # the days of a multi-day run as the console and the report show them
)
"""Modules (and packages) that are not the engine: they may use the upper layers."""

ENGINE_EXAMPLES = (
    "simcenter.centre",
    "simcenter.agents",
    "simcenter.contact",
    "simcenter.presence",
    "simcenter.recorder",
    "simcenter.records",
    "simcenter.engine",
    "simcenter.states",
    "simcenter.timer",
    "simcenter.streams",
    "simcenter.arrivals",
    "simcenter.routing.router",
    "simcenter.scenario.model",
    "simcenter.distributions",
    "simcenter.clock",
    "simcenter.bins",
    "simcenter.histogram",
    "simcenter.contact_log",
    "simcenter.units",
)
"""Modules that must be in the engine (a check of its definition)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def within(name: str, prefix: str) -> bool:
    """Whether module ``name`` is ``prefix`` or inside the package ``prefix``."""
    return name == prefix or name.startswith(prefix + ".")


def is_engine(name: str) -> bool:
    return not any(
        within(name, layer) if layer != "simcenter" else name == layer for layer in ABOVE_ENGINE
    )


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def run_time_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run (those under ``if TYPE_CHECKING:`` left out)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from run_time_imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from run_time_imports(node)


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imported(module: str, node: ast.Import | ast.ImportFrom) -> list[tuple[str, str | None]]:
    """(simcenter module, name taken from it or None) for each thing the statement imports."""
    if isinstance(node, ast.Import):
        return [(alias.name, None) for alias in node.names if within(alias.name, "simcenter")]
    source = _absolute(module, node)
    if not within(source, "simcenter"):
        return []
    found: list[tuple[str, str | None]] = []
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        found.append((submodule, None) if submodule in MODULES else (source, alias.name))
    return found


def _packages_run(module: str, target: str) -> list[str]:
    """The packages that importing ``target`` initialises, besides those holding ``module``."""
    parts = target.split(".")
    packages = [".".join(parts[:end]) for end in range(1, len(parts))]
    return [package for package in packages if not within(module, package)]


def dependencies(module: str) -> list[tuple[str, str | None, int]]:
    """(module, name or None, line) of every simcenter import of ``module`` that runs.

    Importing ``a.b.c`` also runs the packages ``a`` and ``a.b``: they count as
    imported too, unless ``module`` lies inside them (then they already run).
    """
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in run_time_imports(tree):
        for target, name in imported(module, node):
            found.append((target, name, node.lineno))
            found += [(package, None, node.lineno) for package in _packages_run(module, target)]
    return found


GRAPH = {module: dependencies(module) for module in MODULES}


def test_the_engine_is_defined_so_new_modules_join_it() -> None:
    missing = [name for name in ENGINE_EXAMPLES if name not in MODULES]
    assert not missing, f"modules named as engine examples do not exist: {missing}"
    assert all(is_engine(name) for name in ENGINE_EXAMPLES)
    assert is_engine("simcenter.some_new_module")
    assert is_engine("simcenter.routing.some_new_rule")
    assert not is_engine("simcenter.cli.some_new_command")


def violations(modules: list[str], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{module} line {line} imports {target}"
        for module in modules
        for target, _, line in GRAPH[module]
        if any(within(target, layer) for layer in forbidden)
    ]


def test_the_engine_imports_no_upper_layer() -> None:
    engine = [name for name in MODULES if is_engine(name)]
    assert len(engine) >= len(ENGINE_EXAMPLES)
    assert violations(engine, UPPER_LAYERS) == []


def test_the_studies_import_nothing_from_the_command_line() -> None:
    studies = [name for name in MODULES if within(name, "simcenter.studies")]
    assert studies
    assert violations(studies, ("simcenter.cli",)) == []


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def _outside(module: str, target: str) -> bool:
    """Whether ``module`` lies outside the package that holds private module ``target``."""
    parts = target.split(".")
    for index, part in enumerate(parts):
        if _private(part) and not within(module, ".".join(parts[:index])):
            return True
    return False


def _private_attributes(module: str) -> Iterator[str]:
    """``alias._name`` where ``alias`` is a simcenter module imported by ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and within(_absolute(module, node), "simcenter"):
            source = _absolute(module, node)
            aliases |= {
                alias.asname or alias.name
                for alias in node.names
                if f"{source}.{alias.name}" in MODULES
            }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and _private(node.attr)
        ):
            yield f"{module} line {node.lineno} uses {node.value.id}.{node.attr}"


def test_no_private_name_is_imported_across_modules() -> None:
    found = [
        f"{module} line {line} imports {target}{'.' + name if name else ''}"
        for module, edges in GRAPH.items()
        for target, name, line in edges
        if (name is not None and _private(name)) or _outside(module, target)
    ]
    found += [text for module in MODULES for text in _private_attributes(module)]
    assert found == []


def cycle() -> list[str] | None:
    """One import cycle among the simcenter modules, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target, _, _ in GRAPH[module]:
            if target not in MODULES or target == module:
                continue
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = "done"
        return None

    for module in MODULES:
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_modules_import_one_another_without_a_cycle() -> None:
    assert cycle() is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import simcenter.cli\n", ["simcenter.cli"]),
        ("from simcenter import cli\n", ["simcenter.cli"]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import simcenter.cli\n", []),
        ("def f():\n    from simcenter.cli import main\n", ["simcenter.cli"]),
    ],
)
def test_the_reader_sees_the_imports_that_run(source: str, expected: list[str]) -> None:
    tree = ast.parse(source)
    found = [target for node in run_time_imports(tree) for target, _ in imported("x", node)]
    assert found == expected
