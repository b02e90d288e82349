"""The OAuth settings this package reads from a client configuration, validated once.

The plugin is handed a ``camunda_core.config.CamundaConfig``; it only reads the
attributes listed in :class:`OAuthConfigSource`, so anything with those
attributes (a test stand-in, a hand-built object) works as well.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Protocol

import attrs
import httpx

from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.retry.backoff import backoff_delay
from camunda_core.types import Secret

__all__ = ["OAuthConfigSource", "OAuthSettings", "RetrySettings", "hashed_key"]


class OAuthConfigSource(Protocol):
    """The configuration attributes this package reads (``CamundaConfig`` has them all)."""

    @property
    def client_id(self) -> str | None: ...
    @property
    def client_secret(self) -> Secret | None: ...
    @property
    def oauth_url(self) -> str: ...
    @property
    def token_audience(self) -> str: ...
    @property
    def oauth_scope(self) -> str | None: ...
    @property
    def oauth_timeout(self) -> float: ...
    @property
    def token_cache(self) -> str: ...
    @property
    def token_cache_dir(self) -> Path | None: ...
    @property
    def token_disk_cache_disable(self) -> bool: ...
    @property
    def retry_max_attempts(self) -> int: ...
    @property
    def retry_initial_delay(self) -> float: ...
    @property
    def retry_max_delay(self) -> float: ...


@attrs.frozen(kw_only=True)
class RetrySettings:
    """How transient token-endpoint failures are retried (exponential backoff, full jitter)."""

    #: Total attempts, the first included.
    max_attempts: int = 3
    initial_delay: float = 0.5
    max_delay: float = 10.0

    def delay_before(self, retry_number: int, random_fraction: float) -> float:
        """Delay before retry ``retry_number`` (1-based); ``random_fraction`` in [0, 1).

        The SDK's one backoff (:func:`camunda_core.retry.backoff.backoff_delay`), full jitter.
        """
        return backoff_delay(
            retry_number,
            initial=self.initial_delay,
            max_delay=self.max_delay,
            jitter="full",
            random=lambda: random_fraction,
        )


@attrs.frozen(kw_only=True)
class OAuthSettings:
    """Validated client-credentials settings. ``repr`` never shows the secret."""

    oauth_url: str
    client_id: str
    client_secret: Secret
    audience: str
    scope: str | None
    #: Seconds, applied to connect, read, write and pool of each token request.
    timeout: float
    retry: RetrySettings = RetrySettings()

    @classmethod
    def from_config(cls, config: OAuthConfigSource) -> OAuthSettings:
        """Read and validate; every problem is reported at once in a ``ConfigurationError``."""
        problems: list[ConfigurationProblem] = []
        client_id = config.client_id
        if not isinstance(client_id, str) or not client_id.strip():
            problems.append(
                ConfigurationProblem("CAMUNDA_CLIENT_ID", "is required for the OAUTH auth strategy")
            )
        secret = config.client_secret
        if not isinstance(secret, Secret) or not secret.reveal():
            problems.append(
                ConfigurationProblem(
                    "CAMUNDA_CLIENT_SECRET", "is required for the OAUTH auth strategy"
                )
            )
        url_problem = _check_http_url(config.oauth_url)
        if url_problem:
            problems.append(ConfigurationProblem("CAMUNDA_OAUTH_URL", url_problem))
        timeout = config.oauth_timeout
        if not _is_number(timeout) or timeout <= 0:
            problems.append(
                ConfigurationProblem(
                    "CAMUNDA_OAUTH_TIMEOUT_MS", f"must be a positive duration, got {timeout!r} s"
                )
            )
        attempts = config.retry_max_attempts
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            problems.append(
                ConfigurationProblem(
                    "CAMUNDA_RETRY_MAX_ATTEMPTS", f"must be an integer >= 1, got {attempts!r}"
                )
            )
        for variable, value in (
            ("CAMUNDA_RETRY_INITIAL_DELAY_MS", config.retry_initial_delay),
            ("CAMUNDA_RETRY_MAX_DELAY_MS", config.retry_max_delay),
        ):
            if not _is_number(value) or value < 0:
                problems.append(
                    ConfigurationProblem(variable, f"must be a duration >= 0, got {value!r} s")
                )
        if problems:
            raise ConfigurationError(problems)
        assert isinstance(client_id, str) and isinstance(secret, Secret)
        scope = config.oauth_scope
        return cls(
            oauth_url=config.oauth_url.strip(),
            client_id=client_id.strip(),
            client_secret=secret,
            audience=(config.token_audience or "").strip(),
            scope=scope.strip() if scope and scope.strip() else None,
            timeout=float(timeout),
            retry=RetrySettings(
                max_attempts=attempts,
                initial_delay=float(config.retry_initial_delay),
                max_delay=float(config.retry_max_delay),
            ),
        )

    @property
    def cache_key(self) -> str:
        """The token-cache key: canonical JSON of endpoint, client id, audience and scope.

        Stored alongside persisted tokens, so a cache can tell its own entry
        from a foreign one. It holds no secret.
        """
        return json.dumps(
            {
                "oauth_url": self.oauth_url,
                "client_id": self.client_id,
                "audience": self.audience,
                "scope": self.scope,
            },
            sort_keys=True,
            separators=(",", ":"),
        )

    def form(self) -> dict[str, str]:
        """The token request body (``client_secret_post``). Contains the secret."""
        body = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret.reveal(),
        }
        if self.audience:
            body["audience"] = self.audience
        if self.scope:
            body["scope"] = self.scope
        return body


def hashed_key(key: str) -> str:
    """SHA-256 hex of a cache key: a file name or keyring user name that reveals nothing."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_http_url(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "is required for the OAUTH auth strategy"
    try:
        url = httpx.URL(value.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        return f"is not a valid URL ({exc})"
    if url.scheme not in ("http", "https") or not url.host:
        return f"must be an absolute http(s) URL, got {value!r}"
    return None
