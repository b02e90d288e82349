"""The SDK's built-in plugin: defaults for every firstresult hook, all ``trylast``.

Registered first on every client's PluginManager, so any plugin overrides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx

from camunda_core.auth.basic import BasicAuth, NoAuth
from camunda_core.auth.strategy import AuthContext, AuthStrategy
from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from camunda_core.config import CamundaConfig
    from camunda_core.logging import SdkLogger
    from camunda_core.runtime.retry import RetryPolicy


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


@hookimpl(trylast=True)
def camunda_retry_policy(config: CamundaConfig) -> RetryPolicy | None:
    from camunda_core.runtime.retry import DefaultRetryPolicy

    return DefaultRetryPolicy.from_config(config)


@hookimpl(trylast=True)
def camunda_logger(config: CamundaConfig) -> SdkLogger | None:
    from camunda_core.logging import default_logger

    return default_logger(config.log_level_explicit)


@hookimpl(trylast=True)
def camunda_http_transport(
    config: CamundaConfig, asynchronous: bool
) -> httpx.BaseTransport | httpx.AsyncBaseTransport | None:
    from camunda_core.runtime.transport import default_transport

    return default_transport(config, asynchronous=asynchronous)
