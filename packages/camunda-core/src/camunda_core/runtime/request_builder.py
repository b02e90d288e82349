"""Where a request is built: operation + arguments → :class:`PreparedRequest`. Pure, no I/O.

Validation here names the operation and the argument, so a caller's mistake
never surfaces as a KeyError or an obscure server 400.

No wire rule lives here: datetimes, enums, UNSET, query/path value text and JSON encoding
come from :mod:`camunda_core.serialization.wire` and the converter, the same for a model
body, a plain-dict body and a query or path value. What is here is the request's shape:
which parameter goes where, tenant defaulting, and URL safety of path segments.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import attrs

from camunda_core.errors import ApiError, ValidationError
from camunda_core.runtime.multipart import File, to_file
from camunda_core.runtime.operation import Operation, Param
from camunda_core.serialization.validation import RequestValidationError, describe_value
from camunda_core.serialization.validation import validate as validate_model
from camunda_core.serialization.wire import WireValueError, encode_json, scalar_text
from camunda_core.types import UNSET

__all__ = ["PreparedRequest", "build_request", "encode_json", "to_wire"]

JSON_CONTENT_TYPE = "application/json"

#: A tenant list (``Operation.tenant_list_field``) is filled from ``CamundaConfig.job_tenant_ids``
#: (CAMUNDA_TENANT_IDS, else CAMUNDA_TENANT_ID) when the caller gives none and does not ask for
#: its assigned tenants (``tenantFilter: ASSIGNED``).
_TENANT_FILTER_FIELD, _ASSIGNED_TENANTS = "tenantFilter", "ASSIGNED"


@attrs.frozen(kw_only=True)
class PreparedRequest:
    """Everything needed to send one operation call, independent of sync/async."""

    operation: Operation[Any]
    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict[str, str])
    #: Multipart parts: (field, (filename or None, bytes, content type)).
    files: tuple[tuple[str, tuple[str | None, bytes, str]], ...] = ()
    #: The JSON body as sent (after tenant defaulting), for long-poll timeouts and paging.
    json_body: Any = None


def to_wire(value: Any) -> Any:
    """A body (a model, or plain data holding models) as JSON-ready data (``unstructure``).

    ``UNSET`` itself stays ``UNSET`` (no body); inside dicts it is left out. A value that cannot
    be sent raises :class:`~camunda_core.serialization.wire.WireValueError` (a ``ValidationError``)
    naming where it is, e.g. ``data['filter']['startDate']``.
    """
    try:
        return _unstructure(value)
    except WireValueError as exc:
        raise exc.within("data") from None


def _unstructure(value: Any) -> Any:
    if value is UNSET:
        return UNSET
    from camunda_core.serialization.converter import unstructure

    return unstructure(value)


def build_request(
    op: Operation[Any],
    *,
    path: Mapping[str, object] | None = None,
    query: Mapping[str, object] | None = None,
    body: object = UNSET,
    multipart: Mapping[str, object] | None = None,
    default_tenant_id: str | None = None,
    default_tenant_ids: Sequence[str] | None = None,
) -> PreparedRequest:
    url_path = _render_path(op, path or {})
    params = _render_query(op, query or {})
    headers: dict[str, str] = {"Accept": op.accept} if op.accept else {}
    content: bytes | None = None
    files: tuple[tuple[str, tuple[str | None, bytes, str]], ...] = ()
    json_body: Any = None

    if op.body_kind == "json":
        json_body = _json_body(op, body, default_tenant_id)
        if default_tenant_ids and op.tenant_list_field:
            json_body = _with_tenant_list(op.tenant_list_field, json_body, default_tenant_ids)
        if json_body is not UNSET:
            content = _encode_body(op, json_body)
            headers["Content-Type"] = JSON_CONTENT_TYPE
        else:
            json_body = None
    elif op.body_kind == "multipart":
        files = _multipart_parts(op, multipart or {}, default_tenant_id)
    elif body is not UNSET and body is not None:
        raise ValidationError(f"{op.operation_id}: this operation takes no request body, but data= was given")
    return PreparedRequest(
        operation=op,
        method=op.method,
        path=url_path,
        params=params,
        content=content,
        headers=headers,
        files=files,
        json_body=json_body,
    )


def _render_path(op: Operation[Any], values: Mapping[str, object]) -> str:
    if not op.path_params:
        return op.path
    rendered = op.path
    for param in op.path_params:
        value = values.get(param.wire_name, UNSET)
        if value is UNSET or value is None:
            raise ValidationError(
                f"{op.operation_id}: path parameter {param.python_name!r} is required and must be a non-empty string"
            )
        rendered = rendered.replace("{" + param.wire_name + "}", _path_segment(op, param, value))
    return rendered


#: Values that, even percent-encoded, would leave the operation's path: an empty
#: segment is dropped or merged by servers, and transports (httpx, yarl) resolve dot
#: segments, decoding ``%2E`` first.
_FORBIDDEN_SEGMENTS = frozenset({"", ".", ".."})


def _path_segment(op: Operation[Any], param: Param, value: object) -> str:
    """``value`` as exactly one path segment: everything outside A-Z a-z 0-9 - . _ ~ encoded."""
    try:
        text = scalar_text(value)
    except WireValueError as exc:
        raise _bad_parameter(op, "path", param, exc) from None
    if text in _FORBIDDEN_SEGMENTS:
        shown = "empty" if not text else repr(text)
        raise ValidationError(
            f"{op.operation_id}: path parameter {param.python_name!r} must not be {shown}: "
            "it would change which resource the request addresses"
        )
    try:
        # With safe="" quote() leaves exactly the RFC 3986 unreserved set as is.
        return quote(text, safe="")
    except UnicodeEncodeError:
        # A lone surrogate has no UTF-8 form; never echo the value itself.
        raise ValidationError(
            f"{op.operation_id}: path parameter {param.python_name!r} is not valid Unicode text"
        ) from None


def _render_query(op: Operation[Any], values: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for param in op.query_params:
        value = values.get(param.wire_name, UNSET)
        if value is UNSET or value is None:
            if param.required:
                raise ValidationError(f"{op.operation_id}: query parameter {param.python_name!r} is required")
            continue
        try:
            pairs.append((param.wire_name, scalar_text(value)))
        except WireValueError as exc:
            raise _bad_parameter(op, "query", param, exc) from None
    return tuple(pairs)


def _bad_parameter(op: Operation[Any], kind: str, param: Param, exc: WireValueError) -> ValidationError:
    """A path or query value the wire rules (``serialization.wire.scalar_text``) refuse."""
    return ValidationError(f"{op.operation_id}: {kind} parameter {param.python_name!r}: {exc.problem}")


def _json_body(op: Operation[Any], body: object, default_tenant_id: str | None) -> Any:
    if body is UNSET or body is None:
        if op.body_required:
            raise ValidationError(f"{op.operation_id}: a request body (data=...) is required")
        if op.tenant_field and default_tenant_id:
            return {op.tenant_field: default_tenant_id}
        return UNSET
    _check_body_type(op, body)
    if isinstance(body, dict):
        # Plain JSON from the caller: encode_json converts any model inside it.
        data = typing.cast("dict[str, Any]", body)
        if op.tenant_field and default_tenant_id and op.tenant_field not in data:
            return {**data, op.tenant_field: default_tenant_id}
        return data
    try:
        wire: Any = _unstructure(body)
    except WireValueError as exc:
        raise _unsendable(op, "data", body, exc) from None
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(f"{op.operation_id}: could not serialise data ({type(exc).__name__}: {exc})") from exc
    if op.tenant_field and default_tenant_id and isinstance(wire, dict):
        data = typing.cast("dict[str, Any]", wire)
        if op.tenant_field not in data:
            return {**data, op.tenant_field: default_tenant_id}
    return typing.cast("Any", wire)


def _with_tenant_list(field: str, json_body: Any, tenant_ids: Sequence[str]) -> Any:
    if not isinstance(json_body, dict):
        return json_body
    data = typing.cast("dict[str, Any]", json_body)
    if data.get(field) is not None or data.get(_TENANT_FILTER_FIELD) == _ASSIGNED_TENANTS:
        return data
    return {**data, field: list(tenant_ids)}


def _check_body_type(op: Operation[Any], body: object) -> None:
    """Reject a body of the wrong type early, naming what was expected; check a model's fields."""
    if op.body_ref is None:
        return  # an untyped JSON body: whatever JSON the caller gives
    is_model = attrs.has(type(body))
    if not is_model and isinstance(body, dict):
        return  # the caller's raw JSON, sent as it is
    allowed = _allowed_body_types(op)
    if not is_model or (allowed and not isinstance(body, allowed)):
        names = " | ".join(t.__name__ for t in allowed) or op.body_ref.rpartition(":")[2]
        raw = "" if is_model else " (or a dict of its JSON)"
        raise ValidationError(f"{op.operation_id}: data must be {names}{raw}, got {describe_value(body)}")
    try:
        validate_model(body, operation_id=op.operation_id)
    except RequestValidationError as error:
        raise _as_bad_request(op, error) from None


#: The operation's documented 400 class -> that class combined with RequestValidationError.
_bad_request_variants: dict[type[ApiError], type[RequestValidationError]] = {}


def _as_bad_request(op: Operation[Any], error: RequestValidationError) -> RequestValidationError:
    """The validation error as the 400 the server would have answered, when the operation has one.

    Code that catches the server's rejection (``except CreateProcessInstanceBadRequest``,
    ``except BadRequest``) then also catches the same mistake found before sending; the
    error is still a ``ValidationError``, with ``status`` 400 and nothing sent.
    """
    cls400 = op.error_class(400)
    if cls400 is None or not issubclass(cls400, ApiError):
        return error
    return _new_bad_request(cls400, list(error.problems), error.model, error.operation_id)


def _new_bad_request(
    cls400: type[ApiError], problems: list[str], model: str, operation_id: str | None
) -> RequestValidationError:
    variant = _bad_request_variants.get(cls400)
    if variant is None:
        namespace = {
            "__module__": cls400.__module__,
            "__qualname__": cls400.__qualname__,
            "__init__": _bad_request_init,
            "__reduce__": _bad_request_reduce,
            "_client_side_of": cls400,
        }
        variant = type(cls400.__name__, (RequestValidationError, cls400), namespace)
        _bad_request_variants[cls400] = variant
    combined = variant.__new__(variant)
    _bad_request_init(combined, problems, model=model, operation_id=operation_id)
    return combined


def _bad_request_init(self: Any, problems: list[str], *, model: str, operation_id: str | None = None) -> None:
    # Both parents' __init__ are bypassed: ApiError's wants a response. Set both sides' fields.
    plain = RequestValidationError(problems, model=model, operation_id=None)
    # Worded like the server's 400 (``op: HTTP 400 - ...``), saying nothing was sent.
    where = f"{operation_id}: " if operation_id else ""
    Exception.__init__(self, f"{where}HTTP 400 (found before sending, nothing sent) - {plain}")
    self.problems, self.model, self.operation_id = plain.problems, model, operation_id
    self.status, self.title, self.detail = 400, "INVALID_ARGUMENT", str(plain)
    self.type = self.instance = self.raw_body = self.method = self.url = None
    self.problem, self.headers, self.body_truncated = {}, {}, False


def _bad_request_reduce(self: Any) -> tuple[Any, ...]:
    # The variant class is made at run time; pickle names the generated class it extends.
    return (_new_bad_request, (self._client_side_of, list(self.problems), self.model, self.operation_id))


#: Operation -> the model classes its JSON body may be (a model, or the branches of a union).
_body_types: dict[Operation[Any], tuple[type, ...]] = {}


def _allowed_body_types(op: Operation[Any]) -> tuple[type, ...]:
    allowed = _body_types.get(op)
    if allowed is None:
        expected = op.body_type
        allowed = tuple(t for t in typing.get_args(expected) if isinstance(t, type)) or (
            (expected,) if isinstance(expected, type) else ()
        )
        _body_types[op] = allowed
    return allowed


def _encode_body(op: Operation[Any], data: Any) -> bytes:
    try:
        return encode_json(data)
    except WireValueError as exc:
        raise _unsendable(op, "data", data, exc) from None
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{op.operation_id}: the request body is not JSON-serialisable: {exc}") from exc


def _unsendable(op: Operation[Any], where: str, value: object, exc: WireValueError) -> RequestValidationError:
    """A value the wire rules refuse (a naive datetime, UNSET in a list), named by its path.

    Like a model that fails validation, it is the operation's documented 400 class when it has one.
    """
    problem = f"{where}{exc.path}: {exc.problem}"
    return _as_bad_request(
        op, RequestValidationError([problem], model=type(value).__name__, operation_id=op.operation_id)
    )


def _multipart_parts(
    op: Operation[Any], fields: Mapping[str, object], default_tenant_id: str | None
) -> tuple[tuple[str, tuple[str | None, bytes, str]], ...]:
    parts: list[tuple[str, tuple[str | None, bytes, str]]] = []
    values = dict(fields)
    if op.tenant_field and default_tenant_id and values.get(op.tenant_field, UNSET) is UNSET:
        values[op.tenant_field] = default_tenant_id
    for name, value in values.items():
        if value is UNSET or value is None:
            continue
        if name in op.file_fields or _is_file_like(value):
            items: Sequence[Any] = typing.cast("Sequence[Any]", value) if isinstance(value, (list, tuple)) else [value]
            if not items:
                raise ValidationError(f"{op.operation_id}: {name!r} needs at least one file")
            for item in items:
                parts.append((name, _file_part(op, name, item)))
        elif isinstance(value, str):
            parts.append((name, (None, value.encode("utf-8"), "text/plain; charset=utf-8")))
        else:
            parts.append((name, (None, _encode_part(op, name, value), JSON_CONTENT_TYPE)))
    return tuple(parts)


def _encode_part(op: Operation[Any], name: str, value: object) -> bytes:
    try:
        return encode_json(value)
    except WireValueError as exc:
        raise _unsendable(op, name, value, exc) from None
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{op.operation_id}: multipart field {name!r} is not JSON-serialisable: {exc}") from exc


def _is_file_like(value: object) -> bool:
    if isinstance(value, (File, bytes)) or hasattr(value, "__fspath__"):
        return True
    if isinstance(value, (list, tuple)):
        items = typing.cast("Sequence[object]", value)
        return bool(items) and all(isinstance(v, (File, bytes, str)) or hasattr(v, "__fspath__") for v in items)
    return False


def _file_part(op: Operation[Any], name: str, item: Any) -> tuple[str | None, bytes, str]:
    try:
        file = to_file(item, default_name=name)
    except OSError as exc:
        raise ValidationError(f"{op.operation_id}: cannot read file for {name!r}: {exc}") from exc
    content = file.content if isinstance(file.content, bytes) else file.content.read()
    return (file.filename, content, file.content_type)
