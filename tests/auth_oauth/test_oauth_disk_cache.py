"""The disk token cache: private modes, atomic writes, distrust of odd files, two processes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from oauth_testing import CLIENT_SECRET, ConfigFactory, TokenServer

from camunda_auth_oauth import DiskTokenCache, OAuthClientCredentialsAuth, OAuthSettings
from camunda_auth_oauth import caches as caches_module
from camunda_auth_oauth.caches import create_disk_cache, encode_entry
from camunda_core.auth.token_cache import CachedToken
from camunda_core.errors import ConfigurationError
from camunda_core.logging import NullLogger
from camunda_core.types import Secret

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")

KEY = '{"audience":"a","client_id":"c","oauth_url":"https://idp/token","scope":null}'
OTHER_KEY = '{"audience":"a","client_id":"other","oauth_url":"https://idp/token","scope":null}'


def _token(value: str = "cached-token-value", expires_at: float = 4_000_000_000.0) -> CachedToken:
    return CachedToken(access_token=Secret(value), expires_at=expires_at)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip_and_clear(cache_dir: Path) -> None:
    cache = DiskTokenCache(cache_dir)
    assert cache.load(KEY) is None
    cache.store(KEY, _token())
    loaded = cache.load(KEY)
    assert loaded == _token()
    cache.store(OTHER_KEY, _token("other"))
    cache.clear(KEY)
    assert cache.load(KEY) is None
    assert cache.load(OTHER_KEY) is not None
    (cache_dir / "unrelated.txt").write_text("keep me")
    cache.clear()
    assert cache.load(OTHER_KEY) is None
    assert (cache_dir / "unrelated.txt").exists()


def test_file_name_is_a_hash_that_reveals_nothing(cache_dir: Path) -> None:
    cache = DiskTokenCache(cache_dir)
    cache.store(KEY, _token())
    [path] = cache_dir.iterdir()
    assert path == cache.path_for(KEY)
    assert path.name.startswith("camunda-token-") and len(path.name) == len("camunda-token-") + 64 + 5
    assert "idp" not in path.name


@posix_only
def test_directory_is_created_0700_and_file_0600(tmp_path: Path) -> None:
    directory = tmp_path / "deep" / "cache"
    old_umask = os.umask(0)  # even a permissive umask does not widen them
    try:
        cache = DiskTokenCache(directory)
        cache.store(KEY, _token())
    finally:
        os.umask(old_umask)
    assert _mode(directory) == 0o700
    assert _mode(cache.path_for(KEY)) == 0o600


@posix_only
def test_loose_existing_directory_is_tightened(cache_dir: Path) -> None:
    cache_dir.mkdir(mode=0o755)
    os.chmod(cache_dir, 0o777)
    warnings: list[str] = []

    class Collect(NullLogger):
        def warning(self, msg: str, *args: object, **kwargs: object) -> None:
            warnings.append(msg)

    DiskTokenCache(cache_dir, logger=Collect())
    assert _mode(cache_dir) == 0o700
    assert warnings and "0777" in warnings[0]


@posix_only
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_directory_owned_by_someone_else_is_refused(cache_dir: Path) -> None:
    cache_dir.mkdir(mode=0o700)
    os.chown(cache_dir, 12345, 12345)
    with pytest.raises(ConfigurationError) as caught:
        DiskTokenCache(cache_dir)
    assert caught.value.variables == ("CAMUNDA_TOKEN_CACHE_DIR",)
    assert "owned by uid 12345" in str(caught.value)


def test_a_file_instead_of_a_directory_is_refused(cache_dir: Path) -> None:
    cache_dir.write_text("not a dir")
    with pytest.raises(ConfigurationError, match="CAMUNDA_TOKEN_CACHE_DIR"):
        DiskTokenCache(cache_dir)


@posix_only
def test_temp_file_is_private_from_creation(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = DiskTokenCache(cache_dir)
    opened: list[tuple[str, int, int]] = []
    modes_while_writing: list[int] = []
    real_open, real_write = os.open, os.write

    def spy_open(path: str | os.PathLike[str], flags: int, mode: int = 0o777, **kw: object) -> int:
        fd = real_open(path, flags, mode)
        opened.append((os.fspath(path), flags, mode))
        return fd

    def spy_write(fd: int, data: bytes) -> int:
        modes_while_writing.append(stat.S_IMODE(os.fstat(fd).st_mode))
        # Nothing but the temp file exists yet: the entry appears only on rename.
        assert not cache.path_for(KEY).exists()
        return real_write(fd, data)

    monkeypatch.setattr(caches_module.os, "open", spy_open)
    monkeypatch.setattr(caches_module.os, "write", spy_write)
    cache.store(KEY, _token())
    temp_path, flags, mode = next(o for o in opened if o[0].endswith(".tmp"))
    assert Path(temp_path).parent == cache_dir
    assert flags & os.O_CREAT and flags & os.O_EXCL and flags & os.O_WRONLY
    assert mode == 0o600
    assert modes_while_writing and set(modes_while_writing) == {0o600}
    assert [p.name for p in cache_dir.iterdir()] == [cache.path_for(KEY).name]


def test_a_failed_write_leaves_the_old_entry_and_no_temp_file(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DiskTokenCache(cache_dir)
    cache.store(KEY, _token("old"))

    def fail_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(caches_module.os, "replace", fail_replace)
    with pytest.raises(OSError):
        cache.store(KEY, _token("new"))
    assert cache.load(KEY) == _token("old")
    assert len(list(cache_dir.iterdir())) == 1


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b'{"version": 1, "key": ',  # truncated
        b"\xff\xfe garbage",
        b"[]",
        b'"a string"',
        b"null",
        b'{"version": 2}',
    ],
)
def test_corrupt_files_are_ignored_and_replaced(cache_dir: Path, content: bytes) -> None:
    cache = DiskTokenCache(cache_dir)
    path = cache.path_for(KEY)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, content)
    os.close(fd)
    assert cache.load(KEY) is None
    cache.store(KEY, _token())
    assert cache.load(KEY) == _token()


@pytest.mark.parametrize(
    "change",
    [
        {"access_token": ""},
        {"access_token": 42},
        {"expires_at": "tomorrow"},
        {"expires_at": True},
        {"expires_at": float("nan")},
        {"token_type": 7},
        {"version": "1"},
    ],
)
def test_entries_with_wrong_field_types_are_ignored(cache_dir: Path, change: dict[str, object]) -> None:
    cache = DiskTokenCache(cache_dir)
    cache.store(KEY, _token())
    entry = json.loads(cache.path_for(KEY).read_text())
    entry.update(change)
    cache.path_for(KEY).write_text(json.dumps(entry))
    assert cache.load(KEY) is None


def test_expired_entry_is_ignored(cache_dir: Path) -> None:
    cache = DiskTokenCache(cache_dir, now=lambda: 2_000.0)
    cache.store(KEY, _token(expires_at=1_999.0))
    assert cache.load(KEY) is None


def test_foreign_entry_is_ignored(cache_dir: Path) -> None:
    # Another client's entry planted under this key's file name.
    cache = DiskTokenCache(cache_dir)
    cache.path_for(KEY).write_text(encode_entry(OTHER_KEY, _token("someone-elses")))
    os.chmod(cache.path_for(KEY), 0o600)
    assert cache.load(KEY) is None


@posix_only
def test_world_readable_file_is_not_trusted(cache_dir: Path) -> None:
    cache = DiskTokenCache(cache_dir)
    cache.store(KEY, _token())
    os.chmod(cache.path_for(KEY), 0o644)
    assert cache.load(KEY) is None


@posix_only
def test_symlink_is_not_followed(cache_dir: Path, tmp_path: Path) -> None:
    cache = DiskTokenCache(cache_dir)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(encode_entry(KEY, _token("planted")))
    os.chmod(elsewhere, 0o600)
    cache.path_for(KEY).symlink_to(elsewhere)
    assert cache.load(KEY) is None
    cache.store(KEY, _token())  # replaces the link itself, not its target
    assert not cache.path_for(KEY).is_symlink()
    assert "planted" in elsewhere.read_text()


def test_oversized_file_is_ignored(cache_dir: Path) -> None:
    cache = DiskTokenCache(cache_dir)
    cache.path_for(KEY).write_bytes(b" " * (300 * 1024))
    os.chmod(cache.path_for(KEY), 0o600)
    assert cache.load(KEY) is None


def test_factory_validates_the_configuration(make_config: ConfigFactory, cache_dir: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_disk_cache(make_config(token_cache="disk"), NullLogger())
    assert "CAMUNDA_TOKEN_CACHE_DIR" in caught.value.variables
    with pytest.raises(ConfigurationError) as caught:
        create_disk_cache(
            make_config(token_cache="disk", token_cache_dir=cache_dir, token_disk_cache_disable=True),
            NullLogger(),
        )
    assert "CAMUNDA_TOKEN_CACHE" in caught.value.variables
    cache = create_disk_cache(make_config(token_cache="disk", token_cache_dir=cache_dir), NullLogger())
    assert isinstance(cache, DiskTokenCache)


def test_token_survives_a_restart(
    token_server: TokenServer, make_config: ConfigFactory, cache_dir: Path
) -> None:
    config = make_config()
    first = OAuthClientCredentialsAuth(config, token_cache=DiskTokenCache(cache_dir)).get_token()
    second = OAuthClientCredentialsAuth(config, token_cache=DiskTokenCache(cache_dir)).get_token()
    assert first == second
    assert token_server.count == 1
    text = DiskTokenCache(cache_dir).path_for(OAuthSettings.from_config(config).cache_key).read_text()
    assert CLIENT_SECRET not in text


# -- two real processes ------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import hashlib, sys
    from pathlib import Path
    from camunda_auth_oauth import DiskTokenCache, OAuthClientCredentialsAuth
    from camunda_core.auth.token_cache import CachedToken
    from camunda_core.config import CamundaConfig
    from camunda_core.types import Secret

    url, directory, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    config = CamundaConfig(
        client_id="orders-service", client_secret=Secret("s3cr3t"), oauth_url=url,
        retry_max_attempts=3, retry_initial_delay=0.001, retry_max_delay=0.01,
    )
    cache = DiskTokenCache(directory)
    if mode == "hammer":
        # Store and load the same entry many times while the other process does too:
        # every load must see a complete, valid entry.
        key = "shared-key"
        for i in range(300):
            cache.store(key, CachedToken(access_token=Secret(f"{sys.argv[4]}-{i}"), expires_at=4e9))
            loaded = cache.load(key)
            assert loaded is not None, f"iteration {i}: no valid entry"
    token = OAuthClientCredentialsAuth(config, token_cache=cache).get_token()
    print(hashlib.sha256(token.encode()).hexdigest())
    """
)


def _child(token_server: TokenServer, cache_dir: Path, mode: str, tag: str = "") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, token_server.url, str(cache_dir), mode, tag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    return out.strip()


def test_second_process_reuses_the_first_process_token(token_server: TokenServer, cache_dir: Path) -> None:
    first = _finish(_child(token_server, cache_dir, "get"))
    second = _finish(_child(token_server, cache_dir, "get"))
    assert first == second
    assert token_server.count == 1


def test_two_processes_writing_at_once_always_see_a_valid_entry(
    token_server: TokenServer, cache_dir: Path
) -> None:
    one = _child(token_server, cache_dir, "hammer", "one")
    two = _child(token_server, cache_dir, "hammer", "two")
    hashes = {_finish(one), _finish(two)}
    assert 1 <= token_server.count <= 2
    assert len(hashes) <= 2
    assert not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp")]
