"""OAuth 2.0 client credentials for the Camunda Python SDK.

Installing this distribution registers the ``OAUTH`` auth strategy and the
``memory``, ``disk``, ``keyring`` and ``keyring-or-memory`` token caches through
the ``camunda_orchestration_sdk`` entry point. See ``docs/oauth.md``.

The OS keyring needs the ``keyring`` extra (``pip install "camunda-auth-oauth[keyring]"``):
``KeyringTokenCache`` is imported on first access, so this package imports without it.
"""

from typing import TYPE_CHECKING, Any

from camunda_auth_oauth.auth import OAuthClientCredentialsAuth
from camunda_auth_oauth.caches import (
    KEYRING_EXTRA,
    KEYRING_SERVICE,
    DiskTokenCache,
    MemoryTokenCache,
)
from camunda_auth_oauth.clock import Clock, SystemClock
from camunda_auth_oauth.endpoint import TokenEndpoint, TokenGrant
from camunda_auth_oauth.provider import TokenProvider, refresh_margin
from camunda_auth_oauth.settings import OAuthConfigSource, OAuthSettings, RetrySettings

__all__ = [
    "OAuthClientCredentialsAuth",
    "OAuthConfigSource",
    "OAuthSettings",
    "RetrySettings",
    "TokenProvider",
    "TokenEndpoint",
    "TokenGrant",
    "MemoryTokenCache",
    "DiskTokenCache",
    "KeyringTokenCache",
    "KEYRING_SERVICE",
    "KEYRING_EXTRA",
    "Clock",
    "SystemClock",
    "refresh_margin",
]

if TYPE_CHECKING:
    from camunda_auth_oauth.keyring_cache import KeyringTokenCache


def __getattr__(name: str) -> Any:
    if name != "KeyringTokenCache":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from camunda_auth_oauth.keyring_cache import KeyringTokenCache
    except ImportError as exc:
        if exc.name is None or exc.name.split(".")[0] != "keyring":
            raise
        raise ImportError(
            f"KeyringTokenCache needs the keyring package: {KEYRING_EXTRA}", name=exc.name
        ) from exc
    globals()["KeyringTokenCache"] = KeyringTokenCache
    return KeyringTokenCache
