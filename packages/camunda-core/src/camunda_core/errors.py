"""The SDK's one exception hierarchy.

Everything the SDK raises on purpose derives from :class:`CamundaError`::

    CamundaError
    ├── ConfigurationError            bad or conflicting configuration
    ├── PluginError                   a plugin failed to load or misbehaved
    ├── AuthenticationError           credentials could not be turned into a token
    ├── ValidationError               a call's arguments do not fit the operation
    ├── ResponseParseError            a success response did not fit its model
    ├── ConsistencyTimeoutError       an eventually consistent wait gave up
    ├── TransportError                no HTTP response was received
    │   ├── TransportTimeoutError
    │   └── TransportConnectionError
    └── ApiError                      the server answered with an error status
        ├── BadRequest (400)  Unauthorized (401)  Forbidden (403)  NotFound (404)
        ├── NotAcceptable (406)  Conflict (409)  PreconditionFailed (412)
        ├── PayloadTooLarge (413)  UnsupportedMediaType (415)
        ├── TooManyRequests (429)         also a BackpressureError
        └── ServerError (5xx)
            ├── InternalServerError (500)  BadGateway (502)
            ├── ServiceUnavailable (503)   GatewayTimeout (504)

``BackpressureError`` is a mix-in: a 429, or a 503/500 whose problem says
``RESOURCE_EXHAUSTED``, is raised as a class that is both its status class and
``BackpressureError``. Generated per-operation classes (see
:mod:`camunda_core.api.errors`) subclass both the operation's base error and
the status class, so ``except NotFound`` and ``except GetProcessInstanceNotFound``
both catch a 404 from ``get_process_instance``.

Foreign exceptions (httpx, json) are mapped to this hierarchy in exactly one
place, :func:`map_transport_error`, and :func:`api_error_from_response`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

__all__ = [
    "CamundaError",
    "ConfigurationError",
    "ConfigurationProblem",
    "PluginError",
    "AuthenticationError",
    "ValidationError",
    "ResponseParseError",
    "ConsistencyTimeoutError",
    "TransportError",
    "TransportTimeoutError",
    "TransportConnectionError",
    "ApiError",
    "BackpressureError",
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "NotAcceptable",
    "Conflict",
    "PreconditionFailed",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "TooManyRequests",
    "ServerError",
    "InternalServerError",
    "BadGateway",
    "ServiceUnavailable",
    "GatewayTimeout",
    "STATUS_CLASSES",
    "status_class_for",
    "is_backpressure",
    "api_error_from_response",
    "map_transport_error",
]

# How much of a non-JSON error body an ApiError keeps (an HTML page from a proxy
# can be large; the start is what helps).
_RAW_BODY_LIMIT = 2000


class CamundaError(Exception):
    """Root of every error the SDK raises on purpose."""


class ConfigurationProblem:
    """One problem with one configuration variable."""

    __slots__ = ("message", "variable")

    def __init__(self, variable: str, message: str) -> None:
        self.variable = variable
        self.message = message

    def __repr__(self) -> str:
        return f"ConfigurationProblem({self.variable!r}, {self.message!r})"

    def __str__(self) -> str:
        return f"{self.variable}: {self.message}"


class ConfigurationError(CamundaError):
    """The configuration is invalid. Lists every bad variable at once."""

    def __init__(self, problems: Sequence[ConfigurationProblem] | str) -> None:
        if isinstance(problems, str):
            problems = [ConfigurationProblem("configuration", problems)]
        self.problems: tuple[ConfigurationProblem, ...] = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"Invalid Camunda configuration ({len(self.problems)} {noun}):\n{lines}")

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(p.variable for p in self.problems)


class PluginError(CamundaError):
    """A plugin could not be loaded, or returned something unusable."""


class AuthenticationError(CamundaError):
    """Credentials could not be exchanged for access (e.g. the token endpoint said no).

    The message names the endpoint and the client id, never a secret.
    """

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class ValidationError(CamundaError, ValueError):
    """Arguments to an operation (or a worker) are invalid; names the operation and field."""


class ResponseParseError(CamundaError):
    """A success response could not be parsed into its model."""

    def __init__(self, message: str, *, operation_id: str | None = None, body: str | None = None) -> None:
        super().__init__(message)
        self.operation_id = operation_id
        self.body = body


class ConsistencyTimeoutError(CamundaError):
    """An eventually consistent wait did not see its condition in time."""

    def __init__(self, message: str, *, operation_id: str, last_result: object = None) -> None:
        super().__init__(message)
        self.operation_id = operation_id
        self.last_result = last_result


class TransportError(CamundaError):
    """No HTTP response was received (connection failure, timeout, protocol error)."""

    def __init__(
        self,
        message: str,
        *,
        operation_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        request_sent: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.operation_id = operation_id
        self.method = method
        self.url = url
        # None when unknown. True means the server may have acted on the request.
        self.request_sent = request_sent


class TransportTimeoutError(TransportError):
    """The request timed out (connect, read, write or pool)."""

    def __init__(self, message: str, *, phase: str = "read", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.phase = phase


class TransportConnectionError(TransportError):
    """The connection could not be made, or broke before a response arrived."""


class ApiError(CamundaError):
    """The server answered with an error status.

    Carries the HTTP status, the RFC 9457 problem fields (``type``, ``title``,
    ``detail``, ``instance``), the operation id, and the raw body text when the
    body was not a JSON problem (an HTML page from a proxy, say).
    """

    status_code: ClassVar[int | None] = None

    def __init__(
        self,
        *,
        status: int,
        operation_id: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        type: str | None = None,
        instance: str | None = None,
        problem: Mapping[str, Any] | None = None,
        raw_body: str | None = None,
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.status = status
        self.operation_id = operation_id
        self.title = title
        self.detail = detail
        self.type = type
        self.instance = instance
        self.problem: Mapping[str, Any] = problem or {}
        self.raw_body = raw_body
        self.headers: Mapping[str, str] = headers or {}
        self.method = method
        self.url = url
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"{self.operation_id}: " if self.operation_id else ""
        parts = [f"{where}HTTP {self.status}"]
        if self.title:
            parts.append(self.title)
        text = self.detail or (_shorten(self.raw_body, 200) if self.raw_body else None)
        if text:
            parts.append(text)
        return " - ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, operation_id={self.operation_id!r}, "
            f"title={self.title!r}, detail={self.detail!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only __init__: rebuild through a helper so errors pickle
        # (they cross process boundaries in the process worker strategy).
        state = {
            "status": self.status,
            "operation_id": self.operation_id,
            "title": self.title,
            "detail": self.detail,
            "type": self.type,
            "instance": self.instance,
            "problem": dict(self.problem),
            "raw_body": self.raw_body,
        }
        return (_rebuild_api_error, (type(self), state))

    @property
    def is_backpressure(self) -> bool:
        return isinstance(self, BackpressureError)


def _rebuild_api_error(cls: type[ApiError], state: dict[str, Any]) -> ApiError:
    return cls(**state)


class BackpressureError(ApiError):
    """The server is shedding load (503/500 ``RESOURCE_EXHAUSTED``, or 429)."""


class BadRequest(ApiError):
    status_code = 400


class Unauthorized(ApiError):
    status_code = 401


class Forbidden(ApiError):
    status_code = 403


class NotFound(ApiError):
    status_code = 404


class NotAcceptable(ApiError):
    status_code = 406


class Conflict(ApiError):
    status_code = 409


class PreconditionFailed(ApiError):
    status_code = 412


class PayloadTooLarge(ApiError):
    status_code = 413


class UnsupportedMediaType(ApiError):
    status_code = 415


class TooManyRequests(BackpressureError):
    status_code = 429


class ServerError(ApiError):
    """Any 5xx."""


class InternalServerError(ServerError):
    status_code = 500


class BadGateway(ServerError):
    status_code = 502


class ServiceUnavailable(ServerError):
    status_code = 503


class GatewayTimeout(ServerError):
    status_code = 504


STATUS_CLASSES: Mapping[int, type[ApiError]] = {
    cls.status_code: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        NotAcceptable,
        Conflict,
        PreconditionFailed,
        PayloadTooLarge,
        UnsupportedMediaType,
        TooManyRequests,
        InternalServerError,
        BadGateway,
        ServiceUnavailable,
        GatewayTimeout,
    )
    if cls.status_code is not None
}


def status_class_for(status: int) -> type[ApiError]:
    """The status class for an HTTP status: exact match, else 5xx → ServerError, else ApiError."""
    cls = STATUS_CLASSES.get(status)
    if cls is not None:
        return cls
    return ServerError if status >= 500 else ApiError


def is_backpressure(status: int, title: str | None, detail: str | None) -> bool:
    """Classify backpressure as the server signals it (see docs/retries.md)."""
    if status == 429:
        return True
    if status == 503 and title == "RESOURCE_EXHAUSTED":
        return True
    # Job activation has been seen answering 500 with RESOURCE_EXHAUSTED in the detail.
    return status in (500, 503) and bool(detail) and "RESOURCE_EXHAUSTED" in (detail or "")


_backpressure_variants: dict[type[ApiError], type[ApiError]] = {}


def _with_backpressure(cls: type[ApiError]) -> type[ApiError]:
    """``cls`` combined with BackpressureError (cached), so both ``except``s catch it."""
    if issubclass(cls, BackpressureError):
        return cls
    variant = _backpressure_variants.get(cls)
    if variant is None:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        variant = type(cls.__name__, (cls, BackpressureError), namespace)  # pyright: ignore[reportGeneralTypeIssues]
        _backpressure_variants[cls] = variant
    return variant


def parse_problem(body: bytes, content_type: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """Return ``(problem, raw_text)``: the JSON object if the body is one, else the text.

    Never raises: empty, truncated, HTML or binary bodies come back as text.
    """
    if not body:
        return None, None
    text = body.decode("utf-8", errors="replace")
    if content_type is None or "json" in content_type or text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return None, _shorten(text, _RAW_BODY_LIMIT)
        if isinstance(parsed, dict):
            return parsed, None  # type: ignore[return-value]
    return None, _shorten(text, _RAW_BODY_LIMIT)


def api_error_from_response(
    *,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    operation_id: str | None = None,
    operation_class: type[ApiError] | None = None,
    method: str | None = None,
    url: str | None = None,
) -> ApiError:
    """Build the typed error for an error response. Pure; never raises.

    ``operation_class`` is the generated per-operation class for this status,
    if the operation documents it; otherwise the status class is used.
    """
    problem, raw = parse_problem(body, headers.get("content-type"))
    title = _str_or_none(problem.get("title")) if problem else None
    detail = _str_or_none(problem.get("detail")) if problem else None
    cls: type[ApiError] = operation_class or status_class_for(status)
    if is_backpressure(status, title, detail):
        cls = _with_backpressure(cls)
    return cls(
        status=status,
        operation_id=operation_id,
        title=title,
        detail=detail,
        type=_str_or_none(problem.get("type")) if problem else None,
        instance=_str_or_none(problem.get("instance")) if problem else None,
        problem=problem,
        raw_body=raw,
        headers=headers,
        method=method,
        url=url,
    )


def map_transport_error(
    exc: Exception,
    *,
    operation_id: str | None = None,
    method: str | None = None,
    url: str | None = None,
) -> TransportError:
    """Map an httpx (or aiohttp-through-httpx) exception to our hierarchy.

    ``request_sent`` tells the retry policy whether a non-idempotent request
    could have reached the server: connect failures and pool timeouts mean it
    did not; a read timeout or a dropped connection after writing means it may have.
    """
    kwargs: dict[str, Any] = {"operation_id": operation_id, "method": method, "url": url}
    name = type(exc).__name__
    message = f"{operation_id or 'request'}: {name}: {exc}" if str(exc) else f"{operation_id or 'request'}: {name}"
    cause = exc.__cause__
    if cause is not None and type(cause).__module__.startswith("aiohttp"):
        # httpx-aiohttp maps every aiohttp.ClientConnectionError (including a
        # server disconnect after the request was written) to ConnectTimeout.
        # Classify from the aiohttp cause instead, or a create could be replayed.
        return _map_aiohttp_cause(cause, message, kwargs)
    if isinstance(exc, httpx.ConnectTimeout):
        return TransportTimeoutError(message, phase="connect", request_sent=False, **kwargs)
    if isinstance(exc, httpx.PoolTimeout):
        return TransportTimeoutError(message, phase="pool", request_sent=False, **kwargs)
    if isinstance(exc, httpx.WriteTimeout):
        return TransportTimeoutError(message, phase="write", request_sent=None, **kwargs)
    if isinstance(exc, httpx.TimeoutException):
        return TransportTimeoutError(message, phase="read", request_sent=True, **kwargs)
    if isinstance(exc, httpx.ConnectError):
        return TransportConnectionError(message, request_sent=False, **kwargs)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return TransportConnectionError(message, request_sent=None, **kwargs)
    return TransportConnectionError(message, request_sent=None, **kwargs)


def _map_aiohttp_cause(cause: BaseException, message: str, kwargs: dict[str, Any]) -> TransportError:
    names = {cls.__name__ for cls in type(cause).__mro__}
    if "ConnectionTimeoutError" in names:
        return TransportTimeoutError(message, phase="connect", request_sent=False, **kwargs)
    if "ClientConnectorError" in names:
        return TransportConnectionError(message, request_sent=False, **kwargs)
    if names & {"SocketTimeoutError", "ServerTimeoutError"}:
        return TransportTimeoutError(message, phase="read", request_sent=True, **kwargs)
    return TransportConnectionError(message, request_sent=None, **kwargs)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _shorten(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[:limit] + "…"
