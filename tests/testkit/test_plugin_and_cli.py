"""The pytest fixtures (loaded through the pytest11 entry point) and ``python -m camunda_testkit``."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from camunda_testkit import FakeCluster


def test_camunda_cluster_fixture_is_started(camunda_cluster: FakeCluster) -> None:
    assert httpx.get(f"{camunda_cluster.rest_address}/status").status_code == 204


def test_camunda_cluster_env_fixture_sets_the_environment(camunda_cluster_env: FakeCluster) -> None:
    assert os.environ["CAMUNDA_REST_ADDRESS"] == camunda_cluster_env.rest_address
    assert os.environ["CAMUNDA_AUTH_STRATEGY"] == "NONE"
    assert "CAMUNDA_CLIENT_ID" not in os.environ


def test_module_runs_as_a_dev_server() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "camunda_testkit", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert "listening on" in first_line, first_line + process.stderr.read()
        address = first_line.rsplit(" ", 1)[-1].strip()
        assert address.startswith("http://127.0.0.1:") and address.endswith("/v2")
        assert httpx.get(f"{address}/topology", timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_stop_is_idempotent_and_restart_rejected() -> None:
    cluster = FakeCluster().start()
    try:
        try:
            cluster.start()
        except RuntimeError as exc:
            assert "already running" in str(exc)
        else:
            raise AssertionError("a second start() must fail")
    finally:
        cluster.stop()
    cluster.stop()
