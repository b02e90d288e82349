"""A token endpoint whose certificate cannot be verified fails at once (one attempt), sync and
async, with a message that names the URL and CAMUNDA_CUSTOM_ROOT_CERT_PATH and no secret."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pytest
from oauth_testing import CLIENT_SECRET, ConfigFactory

from camunda_auth_oauth import OAuthClientCredentialsAuth
from camunda_core.errors import AuthenticationError
from camunda_core.runtime.tls import TlsSettings

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


class _TokenHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b'{"access_token": "tls-token", "expires_in": 3600}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _CountingTlsServer(ThreadingHTTPServer):
    """Counts TCP connections before the TLS handshake, so refused handshakes are counted too."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _TokenHandler)
        self.context = context
        self.connections = 0

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = self.socket.accept()
        self.connections += 1
        return self.context.wrap_socket(sock, server_side=True), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@attrs.frozen
class Endpoint:
    url: str
    cert_pem: str
    server: _CountingTlsServer


def _self_signed(directory: Path, subject_alt_name: str) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=token-endpoint", "-addext", f"subjectAltName={subject_alt_name}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[str], Endpoint]]:
    servers: list[_CountingTlsServer] = []

    def start(subject_alt_name: str) -> Endpoint:
        cert, key = _self_signed(tmp_path, subject_alt_name)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server = _CountingTlsServer(context)
        servers.append(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return Endpoint(f"https://127.0.0.1:{server.server_address[1]}/oauth/token", cert.read_text(), server)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _get_token(auth: OAuthClientCredentialsAuth, flavour: str) -> str:
    if flavour == "sync":
        return auth.get_token()
    return asyncio.run(auth.aget_token())


def _assert_final(error: AuthenticationError, endpoint: Endpoint) -> None:
    message = str(error)
    assert endpoint.url in message and error.url == endpoint.url
    assert "could not be verified" in message and "CAMUNDA_CUSTOM_ROOT_CERT_PATH" in message
    assert CLIENT_SECRET not in message and CLIENT_SECRET not in repr(error)
    assert endpoint.server.connections == 1  # one attempt: not retried as if transient


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_an_untrusted_self_signed_certificate_fails_at_once(
    serve: Callable[[str], Endpoint], make_config: ConfigFactory, flavour: str
) -> None:
    endpoint = serve("IP:127.0.0.1")
    # Five attempts allowed and a long back-off: a retry would show in the count (and the time).
    config = make_config(oauth_url=endpoint.url, retry_max_attempts=5, retry_initial_delay=2.0, retry_max_delay=2.0)
    auth = OAuthClientCredentialsAuth(config)
    with pytest.raises(AuthenticationError) as caught:
        _get_token(auth, flavour)
    _assert_final(caught.value, endpoint)
    assert "self-signed" in str(caught.value) or "self signed" in str(caught.value)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_trusted_certificate_for_another_host_fails_at_once(
    serve: Callable[[str], Endpoint], make_config: ConfigFactory, flavour: str
) -> None:
    endpoint = serve("DNS:elsewhere.invalid")
    config = make_config(oauth_url=endpoint.url, retry_max_attempts=5, retry_initial_delay=2.0, retry_max_delay=2.0)
    auth = OAuthClientCredentialsAuth(config, tls=TlsSettings(ca_pem=endpoint.cert_pem))
    with pytest.raises(AuthenticationError) as caught:
        _get_token(auth, flavour)
    _assert_final(caught.value, endpoint)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_the_same_endpoint_works_once_its_ca_is_trusted(
    serve: Callable[[str], Endpoint], make_config: ConfigFactory, flavour: str
) -> None:
    endpoint = serve("IP:127.0.0.1")
    auth = OAuthClientCredentialsAuth(make_config(oauth_url=endpoint.url), tls=TlsSettings(ca_pem=endpoint.cert_pem))
    assert _get_token(auth, flavour) == "tls-token"
    assert endpoint.server.connections == 1
