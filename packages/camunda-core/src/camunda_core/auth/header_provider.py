"""``auth_provider=``: the official SDK's auth providers, and our own ``httpx.Auth``, on either client.

The official SDK's ``AuthProvider`` is any object with ``get_headers() -> Mapping[str, str]``
(and, for its async client, optionally ``async aget_headers()``), called for every
request; its headers are set on the request. :class:`HeaderProviderAuth` turns such an
object into the ``httpx.Auth`` this SDK's send loops use, so code that builds, say, its
own token-fetching provider for the official SDK keeps working. An ``httpx.Auth``
(``OAuthClientCredentialsAuth``, ``httpx.BasicAuth``, ...) is used as it is.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping

import httpx

from camunda_core.errors import AuthenticationError, ConfigurationError, ConfigurationProblem

__all__ = ["HeaderProviderAuth", "auth_from_provider"]


class HeaderProviderAuth(httpx.Auth):
    """Sets the headers of an object with ``get_headers()`` / ``aget_headers()`` on every request.

    The async flow awaits ``aget_headers()`` when the provider has it, and otherwise
    calls ``get_headers()`` on the event loop, as the official SDK does: a provider that
    does blocking I/O there should offer ``aget_headers()``. No 401 replay: the
    provider decides when its headers change.
    """

    requires_request_body = False
    requires_response_body = False

    def __init__(self, provider: object) -> None:
        get_headers = getattr(provider, "get_headers", None)
        aget_headers = getattr(provider, "aget_headers", None)
        self._provider = provider
        self._get: Callable[[], object] | None = get_headers if callable(get_headers) else None
        self._aget: Callable[[], Awaitable[object]] | None = (
            aget_headers if callable(aget_headers) and inspect.iscoroutinefunction(aget_headers) else None
        )

    @property
    def provider(self) -> object:
        return self._provider

    def __repr__(self) -> str:
        return f"HeaderProviderAuth({type(self._provider).__name__})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._get is None:
            raise AuthenticationError(
                f"auth_provider {type(self._provider).__name__} has only aget_headers(); "
                "the blocking client needs get_headers()"
            )
        self._apply(request, self._get(), "get_headers")
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._aget is not None:
            self._apply(request, await self._aget(), "aget_headers")
        else:
            assert self._get is not None  # checked by auth_from_provider
            self._apply(request, self._get(), "get_headers")
        yield request

    def _apply(self, request: httpx.Request, headers: object, method: str) -> None:
        if not isinstance(headers, Mapping):
            raise AuthenticationError(
                f"auth_provider {type(self._provider).__name__}.{method}() returned "
                f"{type(headers).__name__}, not a mapping of header names to values"
            )
        given = typing.cast("Mapping[object, object]", headers)
        for name, value in given.items():
            if not isinstance(name, str) or not isinstance(value, str):
                # Never quote the value: it is usually a credential.
                raise AuthenticationError(
                    f"auth_provider {type(self._provider).__name__}.{method}() returned a header "
                    f"{name!r} whose name or value is not a str"
                )
            request.headers[name] = value

    def close(self) -> None:
        """Close the provider, as the official client does when it closes (if it can be)."""
        closer = getattr(self._provider, "close", None)
        if callable(closer):
            closer()

    async def aclose(self) -> None:
        closer = getattr(self._provider, "aclose", None)
        if callable(closer):
            result = closer()
            if inspect.isawaitable(result):
                await result


def auth_from_provider(provider: object) -> httpx.Auth:
    """The ``httpx.Auth`` for ``auth_provider=``, or a ``ConfigurationError`` saying what is accepted."""
    if isinstance(provider, httpx.Auth):
        return provider
    if callable(getattr(provider, "get_headers", None)) or inspect.iscoroutinefunction(
        getattr(provider, "aget_headers", None)
    ):
        return HeaderProviderAuth(provider)
    raise ConfigurationError(
        [
            ConfigurationProblem(
                "auth_provider",
                f"{type(provider).__name__} is neither an httpx.Auth nor an object with "
                "get_headers() -> Mapping[str, str] (the official SDK's AuthProvider); "
                "or leave it out and set CAMUNDA_AUTH_STRATEGY",
            )
        ]
    )
