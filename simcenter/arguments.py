"""Arguments of the Python API, checked as the command line checks the same options.

``simulate``, ``sweep``, ``compare`` and ``staff`` check their numbers (and
``compare`` its labels and overrides) before any work: a wrong type raises
:class:`TypeError` and a value out of range :class:`ValueError`, each message naming the argument
(``replications: must be at most 100,000 (got 100,000,000,000,000,000,000)``).
The limits are those of a scenario file (docs/limits.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simcenter.scenario.values import MAX_COUNT, MAX_REPLICATIONS, MAX_SEED


def check_integer(name: str, value: Any, low: int, high: int, *, optional: bool = True) -> None:
    """Refuse ``value`` unless it is an integer from ``low`` to ``high`` (or None if optional).

    Raises:
        TypeError: Not an integer (``True`` and ``2.0`` are not).
        ValueError: Out of range.
    """
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: must be an integer (got {type(value).__name__})")
    if value < low:
        kind = "positive" if low == 1 else f"at least {low:,}" if low > 1 else "non-negative"
        raise ValueError(f"{name}: must be {kind} (got {value:,})")
    if value > high:
        raise ValueError(f"{name}: must be at most {high:,} (got {value:,})")


def check_run(replications: Any = None, seed: Any = None, jobs: Any = None) -> None:
    """Check ``replications``, ``seed`` and ``jobs`` (each may be None: the default).

    Raises:
        TypeError, ValueError: As :func:`check_integer`, naming the argument.
    """
    check_integer("replications", replications, 1, MAX_REPLICATIONS)
    check_integer("seed", seed, 0, MAX_SEED)
    check_integer("jobs", jobs, 1, MAX_COUNT)


def check_flag(name: str, value: Any, *, optional: bool = True) -> None:
    """Refuse ``value`` unless it is True or False (or None if optional).

    Raises:
        TypeError: Anything else.
    """
    if value is None and optional:
        return
    if not isinstance(value, bool):
        raise TypeError(f"{name}: must be True or False (got {type(value).__name__})")


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    """Refuse ``value`` unless it is one of ``choices``.

    Raises:
        TypeError: Not a string.
        ValueError: Not one of them.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name}: must be a string (got {type(value).__name__})")
    if value not in choices:
        listed = " or ".join(f'"{choice}"' for choice in choices)
        raise ValueError(f'{name}: must be {listed} (got "{value}")')


def check_labels(value: Any) -> None:
    """Refuse ``value`` unless it is None or two different, non-empty names (A's, then B's).

    Raises:
        TypeError: Not a sequence of strings (a single string is not).
        ValueError: Not two names, an empty name, or the same name twice.
    """
    if value is None:
        return
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"labels: must be two names, A's then B's (got {type(value).__name__})")
    if not all(isinstance(name, str) for name in value):
        raise TypeError("labels: must be two names, A's then B's (got a name that is not a string)")
    if len(value) != 2:
        raise ValueError(f"labels: must be two names, A's then B's (got {len(value):,})")
    if not all(name.strip() for name in value):
        raise ValueError("labels: a name must not be empty")
    if value[0] == value[1]:
        raise ValueError(f'labels: A and B need different names (got "{value[0]}" twice)')


def check_overrides(value: Any) -> None:
    """Refuse ``value`` unless it is None, a mapping with string keys, or ``KEY=VALUE`` texts.

    Raises:
        TypeError: Anything else.
    """
    if value is None:
        return
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("overrides: every key must be a string (a key path)")
        return
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"overrides: must be a mapping of key paths (got {type(value).__name__})")
    if not all(isinstance(pair, str) for pair in value):
        raise TypeError("overrides: must be a mapping of key paths, or KEY=VALUE texts")
