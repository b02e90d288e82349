"""``camunda doctor`` against an https address: the TLS step, with and without the custom root CA."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cli_testing import camunda

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")

_TOPOLOGY = {
    "brokers": [{"nodeId": 0, "host": "broker-0", "port": 26501, "version": "8.9.1",
                 "partitions": [{"partitionId": 1, "role": "leader", "health": "healthy"}]}],
    "clusterId": "tls-cluster", "clusterSize": 1, "partitionsCount": 1, "replicationFactor": 1,
    "gatewayVersion": "8.9.1", "lastCompletedChangeId": "-1",
}


class _TopologyHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(_TOPOLOGY).encode()
        self.send_response(200 if self.path == "/v2/topology" else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def https_cluster(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An https server answering GET /v2/topology, with a self-signed certificate."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TopologyHandler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


def _checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["step"]: check for check in report["checks"]}


def test_an_untrusted_certificate_fails_the_tls_step(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, https_cluster: tuple[str, Path]
) -> None:
    address, _ = https_cluster
    monkeypatch.setenv("CAMUNDA_REST_ADDRESS", address)
    outcome = camunda(capsys, "doctor", "--json")
    assert outcome.code == 3
    checks = _checks(outcome.json())
    assert checks["connectivity"]["status"] == "pass"
    assert checks["tls"]["status"] == "fail"
    assert "certificate not trusted" in checks["tls"]["detail"]
    assert "CAMUNDA_CUSTOM_ROOT_CERT_PATH" in checks["tls"]["fix"]
    assert checks["topology"]["status"] == "skip"


def test_the_custom_root_ca_makes_every_step_pass(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, https_cluster: tuple[str, Path]
) -> None:
    address, cert = https_cluster
    monkeypatch.setenv("CAMUNDA_REST_ADDRESS", address)
    monkeypatch.setenv("CAMUNDA_CUSTOM_ROOT_CERT_PATH", str(cert))
    outcome = camunda(capsys, "doctor", "--json")
    assert outcome.code == 0, outcome.err
    checks = _checks(outcome.json())
    assert {step: check["status"] for step, check in checks.items()} == {
        "configuration": "pass", "connectivity": "pass", "tls": "pass", "auth": "pass",
        "topology": "pass", "broker version": "pass",
    }
    assert checks["tls"]["detail"].startswith("TLS")
    assert checks["broker version"]["detail"] == "8.9.1 (1 broker(s))"
