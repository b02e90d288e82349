"""OAuth 2.0 client credentials for the Camunda Python SDK.

Installing this distribution registers the ``OAUTH`` auth strategy and the
``memory``, ``disk``, ``keyring`` and ``keyring-or-memory`` token caches through
the ``camunda_orchestration_sdk`` entry point. See ``docs/oauth.md``.
"""

from camunda_auth_oauth.auth import OAuthClientCredentialsAuth
from camunda_auth_oauth.caches import (
    KEYRING_SERVICE,
    DiskTokenCache,
    KeyringTokenCache,
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
    "Clock",
    "SystemClock",
    "refresh_margin",
]
