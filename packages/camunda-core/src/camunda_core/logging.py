"""Logging: loguru by default, disabled for the library until the user opts in.

The SDK never adds a sink. It logs through loguru's global logger bound with
``sdk="camunda"``; loguru is disabled for ``camunda_*`` modules at import, and
re-enabled when ``CAMUNDA_SDK_LOG_LEVEL`` is set (or the user calls
``logger.enable("camunda_core")`` themselves).

``logger=`` on a client accepts a stdlib ``logging.Logger`` or any object with
``debug``/``info``/``warning``/``error``; :class:`NullLogger` silences all.
Whatever is passed is wrapped in :class:`LevelFilteredLogger`, which applies
``CAMUNDA_SDK_LOG_LEVEL`` and scrubs secrets from every message.

A traceback travels with ``exc_info=error`` (an exception, or ``True`` for the
one being handled): loguru gets it through ``opt(exception=...)``, a stdlib
logger as ``exc_info``, any other logger as the formatted traceback appended
to the message.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
import typing
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "SdkLogger",
    "NullLogger",
    "LevelFilteredLogger",
    "LOG_LEVELS",
    "default_logger",
    "redact",
    "redact_headers",
    "SECRET_HEADER_NAMES",
]

#: CAMUNDA_SDK_LOG_LEVEL values, quietest first.
LOG_LEVELS: tuple[str, ...] = ("silent", "error", "warn", "info", "debug", "trace", "silly")
_LEVEL_RANK = {name: rank for rank, name in enumerate(LOG_LEVELS)}

#: Headers whose values are never logged.
SECRET_HEADER_NAMES = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})

_LOGURU_MODULES = ("camunda_core", "camunda_auth_oauth", "camunda_workers", "camunda_orchestration_sdk")


@runtime_checkable
class SdkLogger(Protocol):
    """What the SDK needs of a logger."""

    def debug(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...
    def info(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...
    def warning(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...
    def error(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...


class NullLogger:
    """A logger that discards everything. Picklable, so it crosses process pools."""

    def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
        pass

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        pass

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        pass

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        pass

    def trace(self, msg: str, *args: Any, **kwargs: Any) -> None:
        pass

    def bind(self, **_context: Any) -> NullLogger:
        return self

    def __repr__(self) -> str:
        return "NullLogger()"


# Bearer/Basic credentials, JWT-looking strings and secret-named key/value pairs.
_SECRET_PATTERNS = (
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    re.compile(
        r"(?i)((?:client_secret|access_token|refresh_token|password|secret|token)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+"
    ),
)


def redact(text: str, extra_secrets: Iterable[str] = ()) -> str:
    """Replace credentials in free text with ``***``."""
    for secret in extra_secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _SECRET_PATTERNS[0].sub(lambda m: f"{m.group(1)} ***", text)
    text = _SECRET_PATTERNS[1].sub("***", text)
    return _SECRET_PATTERNS[2].sub(lambda m: f"{m.group(1)}***", text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with secret-bearing values replaced by ``***``."""
    return {k: ("***" if k.lower() in SECRET_HEADER_NAMES else v) for k, v in headers.items()}


class LevelFilteredLogger:
    """Wraps any logger: applies the SDK's level and scrubs secrets from messages.

    ``bind(**context)`` returns a child that prefixes messages with the context
    (and passes it to loguru's ``bind`` where the target supports it).
    """

    __slots__ = ("_context", "_rank", "_secrets", "_target")

    def __init__(
        self,
        target: SdkLogger,
        level: str = "error",
        *,
        secrets: Iterable[str] = (),
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self._target = target
        self._rank = _LEVEL_RANK.get(level, _LEVEL_RANK["error"])
        self._secrets = tuple(s for s in secrets if s)
        # loguru formats with str.format, stdlib with %: messages are rendered here
        # and passed on without args, which is right for both.
        self._context: dict[str, Any] = dict(context or {})

    @property
    def target(self) -> SdkLogger:
        return self._target

    def is_enabled(self, level: str) -> bool:
        return _LEVEL_RANK.get(level, 0) <= self._rank and self._rank > 0

    def bind(self, **context: Any) -> LevelFilteredLogger:
        target = self._target
        binder = getattr(target, "bind", None)
        if callable(binder) and not isinstance(target, NullLogger):
            target = binder(**context)
        merged = {**self._context, **context}
        child = LevelFilteredLogger.__new__(LevelFilteredLogger)
        child._target = target
        child._rank = self._rank
        child._secrets = self._secrets
        child._context = merged
        return child

    def _render(self, msg: str, args: tuple[Any, ...]) -> str:
        if args:
            try:
                msg = msg % args
            except (TypeError, ValueError):
                try:
                    msg = msg.format(*args)
                except (IndexError, KeyError, ValueError):
                    msg = " ".join([msg, *map(str, args)])
        if self._context:
            prefix = " ".join(f"{k}={v}" for k, v in self._context.items())
            msg = f"[{prefix}] {msg}"
        return redact(msg, self._secrets)

    def _emit(self, method: str, level: str, msg: str, args: tuple[Any, ...], exc_info: object = None) -> None:
        if not self.is_enabled(level):
            return
        text = self._render(str(msg), args)
        target: Any = self._target
        error = _exception(exc_info)
        if _is_loguru(target):
            # Attribute the record to the SDK code that logged, not to this wrapper
            # (depth: _emit -> debug/info/... -> caller). Without args loguru does
            # not format, so braces in the text are safe.
            target = target.opt(depth=2, exception=error) if error is not None else target.opt(depth=2)
            getattr(target, method, target.debug)(text)
            return
        target_method = getattr(target, method, None) or target.debug
        if error is None:
            target_method(text)
        elif isinstance(target, (logging.Logger, logging.LoggerAdapter)):
            target_method(text, exc_info=error)
        else:
            trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            target_method(f"{text}\n{redact(trace.rstrip(), self._secrets)}")

    def trace(self, msg: str, *args: Any, exc_info: object = None, **_kwargs: Any) -> None:
        self._emit("trace", "trace", msg, args, exc_info)

    def debug(self, msg: str, *args: Any, exc_info: object = None, **_kwargs: Any) -> None:
        self._emit("debug", "debug", msg, args, exc_info)

    def info(self, msg: str, *args: Any, exc_info: object = None, **_kwargs: Any) -> None:
        self._emit("info", "info", msg, args, exc_info)

    def warning(self, msg: str, *args: Any, exc_info: object = None, **_kwargs: Any) -> None:
        self._emit("warning", "warn", msg, args, exc_info)

    def error(self, msg: str, *args: Any, exc_info: object = None, **_kwargs: Any) -> None:
        self._emit("error", "error", msg, args, exc_info)


def _exception(exc_info: object) -> BaseException | None:
    """The exception ``exc_info=`` names: an exception, or True for the one being handled."""
    if isinstance(exc_info, BaseException):
        return exc_info
    if exc_info is True:
        return sys.exc_info()[1]
    return None


def _is_loguru(target: object) -> bool:
    return type(target).__module__.startswith("loguru")


_loguru_disabled = False


def disable_library_logging() -> None:
    """Called at import of camunda_core: importing the library prints nothing; a client turns it on."""
    global _loguru_disabled
    if _loguru_disabled:
        return
    from loguru import logger

    for name in _LOGURU_MODULES:
        logger.disable(name)
    _loguru_disabled = True


def default_logger(level: str) -> SdkLogger:
    """loguru's logger bound to the SDK, turned on for the SDK's modules unless ``level`` is silent.

    The seed's default level is ``error``: a user sees errors (a handler that raised,
    a job given up, an auth failure) with their traceback and nothing else, without
    configuring anything. Importing the package alone stays silent.
    """
    from loguru import logger

    if level != "silent":
        for name in _LOGURU_MODULES:
            logger.enable(name)
    return typing.cast("SdkLogger", logger.bind(sdk="camunda"))
