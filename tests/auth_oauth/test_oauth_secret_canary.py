"""Canary: with every logger at its most verbose, no secret or token shows up anywhere.

The auth is given *raw* loggers (no redacting wrapper), so its own messages
must be clean by construction. Everything is collected: stdlib records from
every logger (httpx and httpcore included), a loguru sink at TRACE, exception
messages and reprs.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from loguru import logger as loguru_logger
from oauth_testing import CLIENT_SECRET, ISSUE, ApiServer, ConfigFactory, Reply, TokenServer

from camunda_auth_oauth import (
    DiskTokenCache,
    OAuthClientCredentialsAuth,
    OAuthSettings,
)
from camunda_auth_oauth.caches import create_keyring_or_memory_cache
from camunda_core.config import CamundaConfig
from camunda_core.logging import SdkLogger
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.sync_client import SyncClientRuntime


@pytest.fixture
def loguru_lines() -> Iterator[list[str]]:
    lines: list[str] = []
    modules = ("camunda_core", "camunda_auth_oauth", "camunda_orchestration_sdk")
    for name in modules:
        loguru_logger.enable(name)
    sink = loguru_logger.add(lambda message: lines.append(str(message)), level="TRACE", format="{message} {extra}")
    try:
        yield lines
    finally:
        loguru_logger.remove(sink)
        for name in modules:
            loguru_logger.disable(name)


class _SkippingClock:
    """The real clocks, except that monotonic time can be skipped ahead (past a rejection's back-off)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def wall(self) -> float:
        return time.time()


def _flows(
    auth: OAuthClientCredentialsAuth, api: ApiServer, token: TokenServer, clock: _SkippingClock
) -> list[object]:
    """Exercise every path that logs or raises; return what a user could print."""
    shown: list[object] = [auth, auth.settings, auth.token_cache]
    with httpx.Client(auth=auth) as client:
        client.get(api.url)
        api.revoke_all()
        client.get(api.url)  # 401 → refresh → replay
        api.queue(Reply(status=401, body={}), Reply(status=401, body={}))
        shown.append(client.get(api.url))  # second 401 returned
    token.queue(Reply(status=500, body={}), ISSUE)  # a retried failure
    auth.force_refresh()
    for reply in (
        Reply(status=401, body={"error": "invalid_client", "error_description": "bad secret"}),
        Reply(status=307, headers={"location": "https://elsewhere/token"}),
        Reply(body={"access_token": "leaky-token-in-bad-body"}),
        Reply(body="not json at all"),
    ):
        token.queue(reply)
        with pytest.raises(Exception) as caught:
            auth.force_refresh()
        shown.extend([caught.value, repr(caught.value)])
        if reply.status == 401:
            # The rejection is remembered: the remembered error is shown too, then the window passes.
            with pytest.raises(Exception) as remembered:
                auth.force_refresh()
            shown.extend([remembered.value, repr(remembered.value)])
            clock.offset += 120

    async def run() -> None:
        async with httpx.AsyncClient(auth=auth) as client:
            await auth.aforce_refresh()
            api.revoke_all()
            await client.get(api.url)

    asyncio.run(run())
    return shown


def _broken_keyring_flows(config: CamundaConfig, sdk_logger: SdkLogger) -> list[object]:
    """What a broken keyring (or, without the keyring extra, the missing one) logs and warns."""
    shown: list[object] = []
    try:
        import keyring
        import keyring.backends.fail

        from camunda_auth_oauth.keyring_cache import KeyringTokenCache
    except ImportError:
        keyring = None
    if keyring is not None:
        original = keyring.get_keyring()
        keyring.set_keyring(keyring.backends.fail.Keyring())
        try:
            with pytest.warns(RuntimeWarning) as warned:
                fallback = KeyringTokenCache(logger=sdk_logger, fallback_to_memory=True)
                OAuthClientCredentialsAuth(config, token_cache=fallback, logger=sdk_logger).get_token()
            shown.extend(str(w.message) for w in warned)
            with warnings.catch_warnings(record=True) as fallback_warnings:
                warnings.simplefilter("always")
                shown.append(create_keyring_or_memory_cache(config, sdk_logger))
            shown.extend(str(w.message) for w in fallback_warnings)
        finally:
            keyring.set_keyring(original)
    else:
        with warnings.catch_warnings(record=True) as fallback_warnings:
            warnings.simplefilter("always")
            shown.append(create_keyring_or_memory_cache(config, sdk_logger))
        shown.extend(str(w.message) for w in fallback_warnings)
    return shown


def _assert_clean(texts: list[str], token: TokenServer) -> None:
    secrets = [CLIENT_SECRET, "leaky-token-in-bad-body", *token.issued]
    assert len(token.issued) >= 4
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"a secret leaked into: {text[:200]!r}"


def test_no_secret_in_logs_reprs_or_errors(
    api_server: ApiServer,
    token_server: TokenServer,
    make_config: ConfigFactory,
    captured_logging: list[str],
    loguru_lines: list[str],
    tmp_path: Path,
) -> None:
    stdlib_logger = logging.getLogger("canary.oauth")
    stdlib_logger.setLevel(1)
    shown: list[object] = []
    loggers: list[SdkLogger] = [stdlib_logger, loguru_logger.bind(sdk="camunda")]
    for index, sdk_logger in enumerate(loggers):
        config = make_config()
        cache = DiskTokenCache(tmp_path / f"cache-{index}", logger=sdk_logger)
        clock = _SkippingClock()
        auth = OAuthClientCredentialsAuth(config, token_cache=cache, logger=sdk_logger, clock=clock)
        shown.extend(_flows(auth, api_server, token_server, clock))
        # A corrupt cache entry and a broken keyring log warnings too.
        cache.path_for(OAuthSettings.from_config(config).cache_key).write_text("{corrupt")
        shown.append(OAuthClientCredentialsAuth(config, token_cache=cache, logger=sdk_logger).get_token() and "")
        shown.extend(_broken_keyring_flows(config, sdk_logger))

    texts = [*captured_logging, *loguru_lines, *(str(item) for item in shown), *(repr(item) for item in shown)]
    assert any("Fetched an OAuth token" in line for line in captured_logging)
    assert any("Fetched an OAuth token" in line for line in loguru_lines)
    assert any("answered 401" in line for line in captured_logging)
    _assert_clean(texts, token_server)


def test_no_secret_through_the_sdk_runtime_at_the_most_verbose_level(
    api_server: ApiServer,
    token_server: TokenServer,
    captured_logging: list[str],
    loguru_lines: list[str],
) -> None:
    configuration = {
        "CAMUNDA_REST_ADDRESS": api_server.url.rsplit("/topology", 1)[0],
        "CAMUNDA_AUTH_STRATEGY": "OAUTH",
        "CAMUNDA_CLIENT_ID": "orders-service",
        "CAMUNDA_CLIENT_SECRET": CLIENT_SECRET,
        "CAMUNDA_OAUTH_URL": token_server.url,
        "CAMUNDA_SDK_LOG_LEVEL": "silly",
    }
    operation = Operation("getTopology", "GET", "/topology", response_kind="json")
    with SyncClientRuntime(configuration, environ={}) as client:
        client.runtime.invoke(operation)
        api_server.revoke_all()
        client.runtime.invoke(operation)
        texts = [repr(client.configuration), repr(client.runtime.auth)]
    token_server.queue(Reply(status=-1), Reply(status=-1))  # make sure enough tokens exist
    OAuthClientCredentialsAuth(client.configuration).get_token()
    OAuthClientCredentialsAuth(client.configuration).get_token()
    assert loguru_lines  # the SDK really logged at this level
    _assert_clean([*texts, *captured_logging, *loguru_lines], token_server)
