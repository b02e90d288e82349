"""Huge, truncated and non-JSON bodies: typed errors of bounded size (issue 13 item 3).

Nothing a server sends may surface as ``json.JSONDecodeError``, ``KeyError`` or
any exception outside the SDK's hierarchy, and an exception message never
carries more than a few KB of it.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest
from adversarial_support import Caller, call
from fault_server import FaultServer, http_response, raw_bytes

from camunda_orchestration_sdk import (
    ApiError,
    BadRequest,
    CamundaError,
    NotFound,
    ResponseParseError,
    ServerError,
)

HUGE = 20 * 1024 * 1024
MESSAGE_LIMIT = 8 * 1024  # "a few KB"
CONTENT_TYPES = [
    "application/json",
    "application/problem+json",
    "text/html",
    "text/plain",
    "application/octet-stream",
    None,
]
BAD_BODIES = {
    "truncated-json": b'{"brokers": [{"nodeId": 0, "host": "a',
    "html": b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    "text": b"upstream connect error or disconnect/reset before headers",
    "binary": bytes(range(256)),
    "empty": b"",
    "json-array": b"[1, 2, 3]",
    "json-string": b'"RESOURCE_EXHAUSTED"',
    "json-null": b"null",
    "wrong-shape-object": b'{"brokers": "none", "clusterSize": "one"}',
}


def _huge_problem() -> bytes:
    body = json.dumps(
        {"type": "about:blank", "title": "INVALID_ARGUMENT", "status": 400, "detail": "d" * HUGE}
    )
    return http_response(400, body.encode(), content_type="application/problem+json")


def _huge_html() -> bytes:
    return http_response(502, b"<html>" + b"x" * HUGE + b"</html>", content_type="text/html")


HUGE_BODIES = {"json-problem": (_huge_problem, BadRequest), "html": (_huge_html, ServerError)}


def _assert_bounded_and_marked(error: BaseException) -> None:
    message = str(error)
    assert len(message) <= MESSAGE_LIMIT, f"message of {len(message)} characters"
    assert len(repr(error)) <= MESSAGE_LIMIT, f"repr of {len(repr(error))} characters"
    assert "cut" in message.lower() or "truncat" in message.lower(), message[-300:]


@pytest.mark.parametrize("kind", HUGE_BODIES)
def test_a_20mb_error_body_gives_a_message_of_a_few_kb_marked_as_cut(
    fault_server: FaultServer, surface: str, kind: str
) -> None:
    build, status_class = HUGE_BODIES[kind]
    fault_server.set_default(raw_bytes(build()))
    with pytest.raises(status_class) as caught:
        call(surface, fault_server.rest_address, "get_topology", retry=False)
    _assert_bounded_and_marked(caught.value)


@pytest.mark.parametrize("kind", HUGE_BODIES)
def test_reading_a_20mb_error_body_keeps_the_memory_peak_far_below_its_size(
    fault_server: FaultServer, surface: str, kind: str
) -> None:
    build, status_class = HUGE_BODIES[kind]
    response = build()  # allocated before tracing starts: only the client's work is measured
    fault_server.set_default(raw_bytes(response))
    with Caller(surface, fault_server.rest_address) as invoke:
        invoke.settle(0)
        tracemalloc.start()
        try:
            with pytest.raises(status_class):
                invoke("get_topology", retry=False)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < HUGE // 4, f"peak {peak / 1e6:.1f} MB while reading a {HUGE / 1e6:.0f} MB body"


def _assert_parse_error(error: BaseException) -> None:
    assert isinstance(error, ResponseParseError), repr(error)
    assert not isinstance(error, (json.JSONDecodeError, KeyError))
    assert "getTopology" in str(error)
    assert len(str(error)) <= MESSAGE_LIMIT


@pytest.mark.parametrize("content_type", CONTENT_TYPES, ids=lambda c: c or "no-content-type")
@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_malformed_2xx_body_with_any_content_type_is_a_response_parse_error(
    fault_server: FaultServer, body: str, content_type: str | None
) -> None:
    fault_server.set_default(
        raw_bytes(http_response(200, BAD_BODIES[body], content_type=content_type))
    )
    with pytest.raises(CamundaError) as caught:
        call("sync", fault_server.rest_address, "get_topology", retry=False)
    _assert_parse_error(caught.value)


@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_malformed_2xx_body_is_a_response_parse_error_on_every_surface(
    fault_server: FaultServer, surface: str, body: str
) -> None:
    fault_server.set_default(raw_bytes(http_response(200, BAD_BODIES[body])))
    with pytest.raises(CamundaError) as caught:
        call(surface, fault_server.rest_address, "get_topology", retry=False)
    _assert_parse_error(caught.value)


ERROR_CONTENT_TYPES = ["application/json", "application/problem+json", "text/html", None]


@pytest.mark.parametrize("content_type", ERROR_CONTENT_TYPES, ids=lambda c: c or "no-content-type")
@pytest.mark.parametrize("body", BAD_BODIES)
@pytest.mark.parametrize(
    ("status", "status_class"), [(400, BadRequest), (404, NotFound), (503, ServerError)]
)
def test_a_malformed_error_body_still_gives_the_status_class(
    fault_server: FaultServer,
    body: str,
    content_type: str | None,
    status: int,
    status_class: type[ApiError],
) -> None:
    fault_server.set_default(
        raw_bytes(http_response(status, BAD_BODIES[body], content_type=content_type))
    )
    with pytest.raises(status_class) as caught:
        call("sync", fault_server.rest_address, "get_topology", retry=False)
    assert caught.value.status == status
    assert "getTopology" in str(caught.value)
    assert len(str(caught.value)) <= MESSAGE_LIMIT


@pytest.mark.parametrize("body", ["truncated-json", "html", "binary"])
def test_a_malformed_error_body_gives_the_status_class_on_every_surface(
    fault_server: FaultServer, surface: str, body: str
) -> None:
    fault_server.set_default(
        raw_bytes(http_response(503, BAD_BODIES[body], content_type="application/json"))
    )
    with pytest.raises(ServerError) as caught:
        call(surface, fault_server.rest_address, "get_topology", retry=False)
    assert caught.value.status == 503
