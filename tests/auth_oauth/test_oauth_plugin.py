"""The plugin: entry point, hooks, the OAUTH strategy through the SDK runtime, and the example plugin."""

from __future__ import annotations

import asyncio
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest
from oauth_testing import CLIENT_ID, CLIENT_SECRET, ApiServer, ConfigFactory, TokenServer

from camunda_auth_oauth import DiskTokenCache, MemoryTokenCache, OAuthClientCredentialsAuth
from camunda_auth_oauth import plugin as oauth_plugin
from camunda_core.auth.strategy import AuthContext
from camunda_core.config import CamundaConfig
from camunda_core.errors import ConfigurationError
from camunda_core.logging import NullLogger
from camunda_core.plugins import auth_strategies, create_plugin_manager, token_cache_factories
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.sync_client import SyncClientRuntime
from camunda_core.runtime.tls import TlsSettings
from camunda_core.types import Secret

TOPOLOGY = Operation("getTopology", "GET", "/topology", response_kind="json")
EXAMPLE_SRC = Path(__file__).resolve().parents[2] / "examples" / "custom_auth_plugin" / "src"


def test_entry_point_is_declared() -> None:
    [entry_point] = [
        e for e in metadata.entry_points(group="camunda_orchestration_sdk") if e.name == "oauth"
    ]
    assert entry_point.value == "camunda_auth_oauth.plugin"
    assert entry_point.load() is oauth_plugin


def test_plugin_manager_finds_the_strategy_and_caches() -> None:
    pm = create_plugin_manager()
    strategy = auth_strategies(pm)["OAUTH"]
    assert strategy.create is oauth_plugin.create
    assert "client credentials" in strategy.description
    assert {"memory", "disk", "keyring", "keyring-or-memory"} <= set(token_cache_factories(pm))


def _context(config: CamundaConfig) -> AuthContext:
    return AuthContext(
        config=config, logger=NullLogger(), tls=TlsSettings(), token_cache=MemoryTokenCache
    )


def test_create_builds_the_auth(make_config: ConfigFactory) -> None:
    auth = oauth_plugin.create(_context(make_config()))
    assert isinstance(auth, OAuthClientCredentialsAuth)
    assert isinstance(auth.token_cache, MemoryTokenCache)


def test_missing_credentials_name_every_variable() -> None:
    config = CamundaConfig(auth_strategy="OAUTH", oauth_url="ftp://idp/token")
    with pytest.raises(ConfigurationError) as caught:
        oauth_plugin.create(_context(config))
    assert set(caught.value.variables) == {
        "CAMUNDA_CLIENT_ID",
        "CAMUNDA_CLIENT_SECRET",
        "CAMUNDA_OAUTH_URL",
    }


def _sdk_configuration(api: ApiServer, token: TokenServer, **more: str) -> dict[str, object]:
    return {
        "CAMUNDA_REST_ADDRESS": api.url.rsplit("/topology", 1)[0],
        "CAMUNDA_AUTH_STRATEGY": "OAUTH",
        "CAMUNDA_CLIENT_ID": CLIENT_ID,
        "CAMUNDA_CLIENT_SECRET": CLIENT_SECRET,
        "CAMUNDA_OAUTH_URL": token.url,
        **more,
    }


def test_oauth_through_the_sync_sdk_runtime(
    api_server: ApiServer, token_server: TokenServer, tmp_path: Path
) -> None:
    configuration = _sdk_configuration(
        api_server, token_server, CAMUNDA_TOKEN_CACHE_DIR=str(tmp_path / "cache")
    )
    with SyncClientRuntime(configuration, environ={}) as client:
        assert isinstance(client.runtime.auth, OAuthClientCredentialsAuth)
        assert isinstance(client.runtime.auth.token_cache, DiskTokenCache)
        assert client.runtime.invoke(TOPOLOGY) == {"ok": True}
        assert client.runtime.invoke(TOPOLOGY) == {"ok": True}
    assert token_server.count == 1
    assert api_server.bearer_tokens() == [token_server.issued[0]] * 2


def test_oauth_through_the_async_sdk_runtime(api_server: ApiServer, token_server: TokenServer) -> None:
    async def run() -> object:
        async with AsyncClientRuntime(_sdk_configuration(api_server, token_server), environ={}) as client:
            return await client.runtime.ainvoke(TOPOLOGY)

    assert asyncio.run(run()) == {"ok": True}
    assert token_server.count == 1


# -- the example plugin (examples/custom_auth_plugin) -------------------------------------


@pytest.fixture
def example_plugin() -> ModuleType:
    sys.path.insert(0, str(EXAMPLE_SRC))
    try:
        import camunda_static_token_auth.plugin as module
    finally:
        sys.path.remove(str(EXAMPLE_SRC))
    return module


def test_example_declares_its_entry_point() -> None:
    text = (EXAMPLE_SRC.parent / "pyproject.toml").read_text()
    assert "[project.entry-points.camunda_orchestration_sdk]" in text
    assert 'static_token = "camunda_static_token_auth.plugin"' in text
    assert 'build-backend = "uv_build"' in text


def test_example_strategy_sends_the_static_token(
    api_server: ApiServer, example_plugin: ModuleType
) -> None:
    api_server.accept("static-gateway-token")
    configuration = {
        "CAMUNDA_REST_ADDRESS": api_server.url.rsplit("/topology", 1)[0],
        "CAMUNDA_AUTH_STRATEGY": "STATIC_TOKEN",
        "CAMUNDA_STATIC_TOKEN": "static-gateway-token",
    }
    with SyncClientRuntime(configuration, plugins=[example_plugin], environ={}) as client:
        assert client.configuration.extra["CAMUNDA_STATIC_TOKEN"] == Secret("static-gateway-token")
        assert "static-gateway-token" not in repr(client.configuration)
        assert "static-gateway-token" not in repr(client.runtime.auth)
        assert client.runtime.invoke(TOPOLOGY) == {"ok": True}
    assert api_server.bearer_tokens() == ["static-gateway-token"]


def test_example_strategy_requires_its_variable(example_plugin: ModuleType) -> None:
    with pytest.raises(ConfigurationError) as caught:
        SyncClientRuntime(
            {"CAMUNDA_AUTH_STRATEGY": "STATIC_TOKEN"}, plugins=[example_plugin], environ={}
        )
    assert "CAMUNDA_STATIC_TOKEN" in caught.value.variables
