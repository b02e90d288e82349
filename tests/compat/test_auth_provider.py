"""``auth_provider=`` on both clients: the official SDK's providers (its own classes, loaded from its
venv, and ones written against its ``get_headers()`` protocol) and our ``httpx.Auth`` objects, all
against the test kit with authentication required.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import httpx
import pytest

from camunda_core.auth.header_provider import HeaderProviderAuth
from camunda_core.errors import AuthenticationError, ConfigurationError
from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient
from camunda_testkit import FakeCluster


def _configuration(cluster: FakeCluster) -> dict[str, object]:
    # The strategy says NONE: the provider alone authenticates, as in the official SDK.
    return {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}


def _token_requests(cluster: FakeCluster) -> int:
    return sum(1 for r in cluster.requests if r.operation == "oauthToken")


class StaticBasic:
    """Written against the official ``AuthProvider`` protocol: only ``get_headers()``."""

    def __init__(self) -> None:
        self.calls = 0
        self.closed = False

    def get_headers(self) -> Mapping[str, str]:
        self.calls += 1
        return {"Authorization": "Basic " + httpx.BasicAuth("demo", "demo")._auth_header.split(" ", 1)[1]}  # pyright: ignore[reportPrivateUsage]

    def close(self) -> None:
        self.closed = True


class AsyncBasic(StaticBasic):
    """Also ``aget_headers()``, which the async client prefers (the official ``AsyncAuthProvider``)."""

    def __init__(self) -> None:
        super().__init__()
        self.async_calls = 0

    async def aget_headers(self) -> Mapping[str, str]:
        self.async_calls += 1
        return self.get_headers()


@pytest.fixture
def basic_cluster() -> Any:
    with FakeCluster(require_auth="basic", basic_users={"demo": "demo"}) as cluster:
        yield cluster


@pytest.fixture
def bearer_cluster() -> Any:
    with FakeCluster(require_auth="bearer", oauth_clients={"orders": "s3cret"}) as cluster:
        yield cluster


def test_a_get_headers_provider_authenticates_the_sync_client(basic_cluster: FakeCluster) -> None:
    provider = StaticBasic()
    with CamundaClient(configuration=_configuration(basic_cluster), auth_provider=provider) as client:
        assert isinstance(client.runtime.auth, HeaderProviderAuth)
        client.get_topology()
        client.get_topology()
    assert provider.calls == 2  # asked for every request, as the official SDK does
    assert provider.closed  # closed with the client, as the official SDK does


def test_the_async_client_prefers_aget_headers(basic_cluster: FakeCluster) -> None:
    provider = AsyncBasic()

    async def run() -> None:
        async with CamundaAsyncClient(configuration=_configuration(basic_cluster), auth_provider=provider) as client:
            await client.get_topology()

    asyncio.run(run())
    assert provider.async_calls == 1


def test_the_async_client_calls_get_headers_when_that_is_all(basic_cluster: FakeCluster) -> None:
    provider = StaticBasic()

    async def run() -> None:
        async with CamundaAsyncClient(configuration=_configuration(basic_cluster), auth_provider=provider) as client:
            await client.get_topology()

    asyncio.run(run())
    assert provider.calls == 1


def test_an_httpx_auth_is_used_as_it_is(basic_cluster: FakeCluster) -> None:
    auth = httpx.BasicAuth("demo", "demo")
    with CamundaClient(configuration=_configuration(basic_cluster), auth_provider=auth) as client:
        assert client.runtime.auth is auth
        client.get_topology()


def test_the_provider_replaces_the_configured_strategy(basic_cluster: FakeCluster) -> None:
    # BASIC with credentials the kit refuses: the provider's headers are what is sent instead.
    configuration = {
        "CAMUNDA_REST_ADDRESS": basic_cluster.rest_address,
        "CAMUNDA_AUTH_STRATEGY": "BASIC",
        "CAMUNDA_BASIC_AUTH_USERNAME": "demo",
        "CAMUNDA_BASIC_AUTH_PASSWORD": "wrong",
    }
    with CamundaClient(configuration=configuration, auth_provider=StaticBasic()) as client:
        client.get_topology()


def test_an_object_that_is_no_provider_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        CamundaClient(configuration={"CAMUNDA_REST_ADDRESS": "http://x/v2"}, auth_provider="Bearer abc")
    [problem] = caught.value.problems
    assert problem.variable == "auth_provider"
    assert "get_headers()" in problem.message and "httpx.Auth" in problem.message


def test_a_provider_returning_no_mapping_fails_the_call_by_name(basic_cluster: FakeCluster) -> None:
    class Broken:
        def get_headers(self) -> object:
            return ["Authorization", "secret-value"]

    with (
        CamundaClient(configuration=_configuration(basic_cluster), auth_provider=Broken()) as client,
        pytest.raises(AuthenticationError, match=r"Broken\.get_headers\(\) returned list") as caught,
    ):
        client.get_topology()
    assert "secret-value" not in str(caught.value)


# -- the official SDK's own provider classes, loaded from its venv -----------------------------------


def test_the_official_basic_auth_provider_works_on_both_clients(
    official_runtime: ModuleType, basic_cluster: FakeCluster
) -> None:
    provider = official_runtime.BasicAuthProvider(username="demo", password="demo")
    with CamundaClient(configuration=_configuration(basic_cluster), auth_provider=provider) as client:
        assert client.get_topology().cluster_size >= 1

    async def run() -> None:
        async with CamundaAsyncClient(configuration=_configuration(basic_cluster), auth_provider=provider) as client:
            await client.get_topology()

    asyncio.run(run())


def test_the_official_oauth_provider_works_on_the_sync_client(
    official_runtime: ModuleType, bearer_cluster: FakeCluster, tmp_path: Any
) -> None:
    provider = official_runtime.OAuthClientCredentialsAuthProvider(
        oauth_url=bearer_cluster.oauth_url,
        client_id="orders",
        client_secret="s3cret",
        audience="zeebe.camunda.io",
        cache_dir=str(tmp_path),
        disk_cache_disable=True,
    )
    with CamundaClient(configuration=_configuration(bearer_cluster), auth_provider=provider) as client:
        client.get_topology()
        client.get_topology()
    assert _token_requests(bearer_cluster) == 1


def test_the_official_async_oauth_provider_works_on_the_async_client(
    official_runtime: ModuleType, bearer_cluster: FakeCluster, tmp_path: Any
) -> None:
    async def run() -> None:
        provider = official_runtime.AsyncOAuthClientCredentialsAuthProvider(
            oauth_url=bearer_cluster.oauth_url,
            client_id="orders",
            client_secret="s3cret",
            audience="zeebe.camunda.io",
            cache_dir=str(tmp_path),
            disk_cache_disable=True,
        )
        async with CamundaAsyncClient(configuration=_configuration(bearer_cluster), auth_provider=provider) as client:
            await client.get_topology()
            await client.get_topology()

    asyncio.run(run())
    assert _token_requests(bearer_cluster) == 1
