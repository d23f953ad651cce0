"""The contributors' page names modules, classes and attributes that exist.

docs/architecture.md says where each rule lives (``ContactJourney._to``,
``states.AGENT_TRANSITIONS``, ``presence.presence_sources``...). A rename
that leaves the page behind sends the next contributor to a place that is
gone: every such name in backticks must resolve in the package.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import simcenter

PAGE = Path(__file__).parent.parent / "docs" / "architecture.md"
FILE_ENDINGS = {"py", "csv", "png", "parquet", "html", "yaml", "md", "json"}
DOTTED = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)[`(]")
"""A backticked ``Owner.name`` or ``Owner.name(...)``."""


def _modules() -> dict[str, object]:
    """Every module of the package, by its last dotted name (the outermost one of a name)."""
    found: dict[str, object] = {}
    for info in pkgutil.walk_packages(simcenter.__path__, "simcenter."):
        if info.name.endswith(("dask_executor", "__main__")):
            continue  # needs the optional Dask extra / runs the command line
        found.setdefault(info.name.rsplit(".", 1)[-1], importlib.import_module(info.name))
    return found


def _classes(modules: dict[str, object]) -> dict[str, type]:
    """Every class defined in the package, by name."""
    return {
        name: value
        for module in modules.values()
        for name, value in vars(module).items()
        if inspect.isclass(value) and value.__module__.startswith("simcenter")
    }


def _has(owner: object, name: str) -> bool:
    """Whether ``owner`` has ``name``: an attribute, slot, annotation or set on ``self``."""
    if hasattr(owner, name) or name in getattr(owner, "__annotations__", {}):
        return True
    if inspect.ismodule(owner):  # ``contact.patience_s``: an attribute of the module's class
        return any(
            _has(value, name)
            for value in vars(owner).values()
            if inspect.isclass(value) and value.__module__ == owner.__name__
        )
    if inspect.isclass(owner):
        return any(
            name in getattr(base, "__annotations__", {})
            or re.search(rf"self\.{name}\b\s*[:=]", inspect.getsource(base)) is not None
            for base in owner.__mro__
            if base.__module__.startswith("simcenter")
        )
    return False


def _references() -> list[tuple[str, str]]:
    text = PAGE.read_text(encoding="utf-8")
    return sorted({found for found in DOTTED.findall(text) if found[1] not in FILE_ENDINGS})


def test_the_page_names_some_places() -> None:
    """The check below has something to check (the pattern still matches the page)."""
    assert len(_references()) >= 20


def test_every_module_and_class_attribute_named_on_the_page_exists() -> None:
    modules = _modules()
    classes = _classes(modules)
    missing = []
    checked = 0
    for owner_name, name in _references():
        owner = modules.get(owner_name) or classes.get(owner_name)
        if owner is None:
            continue  # a file name (``centre.py``), a key path or an instance (``agent.away``)
        checked += 1
        if not _has(owner, name):
            missing.append(f"{owner_name}.{name}")
    assert checked >= 15, "the page's names are no longer recognised as modules or classes"
    assert not missing, f"docs/architecture.md names what does not exist: {missing}"


@pytest.mark.parametrize("stale", ["AgentGroup.busy_area_s", "engine.possible_outcomes"])
def test_the_check_catches_a_stale_name(stale: str) -> None:
    """Names that once existed and were removed are reported (the check can fail)."""
    modules = _modules()
    owner_name, name = stale.split(".")
    owner = modules.get(owner_name) or _classes(modules)[owner_name]
    assert not _has(owner, name)


def test_every_module_of_the_package_has_a_row_in_the_module_map() -> None:
    """A new module is added to the map (a package's row covers its files)."""
    text = PAGE.read_text(encoding="utf-8")
    package = Path(simcenter.__file__).parent
    unlisted = [
        path.name
        for path in package.glob("*.py")
        if not path.name.startswith("_") and f"`{path.name}`" not in text
    ]
    unlisted += [
        f"{path.parent.name}/"
        for path in package.glob("*/__init__.py")
        if f"`{path.parent.name}/`" not in text
    ]
    assert not unlisted, f"modules missing from docs/architecture.md: {unlisted}"
