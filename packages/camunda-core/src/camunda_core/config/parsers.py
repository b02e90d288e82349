"""Parsers that turn one raw configuration value into a typed one.

A parser takes the raw value of one variable (a ``str`` from the environment or
a ``.env`` file, or whatever the user put in the explicit ``configuration``
dict) and returns the typed value, or raises :class:`InvalidValue` saying what
was expected. The resolver adds the variable name and (unless the variable is
secret) the offending value to the message.

Plugins declaring their own :class:`~camunda_core.config.Variable` may use
these, or any callable with the same shape.
"""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple, cast
from urllib.parse import urlsplit

from camunda_core.logging import LOG_LEVELS
from camunda_core.types import Secret

__all__ = [
    "Parser",
    "InvalidValue",
    "PemFile",
    "parse_str",
    "parse_secret",
    "parse_bool",
    "parse_path",
    "path_text",
    "parse_url",
    "parse_rest_address",
    "check_http_url",
    "unsafe_character",
    "parse_strategy_name",
    "parse_cache_name",
    "parse_log_level",
    "parse_envfile_setting",
    "parse_pem_text",
    "parse_pem_secret",
    "parse_pem_file",
    "integer",
    "milliseconds",
    "choice",
    "parse_name_list",
    "parse_backpressure_profile",
    "BACKPRESSURE_PROFILES",
    "BOOL_TRUE",
    "BOOL_FALSE",
    "LOG_LEVEL_NAMES",
]

#: A parser: raw value in, typed value out; raises :class:`InvalidValue`.
Parser = Callable[[object], object]

BOOL_TRUE = frozenset({"true", "1", "yes", "on"})
BOOL_FALSE = frozenset({"false", "0", "no", "off"})

#: CAMUNDA_SDK_LOG_LEVEL values, quietest first.
LOG_LEVEL_NAMES: tuple[str, ...] = LOG_LEVELS
_LOG_LEVEL_ALIASES = {"warning": "warn"}


class InvalidValue(ValueError):
    """A raw value does not fit its variable.

    ``message`` says what was expected (``"expected a boolean (true/false)"``).
    ``show_value`` is False when the message already describes the value, or
    when the value must not be echoed.
    """

    def __init__(self, message: str, *, show_value: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.show_value = show_value


class PemFile(NamedTuple):
    """A ``_PATH`` TLS variable's value before the resolver reads the file.

    Reading is deferred so that a relative path is taken relative to the
    resolver's working directory.
    """

    path: Path


def _text(value: object, expected: str) -> str:
    if isinstance(value, str):
        return value.strip()
    raise InvalidValue(f"expected {expected}")


def parse_str(value: object) -> str:
    """Any non-empty text (surrounding whitespace removed)."""
    return _text(value, "a string")


def parse_secret(value: object) -> Secret:
    """Text kept in a :class:`Secret`. Taken verbatim: whitespace may be part of a password."""
    if isinstance(value, Secret):
        return value
    if isinstance(value, str):
        return Secret(value)
    raise InvalidValue("expected a string", show_value=False)


def parse_bool(value: object) -> bool:
    """``true/false``, ``1/0``, ``yes/no``, ``on/off`` in any case, or a ``bool``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in BOOL_TRUE:
            return True
        if word in BOOL_FALSE:
            return False
    raise InvalidValue("expected a boolean (true/false, 1/0, yes/no, on/off)")


def _whole_number(value: object) -> int | None:
    """An int from an int, an integral float, or decimal text; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isdigit() and digits.isascii():
            return int(text)
    return None


def _bound_phrase(minimum: int) -> str:
    if minimum == 1:
        return "a positive integer"
    if minimum == 0:
        return "a non-negative integer"
    return f"an integer >= {minimum}"


def integer(*, minimum: int = 0) -> Parser:
    """A parser for whole numbers no smaller than ``minimum``."""
    expected = f"expected {_bound_phrase(minimum)}"

    def parse_integer(value: object) -> int:
        number = _whole_number(value)
        if number is None or number < minimum:
            raise InvalidValue(expected)
        return number

    return parse_integer


def milliseconds(*, minimum: int = 1) -> Parser:
    """A parser for a whole number of milliseconds; returns seconds as a ``float``.

    A :class:`datetime.timedelta` (explicit dict only) is taken as the duration itself.
    """
    expected = f"expected {_bound_phrase(minimum)} (milliseconds)"

    def parse_milliseconds(value: object) -> float:
        if isinstance(value, timedelta):
            seconds = value.total_seconds()
            if seconds * 1000 < minimum:
                raise InvalidValue(f"expected a duration of at least {minimum} ms")
            return seconds
        number = _whole_number(value)
        if number is None or number < minimum:
            raise InvalidValue(expected)
        return number / 1000.0

    return parse_milliseconds


def choice(*options: str) -> Parser:
    """A parser for one of ``options`` (case-insensitive; returns the lower-case option)."""
    allowed = tuple(option.lower() for option in options)
    expected = "expected one of " + ", ".join(allowed)

    def parse_choice(value: object) -> str:
        word = _text(value, expected[len("expected ") :]).lower()
        if word not in allowed:
            raise InvalidValue(expected)
        return word

    return parse_choice


def parse_name_list(value: object) -> tuple[str, ...]:
    """Comma-separated names (or, explicit dict only, a list of them): trimmed, none empty, no repeats."""
    expected = "expected comma-separated names, such as 'tenant-a,tenant-b'"
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, (list, tuple)):
        items = list(cast("list[object] | tuple[object, ...]", value))
    else:
        raise InvalidValue(expected)
    names: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InvalidValue(f"{expected}; an entry is empty or not text")
        name = item.strip()
        if name in names:
            raise InvalidValue(f"{expected}; {name!r} is listed twice")
        names.append(name)
    if not names:
        raise InvalidValue(expected)
    return tuple(names)


#: CAMUNDA_SDK_BACKPRESSURE_PROFILE (the official SDK's name) -> CAMUNDA_BACKPRESSURE_ADAPTIVE.
BACKPRESSURE_PROFILES = {"balanced": True, "legacy": False}


def parse_backpressure_profile(value: object) -> bool:
    """``BALANCED`` (adaptive: True) or ``LEGACY`` (observe only: False), in any case."""
    word = _text(value, "BALANCED or LEGACY").lower()
    if word not in BACKPRESSURE_PROFILES:
        raise InvalidValue("expected BALANCED or LEGACY")
    return BACKPRESSURE_PROFILES[word]


def parse_log_level(value: object) -> str:
    """A log level name; ``warning`` is accepted for ``warn``."""
    expected = "expected one of " + ", ".join(LOG_LEVEL_NAMES)
    word = _text(value, expected[len("expected ") :]).lower()
    word = _LOG_LEVEL_ALIASES.get(word, word)
    if word not in LOG_LEVEL_NAMES:
        raise InvalidValue(expected)
    return word


def parse_strategy_name(value: object) -> str:
    """An auth strategy name, upper-cased. Any name: plugins add strategies."""
    name = _text(value, "a strategy name such as NONE, BASIC or OAUTH")
    if any(char.isspace() for char in name):
        raise InvalidValue("expected a strategy name without spaces")
    return name.upper()


def parse_cache_name(value: object) -> str:
    """A token cache name, lower-cased. Any name: plugins add caches."""
    name = _text(value, "a token cache name such as memory or disk")
    if any(char.isspace() for char in name):
        raise InvalidValue("expected a token cache name without spaces")
    return name.lower()


def path_text(value: object) -> str | None:
    """The text of a ``str`` or ``os.PathLike`` value; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        text: object = os.fspath(cast("os.PathLike[str]", value))
        return text if isinstance(text, str) else None
    return None


def parse_path(value: object) -> Path:
    """A filesystem path; ``~`` is expanded. Relative paths are resolved by the resolver."""
    text = path_text(value)
    if text is None or not text.strip():
        raise InvalidValue("expected a filesystem path")
    return Path(text.strip()).expanduser()


def unsafe_character(text: str) -> str | None:
    """A description of the first control character (or DEL) in ``text``, or None.

    Such characters cannot travel in an HTTP header or request line, and a CR/LF
    could split one; callers must not echo ``text`` itself when it is secret.
    """
    for char in text:
        code = ord(char)
        if code < 0x20 or code == 0x7F:
            names = {"\r": "CR", "\n": "LF", "\x00": "NUL", "\t": "TAB"}
            return names.get(char, f"U+{code:04X}")
    return None


def _is_host_character(char: str) -> bool:
    # Letters and digits of any script (IDNA names), their combining marks, - . _
    return char.isalnum() or char in "-._" or unicodedata.category(char).startswith("M")


def check_http_url(text: str, *, allow_query: bool = True) -> None:
    """The one URL check for configured endpoints (REST address, OAuth URL).

    Raises :class:`InvalidValue` for anything but an absolute http(s) URL with a
    host that httpx (and so every transport) accepts. Credentials in the URL are
    refused without echoing the value: they would leak into reprs and logs, and
    transports disagree on whether to send them.
    """
    authority = text.partition("://")[2].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        raise InvalidValue(
            "expected a URL without credentials (user:password@); configure credentials "
            "with the auth variables instead",
            show_value=False,
        )
    if text.partition("://")[0].lower() not in ("http", "https"):
        raise InvalidValue("expected an http:// or https:// URL")
    bad = unsafe_character(text)
    if bad is not None:
        raise InvalidValue(f"expected a URL without control characters (found {bad})")
    if any(char.isspace() for char in text):
        raise InvalidValue("expected a URL without spaces (percent-encode them as %20)")
    try:
        parts = urlsplit(text)
    except ValueError as error:  # e.g. an unclosed IPv6 bracket
        raise InvalidValue(f"expected a valid URL ({error})") from None
    try:
        port = parts.port
    except ValueError:
        raise InvalidValue("expected a URL with a numeric port from 1 to 65535") from None
    host = parts.hostname
    if not host:
        raise InvalidValue("expected a URL with a host")
    if ":" not in host and not all(_is_host_character(char) for char in host):
        # ':' only appears in a bracketed IPv6 literal, which urlsplit has checked.
        raise InvalidValue("expected a URL whose host is a name or an IP address")
    if port == 0:
        raise InvalidValue("expected a URL with a numeric port from 1 to 65535")
    if parts.fragment or (parts.query and not allow_query):
        what = "a query string or fragment" if not allow_query else "a fragment"
        raise InvalidValue(f"expected a URL without {what}")
    # Last: whatever httpx would refuse when the client is built (bad IDNA host,
    # invalid characters in the host), so the constructor never raises httpx.InvalidURL.
    import httpx

    try:
        httpx.URL(text)
    except (httpx.InvalidURL, ValueError) as error:
        raise InvalidValue(f"expected a valid URL ({error})") from None


def parse_url(value: object) -> str:
    """An absolute http(s) URL with a host, taken as given (whitespace removed)."""
    text = _text(value, "an http:// or https:// URL")
    check_http_url(text, allow_query=True)
    return text


def parse_rest_address(value: object) -> str:
    """The REST base URL, ending in exactly one ``/v2`` and no trailing slash."""
    text = _text(value, "an http:// or https:// URL")
    check_http_url(text, allow_query=False)
    base = text.rstrip("/")
    if not base.endswith("/v2"):
        base += "/v2"
    return base


def parse_envfile_setting(value: object) -> Path | None:
    """``CAMUNDA_LOAD_ENVFILE``: a boolean (true means ``.env``) or a path; None disables."""
    if isinstance(value, bool):
        return Path(".env") if value else None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "1", "yes"):
            return Path(".env")
        if word in ("", "false", "0", "no"):
            return None
    if path_text(value) is not None:
        return parse_path(value)
    raise InvalidValue("expected true/false or a path to a .env file")


def _pem_text(value: object) -> str | None:
    if isinstance(value, Secret):
        value = value.reveal()
    if not isinstance(value, str):
        return None
    text = value.strip()
    # A PEM pasted into a single-line variable usually arrives with literal "\n".
    if "\n" not in text and "\\n" in text:
        text = text.replace("\\n", "\n")
    return text + "\n" if "-----BEGIN" in text else None


def parse_pem_text(value: object) -> str:
    """Inline PEM text (certificates)."""
    text = _pem_text(value)
    if text is None:
        raise InvalidValue("expected PEM text starting with '-----BEGIN'", show_value=False)
    return text


def parse_pem_secret(value: object) -> Secret:
    """Inline PEM text that must stay secret (a private key)."""
    text = _pem_text(value)
    if text is None:
        raise InvalidValue("expected PEM text starting with '-----BEGIN'", show_value=False)
    return Secret(text)


def parse_pem_file(value: object) -> PemFile:
    """A path to a PEM file; read later by the resolver."""
    return PemFile(parse_path(value))
