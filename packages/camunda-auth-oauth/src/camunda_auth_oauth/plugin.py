"""The pluggy plugin: the OAUTH auth strategy and the memory, disk and keyring token caches.

Registered through the ``camunda_orchestration_sdk`` entry point
(``oauth = "camunda_auth_oauth.plugin"``), so installing this distribution is
enough for ``CAMUNDA_AUTH_STRATEGY=OAUTH`` to work.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from camunda_auth_oauth.auth import OAuthClientCredentialsAuth
from camunda_auth_oauth.caches import (
    create_disk_cache,
    create_keyring_cache,
    create_keyring_or_memory_cache,
    create_memory_cache,
)
from camunda_core.auth.strategy import AuthContext, AuthStrategy
from camunda_core.auth.token_cache import TokenCacheFactory
from camunda_core.hookspecs import hookimpl

__all__ = ["STRATEGY_NAME", "camunda_auth_strategies", "camunda_token_caches", "create"]

STRATEGY_NAME = "OAUTH"


def create(context: AuthContext) -> httpx.Auth:
    """The OAUTH strategy's factory."""
    return OAuthClientCredentialsAuth.from_context(context)


@hookimpl
def camunda_auth_strategies() -> Sequence[AuthStrategy]:
    return [
        AuthStrategy(
            name=STRATEGY_NAME,
            create=create,
            description="OAuth 2.0 client credentials (CAMUNDA_CLIENT_ID, CAMUNDA_CLIENT_SECRET)",
        )
    ]


@hookimpl
def camunda_token_caches() -> Sequence[TokenCacheFactory]:
    return [
        TokenCacheFactory(
            name="memory",
            create=create_memory_cache,
            description="In this process only (the default)",
        ),
        TokenCacheFactory(
            name="disk",
            create=create_disk_cache,
            description="Private files in CAMUNDA_TOKEN_CACHE_DIR, shared between processes",
        ),
        TokenCacheFactory(
            name="keyring",
            create=create_keyring_cache,
            description="The OS keyring; an error if none is usable",
        ),
        TokenCacheFactory(
            name="keyring-or-memory",
            create=create_keyring_or_memory_cache,
            description="The OS keyring if usable, else memory (with a warning)",
        ),
    ]
