"""Keys that later versions of the scenario format will read, and this one does not yet.

A scenario that uses one is refused like any unknown key, but the message
says what it is, "not supported in this version", instead of suggesting a
similar key that means something else (``callback`` is not ``balking``,
``training`` is not ``rotation``). The names are kept so that scenarios stay
portable between versions.
"""

from __future__ import annotations

RESERVED_KEYS: dict[str, frozenset[str]] = {
    "Scenario": frozenset({"campaigns", "initial_state", "outbound"}),
    "QueueSpec": frozenset(
        {
            "callback",
            "callbacks",
            "concurrency",
            "concurrency_factor",
            "backlog",
        }
    ),
    "ArrivalsSpec": frozenset({"trace"}),
    "AgentGroupSpec": frozenset({"training", "learning", "experience", "hires", "attrition"}),
}
"""Scenario model name -> the keys of later versions it will hold."""

DISTRIBUTION_KEYS: frozenset[str] = frozenset()
"""Keys of later versions in every distribution."""

MESSAGE = "not supported in this version (a key of a later version of the scenario format)"
"""What a reserved key is told, whatever its place."""


def is_reserved(model_name: str, key: object, distribution: bool = False) -> bool:
    """Whether ``key`` is a key of a later version in the model called ``model_name``."""
    reserved = DISTRIBUTION_KEYS if distribution else RESERVED_KEYS.get(model_name, frozenset())
    return isinstance(key, str) and key in reserved
