"""keyring is an extra: without it the package imports, the keyring cache is a ConfigurationError naming
the extra, and keyring-or-memory falls back to memory with a warning.

``without_keyring`` hides the keyring package (as if the extra were not installed), so these run
with or without it; tools/test_isolated.sh also runs this folder in a venv that has no keyring.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from oauth_testing import CLIENT_ID, CLIENT_SECRET, ApiServer, ConfigFactory, TokenServer

import camunda_auth_oauth
from camunda_auth_oauth import KEYRING_EXTRA, MemoryTokenCache
from camunda_auth_oauth import caches as caches_module
from camunda_auth_oauth.caches import create_keyring_cache, create_keyring_or_memory_cache
from camunda_core.errors import ConfigurationError
from camunda_core.logging import NullLogger
from camunda_core.runtime.sync_client import SyncClientRuntime


@pytest.fixture
def without_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``import keyring`` fails as it does when the extra is not installed."""
    for name in list(sys.modules):
        if name == "keyring" or name.startswith("keyring."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "keyring", None)
    monkeypatch.delitem(sys.modules, "camunda_auth_oauth.keyring_cache", raising=False)
    monkeypatch.delattr(camunda_auth_oauth, "keyring_cache", raising=False)
    monkeypatch.delitem(vars(camunda_auth_oauth), "KeyringTokenCache", raising=False)
    yield


def test_the_extra_is_declared() -> None:
    root = Path(__file__).resolve().parents[2]
    oauth = (root / "packages" / "camunda-auth-oauth" / "pyproject.toml").read_text()
    assert 'keyring = ["keyring>=25"]' in oauth
    dependencies = oauth.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "keyring" not in dependencies
    if (root / "packages" / "camunda-sdk" / "pyproject.toml").exists():
        sdk = (root / "packages" / "camunda-sdk" / "pyproject.toml").read_text()
        assert 'keyring = ["camunda-auth-oauth[keyring]==8.9.0"]' in sdk


def test_importing_the_package_does_not_import_keyring() -> None:
    code = "import sys, camunda_auth_oauth, camunda_auth_oauth.plugin; print('keyring' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_keyring_cache_without_the_extra_names_the_variable_and_the_extra(
    without_keyring: None, make_config: ConfigFactory
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_keyring_cache(make_config(token_cache="keyring"), NullLogger())
    error = caught.value
    assert isinstance(error, ValueError)  # code written for the official SDK catches ValueError
    assert list(error.variables) == ["CAMUNDA_TOKEN_CACHE"]
    message = str(error)
    assert 'pip install "camunda-auth-oauth[keyring]"' in message
    assert "camunda-orchestration-sdk[keyring]" in message
    assert "'disk' or 'memory'" in message


def test_the_client_reports_it_when_built(
    without_keyring: None, api_server: ApiServer, token_server: TokenServer
) -> None:
    configuration = {
        "CAMUNDA_REST_ADDRESS": api_server.url.rsplit("/topology", 1)[0],
        "CAMUNDA_AUTH_STRATEGY": "OAUTH",
        "CAMUNDA_CLIENT_ID": CLIENT_ID,
        "CAMUNDA_CLIENT_SECRET": CLIENT_SECRET,
        "CAMUNDA_OAUTH_URL": token_server.url,
        "CAMUNDA_TOKEN_CACHE": "keyring",
    }
    with pytest.raises(ConfigurationError, match=r"CAMUNDA_TOKEN_CACHE.*camunda-auth-oauth\[keyring\]"):
        SyncClientRuntime(configuration, environ={})
    assert token_server.count == 0


def test_keyring_or_memory_without_the_extra_falls_back_with_a_warning(
    without_keyring: None, make_config: ConfigFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caches_module, "_fallback_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache = create_keyring_or_memory_cache(make_config(token_cache="keyring-or-memory"), NullLogger())
    assert isinstance(cache, MemoryTokenCache)
    [warning] = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert KEYRING_EXTRA in str(warning.message)
    assert "CAMUNDA_TOKEN_CACHE=keyring-or-memory" in str(warning.message)


def test_keyring_token_cache_attribute_names_the_extra(without_keyring: None) -> None:
    with pytest.raises(ImportError, match=r'pip install "camunda-auth-oauth\[keyring\]"'):
        _ = camunda_auth_oauth.KeyringTokenCache
