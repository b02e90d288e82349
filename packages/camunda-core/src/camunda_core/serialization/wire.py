"""The wire rules for single values, in one place. The converter and the request builder use them.

- **Datetimes** are written as ISO 8601 with ``Z`` for UTC, whole milliseconds as milliseconds
  (:func:`format_datetime`). A naive datetime is never sent: :func:`format_datetime` raises
  :class:`WireValueError`. (Reading them is the converter's ``parse_datetime``.)
- **Enums** are sent as their ``.value`` (:func:`enum_value`).
- **UNSET** is never sent: the converter leaves it out of models and dicts; anywhere else
  (:func:`enum_value`, a list item) it is a :class:`WireValueError`.
- **Query and path values** become text by :func:`scalar_text`: booleans ``true``/``false``,
  datetimes and enums as above, strings and integers as they are.
- **JSON bodies** are encoded by :func:`encode_json`: plain JSON goes straight through
  ``json``; only what ``json`` cannot encode itself (datetimes, enums, models, UNSET) reaches
  :func:`json_default`, and models go through the converter.
- **Response bodies** are decoded by :func:`decode_json`: orjson where it is installed (a
  dependency on CPython), else the stdlib ``json``; whatever orjson refuses (``NaN``, a BOM,
  UTF-16, a lone surrogate escape, malformed JSON) is read by the stdlib ``json``, so such a
  body reads, or fails with the same error, as it always did. Integers are exact in the
  64-bit range (all the server sends: its fields are int64, its variables MessagePack);
  an integer literal beyond it reads as a float with orjson.

A value that cannot be sent raises :class:`WireValueError` (a ``ConversionError`` and a
``ValidationError``) whose ``path`` says where it is (``['filter']['startDate']``,
``[2].start_date``); the request builder adds the operation and ``data``/the parameter name.

This module imports neither cattrs nor the converter (which is loaded on first use), so the
request builder can use it at import time.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Callable
from typing import Any

from camunda_core.errors import CamundaError, ValidationError
from camunda_core.types import UNSET

__all__ = [
    "ConversionError",
    "WireValueError",
    "NAIVE_DATETIME",
    "UNSET_VALUE",
    "format_datetime",
    "is_naive",
    "enum_value",
    "scalar_text",
    "json_default",
    "encode_json",
    "decode_json",
]


class ConversionError(CamundaError, ValueError):
    """Data did not fit a model. Names the model and the field (never the value)."""

    def __init__(self, message: str, *, model: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.model = model
        self.field = field


#: What is wrong with a naive datetime (the same words in request validation).
NAIVE_DATETIME = "expected a timezone-aware datetime, got a naive one"
#: What is wrong with UNSET where it cannot be left out.
UNSET_VALUE = "UNSET cannot be sent; leave the field out instead"


class WireValueError(ConversionError, ValidationError):
    """A value that cannot be sent as it is; ``path`` says where it sits in the value given."""

    def __init__(self, problem: str, path: str = "") -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.problem = problem
        self.path = path

    def within(self, segment: str) -> WireValueError:
        """The same problem, one level further out (``segment`` is ``['key']``, ``[3]``, ``.attr``)."""
        return WireValueError(self.problem, segment + self.path)

    def __reduce__(self) -> tuple[Any, ...]:
        return (WireValueError, (self.problem, self.path))


def key_segment(key: object) -> str:
    """A dict key as a path segment, shortened: keys are names, but may be long."""
    return f"[{shorten(repr(key))}]"


# ------------------------------------------------------------------ datetimes


def is_naive(value: datetime.datetime) -> bool:
    """True for a datetime without a UTC offset (no tzinfo, or one that gives no offset)."""
    return value.utcoffset() is None


def format_datetime(value: datetime.datetime) -> str:
    """ISO 8601, with ``Z`` for UTC; whole milliseconds (what the server sends) stay milliseconds.

    Raises :class:`WireValueError` for a naive datetime: the server needs an offset.
    """
    text = value.isoformat()  # "YYYY-MM-DDTHH:MM:SS[.ffffff][+HH:MM]"
    if text[-6:] == "+00:00":  # a zero offset, exactly: the server's own form is "Z"
        micros = value.microsecond
        return (text[:23] if micros and not micros % 1000 else text[:-6]) + "Z"
    if text[-6] not in "+-" and value.utcoffset() is None:
        raise WireValueError(NAIVE_DATETIME)
    micros = value.microsecond
    if micros and not micros % 1000:
        return value.isoformat("T", "milliseconds")
    return text


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters, marked as cut."""
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------- enums, scalars


def enum_value(member: enum.Enum) -> Any:
    """An enum member as sent: its ``.value`` (``UNSET`` is never sent)."""
    if member is UNSET:
        raise WireValueError(UNSET_VALUE)
    return member.value


def scalar_text(value: object) -> str:
    """A query or path value as text: ``true``/``false``, datetimes and enums by the rules above.

    Raises :class:`WireValueError` for a naive datetime or a value that is not a string,
    integer, boolean, datetime or enum.
    """
    if type(value) is str:
        return value
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, enum.Enum):
        return str(enum_value(value))
    if isinstance(value, (str, int)):
        return str(value)
    raise WireValueError(f"expected a string, got {type(value).__name__}")


# ------------------------------------------------------------------------- JSON


class _UnsetInside(Exception):
    """Raised inside json encoding when a value must be left out (UNSET), not converted."""


def json_default(value: Any) -> Any:
    """The ``default=`` hook of :func:`encode_json`: called only for what ``json`` cannot encode."""
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, enum.Enum):
        if value is UNSET:
            raise _UnsetInside
        return enum_value(value)
    from camunda_core.serialization.converter import unstructure

    converted = unstructure(value)  # models, sets, dates, other mappings
    if converted is value:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return converted


_encoder = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=json_default
)
_plain_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode_json(data: Any) -> bytes:
    """Compact UTF-8 JSON of plain data that may hold models, datetimes, enums and UNSET.

    Plain JSON costs one ``json`` encoding. Raises :class:`WireValueError` (with its path) for a
    value that cannot be sent, ``TypeError``/``ValueError`` for what JSON cannot hold.
    """
    try:
        text = _encoder.encode(data)
    except (_UnsetInside, WireValueError):
        # Rare: UNSET to leave out, or a value that cannot be sent. The converter's walk
        # drops the one and says where the other is.
        from camunda_core.serialization.converter import unstructure

        text = _plain_encoder.encode(unstructure(data))
    return text.encode("utf-8")


# ----------------------------------------------------------------------- decoding

_fast_loads: Callable[[bytes], Any] | None = None


def _load_fast_loads() -> Callable[[bytes], Any]:
    # Imported on first use: importing camunda_core stays as cheap as before.
    global _fast_loads
    try:
        from orjson import loads
    except ImportError:  # no orjson (PyPy): the stdlib reads every body
        loads = json.loads
    _fast_loads = loads
    return loads


def decode_json(content: bytes) -> Any:
    """The JSON value of a response body.

    Raises ``ValueError`` (the stdlib's ``JSONDecodeError``, with its position) for a body that
    is not JSON.
    """
    loads = _fast_loads or _load_fast_loads()
    try:
        return loads(content)
    except ValueError:
        # What orjson refuses but json reads (NaN, a BOM, UTF-16, ...), or malformed JSON,
        # whose error is then the stdlib's own.
        return json.loads(content)
