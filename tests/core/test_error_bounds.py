"""Exception messages quote a bounded excerpt of server text; the whole text stays on the error."""

from __future__ import annotations

import asyncio
import json
import pickle
from typing import Any

import core_ops as ops
import httpx
import pytest
from mock_transport import ScriptedTransport

from camunda_core import errors
from camunda_core.errors import (
    MESSAGE_QUOTE_LIMIT,
    api_error_from_response,
    bounded_quote,
    map_transport_error,
)
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.response_handler import (
    error_for_response,
    parse_success,
    structure_response,
)
from camunda_core.runtime.sync_client import SyncClientRuntime

PROBLEM = {"content-type": "application/problem+json"}
# Room for the operation id, status, title and the cut marker around the quote.
MESSAGE_CEILING = MESSAGE_QUOTE_LIMIT + 500


def _problem(status: int, **fields: Any) -> bytes:
    return json.dumps({"type": "about:blank", "status": status, **fields}).encode()


def test_bounded_quote_marks_how_much_was_cut() -> None:
    assert bounded_quote("short") == "short"
    quoted = bounded_quote("x" * 5000, 100)
    assert quoted.startswith("x" * 100) and "4900 more characters cut" in quoted
    assert len(quoted) < 150


def test_a_20_mb_detail_gives_a_bounded_message_and_keeps_the_full_detail() -> None:
    detail = "d" * 20_000_000
    error = api_error_from_response(
        status=400, body=_problem(400, title="INVALID_ARGUMENT", detail=detail), headers=PROBLEM, operation_id="op"
    )
    assert isinstance(error, errors.BadRequest)
    message = str(error)
    assert len(message) < MESSAGE_CEILING
    assert message.startswith("op: HTTP 400 - INVALID_ARGUMENT - ddd")
    assert f"{20_000_000 - MESSAGE_QUOTE_LIMIT} more characters cut" in message
    assert error.detail == detail
    assert len(repr(error)) < MESSAGE_CEILING


def test_a_long_title_is_bounded_too() -> None:
    error = api_error_from_response(status=409, body=_problem(409, title="T" * 100_000), headers=PROBLEM)
    assert len(str(error)) < 500
    assert error.title == "T" * 100_000


def test_a_large_html_body_is_quoted_briefly_and_kept_whole_on_raw_body() -> None:
    body = b"<html>" + b"p" * 500_000 + b"</html>"
    error = api_error_from_response(status=502, body=body, headers={"content-type": "text/html"}, operation_id="op")
    assert isinstance(error, errors.BadGateway)
    assert len(str(error)) < MESSAGE_CEILING and "more characters cut" in str(error)
    assert error.raw_body == body.decode()


def test_a_json_body_cut_off_by_the_reader_still_gives_the_status_class() -> None:
    body = _problem(404, title="NOT_FOUND", detail="x" * 10_000)[:3000]
    error = api_error_from_response(status=404, body=body, headers=PROBLEM, operation_id="op", body_truncated=True)
    assert isinstance(error, errors.NotFound)
    assert error.body_truncated is True
    assert error.raw_body == body.decode()
    assert error.title == "NOT_FOUND"  # survived whole before the cut
    assert "cut off by the reader" in str(error)
    assert len(str(error)) < MESSAGE_CEILING


def test_a_cut_off_backpressure_problem_is_still_backpressure() -> None:
    body = _problem(503, title="RESOURCE_EXHAUSTED", detail="y" * 50_000)[:1000]
    error = api_error_from_response(status=503, body=body, headers=PROBLEM, body_truncated=True)
    assert isinstance(error, errors.ServiceUnavailable) and isinstance(error, errors.BackpressureError)


def test_a_cut_off_body_that_lost_its_title_is_a_plain_status_error() -> None:
    body = b'{"type":"about:blank","title":"RESOURCE_EXHA'
    error = api_error_from_response(status=503, body=body, headers=PROBLEM, body_truncated=True)
    assert type(error) is errors.ServiceUnavailable
    assert error.title is None and error.raw_body == body.decode()


def test_an_untruncated_invalid_body_is_not_salvaged() -> None:
    # Only a body the reader cut is read as the start of a problem.
    body = b'{"title":"RESOURCE_EXHAUSTED", broken'
    error = api_error_from_response(status=503, body=body, headers=PROBLEM)
    assert not isinstance(error, errors.BackpressureError)
    assert error.body_truncated is False


def test_error_for_response_passes_body_truncated_through() -> None:
    error = error_for_response(ops.get_thing, 500, b'{"title":"INTER', PROBLEM, body_truncated=True)
    assert isinstance(error, errors.InternalServerError) and error.body_truncated


@pytest.mark.parametrize(
    ("status", "body", "truncated"),
    [
        (409, _problem(409, title="INVALID_STATE", detail="z" * 10_000), False),
        (503, _problem(503, title="RESOURCE_EXHAUSTED"), False),
        (500, b'{"title":"INTERNAL", "det', True),
    ],
)
def test_errors_pickle_with_their_fields(status: int, body: bytes, truncated: bool) -> None:
    error = api_error_from_response(
        status=status, body=body, headers=PROBLEM, operation_id="op", method="GET", url="http://x/v2", body_truncated=truncated
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy).__name__ == type(error).__name__
    assert isinstance(copy, errors.BackpressureError) == isinstance(error, errors.BackpressureError)
    assert (copy.status, copy.detail, copy.raw_body, copy.body_truncated) == (
        error.status,
        error.detail,
        error.raw_body,
        error.body_truncated,
    )
    assert (copy.method, copy.url) == ("GET", "http://x/v2")
    assert str(copy) == str(error)


# -- success bodies that do not parse -------------------------------------------------------


def test_response_parse_error_quotes_no_unbounded_server_text() -> None:
    content = b"<" + b"n" * 3_000_000
    with pytest.raises(errors.ResponseParseError) as caught:
        parse_success(ops.get_thing, 200, content, {"content-type": "application/json"})
    assert len(str(caught.value)) < MESSAGE_CEILING
    assert caught.value.body == content.decode()


def test_response_parse_error_from_a_model_mismatch_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from camunda_core.serialization import converter

    def failing_structure(data: Any, _type: Any) -> Any:
        # A converter message that repeats a huge server value, nested as cattrs groups them.
        inner = ValueError("bad value " + "v" * 1_000_000)
        raise ExceptionGroupLike("While structuring Small", [inner, inner, inner])

    monkeypatch.setattr(converter, "structure", failing_structure)
    op: Operation[Any] = Operation("getSmall", "GET", "/small", response_kind="model", response_ref="Small")
    op._response_type = object
    with pytest.raises(errors.ResponseParseError) as caught:
        structure_response(op, {"count": 1})
    assert len(str(caught.value)) < MESSAGE_CEILING
    assert "getSmall" in str(caught.value)


class ExceptionGroupLike(Exception):
    """The shape of cattrs' grouped errors (``exceptions``), without 3.11 syntax."""

    def __init__(self, message: str, exceptions: list[Exception]) -> None:
        super().__init__(message)
        self.exceptions = exceptions


def test_transport_error_messages_are_bounded() -> None:
    error = map_transport_error(httpx.RemoteProtocolError("illegal status line: " + "s" * 100_000), operation_id="op")
    assert isinstance(error, errors.TransportConnectionError)
    assert len(str(error)) < MESSAGE_CEILING and "more characters cut" in str(error)


# -- end to end, sync and async ------------------------------------------------------------------


def _huge_problem() -> httpx.Response:
    return httpx.Response(400, content=_problem(400, title="INVALID_ARGUMENT", detail="q" * 20_000_000), headers=PROBLEM)


def test_a_20_mb_detail_raised_by_both_clients_has_a_bounded_message() -> None:
    raised: list[errors.ApiError] = []
    config = {"CAMUNDA_REST_ADDRESS": "http://cluster.test"}
    with SyncClientRuntime(config, plugins=[ScriptedTransport(_huge_problem())], load_entry_points=False, environ={}) as client:
        with pytest.raises(errors.BadRequest) as sync_caught:
            client.runtime.invoke(ops.get_thing, path={"thingKey": "1"})
        raised.append(sync_caught.value)

    async def run() -> None:
        async with AsyncClientRuntime(
            config, plugins=[ScriptedTransport(_huge_problem())], load_entry_points=False, environ={}
        ) as client:
            await client.runtime.ainvoke(ops.get_thing, path={"thingKey": "1"})

    with pytest.raises(errors.BadRequest) as async_caught:
        asyncio.run(run())
    raised.append(async_caught.value)
    for error in raised:
        assert len(str(error)) < MESSAGE_CEILING
        assert error.title == "INVALID_ARGUMENT"
        # The client's reader bounds error bodies: the cut problem keeps its start on raw_body.
        if error.body_truncated:
            assert error.raw_body and len(error.raw_body) < 20_000_000
            assert "cut off by the reader" in str(error)
        else:
            assert error.detail is not None and len(error.detail) == 20_000_000
