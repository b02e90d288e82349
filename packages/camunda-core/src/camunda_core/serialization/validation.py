"""Request models checked before they are sent: declared types and the spec's constraints.

The generator writes each attribute's constraints into its field metadata (``pattern``,
``min_length``, ``max_length``, ``minimum``, ``maximum``, ``format`` for integer ranges,
``min_items``, ``max_items``, ``unique_items``, and ``items`` for the constraints on each
item of a list) and the constraints of every key type into
``camunda_core.semantic_types.VALUE_CHECKS``. Patterns there are already in Python syntax.

One validator is compiled per model class on first use (generated code for the class,
closures for its field types; regular expressions compiled then), so checking a request
costs a few attribute reads and ``isinstance`` checks per field that is set. Only
requests are checked: responses stay open to values a newer server sends (unknown enum
values, longer strings). Enum fields accept only the declared values here.

Every problem of one body is collected and reported together, each naming the model and
the attribute path (``ProcessCreationByKey.tags[3]``). Messages never quote a string
value (it may be a secret), except for enum values.
"""

from __future__ import annotations

import datetime
import enum
import math
import re
import threading
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, NewType, Union

import attrs

from camunda_core.errors import ValidationError
from camunda_core.serialization.wire import NAIVE_DATETIME, is_naive
from camunda_core.types import UNSET, Unset

__all__ = ["RequestValidationError", "check", "describe_value", "problems", "validate"]

#: How many problems a message lists; all of them stay on ``RequestValidationError.problems``.
MESSAGE_PROBLEM_LIMIT = 10

# (value) -> a problem message, or None when the value is fine.
ScalarCheck = Callable[[Any], "str | None"]
# (value, path, problems): appends "<path>: <message>" for each problem found.
DeepCheck = Callable[[Any, str, "list[str]"], None]

_NONE_TYPE = type(None)
_UNION_ORIGINS: tuple[Any, ...] = (Union, types.UnionType)
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


class RequestValidationError(ValidationError):
    """A request body does not fit its model: every problem, each naming model and field path."""

    def __init__(self, problems: list[str], *, model: str, operation_id: str | None = None) -> None:
        self.problems = tuple(problems)
        self.model = model
        self.operation_id = operation_id
        super().__init__(_message(self.problems, model, operation_id))


def _message(found: tuple[str, ...], model: str, operation_id: str | None) -> str:
    prefix = f"{operation_id}: " if operation_id else ""
    if len(found) == 1:
        return prefix + found[0]
    shown = "\n".join(f"  - {p}" for p in found[:MESSAGE_PROBLEM_LIMIT])
    more = len(found) - MESSAGE_PROBLEM_LIMIT
    tail = f"\n  ... and {more} more (see .problems)" if more > 0 else ""
    return f"{prefix}{len(found)} problems in {model}:\n{shown}{tail}"


def problems(obj: object) -> list[str]:
    """Every problem of a model instance (empty when it may be sent)."""
    cls = typing.cast("type[Any]", obj.__class__)
    found: list[str] = []
    _class_validator(cls)(obj, cls.__name__, found)
    return found


def validate(obj: object, *, operation_id: str | None = None) -> None:
    """Raise :class:`RequestValidationError` listing every problem of ``obj``, a model instance."""
    found = problems(obj)
    if found:
        raise RequestValidationError(found, model=type(obj).__name__, operation_id=operation_id)


def check(
    tp: Any, value: object, path: str, *, metadata: Mapping[str, Any] | None = None
) -> list[str]:
    """Problems of ``value`` against a type annotation (``list[Tag]``, a union alias, ...)."""
    found: list[str] = []
    if value is None:
        if not _strip_optional(tp)[1]:
            found.append(f"{path}: must not be None")
        return found
    _deep(_build(_strip_optional(tp)[0], metadata or {}))(value, path, found)
    return found


# ------------------------------------------------------------------ type helpers


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(tp) in _UNION_ORIGINS:
        return typing.get_args(tp)
    return None


def _is_new_type(tp: Any) -> bool:
    return isinstance(tp, NewType) if isinstance(NewType, type) else hasattr(tp, "__supertype__")


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    """``X | None | Unset`` -> (``X`` or the union of the rest, whether None is allowed)."""
    args = _union_args(tp)
    if args is None:
        return tp, False
    rest = tuple(a for a in args if a is not Unset and a is not _NONE_TYPE)
    nullable = _NONE_TYPE in args
    if len(rest) == len(args):
        return tp, False
    if len(rest) == 1:
        return rest[0], nullable
    return Union[rest], nullable


def _name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def describe_value(value: object) -> str:
    """A value's type, with the value itself only for numbers and booleans (never strings)."""
    if value is None:
        return "None"
    if isinstance(value, (bool, int, float)) and not isinstance(value, enum.Enum):
        text = repr(value)
        return f"{type(value).__name__} {text if len(text) <= 30 else text[:30] + '…'}"
    return type(value).__name__


def _short(text: str, limit: int = 40) -> str:
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


# ------------------------------------------------------------------ checks per type


@attrs.frozen
class _Check:
    """How to check a value of one declared type."""

    # Whether a value is of this type at all (to choose a union branch).
    accepts: Callable[[Any], bool]
    scalar: ScalarCheck | None = None
    deep: DeepCheck | None = None


def _deep(c: _Check | None) -> DeepCheck:
    if c is None:
        return _nothing
    if c.deep is not None:
        return c.deep
    scalar = c.scalar
    assert scalar is not None

    def deep_scalar(value: Any, path: str, out: list[str]) -> None:
        message = scalar(value)
        if message is not None:
            out.append(f"{path}: {message}")

    return deep_scalar


def _nothing(value: Any, path: str, out: list[str]) -> None:
    return None


def _build(tp: Any, meta: Mapping[str, Any]) -> _Check | None:
    """The check for a (non-optional) annotation; None when any value goes."""
    if tp is Any or tp is object:
        return None
    if _is_new_type(tp):
        merged: dict[str, Any] = {**_semantic_checks().get(tp.__name__, {}), **meta}
        return _build(tp.__supertype__, merged)
    if tp is str:
        return _string_check(meta)
    if tp is bool:
        return _Check(_is_bool, scalar=_check_bool)
    if tp is int:
        return _int_check(meta)
    if tp is float:
        return _float_check(meta)
    if tp is datetime.datetime:
        return _Check(_is_datetime_like, scalar=_check_datetime)
    if tp is bytes:
        return None  # file parts only; the multipart builder reads them
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_check(tp)
    if isinstance(tp, type) and attrs.has(tp):
        return _model_check(tp)
    args = _union_args(tp)
    if args is not None:
        return _union_check(args, meta)
    origin = typing.get_origin(tp)
    if origin in (list, tuple, set, frozenset) or tp in (list, tuple):
        item_args = typing.get_args(tp)
        item = _build(item_args[0], meta.get("items", {})) if item_args else None
        return _list_check(item, meta)
    if origin is dict or origin is Mapping or tp is dict:
        value_args = typing.get_args(tp)
        value = _build(value_args[1], {}) if len(value_args) == 2 else None
        return _dict_check(value)
    return None  # nothing this module knows how to check: let the converter decide


_semantic_cache: dict[str, dict[str, Any]] = {}


def _semantic_checks() -> dict[str, dict[str, Any]]:
    if not _semantic_cache:
        from camunda_core.semantic_types import VALUE_CHECKS

        _semantic_cache.update(VALUE_CHECKS)
    return _semantic_cache


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return value is True or value is False


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_datetime_like(value: Any) -> bool:
    return isinstance(value, (datetime.datetime, str))


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)


def _string_check(meta: Mapping[str, Any]) -> _Check:
    pattern_text: str | None = meta.get("pattern")
    search = re.compile(pattern_text).search if pattern_text is not None else None
    min_length: int | None = meta.get("min_length")
    max_length: int | None = meta.get("max_length")
    expected = f"a string matching {pattern_text}" if pattern_text is not None else "a string"

    def check_string(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"expected {expected}, got {describe_value(value)}"
        size = len(value)
        if min_length is not None and size < min_length:
            return f"at least {min_length} characters required, got {size}"
        if max_length is not None and size > max_length:
            return f"at most {max_length} characters allowed, got {size}"
        if search is not None and search(value) is None:
            return f"expected {expected}, got a string that does not match ({size} characters)"
        return None

    return _Check(_is_str, scalar=check_string)


def _bounds(meta: Mapping[str, Any]) -> tuple[float | None, float | None, str]:
    low: float | None = meta.get("minimum")
    high: float | None = meta.get("maximum")
    fmt: str | None = meta.get("format")
    if fmt in _INT_RANGES:
        fmt_low, fmt_high = _INT_RANGES[fmt]
        low = fmt_low if low is None else max(low, fmt_low)
        high = fmt_high if high is None else min(high, fmt_high)
    return low, high, f" ({fmt})" if fmt in _INT_RANGES else ""


def _int_check(meta: Mapping[str, Any]) -> _Check:
    low, high, note = _bounds(meta)

    def check_int(value: Any) -> str | None:
        if value.__class__ is not int and (isinstance(value, bool) or not isinstance(value, int)):
            return f"expected an integer, got {describe_value(value)}"
        if low is not None and value < low:
            return f"must be at least {_number(low)}{note}, got {value}"
        if high is not None and value > high:
            return f"must be at most {_number(high)}{note}, got {value}"
        return None

    return _Check(_is_int, scalar=check_int)


def _float_check(meta: Mapping[str, Any]) -> _Check:
    low, high, _ = _bounds(meta)

    def check_float(value: Any) -> str | None:
        if not _is_number(value):
            return f"expected a number, got {describe_value(value)}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"expected a finite number, got {value!r}"
        if low is not None and value < low:
            return f"must be at least {_number(low)}, got {value}"
        if high is not None and value > high:
            return f"must be at most {_number(high)}, got {value}"
        return None

    return _Check(_is_number, scalar=check_float)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_bool(value: Any) -> str | None:
    if value is True or value is False:
        return None
    return f"expected a boolean, got {describe_value(value)}"


def _check_datetime(value: Any) -> str | None:
    if isinstance(value, datetime.datetime):
        # The wire rule's own test and words: a naive datetime is never sent.
        return NAIVE_DATETIME if is_naive(value) else None
    if isinstance(value, str):
        from camunda_core.serialization.converter import ConversionError, parse_datetime

        try:
            parse_datetime(value)
        except ConversionError:
            return (
                "expected a datetime or an ISO 8601 date-time string, got a string that is neither"
            )
        return None
    return f"expected a datetime, got {describe_value(value)}"


def _enum_check(cls: type[enum.Enum]) -> _Check:
    declared = [str(m.value) for m in cls.__members__.values()]
    known = frozenset(declared)
    # Every allowed value, however many: they are short names and the caller needs the one meant.
    listed = ", ".join(declared)
    by_upper = {v.upper(): v for v in declared}

    def check_enum(value: Any) -> str | None:
        if isinstance(value, str):
            if value in known:
                return None
            text = str(value.value) if isinstance(value, enum.Enum) else value  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
            guess = by_upper.get(text.upper()) or _closest(text, declared)
            hint = f"; did you mean {guess!r}?" if guess is not None else ""
            return f"{_short(text)} is not a value of {cls.__name__} ({listed}){hint}"
        return f"expected a value of {cls.__name__} ({listed}), got {describe_value(value)}"

    return _Check(_is_str, scalar=check_enum)


def _closest(text: str, candidates: list[str]) -> str | None:
    import difflib  # only on the error path

    matches = difflib.get_close_matches(text, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _model_check(cls: type) -> _Check:
    def accepts(value: Any) -> bool:
        return isinstance(value, cls)

    def check_model(value: Any, path: str, out: list[str]) -> None:
        if value.__class__ is cls or isinstance(value, cls):
            _class_validator(cls)(value, path, out)
        else:
            out.append(f"{path}: expected {cls.__name__}, got {describe_value(value)}")

    return _Check(accepts, deep=check_model)


def _list_check(item: _Check | None, meta: Mapping[str, Any]) -> _Check:
    min_items: int | None = meta.get("min_items")
    max_items: int | None = meta.get("max_items")
    unique: bool = bool(meta.get("unique_items"))
    item_scalar = item.scalar if item is not None else None
    item_deep = item.deep if item is not None else None

    def check_list(value: Any, path: str, out: list[str]) -> None:
        if not isinstance(value, (list, tuple)):
            out.append(f"{path}: expected a list, got {describe_value(value)}")
            return
        items = typing.cast("list[Any] | tuple[Any, ...]", value)
        count = len(items)
        if min_items is not None and count < min_items:
            out.append(f"{path}: at least {min_items} items required, got {count}")
        if max_items is not None and count > max_items:
            out.append(f"{path}: at most {max_items} items allowed, got {count}")
        if unique and count > 1 and not _all_unique(items):
            out.append(f"{path}: items must be unique, got duplicates")
        if item_scalar is not None:
            for index, element in enumerate(items):
                message = "must not be None" if element is None else item_scalar(element)
                if message is not None:
                    out.append(f"{path}[{index}]: {message}")
        elif item_deep is not None:
            for index, element in enumerate(items):
                if element is None:
                    out.append(f"{path}[{index}]: must not be None")
                else:
                    item_deep(element, f"{path}[{index}]", out)

    return _Check(_is_list, deep=check_list)


def _all_unique(items: list[Any] | tuple[Any, ...]) -> bool:
    try:
        return len(set(items)) == len(items)
    except TypeError:  # models and dicts are unhashable: compare pairwise
        return all(items[i] != items[j] for i in range(len(items)) for j in range(i))


def _dict_check(value_check: _Check | None) -> _Check:
    value_deep = _deep(value_check) if value_check is not None else None

    def check_dict(value: Any, path: str, out: list[str]) -> None:
        if not isinstance(value, Mapping):
            out.append(f"{path}: expected a dict (a JSON object), got {describe_value(value)}")
            return
        if value_deep is None:
            return
        entries = typing.cast("Mapping[Any, Any]", value)
        for key, element in entries.items():
            if not isinstance(key, str):
                out.append(f"{path}: keys must be strings, got {describe_value(key)}")
            elif element is not None:
                value_deep(element, f"{path}[{_short(key)}]", out)

    return _Check(_is_mapping, deep=check_dict)


def _union_check(args: tuple[Any, ...], meta: Mapping[str, Any]) -> _Check | None:
    branches = [a for a in args if a is not Unset and a is not _NONE_TYPE]
    built = [_build(b, meta) for b in branches]
    if any(c is None for c in built):
        return None  # a branch takes any value
    checks = [c for c in built if c is not None]
    names = " | ".join(_name(b) for b in branches)
    options = [(c.accepts, _deep(c)) for c in checks]

    def accepts(value: Any) -> bool:
        return any(accept(value) for accept, _ in options)

    def check_union(value: Any, path: str, out: list[str]) -> None:
        first: list[str] | None = None
        for accept, deep in options:
            if not accept(value):
                continue
            found: list[str] = []
            deep(value, path, found)
            if not found:
                return
            if first is None:
                first = found
        if first is None:
            out.append(f"{path}: expected {names}, got {describe_value(value)}")
        else:
            out.extend(first)

    return _Check(accepts, deep=check_union)


# ------------------------------------------------------------------ class validators

_lock = threading.RLock()
_validators: dict[type, DeepCheck] = {}
_building: set[type] = set()


def _class_validator(cls: type) -> DeepCheck:
    fn = _validators.get(cls)
    if fn is not None:
        return fn
    if not attrs.has(cls):
        name = cls.__name__

        def not_a_model(value: Any, path: str, out: list[str]) -> None:
            out.append(f"{path}: expected a model instance, got {name}")

        return not_a_model
    with _lock:
        fn = _validators.get(cls)
        if fn is not None:
            return fn
        if cls in _building:
            # A model that (indirectly) contains itself: bind late.
            return lambda value, path, out: _class_validator(cls)(value, path, out)
        _building.add(cls)
        try:
            fn = _compile(cls)
        finally:
            _building.discard(cls)
        _validators[cls] = fn
        return fn


def _compile(cls: type) -> DeepCheck:
    attrs.resolve_types(cls)
    namespace: dict[str, Any] = {"UNSET": UNSET}
    lines = ["def validate(o, path, out):"]
    for i, a in enumerate(attrs.fields(cls)):
        declared, nullable = _strip_optional(a.type)
        check = _build(declared, a.metadata)
        required = a.default is attrs.NOTHING
        name = a.name
        lines.append(f"  v = o.{name}")
        if check is None:  # Any: every value goes, UNSET is left out
            if required:
                lines.append(f"  if v is UNSET: out.append(path + '.{name}: required, but UNSET')")
            continue
        if required:
            lines.append(f"  if v is UNSET: out.append(path + '.{name}: required, but UNSET')")
            lines.append("  elif v is None:")
        else:
            lines.append("  if v is UNSET: pass")
            lines.append("  elif v is None:")
        if nullable:
            lines.append("    pass")
        else:
            hint = "" if required else " (leave it UNSET to omit it)"
            lines.append(f"    out.append(path + '.{name}: must not be None{hint}')")
        lines.append("  else:")
        if check.scalar is not None:
            namespace[f"s{i}"] = check.scalar
            lines.append(f"    m = s{i}(v)")
            lines.append(f"    if m is not None: out.append(path + '.{name}: ' + m)")
        else:
            namespace[f"d{i}"] = _deep(check)
            lines.append(f"    d{i}(v, path + '.{name}', out)")
    if len(lines) == 1:
        lines.append("  return None")
    source = "\n".join(lines)
    code = compile(source, f"<camunda validate {cls.__module__}.{cls.__qualname__}>", "exec")
    exec(code, namespace)
    fn: DeepCheck = namespace["validate"]
    fn.__qualname__ = f"validate_{cls.__name__}"
    return fn
