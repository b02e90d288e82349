"""The plugin module named by the entry point: two hook implementations.

* ``camunda_config_variables`` declares ``CAMUNDA_STATIC_TOKEN`` (a secret), so
  the SDK resolves it like its own variables (``.env`` < environment <
  explicit dict) and exposes it as ``config.extra["CAMUNDA_STATIC_TOKEN"]``.
* ``camunda_auth_strategies`` offers ``STATIC_TOKEN``, whose factory turns
  that value into an ``httpx.Auth``.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import httpx

from camunda_core.auth.strategy import AuthContext, AuthStrategy
from camunda_core.config import Variable
from camunda_core.config.parsers import parse_secret
from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.hookspecs import hookimpl
from camunda_core.types import Secret

__all__ = [
    "STATIC_TOKEN_VARIABLE",
    "StaticTokenAuth",
    "camunda_auth_strategies",
    "camunda_config_variables",
]

STATIC_TOKEN_VARIABLE = "CAMUNDA_STATIC_TOKEN"


class StaticTokenAuth(httpx.Auth):
    """Adds the same bearer token to every request. No I/O, so one ``auth_flow`` serves sync and async."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "StaticTokenAuth(token=***)"


def _create(context: AuthContext) -> httpx.Auth:
    token = context.config.extra.get(STATIC_TOKEN_VARIABLE)
    if not isinstance(token, Secret) or not token.reveal():
        raise ConfigurationError(
            [ConfigurationProblem(STATIC_TOKEN_VARIABLE, "is required for the STATIC_TOKEN auth strategy")]
        )
    return StaticTokenAuth(token)


@hookimpl
def camunda_config_variables() -> Sequence[Variable]:
    return [
        Variable(
            name=STATIC_TOKEN_VARIABLE,
            description="Bearer token sent on every request by the STATIC_TOKEN auth strategy.",
            parse=parse_secret,
            kind="secret",
            secret=True,
        )
    ]


@hookimpl
def camunda_auth_strategies() -> Sequence[AuthStrategy]:
    return [
        AuthStrategy(
            name="STATIC_TOKEN",
            create=_create,
            description=f"a fixed bearer token from {STATIC_TOKEN_VARIABLE}",
        )
    ]
