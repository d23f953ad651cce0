"""The ``--jobs``, ``--executor`` and ``--address`` options of the commands that run studies."""

from __future__ import annotations

import argparse

from simcenter.errors import SimcenterError

EXECUTORS = ("local", "dask")
"""The executors a command may name (those of :mod:`simcenter.studies.runner`)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--executor local|dask`` and ``--address`` to a command's parser."""
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local: worker processes on this machine (default); dask: a Dask cluster",
    )
    parser.add_argument(
        "--address",
        help="scheduler of the Dask cluster, e.g. tcp://host:8786 "
        "(default: a local Dask cluster of --jobs workers)",
    )


def check(args: argparse.Namespace) -> None:
    """Refuse ``--address`` without ``--executor dask``, and Dask when it is not installed.

    Raises:
        SimcenterError: Either problem (exit code 2), before any work is done.
    """
    if args.address is not None and args.executor != "dask":
        raise SimcenterError("--address: needs --executor dask")
    if args.executor == "dask":
        from simcenter.studies.runner import dask_executor

        dask_executor()


def workers(args: argparse.Namespace, jobs: int | None) -> int | None:
    """Workers for ``--jobs``: at most one per core here, with a note when capped.

    Locally and on a local Dask cluster (no ``--address``) more workers than
    cores would only share them (and each Dask worker is a process of its
    own); on a cluster at an address, ``--jobs`` is not used.
    """
    import sys

    from simcenter.stops import available_cores

    if args.address is not None:
        return jobs
    cores = available_cores()
    if jobs is not None and jobs > cores:
        print(
            f"note: --jobs {jobs} is more than the {cores} cores here; using {cores}",
            file=sys.stderr,
        )
        return cores
    return jobs
