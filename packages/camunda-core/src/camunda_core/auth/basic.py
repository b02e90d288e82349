"""The NONE and BASIC auth strategies: pure ``auth_flow`` generators, shared by sync and async."""

from __future__ import annotations

import base64
from collections.abc import Generator

import httpx

from camunda_core.config.parsers import unsafe_character
from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.types import Secret

__all__ = ["NoAuth", "BasicAuth"]


class NoAuth(httpx.Auth):
    """Sends requests as they are (local development, unauthenticated clusters)."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield request

    def __repr__(self) -> str:
        return "NoAuth()"


class BasicAuth(httpx.Auth):
    """HTTP Basic with a username and a password that never appears in a repr."""

    def __init__(self, username: str, password: Secret) -> None:
        # Resolution checks the variables already; this covers direct construction.
        _check_credentials(username, password)
        self._username = username
        token = base64.b64encode(f"{username}:{password.reveal()}".encode()).decode("ascii")
        self._header = Secret(f"Basic {token}")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header.reveal()
        yield request

    def __repr__(self) -> str:
        return f"BasicAuth(username={self._username!r}, password='***')"


def _check_credentials(username: str, password: Secret) -> None:
    problems: list[ConfigurationProblem] = []
    bad_user = unsafe_character(username)
    if bad_user is not None:
        problems.append(
            ConfigurationProblem(
                "CAMUNDA_BASIC_AUTH_USERNAME",
                f"contains a control character ({bad_user}), which an HTTP header cannot carry",
            )
        )
    elif ":" in username:
        problems.append(
            ConfigurationProblem(
                "CAMUNDA_BASIC_AUTH_USERNAME",
                "must not contain ':' (Basic auth separates user name and password with it)",
            )
        )
    bad_password = unsafe_character(password.reveal())
    if bad_password is not None:
        problems.append(
            ConfigurationProblem(
                "CAMUNDA_BASIC_AUTH_PASSWORD",
                f"contains a control character ({bad_password}), which an HTTP header cannot carry",
            )
        )
    if problems:
        raise ConfigurationError(problems)
