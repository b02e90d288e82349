"""The fake cluster in its own process, for benchmarks.

A real server sits in another process; running the fake one in the
benchmark's own interpreter would make the client's work and the server's
compete for one GIL, which exaggerates any client-side cost.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx

__all__ = ["cluster_process", "deploy", "fake_cluster_process", "process_cpu_seconds"]


@contextlib.contextmanager
def fake_cluster_process() -> Iterator[str]:
    """Start ``python -m camunda_testkit`` on a free port; yields its REST address."""
    with cluster_process() as (address, _):
        yield address


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process ``pid`` has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, so utime (14) and stime (15) are [11] and [12].
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def cluster_process() -> Iterator[tuple[str, int]]:
    """Like :func:`fake_cluster_process`, also yielding the cluster's pid (for its CPU time)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "camunda_testkit", "--port", "0", "--no-record"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        address = line.strip().rsplit(" ", 1)[-1]
        if not address.startswith("http"):
            raise RuntimeError(f"the fake cluster did not start: {line!r}")
        yield address, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def deploy(rest_address: str, name: str, bpmn: str) -> None:
    files = {"resources": (name, bpmn.encode(), "application/xml")}
    httpx.post(f"{rest_address}/deployments", files=files, timeout=30).raise_for_status()
