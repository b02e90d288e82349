"""``httpx_args=`` on both clients: each key the official SDK hands to httpx is mapped or refused by name.

Sync and async alike; the async client also has httpx's ``aclose()``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from camunda_core.client import CamundaAsyncClient as CoreAsyncClient
from camunda_core.client import CamundaClient as CoreClient
from camunda_core.errors import ConfigurationError, ValidationError
from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient
from camunda_testkit import FakeCluster

TOPOLOGY: dict[str, Any] = {
    "brokers": [],
    "clusterSize": 1,
    "partitionsCount": 1,
    "replicationFactor": 1,
    "gatewayVersion": "8.9.0",
    "lastCompletedChangeId": "-1",
}
CONFIG: dict[str, object] = {"CAMUNDA_REST_ADDRESS": "http://camunda.test/v2", "CAMUNDA_AUTH_STRATEGY": "NONE"}


class Recorder:
    """A MockTransport handler that answers every request with a topology and keeps the requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=TOPOLOGY)


def _problems(error: ConfigurationError) -> dict[str, str]:
    return {p.variable: p.message for p in error.problems}


# -- transport ------------------------------------------------------------------------------


@pytest.mark.parametrize("client_class", [CamundaClient, CoreClient])
def test_sync_client_sends_through_the_given_transport(client_class: Any) -> None:
    recorder = Recorder()
    with client_class(configuration=CONFIG, httpx_args={"transport": httpx.MockTransport(recorder)}) as client:
        assert client.get_topology().cluster_size == 1
    [request] = recorder.requests
    assert str(request.url) == "http://camunda.test/v2/topology"


@pytest.mark.parametrize("client_class", [CamundaAsyncClient, CoreAsyncClient])
def test_async_client_sends_through_the_given_transport(client_class: Any) -> None:
    recorder = Recorder()

    async def run() -> int:
        client = client_class(configuration=CONFIG, httpx_args={"transport": httpx.MockTransport(recorder)})
        try:
            return (await client.get_topology()).cluster_size
        finally:
            await client.aclose()

    assert asyncio.run(run()) == 1
    assert len(recorder.requests) == 1


def test_a_transport_of_the_wrong_kind_is_a_typed_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        CamundaAsyncClient(configuration=CONFIG, httpx_args={"transport": httpx.HTTPTransport()})
    message = _problems(caught.value)["httpx_args['transport']"]
    assert "CamundaAsyncClient needs an async httpx transport" in message
    assert "got a sync transport" in message
    with pytest.raises(ConfigurationError, match=r"CamundaClient needs a sync httpx transport.*got an async"):
        CamundaClient(configuration=CONFIG, httpx_args={"transport": httpx.AsyncHTTPTransport()})
    with pytest.raises(ConfigurationError, match=r"got str"):
        CamundaClient(configuration=CONFIG, httpx_args={"transport": "http"})


def test_the_blocking_twin_of_an_async_client_shares_a_transport_of_both_kinds() -> None:
    recorder = Recorder()

    async def run() -> None:
        async with CamundaAsyncClient(configuration=CONFIG, httpx_args={"transport": httpx.MockTransport(recorder)}) as client:
            twin = client.runtime.blocking_client()
            await asyncio.to_thread(twin.get_topology)

    asyncio.run(run())
    assert len(recorder.requests) == 1


# -- timeout, limits ------------------------------------------------------------------------


@pytest.mark.parametrize("client_class", [CamundaClient, CamundaAsyncClient])
def test_timeouts_map_onto_the_http_settings(client_class: Any) -> None:
    client = client_class(configuration=CONFIG, httpx_args={"timeout": 7})
    config = client.configuration
    assert (config.http_connect_timeout, config.http_read_timeout) == (7.0, 7.0)
    client = client_class(configuration=CONFIG, httpx_args={"timeout": httpx.Timeout(120.0, connect=2.5)})
    config = client.configuration
    assert (config.http_connect_timeout, config.http_read_timeout) == (2.5, 120.0)
    # An attempt may last as long as one read may.
    assert config.http_request_timeout >= 120.0


def test_timeouts_of_none_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"httpx_args\['timeout'\]: must be a number of seconds > 0"):
        CamundaClient(configuration=CONFIG, httpx_args={"timeout": None})
    with pytest.raises(ConfigurationError, match=r"every timeout must be a number of seconds > 0"):
        CamundaClient(configuration=CONFIG, httpx_args={"timeout": httpx.Timeout(None)})


def test_limits_map_onto_max_connections() -> None:
    client = CamundaClient(configuration=CONFIG, httpx_args={"limits": httpx.Limits(max_connections=7)})
    assert client.configuration.http_max_connections == 7
    with pytest.raises(ConfigurationError, match="CAMUNDA_HTTP_MAX_CONNECTIONS"):
        CamundaClient(configuration=CONFIG, httpx_args={"limits": httpx.Limits(max_connections=None)})


# -- headers ----------------------------------------------------------------------------------


def test_headers_go_on_every_request_sync_and_async() -> None:
    recorder = Recorder()
    args = {"transport": httpx.MockTransport(recorder), "headers": {"X-Team": "orders", "User-Agent": "mine/1"}}
    with CamundaClient(configuration=CONFIG, httpx_args=args) as client:
        client.get_topology()
        client.get_topology()

    async def run() -> None:
        async with CamundaAsyncClient(configuration=CONFIG, httpx_args=args) as client:
            await client.get_topology()

    asyncio.run(run())
    assert [r.headers["x-team"] for r in recorder.requests] == ["orders"] * 3
    assert {r.headers["user-agent"] for r in recorder.requests} == {"mine/1"}


def test_an_authorization_header_is_sent_only_when_nothing_else_authenticates() -> None:
    recorder = Recorder()
    args = {"transport": httpx.MockTransport(recorder), "headers": {"Authorization": "Bearer static"}}
    with CamundaClient(configuration=CONFIG, httpx_args=args) as client:
        client.get_topology()
    assert recorder.requests[0].headers["authorization"] == "Bearer static"

    basic = {**CONFIG, "CAMUNDA_AUTH_STRATEGY": "BASIC", "CAMUNDA_BASIC_AUTH_USERNAME": "u", "CAMUNDA_BASIC_AUTH_PASSWORD": "p"}
    with pytest.raises(ConfigurationError) as caught:
        CamundaClient(configuration=basic, httpx_args=args)
    message = _problems(caught.value)["httpx_args['headers']"]
    assert "CAMUNDA_AUTH_STRATEGY=BASIC sets too" in message
    with pytest.raises(ConfigurationError, match="auth_provider= sets too"):
        CamundaAsyncClient(configuration=CONFIG, httpx_args=args, auth_provider=httpx.BasicAuth("u", "p"))


# -- event hooks, cookies -----------------------------------------------------------------------


def test_event_hooks_run_on_each_client_in_its_own_kind() -> None:
    recorder = Recorder()
    seen: list[str] = []

    def on_request(request: httpx.Request) -> None:
        seen.append(f"sync {request.url.path}")

    async def on_async_response(response: httpx.Response) -> None:
        seen.append(f"async {response.status_code}")

    with CamundaClient(
        configuration=CONFIG,
        httpx_args={"transport": httpx.MockTransport(recorder), "event_hooks": {"request": [on_request]}},
    ) as client:
        client.get_topology()

    async def run() -> None:
        async with CamundaAsyncClient(
            configuration=CONFIG,
            httpx_args={"transport": httpx.MockTransport(recorder), "event_hooks": {"response": [on_async_response]}},
        ) as client:
            await client.get_topology()

    asyncio.run(run())
    assert seen == ["sync /v2/topology", "async 200"]


def test_event_hooks_of_the_wrong_kind_are_refused() -> None:
    async def hook(request: httpx.Request) -> None: ...

    def plain(request: httpx.Request) -> None: ...

    with pytest.raises(ConfigurationError, match=r"CamundaClient calls its 'request' hooks as plain functions"):
        CamundaClient(configuration=CONFIG, httpx_args={"event_hooks": {"request": [hook]}})
    with pytest.raises(ConfigurationError, match=r"CamundaAsyncClient calls its 'response' hooks as async"):
        CamundaAsyncClient(configuration=CONFIG, httpx_args={"event_hooks": {"response": [plain]}})
    with pytest.raises(ConfigurationError, match=r"unknown event 'reply'"):
        CamundaClient(configuration=CONFIG, httpx_args={"event_hooks": {"reply": [plain]}})


def test_cookies_are_sent() -> None:
    recorder = Recorder()
    with CamundaClient(
        configuration=CONFIG, httpx_args={"transport": httpx.MockTransport(recorder), "cookies": {"session": "s1"}}
    ) as client:
        client.get_topology()
    assert recorder.requests[0].headers["cookie"] == "session=s1"


# -- refused, each naming what to use instead ----------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "instead"),
    [
        ("verify", False, "CAMUNDA_CUSTOM_ROOT_CERT_PATH"),
        ("verify", "/etc/ca.pem", "CAMUNDA_CUSTOM_ROOT_CERT_PATH"),
        ("cert", ("c.pem", "k.pem"), "CAMUNDA_CUSTOM_CERT_CHAIN_PATH"),
        ("proxy", "http://proxy:3128", "HTTPS_PROXY"),
        ("follow_redirects", True, "never followed"),
        ("http2", True, "HTTP/1.1"),
        ("trust_env", False, "NO_PROXY"),
        ("base_url", "http://elsewhere", "CAMUNDA_REST_ADDRESS"),
        ("auth", ("u", "p"), "auth_provider="),
        ("mounts", {}, "transport="),
        ("max_redirect", 3, "supported keys: transport, timeout, headers"),
    ],
)
@pytest.mark.parametrize("client_class", [CamundaClient, CamundaAsyncClient])
def test_refused_keys_name_the_key_and_what_to_use(client_class: Any, key: str, value: object, instead: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        client_class(configuration=CONFIG, httpx_args={key: value})
    assert isinstance(caught.value, ValueError)
    message = _problems(caught.value)[f"httpx_args[{key!r}]"]
    assert instead in message


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigurationError) as caught:
        CamundaClient(configuration=CONFIG, httpx_args={"verify": False, "proxy": "http://p", "timeout": -1})
    assert set(_problems(caught.value)) == {"httpx_args['verify']", "httpx_args['proxy']", "httpx_args['timeout']"}


def test_harmless_values_are_accepted() -> None:
    args = {"verify": True, "cert": None, "follow_redirects": False, "http1": True, "http2": False, "trust_env": True}
    CamundaClient(configuration=CONFIG, httpx_args=args).close()


def test_a_client_on_another_runtime_takes_no_httpx_args() -> None:
    with CamundaClient(configuration=CONFIG) as client, pytest.raises(ValidationError, match="httpx_args"):
        CamundaClient(runtime=client.runtime, httpx_args={"timeout": 3})


# -- against the test kit --------------------------------------------------------------------------


def test_against_the_test_kit_headers_and_timeout(camunda_cluster: FakeCluster) -> None:
    configuration = {"CAMUNDA_REST_ADDRESS": camunda_cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
    with CamundaClient(configuration=configuration, httpx_args={"headers": {"X-Trace": "t-1"}, "timeout": 20}) as client:
        client.get_topology()
    [request] = [r for r in camunda_cluster.requests if r.operation == "getTopology"]
    assert request.headers["x-trace"] == "t-1"


def test_aclose_is_close_on_the_async_client(camunda_cluster: FakeCluster) -> None:
    configuration = {"CAMUNDA_REST_ADDRESS": camunda_cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}

    async def run() -> bool:
        client = CamundaAsyncClient(configuration=configuration)
        await client.get_topology()
        await client.aclose()
        await client.aclose()  # twice is fine, like httpx
        return bool(getattr(client, "_closed", False))

    assert asyncio.run(run())
    assert not hasattr(CamundaClient, "aclose")  # the sync client keeps close()


# -- the official client's keywords for httpx ----------------------------------------------------------


@pytest.mark.parametrize("client_class", [CamundaClient, CamundaAsyncClient])
def test_client_keywords_join_httpx_args(client_class: Any) -> None:
    client = client_class(configuration=CONFIG, headers={"X-Team": "a"}, timeout=9, cookies={"c": "1"}, follow_redirects=False)
    assert client.configuration.http_read_timeout == 9.0
    assert {k.lower(): v for k, v in client.runtime.core.headers.items()}["x-team"] == "a"
    with pytest.raises(ConfigurationError, match=r"httpx_args\['verify'\].*CAMUNDA_CUSTOM_ROOT_CERT_PATH"):
        client_class(configuration=CONFIG, verify_ssl=False)


def test_the_same_setting_given_twice_is_an_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        CamundaClient(configuration=CONFIG, headers={"a": "1"}, httpx_args={"headers": {"b": "2"}})
    assert _problems(caught.value) == {"httpx_args['headers']": "is given twice, also as headers=; keep one"}
