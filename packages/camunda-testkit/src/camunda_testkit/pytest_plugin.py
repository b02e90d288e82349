"""pytest fixtures for the fake cluster (registered through the ``pytest11`` entry point).

pytest loads this module in every run of the workspace, so it imports nothing
heavy at module level: the server code is imported when a fixture is used.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .cluster import FakeCluster

__all__ = ["camunda_async_client", "camunda_client", "camunda_cluster", "camunda_cluster_env"]

_SDK = "camunda_orchestration_sdk"


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


def _sdk_class(name: str) -> Any:
    """The SDK's client class, imported only now: the test kit installs without the SDK."""
    try:
        module = importlib.import_module(_SDK)
    except ImportError:
        pytest.skip(
            f"the {name} fixture needs the Camunda SDK ({_SDK}); install camunda-orchestration-sdk"
        )
    return getattr(module, name)


def _client_configuration(cluster: FakeCluster) -> dict[str, str]:
    return {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}


@pytest.fixture
def camunda_client(camunda_cluster: FakeCluster) -> Iterator[Any]:
    """The SDK's ``CamundaClient`` bound to ``camunda_cluster`` (no auth), closed after the
    test. Skips the test when the SDK is not installed."""
    client = _sdk_class("CamundaClient")(configuration=_client_configuration(camunda_cluster))
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def camunda_async_client(camunda_cluster: FakeCluster) -> Iterator[Any]:
    """The SDK's ``CamundaAsyncClient`` bound to ``camunda_cluster`` (no auth). Use it as
    ``async with camunda_async_client:`` inside the test's event loop to close it there;
    otherwise the fixture closes it after the test on a fresh loop. Skips the test when the
    SDK is not installed."""
    client = _sdk_class("CamundaAsyncClient")(configuration=_client_configuration(camunda_cluster))
    try:
        yield client
    finally:
        if not getattr(client, "_closed", False):
            asyncio.run(client.close())
