"""The fake cluster in its own process, for benchmarks.

A real server sits in another process; running the fake one in the
benchmark's own interpreter would make the client's work and the server's
compete for one GIL, which exaggerates any client-side cost.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

import httpx

__all__ = ["fake_cluster_process", "deploy"]


@contextlib.contextmanager
def fake_cluster_process() -> Iterator[str]:
    """Start ``python -m camunda_testkit`` on a free port; yields its REST address."""
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
        yield address
    finally:
        process.terminate()
        process.wait(timeout=30)


def deploy(rest_address: str, name: str, bpmn: str) -> None:
    files = {"resources": (name, bpmn.encode(), "application/xml")}
    httpx.post(f"{rest_address}/deployments", files=files, timeout=30).raise_for_status()
