"""The keyring token cache with a test backend and keyrings.alt's file backend; fallbacks."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

import pytest

pytest.importorskip("keyring", reason="the keyring extra is not installed")

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
from keyring_testing import MemoryKeyring
from keyrings.alt.file import PlaintextKeyring
from oauth_testing import CLIENT_SECRET, ConfigFactory, TokenServer

from camunda_auth_oauth import (
    KEYRING_SERVICE,
    KeyringTokenCache,
    MemoryTokenCache,
    OAuthClientCredentialsAuth,
)
from camunda_auth_oauth import caches as caches_module
from camunda_auth_oauth.caches import (
    create_keyring_cache,
    create_keyring_or_memory_cache,
    encode_entry,
)
from camunda_auth_oauth.keyring_cache import keyring_is_usable
from camunda_auth_oauth.settings import hashed_key
from camunda_core.auth.token_cache import CachedToken
from camunda_core.errors import ConfigurationError
from camunda_core.logging import NullLogger
from camunda_core.types import Secret

KEY = '{"audience":"a","client_id":"c","oauth_url":"https://idp/token","scope":null}'


def _token(value: str = "kr-token") -> CachedToken:
    return CachedToken(access_token=Secret(value), expires_at=4_000_000_000.0)


def test_round_trip_through_the_keyring_api(memory_keyring: MemoryKeyring) -> None:
    cache = KeyringTokenCache()
    cache.store(KEY, _token())
    [(service, username)] = memory_keyring.items
    assert service == KEYRING_SERVICE
    assert username == hashed_key(KEY)  # the key itself (URL, client id) is not exposed
    assert cache.load(KEY) == _token()
    cache.clear(KEY)
    assert memory_keyring.items == {}
    cache.clear(KEY)  # clearing twice is fine


def test_clear_all_forgets_the_keys_it_stored(memory_keyring: MemoryKeyring) -> None:
    cache = KeyringTokenCache()
    cache.store(KEY, _token())
    cache.store("other-key", _token("other"))
    memory_keyring.set_password("some-other-app", "user", "pw")
    cache.clear()
    assert list(memory_keyring.items) == [("some-other-app", "user")]


def test_foreign_corrupt_and_expired_entries_are_ignored(memory_keyring: MemoryKeyring) -> None:
    cache = KeyringTokenCache(now=lambda: 5_000_000_000.0)
    username = hashed_key(KEY)
    memory_keyring.set_password(KEYRING_SERVICE, username, encode_entry("another-key", _token()))
    assert cache.load(KEY) is None
    memory_keyring.set_password(KEYRING_SERVICE, username, "{not json")
    assert cache.load(KEY) is None
    memory_keyring.set_password(KEYRING_SERVICE, username, encode_entry(KEY, _token()))
    assert cache.load(KEY) is None  # expired at 4e9 < now


def test_full_flow_with_the_keyring_factory(
    memory_keyring: MemoryKeyring, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    config = make_config(token_cache="keyring")
    cache = create_keyring_cache(config, NullLogger())
    first = OAuthClientCredentialsAuth(config, token_cache=cache).get_token()
    second = OAuthClientCredentialsAuth(config, token_cache=create_keyring_cache(config, NullLogger())).get_token()
    assert first == second
    assert token_server.count == 1
    [stored] = memory_keyring.items.values()
    assert CLIENT_SECRET not in stored


def test_keyrings_alt_file_backend(
    restore_keyring: None, tmp_path: Path, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    config = make_config(token_cache="keyring")
    auth = OAuthClientCredentialsAuth(config, token_cache=create_keyring_cache(config, NullLogger()))
    token = auth.get_token()
    assert (tmp_path / "keyring.cfg").exists()
    # A fresh backend object reading the same file sees the token (another process would).
    reader = PlaintextKeyring()
    reader.file_path = str(tmp_path / "keyring.cfg")  # type: ignore[misc]
    keyring.set_keyring(reader)
    again = OAuthClientCredentialsAuth(config, token_cache=create_keyring_cache(config, NullLogger()))
    assert again.get_token() == token
    assert token_server.count == 1
    again.clear_cache()
    assert reader.get_password(KEYRING_SERVICE, hashed_key(auth.settings.cache_key)) is None


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()],
    ids=["fail", "null"],
)
def test_explicit_keyring_without_a_usable_backend_is_a_configuration_error(
    restore_keyring: None, make_config: ConfigFactory, backend: keyring.backend.KeyringBackend
) -> None:
    keyring.set_keyring(backend)
    assert not keyring_is_usable()
    with pytest.raises(ConfigurationError) as caught:
        create_keyring_cache(make_config(token_cache="keyring"), NullLogger())
    assert caught.value.variables == ("CAMUNDA_TOKEN_CACHE",)
    message = str(caught.value)
    assert type(backend).__module__ in message
    assert "keyring-or-memory" in message


def test_empty_chainer_is_not_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    chainer = keyring.backends.chainer.ChainerBackend()
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", [])
    assert not keyring_is_usable(chainer)
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", [MemoryKeyring()])
    assert keyring_is_usable(chainer)


def test_keyring_or_memory_falls_back_with_one_warning(
    restore_keyring: None, make_config: ConfigFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setattr(caches_module, "_fallback_warned", False)
    logged: list[str] = []

    class Collect(NullLogger):
        def warning(self, msg: str, *args: object, **kwargs: object) -> None:
            logged.append(msg)

    config = make_config(token_cache="keyring-or-memory")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = create_keyring_or_memory_cache(config, Collect())
        second = create_keyring_or_memory_cache(config, Collect())
    assert isinstance(first, MemoryTokenCache) and isinstance(second, MemoryTokenCache)
    assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 1
    assert len(logged) == 2 and "memory" in logged[0]


def test_keyring_or_memory_uses_a_usable_keyring(memory_keyring: MemoryKeyring, make_config: ConfigFactory) -> None:
    cache = create_keyring_or_memory_cache(make_config(), NullLogger())
    assert isinstance(cache, KeyringTokenCache)


class _BrokenAtRunTime(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the keychain is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the keychain is locked")


def test_runtime_failure_with_fallback_moves_to_memory(
    restore_keyring: None, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    keyring.set_keyring(_BrokenAtRunTime())
    cache = KeyringTokenCache(fallback_to_memory=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        auth = OAuthClientCredentialsAuth(make_config(), token_cache=cache)
        token = auth.get_token()
        cache.store(KEY, _token())
    assert "memory" in repr(cache)
    assert cache.load(KEY) == _token()
    assert len(caught) == 1 and "keyring read failed" in str(caught[0].message)
    assert token not in str(caught[0].message)


def test_runtime_failure_without_fallback_logs_and_carries_on(
    restore_keyring: None, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    keyring.set_keyring(_BrokenAtRunTime())
    logged: list[str] = []

    class Collect(NullLogger):
        def warning(self, msg: str, *args: object, **kwargs: object) -> None:
            logged.append(msg)

    auth = OAuthClientCredentialsAuth(make_config(), token_cache=KeyringTokenCache(logger=Collect()))
    assert auth.get_token() == token_server.issued[0]
    assert any("keyring write failed" in line for line in logged)


def test_async_flow_with_keyring(
    memory_keyring: MemoryKeyring, token_server: TokenServer, make_config: ConfigFactory
) -> None:
    config = make_config()
    auth = OAuthClientCredentialsAuth(config, token_cache=KeyringTokenCache())
    token = asyncio.run(auth.aget_token())
    other = OAuthClientCredentialsAuth(config, token_cache=KeyringTokenCache())
    assert asyncio.run(other.aget_token()) == token
    assert token_server.count == 1
