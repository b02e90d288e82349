"""The SDK's built-in auth strategies, NONE and BASIC, as a plugin marked ``trylast``.

Registered first on every client's PluginManager, so a plugin offering a
strategy of the same name replaces it. The other defaults (retry policy,
logger, transport) are in ``camunda_core.defaults``.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from camunda_core.auth.basic import BasicAuth, NoAuth
from camunda_core.auth.strategy import AuthContext, AuthStrategy
from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.hookspecs import hookimpl


def _create_none(_context: AuthContext) -> httpx.Auth:
    return NoAuth()


def _create_basic(context: AuthContext) -> httpx.Auth:
    config = context.config
    if not config.basic_auth_username or config.basic_auth_password is None:
        raise ConfigurationError(
            [
                ConfigurationProblem(
                    "CAMUNDA_BASIC_AUTH_USERNAME",
                    "BASIC auth needs CAMUNDA_BASIC_AUTH_USERNAME and CAMUNDA_BASIC_AUTH_PASSWORD",
                )
            ]
        )
    return BasicAuth(config.basic_auth_username, config.basic_auth_password)


@hookimpl(trylast=True)
def camunda_auth_strategies() -> Sequence[AuthStrategy]:
    return [
        AuthStrategy(name="NONE", create=_create_none, description="no authentication"),
        AuthStrategy(name="BASIC", create=_create_basic, description="HTTP Basic (username and password)"),
    ]
