"""Where a response is read: status + body → result, or a typed error. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from camunda_core.errors import ApiError, ResponseParseError, api_error_from_response, bounded_quote
from camunda_core.runtime.operation import Operation
from camunda_core.serialization.wire import decode_json

__all__ = ["parse_success", "error_for_response"]


def parse_success(op: Operation[Any], status: int, content: bytes, headers: Mapping[str, str]) -> Any:
    """The typed result of a 2xx response (headers are read only to explain a failure)."""
    kind = op.response_kind
    if kind == "none" or status == 204 or (not content and kind != "bytes"):
        if kind == "model" and status != 204 and op.response_ref is not None:
            raise ResponseParseError(
                f"{op.operation_id}: HTTP {status} with an empty body, expected a JSON object",
                operation_id=op.operation_id,
            )
        return None if kind != "text" or status == 204 else ""
    if kind == "bytes":
        return content
    if kind == "text":
        return content.decode("utf-8", errors="replace")
    try:
        data = decode_json(content)
    except ValueError as exc:
        raise ResponseParseError(
            f"{op.operation_id}: HTTP {status} body is not valid JSON ({exc.__class__.__name__} at "
            f"position {getattr(exc, 'pos', '?')}; content type {headers.get('content-type') or 'unknown'})",
            operation_id=op.operation_id,
            body=content.decode("utf-8", errors="replace"),
        ) from None
    if kind == "json" or op.response_ref is None:
        return data
    if data is None:
        # JSON null where the operation documents a model: the server (or a proxy) broke the contract.
        raise ResponseParseError(
            f"{op.operation_id}: HTTP {status} body is JSON null, expected a JSON object",
            operation_id=op.operation_id,
        )
    return structure_response(op, data)


def structure_response(op: Operation[Any], data: Any) -> Any:
    from camunda_core.serialization.converter import structure

    try:
        return structure(data, op.response_type)
    except Exception as exc:
        raise ResponseParseError(
            f"{op.operation_id}: the response does not fit {getattr(op.response_type, '__name__', op.response_ref)}: "
            f"{_describe(exc)}",
            operation_id=op.operation_id,
        ) from exc


def _describe(exc: BaseException, depth: int = 0) -> str:
    # cattrs groups nested failures; show the innermost messages briefly. They
    # can repeat server values, so each piece is bounded before joining.
    notes = getattr(exc, "__notes__", None)
    text = f"{type(exc).__name__}: {bounded_quote(str(exc), 300)}"
    if notes:
        text += " (" + "; ".join(bounded_quote(str(n), 300) for n in notes[:3]) + ")"
    sub = getattr(exc, "exceptions", None)
    if sub and depth < 4:
        text += " <- " + "; ".join(_describe(e, depth + 1) for e in list(sub)[:3])
    return bounded_quote(text, 1000)


def error_for_response(
    op: Operation[Any],
    status: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    url: str | None = None,
    body_truncated: bool = False,
) -> ApiError:
    """The typed ApiError for a non-2xx response (per-operation class when documented).

    ``body_truncated``: the reader stopped before the end of the body.
    """
    operation_class = op.error_class(status)
    return api_error_from_response(
        status=status,
        body=content,
        headers=headers,
        operation_id=op.operation_id,
        operation_class=operation_class if operation_class is not None and issubclass(operation_class, ApiError) else None,
        method=op.method,
        url=url,
        body_truncated=body_truncated,
    )
