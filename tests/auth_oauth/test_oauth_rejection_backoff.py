"""A token endpoint's 400/401/403 is remembered for a back-off window instead of re-asked on every call.

The issue's repro: with bad credentials, three API calls made three token requests (the
official SDK makes one). Now the first call asks, the next fail at once with the same
``AuthenticationError`` until the window (1 s, doubling to 60 s) has passed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from oauth_testing import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUE,
    ApiServer,
    ConfigFactory,
    FakeClock,
    Reply,
    TokenServer,
)

from camunda_auth_oauth import OAuthClientCredentialsAuth
from camunda_auth_oauth.provider import REJECTION_BACKOFF_INITIAL, REJECTION_BACKOFF_MAX
from camunda_core.errors import AuthenticationError
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.sync_client import SyncClientRuntime

TOPOLOGY: Operation[Any] = Operation("getTopology", "GET", "/topology", response_kind="json")
INVALID_CLIENT = Reply(status=401, body={"error": "invalid_client", "error_description": "Bad credentials"})


def _configuration(api: ApiServer, token: TokenServer) -> dict[str, object]:
    return {
        "CAMUNDA_REST_ADDRESS": api.url.rsplit("/topology", 1)[0],
        "CAMUNDA_AUTH_STRATEGY": "OAUTH",
        "CAMUNDA_CLIENT_ID": CLIENT_ID,
        "CAMUNDA_CLIENT_SECRET": CLIENT_SECRET,
        "CAMUNDA_OAUTH_URL": token.url,
    }


def _check_names_the_fix(error: AuthenticationError, token: TokenServer, status: int = 401) -> None:
    message = str(error)
    assert "CAMUNDA_CLIENT_ID" in message and "CAMUNDA_CLIENT_SECRET" in message
    assert CLIENT_SECRET not in message
    assert error.status == status
    assert error.url == token.url


def test_three_sync_calls_make_one_token_request(api_server: ApiServer, token_server: TokenServer) -> None:
    token_server.default = INVALID_CLIENT
    errors: list[AuthenticationError] = []
    with SyncClientRuntime(_configuration(api_server, token_server), environ={}) as client:
        for _ in range(3):
            with pytest.raises(AuthenticationError) as caught:
                client.runtime.invoke(TOPOLOGY)
            errors.append(caught.value)
    assert token_server.count == 1
    assert api_server.count == 0
    for error in errors:
        _check_names_the_fix(error, token_server)
    assert "remembered" not in str(errors[0])
    assert "remembered" in str(errors[1]) and "1 s back-off" in str(errors[1])
    assert str(errors[0]) in str(errors[2])  # the same rejection, with the back-off note


def test_three_async_calls_make_one_token_request(api_server: ApiServer, token_server: TokenServer) -> None:
    token_server.default = INVALID_CLIENT

    async def run() -> list[AuthenticationError]:
        errors: list[AuthenticationError] = []
        async with AsyncClientRuntime(_configuration(api_server, token_server), environ={}) as client:
            for _ in range(3):
                with pytest.raises(AuthenticationError) as caught:
                    await client.runtime.ainvoke(TOPOLOGY)
                errors.append(caught.value)
        return errors

    errors = asyncio.run(run())
    assert token_server.count == 1
    assert api_server.count == 0
    for error in errors:
        _check_names_the_fix(error, token_server)
    assert "remembered" in str(errors[2])


@pytest.mark.parametrize("status", [400, 401, 403])
def test_window_expiring_asks_again(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock, status: int
) -> None:
    token_server.queue(Reply(status=status, body={"error": "invalid_client"}))
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)
    for _ in range(3):
        with pytest.raises(AuthenticationError) as caught:
            auth.get_token()
        _check_names_the_fix(caught.value, token_server, status)
    assert token_server.count == 1
    clock.advance(REJECTION_BACKOFF_INITIAL + 0.01)
    assert auth.get_token() == token_server.issued[0]
    assert token_server.count == 2


def test_async_window_expiring_asks_again(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    token_server.queue(INVALID_CLIENT)
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)

    async def run() -> str:
        for _ in range(3):
            with pytest.raises(AuthenticationError):
                await auth.aget_token()
        clock.advance(REJECTION_BACKOFF_INITIAL + 0.01)
        return await auth.aget_token()

    assert asyncio.run(run()) == token_server.issued[0]
    assert token_server.count == 2


def test_window_doubles_up_to_its_maximum_and_a_success_resets_it(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    token_server.default = INVALID_CLIENT
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)
    windows: list[float] = []
    window = REJECTION_BACKOFF_INITIAL
    while len(windows) < 9:
        asked = token_server.count
        with pytest.raises(AuthenticationError):
            auth.get_token()
        assert token_server.count == asked + 1
        # Just before the window ends it still fails at once; at its end it asks again.
        clock.advance(window - 0.01)
        with pytest.raises(AuthenticationError, match="remembered"):
            auth.get_token()
        assert token_server.count == asked + 1
        clock.advance(0.02)
        windows.append(window)
        window = min(window * 2, REJECTION_BACKOFF_MAX)
    assert windows == [1, 2, 4, 8, 16, 32, 60, 60, 60]

    token_server.default = None
    assert auth.get_token() == token_server.issued[0]
    auth.clear_cache()
    token_server.default = INVALID_CLIENT
    with pytest.raises(AuthenticationError):
        auth.get_token()
    with pytest.raises(AuthenticationError, match=r"of a 1 s back-off"):
        auth.get_token()  # back to the first window after a success


def test_outages_and_unexpected_statuses_are_not_remembered(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    token_server.queue(
        Reply(status=503, body={}), Reply(status=503, body={}), Reply(status=404, body={}), ISSUE
    )
    auth = OAuthClientCredentialsAuth(make_config(retry_max_attempts=2), clock=clock)
    with pytest.raises(AuthenticationError, match="after 2 attempts"):
        auth.get_token()
    with pytest.raises(AuthenticationError, match="HTTP 404"):
        auth.get_token()
    assert auth.get_token() == token_server.issued[0]
    assert token_server.count == 4


def test_new_credentials_are_asked_at_once(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    token_server.queue(INVALID_CLIENT)
    with pytest.raises(AuthenticationError):
        OAuthClientCredentialsAuth(make_config(), clock=clock).get_token()
    # A fixed secret means a new client (the settings of one are immutable): no back-off carried over.
    fixed = OAuthClientCredentialsAuth(make_config(), clock=clock)
    assert fixed.get_token() == token_server.issued[0]
    assert token_server.count == 2


def test_waiters_of_a_rejected_flight_share_the_one_request(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.queue(Reply(status=401, body={"error": "invalid_client"}, delay=0.2))
    auth = OAuthClientCredentialsAuth(make_config())

    async def one() -> BaseException | str:
        try:
            return await auth.aget_token()
        except AuthenticationError as exc:
            return exc

    async def run() -> list[BaseException | str]:
        return list(await asyncio.gather(*(one() for _ in range(10))))

    results = asyncio.run(run())
    assert all(isinstance(result, AuthenticationError) for result in results)
    assert token_server.count == 1
