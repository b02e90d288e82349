"""The httpx auth flow with plain httpx clients against a real bearer-checking API server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from oauth_testing import ApiServer, ConfigFactory, FakeClock, Reply, TokenServer

from camunda_auth_oauth import MemoryTokenCache, OAuthClientCredentialsAuth, refresh_margin
from camunda_core.errors import AuthenticationError


def test_requests_carry_the_bearer_token_and_reuse_it(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    auth = OAuthClientCredentialsAuth(make_config())
    with httpx.Client(auth=auth) as client:
        for _ in range(5):
            assert client.get(api_server.url).status_code == 200
    assert token_server.count == 1
    assert api_server.bearer_tokens() == [token_server.issued[0]] * 5


def test_async_requests_carry_the_bearer_token(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    auth = OAuthClientCredentialsAuth(make_config())

    async def run() -> list[int]:
        async with httpx.AsyncClient(auth=auth) as client:
            return [(await client.get(api_server.url)).status_code for _ in range(5)]

    assert asyncio.run(run()) == [200] * 5
    assert token_server.count == 1


def test_one_auth_object_across_event_loops(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    auth = OAuthClientCredentialsAuth(make_config())

    async def call() -> int:
        async with httpx.AsyncClient(auth=auth) as client:
            auth.clear_cache()  # force a token request on this loop
            return (await client.get(api_server.url)).status_code

    assert [asyncio.run(call()) for _ in range(3)] == [200, 200, 200]
    assert token_server.count == 3


# -- expiry and early refresh, on an injected clock ----------------------------------------


def test_refresh_margin_rule() -> None:
    assert refresh_margin(3600) == 180  # 5% of an hour
    assert refresh_margin(300) == 30  # the 30 s floor
    assert refresh_margin(40) == 20  # never more than half a (very short) lifetime


def test_token_is_refreshed_before_it_expires(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)
    first = auth.get_token()
    clock.advance(3600 - 180 - 1)  # just more than the margin left
    assert auth.get_token() == first
    assert token_server.count == 1
    clock.advance(2)  # now less than max(30 s, 5%) = 180 s left
    second = auth.get_token()
    assert second != first
    assert token_server.count == 2


def test_short_lifetime_uses_the_30_second_floor(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    token_server.lifetime = 120
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)
    auth.get_token()
    clock.advance(89)
    auth.get_token()
    assert token_server.count == 1
    clock.advance(2)
    auth.get_token()
    assert token_server.count == 2


def test_expired_token_is_replaced(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)
    first = auth.get_token()
    clock.advance(7200)
    assert auth.get_token() != first
    assert token_server.count == 2


def test_wall_clock_jumps_neither_expire_early_nor_keep_late(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)
    first = auth.get_token()
    clock.jump_wall(+10 * 3600)  # the date moved forward: the token is still young
    assert auth.get_token() == first
    clock.jump_wall(-20 * 3600)  # and backwards, while an hour really passes
    clock.advance(3600)
    assert auth.get_token() != first
    assert token_server.count == 2


def test_async_refresh_on_expiry(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)

    async def run() -> tuple[str, str, str]:
        first = await auth.aget_token()
        same = await auth.aget_token()
        clock.advance(3600)
        return first, same, await auth.aget_token()

    first, same, renewed = asyncio.run(run())
    assert first == same != renewed
    assert token_server.count == 2


# -- 401 replay -------------------------------------------------------------------------


def test_401_fetches_a_new_token_and_replays_once(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    cache = MemoryTokenCache()
    auth = OAuthClientCredentialsAuth(make_config(), token_cache=cache)
    with httpx.Client(auth=auth) as client:
        assert client.get(api_server.url).status_code == 200
        api_server.revoke_all()  # the server no longer accepts the token
        response = client.post(api_server.url, json={"replayed": "body"})
    assert response.status_code == 200
    assert token_server.count == 2
    first, second = token_server.issued
    assert api_server.bearer_tokens() == [first, first, second]
    # The replay carries the same body.
    assert api_server.requests[-1].method == "POST"
    assert cache.load(auth.settings.cache_key) is not None
    assert cache.load(auth.settings.cache_key).access_token.reveal() == second  # type: ignore[union-attr]


def test_second_401_is_returned_to_the_caller(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    api_server.default = Reply(status=401, body={"title": "Unauthorized"})
    auth = OAuthClientCredentialsAuth(make_config())
    with httpx.Client(auth=auth) as client:
        response = client.get(api_server.url)
    assert response.status_code == 401
    assert api_server.count == 2  # the original and exactly one replay
    assert token_server.count == 2


def test_async_401_replay_exactly_once(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    api_server.queue(Reply(status=401, body={}))
    auth = OAuthClientCredentialsAuth(make_config())

    async def run() -> int:
        async with httpx.AsyncClient(auth=auth) as client:
            return (await client.get(api_server.url)).status_code

    assert asyncio.run(run()) == 200
    assert api_server.count == 2
    assert token_server.count == 2

    api_server.default = Reply(status=401, body={})
    assert asyncio.run(run()) == 401
    assert api_server.count == 4


def test_401_on_a_one_shot_stream_is_returned_not_replayed(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    api_server.default = Reply(status=401, body={})
    auth = OAuthClientCredentialsAuth(make_config())

    def chunks() -> Iterator[bytes]:
        yield b"part-1"

    with httpx.Client(auth=auth) as client:
        response = client.post(api_server.url, content=chunks())
    assert response.status_code == 401
    assert api_server.count == 1


def test_other_errors_are_not_replayed(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    api_server.default = Reply(status=403, body={})
    with httpx.Client(auth=OAuthClientCredentialsAuth(make_config())) as client:
        assert client.get(api_server.url).status_code == 403
    assert api_server.count == 1
    assert token_server.count == 1


def test_token_endpoint_failure_surfaces_from_the_http_call(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.default = Reply(status=401, body={"error": "invalid_client"})
    with httpx.Client(auth=OAuthClientCredentialsAuth(make_config())) as client, pytest.raises(
        AuthenticationError, match="rejected client id"
    ):
        client.get(api_server.url)
    assert api_server.count == 0


# -- the public helpers ------------------------------------------------------------------


def test_force_refresh_fetches_a_new_token_bypassing_the_cache(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    cache = MemoryTokenCache()
    auth = OAuthClientCredentialsAuth(make_config(), token_cache=cache)
    first = auth.get_token()
    auth.force_refresh()
    second = auth.get_token()
    assert first != second
    assert token_server.count == 2
    assert cache.load(auth.settings.cache_key).access_token.reveal() == second  # type: ignore[union-attr]
    asyncio.run(auth.aforce_refresh())
    assert auth.get_token() == token_server.issued[2]


def test_clear_cache_forgets_the_token_everywhere(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    cache = MemoryTokenCache()
    auth = OAuthClientCredentialsAuth(make_config(), token_cache=cache)
    auth.get_token()
    auth.clear_cache()
    assert cache.load(auth.settings.cache_key) is None
    auth.get_token()
    assert token_server.count == 2


def test_a_second_client_reuses_the_cached_token(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    cache = MemoryTokenCache()
    first = OAuthClientCredentialsAuth(make_config(), token_cache=cache).get_token()
    second = OAuthClientCredentialsAuth(make_config(), token_cache=cache).get_token()
    assert first == second
    assert token_server.count == 1


def test_cached_token_close_to_expiry_is_not_used(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    cache = MemoryTokenCache(now=clock.wall)
    OAuthClientCredentialsAuth(make_config(), token_cache=cache, clock=clock).get_token()
    clock.advance(3600 - 29)  # less than 30 s left in the cache
    OAuthClientCredentialsAuth(make_config(), token_cache=cache, clock=clock).get_token()
    assert token_server.count == 2


def test_a_failing_cache_does_not_fail_authentication(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    class BrokenCache(MemoryTokenCache):
        def load(self, key: str) -> None:
            raise OSError("disk on fire")

        def store(self, key: str, token: object) -> None:  # type: ignore[override]
            raise OSError("disk on fire")

    warnings: list[str] = []

    class Collect:
        def debug(self, msg: str, *args: object, **kwargs: object) -> None: ...
        def info(self, msg: str, *args: object, **kwargs: object) -> None: ...
        def warning(self, msg: str, *args: object, **kwargs: object) -> None:
            warnings.append(msg)

        def error(self, msg: str, *args: object, **kwargs: object) -> None: ...

    auth = OAuthClientCredentialsAuth(make_config(), token_cache=BrokenCache(), logger=Collect())
    with httpx.Client(auth=auth) as client:
        assert client.get(api_server.url).status_code == 200
    assert any("failed to load" in w and "disk on fire" in w for w in warnings)
    assert any("failed to store" in w for w in warnings)


def test_close_and_aclose(token_server: TokenServer, make_config: ConfigFactory) -> None:
    auth = OAuthClientCredentialsAuth(make_config())
    auth.get_token()
    auth.close()
    auth.force_refresh()  # a closed client is recreated on demand
    assert token_server.count == 2

    async def run() -> None:
        await auth.aforce_refresh()
        await auth.aclose()

    asyncio.run(run())
    assert token_server.count == 3
