"""What the HTTP stack raises for a request we built becomes one typed, final error.

h11 (``LocalProtocolError``) and aiohttp (a bare ``ValueError``) refuse a header
value with a line break, httpx refuses a URL (``InvalidURL``): each becomes a
:class:`RequestConstructionError` naming the operation and the header (never
its value), sent at most once (it never reached the server), never retried.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import threading
from collections.abc import Generator, Iterator
from typing import Any

import core_ops as ops
import httpx
import pytest
from mock_transport import ScriptedTransport

from camunda_core import errors
from camunda_core.auth.strategy import AuthStrategy
from camunda_core.errors import RequestConstructionError, map_transport_error
from camunda_core.hookspecs import hookimpl
from camunda_core.retry import classify
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.sync_client import SyncClientRuntime

TOKEN = "Bearer s3cret-token\r\nX-Injected: yes"
SECRET_PART = "s3cret-token"


class CrlfAuth(httpx.Auth):
    """An auth plugin gone wrong: its token carries a line break."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = TOKEN
        yield request


class CrlfAuthPlugin:
    @hookimpl
    def camunda_auth_strategies(self) -> list[AuthStrategy]:
        return [AuthStrategy(name="CRLF_TEST", create=lambda _context: CrlfAuth(), description="broken")]


class AttemptCounter:
    def __init__(self) -> None:
        self.attempts = 0

    @hookimpl
    def camunda_on_request(self, event: Any) -> None:
        self.attempts += 1


# -- the mapping itself ----------------------------------------------------------------


def _request_with_token() -> httpx.Request:
    request = httpx.Request("GET", "http://cluster.test/v2/things/1")
    request.headers["Authorization"] = TOKEN
    return request


def _assert_final_and_silent(error: errors.CamundaError, header: str | None = "Authorization") -> None:
    assert isinstance(error, RequestConstructionError), repr(error)
    assert not isinstance(error, (errors.TransportError, errors.ApiError))
    assert classify(None, error) == "fatal"
    assert error.operation_id == "getThing"
    assert "getThing" in str(error)
    if header is not None:
        assert error.header == header
        assert repr(header) in str(error)
    for text in (str(error), repr(error), repr(error.__dict__)):
        assert SECRET_PART not in text and "X-Injected" not in text


def test_h11_local_protocol_error_names_the_header_not_its_value() -> None:
    request = _request_with_token()
    exc = httpx.LocalProtocolError(f"Illegal header value b'{TOKEN}'", request=request)
    _assert_final_and_silent(map_transport_error(exc, operation_id="getThing", method="GET"))


def test_bare_value_error_from_aiohttp_with_the_request_names_the_header() -> None:
    exc = ValueError("Forbidden control character detected in headers.")
    error = map_transport_error(exc, operation_id="getThing", method="GET", request=_request_with_token())
    _assert_final_and_silent(error)
    assert error.cause_type == "ValueError"  # type: ignore[attr-defined]


@pytest.mark.parametrize("exc", [ValueError(TOKEN), TypeError(TOKEN)])
def test_bare_value_and_type_errors_without_the_request_still_map_and_never_quote(exc: Exception) -> None:
    error = map_transport_error(exc, operation_id="getThing", method="GET")
    _assert_final_and_silent(error, header=None)
    assert "header" in str(error)


def test_invalid_url_is_a_construction_error() -> None:
    error = map_transport_error(httpx.InvalidURL("URL too long"), operation_id="getThing", method="GET")
    _assert_final_and_silent(error, header=None)
    assert "URL" in str(error)


def test_a_camunda_error_raised_inside_send_passes_through() -> None:
    original = errors.AuthenticationError("token endpoint said no")
    assert map_transport_error(original, operation_id="getThing") is original


def test_construction_error_pickles() -> None:
    error = map_transport_error(
        httpx.LocalProtocolError("x", request=_request_with_token()), operation_id="getThing", method="GET"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is RequestConstructionError and str(copy) == str(error)


# -- end to end, through every real transport ---------------------------------------------


@pytest.fixture
def counting_server() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback HTTP server recording each request head it receives."""
    received: list[bytes] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    if data:
                        received.append(data)
                        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}")
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    yield sock.getsockname()[1], received
    sock.close()


def _settings(port: int, **extra: str) -> dict[str, str]:
    return {
        "CAMUNDA_REST_ADDRESS": f"http://127.0.0.1:{port}",
        "CAMUNDA_AUTH_STRATEGY": "CRLF_TEST",
        "CAMUNDA_RETRY_INITIAL_DELAY_MS": "1",
        **extra,
    }


@pytest.mark.parametrize("kind", ["sync", "httpx", "aiohttp"])
def test_a_token_with_a_line_break_is_refused_once_and_never_sent(
    kind: str, counting_server: tuple[int, list[bytes]]
) -> None:
    port, received = counting_server
    counter = AttemptCounter()
    plugins = [CrlfAuthPlugin(), counter]
    if kind == "sync":
        with (
            SyncClientRuntime(_settings(port), plugins=plugins, load_entry_points=False, environ={}) as client,
            pytest.raises(errors.CamundaError) as caught,
        ):
            client.runtime.invoke(ops.get_thing, path={"thingKey": "1"})
    else:

        async def run() -> None:
            settings = _settings(port, CAMUNDA_HTTP_TRANSPORT=kind)
            async with AsyncClientRuntime(settings, plugins=plugins, load_entry_points=False, environ={}) as client:
                await client.runtime.ainvoke(ops.get_thing, path={"thingKey": "1"})

        with pytest.raises(errors.CamundaError) as caught:
            asyncio.run(run())
    _assert_final_and_silent(caught.value)
    assert counter.attempts == 1
    assert received == []


# -- through a transport plugin: needs the send loops to catch more than httpx.HTTPError ----


def _get_thing(key: str) -> Any:
    """getThing through the client's public runtime (awaitable on an async client)."""

    def call(client: Any) -> Any:
        if isinstance(client, AsyncClientRuntime):
            return client.runtime.ainvoke(ops.get_thing, path={"thingKey": key})
        return client.runtime.invoke(ops.get_thing, path={"thingKey": key})

    return call


def _run_both(transport_factory: Any, call: Any) -> list[BaseException]:
    raised: list[BaseException] = []
    with SyncClientRuntime(
        {"CAMUNDA_REST_ADDRESS": "http://cluster.test"},
        plugins=[transport_factory()],
        load_entry_points=False,
        environ={},
    ) as client:
        try:
            call(client)
        except BaseException as exc:
            raised.append(exc)

    async def run() -> None:
        async with AsyncClientRuntime(
            {"CAMUNDA_REST_ADDRESS": "http://cluster.test"},
            plugins=[transport_factory()],
            load_entry_points=False,
            environ={},
        ) as client:
            await call(client)

    try:
        asyncio.run(run())
    except BaseException as exc:
        raised.append(exc)
    return raised


@pytest.mark.parametrize(
    "foreign", [ValueError(TOKEN), TypeError(TOKEN), httpx.InvalidURL("Invalid non-printable ASCII character in URL")]
)
def test_foreign_errors_from_a_transport_plugin_become_construction_errors_sent_once(foreign: Exception) -> None:
    transports: list[ScriptedTransport] = []

    def factory() -> ScriptedTransport:
        transports.append(ScriptedTransport(foreign))
        return transports[-1]

    raised = _run_both(factory, _get_thing("1"))
    assert len(raised) == 2
    for error in raised:
        assert isinstance(error, RequestConstructionError), repr(error)
        assert SECRET_PART not in str(error)
    assert [len(t.requests) for t in transports] == [1, 1]


def test_a_url_too_long_for_httpx_is_a_construction_error() -> None:
    raised = _run_both(
        lambda: ScriptedTransport(httpx.Response(200, json={})),
        _get_thing("1" * 70_000),
    )
    assert len(raised) == 2
    assert all(isinstance(error, RequestConstructionError) for error in raised), raised
