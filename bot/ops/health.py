"""Is a server there yet: the checks every start-up in bot/ops waits on."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def http_ready(url: str) -> bool:
    """The URL answers 200 (a server's health check)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until(what: str, check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f}s")
        time.sleep(0.2)


def listener_of(port: int) -> str | None:
    """'pid 123 (rasa run ...)' of the process listening on TCP `port`, when /proc tells."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = open(table).read().splitlines()[1:]  # noqa: SIM115 (read at once)
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    if not inodes:
        return None
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            for fd in fd_dir.iterdir():
                if os.readlink(fd) in inodes:
                    pid = fd_dir.parent.name
                    argv = (fd_dir.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                    return f"pid {pid} ({argv.decode(errors='replace').strip()[:120]})"
        except OSError:
            continue
    return None


def refuse_taken_ports(ports: dict[str, int]) -> None:
    """Before a start: a clear error naming the holder, instead of "address already in use"
    from a child after the others started."""
    taken = [(what, port) for what, port in ports.items() if port_open(port)]
    if taken:
        raise RuntimeError(
            "; ".join(
                f"port {port} ({what}) is already in use by "
                f"{listener_of(port) or 'another program'}"
                for what, port in taken
            )
            + ". Stop it, or choose other ports."
        )
