"""The token request honours the client's TLS settings (custom CA) on a real HTTPS endpoint."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from oauth_testing import ConfigFactory

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


@pytest.fixture
def https_token_url(tmp_path: Path) -> Iterator[tuple[str, str]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenHandler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/oauth/token", cert.read_text()
    finally:
        server.shutdown()
        server.server_close()


def test_custom_ca_is_used_for_the_token_request(
    https_token_url: tuple[str, str], make_config: ConfigFactory
) -> None:
    url, ca_pem = https_token_url
    auth = OAuthClientCredentialsAuth(make_config(oauth_url=url), tls=TlsSettings(ca_pem=ca_pem))
    assert auth.get_token() == "tls-token"


def test_unknown_ca_is_refused(https_token_url: tuple[str, str], make_config: ConfigFactory) -> None:
    url, _ = https_token_url
    auth = OAuthClientCredentialsAuth(make_config(oauth_url=url, retry_max_attempts=1))
    with pytest.raises(AuthenticationError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        auth.get_token()
