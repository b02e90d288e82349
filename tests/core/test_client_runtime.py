"""The send loops (sync and async) against a scripted transport plugin."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import core_ops as ops
import httpx
import pytest
from mock_transport import NoWaitClock, RecordingClock, ScriptedTransport, ok, problem

from camunda_core import errors
from camunda_core.hookspecs import hookimpl
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.consistency import WaitFor
from camunda_core.runtime.sync_client import SyncClientRuntime

BASE = {"CAMUNDA_REST_ADDRESS": "http://cluster.test:8080", "CAMUNDA_RETRY_INITIAL_DELAY_MS": "1"}


def _sync(transport: ScriptedTransport, **config: str) -> SyncClientRuntime:
    return SyncClientRuntime(
        {**BASE, **config}, plugins=[transport], load_entry_points=False, environ={}, clock=NoWaitClock()
    )


def _async(transport: ScriptedTransport, **config: str) -> AsyncClientRuntime:
    return AsyncClientRuntime(
        {**BASE, **config}, plugins=[transport], load_entry_points=False, environ={}, clock=NoWaitClock()
    )


def _both(transport_factory: Any, call: Any, **config: str) -> list[Any]:
    """Run the same call on a sync and an async client; return both results."""
    results: list[Any] = []
    sync_transport = transport_factory()
    with _sync(sync_transport, **config) as client:
        results.append((call(client), sync_transport))

    async def run() -> Any:
        async_transport = transport_factory()
        async with _async(async_transport, **config) as client:
            return (await call(client), async_transport)

    results.append(asyncio.run(run()))
    return results


def invoke(client: Any, op: Any, **kwargs: Any) -> Any:
    """The client's send loop for ``op`` (awaitable for an async client), through the public runtime."""
    if isinstance(client, AsyncClientRuntime):
        return client.runtime.ainvoke(op, **kwargs)
    return client.runtime.invoke(op, **kwargs)


def test_base_url_gets_v2_and_json_round_trip() -> None:
    for result, transport in _both(
        lambda: ScriptedTransport(ok({"ok": True})), lambda c: invoke(c, ops.get_thing, path={"thingKey": "42"})
    ):
        assert result == {"ok": True}
        assert str(transport.requests[0].url) == "http://cluster.test:8080/v2/things/42"
        assert transport.requests[0].headers["user-agent"].startswith("camunda-orchestration-sdk-python/")


def test_backpressure_is_retried_then_succeeds() -> None:
    for result, transport in _both(
        lambda: ScriptedTransport(problem(503, "RESOURCE_EXHAUSTED"), problem(503, "RESOURCE_EXHAUSTED"), ok({"k": 1})),
        lambda c: invoke(c, ops.create_thing, body={"a": 1}),
    ):
        assert result == {"k": 1}
        assert len(transport.requests) == 3


def test_retry_false_raises_at_once_with_typed_error() -> None:
    for outcome in ("sync", "async"):
        transport = ScriptedTransport(problem(503, "RESOURCE_EXHAUSTED"))
        if outcome == "sync":
            with _sync(transport) as client, pytest.raises(errors.BackpressureError):
                invoke(client, ops.create_thing, body={}, retry=False)
        else:

            async def run(transport: ScriptedTransport = transport) -> None:
                async with _async(transport) as client:
                    await invoke(client, ops.create_thing, body={}, retry=False)

            with pytest.raises(errors.ServiceUnavailable):
                asyncio.run(run())
        assert len(transport.requests) == 1


def test_non_idempotent_create_is_not_replayed_after_a_read_timeout() -> None:
    transport = ScriptedTransport(httpx.ReadTimeout("slow"), ok({"k": 1}))
    with _sync(transport) as client, pytest.raises(errors.TransportTimeoutError):
        invoke(client, ops.create_thing, body={})
    assert len(transport.requests) == 1


def test_idempotent_search_is_replayed_after_a_read_timeout() -> None:
    transport = ScriptedTransport(httpx.ReadTimeout("slow"), ok({"items": []}))
    with _sync(transport) as client:
        assert invoke(client, ops.search_things, body={}) == {"items": []}
    assert len(transport.requests) == 2


def test_connect_errors_are_retried_for_creates() -> None:
    transport = ScriptedTransport(httpx.ConnectError("refused"), ok({"k": 2}))
    with _sync(transport) as client:
        assert invoke(client, ops.create_thing, body={}) == {"k": 2}


def test_html_error_body_becomes_typed_error_with_raw_text() -> None:
    html = httpx.Response(502, content=b"<html>bad gateway</html>", headers={"content-type": "text/html"})
    transport = ScriptedTransport(html)
    with _sync(transport, CAMUNDA_RETRY_MAX_ATTEMPTS="2") as client, pytest.raises(errors.BadGateway) as caught:
        invoke(client, ops.get_thing, path={"thingKey": "1"})
    assert caught.value.raw_body == "<html>bad gateway</html>"
    assert len(transport.requests) == 2


def test_malformed_success_body_is_a_response_parse_error() -> None:
    transport = ScriptedTransport(httpx.Response(200, content=b'{"truncated": '))
    with _sync(transport) as client, pytest.raises(errors.ResponseParseError, match="getThing"):
        invoke(client, ops.get_thing, path={"thingKey": "1"})


def test_default_tenant_is_applied() -> None:
    transport = ScriptedTransport(ok({}))
    with _sync(transport, CAMUNDA_TENANT_ID="tenant-7") as client:
        invoke(client, ops.create_thing, body={"x": 1})
    assert transport.requests[0].content == b'{"x":1,"tenantId":"tenant-7"}'


def test_long_poll_gets_a_read_timeout_beyond_the_poll() -> None:
    transport = ScriptedTransport(ok({"jobs": []}))
    with _sync(transport) as client:
        invoke(client, ops.poll, body={"requestTimeout": 60_000})
    timeout = transport.requests[0].extensions["timeout"]
    # The poll's 60 s plus the margin; the attempt's own end may trim a few microseconds.
    assert timeout["read"] > 64.9


def test_wait_for_polls_until_ready_and_times_out() -> None:
    transport = ScriptedTransport(ok({"items": []}), ok({"items": []}), ok({"items": [1]}))
    with _sync(transport) as client:
        result = invoke(client, ops.search_things, body={}, wait=WaitFor(lambda r: bool(r["items"]), timeout=5))
    assert result == {"items": [1]}

    never = ScriptedTransport(ok({"items": []}))
    client = SyncClientRuntime(BASE, plugins=[never], load_entry_points=False, environ={}, clock=RecordingClock())
    with client, pytest.raises(errors.ConsistencyTimeoutError, match="searchThings"):
        invoke(client, ops.search_things, body={}, wait=WaitFor(lambda r: bool(r["items"]), timeout=1))


def test_wait_for_treats_404_as_not_yet_visible() -> None:
    transport = ScriptedTransport(problem(404, "NOT_FOUND"), ok({"key": "1"}))
    with _sync(transport) as client:
        assert invoke(client, ops.get_thing, path={"thingKey": "1"}, wait=WaitFor(timeout=5)) == {"key": "1"}


class _Recorder:
    def __init__(self) -> None:
        self.events: list[Any] = []

    @hookimpl
    def camunda_on_request(self, event: Any) -> None:
        self.events.append(("request", event))

    @hookimpl
    def camunda_on_response(self, event: Any) -> None:
        self.events.append(("response", event))


def test_observers_see_redacted_headers_and_statuses() -> None:
    recorder = _Recorder()
    transport = ScriptedTransport(problem(503, "RESOURCE_EXHAUSTED"), ok({}))
    config = {**BASE, "CAMUNDA_AUTH_STRATEGY": "BASIC", "CAMUNDA_BASIC_AUTH_USERNAME": "u", "CAMUNDA_BASIC_AUTH_PASSWORD": "hunter22"}
    with SyncClientRuntime(config, plugins=[transport, recorder], load_entry_points=False, environ={}, clock=NoWaitClock()) as client:
        invoke(client, ops.create_thing, body={})
    kinds = [(kind, getattr(event, "status", None)) for kind, event in recorder.events]
    assert kinds == [("request", None), ("response", 503), ("request", None), ("response", 200)]
    request_event = recorder.events[0][1]
    assert "hunter22" not in repr(request_event.headers)
    assert request_event.operation_id == "createThing" and request_event.attempt == 1
    assert transport.requests[0].headers["authorization"].startswith("Basic ")


def test_debug_logging_never_shows_secrets(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("camunda-test")
    logger.setLevel(logging.DEBUG)
    transport = ScriptedTransport(ok({}))
    config = {
        **BASE,
        "CAMUNDA_AUTH_STRATEGY": "BASIC",
        "CAMUNDA_BASIC_AUTH_USERNAME": "u",
        "CAMUNDA_BASIC_AUTH_PASSWORD": "hunter22secret",
        "CAMUNDA_SDK_LOG_LEVEL": "silly",
    }
    with caplog.at_level(logging.DEBUG, logger="camunda-test"), SyncClientRuntime(
        config, plugins=[transport], logger=logger, load_entry_points=False, environ={}
    ) as client:
        invoke(client, ops.create_thing, body={})
        text = caplog.text + repr(client) + repr(client.configuration)
    assert "createThing" in caplog.text
    assert "hunter22secret" not in text


def test_unknown_auth_strategy_is_a_configuration_error() -> None:
    with pytest.raises(errors.ConfigurationError, match="unknown auth strategy 'MAGIC'"):
        SyncClientRuntime({**BASE, "CAMUNDA_AUTH_STRATEGY": "MAGIC"}, load_entry_points=False, environ={})


def test_oauth_without_the_plugin_names_the_package() -> None:
    config = {**BASE, "CAMUNDA_CLIENT_ID": "id", "CAMUNDA_CLIENT_SECRET": "s3cr3t-value"}
    with pytest.raises(errors.ConfigurationError, match="camunda-auth-oauth") as caught:
        SyncClientRuntime(config, load_entry_points=False, environ={})
    assert "s3cr3t-value" not in str(caught.value)


def test_plugin_transport_beats_the_builtin_default() -> None:
    transport = ScriptedTransport(ok({}))
    with _sync(transport) as client:
        invoke(client, ops.get_thing, path={"thingKey": "1"})
    assert len(transport.requests) == 1  # the scripted transport answered, not the network


def test_per_call_timeout_must_be_positive() -> None:
    with _sync(ScriptedTransport(ok({}))) as client, pytest.raises(errors.ValidationError, match="timeout must be a finite number of seconds > 0"):
        invoke(client, ops.get_thing, path={"thingKey": "1"}, timeout=0)


class _ClosableAuth(httpx.Auth):
    def __init__(self) -> None:
        self.closed: list[str] = []

    def close(self) -> None:
        self.closed.append("sync")

    async def aclose(self) -> None:
        self.closed.append("async")


def test_closing_a_client_closes_its_auth_but_not_a_shared_one() -> None:
    from camunda_core.auth.strategy import AuthStrategy

    auth = _ClosableAuth()

    class Strategy:
        @hookimpl
        def camunda_auth_strategies(self) -> list[AuthStrategy]:
            return [AuthStrategy(name="CLOSABLE", create=lambda _context: auth)]

    config = {**BASE, "CAMUNDA_AUTH_STRATEGY": "CLOSABLE"}
    owner = SyncClientRuntime(config, plugins=[Strategy(), ScriptedTransport(ok({}))], load_entry_points=False, environ={})
    SyncClientRuntime(runtime=owner.runtime).close()
    assert auth.closed == []
    owner.close()
    assert auth.closed == ["sync"]

    async def run() -> None:
        client = AsyncClientRuntime(config, plugins=[Strategy(), ScriptedTransport(ok({}))], load_entry_points=False, environ={})
        await client.close()

    auth.closed.clear()
    asyncio.run(run())
    assert auth.closed == ["async", "sync"]
