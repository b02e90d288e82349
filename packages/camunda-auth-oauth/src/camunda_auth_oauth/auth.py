"""``OAuthClientCredentialsAuth``: an ``httpx.Auth`` that adds a bearer token and replays a 401 once.

Works with any ``httpx.Client`` or ``httpx.AsyncClient``, including the SDK's.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING

import httpx

from camunda_auth_oauth.clock import Clock
from camunda_auth_oauth.endpoint import TokenEndpoint
from camunda_auth_oauth.provider import TokenProvider
from camunda_auth_oauth.settings import OAuthConfigSource, OAuthSettings
from camunda_core.auth.token_cache import TokenCache
from camunda_core.logging import NullLogger, SdkLogger
from camunda_core.runtime.tls import TlsSettings
from camunda_core.types import Secret

if TYPE_CHECKING:
    from camunda_core.auth.strategy import AuthContext

__all__ = ["OAuthClientCredentialsAuth"]


class _BearerReplayAuth(httpx.Auth):
    """The pure parts shared by the sync and the async flow."""

    # The body is not read up front: only a 401 replay needs it again (see _replayable).
    requires_request_body = False
    requires_response_body = False

    @staticmethod
    def _authorize(request: httpx.Request, token: Secret) -> None:
        request.headers["Authorization"] = f"Bearer {token.reveal()}"

    @staticmethod
    def _should_replay(response: httpx.Response) -> bool:
        """A 401 may mean the token was revoked or rotated early: one fresh token, one retry."""
        return response.status_code == 401


class OAuthClientCredentialsAuth(_BearerReplayAuth):
    """OAuth 2.0 client credentials for httpx.

    Every request gets ``Authorization: Bearer <token>``. Tokens are fetched
    from ``config.oauth_url`` when needed, refreshed shortly before they
    expire, shared through ``token_cache`` and fetched once however many
    threads or tasks ask at the same time. If the API answers 401, the token is
    discarded (here and in the cache), a new one is fetched and the request is
    sent once more; a second 401 is returned to the caller.

    A request whose body is a one-shot stream (a generator) cannot be sent
    twice; its 401 is returned as is.
    """

    def __init__(
        self,
        config: OAuthConfigSource | OAuthSettings,
        *,
        token_cache: TokenCache | None = None,
        tls: TlsSettings | None = None,
        logger: SdkLogger | None = None,
        clock: Clock | None = None,
    ) -> None:
        settings = config if isinstance(config, OAuthSettings) else OAuthSettings.from_config(config)
        self._settings = settings
        self._logger: SdkLogger = logger or NullLogger()
        endpoint = TokenEndpoint(settings, tls=tls, logger=self._logger)
        self._provider = TokenProvider(
            settings, endpoint=endpoint, cache=token_cache, logger=self._logger, clock=clock
        )

    @classmethod
    def from_context(cls, context: AuthContext) -> OAuthClientCredentialsAuth:
        """Build from what the SDK hands an auth strategy (configuration, TLS, logger, cache)."""
        settings = OAuthSettings.from_config(context.config)
        return cls(
            settings,
            token_cache=context.token_cache(),
            tls=context.tls,
            logger=context.logger,
        )

    def __repr__(self) -> str:
        return (
            f"OAuthClientCredentialsAuth(oauth_url={self._settings.oauth_url!r}, "
            f"client_id={self._settings.client_id!r}, audience={self._settings.audience!r}, "
            f"token_cache={self._provider.cache!r})"
        )

    @property
    def settings(self) -> OAuthSettings:
        return self._settings

    @property
    def token_cache(self) -> TokenCache:
        return self._provider.cache

    # -- the httpx flows ----------------------------------------------------------------

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._provider.get()
        self._authorize(request, token)
        response = yield request
        if not self._should_replay(response) or not _replayable(request):
            return
        self._log_replay(request)
        self._provider.invalidate(token)
        self._authorize(request, self._provider.get())
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._provider.aget()
        self._authorize(request, token)
        response = yield request
        if not self._should_replay(response) or not await _areplayable(request):
            return
        self._log_replay(request)
        await self._provider.ainvalidate(token)
        self._authorize(request, await self._provider.aget())
        yield request

    def _log_replay(self, request: httpx.Request) -> None:
        self._logger.debug(
            f"{request.method} {request.url.copy_with(query=None)} answered 401: "
            "fetching a new OAuth token and sending the request once more"
        )

    # -- for advanced use ------------------------------------------------------------------

    def get_token(self) -> str:
        """The current access token (fetched if needed). It is a secret: never log it."""
        return self._provider.get().reveal()

    async def aget_token(self) -> str:
        """Async :meth:`get_token`."""
        return (await self._provider.aget()).reveal()

    def force_refresh(self) -> None:
        """Fetch a new token now, bypassing the cache (e.g. after the client's roles changed)."""
        self._provider.force_refresh()

    async def aforce_refresh(self) -> None:
        """Async :meth:`force_refresh`."""
        await self._provider.aforce_refresh()

    def clear_cache(self) -> None:
        """Forget the token, in memory and in the token cache; the next request fetches one."""
        self._provider.clear_cache()

    def close(self) -> None:
        """Close the HTTP client used for token requests (sync)."""
        self._provider.endpoint.close()

    async def aclose(self) -> None:
        """Close the HTTP client used for token requests on the running event loop."""
        await self._provider.endpoint.aclose()


def _replayable(request: httpx.Request) -> bool:
    # Reading buffers the body (a no-op for bytes and JSON); a consumed
    # generator raises, and such a request cannot be sent again.
    try:
        request.read()
    except (httpx.StreamConsumed, RuntimeError):
        return False
    return True


async def _areplayable(request: httpx.Request) -> bool:
    try:
        await request.aread()
    except (httpx.StreamConsumed, RuntimeError):
        return False
    return True
