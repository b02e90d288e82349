"""pytest fixtures for the fake cluster (registered through the ``pytest11`` entry point).

pytest loads this module in every run of the workspace, so it imports nothing
heavy at module level: the server code is imported when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .cluster import FakeCluster

__all__ = ["camunda_cluster", "camunda_cluster_env"]


@pytest.fixture
def camunda_cluster() -> Iterator[FakeCluster]:
    """A started :class:`~camunda_testkit.FakeCluster`, stopped after the test."""
    from .cluster import FakeCluster

    cluster = FakeCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def camunda_cluster_env(
    camunda_cluster: FakeCluster, monkeypatch: pytest.MonkeyPatch
) -> FakeCluster:
    """``camunda_cluster``, with ``CAMUNDA_REST_ADDRESS`` pointing at it and no auth,
    so a zero-config client talks to it."""
    monkeypatch.setenv("CAMUNDA_REST_ADDRESS", camunda_cluster.rest_address)
    monkeypatch.setenv("CAMUNDA_AUTH_STRATEGY", "NONE")
    for name in (
        "ZEEBE_REST_ADDRESS",
        "CAMUNDA_CLIENT_ID",
        "CAMUNDA_CLIENT_SECRET",
        "CAMUNDA_BASIC_AUTH_USERNAME",
        "CAMUNDA_BASIC_AUTH_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    return camunda_cluster
