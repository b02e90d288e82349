"""The NONE and BASIC auth strategies: pure ``auth_flow`` generators, shared by sync and async."""

from __future__ import annotations

import base64
from collections.abc import Generator

import httpx

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
        self._username = username
        token = base64.b64encode(f"{username}:{password.reveal()}".encode()).decode("ascii")
        self._header = Secret(f"Basic {token}")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header.reveal()
        yield request

    def __repr__(self) -> str:
        return f"BasicAuth(username={self._username!r}, password='***')"
