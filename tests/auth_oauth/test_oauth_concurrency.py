"""Single-flight: many concurrent callers, one token request (threads, tasks, and both at once)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from oauth_testing import ApiServer, ConfigFactory, FakeClock, Reply, TokenServer

from camunda_auth_oauth import OAuthClientCredentialsAuth
from camunda_core.errors import AuthenticationError

CALLERS = 100


def _in_threads(count: int, work: Callable[[], object]) -> list[object]:
    """Run ``work`` in ``count`` threads released together; results or exceptions."""
    barrier = threading.Barrier(count)

    def run() -> object:
        barrier.wait()
        try:
            return work()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: run(), range(count)))


def test_100_threads_without_a_token_cause_one_request(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.queue(Reply(status=-1, delay=0.2))  # issue slowly, so callers pile up
    auth = OAuthClientCredentialsAuth(make_config())
    results = _in_threads(CALLERS, auth.get_token)
    assert token_server.count == 1
    assert set(results) == {token_server.issued[0]}


def test_100_threads_with_an_expired_token_cause_one_request(
    token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)
    auth.get_token()
    clock.advance(3600)
    token_server.queue(Reply(status=-1, delay=0.2))
    results = _in_threads(CALLERS, auth.get_token)
    assert token_server.count == 2
    assert set(results) == {token_server.issued[1]}


def test_100_threads_making_http_calls(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.queue(Reply(status=-1, delay=0.2))
    auth = OAuthClientCredentialsAuth(make_config())
    with httpx.Client(auth=auth, limits=httpx.Limits(max_connections=CALLERS)) as client:
        statuses = _in_threads(CALLERS, lambda: client.get(api_server.url).status_code)
    assert statuses == [200] * CALLERS
    assert token_server.count == 1


def test_100_tasks_without_a_token_cause_one_request(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.queue(Reply(status=-1, delay=0.2))
    auth = OAuthClientCredentialsAuth(make_config())

    async def run() -> list[str]:
        return await asyncio.gather(*(auth.aget_token() for _ in range(CALLERS)))

    assert set(asyncio.run(run())) == {token_server.issued[0]}
    assert token_server.count == 1


def test_100_tasks_with_an_expired_token_making_http_calls(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory, clock: FakeClock
) -> None:
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)

    async def run() -> list[int]:
        async with httpx.AsyncClient(
            auth=auth, limits=httpx.Limits(max_connections=CALLERS)
        ) as client:
            await client.get(api_server.url)
            clock.advance(3600)
            token_server.queue(Reply(status=-1, delay=0.2))
            responses = await asyncio.gather(*(client.get(api_server.url) for _ in range(CALLERS)))
            return [r.status_code for r in responses]

    assert asyncio.run(run()) == [200] * CALLERS
    assert token_server.count == 2


def test_sync_and_async_clients_sharing_one_auth_fetch_once(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.queue(Reply(status=-1, delay=0.3))
    auth = OAuthClientCredentialsAuth(make_config())
    start = threading.Barrier(2 + 1)

    def threads() -> list[object]:
        start.wait()
        return _in_threads(50, auth.get_token)

    def tasks() -> list[str]:
        async def run() -> list[str]:
            start.wait()
            return await asyncio.gather(*(auth.aget_token() for _ in range(50)))

        return asyncio.run(run())

    with ThreadPoolExecutor(max_workers=2) as pool:
        from_threads = pool.submit(threads)
        from_tasks = pool.submit(tasks)
        start.wait()
        results = [*from_threads.result(), *from_tasks.result()]
    assert token_server.count == 1
    assert set(results) == {token_server.issued[0]}


def test_outage_fails_every_caller_with_one_retry_sequence(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.default = Reply(status=503, body={}, delay=0.05)
    auth = OAuthClientCredentialsAuth(make_config(retry_max_attempts=3))
    results = _in_threads(CALLERS, auth.get_token)
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert all("after 3 attempts: HTTP 503" in str(r) for r in results)
    assert token_server.count == 3  # one leader's attempts, not 100 x 3
    # Each waiter got its own exception object.
    assert len({id(r) for r in results}) == CALLERS


def test_async_outage_fails_every_task(token_server: TokenServer, make_config: ConfigFactory) -> None:
    token_server.default = Reply(status=500, body={}, delay=0.05)
    auth = OAuthClientCredentialsAuth(make_config(retry_max_attempts=2))

    async def run() -> list[BaseException | str]:
        return await asyncio.gather(
            *(auth.aget_token() for _ in range(CALLERS)), return_exceptions=True
        )

    results = asyncio.run(run())
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert token_server.count == 2


async def _until_requested(server: TokenServer, count: int) -> None:
    # Polls a condition (not a duration); the bound only stops a broken test.
    for _ in range(5000):
        if server.count >= count:
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the token request never arrived")


def test_cancelled_leader_hands_over_to_a_waiter(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.queue(Reply(status=-1, delay=0.5))  # the leader's request is slow
    auth = OAuthClientCredentialsAuth(make_config())

    async def run() -> list[str]:
        leader = asyncio.ensure_future(auth.aget_token())
        await _until_requested(token_server, 1)  # the leader now waits on the endpoint
        waiters = [asyncio.ensure_future(auth.aget_token()) for _ in range(10)]
        await asyncio.sleep(0)
        leader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await leader
        return list(await asyncio.gather(*waiters))

    results = asyncio.run(run())
    assert len(set(results)) == 1
    assert token_server.count == 2  # the abandoned request, then one for all waiters


def test_cancelled_waiter_does_not_disturb_the_leader(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.queue(Reply(status=-1, delay=0.3))
    auth = OAuthClientCredentialsAuth(make_config())

    async def run() -> str:
        leader = asyncio.ensure_future(auth.aget_token())
        await _until_requested(token_server, 1)
        waiter = asyncio.ensure_future(auth.aget_token())
        await asyncio.sleep(0)
        waiter.cancel()
        return await leader

    assert asyncio.run(run()) == token_server.issued[0]
    assert token_server.count == 1


def test_concurrent_401s_refresh_once(
    api_server: ApiServer, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    auth = OAuthClientCredentialsAuth(make_config())
    with httpx.Client(auth=auth, limits=httpx.Limits(max_connections=CALLERS)) as client:
        assert client.get(api_server.url).status_code == 200
        api_server.revoke_all()
        token_server.queue(Reply(status=-1, delay=0.2))
        statuses = _in_threads(CALLERS, lambda: client.get(api_server.url).status_code)
    assert statuses == [200] * CALLERS
    assert token_server.count == 2
