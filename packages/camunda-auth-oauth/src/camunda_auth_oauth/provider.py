"""Keeps one access token fresh: cache look-up, single-flight refresh, early refresh.

Single flight: when a token is needed and none is usable, the first caller
(a thread or an asyncio task, on any event loop) becomes the *leader* and
obtains one; every other caller waits on the same
``concurrent.futures.Future``: threads block on it, tasks await it without
blocking their loop. So 100 concurrent callers cause one token request, and a
sync and an async client sharing one auth object still fetch only once.

Expiry is tracked on the monotonic clock. A token is refreshed when less
than ``max(30 s, 5% of its lifetime)`` remains (at most half its lifetime, so a
very short-lived token is still used). A token loaded from a persistent cache
carries a wall-clock expiry, converted to monotonic time on load; its 5% is
taken of the lifetime it has left.

Rejected credentials are remembered: after the token endpoint answers 400,
401 or 403, every token request within a back-off window fails at once with
the same ``AuthenticationError`` instead of asking the endpoint again. The
window is 1 s after the first rejection and doubles with each further one, up
to 60 s; a token obtained (from the endpoint or a cache) forgets it. The
credentials of one provider never change, so new credentials mean a new
client, which starts with a clean slate.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from typing import TypeVar

import attrs

from camunda_auth_oauth.caches import MemoryTokenCache
from camunda_auth_oauth.clock import Clock, SystemClock
from camunda_auth_oauth.endpoint import REJECTED_STATUSES, TokenEndpoint, TokenGrant
from camunda_auth_oauth.settings import OAuthSettings
from camunda_core.auth.token_cache import CachedToken, TokenCache
from camunda_core.errors import AuthenticationError
from camunda_core.logging import NullLogger, SdkLogger, redact
from camunda_core.types import Secret

__all__ = [
    "TokenProvider",
    "refresh_margin",
    "MIN_REFRESH_MARGIN",
    "REFRESH_FRACTION",
    "REJECTION_BACKOFF_INITIAL",
    "REJECTION_BACKOFF_MAX",
]

_T = TypeVar("_T")

#: Never keep using a token with less than this many seconds left...
MIN_REFRESH_MARGIN = 30.0
#: ...or less than this fraction of its lifetime.
REFRESH_FRACTION = 0.05

#: Seconds a rejection by the token endpoint is remembered the first time...
REJECTION_BACKOFF_INITIAL = 1.0
#: ...doubling with each consecutive rejection, up to this many.
REJECTION_BACKOFF_MAX = 60.0


def refresh_margin(lifetime: float) -> float:
    """Seconds before expiry at which a token of ``lifetime`` seconds is refreshed."""
    return min(max(MIN_REFRESH_MARGIN, REFRESH_FRACTION * lifetime), lifetime / 2)


@attrs.frozen(kw_only=True)
class _LiveToken:
    value: Secret
    token_type: str
    #: Monotonic seconds at which the token expires, and at which to refresh it.
    expires_monotonic: float
    refresh_monotonic: float
    #: Wall-clock expiry, for persisting.
    expires_wall: float


@attrs.frozen(kw_only=True)
class _Rejection:
    """The token endpoint's last "no" to these credentials, and how long to believe it."""

    error: AuthenticationError
    #: Monotonic seconds until which no token request is sent.
    until: float
    window: float


class _Abandoned(Exception):
    """The leader stopped (cancelled or interrupted) without a result: someone else leads."""


@attrs.define
class _Flight:
    leader_thread: int
    future: concurrent.futures.Future[_LiveToken] = attrs.field(
        factory=lambda: concurrent.futures.Future[_LiveToken]()
    )

    def __attrs_post_init__(self) -> None:
        # A running future cannot be cancelled: a waiter that gives up (an
        # asyncio task cancelled while awaiting it) must not cancel the fetch
        # for everyone else.
        self.future.set_running_or_notify_cancel()


class TokenProvider:
    """Hands out a valid access token for one set of credentials. Thread- and task-safe."""

    def __init__(
        self,
        settings: OAuthSettings,
        *,
        endpoint: TokenEndpoint | None = None,
        cache: TokenCache | None = None,
        logger: SdkLogger | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._settings = settings
        self._logger: SdkLogger = logger or NullLogger()
        self._endpoint = endpoint or TokenEndpoint(settings, logger=self._logger)
        self._cache: TokenCache = cache if cache is not None else MemoryTokenCache()
        self._clock: Clock = clock or SystemClock()
        self._key = settings.cache_key
        self._lock = threading.Lock()
        self._token: _LiveToken | None = None
        self._flight: _Flight | None = None
        # The last token the API rejected: never taken back from a cache.
        self._rejected: Secret | None = None
        # The token endpoint's last rejection of these credentials, while it is believed.
        self._rejection: _Rejection | None = None
        self._next_rejection_window = REJECTION_BACKOFF_INITIAL

    def __repr__(self) -> str:
        return (
            f"TokenProvider(url={self._settings.oauth_url!r}, client_id="
            f"{self._settings.client_id!r}, cache={self._cache!r})"
        )

    @property
    def cache(self) -> TokenCache:
        return self._cache

    @property
    def endpoint(self) -> TokenEndpoint:
        return self._endpoint

    # -- public, sync ---------------------------------------------------------------

    def get(self) -> Secret:
        """A usable token: the current one, a cached one, or a freshly fetched one."""
        token = self._token  # a plain read: the fast path takes no lock
        if token is not None and self._clock.monotonic() < token.refresh_monotonic:
            return token.value
        return self._obtain(use_cache=True).value

    def invalidate(self, rejected: Secret) -> None:
        """Forget ``rejected`` (the API answered 401 to it) here and in the cache."""
        if self._forget(rejected):
            self._clear_cache_entry_if(rejected)

    def force_refresh(self) -> None:
        """Fetch a new token from the endpoint now, ignoring the cache."""
        current = self._token
        if current is not None:
            self.invalidate(current.value)
        self._obtain(use_cache=False)

    def clear_cache(self) -> None:
        """Forget the current token, in memory and in the cache."""
        with self._lock:
            self._token = None
        self._guard_cache("clear", lambda: self._cache.clear(self._key))

    # -- public, async --------------------------------------------------------------

    async def aget(self) -> Secret:
        token = self._token
        if token is not None and self._clock.monotonic() < token.refresh_monotonic:
            return token.value
        return (await self._aobtain(use_cache=True)).value

    async def ainvalidate(self, rejected: Secret) -> None:
        if self._forget(rejected):
            await asyncio.to_thread(self._clear_cache_entry_if, rejected)

    async def aforce_refresh(self) -> None:
        current = self._token
        if current is not None:
            await self.ainvalidate(current.value)
        await self._aobtain(use_cache=False)

    async def aclear_cache(self) -> None:
        with self._lock:
            self._token = None
        await asyncio.to_thread(self._guard_cache, "clear", lambda: self._cache.clear(self._key))

    # -- single flight ---------------------------------------------------------------

    def _join_or_lead(self) -> _LiveToken | tuple[_Flight, bool]:
        """A usable token, or the flight in progress (to wait for) or a new one (to lead)."""
        with self._lock:
            token = self._token
            if token is not None and self._clock.monotonic() < token.refresh_monotonic:
                return token
            if self._flight is not None:
                return self._flight, False
            self._flight = _Flight(threading.get_ident())
            return self._flight, True

    def _land(self, flight: _Flight, token: _LiveToken | None, error: BaseException | None) -> None:
        with self._lock:
            if token is not None:
                self._token = token
            if self._flight is flight:
                self._flight = None
        if token is not None:
            flight.future.set_result(token)
        else:
            assert error is not None
            flight.future.set_exception(error if isinstance(error, Exception) else _Abandoned())

    def _obtain(self, *, use_cache: bool) -> _LiveToken:
        while True:
            joined = self._join_or_lead()
            if isinstance(joined, _LiveToken):
                return joined
            flight, leader = joined
            if leader:
                try:
                    token = self._acquire(use_cache)
                except BaseException as exc:
                    self._land(flight, None, exc)
                    raise
                self._land(flight, token, None)
                return token
            if flight.leader_thread == threading.get_ident():
                # The leader is an async task on this very thread, which this
                # blocking call would stop: fetch independently instead.
                token = self._acquire(use_cache)
                with self._lock:
                    self._token = token
                return token
            try:
                return flight.future.result()
            except _Abandoned:
                continue
            except AuthenticationError as exc:
                raise _for_waiter(exc) from exc

    async def _aobtain(self, *, use_cache: bool) -> _LiveToken:
        while True:
            joined = self._join_or_lead()
            if isinstance(joined, _LiveToken):
                return joined
            flight, leader = joined
            if leader:
                try:
                    token = await self._aacquire(use_cache)
                except BaseException as exc:
                    self._land(flight, None, exc)
                    raise
                self._land(flight, token, None)
                return token
            try:
                return await asyncio.shield(asyncio.wrap_future(flight.future))
            except _Abandoned:
                continue
            except AuthenticationError as exc:
                raise _for_waiter(exc) from exc

    # -- what the leader does --------------------------------------------------------

    def _acquire(self, use_cache: bool) -> _LiveToken:
        if use_cache:
            cached = self._guard_cache("load", lambda: self._cache.load(self._key))
            token = self._from_cached(cached)
            if token is not None:
                self._forget_rejection()
                return token
        self._refuse_while_rejected()
        try:
            grant = self._endpoint.fetch()
        except AuthenticationError as exc:
            self._remember_rejection(exc)
            raise
        token = self._from_grant(grant)
        self._forget_rejection()
        self._store(token)
        return token

    async def _aacquire(self, use_cache: bool) -> _LiveToken:
        if use_cache:
            cached = await _in_thread(
                lambda: self._guard_cache("load", lambda: self._cache.load(self._key))
            )
            token = self._from_cached(cached)
            if token is not None:
                self._forget_rejection()
                return token
        self._refuse_while_rejected()
        try:
            grant = await self._endpoint.afetch()
        except AuthenticationError as exc:
            self._remember_rejection(exc)
            raise
        token = self._from_grant(grant)
        self._forget_rejection()
        await _in_thread(lambda: self._store(token))
        return token

    # -- remembered rejections ---------------------------------------------------------

    def _refuse_while_rejected(self) -> None:
        """Raise the remembered rejection while its window lasts: the endpoint is not asked."""
        with self._lock:
            rejection = self._rejection
        if rejection is None:
            return
        left = rejection.until - self._clock.monotonic()
        if left <= 0:
            return
        error = rejection.error
        raise AuthenticationError(
            f"{error} (remembered: the token endpoint is not asked again for {left:.1f} s "
            f"of a {rejection.window:g} s back-off)",
            url=error.url,
            status=error.status,
        )

    def _remember_rejection(self, exc: AuthenticationError) -> None:
        # Only "these credentials are not accepted": an outage or a bad URL is not remembered.
        if exc.status not in REJECTED_STATUSES:
            return
        with self._lock:
            window = self._next_rejection_window
            self._next_rejection_window = min(window * 2, REJECTION_BACKOFF_MAX)
            self._rejection = _Rejection(error=exc, until=self._clock.monotonic() + window, window=window)
        self._logger.warning(
            f"The OAuth token endpoint {self._settings.oauth_url} rejected client id "
            f"{self._settings.client_id!r} (HTTP {exc.status}); token requests fail at once "
            f"for the next {window:g} s"
        )

    def _forget_rejection(self) -> None:
        with self._lock:
            self._rejection = None
            self._next_rejection_window = REJECTION_BACKOFF_INITIAL

    def _from_grant(self, grant: TokenGrant) -> _LiveToken:
        now = self._clock.monotonic()
        lifetime = grant.expires_in
        margin = refresh_margin(lifetime)
        self._logger.debug(
            f"Fetched an OAuth token from {self._settings.oauth_url} for client id "
            f"{self._settings.client_id!r}: valid for {lifetime:.0f} s, refreshed "
            f"{margin:.0f} s before expiry"
        )
        return _LiveToken(
            value=grant.access_token,
            token_type=grant.token_type,
            expires_monotonic=now + lifetime,
            refresh_monotonic=now + lifetime - margin,
            expires_wall=self._clock.wall() + lifetime,
        )

    def _from_cached(self, cached: CachedToken | None) -> _LiveToken | None:
        if cached is None:
            return None
        if self._rejected is not None and cached.access_token == self._rejected:
            return None
        remaining = cached.expires_at - self._clock.wall()
        # Lifetime is unknown here: apply the margin to what is left, unclamped.
        margin = max(MIN_REFRESH_MARGIN, REFRESH_FRACTION * remaining)
        if not remaining > margin:
            return None
        now = self._clock.monotonic()
        self._logger.debug(
            f"Using a cached OAuth token for client id {self._settings.client_id!r} from "
            f"{self._cache!r}: {remaining:.0f} s left"
        )
        return _LiveToken(
            value=cached.access_token,
            token_type=cached.token_type,
            expires_monotonic=now + remaining,
            refresh_monotonic=now + remaining - margin,
            expires_wall=cached.expires_at,
        )

    def _store(self, token: _LiveToken) -> None:
        cached = CachedToken(
            access_token=token.value, expires_at=token.expires_wall, token_type=token.token_type
        )
        self._guard_cache("store", lambda: self._cache.store(self._key, cached))

    # -- invalidation ----------------------------------------------------------------

    def _forget(self, rejected: Secret) -> bool:
        """Drop ``rejected`` if it is still current; True if the cache may still hold it."""
        with self._lock:
            self._rejected = rejected
            current = self._token
            if current is not None and current.value == rejected:
                self._token = None
                return True
            # Someone already replaced it (and cleaned up), unless nothing is current.
            return current is None

    def _clear_cache_entry_if(self, rejected: Secret) -> None:
        def clear_if_rejected() -> None:
            cached = self._cache.load(self._key)
            if cached is not None and cached.access_token == rejected:
                self._cache.clear(self._key)

        self._guard_cache("clear", clear_if_rejected)

    def _guard_cache(self, action: str, operation: Callable[[], _T]) -> _T | None:
        # A cache is an optimisation: its failure must not fail authentication.
        try:
            return operation()
        except Exception as exc:
            current = self._token
            secrets = [self._settings.client_secret.reveal()]
            if current is not None:
                secrets.append(current.value.reveal())
            self._logger.warning(
                redact(
                    f"Token cache {self._cache!r} failed to {action}: {type(exc).__name__}: {exc}",
                    secrets,
                )
            )
            return None



def _for_waiter(exc: AuthenticationError) -> AuthenticationError:
    # Each waiter raises its own exception object: one instance raised in many
    # threads would have its traceback rewritten concurrently.
    return AuthenticationError(str(exc), url=exc.url, status=exc.status)


async def _in_thread(operation: Callable[[], _T]) -> _T:
    # Cache I/O (a file, a keyring over D-Bus) must not block the event loop.
    return await asyncio.to_thread(operation)

