"""The SDK's one exception hierarchy.

Everything the SDK raises on purpose derives from :class:`CamundaError`::

    CamundaError
    ├── ConfigurationError            bad or conflicting configuration
    ├── PluginError                   a plugin failed to load or misbehaved
    ├── AuthenticationError           credentials could not be turned into a token
    ├── ValidationError               a call's arguments do not fit the operation
    ├── ResponseParseError            a success response did not fit its model
    ├── ConsistencyTimeoutError       an eventually consistent wait gave up
    ├── RequestConstructionError      the HTTP stack refused a request we built; nothing was sent
    ├── TransportError                no HTTP response was received
    │   ├── TransportTimeoutError
    │   └── TransportConnectionError
    │       └── TlsError              TLS could not be set up (final, never retried)
    │           └── TlsVerificationError   the server's certificate was not trusted
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

Foreign exceptions (httpx, aiohttp, h11, json) are mapped to this hierarchy in
exactly one place, :func:`map_transport_error`, and :func:`api_error_from_response`.

Messages quote at most :data:`MESSAGE_QUOTE_LIMIT` characters of anything a
server sent, marked as cut; the full text stays on the error's attributes.
"""

from __future__ import annotations

import errno
import json
import re
import socket
import ssl
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from camunda_core.retry.retry_after import retry_after_from_headers

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
    "TlsError",
    "TlsVerificationError",
    "RequestConstructionError",
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
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "PreconditionFailedError",
    "PayloadTooLargeError",
    "UnsupportedMediaTypeError",
    "TooManyRequestsError",
    "InternalServerErrorError",
    "BadGatewayError",
    "ServiceUnavailableError",
    "GatewayTimeoutError",
    "STATUS_CLASSES",
    "status_class_for",
    "is_backpressure",
    "api_error_from_response",
    "map_transport_error",
    "plain_http_server_error",
    "transport_message",
    "address_sentence",
    "format_seconds",
    "shown_url",
    "MESSAGE_QUOTE_LIMIT",
    "bounded_quote",
]

#: The most characters of server-sent text (a problem detail, a body) that an
#: exception message quotes. A 20 MB detail must not become a 20 MB message.
MESSAGE_QUOTE_LIMIT = 2000
# Titles are short codes; a long one is not a title worth quoting in full.
_TITLE_QUOTE_LIMIT = 200


def bounded_quote(text: str, limit: int = MESSAGE_QUOTE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters cut]"


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


class ConfigurationError(CamundaError, ValueError):
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
        # The message may quote what the server sent; ``body`` keeps it whole.
        super().__init__(bounded_quote(message))
        self.operation_id = operation_id
        self.body = body


class ConsistencyTimeoutError(CamundaError):
    """An eventually consistent wait did not see its condition in time.

    ``last_result`` is the last result received (None if every poll failed as
    not yet visible), ``last_state`` a short text of the last thing seen (a
    result or a not-yet-visible error), ``elapsed_seconds`` the time measured
    from the first poll to giving up, ``polls`` the calls made and ``timeout``
    the wait's timeout.
    """

    def __init__(
        self,
        message: str,
        *,
        operation_id: str,
        last_result: object = None,
        last_state: str | None = None,
        elapsed_seconds: float | None = None,
        polls: int | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__(message)
        self.operation_id = operation_id
        self.last_result = last_result
        self.last_state = last_state
        self.elapsed_seconds = elapsed_seconds
        self.polls = polls
        self.timeout = timeout

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only __init__: rebuild from the message and attributes, so the
        # error crosses process boundaries (the process worker strategy).
        return (_rebuild_with_state, (type(self), str(self), dict(self.__dict__)))


def _rebuild_with_state(cls: type[CamundaError], message: str, state: dict[str, Any]) -> CamundaError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class TransportError(CamundaError):
    """No HTTP response was received (connection failure, timeout, protocol error).

    Says where: ``operation_id``, ``method``, ``url`` (without credentials or
    query), ``attempt`` of ``max_attempts``, ``elapsed_seconds`` since the call
    began, and ``address_variable``, the setting the REST address came from
    (``"CAMUNDA_REST_ADDRESS"``, ``"ZEEBE_REST_ADDRESS"``,
    ``"configuration['CAMUNDA_REST_ADDRESS']"``, ``"... in <.env path>"`` or
    ``"default"``). Each is None when not known.
    """

    def __init__(
        self,
        message: str,
        *,
        operation_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        request_sent: bool | None = None,
        attempt: int | None = None,
        max_attempts: int | None = None,
        elapsed_seconds: float | None = None,
        address_variable: str | None = None,
    ) -> None:
        super().__init__(bounded_quote(message))
        self.operation_id = operation_id
        self.method = method
        self.url = url
        # None when unknown. True means the server may have acted on the request.
        self.request_sent = request_sent
        self.attempt = attempt
        self.max_attempts = max_attempts
        self.elapsed_seconds = elapsed_seconds
        self.address_variable = address_variable

    #: False when another attempt cannot succeed (the retry policy treats it as fatal).
    retryable: ClassVar[bool] = True


class TransportTimeoutError(TransportError):
    """The request timed out (connect, read, write or pool)."""

    def __init__(self, message: str, *, phase: str = "read", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.phase = phase


class TransportConnectionError(TransportError):
    """The connection could not be made, or broke before a response arrived."""


class TlsError(TransportConnectionError):
    """TLS could not be set up with the server (for example it does not speak TLS).

    A configuration problem, not a transient fault: never retried.
    """

    retryable: ClassVar[bool] = False


class TlsVerificationError(TlsError):
    """The server's certificate was not trusted (unknown CA, wrong host name, expired)."""


class RequestConstructionError(CamundaError):
    """The HTTP stack refused a request the SDK built, before sending it.

    An invalid URL (too long, say) or an invalid header value (a token with a
    line break, returned by an auth plugin). Nothing reached the server, so it
    is never retried. Names the operation and, when known, the header, never
    the header's value.
    """

    def __init__(
        self,
        message: str,
        *,
        operation_id: str | None = None,
        method: str | None = None,
        header: str | None = None,
        cause_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.operation_id = operation_id
        self.method = method
        self.header = header
        self.cause_type = cause_type


class ApiError(CamundaError):
    """The server answered with an error status.

    Carries the HTTP status, the RFC 9457 problem fields (``type``, ``title``,
    ``detail``, ``instance``), the operation id, and the raw body text when the
    body was not a JSON problem (an HTML page from a proxy, say).

    ``retry_after`` is the wait the response's ``Retry-After`` header asked for,
    in seconds (capped at 300), or None; the retry policy honours it.
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
        body_truncated: bool = False,
        retry_after: float | None = None,
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
        # True when the reader stopped before the end of the body: ``raw_body``
        # (or the problem) holds only its start.
        self.body_truncated = body_truncated
        #: Seconds from the response's Retry-After header, or None. Not part of the message.
        self.retry_after = retry_after
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"{self.operation_id}: " if self.operation_id else ""
        parts = [f"{where}HTTP {self.status}"]
        if self.title:
            parts.append(bounded_quote(self.title, _TITLE_QUOTE_LIMIT))
        text = self.detail or self.raw_body
        if text:
            parts.append(bounded_quote(text))
        message = " - ".join(parts)
        if self.body_truncated:
            message += " (body cut off by the reader)"
        if self.status == 400 and text and _asks_for_tls(self.url, text):
            message += ". The server expects TLS: use an https:// address"
        return message

    def __repr__(self) -> str:
        title = bounded_quote(self.title, _TITLE_QUOTE_LIMIT) if self.title is not None else None
        detail = bounded_quote(self.detail) if self.detail is not None else None
        return (
            f"{type(self).__name__}(status={self.status}, operation_id={self.operation_id!r}, "
            f"title={title!r}, detail={detail!r})"
        )

    @property
    def content(self) -> bytes:
        """The response body as bytes, as the official SDK's ``ApiError.content`` offers it.

        ``raw_body`` encoded, or the problem re-encoded as JSON when the body was one;
        ``b""`` for an empty body.
        """
        if self.raw_body is not None:
            return self.raw_body.encode("utf-8")
        if self.problem:
            return json.dumps(dict(self.problem), separators=(",", ":")).encode("utf-8")
        return b""

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
            "headers": dict(self.headers),
            "method": self.method,
            "url": self.url,
            "body_truncated": self.body_truncated,
            "retry_after": self.retry_after,
        }
        cls = type(self)
        # A backpressure variant is made at run time and cannot be found by
        # name: pickle its status class and rebuild the variant on load.
        base = _backpressure_bases.get(cls)
        if base is not None:
            return (_rebuild_api_error, (base, state, True))
        return (_rebuild_api_error, (cls, state))

    @property
    def is_backpressure(self) -> bool:
        return isinstance(self, BackpressureError)


# What TLS servers answer to plain HTTP on their port (Tomcat, nginx, Go's net/http).
_TLS_REQUIRED_TEXTS = (
    "requires tls",
    "plain http request was sent to https port",
    "http request to an https server",
)


def _asks_for_tls(url: str | None, text: str) -> bool:
    if url is None or not url.startswith("http://"):
        return False
    start = text[:500].lower()
    return any(fragment in start for fragment in _TLS_REQUIRED_TEXTS)


def _rebuild_api_error(cls: type[ApiError], state: dict[str, Any], backpressure: bool = False) -> ApiError:
    return (_with_backpressure(cls) if backpressure else cls)(**state)


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

# The official SDK's names for the status classes, so ``except NotFoundError`` in code
# written for it keeps working: the same classes, not look-alikes.
BadRequestError = BadRequest
UnauthorizedError = Unauthorized
ForbiddenError = Forbidden
NotFoundError = NotFound
ConflictError = Conflict
PreconditionFailedError = PreconditionFailed
PayloadTooLargeError = PayloadTooLarge
UnsupportedMediaTypeError = UnsupportedMediaType
TooManyRequestsError = TooManyRequests
InternalServerErrorError = InternalServerError
BadGatewayError = BadGateway
ServiceUnavailableError = ServiceUnavailable
GatewayTimeoutError = GatewayTimeout


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
_backpressure_bases: dict[type[ApiError], type[ApiError]] = {}


def _with_backpressure(cls: type[ApiError]) -> type[ApiError]:
    """``cls`` combined with BackpressureError (cached), so both ``except``s catch it."""
    if issubclass(cls, BackpressureError):
        return cls
    variant = _backpressure_variants.get(cls)
    if variant is None:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        variant = type(cls.__name__, (cls, BackpressureError), namespace)  # pyright: ignore[reportGeneralTypeIssues]
        _backpressure_variants[cls] = variant
        _backpressure_bases[variant] = cls
    return variant


def parse_problem(body: bytes, content_type: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """Return ``(problem, raw_text)``: the JSON object if the body is one, else the text.

    Never raises: empty, truncated, HTML or binary bodies come back as text
    (whole; messages quote only its start).
    """
    if not body:
        return None, None
    text = body.decode("utf-8", errors="replace")
    if content_type is None or "json" in content_type or text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return None, text
        if isinstance(parsed, dict):
            return parsed, None  # type: ignore[return-value]
    return None, text


# A complete JSON string member near the start of a cut-off problem body.
_JSON_STRING_MEMBER = r'"{name}"\s*:\s*("(?:[^"\\]|\\.)*")'


def _salvage_member(text: str, name: str) -> str | None:
    """The string member ``name`` of a JSON object whose end was cut off, if it survived whole."""
    match = re.search(_JSON_STRING_MEMBER.format(name=name), text[:MESSAGE_QUOTE_LIMIT * 4])
    if match is None:
        return None
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def api_error_from_response(
    *,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    operation_id: str | None = None,
    operation_class: type[ApiError] | None = None,
    method: str | None = None,
    url: str | None = None,
    body_truncated: bool = False,
) -> ApiError:
    """Build the typed error for an error response. Pure; never raises.

    ``operation_class`` is the generated per-operation class for this status,
    if the operation documents it; otherwise the status class is used.
    ``body_truncated`` says the reader stopped before the end of the body; a
    cut problem that no longer parses still gives the status class, and a
    ``title`` that survived whole still classifies backpressure. A
    ``Retry-After`` header becomes ``retry_after`` (seconds).
    """
    problem, raw = parse_problem(body, headers.get("content-type"))
    title = _str_or_none(problem.get("title")) if problem else None
    detail = _str_or_none(problem.get("detail")) if problem else None
    if problem is None and body_truncated and raw is not None and raw.lstrip().startswith("{"):
        title = _salvage_member(raw, "title")
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
        body_truncated=body_truncated,
        retry_after=retry_after_from_headers(headers),
    )


def map_transport_error(
    exc: Exception,
    *,
    operation_id: str | None = None,
    method: str | None = None,
    url: str | None = None,
    request: httpx.Request | None = None,
    attempt: int | None = None,
    max_attempts: int | None = None,
    elapsed_seconds: float | None = None,
    address_variable: str | None = None,
) -> CamundaError:
    """Map what the HTTP stack raised while sending a request to our hierarchy.

    Takes httpx errors (including aiohttp's, through httpx-aiohttp), and the
    bare ``ValueError``/``TypeError`` and ``httpx.InvalidURL`` that h11, aiohttp
    or httpx raise for a URL or header they refuse; those become a
    :class:`RequestConstructionError` (nothing was sent; never retried), naming
    the header when ``request`` (or the httpx error) shows which one, never its
    value. A :class:`CamundaError` (an auth plugin's) is returned as it is.

    A :class:`TransportError` names where it happened (see
    :func:`transport_message`): ``attempt`` of ``max_attempts``, the seconds
    since the call began and the variable that set the address are shown when given.
    A TLS/plain-HTTP mismatch (``https://`` to a plain-HTTP server, or
    ``http://`` to a TLS server) is a final :class:`TlsError` saying which
    scheme to use.

    ``request_sent`` tells the retry policy whether a non-idempotent request
    could have reached the server: connect failures and pool timeouts mean it
    did not; a read timeout or a dropped connection after writing means it may have.
    """
    if isinstance(exc, CamundaError):
        return exc
    where = operation_id or "request"
    if request is None:
        request = _request_of(exc)
    if isinstance(exc, httpx.LocalProtocolError) or not isinstance(exc, httpx.HTTPError):
        return _construction_error(exc, where, operation_id, method, request)
    shown = shown_url(url)
    located = _Located(
        where,
        shown,
        {
            "operation_id": operation_id,
            "method": method,
            "url": shown,
            "attempt": attempt,
            "max_attempts": max_attempts,
            "elapsed_seconds": elapsed_seconds,
            "address_variable": address_variable,
        },
    )
    secure = _scheme_of(url) == "https"
    tls = _tls_failure(exc, secure, located)
    if tls is not None:
        return tls
    cause = exc.__cause__
    if cause is not None and type(cause).__module__.startswith("aiohttp"):
        # httpx-aiohttp maps every aiohttp.ClientConnectionError (including a
        # server disconnect after the request was written) to ConnectTimeout.
        # Classify from the aiohttp cause instead, or a create could be replayed.
        return _map_aiohttp_cause(cause, secure, located)
    if isinstance(exc, httpx.ConnectTimeout):
        return located.timeout(
            "cannot connect to", _connect_timeout_reason(exc), "connect", False, _silent_server_hint(secure)
        )
    if isinstance(exc, httpx.PoolTimeout):
        return located.timeout(
            "cannot connect to",
            "no pooled connection came free in time (CAMUNDA_HTTP_MAX_CONNECTIONS)",
            "pool",
            False,
        )
    if isinstance(exc, httpx.WriteTimeout):
        return located.timeout("no response from", "timed out sending the request", "write", None)
    if isinstance(exc, httpx.TimeoutException):
        return located.timeout("no response from", "timed out waiting for the response", "read", True)
    if isinstance(exc, httpx.ConnectError):
        return located.connection("cannot connect to", _reason(exc), False)
    return located.connection("no response from", _reason(exc), None, _expects_tls_hint(secure))


def plain_http_server_error(error: TransportError) -> TlsError:
    """``error`` (a TLS handshake that got no answer) as what it was: a plain-HTTP server.

    For when the server, asked in plain HTTP, answered (see
    :func:`camunda_core.runtime.tls.answers_plain_http`). Final, like every TLS mix-up.
    """
    located = _Located(
        error.operation_id or "request",
        error.url or "the server",
        {
            "operation_id": error.operation_id,
            "method": error.method,
            "url": error.url,
            "attempt": error.attempt,
            "max_attempts": error.max_attempts,
            "elapsed_seconds": error.elapsed_seconds,
            "address_variable": error.address_variable,
        },
    )
    tls = TlsError(
        located.message(
            "cannot set up TLS with",
            "the server did not answer the TLS handshake, and answers plain HTTP",
            "Use an http:// address, or enable TLS on the server",
        ),
        request_sent=False,
        **located.kwargs,
    )
    tls.__cause__ = error
    return tls


class _Located:
    """What every error of one mapping shares: the operation, the URL and the attributes."""

    __slots__ = ("kwargs", "shown", "where")

    def __init__(self, where: str, shown: str, kwargs: dict[str, Any]) -> None:
        self.where = where
        self.shown = shown
        self.kwargs = kwargs

    def message(self, what: str, reason: str, hint: str = "") -> str:
        kwargs = self.kwargs
        return transport_message(
            self.where,
            what,
            self.shown,
            reason,
            hint=hint,
            method=kwargs["method"],
            attempt=kwargs["attempt"],
            max_attempts=kwargs["max_attempts"],
            elapsed_seconds=kwargs["elapsed_seconds"],
            address_variable=kwargs["address_variable"],
        )

    def timeout(
        self, what: str, reason: str, phase: str, request_sent: bool | None, hint: str = ""
    ) -> TransportTimeoutError:
        return TransportTimeoutError(
            self.message(what, reason, hint), phase=phase, request_sent=request_sent, **self.kwargs
        )

    def connection(
        self, what: str, reason: str, request_sent: bool | None, hint: str = ""
    ) -> TransportConnectionError:
        return TransportConnectionError(self.message(what, reason, hint), request_sent=request_sent, **self.kwargs)


def transport_message(
    where: str,
    what: str,
    url: str,
    reason: str,
    *,
    hint: str = "",
    method: str | None = None,
    attempt: int | None = None,
    max_attempts: int | None = None,
    elapsed_seconds: float | None = None,
    address_variable: str | None = None,
) -> str:
    """The text of a transport error: where, what, how far the call got, why, what to do, and whence the address.

    ``getTopology: cannot connect to http://localhost:8080/v2/topology (GET,
    attempt 3 of 3, 1.2 s): connection refused. The address comes from
    CAMUNDA_REST_ADDRESS.`` Parts that are not known are left out.
    """
    circumstances: list[str] = []
    if method:
        circumstances.append(method)
    if attempt is not None:
        circumstances.append(f"attempt {attempt} of {max_attempts}" if max_attempts else f"attempt {attempt}")
    if elapsed_seconds is not None:
        circumstances.append(format_seconds(elapsed_seconds))
    text = f"{where}: {what} {url}"
    if circumstances:
        text += f" ({', '.join(circumstances)})"
    text += f": {reason}"
    if not text.endswith((".", "!", "?")):
        text += "."
    if hint:
        text += f" {hint}."
    if address_variable:
        text += f" {address_sentence(address_variable)}"
    return text


def address_sentence(address_variable: str) -> str:
    """Where the REST address came from, as a sentence (``"default"``: nothing set it)."""
    if address_variable == "default":
        return "The address is the default (CAMUNDA_REST_ADDRESS is not set)."
    return f"The address comes from {address_variable}."


def format_seconds(seconds: float) -> str:
    """A duration for a message: ``"12 ms"`` under a tenth of a second, else ``"1.2 s"``."""
    if seconds < 0.1:
        return f"{max(seconds, 0.0) * 1000:.0f} ms"
    return f"{seconds:.1f} s"


def shown_url(url: str | None) -> str:
    """``url`` as messages show it: no user name, password, query or fragment (they may hold secrets)."""
    if not url:
        return "the server"
    try:
        parsed = httpx.URL(url)
    except Exception:
        return "the server"
    if not parsed.userinfo and not parsed.query and not parsed.fragment:
        return url
    return str(parsed.copy_with(username=None, password=None, query=None, fragment=None))


def _scheme_of(url: str | None) -> str:
    return url.split("://", 1)[0].lower() if url and "://" in url else ""


def _map_aiohttp_cause(cause: BaseException, secure: bool, located: _Located) -> TransportError:
    names = {cls.__name__ for cls in type(cause).__mro__}
    reason = _reason(cause)
    if "ConnectionTimeoutError" in names:
        return located.timeout("cannot connect to", _CONNECT_TIMEOUT_REASON, "connect", False, _silent_server_hint(secure))
    if "ClientConnectorError" in names:
        return located.connection("cannot connect to", reason, False)
    if names & {"SocketTimeoutError", "ServerTimeoutError"}:
        return located.timeout("no response from", "timed out waiting for the response", "read", True)
    return located.connection("no response from", reason, None, _expects_tls_hint(secure))


_CONNECT_TIMEOUT_REASON = "timed out connecting (CAMUNDA_HTTP_CONNECT_TIMEOUT_MS)"


def _connect_timeout_reason(exc: BaseException) -> str:
    if any("handshake" in str(link).lower() for link in _chain(exc)):
        return "the server did not answer the TLS handshake in time (CAMUNDA_HTTP_CONNECT_TIMEOUT_MS)"
    return _CONNECT_TIMEOUT_REASON


def _silent_server_hint(secure: bool) -> str:
    # Some plain-HTTP servers wait for the end of a request head that a TLS
    # ClientHello never sends: the handshake then only times out.
    return "If the host is reachable but speaks plain HTTP, use an http:// address" if secure else ""


def _expects_tls_hint(secure: bool) -> str:
    # A TLS server that gets plain HTTP may just drop or reset the connection
    # (Tomcat, nginx and Go answer 400 instead: see _asks_for_tls).
    return "" if secure else "If the server expects TLS, use an https:// address"


# errno values, not the platform's message text, name the common socket failures.
_ERRNO_REASONS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset by the server",
    errno.ECONNABORTED: "connection aborted",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.EPIPE: "the server closed the connection while the request was sent",
    errno.ETIMEDOUT: "timed out",
}


def _reason(exc: BaseException) -> str:
    """Why the transport failed, in a few words: from the socket error underneath when there is one."""
    for link in _chain(exc):
        if isinstance(link, socket.gaierror):
            return f"the host name could not be resolved ({link.strerror or link})"
        if isinstance(link, OSError) and not isinstance(link, ssl.SSLError):
            known = _ERRNO_REASONS.get(link.errno or 0)
            if known is not None:
                return known
    text = str(exc)
    if not text:
        return type(exc).__name__
    if "without sending a response" in text or "Server disconnected" in text:
        return "the server closed the connection without a response"
    return bounded_quote(re.sub(r"^\[Errno -?\d+\] ", "", text), _TITLE_QUOTE_LIMIT)


_ROOT_CERT_HINT = (
    "if the server uses a private CA, point CAMUNDA_CUSTOM_ROOT_CERT_PATH "
    "(or CAMUNDA_CUSTOM_ROOT_CERT_STRING) at its certificate"
)
# OpenSSL's reasons for a handshake that met something other than TLS (a
# plain-HTTP server's "HTTP/1.1 400" read as a TLS record header).
_NOT_TLS_REASONS = (
    "WRONG_VERSION_NUMBER",
    "UNKNOWN_PROTOCOL",
    "HTTP_REQUEST",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
)
_NOT_TLS_TEXTS = tuple(reason.replace("_", " ").lower() for reason in _NOT_TLS_REASONS)
# A TLS record's first bytes (handshake 0x16 or alert 0x15, version 3.x), as an
# HTTP parser's "illegal status line" error quotes them, or raw.
_TLS_RECORD = re.compile(r"\\x1[56]\\x03|[\x15\x16]\x03")
# h11's whole message (no quoted bytes) when a response's first byte is a control
# character: a TLS record (0x15-0x17) is the one such answer servers send.
_H11_BINARY_ANSWER = "illegal request line"


def _tls_failure(exc: BaseException, secure: bool, located: _Located) -> TlsError | None:
    """A TLS set-up failure, or a TLS/plain-HTTP mismatch, anywhere in the cause chain; else None."""
    for link in _chain(exc):
        names = {cls.__name__ for cls in type(link).__mro__}
        if isinstance(link, ssl.SSLCertVerificationError) or "ClientConnectorCertificateError" in names:
            reason = _verification_reason(link)
            return TlsVerificationError(
                located.message(
                    "cannot verify the TLS certificate of",
                    f"{reason}; {_verification_hint(reason)}",
                ),
                request_sent=False,
                **located.kwargs,
            )
        if secure and isinstance(link, ssl.SSLError) and _not_tls(link):
            return TlsError(
                located.message(
                    "cannot set up TLS with",
                    "the server answered the TLS handshake in plain HTTP",
                    "Use an http:// address, or enable TLS on the server",
                ),
                request_sent=False,
                **located.kwargs,
            )
        if not secure:
            text = str(link)
            if _TLS_RECORD.search(text):
                reason = "the server answered in TLS; it expects TLS (https)"
            elif text == _H11_BINARY_ANSWER:
                reason = "the server answered in binary, not HTTP, as a TLS server does; it expects TLS (https)"
            else:
                continue
            return TlsError(
                located.message("no HTTP response from", reason, "Use an https:// address"),
                request_sent=False,
                **located.kwargs,
            )
    return None


def _not_tls(error: ssl.SSLError) -> bool:
    reason = str(getattr(error, "reason", "") or "").upper()
    if reason in _NOT_TLS_REASONS:
        return True
    text = str(error).lower()
    return any(fragment in text for fragment in _NOT_TLS_TEXTS)


def _verification_reason(link: BaseException) -> str:
    # aiohttp's certificate error is itself an ssl.CertificateError without the
    # ssl fields; the ssl error it wraps is its certificate_error (and its cause).
    for candidate in (link, getattr(link, "certificate_error", None), link.__cause__):
        text = getattr(candidate, "verify_message", None) or getattr(candidate, "reason", None)
        if isinstance(text, str) and text:
            return bounded_quote(text, _TITLE_QUOTE_LIMIT)
    return "certificate verify failed"


def _verification_hint(reason: str) -> str:
    lowered = reason.lower()
    if "mismatch" in lowered or "hostname" in lowered:
        return (
            "the certificate is issued for another host name: check the host of the address "
            "(a trusted CA from CAMUNDA_CUSTOM_ROOT_CERT_PATH does not change this)"
        )
    if "expired" in lowered or "not yet valid" in lowered:
        return "the certificate is outside its validity period; the server's certificate must be renewed"
    return _ROOT_CERT_HINT


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and len(seen) < 16 and all(link is not s for s in seen):
        seen.append(link)
        link = link.__cause__ or link.__context__
    return seen


def _request_of(exc: BaseException) -> httpx.Request | None:
    if isinstance(exc, httpx.HTTPError):
        try:
            return exc.request
        except RuntimeError:
            return None
    return None


# RFC 9110 field names are tokens; values are visible characters with inner spaces/tabs.
_HEADER_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(rb"(?:[\x21-\x7e\x80-\xff](?:[\x20\x09\x21-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?")


def _bad_header(request: httpx.Request | None) -> str | None:
    """The name of the first header whose name or value the HTTP stack would refuse."""
    if request is None:
        return None
    for name, value in request.headers.raw:
        if _HEADER_NAME.fullmatch(name) is None:
            return "(a header with an invalid name)"
        if _HEADER_VALUE.fullmatch(value) is None:
            return name.decode("ascii")
    return None


def _construction_error(
    exc: Exception,
    where: str,
    operation_id: str | None,
    method: str | None,
    request: httpx.Request | None,
) -> RequestConstructionError:
    # The foreign message is never quoted: h11's and aiohttp's repeat the
    # header value, which may be a token.
    cause_type = type(exc).__name__
    if isinstance(exc, httpx.InvalidURL):
        message = f"{where}: the request URL is invalid ({bounded_quote(str(exc), _TITLE_QUOTE_LIMIT)}); nothing was sent"
        header = None
    else:
        header = _bad_header(request)
        what = f"the value of header {header!r}" if header else "a header or the URL"
        message = (
            f"{where}: the HTTP stack refused {what} of the request ({cause_type}); nothing was sent. "
            "A header value must not contain line breaks or other control characters"
        )
    return RequestConstructionError(
        message, operation_id=operation_id, method=method, header=header, cause_type=cause_type
    )


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
