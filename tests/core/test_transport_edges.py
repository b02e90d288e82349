"""Transport edges on real loopback servers, every transport (sync, async httpx, async aiohttp).

TLS failures that no retry can fix are raised after one attempt, and the
transports never resend a request on their own (``retry=False`` is one request).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import core_ops as ops
import pytest

from camunda_core import errors
from camunda_core.hookspecs import hookimpl
from camunda_core.retry import classify
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.sync_client import SyncClientRuntime

TRANSPORTS = ["sync", "httpx", "aiohttp"]
OK_RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}"


class AttemptCounter:
    """Observer plugin: counts the attempts the send loop makes."""

    def __init__(self) -> None:
        self.attempts = 0

    @hookimpl
    def camunda_on_request(self, event: Any) -> None:
        self.attempts += 1


class LoopbackServer:
    """A TCP server on 127.0.0.1 that hands each connection to ``serve`` in a thread."""

    def __init__(self, serve: Callable[[socket.socket, int], None]) -> None:
        self._serve = serve
        self.connections = 0
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port: int = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                number = self.connections
            threading.Thread(target=self._handle, args=(conn, number), daemon=True).start()

    def _handle(self, conn: socket.socket, number: int) -> None:
        try:
            self._serve(conn, number)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._sock.close()


@pytest.fixture
def servers() -> Iterator[list[LoopbackServer]]:
    started: list[LoopbackServer] = []
    yield started
    for server in started:
        server.close()


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _reset(conn: socket.socket) -> None:
    # SO_LINGER 0: close() sends RST instead of FIN.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _call(kind: str, address: str, *, retry: Any = None, **config: str) -> tuple[Any, AttemptCounter]:
    """One get_thing call on a client of ``kind``; returns (result or raised error, counter)."""
    counter = AttemptCounter()
    settings = {
        "CAMUNDA_REST_ADDRESS": address,
        "CAMUNDA_RETRY_INITIAL_DELAY_MS": "1",
        "CAMUNDA_HTTP_CONNECT_TIMEOUT_MS": "3000",
        "CAMUNDA_HTTP_READ_TIMEOUT_MS": "3000",
        **config,
    }
    if kind == "sync":
        with SyncClientRuntime(settings, plugins=[counter], load_entry_points=False, environ={}) as client:
            try:
                return client.runtime.invoke(ops.get_thing, path={"thingKey": "1"}, retry=retry), counter
            except errors.CamundaError as error:
                return error, counter

    async def run() -> Any:
        async with AsyncClientRuntime(
            {**settings, "CAMUNDA_HTTP_TRANSPORT": kind}, plugins=[counter], load_entry_points=False, environ={}
        ) as client:
            try:
                return await client.runtime.ainvoke(ops.get_thing, path={"thingKey": "1"}, retry=retry)
            except errors.CamundaError as error:
                return error

    return asyncio.run(run()), counter


# -- certificates ---------------------------------------------------------------------


def _certificate(tmp_path: Path, *, names: list[str], ips: list[str], days: int = 1) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0] if names else "test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    alt: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alt += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    not_after = now + datetime.timedelta(days=days) if days > 0 else now - datetime.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=2))
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = tmp_path / f"cert-{len(names)}-{len(ips)}-{days}.pem"
    key_path = tmp_path / f"key-{len(names)}-{len(ips)}-{days}.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _tls_server(cert: Path, key: Path) -> LoopbackServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def serve(conn: socket.socket, _number: int) -> None:
        conn.settimeout(5)
        try:
            tls = context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused the certificate
        with tls:
            _read_request(tls)
            tls.sendall(OK_RESPONSE)

    return LoopbackServer(serve)


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize(
    "case",
    ["self_signed_unknown_ca", "hostname_mismatch", "expired"],
)
def test_tls_verification_failure_is_raised_after_one_attempt_naming_the_root_cert_variable(
    kind: str, case: str, tmp_path: Path, servers: list[LoopbackServer]
) -> None:
    config: dict[str, str] = {}
    if case == "self_signed_unknown_ca":
        cert, key = _certificate(tmp_path, names=["localhost"], ips=["127.0.0.1"])
    elif case == "hostname_mismatch":
        # Trusted, but issued for another name than the address we dial.
        cert, key = _certificate(tmp_path, names=["elsewhere.test"], ips=[])
        config["CAMUNDA_CUSTOM_ROOT_CERT_PATH"] = str(cert)
    else:
        cert, key = _certificate(tmp_path, names=["localhost"], ips=["127.0.0.1"], days=0)
        config["CAMUNDA_CUSTOM_ROOT_CERT_PATH"] = str(cert)
    server = _tls_server(cert, key)
    servers.append(server)

    error, counter = _call(kind, f"https://127.0.0.1:{server.port}", **config)

    assert isinstance(error, errors.TlsVerificationError), repr(error)
    assert isinstance(error, errors.TransportConnectionError)
    assert counter.attempts == 1
    assert server.connections == 1
    assert classify(None, error) == "fatal"
    assert error.request_sent is False
    message = str(error)
    assert "getThing" in message and f"https://127.0.0.1:{server.port}" in message
    hint = {
        "self_signed_unknown_ca": "point CAMUNDA_CUSTOM_ROOT_CERT_PATH",
        "hostname_mismatch": "check the host of the address",
        "expired": "must be renewed",
    }[case]
    assert hint in message
    assert "The address comes from configuration['CAMUNDA_REST_ADDRESS']" in message


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_trusted_certificate_passes_so_the_failure_above_is_verification(
    kind: str, tmp_path: Path, servers: list[LoopbackServer]
) -> None:
    cert, key = _certificate(tmp_path, names=["localhost"], ips=["127.0.0.1"])
    server = _tls_server(cert, key)
    servers.append(server)
    result, counter = _call(
        kind, f"https://127.0.0.1:{server.port}", CAMUNDA_CUSTOM_ROOT_CERT_PATH=str(cert)
    )
    assert result == {"ok": True}
    assert counter.attempts == 1


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_https_to_a_plain_http_server_says_so_after_one_attempt(kind: str, servers: list[LoopbackServer]) -> None:
    def serve(conn: socket.socket, _number: int) -> None:
        conn.settimeout(5)
        conn.recv(65536)  # a TLS ClientHello, read as if it were a request
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")

    server = LoopbackServer(serve)
    servers.append(server)
    error, counter = _call(kind, f"https://127.0.0.1:{server.port}")
    assert isinstance(error, errors.TlsError) and not isinstance(error, errors.TlsVerificationError), repr(error)
    assert counter.attempts == 1
    assert "http://" in str(error) and "CAMUNDA_REST_ADDRESS" in str(error)
    assert classify(None, error) == "fatal"


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_plain_http_to_a_server_answering_in_tls_hints_at_https(kind: str, servers: list[LoopbackServer]) -> None:
    def serve(conn: socket.socket, _number: int) -> None:
        conn.settimeout(5)
        _read_request(conn)
        conn.sendall(b"\x15\x03\x03\x00\x02\x02\x46")  # a TLS alert record

    server = LoopbackServer(serve)
    servers.append(server)
    error, _ = _call(kind, f"http://127.0.0.1:{server.port}", retry=False)
    assert isinstance(error, errors.TransportConnectionError), repr(error)
    assert "https://" in str(error)


# -- no hidden retries ---------------------------------------------------------------------


def _reset_first_request_server() -> tuple[LoopbackServer, list[int]]:
    requests: list[int] = []
    lock = threading.Lock()

    def serve(conn: socket.socket, _number: int) -> None:
        conn.settimeout(5)
        while True:
            if not _read_request(conn):
                return
            with lock:
                requests.append(1)
                first = len(requests) == 1
            if first:
                _reset(conn)
                return
            conn.sendall(OK_RESPONSE)

    return LoopbackServer(serve), requests


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_retry_false_sends_exactly_one_request_after_a_connection_reset(
    kind: str, servers: list[LoopbackServer]
) -> None:
    server, requests = _reset_first_request_server()
    servers.append(server)
    error, counter = _call(kind, f"http://127.0.0.1:{server.port}", retry=False)
    assert isinstance(error, errors.TransportConnectionError), repr(error)
    assert len(requests) == 1
    assert counter.attempts == 1


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_with_retries_on_the_policy_resends_the_idempotent_get(kind: str, servers: list[LoopbackServer]) -> None:
    server, requests = _reset_first_request_server()
    servers.append(server)
    result, counter = _call(kind, f"http://127.0.0.1:{server.port}")
    assert result == {"ok": True}
    # Both sends are the policy's, and the observer saw both.
    assert len(requests) == 2
    assert counter.attempts == 2
