"""``httpx_args=``: what code written for the official SDK hands to httpx, mapped onto this SDK.

The official SDK passes ``httpx_args`` straight to ``httpx.Client``. Here every key
is either mapped onto the SDK's own transport and configuration, or refused with a
``ConfigurationError`` naming the key and what to use instead; nothing is dropped
silently. Checked once, when the client is built (:func:`parse_httpx_args`).

=================  =============================================================
key                what happens
=================  =============================================================
``transport``      used instead of the SDK's transport (sync kind for the sync
                   client, async kind for the async one)
``timeout``        connect and read timeouts (``CAMUNDA_HTTP_CONNECT_TIMEOUT_MS``,
                   ``CAMUNDA_HTTP_READ_TIMEOUT_MS``)
``headers``        added to every request; ``Authorization`` only without auth
``limits``         ``max_connections`` -> ``CAMUNDA_HTTP_MAX_CONNECTIONS``
``event_hooks``    passed to httpx (async functions for the async client)
``cookies``        passed to httpx
``verify``         ``True`` only; TLS comes from ``CAMUNDA_CUSTOM_*``
``cert``           refused: ``CAMUNDA_CUSTOM_CERT_CHAIN_PATH`` and key
``proxy``          refused: ``HTTPS_PROXY`` / ``HTTP_PROXY``, or a transport
``follow_redirects``  ``False`` only
``http1``/``http2``  HTTP/1.1 only (or a transport of your own)
``trust_env``      ``True`` only
=================  =============================================================
"""

from __future__ import annotations

import inspect
import math
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import httpx

from camunda_core.errors import ConfigurationError, ConfigurationProblem

__all__ = ["HttpxArgs", "parse_httpx_args", "merge_client_keywords", "SUPPORTED_KEYS", "CLIENT_KEYWORDS"]

#: The keys ``httpx_args`` accepts (each mapped or checked; see the module docstring).
SUPPORTED_KEYS = (
    "transport",
    "timeout",
    "headers",
    "limits",
    "event_hooks",
    "cookies",
    "verify",
    "cert",
    "proxy",
    "follow_redirects",
    "http1",
    "http2",
    "trust_env",
)

_TLS_VARIABLES = (
    "CAMUNDA_CUSTOM_ROOT_CERT_PATH (a private CA), CAMUNDA_CUSTOM_CERT_CHAIN_PATH and "
    "CAMUNDA_CUSTOM_PRIVATE_KEY_PATH (mutual TLS)"
)
# What to say for keys that have a better home, besides "not supported".
_INSTEAD = {
    "base_url": "set CAMUNDA_REST_ADDRESS (configuration= or the environment)",
    "auth": "pass auth_provider= (an httpx.Auth or an object with get_headers())",
    "proxies": "set HTTPS_PROXY / HTTP_PROXY (the SDK routes by them), or pass transport=httpx.HTTPTransport(proxy=...)",
    "mounts": "pass one transport= that routes as you need",
    "max_redirects": "redirects are never followed (they would resend credentials)",
    "base_transport": "pass transport=",
    "app": "pass transport=httpx.ASGITransport(app) / httpx.WSGITransport(app)",
}


#: The official SDK's client keywords that go to httpx, and the ``httpx_args`` key each becomes.
CLIENT_KEYWORDS = {
    "headers": "headers",
    "timeout": "timeout",
    "verify_ssl": "verify",
    "cookies": "cookies",
    "follow_redirects": "follow_redirects",
}


def merge_client_keywords(
    httpx_args: Mapping[str, Any] | None, keywords: Mapping[str, object]
) -> Mapping[str, Any] | None:
    """``httpx_args`` plus the official SDK's top-level client keywords given (not None).

    The official client passes ``headers=``, ``timeout=``, ``verify_ssl=``, ``cookies=`` and
    ``follow_redirects=`` to httpx itself; here they are checked like the ``httpx_args`` keys
    they become. The same setting given both ways is a ``ConfigurationError``.
    """
    given = {name: value for name, value in keywords.items() if value is not None}
    if not given:
        return httpx_args
    merged: dict[str, Any] = dict(httpx_args or {})
    problems: list[ConfigurationProblem] = []
    for name, value in given.items():
        key = CLIENT_KEYWORDS[name]
        if key in merged:
            problems.append(
                ConfigurationProblem(f"httpx_args[{key!r}]", f"is given twice, also as {name}=; keep one")
            )
        merged[key] = value
    if problems:
        raise ConfigurationError(problems)
    return merged


@attrs.frozen(kw_only=True)
class HttpxArgs:
    """``httpx_args`` once checked: what the client core applies."""

    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None
    #: Seconds, for CAMUNDA_HTTP_CONNECT_TIMEOUT_MS / CAMUNDA_HTTP_READ_TIMEOUT_MS.
    connect_timeout: float | None = None
    read_timeout: float | None = None
    max_connections: int | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict[str, str])
    event_hooks: Mapping[str, tuple[Callable[..., Any], ...]] = attrs.field(
        factory=dict[str, tuple[Callable[..., Any], ...]]
    )
    #: Whether the event hooks are coroutine functions (for the async client).
    hooks_async: bool | None = None
    cookies: Any = None

    def config_changes(self, request_timeout: float) -> dict[str, object]:
        """The configuration attributes these arguments set (``attrs.evolve`` keywords).

        ``request_timeout`` is the configured bound of one attempt: a longer read
        timeout raises it, or the attempt would end before the read may.
        """
        changes: dict[str, object] = {}
        if self.connect_timeout is not None:
            changes["http_connect_timeout"] = self.connect_timeout
        if self.read_timeout is not None:
            changes["http_read_timeout"] = self.read_timeout
            if self.read_timeout > request_timeout:
                changes["http_request_timeout"] = self.read_timeout
        if self.max_connections is not None:
            changes["http_max_connections"] = self.max_connections
        return changes

    def transport_for(self, *, asynchronous: bool) -> httpx.BaseTransport | httpx.AsyncBaseTransport | None:
        """The user's transport if it is of the kind wanted, else None (the SDK builds one)."""
        wanted = httpx.AsyncBaseTransport if asynchronous else httpx.BaseTransport
        return self.transport if isinstance(self.transport, wanted) else None

    def client_kwargs(self, *, asynchronous: bool) -> dict[str, Any]:
        """Extra keywords for ``httpx.Client`` / ``AsyncClient`` of that kind."""
        kwargs: dict[str, Any] = {}
        if self.event_hooks and self.hooks_async is asynchronous:
            kwargs["event_hooks"] = {name: list(hooks) for name, hooks in self.event_hooks.items()}
        if self.cookies is not None:
            kwargs["cookies"] = self.cookies
        return kwargs


def parse_httpx_args(httpx_args: Mapping[str, Any] | None, *, client: str, asynchronous: bool) -> HttpxArgs:
    """Check ``httpx_args`` for ``client`` (a class name); every problem is reported at once."""
    if httpx_args is None:
        return HttpxArgs()
    if not isinstance(httpx_args, Mapping):
        raise ConfigurationError(
            [ConfigurationProblem("httpx_args", f"must be a dict of httpx.Client arguments, got {type(httpx_args).__name__}")]
        )
    problems: list[ConfigurationProblem] = []
    values: dict[str, Any] = {}

    def problem(key: str, message: str) -> None:
        problems.append(ConfigurationProblem(f"httpx_args[{key!r}]", message))

    args: Mapping[str, Any] = httpx_args
    for key, value in args.items():
        if key == "transport":
            values["transport"] = _transport(value, client, asynchronous, problem)
        elif key == "timeout":
            _timeout(value, values, problem)
        elif key == "headers":
            values["headers"] = _headers(value, problem)
        elif key == "limits":
            _limits(value, values, problem)
        elif key == "event_hooks":
            _event_hooks(value, asynchronous, client, values, problem)
        elif key == "cookies":
            values["cookies"] = value
        elif key == "verify":
            if value is not True:
                problem(
                    key,
                    "TLS verification stays on and its settings come from the configuration: set "
                    f"{_TLS_VARIABLES}, or pass transport=httpx.HTTPTransport(verify=...) of your own",
                )
        elif key == "cert":
            if value is not None:
                problem(key, f"client certificates come from the configuration: set {_TLS_VARIABLES}")
        elif key == "proxy":
            if value is not None:
                problem(key, _INSTEAD["proxies"])
        elif key == "follow_redirects":
            if value is not False:
                problem(key, "redirects are never followed: a redirected request would resend its credentials")
        elif key in ("http1", "http2"):
            if value is not (key == "http1"):
                problem(key, "the SDK's transports speak HTTP/1.1; pass transport=httpx.HTTPTransport(http2=True) for HTTP/2")
        elif key == "trust_env":
            if value is not True:
                problem(key, "proxies always follow the environment; set NO_PROXY=* to turn them off")
        else:
            instead = _INSTEAD.get(key)
            problem(
                str(key),
                f"not supported: {instead}"
                if instead
                else f"not supported by this SDK; supported keys: {', '.join(SUPPORTED_KEYS)}",
            )
    if problems:
        raise ConfigurationError(problems)
    return HttpxArgs(**values)


def _transport(value: object, client: str, asynchronous: bool, problem: Callable[[str, str], None]) -> Any:
    wanted, kind, example = (
        (httpx.AsyncBaseTransport, "an async", "httpx.AsyncHTTPTransport, httpx.MockTransport")
        if asynchronous
        else (httpx.BaseTransport, "a sync", "httpx.HTTPTransport, httpx.MockTransport")
    )
    if isinstance(value, wanted):
        return value
    if asynchronous and isinstance(value, httpx.BaseTransport):
        got = "a sync transport (httpx.BaseTransport)"
    elif not asynchronous and isinstance(value, httpx.AsyncBaseTransport):
        got = "an async transport (httpx.AsyncBaseTransport)"
    else:
        got = type(value).__name__
    problem("transport", f"{client} needs {kind} httpx transport ({example}), got {got}")
    return None


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    seconds = float(value)
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _timeout(value: object, values: dict[str, Any], problem: Callable[[str, str], None]) -> None:
    if isinstance(value, httpx.Timeout):
        connect, read = _seconds(value.connect), _seconds(value.read)
        if connect is None or read is None:
            problem(
                "timeout",
                "every timeout must be a number of seconds > 0 (a hung server must not hang the call); "
                f"got connect={value.connect!r}, read={value.read!r}",
            )
            return
        values["connect_timeout"], values["read_timeout"] = connect, read
        return
    seconds = _seconds(value)
    if seconds is None:
        problem("timeout", f"must be a number of seconds > 0 or an httpx.Timeout, got {value!r}")
        return
    values["connect_timeout"] = values["read_timeout"] = seconds


def _headers(value: object, problem: Callable[[str, str], None]) -> dict[str, str]:
    try:
        headers = httpx.Headers(value)  # pyright: ignore[reportArgumentType]
    except (TypeError, ValueError) as exc:
        problem("headers", f"must be a mapping of header names to values ({type(exc).__name__})")
        return {}
    return dict(headers.items())


def _limits(value: object, values: dict[str, Any], problem: Callable[[str, str], None]) -> None:
    if not isinstance(value, httpx.Limits):
        problem("limits", f"must be an httpx.Limits, got {type(value).__name__}")
        return
    if value.max_connections is None or value.max_connections < 1:
        problem("limits", "max_connections must be an integer >= 1 (maps to CAMUNDA_HTTP_MAX_CONNECTIONS)")
        return
    values["max_connections"] = value.max_connections


def _event_hooks(
    value: object, asynchronous: bool, client: str, values: dict[str, Any], problem: Callable[[str, str], None]
) -> None:
    if not isinstance(value, Mapping):
        problem("event_hooks", f"must be a dict like {{'request': [...], 'response': [...]}}, got {type(value).__name__}")
        return
    hooks: dict[str, tuple[Callable[..., Any], ...]] = {}
    given = typing.cast("Mapping[object, object]", value)
    for name, functions in given.items():
        if name not in ("request", "response"):
            problem("event_hooks", f"unknown event {name!r}; httpx has 'request' and 'response'")
            continue
        listed = list(typing.cast("list[object]", functions)) if isinstance(functions, (list, tuple)) else None
        if listed is None or not all(callable(f) for f in listed):
            problem("event_hooks", f"{name!r} must be a list of functions")
            continue
        wrong = [f for f in listed if inspect.iscoroutinefunction(f) is not asynchronous]
        if wrong:
            need = "async functions (async def)" if asynchronous else "plain functions, not async def"
            problem("event_hooks", f"{client} calls its {name!r} hooks as {need}: {_name_of(wrong[0])}")
            continue
        hooks[str(name)] = tuple(typing.cast("list[Callable[..., Any]]", listed))
    values["event_hooks"] = hooks
    values["hooks_async"] = asynchronous


def _name_of(function: object) -> str:
    return getattr(function, "__qualname__", None) or repr(function)
