"""The OS keyring token cache: needs the ``keyring`` extra (``pip install "camunda-auth-oauth[keyring]"``).

Kept apart from ``caches.py`` so that the memory and disk caches, and the package
itself, import without ``keyring`` (and ``cryptography``, which its Linux backend
pulls in). ``caches.create_keyring_cache`` imports this module only when the
keyring cache is chosen, and reports a missing extra as a ``ConfigurationError``.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors

from camunda_auth_oauth.caches import KEYRING_SERVICE, MemoryTokenCache, decode_entry, encode_entry
from camunda_auth_oauth.settings import hashed_key
from camunda_core.auth.token_cache import CachedToken
from camunda_core.logging import NullLogger, SdkLogger

__all__ = ["KeyringTokenCache", "keyring_is_usable", "backend_name", "current_backend"]


def current_backend() -> keyring.backend.KeyringBackend:
    """The backend keyring picked (or was given with ``keyring.set_keyring``)."""
    return keyring.get_keyring()


def keyring_is_usable(backend: keyring.backend.KeyringBackend | None = None) -> bool:
    """False for keyring's ``fail`` and ``null`` backends and an empty chainer.

    ``fail`` raises on every call; ``null`` and an empty chainer accept writes
    and store nothing, which would make a cache that silently never hits.
    """
    backend = backend if backend is not None else keyring.get_keyring()
    if isinstance(backend, (keyring.backends.fail.Keyring, keyring.backends.null.Keyring)):
        return False
    if isinstance(backend, keyring.backends.chainer.ChainerBackend):
        chained: list[keyring.backend.KeyringBackend] = list(
            backend.backends  # pyright: ignore[reportUnknownArgumentType,reportUnknownMemberType]
        )
        return any(keyring_is_usable(inner) for inner in chained)
    return True


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


class KeyringTokenCache:
    """Tokens in the OS keyring (macOS Keychain, Windows Credential Locker, Secret Service).

    Each entry is stored with ``keyring.set_password(KEYRING_SERVICE, <sha256
    of the key>, <entry JSON>)``. A keyring cannot list its items, so
    ``clear(None)`` forgets the keys this instance has seen.

    With ``fallback_to_memory=True`` (cache name ``keyring-or-memory``), a
    keyring failure at run time (a locked keychain, a D-Bus hiccup) warns once
    and moves the cache to memory; otherwise failures are logged as warnings and
    the token simply is not persisted.
    """

    def __init__(
        self,
        *,
        logger: SdkLogger | None = None,
        fallback_to_memory: bool = False,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._logger: SdkLogger = logger or NullLogger()
        self._fallback_to_memory = fallback_to_memory
        self._now = now
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._memory: MemoryTokenCache | None = None

    def __repr__(self) -> str:
        where = "memory (keyring failed)" if self._memory is not None else "keyring"
        return f"KeyringTokenCache(service={KEYRING_SERVICE!r}, storage={where!r})"

    def _failed(self, action: str, exc: Exception) -> MemoryTokenCache | None:
        message = f"OS keyring {action} failed ({type(exc).__name__}: {exc})"
        if not self._fallback_to_memory:
            self._logger.warning(f"{message}; the token is not persisted")
            return None
        with self._lock:
            if self._memory is None:
                self._memory = MemoryTokenCache(now=self._now)
                text = f"{message}; caching OAuth tokens in memory from now on"
                self._logger.warning(text)
                warnings.warn(text, RuntimeWarning, stacklevel=2)
            return self._memory

    def load(self, key: str) -> CachedToken | None:
        if self._memory is not None:
            return self._memory.load(key)
        try:
            text = keyring.get_password(KEYRING_SERVICE, hashed_key(key))
        except keyring.errors.KeyringError as exc:
            memory = self._failed("read", exc)
            return memory.load(key) if memory is not None else None
        if text is None:
            return None
        token = decode_entry(key, text, self._now())
        if token is None:
            self._logger.debug("Ignoring keyring token entry: corrupt, expired or not for this client")
        return token

    def store(self, key: str, token: CachedToken) -> None:
        if self._memory is not None:
            self._memory.store(key, token)
            return
        with self._lock:
            self._seen.add(key)
        try:
            keyring.set_password(KEYRING_SERVICE, hashed_key(key), encode_entry(key, token))
        except keyring.errors.KeyringError as exc:
            memory = self._failed("write", exc)
            if memory is not None:
                memory.store(key, token)

    def clear(self, key: str | None = None) -> None:
        if self._memory is not None:
            self._memory.clear(key)
        with self._lock:
            keys = [key] if key is not None else sorted(self._seen)
            if key is None:
                self._seen.clear()
            else:
                self._seen.discard(key)
        for one in keys:
            try:
                keyring.delete_password(KEYRING_SERVICE, hashed_key(one))
            except keyring.errors.PasswordDeleteError:
                pass  # not there: nothing to forget
            except keyring.errors.KeyringError as exc:
                self._logger.warning(
                    f"OS keyring delete failed ({type(exc).__name__}: {exc}); "
                    "a stale token may remain there"
                )
