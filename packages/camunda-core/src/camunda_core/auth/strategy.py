"""What an auth strategy is: a name and a factory for an ``httpx.Auth``.

Strategies are registered through the ``camunda_auth_strategies`` hook and
selected by ``CAMUNDA_AUTH_STRATEGY`` (or inferred from credentials).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import httpx

    from camunda_core.auth.token_cache import TokenCache
    from camunda_core.config import CamundaConfig
    from camunda_core.logging import SdkLogger
    from camunda_core.runtime.tls import TlsSettings

__all__ = ["AuthContext", "AuthStrategy"]


@attrs.frozen(kw_only=True)
class AuthContext:
    """Everything a strategy's factory may need to build its ``httpx.Auth``."""

    config: CamundaConfig
    logger: SdkLogger
    #: TLS settings of the client (custom CA, mTLS), for side requests such as a token fetch.
    tls: TlsSettings
    #: Builds the token cache selected by configuration (``CAMUNDA_TOKEN_CACHE``).
    token_cache: Callable[[], TokenCache]


@attrs.frozen(kw_only=True)
class AuthStrategy:
    """A named auth strategy.

    ``create`` returns an ``httpx.Auth``. Its flow must work for both the sync
    and the async client: implement ``auth_flow`` when no I/O of its own is
    needed, or ``sync_auth_flow`` and ``async_auth_flow`` when it is.
    """

    name: str
    create: Callable[[AuthContext], httpx.Auth]
    #: Shown in errors and docs, e.g. "OAuth 2.0 client credentials".
    description: str = ""
