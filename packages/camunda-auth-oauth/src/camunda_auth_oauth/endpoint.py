"""The token endpoint: one client-credentials request, retried when the failure is transient.

A certificate that cannot be verified is not transient: it fails at once.

Requests go through this module's own httpx clients (never the API client's),
with redirects disabled: a 307/308 would resend the form body, and the form
body holds the client secret.
"""

from __future__ import annotations

import asyncio
import json
import random
import ssl
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import attrs
import httpx

from camunda_auth_oauth.settings import OAuthSettings
from camunda_core.errors import AuthenticationError
from camunda_core.logging import NullLogger, SdkLogger, redact
from camunda_core.retry.backoff import apply_retry_after
from camunda_core.retry.retry_after import retry_after_from_headers
from camunda_core.runtime.tls import TlsSettings
from camunda_core.types import Secret

__all__ = ["TokenGrant", "TokenEndpoint", "REJECTED_STATUSES"]

# Statuses worth another attempt: the endpoint is overloaded or briefly broken.
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
#: Statuses that mean "these credentials are not accepted" (remembered by the provider).
REJECTED_STATUSES = frozenset({400, 401, 403})
# An OAuth error field is short; anything longer is not worth repeating.
_ERROR_FIELD_LIMIT = 300


@attrs.frozen(kw_only=True)
class TokenGrant:
    """A successful token response. ``repr`` hides the token."""

    access_token: Secret
    #: Seconds the token is valid for, from the moment it was received.
    expires_in: float
    token_type: str = "Bearer"


@attrs.frozen
class _Transient:
    """A failure worth retrying, with a message safe to show."""

    reason: str
    status: int | None = None
    retry_after: float | None = None


class TokenEndpoint:
    """Fetches tokens for one set of :class:`OAuthSettings`. Thread-safe.

    The sync ``httpx.Client`` is created on first use; an ``httpx.AsyncClient``
    is created per event loop on first use there (an async client cannot be
    shared between loops), and dropped with its loop.
    """

    def __init__(
        self,
        settings: OAuthSettings,
        *,
        tls: TlsSettings | None = None,
        logger: SdkLogger | None = None,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Any] = asyncio.sleep,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        self._settings = settings
        self._tls = tls or TlsSettings()
        self._logger: SdkLogger = logger or NullLogger()
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._random_fraction = random_fraction
        self._lock = threading.Lock()
        self._verify: ssl.SSLContext | bool | None = None
        self._sync_client: httpx.Client | None = None
        self._async_clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, httpx.AsyncClient
        ] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return (
            f"TokenEndpoint(url={self._settings.oauth_url!r}, "
            f"client_id={self._settings.client_id!r})"
        )

    @property
    def url(self) -> str:
        return self._settings.oauth_url

    # -- the request, sync and async ------------------------------------------------

    def fetch(self) -> TokenGrant:
        """Request a token, retrying transient failures; raise ``AuthenticationError`` otherwise."""
        retry = self._settings.retry
        last: _Transient = _Transient("no attempt was made")
        for attempt in range(1, retry.max_attempts + 1):
            try:
                response = self._client().post(
                    self.url, data=self._settings.form(), headers=_REQUEST_HEADERS
                )
            except httpx.TransportError as exc:
                last = self._transport_failure(exc)
            else:
                outcome = self._interpret(response)
                if isinstance(outcome, TokenGrant):
                    return outcome
                last = outcome
            if attempt < retry.max_attempts:
                delay = self._delay(attempt, last)
                self._log_retry(attempt, delay, last)
                self._sleep(delay)
        raise self._gave_up(last)

    async def afetch(self) -> TokenGrant:
        """Async :meth:`fetch`."""
        retry = self._settings.retry
        last: _Transient = _Transient("no attempt was made")
        for attempt in range(1, retry.max_attempts + 1):
            try:
                response = await self._async_client().post(
                    self.url, data=self._settings.form(), headers=_REQUEST_HEADERS
                )
            except httpx.TransportError as exc:
                last = self._transport_failure(exc)
            else:
                outcome = self._interpret(response)
                if isinstance(outcome, TokenGrant):
                    return outcome
                last = outcome
            if attempt < retry.max_attempts:
                delay = self._delay(attempt, last)
                self._log_retry(attempt, delay, last)
                await self._async_sleep(delay)
        raise self._gave_up(last)

    # -- clients ---------------------------------------------------------------------

    def _verify_setting(self) -> ssl.SSLContext | bool:
        # Built once: with mTLS it writes (and deletes) temporary key files.
        if self._verify is None:
            self._verify = self._tls.ssl_context()
        return self._verify

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._sync_client is None:
                self._sync_client = httpx.Client(
                    follow_redirects=False,
                    timeout=self._settings.timeout,
                    verify=self._verify_setting(),
                    trust_env=True,
                )
            return self._sync_client

    def _async_client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._async_clients.get(loop)
            if client is None:
                client = httpx.AsyncClient(
                    follow_redirects=False,
                    timeout=self._settings.timeout,
                    verify=self._verify_setting(),
                    trust_env=True,
                    # Token requests are rare (one per token lifetime): a pooled
                    # connection would only outlive its event loop.
                    limits=httpx.Limits(max_keepalive_connections=0),
                )
                self._async_clients[loop] = client
            return client

    def close(self) -> None:
        """Close the sync client (the async ones are closed by :meth:`aclose`)."""
        with self._lock:
            client, self._sync_client = self._sync_client, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close the async client of the running event loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._async_clients.pop(loop, None)
        if client is not None:
            await client.aclose()

    # -- pure interpretation (shared by both flows) ------------------------------------

    def _interpret(self, response: httpx.Response) -> TokenGrant | _Transient:
        """A grant, a transient failure, or raise for a definitive one."""
        status = response.status_code
        url = self.url
        if 200 <= status < 300:
            return self._parse_grant(response)
        if 300 <= status < 400:
            location = response.headers.get("location")
            where = f" to {location}" if location else ""
            raise AuthenticationError(
                f"The OAuth token endpoint {url} answered HTTP {status} (a redirect{where}). "
                "Token requests never follow redirects, because the redirected request would "
                "carry the client secret again; set CAMUNDA_OAUTH_URL to the final token URL.",
                url=url,
                status=status,
            )
        if status in _TRANSIENT_STATUSES:
            return _Transient(
                f"HTTP {status}", status=status, retry_after=retry_after_from_headers(response.headers)
            )
        error = self._oauth_error(response)
        if status in REJECTED_STATUSES:
            raise AuthenticationError(
                f"The OAuth token endpoint {url} rejected client id "
                f"{self._settings.client_id!r}: {error or 'no error details'} (HTTP {status}). "
                "Check CAMUNDA_CLIENT_ID, CAMUNDA_CLIENT_SECRET, CAMUNDA_TOKEN_AUDIENCE "
                "and CAMUNDA_OAUTH_URL.",
                url=url,
                status=status,
            )
        raise AuthenticationError(
            f"The OAuth token endpoint {url} answered HTTP {status} for client id "
            f"{self._settings.client_id!r}" + (f": {error}" if error else ""),
            url=url,
            status=status,
        )

    def _parse_grant(self, response: httpx.Response) -> TokenGrant:
        # A success body may hold a token: no message below ever quotes it.
        url = self.url
        status = response.status_code
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            content_type = response.headers.get("content-type", "none")
            raise AuthenticationError(
                f"The OAuth token endpoint {url} answered HTTP {status} with a body that is not "
                f"JSON (content-type {content_type!r}); is CAMUNDA_OAUTH_URL the token endpoint?",
                url=url,
                status=status,
            ) from None
        if not isinstance(body, dict):
            raise AuthenticationError(
                f"The OAuth token endpoint {url} answered HTTP {status} with JSON that is not "
                "an object",
                url=url,
                status=status,
            )
        fields: dict[str, Any] = body  # pyright: ignore[reportUnknownVariableType]
        access_token = fields.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise AuthenticationError(
                f"The OAuth token response from {url} has no access_token",
                url=url,
                status=status,
            )
        expires_in = _positive_seconds(fields.get("expires_in"))
        if expires_in is None:
            state = "no" if fields.get("expires_in") is None else "an invalid"
            raise AuthenticationError(
                f"The OAuth token response from {url} has {state} expires_in "
                "(a positive number of seconds is required)",
                url=url,
                status=status,
            )
        token_type = fields.get("token_type")
        return TokenGrant(
            access_token=Secret(access_token),
            expires_in=expires_in,
            token_type=token_type if isinstance(token_type, str) and token_type else "Bearer",
        )

    def _oauth_error(self, response: httpx.Response) -> str | None:
        """``error/error_description`` from an RFC 6749 error body, if it has one."""
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(body, dict):
            return None
        fields: dict[str, Any] = body  # pyright: ignore[reportUnknownVariableType]
        parts = [
            _short(value)
            for value in (fields.get("error"), fields.get("error_description"))
            if isinstance(value, str) and value
        ]
        if not parts:
            return None
        return redact("/".join(parts), [self._settings.client_secret.reveal()])

    def _transport_failure(self, exc: httpx.TransportError) -> _Transient:
        """A transient failure, or raise for a certificate that cannot be verified."""
        unverified = _certificate_error(exc)
        if unverified is not None:
            reason = unverified.verify_message or unverified.reason or "certificate verify failed"
            raise AuthenticationError(
                f"The TLS certificate of the OAuth token endpoint {self.url} could not be verified "
                f"(certificate verify failed: {reason}). Retrying cannot help: if the endpoint uses a "
                "private CA, set CAMUNDA_CUSTOM_ROOT_CERT_PATH to that CA's certificate (PEM); "
                "otherwise check CAMUNDA_OAUTH_URL.",
                url=self.url,
            ) from None
        if isinstance(exc, httpx.TimeoutException):
            return _Transient(
                f"timed out after {self._settings.timeout:g} s ({type(exc).__name__})"
            )
        detail = redact(str(exc), [self._settings.client_secret.reveal()])
        return _Transient(f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__)

    def _delay(self, attempt: int, failure: _Transient) -> float:
        retry = self._settings.retry
        delay = retry.delay_before(attempt, self._random_fraction())
        # A Retry-After raises the delay, but never past CAMUNDA_RETRY_MAX_DELAY_MS.
        return apply_retry_after(delay, failure.retry_after, cap=retry.max_delay)

    def _log_retry(self, attempt: int, delay: float, failure: _Transient) -> None:
        self._logger.debug(
            f"OAuth token request to {self.url} failed ({failure.reason}); "
            f"retry {attempt} of {self._settings.retry.max_attempts - 1} in {delay:.3f} s"
        )

    def _gave_up(self, failure: _Transient) -> AuthenticationError:
        attempts = self._settings.retry.max_attempts
        noun = "attempt" if attempts == 1 else "attempts"
        return AuthenticationError(
            f"Could not obtain an OAuth token from {self.url} for client id "
            f"{self._settings.client_id!r} after {attempts} {noun}: {failure.reason}",
            url=self.url,
            status=failure.status,
        )


_REQUEST_HEADERS = {"Accept": "application/json"}


def _certificate_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate-verification failure behind an httpx error, if that is what it is."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _positive_seconds(value: object) -> float | None:
    # Some identity providers send expires_in as a numeric string.
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and value > 0 and value != float("inf"):
        return float(value)
    return None


def _short(text: str) -> str:
    return text if len(text) <= _ERROR_FIELD_LIMIT else text[:_ERROR_FIELD_LIMIT] + "…"
