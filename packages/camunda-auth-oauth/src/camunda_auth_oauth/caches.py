"""Token caches: in memory (default), on disk, and in the OS keyring (``keyring_cache.py``).

Each is registered by name through the ``camunda_token_caches`` hook (see
:mod:`camunda_auth_oauth.plugin`) and selected with ``CAMUNDA_TOKEN_CACHE``.
A key is the canonical JSON of (token URL, client id, audience, scope); the
persistent caches store it next to the token and ignore an entry whose stored
key differs, so a file or keyring item can never be mistaken for another's.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from camunda_auth_oauth.settings import OAuthConfigSource, hashed_key
from camunda_core.auth.token_cache import CachedToken, TokenCache
from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.logging import NullLogger, SdkLogger
from camunda_core.types import Secret

__all__ = [
    "MemoryTokenCache",
    "DiskTokenCache",
    "KEYRING_SERVICE",
    "KEYRING_EXTRA",
    "encode_entry",
    "decode_entry",
    "create_memory_cache",
    "create_disk_cache",
    "create_keyring_cache",
    "create_keyring_or_memory_cache",
]

#: The keyring "service" under which tokens are stored.
KEYRING_SERVICE = "camunda-orchestration-sdk"
#: What to install for the keyring caches (keyring is an optional extra).
KEYRING_EXTRA = 'pip install "camunda-auth-oauth[keyring]"'

_FORMAT_VERSION = 1
_FILE_PREFIX = "camunda-token-"
_FILE_SUFFIX = ".json"
# A token entry is a few kilobytes at most; a bigger file is not ours.
_MAX_ENTRY_BYTES = 256 * 1024


# -- the persisted entry ---------------------------------------------------------------


def encode_entry(key: str, token: CachedToken) -> str:
    """The JSON a persistent cache stores: the key (to detect foreign entries) and the token."""
    return json.dumps(
        {
            "version": _FORMAT_VERSION,
            "key": key,
            "access_token": token.access_token.reveal(),
            "token_type": token.token_type,
            "expires_at": token.expires_at,
        },
        separators=(",", ":"),
    )


def decode_entry(key: str, text: str, now: float) -> CachedToken | None:
    """The token in ``text`` if it is well formed, belongs to ``key`` and has not expired."""
    try:
        entry = json.loads(text)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    fields: dict[str, Any] = entry  # pyright: ignore[reportUnknownVariableType]
    access_token = fields.get("access_token")
    expires_at = fields.get("expires_at")
    token_type = fields.get("token_type", "Bearer")
    if (
        fields.get("version") != _FORMAT_VERSION
        or fields.get("key") != key
        or not isinstance(access_token, str)
        or not access_token
        or isinstance(expires_at, bool)
        or not isinstance(expires_at, (int, float))
        or not isinstance(token_type, str)
    ):
        return None
    if not expires_at > now:  # also rejects NaN
        return None
    return CachedToken(
        access_token=Secret(access_token), expires_at=float(expires_at), token_type=token_type
    )


# -- memory ----------------------------------------------------------------------------


class MemoryTokenCache:
    """A thread-safe dict; lives as long as the client that created it."""

    def __init__(self, *, now: Callable[[], float] = time.time) -> None:
        self._tokens: dict[str, CachedToken] = {}
        self._lock = threading.Lock()
        self._now = now

    def load(self, key: str) -> CachedToken | None:
        with self._lock:
            token = self._tokens.get(key)
            if token is not None and not token.expires_at > self._now():
                del self._tokens[key]
                return None
            return token

    def store(self, key: str, token: CachedToken) -> None:
        with self._lock:
            self._tokens[key] = token

    def clear(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._tokens.clear()
            else:
                self._tokens.pop(key, None)

    def __repr__(self) -> str:
        with self._lock:
            return f"MemoryTokenCache(entries={len(self._tokens)})"


# -- disk ------------------------------------------------------------------------------


_POSIX = os.name == "posix"


class DiskTokenCache:
    """One JSON file per key in a private directory, shared safely between processes.

    * The directory, and every missing parent created for it, is created with
      mode 0700 whatever the umask. If it exists, it must be a directory owned
      by the current user; group/other permission bits are removed (a warning
      is logged). A directory owned by someone else is
      refused with a ``ConfigurationError``: another user could read or plant
      tokens there.
    * A file is written to a temporary file in the same directory, created
      0600 with ``O_EXCL``, flushed and fsynced, then renamed over the entry
      with ``os.replace``: readers see the old entry or the new one, never a
      partial one, and the token is never readable by others, not for an instant.
    * A file that is corrupt, expired, not a regular file, not ours, readable by
      others, or stored for a different key is ignored (and replaced by the
      next store), never trusted. Entries are opened with ``O_NOFOLLOW`` and
      ``O_NONBLOCK`` and checked with ``fstat`` before reading, so a symlink,
      FIFO, device or directory planted at an entry path is ignored with one
      warning instead of being followed or blocking the call.

    Permission checks apply on POSIX; on Windows the directory inherits the
    user profile's ACLs.
    """

    def __init__(
        self,
        directory: Path,
        *,
        logger: SdkLogger | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._directory = Path(directory).expanduser()
        self._logger: SdkLogger = logger or NullLogger()
        self._now = now
        # Entry names already warned about (a planted non-file warns once, not per call).
        self._warned: set[str] = set()
        self._warned_lock = threading.Lock()
        self._prepare_directory()

    def __repr__(self) -> str:
        return f"DiskTokenCache(directory={str(self._directory)!r})"

    @property
    def directory(self) -> Path:
        return self._directory

    def path_for(self, key: str) -> Path:
        """The file that holds ``key``'s token (the name is a hash of the key)."""
        return self._directory / f"{_FILE_PREFIX}{hashed_key(key)}{_FILE_SUFFIX}"

    def _prepare_directory(self) -> None:
        directory = self._directory
        try:
            _make_private_dirs(directory)
            info = directory.stat()
        except OSError as exc:
            raise ConfigurationError(
                [
                    ConfigurationProblem(
                        "CAMUNDA_TOKEN_CACHE_DIR",
                        f"cannot create or open the token cache directory {str(directory)!r}: "
                        f"{exc.strerror or exc}",
                    )
                ]
            ) from None
        if not stat.S_ISDIR(info.st_mode):
            raise ConfigurationError(
                [
                    ConfigurationProblem(
                        "CAMUNDA_TOKEN_CACHE_DIR", f"{str(directory)!r} is not a directory"
                    )
                ]
            )
        if not _POSIX:
            return
        if info.st_uid != os.geteuid():
            raise ConfigurationError(
                [
                    ConfigurationProblem(
                        "CAMUNDA_TOKEN_CACHE_DIR",
                        f"{str(directory)!r} is owned by uid {info.st_uid}, not by the current "
                        f"user (uid {os.geteuid()}); refusing to keep tokens where another user "
                        "could read or replace them",
                    )
                ]
            )
        mode = stat.S_IMODE(info.st_mode)
        if mode != 0o700:
            try:
                os.chmod(directory, 0o700)
            except OSError as exc:
                raise ConfigurationError(
                    [
                        ConfigurationProblem(
                            "CAMUNDA_TOKEN_CACHE_DIR",
                            f"cannot restrict {str(directory)!r} to mode 0700: "
                            f"{exc.strerror or exc}",
                        )
                    ]
                ) from None
            if mode & 0o077:
                self._logger.warning(
                    f"Token cache directory {str(directory)!r} had mode {mode:04o}; "
                    "restricted it to 0700"
                )

    def load(self, key: str) -> CachedToken | None:
        path = self.path_for(key)
        text = self._read_private(path)
        if text is None:
            return None
        token = decode_entry(key, text, self._now())
        if token is None:
            self._logger.debug(
                f"Ignoring token cache file {path.name}: corrupt, expired or not for this client"
            )
        return token

    def _warn_once(self, path: Path, why: str) -> None:
        with self._warned_lock:
            if path.name in self._warned:
                return
            self._warned.add(path.name)
        self._logger.warning(
            f"Ignoring token cache entry {path.name}: {why}; it will be replaced by the next token"
        )

    def _read_private(self, path: Path) -> str | None:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(path, flags)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP or (_POSIX and os.path.islink(path)):
                self._warn_once(path, "it is a symbolic link, which is never followed")
            else:
                # EACCES, ...: not a file we wrote.
                self._logger.debug(f"Ignoring token cache file {path.name}: {exc.strerror or exc}")
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                self._warn_once(path, f"it is a {_file_kind(info.st_mode)}, not a regular file")
                return None
            if info.st_size > _MAX_ENTRY_BYTES:
                self._logger.debug(f"Ignoring token cache file {path.name}: not a token file")
                return None
            if _POSIX and (info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077):
                self._logger.warning(
                    f"Ignoring token cache file {path.name}: not owned by this user or readable "
                    "by others"
                )
                return None
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(_MAX_ENTRY_BYTES + 1)
        finally:
            os.close(fd)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def store(self, key: str, token: CachedToken) -> None:
        path = self.path_for(key)
        data = encode_entry(key, token).encode("utf-8")
        temp = self._directory / f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp"
        flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
        fd = os.open(temp, flags, 0o600)
        try:
            try:
                if _POSIX:
                    os.fchmod(fd, 0o600)  # exact, whatever the umask
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.replace(temp, path)
            except OSError as exc:
                # A directory planted at the entry path: rename cannot replace it.
                if not _remove_empty_dir(path):
                    raise
                self._logger.debug(f"Removed an empty directory at token cache entry {path.name} ({exc.strerror})")
                os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        with self._warned_lock:
            self._warned.discard(path.name)
        self._fsync_directory()

    def _fsync_directory(self) -> None:
        # Makes the rename durable; best effort (not supported everywhere).
        if not _POSIX:
            return
        with contextlib.suppress(OSError):
            fd = os.open(self._directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def clear(self, key: str | None = None) -> None:
        if key is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path_for(key))
            return
        # Only our own files: the directory may be shared with other things.
        for path in self._directory.glob(f"{_FILE_PREFIX}*{_FILE_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and its missing parents, each exactly 0700 whatever the umask.

    ``Path.mkdir(parents=True)`` gives parents the umask's mode (0777 under umask 000).
    Directories that exist already are left as they are here.
    """
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue  # created meanwhile by someone else: not ours to chmod
        if _POSIX:
            os.chmod(path, 0o700)  # mkdir's mode is masked by the umask


def _remove_empty_dir(path: Path) -> bool:
    """Remove ``path`` if it is a directory (not a link) with nothing in it."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
        os.rmdir(path)
    except OSError:
        return False
    return True


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


# -- factories (registered in plugin.py) -----------------------------------------------

_fallback_warned = False
_fallback_lock = threading.Lock()


def create_memory_cache(config: OAuthConfigSource, logger: SdkLogger) -> TokenCache:
    return MemoryTokenCache()


def create_disk_cache(config: OAuthConfigSource, logger: SdkLogger) -> TokenCache:
    problems: list[ConfigurationProblem] = []
    if config.token_disk_cache_disable:
        problems.append(
            ConfigurationProblem(
                "CAMUNDA_TOKEN_CACHE",
                "is 'disk' but CAMUNDA_TOKEN_DISK_CACHE_DISABLE is true; choose one",
            )
        )
    if config.token_cache_dir is None:
        problems.append(
            ConfigurationProblem(
                "CAMUNDA_TOKEN_CACHE_DIR", "is required when CAMUNDA_TOKEN_CACHE is 'disk'"
            )
        )
    if problems:
        raise ConfigurationError(problems)
    assert config.token_cache_dir is not None
    return DiskTokenCache(Path(config.token_cache_dir), logger=logger)


def _keyring_missing(exc: ImportError) -> bool:
    """True when ``exc`` says the ``keyring`` extra is not installed (any other failure is re-raised)."""
    return exc.name is not None and exc.name.split(".")[0] == "keyring"


def create_keyring_cache(config: OAuthConfigSource, logger: SdkLogger) -> TokenCache:
    try:
        from camunda_auth_oauth import keyring_cache
    except ImportError as exc:
        if not _keyring_missing(exc):
            raise
        raise ConfigurationError(
            [
                ConfigurationProblem(
                    "CAMUNDA_TOKEN_CACHE",
                    "is 'keyring' but the keyring package is not installed; install the extra "
                    f"({KEYRING_EXTRA}, or camunda-orchestration-sdk[keyring]) or set "
                    "CAMUNDA_TOKEN_CACHE to 'disk' or 'memory'",
                )
            ]
        ) from None
    backend = keyring_cache.current_backend()
    if not keyring_cache.keyring_is_usable(backend):
        raise ConfigurationError(
            [
                ConfigurationProblem(
                    "CAMUNDA_TOKEN_CACHE",
                    f"is 'keyring' but no usable OS keyring backend is available (found "
                    f"{keyring_cache.backend_name(backend)}). Install or unlock a keyring backend, or set "
                    "CAMUNDA_TOKEN_CACHE to 'keyring-or-memory', 'disk' or 'memory'",
                )
            ]
        )
    return keyring_cache.KeyringTokenCache(logger=logger)


def create_keyring_or_memory_cache(config: OAuthConfigSource, logger: SdkLogger) -> TokenCache:
    global _fallback_warned
    try:
        from camunda_auth_oauth import keyring_cache
    except ImportError as exc:
        if not _keyring_missing(exc):
            raise
        message = (
            "The keyring package is not installed; caching OAuth tokens in memory instead "
            f"(CAMUNDA_TOKEN_CACHE=keyring-or-memory; {KEYRING_EXTRA} for the OS keyring)"
        )
    else:
        backend = keyring_cache.current_backend()
        if keyring_cache.keyring_is_usable(backend):
            return keyring_cache.KeyringTokenCache(logger=logger, fallback_to_memory=True)
        message = (
            f"No usable OS keyring backend ({keyring_cache.backend_name(backend)}); caching OAuth "
            "tokens in memory instead (CAMUNDA_TOKEN_CACHE=keyring-or-memory)"
        )
    logger.warning(message)
    with _fallback_lock:
        first, _fallback_warned = not _fallback_warned, True
    if first:
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    return MemoryTokenCache()
