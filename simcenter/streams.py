"""Random streams: one independent numpy Generator per named purpose.

Every draw in a replication comes from a stream named after its purpose and
queue, such as ``"arrivals/billing"``, ``"handle/billing"``, ``"patience/billing"``
or ``"wrap/billing"``. Streams are derived from the name, not from a position, so
adding a queue does not shift the draws of the others, and two scenarios that
differ only in staffing see the same contacts (common random numbers).
"""

from __future__ import annotations

import hashlib

import numpy as np

KEY_WORDS = 4
"""32-bit words of a stream's name key: a 128-bit digest of the name."""


def name_key(name: str) -> tuple[int, ...]:
    """The stream key of ``name``: a 128-bit BLAKE2b digest as four 32-bit words.

    The digest is stable across processes and machines, unlike ``hash()``,
    which is salted per process (``PYTHONHASHSEED``). With 128 bits, two of a
    million names share a key with a chance of about 1 in 10^27.
    """
    digest = hashlib.blake2b(name.encode(), digest_size=4 * KEY_WORDS).digest()
    return tuple(
        int.from_bytes(digest[start : start + 4], "little") for start in range(0, len(digest), 4)
    )


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """One independent generator per (seed, replication, purpose name).

    The generator is seeded with ``SeedSequence(seed, spawn_key=(replication,
    *name_key(name)))``.

    Args:
        seed: The scenario's base seed, >= 0.
        replication: The replication number, >= 0.
        name: The purpose of the stream, ``"<purpose>/<queue or group>"``.

    Returns:
        A fresh generator; the same arguments always give the same draws.
    """
    key = (replication, *name_key(name))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
