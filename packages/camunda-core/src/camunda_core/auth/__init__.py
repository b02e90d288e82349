"""Authentication: strategies are ``httpx.Auth`` objects chosen by name.

NONE and BASIC are built in (:mod:`camunda_core.auth.basic`); OAUTH comes from
``camunda-auth-oauth``; any plugin can add its own through the
``camunda_auth_strategies`` hook.
"""

from camunda_core.auth.basic import BasicAuth, NoAuth
from camunda_core.auth.strategy import AuthContext, AuthStrategy
from camunda_core.auth.token_cache import CachedToken, TokenCache, TokenCacheFactory

__all__ = [
    "AuthContext",
    "AuthStrategy",
    "BasicAuth",
    "NoAuth",
    "CachedToken",
    "TokenCache",
    "TokenCacheFactory",
]
