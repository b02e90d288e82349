"""The disk token cache never hangs on, follows or trusts a non-file planted at an entry path,
and every directory it creates is 0700 whatever the umask."""

from __future__ import annotations

import asyncio
import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from oauth_testing import ConfigFactory, TokenServer

from camunda_auth_oauth import DiskTokenCache, OAuthClientCredentialsAuth, OAuthSettings
from camunda_auth_oauth.caches import encode_entry
from camunda_core.auth.token_cache import CachedToken
from camunda_core.types import Secret

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file types and permissions")

KEY = '{"audience":"a","client_id":"c","oauth_url":"https://idp/token","scope":null}'
T = TypeVar("T")


class Warnings:
    """A logger that records warnings."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def warning(self, msg: str, *args: object, **kwargs: object) -> None:
        self.messages.append(msg)

    def debug(self, msg: str, *args: object, **kwargs: object) -> None:
        pass

    info = error = debug


def _token(value: str = "fresh-token") -> CachedToken:
    return CachedToken(access_token=Secret(value), expires_at=4_000_000_000.0)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def within(seconds: float, call: Callable[[], T]) -> T:
    """Run ``call`` in a thread; fail (rather than hang the suite) if it does not return in time."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as error:
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"the call did not return within {seconds} s (it hangs)")
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.fixture
def zero_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _plant(kind: str, path: Path, tmp_path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path, 0o600)
    elif kind == "directory":
        path.mkdir(mode=0o700)
    elif kind == "symlink to a fifo":
        target = tmp_path / "elsewhere.fifo"
        os.mkfifo(target, 0o600)
        path.symlink_to(target)
    elif kind == "symlink to a token":
        target = tmp_path / "elsewhere.json"
        target.write_text(encode_entry(KEY, _token("planted")))
        os.chmod(target, 0o600)
        path.symlink_to(target)
    else:
        raise AssertionError(kind)


def test_every_directory_created_is_0700_under_umask_000(tmp_path: Path, zero_umask: None) -> None:
    os.chmod(tmp_path, 0o755)
    directory = tmp_path / "a" / "b" / "tokens"
    cache = DiskTokenCache(directory)
    for created in (tmp_path / "a", tmp_path / "a" / "b", directory):
        assert _mode(created) == 0o700, created
    assert _mode(tmp_path) == 0o755  # an existing parent is not ours to change
    cache.store(KEY, _token())
    assert _mode(cache.path_for(KEY)) == 0o600


def test_an_existing_loose_directory_is_still_tightened(tmp_path: Path, zero_umask: None) -> None:
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o777)
    assert _mode(directory) == 0o777
    DiskTokenCache(directory)
    assert _mode(directory) == 0o700


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink to a fifo", "symlink to a token"])
def test_a_planted_non_file_is_ignored_with_one_warning_and_replaced(tmp_path: Path, kind: str) -> None:
    log = Warnings()
    cache = DiskTokenCache(tmp_path / "tokens", logger=log)
    path = cache.path_for(KEY)
    _plant(kind, path, tmp_path)
    assert within(5, lambda: cache.load(KEY)) is None
    assert within(5, lambda: cache.load(KEY)) is None
    assert len(log.messages) == 1 and path.name in log.messages[0]
    assert ("symbolic link" if kind.startswith("symlink") else kind) in log.messages[0].lower()
    within(5, lambda: cache.store(KEY, _token()))
    info = os.lstat(path)
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    loaded = within(5, lambda: cache.load(KEY))
    assert loaded is not None and loaded.access_token.reveal() == "fresh-token"
    if kind == "symlink to a token":
        assert "planted" in (tmp_path / "elsewhere.json").read_text()  # the target was not touched


def test_a_non_empty_directory_is_ignored_and_left_alone(tmp_path: Path) -> None:
    cache = DiskTokenCache(tmp_path / "tokens", logger=Warnings())
    path = cache.path_for(KEY)
    path.mkdir()
    (path / "someone-elses.txt").write_text("keep me")
    assert within(5, lambda: cache.load(KEY)) is None
    with pytest.raises(OSError):
        cache.store(KEY, _token())  # the auth layer logs this and carries on without a cache
    assert (path / "someone-elses.txt").read_text() == "keep me"
    assert not [p for p in (tmp_path / "tokens").iterdir() if p.name.endswith(".tmp")]


def test_a_fifo_does_not_hang_the_first_token_request_sync_or_async(
    tmp_path: Path, make_config: ConfigFactory, token_server: TokenServer
) -> None:
    config = make_config()
    directory = tmp_path / "tokens"
    key = OAuthSettings.from_config(config).cache_key
    os.mkfifo(DiskTokenCache(directory).path_for(key), 0o600)

    sync_auth = OAuthClientCredentialsAuth(config, token_cache=DiskTokenCache(directory))
    token = within(10, sync_auth.get_token)
    assert token and token_server.count == 1
    assert stat.S_ISREG(os.lstat(DiskTokenCache(directory).path_for(key)).st_mode)

    os.unlink(DiskTokenCache(directory).path_for(key))
    os.mkfifo(DiskTokenCache(directory).path_for(key), 0o600)
    async_auth = OAuthClientCredentialsAuth(config, token_cache=DiskTokenCache(directory))
    assert within(10, lambda: asyncio.run(async_auth.aget_token()))
    assert token_server.count == 2
