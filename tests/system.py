"""The real components tests need (free ports, PostgreSQL, Redis, nginx, Chromium), and the
rule for when one is missing: a developer's run skips with how to install it, a CI run (CI set)
fails, so a CI machine without PostgreSQL can't pass by skipping half the storage tests."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

INSTALL_HINT = "scripts/system-deps.sh installs it"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(what: str) -> None:
    """Skip the test (a developer's machine) or fail it (CI): `what` is not installed."""
    message = f"{what} is not installed ({INSTALL_HINT})"
    if in_ci():
        pytest.fail(f"CI must not skip: {message}")
    pytest.skip(message)


def binary(name: str, package: str | None = None) -> str:
    """The path of a system binary (PATH or /usr/sbin), or skip/fail via `missing`."""
    found = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
    )
    if not found:
        missing(package or name)
    return found  # type: ignore[return-value]


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (bot/ops/services/postgres.py, as the scaled profile runs
    it, with fsync off and trust auth on 127.0.0.1), its superuser URL, removed afterwards."""
    from bot.ops.services.postgres import LocalPostgres, find_pg_bin

    try:
        find_pg_bin()
    except RuntimeError:
        missing("PostgreSQL")
    root = Path(tempfile.mkdtemp(prefix="beu-pg-"))
    cluster = None
    try:
        for attempt in range(5):  # the port may be taken between probing and binding
            cluster = LocalPostgres(root, free_port(), durable=False, host_auth="trust")
            try:
                cluster.ensure_running()
                break
            except RuntimeError:
                if attempt == 4:
                    raise
        assert cluster is not None
        yield cluster.superuser_url
    finally:
        if cluster is not None:
            cluster.stop(mode="immediate")
        shutil.rmtree(root, ignore_errors=True)
