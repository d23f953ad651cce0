"""The errors simcenter raises to its callers, and how validation failures become them.

Only :class:`SimcenterError` and its subclasses reach the command line, which
prints their message and exits with code 2. Anything else is a bug.

A :class:`ScenarioError` lists every :class:`Problem` of a scenario at once.
Each problem renders as ``FILE:LINE key.path: message``, where the message
names the expectation and the value found (``must be a non-negative integer
(got -3)``). :func:`validation_problems` turns a pydantic ``ValidationError``
into such problems, with key paths as the user wrote them.
"""

from __future__ import annotations

import difflib
import json
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

if TYPE_CHECKING:  # pydantic is imported by the scenario models, when a scenario is read
    from pydantic import BaseModel, ValidationError

from simcenter import reserved_keys

Location = tuple[str | int, ...]
"""A key path into a scenario, e.g. ``("queues", 0, "handle_time", "mean")``."""


def format_location(loc: Location) -> str:
    """Render a key path the way users read it: ``queues[0].handle_time.mean``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe(value: Any) -> str:
    """Show a value the way YAML writes it: ``"4 minutes"``, ``-3``, ``null``, ``[1, 2]``.

    Long values are cut to 60 characters.
    """
    if isinstance(value, str):
        text = f'"{value}"'
    elif isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, list | dict):
        text = json.dumps(value, default=str)
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    Attributes:
        loc: Key path of the offending value (empty for the whole file).
        message: What is wrong, naming the expectation and the value found.
        file: The scenario file, when the scenario came from a file.
        line: 1-based line of the offending key in ``file``, when known.
    """

    loc: Location
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        """``FILE:LINE key.path: message``, leaving out the parts that are unknown."""
        where = self.file or ""
        if self.file and self.line is not None:
            where = f"{self.file}:{self.line}"
        path = format_location(self.loc)
        head = " ".join(part for part in (where, path) if part)
        return f"{head}: {self.message}" if head else self.message


class SimcenterError(Exception):
    """Base class of every error simcenter reports to users."""


class ScenarioError(SimcenterError):
    """A scenario is invalid; carries every problem found, not just the first.

    Attributes:
        problems: All problems, in file order where lines are known. The
            error's message is their text, one per line.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --- pydantic errors -> problems ------------------------------------------------


def validation_problems(error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """One :class:`Problem` per error of a pydantic validation of ``model``.

    Pydantic locations also hold union tags (``"exponential"``) and
    ``"[key]"`` markers; the problems keep only the keys the user wrote. A
    problem about a union's tag (``distribution: expo``) is located at the
    tag key.
    """
    problems = []
    for detail in error.errors(include_url=False):
        path, parent, expected = _walk(model, detail["loc"])
        kind = detail["type"]
        if kind in ("union_tag_not_found", "union_tag_invalid"):
            path = (*path, _discriminator(expected))
        problems.append(Problem(path, _message(detail, parent, expected)))
    return problems


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Location, Any, Any]:
    """Follow a pydantic location through the model's types.

    Returns:
        The key path as written by the user, the type holding the last key,
        and the type expected at the location (None where unknown).
    """
    path: list[str | int] = []
    parent: Any = None
    annotation: Any = model
    for part in loc:
        if _members(annotation):  # the part is a union tag, not a key
            annotation = _member(annotation, part)
        elif part != "[key]":
            path.append(part)
            parent, annotation = annotation, _child_type(annotation, part)
    return tuple(path), parent, annotation


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` from a type annotation."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType) and type(None) in get_args(annotation):
            members = tuple(member for member in get_args(annotation) if member is not type(None))
            annotation = members[0] if len(members) == 1 else Union[members]  # noqa: UP007
        else:
            return annotation


def _members(annotation: Any) -> tuple[Any, ...]:
    """The members of a union type; empty for anything else."""
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(_unwrap(member) for member in get_args(annotation))
    return ()


def _member(union: Any, tag: Any) -> Any:
    """The union member that pydantic's location ``tag`` names (a tag value or a type name).

    A member of a union with a callable discriminator is named by its ``Tag``.
    """
    for raw in get_args(union):
        if get_origin(raw) is Annotated and any(
            type(meta).__name__ == "Tag" and getattr(meta, "tag", None) == tag
            for meta in raw.__metadata__
        ):
            return _unwrap(raw)
    for member in _members(union):
        if tag in _tags(member) or getattr(member, "__name__", None) == tag:
            return member
    return None


def _tags(member: Any) -> tuple[Any, ...]:
    """Values of the ``Literal`` fields of a model (its discriminator tag)."""
    if not _is_model(member):
        return ()
    return tuple(
        value
        for field in member.model_fields.values()
        if get_origin(field.annotation) is Literal
        for value in get_args(field.annotation)
    )


def _discriminator(union: Any) -> str:
    """Name of the ``Literal`` field that every member of a union model has."""
    members = [member for member in _members(union) if _is_model(member)]
    if not members:
        return "type"
    for name, field in members[0].model_fields.items():
        if get_origin(field.annotation) is Literal:
            return name
    return "type"


def _child_type(annotation: Any, part: Any) -> Any:
    """The type expected at key ``part`` inside a value of type ``annotation``."""
    if _is_model(annotation):
        field = annotation.model_fields.get(part) if isinstance(part, str) else None
        return _unwrap(field.annotation) if field is not None else None
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is list and isinstance(part, int):
        return _unwrap(arguments[0])
    if origin is dict:
        return _unwrap(arguments[1])
    return None


def _is_model(annotation: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _message(detail: Mapping[str, Any], parent: Any, expected: Any) -> str:
    """A user-facing message for one pydantic error: the expectation and the value found."""
    kind, context = detail["type"], detail.get("ctx", {})
    got = describe(detail.get("input"))
    if "message" in context:  # a PydanticCustomError("...", "{message}"): already complete
        return str(context["message"])
    if kind == "extra_forbidden":
        return _unknown_key(detail["loc"][-1], parent)
    if kind.startswith("union_tag") or (_members(expected) and kind.startswith("model")):
        return _union_message(kind, expected, got, context)
    if kind == "literal_error":
        options = context.get("expected", "").replace("'", "").replace(" or ", ", ")
        return f"must be {'one of ' if ',' in options else ''}{options} (got {got})"
    if kind.startswith("datetime"):
        return f"must be a date and time such as 2026-01-05T08:00 (got {got})"
    if kind == "too_short" and context.get("min_length", 1) > 1:
        return (
            f"must have at least {context['min_length']} entries (got {context['actual_length']})"
        )
    return _MESSAGES.get(kind, "{msg} (got {got})").format(msg=detail["msg"], got=got)


_MESSAGES = {
    "missing": "required key is missing",
    "model_attributes_type": "must be a mapping of keys (got {got})",
    "model_type": "must be a mapping of keys (got {got})",
    "dict_type": "must be a mapping of keys (got {got})",
    "list_type": "must be a list (got {got})",
    "string_type": "must be text (got {got})",
    "too_short": "must not be empty",
}


def _unknown_key(key: Any, parent: Any) -> str:
    """``unknown key``, with where it belongs, the nearest allowed key, or the allowed keys.

    A model may name keys that belong elsewhere in a ``key_hints`` class
    attribute (key -> explanation); their message gives the explanation.
    """
    if not _is_model(parent):
        return "unknown key"
    hint = getattr(parent, "key_hints", {}).get(key)
    if hint is not None:
        return f"unknown key here ({hint})"
    if reserved_keys.is_reserved(parent.__name__, key, "distribution" in parent.model_fields):
        return reserved_keys.MESSAGE
    allowed = list(parent.model_fields)
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        return f'unknown key (did you mean "{close[0]}"?)'
    return f"unknown key (allowed: {', '.join(allowed)})"


def _union_message(kind: str, union: Any, got: str, context: Mapping[str, Any]) -> str:
    """Messages for a value of a discriminated union (a mapping with a tag key)."""
    key = _discriminator(union)
    tags = [str(tag) for member in _members(union) for tag in _tags(member)]
    options = ", ".join(tags)
    if kind == "union_tag_not_found":
        return f"required key is missing (one of {options})"
    if kind == "union_tag_invalid":
        return f"unknown {key} {describe(context.get('tag'))} (expected one of {options})"
    return f"must be a mapping such as {{{key}: {tags[0] if tags else '...'}, ...}} (got {got})"
