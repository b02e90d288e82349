"""The HTTP/1.1 layer (keep-alive, chunked bodies, 100-continue) and request recording."""

from __future__ import annotations

import json
import socket

import httpx

from camunda_testkit import FakeCluster

from .conftest import TWO_TASK_BPMN, activate, deploy, start_instance


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    reader = sock.makefile("rb")
    status_line = reader.readline()
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := reader.readline()) != b"\r\n":
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return status, headers, body


def _connect(cluster: FakeCluster) -> socket.socket:
    return socket.create_connection(("127.0.0.1", cluster.port), timeout=10)


def test_keep_alive_with_pipelined_requests(cluster: FakeCluster) -> None:
    with _connect(cluster) as sock:
        request = b"GET /v2/topology HTTP/1.1\r\nHost: x\r\n\r\n"
        sock.sendall(request * 3)
        reader = sock.makefile("rb")
        for _ in range(3):
            assert reader.readline().startswith(b"HTTP/1.1 200")
            length = 0
            while (line := reader.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            assert json.loads(reader.read(length))["clusterSize"] == 1


def test_chunked_request_body(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN)
    body = json.dumps({"processDefinitionId": "order-process"}).encode()
    chunks = (
        b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in (body[:10], body[10:]))
        + b"0\r\n\r\n"
    )
    with _connect(cluster) as sock:
        sock.sendall(
            b"POST /v2/process-instances HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + chunks
        )
        status, headers, payload = _read_response(sock)
    assert status == 200, payload
    assert headers["content-type"] == "application/json"
    assert json.loads(payload)["processDefinitionId"] == "order-process"


def test_expect_100_continue(cluster: FakeCluster) -> None:
    body = b'{"name": "ping"}'
    with _connect(cluster) as sock:
        sock.sendall(
            b"POST /v2/messages/publication HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        reader = sock.makefile("rb")
        assert reader.readline() == b"HTTP/1.1 100 Continue\r\n"
        assert reader.readline() == b"\r\n"
        sock.sendall(body)
        assert reader.readline().startswith(b"HTTP/1.1 200")


def test_http10_closes_after_the_response(cluster: FakeCluster) -> None:
    with _connect(cluster) as sock:
        sock.sendall(b"GET /v2/status HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 204")
    assert b"Connection: close" in data


def test_malformed_request_line_gets_400(cluster: FakeCluster) -> None:
    with _connect(cluster) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        status, _, _ = _read_response(sock)
    assert status == 400


def test_invalid_json_is_a_400_problem(http: httpx.Client) -> None:
    response = http.post(
        "/process-instances", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) == {"type", "title", "status", "detail", "instance"}


def test_unsupported_route_is_an_obvious_404(http: httpx.Client) -> None:
    response = http.post("/signals/broadcast", json={})
    assert response.status_code == 404
    assert response.json() == {
        "type": "about:blank",
        "title": "NOT_FOUND",
        "status": 404,
        "detail": "The fake cluster does not model POST /v2/signals/broadcast",
        "instance": "/v2/signals/broadcast",
    }


def test_status_and_topology(http: httpx.Client) -> None:
    assert http.get("/status").status_code == 204
    topology = http.get("/topology").json()
    assert topology["brokers"][0]["partitions"][0]["role"] == "leader"
    assert topology["gatewayVersion"].startswith("8.")


def test_requests_are_recorded_with_operation_ids(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    start_instance(http, {"a": 1})
    (job,) = activate(http, "charge")
    http.post(
        f"/jobs/{job['jobKey']}/completion?x=1",
        json={"variables": {"b": 2}},
        headers={"Authorization": "Bearer secret-token"},
    )
    operations = [r.operation for r in cluster.requests]
    assert operations == [
        "createDeployment",
        "createProcessInstance",
        "activateJobs",
        "completeJob",
    ]
    completion = cluster.requests[-1]
    assert completion.method == "POST"
    assert completion.path == f"/v2/jobs/{job['jobKey']}/completion"
    assert completion.query == {"x": "1"}
    assert completion.json == {"variables": {"b": 2}}
    assert completion.body == b'{"variables":{"b":2}}'
    assert completion.headers["authorization"] == "Bearer secret-token"
    assert "secret-token" not in repr(completion)
    cluster.clear_requests()
    assert cluster.requests == []


def test_recording_can_be_switched_off() -> None:
    with FakeCluster(record_requests=False) as cluster:
        httpx.get(f"{cluster.rest_address}/status")
        assert cluster.requests == []
        assert cluster.stats.requests == 1


def test_a_tls_client_hello_is_answered_in_plain_http_at_once(cluster: FakeCluster) -> None:
    # A client configured with https:// gets a plain-HTTP 400 it can recognise,
    # not a silent socket that only its handshake timeout ends.
    sock = _connect(cluster)
    sock.sendall(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(32))
    status, _headers, body = _read_response(sock)
    assert status == 400
    assert b"plain HTTP" in body
    sock.close()
