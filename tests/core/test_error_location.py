"""Transport errors say where they happened, on every transport (sync, async httpx, async aiohttp).

Each names the operation, method, URL, "attempt n of m", the time since the
call began and the setting the REST address came from, as text and as
attributes. A TLS/plain-HTTP mismatch is recognised from the first answer:
the tests give every timeout 30 s and check that the error is the mismatch
after one attempt (no timeout could have fired). ``WaitFor`` reports the time
it waited and the last state it saw, and waits its whole timeout.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import re
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import core_ops as ops
import httpx
import pytest
from aiohttp import web
from mock_transport import RecordingClock, ScriptedTransport, ok, problem

from camunda_core import errors
from camunda_core.errors import shown_url
from camunda_core.hookspecs import hookimpl
from camunda_core.retry import classify
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.consistency import WaitFor
from camunda_core.runtime.sync_client import SyncClientRuntime

TRANSPORTS = ["sync", "httpx", "aiohttp"]
# Long enough that a failure seen after one attempt cannot have been a timeout.
PATIENT = {"CAMUNDA_HTTP_CONNECT_TIMEOUT_MS": "30000", "CAMUNDA_HTTP_READ_TIMEOUT_MS": "30000"}


class AttemptCounter:
    def __init__(self) -> None:
        self.attempts = 0

    @hookimpl
    def camunda_on_request(self, event: Any) -> None:
        self.attempts += 1


def _call(
    kind: str,
    *,
    configuration: dict[str, str] | None = None,
    environ: dict[str, str] | None = None,
    retry: Any = None,
    timeout: float | None = None,
) -> tuple[Any, AttemptCounter]:
    """One getThing call on a client of ``kind``: (result or raised error, attempt counter)."""
    counter = AttemptCounter()
    settings = {"CAMUNDA_RETRY_INITIAL_DELAY_MS": "1", **(configuration or {})}
    env = environ or {}
    if kind == "sync":
        with SyncClientRuntime(settings, plugins=[counter], load_entry_points=False, environ=env) as client:
            try:
                return client.runtime.invoke(ops.get_thing, path={"thingKey": "1"}, retry=retry, timeout=timeout), counter
            except errors.CamundaError as error:
                return error, counter

    async def run() -> Any:
        async with AsyncClientRuntime(
            {**settings, "CAMUNDA_HTTP_TRANSPORT": kind}, plugins=[counter], load_entry_points=False, environ=env
        ) as client:
            try:
                return await client.runtime.ainvoke(ops.get_thing, path={"thingKey": "1"}, retry=retry, timeout=timeout)
            except errors.CamundaError as error:
                return error

    return asyncio.run(run()), counter


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- where: operation, method, URL, attempt n of m, elapsed, address variable ------------------


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize(
    ("where", "expected_variable"),
    [
        ("environment", "CAMUNDA_REST_ADDRESS"),
        ("alias", "ZEEBE_REST_ADDRESS"),
        ("explicit", "configuration['CAMUNDA_REST_ADDRESS']"),
    ],
)
def test_a_refused_connection_names_operation_url_attempts_elapsed_and_the_address_variable(
    kind: str, where: str, expected_variable: str
) -> None:
    port = _closed_port()
    address = f"http://127.0.0.1:{port}"
    configuration = {"CAMUNDA_RETRY_MAX_ATTEMPTS": "3"}
    environ: dict[str, str] = {}
    if where == "environment":
        environ["CAMUNDA_REST_ADDRESS"] = address
    elif where == "alias":
        environ["ZEEBE_REST_ADDRESS"] = address
    else:
        configuration["CAMUNDA_REST_ADDRESS"] = address

    error, counter = _call(kind, configuration=configuration, environ=environ)

    assert type(error) is errors.TransportConnectionError, repr(error)
    assert counter.attempts == 3
    url = f"http://127.0.0.1:{port}/v2/things/1"
    assert (error.operation_id, error.method, error.url) == ("getThing", "GET", url)
    assert (error.attempt, error.max_attempts) == (3, 3)
    assert error.elapsed_seconds is not None and error.elapsed_seconds > 0
    assert error.address_variable == expected_variable
    assert error.request_sent is False
    message = str(error)
    pattern = (
        rf"getThing: cannot connect to {re.escape(url)} \(GET, attempt 3 of 3, [\d.]+ m?s\): connection refused\. "
        rf"The address comes from {re.escape(expected_variable)}\.$"
    )
    assert re.fullmatch(pattern, message), message


def test_an_address_from_a_dotenv_file_names_the_file(tmp_path: Path) -> None:
    envfile = tmp_path / "camunda.env"
    envfile.write_text(f"CAMUNDA_REST_ADDRESS=http://127.0.0.1:{_closed_port()}\n", encoding="utf-8")
    error, _ = _call("sync", environ={"CAMUNDA_LOAD_ENVFILE": str(envfile)}, retry=False)
    assert isinstance(error, errors.TransportConnectionError), repr(error)
    assert error.address_variable == f"CAMUNDA_REST_ADDRESS in {envfile}"
    assert f"The address comes from CAMUNDA_REST_ADDRESS in {envfile}." in str(error)


def test_the_default_address_is_named_as_the_default() -> None:
    with SyncClientRuntime(load_entry_points=False, environ={}) as client:
        assert client.runtime.core.address_variable == "default"
    assert errors.address_sentence("default") == "The address is the default (CAMUNDA_REST_ADDRESS is not set)."


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_retry_false_is_attempt_1_of_1(kind: str) -> None:
    error, _ = _call(kind, configuration={"CAMUNDA_REST_ADDRESS": f"http://127.0.0.1:{_closed_port()}"}, retry=False)
    assert isinstance(error, errors.TransportConnectionError), repr(error)
    assert (error.attempt, error.max_attempts) == (1, 1)
    assert "(GET, attempt 1 of 1, " in str(error)


def test_urls_in_messages_carry_no_credentials_query_or_fragment() -> None:
    assert shown_url("https://user:s3cret@h.test:8443/v2/x?token=s3cret#s3cret") == "https://h.test:8443/v2/x"
    assert shown_url("http://h.test/v2/x") == "http://h.test/v2/x"
    assert shown_url(None) == "the server"
    error = errors.map_transport_error(
        httpx.ConnectError("refused"),
        operation_id="op",
        method="GET",
        url="https://user:s3cret@h.test/v2/x?token=s3cret",
    )
    assert "s3cret" not in str(error) and "s3cret" not in str(getattr(error, "url", ""))


# -- loopback servers --------------------------------------------------------------------------


class LoopbackServer:
    """A TCP server on 127.0.0.1 handing each connection to ``serve`` in a thread."""

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        self._serve = serve
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            self._serve(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._sock.close()


@pytest.fixture
def loopback() -> Iterator[Callable[[Callable[[socket.socket], None]], LoopbackServer]]:
    started: list[LoopbackServer] = []

    def start(serve: Callable[[socket.socket], None]) -> LoopbackServer:
        server = LoopbackServer(serve)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def _read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


class AiohttpServer:
    """A real aiohttp web server (plain or TLS) on its own loop thread."""

    def __init__(self, ssl_context: ssl.SSLContext | None) -> None:
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        ready = threading.Event()
        ports: list[int] = []

        async def main() -> None:
            app = web.Application()

            async def thing(_request: web.Request) -> web.Response:
                return web.json_response({"ok": True})

            app.router.add_get("/v2/things/1", thing)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
            await site.start()
            ports.append(int(runner.addresses[0][1]))
            ready.set()
            await self._stop.wait()
            await runner.cleanup()

        self._thread = threading.Thread(target=lambda: self._loop.run_until_complete(main()), daemon=True)
        self._thread.start()
        ready.wait(10)
        self.port = ports[0]

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


# -- TLS and plain HTTP mixed up ----------------------------------------------------------------


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_https_to_a_real_plain_http_server_is_a_final_tls_error_at_the_first_answer(kind: str) -> None:
    server = AiohttpServer(None)
    try:
        address = f"https://127.0.0.1:{server.port}"
        error, counter = _call(kind, environ={"CAMUNDA_REST_ADDRESS": address}, configuration=PATIENT)
    finally:
        server.close()
    assert type(error) is errors.TlsError, repr(error)
    assert counter.attempts == 1
    assert classify(None, error) == "fatal" and error.request_sent is False
    message = str(error)
    assert message.startswith(f"getThing: cannot set up TLS with {address}/v2/things/1 (GET, attempt 1 of 5, ")
    assert "the server answered the TLS handshake in plain HTTP. Use an http:// address" in message
    assert message.endswith("The address comes from CAMUNDA_REST_ADDRESS.")
    assert error.address_variable == "CAMUNDA_REST_ADDRESS"


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n",
        b"\x48\x54\x54\x50\xff\xff" * 4,  # "HTTP" then a record length no TLS record has
    ],
    ids=["http-400", "http-400-with-text", "http-then-junk"],
)
def test_https_to_a_server_answering_in_plain_bytes_is_a_tls_error(
    kind: str, answer: bytes, loopback: Callable[[Callable[[socket.socket], None]], LoopbackServer]
) -> None:
    def serve(conn: socket.socket) -> None:
        conn.recv(65536)  # the ClientHello, read as a request
        conn.sendall(answer)

    server = loopback(serve)
    error, counter = _call(
        kind, configuration={"CAMUNDA_REST_ADDRESS": f"https://127.0.0.1:{server.port}", **PATIENT}
    )
    assert type(error) is errors.TlsError, repr(error)
    assert counter.attempts == 1
    assert "Use an http:// address" in str(error)


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize(
    "record",
    [b"\x15\x03\x03\x00\x02\x02\x46", b"\x16\x03\x03\x00\x30" + b"\x00" * 48],
    ids=["alert", "handshake"],
)
def test_http_to_a_server_answering_in_tls_is_a_final_tls_error_saying_use_https(
    kind: str, record: bytes, loopback: Callable[[Callable[[socket.socket], None]], LoopbackServer]
) -> None:
    def serve(conn: socket.socket) -> None:
        _read_head(conn)
        conn.sendall(record)

    server = loopback(serve)
    error, counter = _call(kind, environ={"ZEEBE_REST_ADDRESS": f"http://127.0.0.1:{server.port}"}, configuration=PATIENT)
    assert type(error) is errors.TlsError, repr(error)
    assert counter.attempts == 1
    assert classify(None, error) == "fatal"
    message = str(error)
    assert "it expects TLS (https). Use an https:// address." in message
    assert message.endswith("The address comes from ZEEBE_REST_ADDRESS.")


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize(
    "body",
    [
        b"Bad Request\r\nThis combination of host and port requires TLS.\r\n",  # Tomcat
        b"<html><center>The plain HTTP request was sent to HTTPS port</center></html>",  # nginx
        b"Client sent an HTTP request to an HTTPS server.\n",  # Go
    ],
    ids=["tomcat", "nginx", "go"],
)
def test_http_to_a_tls_port_answering_400_says_the_server_expects_tls(
    kind: str, body: bytes, loopback: Callable[[Callable[[socket.socket], None]], LoopbackServer]
) -> None:
    def serve(conn: socket.socket) -> None:
        _read_head(conn)
        head = f"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n"
        conn.sendall(head.encode() + body)

    server = loopback(serve)
    error, counter = _call(kind, configuration={"CAMUNDA_REST_ADDRESS": f"http://127.0.0.1:{server.port}", **PATIENT})
    assert isinstance(error, errors.BadRequest), repr(error)
    assert counter.attempts == 1
    assert "The server expects TLS: use an https:// address" in str(error)


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_https_to_a_plain_server_silent_on_handshakes_is_a_tls_error_after_one_connect_timeout(
    kind: str, loopback: Callable[[Callable[[socket.socket], None]], LoopbackServer]
) -> None:
    # Like Python's http.server: it waits for a request head that a ClientHello
    # never completes, so only the connect timeout ends the handshake. Asked in
    # plain HTTP it answers, so the first attempt is the last.
    def serve(conn: socket.socket) -> None:
        head = _read_head(conn)  # a ClientHello never ends the head: recv until the client gives up
        if head.startswith(b"HEAD "):
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")

    server = loopback(serve)
    address = f"https://127.0.0.1:{server.port}"
    error, counter = _call(
        kind, configuration={"CAMUNDA_REST_ADDRESS": address, "CAMUNDA_HTTP_CONNECT_TIMEOUT_MS": "300"}
    )
    assert type(error) is errors.TlsError, repr(error)
    assert counter.attempts == 1
    assert isinstance(error.__cause__, errors.TransportTimeoutError)
    message = str(error)
    assert message.startswith(f"getThing: cannot set up TLS with {address}/v2/things/1 (GET, attempt 1 of 5, ")
    assert "the server did not answer the TLS handshake, and answers plain HTTP. Use an http:// address" in message
    assert message.endswith("The address comes from configuration['CAMUNDA_REST_ADDRESS'].")


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_https_to_the_test_kit_is_a_tls_error_at_its_first_answer(kind: str) -> None:
    # The test kit answers a ClientHello in plain HTTP at once (as Tomcat and nginx
    # do), so no connect timeout is spent: PATIENT timeouts would show if one were.
    from camunda_testkit import FakeCluster

    with FakeCluster() as cluster:
        address = cluster.rest_address.replace("http://", "https://")
        error, counter = _call(kind, configuration={"CAMUNDA_REST_ADDRESS": address, **PATIENT})
    assert type(error) is errors.TlsError, repr(error)
    assert counter.attempts == 1
    assert not isinstance(error.__cause__, errors.TransportTimeoutError)
    assert "the server answered the TLS handshake in plain HTTP. Use an http:// address" in str(error)


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_https_to_a_server_silent_on_tls_and_http_stays_a_retried_connect_timeout(
    kind: str, loopback: Callable[[Callable[[socket.socket], None]], LoopbackServer]
) -> None:
    release = threading.Event()

    def serve(conn: socket.socket) -> None:
        conn.recv(65536)
        release.wait(10)  # answers neither a handshake nor a request

    server = loopback(serve)
    try:
        error, counter = _call(
            kind,
            configuration={
                "CAMUNDA_REST_ADDRESS": f"https://127.0.0.1:{server.port}",
                "CAMUNDA_HTTP_CONNECT_TIMEOUT_MS": "200",
                "CAMUNDA_RETRY_MAX_ATTEMPTS": "2",
            },
        )
    finally:
        release.set()
    assert type(error) is errors.TransportTimeoutError, repr(error)
    assert error.phase == "connect" and counter.attempts == 2
    assert "If the host is reachable but speaks plain HTTP, use an http:// address." in str(error)


def test_no_plain_http_probe_through_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    request = httpx.Request("GET", "https://cluster.test/v2/topology")
    timeout = errors.TransportTimeoutError("slow", phase="connect")
    with SyncClientRuntime(load_entry_points=False, environ={}) as client:
        core = client.runtime.core
        assert core.plain_http_probe(request, timeout) == ("cluster.test", 443, 1.0)
        assert core.plain_http_probe(httpx.Request("GET", "http://cluster.test/v2/topology"), timeout) is None
        assert core.plain_http_probe(request, errors.TransportTimeoutError("slow", phase="read")) is None
        for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
        assert core.plain_http_probe(request, timeout) is None


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_http_to_a_real_tls_server_that_drops_plain_requests_hints_at_https(kind: str, tmp_path: Path) -> None:
    # aiohttp's TLS server closes a connection that does not start with a handshake:
    # the same bytes a crashing plain server sends, so this stays a retried
    # connection error, but its message names the likely cause.
    cert, key = _certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = AiohttpServer(context)
    try:
        error, counter = _call(
            kind, configuration={"CAMUNDA_REST_ADDRESS": f"http://127.0.0.1:{server.port}", **PATIENT}
        )
    finally:
        server.close()
    assert type(error) is errors.TransportConnectionError, repr(error)
    assert counter.attempts == 5
    message = str(error)
    assert "(GET, attempt 5 of 5, " in message
    assert "If the server expects TLS, use an https:// address." in message


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_reset_names_the_place_and_stays_retryable(
    kind: str, loopback: Callable[[Callable[[socket.socket], None]], LoopbackServer]
) -> None:
    def serve(conn: socket.socket) -> None:
        _read_head(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close() sends RST

    server = loopback(serve)
    error, counter = _call(
        kind, configuration={"CAMUNDA_REST_ADDRESS": f"http://127.0.0.1:{server.port}", "CAMUNDA_RETRY_MAX_ATTEMPTS": "2"}
    )
    assert isinstance(error, errors.TransportConnectionError) and not isinstance(error, errors.TlsError), repr(error)
    assert counter.attempts == 2
    assert classify(None, error) == "transient"
    assert (error.attempt, error.max_attempts) == (2, 2)
    assert f"getThing: no response from http://127.0.0.1:{server.port}/v2/things/1 (GET, attempt 2 of 2, " in str(error)


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_an_attempt_cut_off_by_its_limit_names_the_place(
    kind: str, loopback: Callable[[Callable[[socket.socket], None]], LoopbackServer]
) -> None:
    release = threading.Event()

    def serve(conn: socket.socket) -> None:
        _read_head(conn)
        release.wait(10)  # never answers while the client waits

    server = loopback(serve)
    try:
        error, _ = _call(
            kind, configuration={"CAMUNDA_REST_ADDRESS": f"http://127.0.0.1:{server.port}"}, retry=False, timeout=0.2
        )
    finally:
        release.set()
    assert isinstance(error, errors.TransportTimeoutError), repr(error)
    assert error.phase == "total"
    assert (error.attempt, error.max_attempts, error.address_variable) == (1, 1, "configuration['CAMUNDA_REST_ADDRESS']")
    assert error.elapsed_seconds is not None and error.elapsed_seconds >= 0.2
    message = str(error)
    assert message.startswith(f"getThing: no complete response from http://127.0.0.1:{server.port}/v2/things/1 (GET, attempt 1 of 1, ")
    assert "): the attempt's limit of 0.2 s (the call's timeout=) passed." in message


# -- WaitFor -----------------------------------------------------------------------------------

BASE = {"CAMUNDA_REST_ADDRESS": "http://cluster.test:8080"}


def _wait(kind: str, transport: ScriptedTransport, op: Any, wait: WaitFor[Any], **kwargs: Any) -> tuple[Any, RecordingClock]:
    clock = RecordingClock()
    if kind == "sync":
        with SyncClientRuntime(BASE, plugins=[transport], load_entry_points=False, environ={}, clock=clock) as client:
            try:
                return client.runtime.invoke(op, wait=wait, **kwargs), clock
            except errors.CamundaError as error:
                return error, clock

    async def run() -> Any:
        async with AsyncClientRuntime(BASE, plugins=[transport], load_entry_points=False, environ={}, clock=clock) as client:
            try:
                return await client.runtime.ainvoke(op, wait=wait, **kwargs)
            except errors.CamundaError as error:
                return error

    return asyncio.run(run()), clock


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_wait_for_waits_its_whole_timeout_and_reports_elapsed_and_last_state(kind: str) -> None:
    # Intervals 0.1, 0.2, 0.4, 0.8 reach 1.5 s; the next 1.0 s would pass 2 s. The
    # wait used to give up there, at 1.5 s, saying "within 2 s".
    wait = WaitFor[Any](lambda page: bool(page["items"]), timeout=2, interval=0.1, max_interval=1.0)
    error, clock = _wait(kind, ScriptedTransport(ok({"items": []})), ops.search_things, wait, body={})
    assert isinstance(error, errors.ConsistencyTimeoutError), repr(error)
    assert clock.sleeps == pytest.approx([0.1, 0.2, 0.4, 0.8, 0.5])
    assert error.elapsed_seconds == pytest.approx(2.0)
    assert error.polls == 6 and error.timeout == 2
    assert error.last_result == {"items": []}
    assert error.last_state == "{'items': []}"
    assert str(error) == (
        f"searchThings: the condition did not hold within 2 s (waited 2.0 s, 6 polls); last seen: {error.last_state}"
    )


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_wait_for_names_a_not_yet_visible_error_as_the_last_state(kind: str) -> None:
    wait = WaitFor[Any](timeout=0.3, interval=0.1)
    error, _ = _wait(kind, ScriptedTransport(problem(404, "NOT_FOUND")), ops.get_thing, wait, path={"thingKey": "1"})
    assert isinstance(error, errors.ConsistencyTimeoutError), repr(error)
    assert error.last_result is None
    assert error.last_state == "NotFound (HTTP 404, not visible yet)"
    assert "(waited 0.3 s, 3 polls); last seen: NotFound (HTTP 404, not visible yet)" in str(error)


def test_wait_for_quotes_a_long_result_in_bounded_form() -> None:
    from camunda_core.runtime.consistency import STATE_QUOTE_LIMIT, describe_state

    class Item:
        def __repr__(self) -> str:
            return "Item(" + "x" * 10_000 + ")"

    text = describe_state(Item())
    assert len(text) < STATE_QUOTE_LIMIT + 60 and "more characters cut" in text

    class Page:
        def __init__(self) -> None:
            self.items = [1]

    assert describe_state(Page()) == "Page with 1 item"


def test_located_errors_survive_pickling_for_process_workers() -> None:
    import pickle

    timeout = errors.TransportTimeoutError(
        "m", phase="connect", operation_id="op", attempt=2, max_attempts=3, elapsed_seconds=1.5, address_variable="X"
    )
    copy = pickle.loads(pickle.dumps(timeout))
    assert (str(copy), copy.phase, copy.attempt, copy.max_attempts, copy.address_variable) == ("m", "connect", 2, 3, "X")
    waited = errors.ConsistencyTimeoutError(
        "w", operation_id="op", last_result={"items": []}, last_state="s", elapsed_seconds=2.0, polls=6, timeout=2
    )
    again = pickle.loads(pickle.dumps(waited))
    assert type(again) is errors.ConsistencyTimeoutError and str(again) == "w"
    assert (again.operation_id, again.last_result, again.polls, again.elapsed_seconds) == ("op", {"items": []}, 6, 2.0)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_wait_for_a_concurrency_slot_that_runs_out_names_the_place(kind: str) -> None:
    settings = {
        "CAMUNDA_REST_ADDRESS": "http://cluster.test:8080",
        "CAMUNDA_MAX_CONCURRENT_REQUESTS": "1",
        "CAMUNDA_RETRY_DEADLINE_MS": "100",
    }
    transport = ScriptedTransport(ok({"ok": True}))
    if kind == "sync":
        with SyncClientRuntime(settings, plugins=[transport], load_entry_points=False, environ={}) as client:
            client.runtime.budget.acquire()  # the one slot, held elsewhere
            with pytest.raises(errors.TransportTimeoutError) as caught:
                client.runtime.invoke(ops.get_thing, path={"thingKey": "1"})
    else:

        async def run() -> Any:
            async with AsyncClientRuntime(settings, plugins=[transport], load_entry_points=False, environ={}) as client:
                client.runtime.budget.acquire()
                with pytest.raises(errors.TransportTimeoutError) as caught:
                    await client.runtime.ainvoke(ops.get_thing, path={"thingKey": "1"})
                return caught

        caught = asyncio.run(run())
    error = caught.value
    assert error.phase == "pool" and error.request_sent is False
    assert (error.attempt, error.max_attempts) == (1, 5)
    assert error.address_variable == "configuration['CAMUNDA_REST_ADDRESS']"
    message = str(error)
    assert message.startswith("getThing: nothing sent to http://cluster.test:8080/v2/things/1 (GET, attempt 1 of 5, ")
    assert "no request slot came free within" in message and "The address comes from configuration[" in message
    assert transport.requests == []
