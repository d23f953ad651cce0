"""The ``--jobs``, ``--executor`` and ``--address`` options of the commands that run studies."""

from __future__ import annotations

import argparse

from simcenter.errors import SimcenterError
from simcenter.studies.runner import EXECUTORS


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
    """Refuse ``--address`` without ``--executor dask`` (exit code 2)."""
    if args.address is not None and args.executor != "dask":
        raise SimcenterError("--address: needs --executor dask")
