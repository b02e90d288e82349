"""The token-cache interface; implementations live in ``camunda-auth-oauth`` or plugins.

A cache stores access tokens between calls, and optionally between processes.
It is keyed by a string the auth strategy derives from the token endpoint,
client id, audience and scope. Expiry is wall-clock epoch seconds, because a
persisted token must be understood by another process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs

from camunda_core.types import Secret

if TYPE_CHECKING:
    from camunda_core.config import CamundaConfig
    from camunda_core.logging import SdkLogger

__all__ = ["CachedToken", "TokenCache", "TokenCacheFactory"]


@attrs.frozen(kw_only=True)
class CachedToken:
    access_token: Secret
    #: Wall-clock expiry (``time.time()`` seconds).
    expires_at: float
    token_type: str = "Bearer"


@runtime_checkable
class TokenCache(Protocol):
    """Stores tokens by key. Implementations must be thread-safe."""

    def load(self, key: str) -> CachedToken | None:
        """The stored token, or None if absent, unreadable or not trusted."""
        ...

    def store(self, key: str, token: CachedToken) -> None: ...

    def clear(self, key: str | None = None) -> None:
        """Forget one key, or everything this cache stores when key is None."""
        ...


@attrs.frozen(kw_only=True)
class TokenCacheFactory:
    """A named token cache, registered through the ``camunda_token_caches`` hook."""

    name: str
    create: Callable[[CamundaConfig, SdkLogger], TokenCache]
    description: str = ""
