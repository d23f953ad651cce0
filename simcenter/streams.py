"""Random streams: one independent numpy Generator per named purpose.

Every draw in a replication comes from a stream named after its purpose and
queue, such as ``"arrivals/billing"``, ``"handle/billing"``, ``"patience/billing"``
or ``"wrap/billing"``. Streams are derived from the name, not from a position, so
adding a queue does not shift the draws of the others, and two scenarios that
differ only in staffing see the same contacts (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """One independent generator per (seed, replication, purpose name).

    The generator is seeded with ``SeedSequence(seed, spawn_key=(replication,
    crc32(name)))``. CRC-32 is stable across processes and machines, unlike
    ``hash()``, which is salted per process (``PYTHONHASHSEED``).

    Args:
        seed: The scenario's base seed, >= 0.
        replication: The replication number, >= 0.
        name: The purpose of the stream, ``"<purpose>/<queue or group>"``.

    Returns:
        A fresh generator; the same arguments always give the same draws.
    """
    key = zlib.crc32(name.encode())  # stable across processes; never hash()
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, key)))
