"""The examples in examples/ run as documented."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_worker_example_runs_against_the_fake_cluster() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA_", "ZEEBE_"))}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "worker.py")], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "5 orders done against the fake cluster" in result.stdout
    assert "completed=10" in result.stdout


def test_router_worker_service_runs_against_the_fake_cluster() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA_", "ZEEBE_"))}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "worker_service.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "4 orders handled by the router against the fake cluster" in result.stdout
    assert "completed=6" in result.stdout and "errored=1" in result.stdout
