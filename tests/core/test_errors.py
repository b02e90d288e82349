from __future__ import annotations

import pickle

import httpx
import pytest

from camunda_core import errors
from camunda_core.errors import (
    ApiError,
    BackpressureError,
    InternalServerError,
    ServiceUnavailable,
    TooManyRequests,
    api_error_from_response,
    map_transport_error,
)


def _error(status: int, body: bytes, content_type: str = "application/problem+json") -> ApiError:
    return api_error_from_response(status=status, body=body, headers={"content-type": content_type}, operation_id="op")


def test_problem_fields_are_parsed() -> None:
    error = _error(404, b'{"type":"about:blank","title":"NOT_FOUND","status":404,"detail":"no such key","instance":"/x"}')
    assert isinstance(error, errors.NotFound)
    assert (error.status, error.title, error.detail, error.instance) == (404, "NOT_FOUND", "no such key", "/x")
    assert "op: HTTP 404 - NOT_FOUND - no such key" in str(error)


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body>502 Bad Gateway</body></html>", b'{"title": "trunc', b"\xff\xfe\x00garbage", b"[1,2]"],
)
def test_non_json_bodies_still_give_typed_errors(body: bytes) -> None:
    error = _error(503, body, "text/html")
    assert isinstance(error, ServiceUnavailable)
    assert not isinstance(error, BackpressureError)
    if body and body != b"[1,2]":
        assert error.raw_body


def test_backpressure_classification() -> None:
    busy = _error(503, b'{"title":"RESOURCE_EXHAUSTED","status":503}')
    assert isinstance(busy, ServiceUnavailable) and isinstance(busy, BackpressureError)
    unavailable = _error(503, b'{"title":"UNAVAILABLE","status":503}')
    assert not isinstance(unavailable, BackpressureError)
    activation = _error(500, b'{"title":"INTERNAL","detail":"RESOURCE_EXHAUSTED: queue full"}')
    assert isinstance(activation, InternalServerError) and isinstance(activation, BackpressureError)
    old = _error(429, b"")
    assert isinstance(old, TooManyRequests) and isinstance(old, BackpressureError)


def test_errors_pickle_round_trip() -> None:
    error = _error(409, b'{"title":"INVALID_STATE","detail":"d"}')
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and copy.detail == "d"


def test_transport_errors_know_whether_the_request_was_sent() -> None:
    request = httpx.Request("POST", "http://x")
    assert map_transport_error(httpx.ConnectError("refused", request=request)).request_sent is False
    assert map_transport_error(httpx.ConnectTimeout("slow", request=request)).request_sent is False
    assert map_transport_error(httpx.ReadTimeout("slow", request=request)).request_sent is True
    assert map_transport_error(httpx.RemoteProtocolError("reset", request=request)).request_sent is None
    assert isinstance(map_transport_error(httpx.ReadTimeout("slow")), errors.TransportTimeoutError)


def test_aiohttp_disconnect_mapped_through_httpx_aiohttp_is_not_a_connect_failure() -> None:
    import aiohttp

    wrapped = httpx.ConnectTimeout("Server disconnected")
    wrapped.__cause__ = aiohttp.ServerDisconnectedError()
    mapped = map_transport_error(wrapped)
    assert isinstance(mapped, errors.TransportConnectionError)
    assert mapped.request_sent is None


# --------------------------------------------------------------------------- Retry-After on ApiError


def _busy_503(headers: dict[str, str] | httpx.Headers) -> ApiError:
    return api_error_from_response(
        status=503,
        body=b'{"title":"RESOURCE_EXHAUSTED","status":503}',
        headers=headers,
        operation_id="activateJobs",
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "application/problem+json", "retry-after": "2"},
        {"content-type": "application/problem+json", "Retry-After": "2"},
        httpx.Headers({"Content-Type": "application/problem+json", "RETRY-AFTER": " 2 "}),
    ],
)
def test_retry_after_header_is_carried_on_the_error(headers: dict[str, str] | httpx.Headers) -> None:
    error = _busy_503(headers)
    assert isinstance(error, ServiceUnavailable) and isinstance(error, BackpressureError)
    assert error.retry_after == 2.0
    # Not part of the message.
    assert "2.0" not in str(error) and "Retry" not in str(error)


def test_retry_after_survives_pickling() -> None:
    error = _busy_503({"content-type": "application/problem+json", "retry-after": "2"})
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert copy.retry_after == 2.0
    assert str(copy) == str(error)


@pytest.mark.parametrize("value", [None, "", "soon", "-3"])
def test_missing_or_invalid_retry_after_is_none(value: str | None) -> None:
    headers = {"content-type": "application/problem+json"}
    if value is not None:
        headers["retry-after"] = value
    assert _busy_503(headers).retry_after is None


def test_retry_after_is_capped_and_settable_by_keyword() -> None:
    assert _busy_503({"retry-after": "100000"}).retry_after == 300.0
    assert ApiError(status=429, retry_after=1.5).retry_after == 1.5
    assert ApiError(status=429).retry_after is None
