"""A recording reverse proxy in front of the test kit, and the spec check of what it saw.

The test kit records requests (``cluster.requests``) but not its answers, so each
fidelity run puts this proxy between the official client and the kit: every exchange
(request and response, bytes as sent) is kept, then checked against the 8.9 spec with
the contract tests' openapi-core machinery (``tests/contract``, imported, not copied).
"""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from contract_harness import OpenApiRequest, OpenApiResponse, describe_validation_error

from camunda_testkit import FakeCluster

__all__ = ["Exchange", "RecordingProxy", "check_scenario", "spec_problems"]

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
    "content-length",
    "host",
    "expect",
}


@dataclass(frozen=True)
class Exchange:
    request: httpx.Request
    response: httpx.Response

    def describe(self) -> str:
        body = self.request.content[:300].decode(errors="replace")
        answer = self.response.content[:300].decode(errors="replace")
        return (
            f"{self.request.method} {self.request.url.path} {body!r}\n"
            f"  -> {self.response.status_code} {self.response.headers.get('content-type', '')} {answer!r}"
        )


class RecordingProxy:
    """HTTP/1.1 on 127.0.0.1, one thread per connection, forwarding to ``upstream``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")  # the kit's base URL, without /v2
        self.exchanges: list[Exchange] = []
        self.received: list[tuple[str, str]] = []  # (method, path) as each request arrived
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=60.0)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    chunks: list[bytes] = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("content-length") or 0)
                return self.rfile.read(length) if length else b""

            def _forward(self) -> None:
                if self.headers.get("expect", "").lower() == "100-continue":
                    self.send_response_only(100)
                    self.end_headers()
                body = self._body()
                with proxy._lock:
                    proxy.received.append((self.command, self.path.split("?", 1)[0]))
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
                request = proxy._client.build_request(
                    self.command, proxy.upstream + self.path, headers=headers, content=body
                )
                response = proxy._client.send(request)
                response.read()
                with proxy._lock:
                    proxy.exchanges.append(Exchange(request, response))
                self.send_response(response.status_code)
                for name, value in response.headers.multi_items():
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-encoding":
                        self.send_header(name, value)
                self.send_header("content-length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hangs up (a worker stopping its long poll) is no error

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def rest_address(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v2"

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def snapshot(self) -> list[Exchange]:
        with self._lock:
            return list(self.exchanges)


#: Statuses a scenario may see besides 2xx: none so far. An entry would read
#: ``("POST", "/v2/messages/correlation"): {404}`` with the reason next to it.
DOCUMENTED_NON_2XX: dict[tuple[str, str], set[int]] = {}


def spec_problems(openapi: Any, exchanges: list[Exchange]) -> list[str]:
    """Every exchange that was not a 2xx, or whose request or JSON response fails the spec."""
    problems: list[str] = []
    for exchange in exchanges:
        request, response = exchange.request, exchange.response
        allowed = DOCUMENTED_NON_2XX.get((request.method, request.url.path), set())
        if not response.is_success and response.status_code not in allowed:
            problems.append(f"not a 2xx:\n  {exchange.describe()}")
            continue
        try:
            openapi.validate_request(OpenApiRequest(request))
        except Exception as exc:
            problems.append(f"request fails the spec: {exchange.describe()}\n{describe_validation_error(exc)}")
        # As in the contract tests: 204s and text/xml are not given to openapi-core.
        if response.content and "json" in response.headers.get("content-type", ""):
            try:
                openapi.validate_response(OpenApiRequest(request), OpenApiResponse(response))
            except Exception as exc:
                problems.append(
                    f"response fails the spec: {exchange.describe()}\n{describe_validation_error(exc)}"
                )
    return problems


#: Every client's scenario calls at least these operations.
SCENARIO_OPERATIONS = (
    "createDeployment",
    "createProcessInstance",
    "activateJobs",
    "completeJob",
    "searchProcessInstances",
    "searchElementInstances",
    "publishMessage",
    "correlateMessage",
    "searchUserTasks",
    "assignUserTask",
    "getUserTask",
    "completeUserTask",
)


def check_scenario(result: dict[str, Any], cluster: FakeCluster) -> None:
    """What a client reported for tests/fidelity/order.bpmn, and what the kit holds after it.

    ``result`` is the JSON object a scenario prints (the official clients) or returns
    (our SDK); ``result["_operations"]`` the operation ids the kit received.
    """
    keys = result["instances"]
    assert set(keys) == {"A-1", "B-2"}
    assert result["processDefinitionId"] == "fidelity-order"
    # The worker got each branch's job with that instance's variables.
    assert {t: h["orderId"] for t, h in result["workerHandled"].items()} == {
        "fidelity-high-review": "A-1",
        "fidelity-auto-approve": "B-2",
    }
    assert result["activeSearch"] == sorted(keys.values()) and result["activeTotal"] == 2
    assert result["correlatedInstance"] == keys["B-2"]
    # Each instance's user task: found by candidate group, assigned, completed.
    assert result["userTasks"] == {
        order_id: {
            "name": "Approve shipment",
            "candidateGroups": ["shipping"],
            "assignee": approver,
            "assignedSearch": True,
            "state": "COMPLETED",
        }
        for order_id, approver in (("A-1", "senior-clerk"), ("B-2", "clerk"))
    }
    # Worker output, message variables and user-task variables reached the last task.
    assert result["shipped"] == {
        "A-1": {"paidBy": "publish", "reviewedBy": "fidelity-high-review", "approvedBy": "senior-clerk"},
        "B-2": {"paidBy": "correlate", "reviewedBy": "fidelity-auto-approve", "approvedBy": "clerk"},
    }
    assert result["completedSearch"] == sorted(keys.values())
    path = ["fidelity-order", "start", "amount-check", "{}", "merge", "paid", "approve", "ship", "end"]
    assert result["visited"] == {
        "A-1": [p.replace("{}", "high") for p in path],
        "B-2": [p.replace("{}", "low") for p in path],
    }
    assert [cluster.instance(k).state for k in keys.values()] == ["COMPLETED", "COMPLETED"]
    assert cluster.stats.duplicate_completions == {}
    for key in keys.values():
        variables = cluster.instance(key).variables
        assert variables["approvedBy"] == {"A-1": "senior-clerk", "B-2": "clerk"}[variables["orderId"]]
    for operation in SCENARIO_OPERATIONS:
        assert operation in result["_operations"], operation
