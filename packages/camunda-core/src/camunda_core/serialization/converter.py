"""The one converter between wire JSON and the generated models.

Together with :mod:`camunda_core.serialization.wire` (the rules for single values, which this
module uses and the request builder uses for plain-dict bodies and query/path values) it holds
every wire rule:

- Attributes carry their wire name in ``attrs.field(metadata={"wire": ...})``.
- ``UNSET`` attributes, and ``UNSET`` values in dicts, are omitted on the way out; ``None`` is
  sent as ``null``.
- Unknown keys in a response are ignored; unknown enum values become pseudo-members
  (:class:`~camunda_core.serialization.enums.OpenStrEnum`); missing optional keys are ``UNSET``;
  a ``null`` is kept as ``None`` whatever the declared type says.
- Datetimes are parsed on Python 3.10 too (``Z``, offsets, fractions of any length) and sent
  as ISO 8601 with ``Z`` for UTC; a naive datetime is not sent (``WireValueError``). Enums are
  sent by value.
- Unions use the discriminator registered by the generated module, else the branch whose
  required keys are present and whose known keys cover the data.

Hooks are built lazily, per class, on first use: a specialised function is compiled for each
model (identity for strings, numbers, booleans and string keys; one call per nested value),
so parsing a large search result costs little more than ``json.loads``. The functions are
registered with a :class:`cattrs.Converter` (see :func:`get_converter`), so cattrs users get
the same behaviour.
"""

from __future__ import annotations

import datetime
import enum
import re
import sys
import threading
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, NewType, Union

import attrs
import cattrs

from camunda_core.serialization.construction import MODEL_INIT_MARK
from camunda_core.serialization.unions import discriminator_for
from camunda_core.serialization.wire import (
    UNSET_VALUE,
    ConversionError,
    WireValueError,
    enum_value,
    format_datetime,
    key_segment,
    shorten,
)
from camunda_core.types import UNSET, Unset

__all__ = [
    "ConversionError",
    "structure",
    "unstructure",
    "get_converter",
    "parse_datetime",
    "format_datetime",
]

#: A compiled one-argument structure function (``None`` in a spec means identity).
Handler = Callable[[Any], Any]


# ------------------------------------------------------------------ datetimes

_ISO_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?\s*(Z|z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$"
)
_fromisoformat = datetime.datetime.fromisoformat
_NATIVE_ISO = sys.version_info >= (3, 11)  # 3.11's fromisoformat accepts Z and any fraction


def parse_datetime(value: Any) -> datetime.datetime:
    """Parse an ISO 8601 date-time the same way on every supported Python."""
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        raise ConversionError(f"expected an ISO 8601 date-time string, got {type(value).__name__}")
    try:
        if _NATIVE_ISO:
            return _fromisoformat(value)
        if value[-1:] in ("Z", "z"):
            return _fromisoformat(value[:-1] + "+00:00")
        return _fromisoformat(value)
    except ValueError:
        return _parse_datetime_slow(value)


def _parse_datetime_slow(value: str) -> datetime.datetime:
    match = _ISO_DATETIME.match(value.strip())
    if match is None:
        raise ConversionError(f"not an ISO 8601 date-time: {shorten(value)!r}")
    date_part, time_part, fraction, offset = match.groups()
    if len(time_part) == 5:
        time_part += ":00"
    text = f"{date_part}T{time_part}"
    if fraction:
        text += "." + (fraction + "000000")[:6]
    if offset:
        text += _normalise_offset(offset)
    try:
        return _fromisoformat(text)
    except ValueError as exc:
        raise ConversionError(f"not a valid date-time: {shorten(value)!r} ({exc})") from None


def _normalise_offset(offset: str) -> str:
    if offset in ("Z", "z"):
        return "+00:00"
    digits = offset[1:].replace(":", "")
    hours, minutes, seconds = digits[0:2], digits[2:4] or "00", digits[4:6]
    return f"{offset[0]}{hours}:{minutes}" + (f":{seconds}" if seconds else "")


# ------------------------------------------------------------- type helpers

_UNION_ORIGINS: tuple[Any, ...] = (Union, types.UnionType)
_NONE_TYPE = type(None)
_IDENTITY_TYPES: frozenset[Any] = frozenset({str, int, float, bool, Any, object, bytes})


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(tp) in _UNION_ORIGINS:
        return typing.get_args(tp)
    return None


def _is_new_type(tp: Any) -> bool:
    return isinstance(tp, NewType) if isinstance(NewType, type) else hasattr(tp, "__supertype__")


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    """``X | None | Unset`` -> (``X`` or the union of the rest, whether None was allowed)."""
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


def _describe(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


# ------------------------------------------------------------- the converter


class _WireConverter:
    """Builds and caches the specialised structure/unstructure functions."""

    def __init__(self) -> None:
        self.cattrs = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)
        self._lock = threading.RLock()
        self._structure_fns: dict[Any, Handler | None] = {}
        self._unstructure_fns: dict[type, Callable[[Any], dict[str, Any]]] = {}
        self._building: set[type] = set()
        self._register_with_cattrs()

    # -------------------------------------------------------------- cattrs

    def _register_with_cattrs(self) -> None:
        c = self.cattrs
        for scalar in (str, int, float, bool):
            c.register_structure_hook(scalar, _identity_hook)
        c.register_structure_hook(datetime.datetime, lambda v, _: parse_datetime(v))
        c.register_unstructure_hook(datetime.datetime, format_datetime)
        c.register_unstructure_hook_func(
            lambda t: isinstance(t, type) and issubclass(t, enum.Enum), enum_value
        )
        c.register_unstructure_hook(Unset, _reject_unset)
        c.register_structure_hook_factory(_is_wire_type, self._cattrs_structure_factory)
        c.register_unstructure_hook_factory(attrs.has, self._cattrs_unstructure_factory)

    def _cattrs_unstructure_factory(self, cls: Any) -> Callable[[Any], dict[str, Any]]:
        return self.class_unstructure_fn(cls)

    def _cattrs_structure_factory(self, tp: Any) -> Callable[[Any, Any], Any]:
        handler = self.handler(tp)
        if handler is None:
            return _identity_hook
        return lambda value, _: handler(value)

    # ----------------------------------------------------------- structure

    def handler(self, tp: Any) -> Handler | None:
        """The structure function for a type, or None when values pass through as they are."""
        try:
            return self._structure_fns[tp]
        except KeyError:
            pass
        except TypeError:  # an unhashable annotation: build without caching
            return self._build_handler(tp)
        with self._lock:
            if tp not in self._structure_fns:
                self._structure_fns[tp] = self._build_handler(tp)
            return self._structure_fns[tp]

    def _build_handler(self, tp: Any) -> Handler | None:
        inner, _ = _strip_optional(tp)
        if inner is not tp:
            return self.handler(inner)
        if tp in _IDENTITY_TYPES:
            return None
        if _is_new_type(tp):
            return self.handler(tp.__supertype__)
        if tp is datetime.datetime:
            return parse_datetime
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return _enum_handler(tp)
        if isinstance(tp, type) and attrs.has(tp):
            return self._class_handler(tp)
        args = _union_args(tp)
        if args is not None:
            return self._union_handler(args)
        origin = typing.get_origin(tp)
        if origin in (list, typing.List, tuple, set, frozenset) or origin is _abc_sequence():  # noqa: UP006
            item_args = typing.get_args(tp)
            return _list_handler(self.handler(item_args[0]) if item_args else None)
        if origin in (dict, typing.Dict) or origin is _abc_mapping():  # noqa: UP006
            value_args = typing.get_args(tp)
            return _dict_handler(self.handler(value_args[1]) if len(value_args) == 2 else None)
        if tp in (list, dict):
            return None
        raise ConversionError(f"no wire conversion for type {_describe(tp)}")

    def _class_handler(self, cls: type) -> Handler:
        if cls in self._building:
            # A model that (indirectly) contains itself: bind late.
            return lambda value: self.handler(cls)(value)  # type: ignore[misc]
        self._building.add(cls)
        try:
            return _compile_structure(cls, self)
        finally:
            self._building.discard(cls)

    def _union_handler(self, args: tuple[Any, ...]) -> Handler | None:
        branches = [a for a in args if a is not Unset and a is not _NONE_TYPE]
        handlers = [self.handler(b) for b in branches]
        if all(h is None for h in handlers):
            return None  # e.g. a union of string keys
        return _UnionResolver(branches, handlers, discriminator_for(tuple(branches))).resolve

    # --------------------------------------------------------- unstructure

    def class_unstructure_fn(self, cls: type) -> Callable[[Any], dict[str, Any]]:
        fn = self._unstructure_fns.get(cls)
        if fn is None:
            with self._lock:
                fn = self._unstructure_fns.get(cls)
                if fn is None:
                    fn = _compile_unstructure(cls)
                    self._unstructure_fns[cls] = fn
        return fn


def _abc_sequence() -> Any:
    import collections.abc

    return collections.abc.Sequence


def _abc_mapping() -> Any:
    import collections.abc

    return collections.abc.Mapping


def _is_wire_type(tp: Any) -> bool:
    """Types whose structuring this module owns inside cattrs."""
    if isinstance(tp, type):
        return attrs.has(tp) or issubclass(tp, enum.Enum)
    return _union_args(tp) is not None or _is_new_type(tp)


def _identity_hook(value: Any, _: Any) -> Any:
    return value


def _reject_unset(_: Any) -> Any:
    raise WireValueError(UNSET_VALUE)


def _enum_handler(cls: type[enum.Enum]) -> Handler:
    members: dict[Any, Any] = cls._value2member_map_

    def structure_enum(value: Any) -> Any:
        member = members.get(value)
        if member is None:
            try:
                member = cls(value)
            except ValueError:
                raise ConversionError(
                    f"{value!r} is not a value of {cls.__name__}", model=cls.__name__
                ) from None
        return member

    return structure_enum


def _list_handler(item: Handler | None) -> Handler | None:
    if item is None:
        return None

    def structure_list(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise ConversionError(f"expected a JSON array, got {type(value).__name__}")
        return [None if v is None else item(v) for v in typing.cast("list[Any]", value)]

    return structure_list


def _dict_handler(item: Handler | None) -> Handler | None:
    if item is None:
        return None

    def structure_dict(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ConversionError(f"expected a JSON object, got {type(value).__name__}")
        items = typing.cast("dict[str, Any]", value).items()
        return {k: None if v is None else item(v) for k, v in items}

    return structure_dict


# ------------------------------------------------------------ class functions


@attrs.frozen
class _FieldSpec:
    """What the compiled functions need to know about one attribute."""

    attr: str
    wire: str
    required: bool
    nullable: bool
    handler: Handler | None
    passthrough_out: bool
    #: An enum field's value -> member map, looked up inline by the compiled function.
    members: Mapping[Any, Any] | None = None


def _field_specs(cls: type, converter: _WireConverter | None) -> list[_FieldSpec]:
    attrs.resolve_types(cls)
    specs: list[_FieldSpec] = []
    for a in attrs.fields(cls):
        wire = a.metadata.get("wire", a.name)
        handler = converter.handler(a.type) if converter is not None else None
        specs.append(
            _FieldSpec(
                attr=a.name,
                wire=wire,
                required=a.default is attrs.NOTHING,
                nullable=_strip_optional(a.type)[1],
                handler=handler,
                passthrough_out=_is_scalar_out(a.type),
                members=_enum_members(a.type),
            )
        )
    return specs


def _enum_members(tp: Any) -> Mapping[Any, Any] | None:
    inner, _ = _strip_optional(tp)
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        return inner._value2member_map_
    return None


def _is_scalar_out(tp: Any) -> bool:
    """Values of this declared type go out exactly as they are (strings, numbers, keys)."""
    inner, _ = _strip_optional(tp)
    if _is_new_type(inner):
        inner = inner.__supertype__
    return inner in (str, int, float, bool)


def _compile_structure(cls: type, converter: _WireConverter) -> Handler:
    specs = _field_specs(cls, converter)
    direct = _builds_directly(cls)
    exact = _compile_class_function(cls, specs, direct, inline_datetimes=False, fallback=None)
    if not _NATIVE_ISO or not any(spec.handler is parse_datetime for spec in specs):
        return exact
    # Python 3.11+: datetimes go straight to fromisoformat; a value it refuses sends the whole
    # object through ``exact`` (parse_datetime, then the diagnosis), so results are the same.
    return _compile_class_function(cls, specs, direct, inline_datetimes=True, fallback=exact)


def _builds_directly(cls: type) -> bool:
    """True when ``__init__`` would only store its arguments, so the converter may do that itself.

    Building a response object is the hot path of parsing; skipping the keyword call saves about
    a third of it. The generated models qualify (their ``__init__`` only stores, or explains a
    wrong argument); so do attrs classes without validators, converters, hooks or frozen fields.
    """
    init: Any = cls.__init__
    ours = getattr(init, MODEL_INIT_MARK, False)
    code = getattr(init, "__code__", None)
    by_attrs = code is not None and code.co_filename.startswith("<attrs generated")
    if not (ours or by_attrs):
        return False
    if typing.cast("Any", cls).__setattr__ is not object.__setattr__:
        return False  # frozen, or attrs' on_setattr hooks
    if hasattr(cls, "__attrs_pre_init__") or hasattr(cls, "__attrs_post_init__"):
        return False
    return all(
        a.init and a.validator is None and a.converter is None for a in attrs.fields(cls)
    )


def _compile_class_function(
    cls: type,
    specs: list[_FieldSpec],
    direct: bool,
    *,
    inline_datetimes: bool,
    fallback: Handler | None,
) -> Handler:
    namespace: dict[str, Any] = {
        "__cl": cls,
        "__new": object.__new__,
        "UNSET": UNSET,
        "__diagnose": _diagnose,
        "__specs": specs,
        "__fallback": fallback,
    }
    lines = ["def structure(o):", "  try:"]
    if direct:
        lines.append("    r = __new(__cl)")
    for i, spec in enumerate(specs):
        if spec.required and spec.nullable:
            # Servers may leave out a null; a required nullable field then reads as None.
            get = f"o.get({spec.wire!r})"
        elif spec.required:
            get = f"o[{spec.wire!r}]"
        else:
            get = f"o.get({spec.wire!r}, UNSET)"
        target = f"r.{spec.attr}" if direct else f"f{i}"
        handler = spec.handler
        if handler is None:
            lines.append(f"    {target} = {get}")
            continue
        lines.append(f"    v = {get}")
        guard = "v is not None" if spec.required else "v is not None and v is not UNSET"
        namespace[f"__h{i}"] = handler
        members = spec.members
        if members is not None:
            # An enum: a dict hit for every known value, the handler for the rest.
            namespace[f"__m{i}"] = members
            call = f"__m{i}.get(v) or __h{i}(v)"
        elif inline_datetimes and handler is parse_datetime:
            namespace[f"__h{i}"] = _fromisoformat
            call = f"__h{i}(v)"
        else:
            call = f"__h{i}(v)"
        lines.append(f"    if {guard}: v = {call}")
        lines.append(f"    {target} = v")
    if direct:
        lines.append("    return r")
    else:
        args = ", ".join(f"{spec.attr}=f{i}" for i, spec in enumerate(specs))
        lines.append(f"    return __cl({args})")
    lines.append("  except Exception as exc:")
    if fallback is not None:
        lines.append("    return __fallback(o)")
    else:
        lines.append("    raise __diagnose(__cl, __specs, o, exc) from None")
    source = "\n".join(lines)
    code = compile(source, f"<camunda structure {cls.__module__}.{cls.__qualname__}>", "exec")
    exec(code, namespace)
    fn: Handler = namespace["structure"]
    fn.__qualname__ = f"structure_{cls.__name__}"
    return fn


def _diagnose(cls: type, specs: list[_FieldSpec], data: object, exc: Exception) -> ConversionError:
    """Find which field failed (slow path, only after a failure) and say so."""
    name = cls.__name__
    if not isinstance(data, Mapping):
        return ConversionError(
            f"{name}: expected a JSON object, got {type(data).__name__}", model=name
        )
    for spec in specs:
        if spec.wire not in data:
            if spec.required and not spec.nullable:
                return ConversionError(
                    f"{name}: required field {spec.wire!r} ({spec.attr}) is missing",
                    model=name,
                    field=spec.attr,
                )
            continue
        value: Any = typing.cast("Mapping[str, Any]", data)[spec.wire]
        if value is None or spec.handler is None:
            continue
        try:
            spec.handler(value)
        except ConversionError as inner:
            return ConversionError(
                f"{name}.{spec.attr} ({spec.wire!r}): {inner}", model=name, field=spec.attr
            )
        except Exception as inner:
            return ConversionError(
                f"{name}.{spec.attr} ({spec.wire!r}): {type(inner).__name__}: {inner}",
                model=name,
                field=spec.attr,
            )
    return ConversionError(f"{name}: {type(exc).__name__}: {exc}", model=name)


def _compile_unstructure(cls: type) -> Callable[[Any], dict[str, Any]]:
    specs = _field_specs(cls, None)
    namespace: dict[str, Any] = {
        "UNSET": UNSET,
        "__u": unstructure,
        "__WireValueError": WireValueError,
        "__locate": _locate_field,
        "__specs": specs,
    }
    lines = ["def unstructure(obj):", "  try:", "    out = {}"]
    for spec in specs:
        lines.append(f"    v = obj.{spec.attr}")
        value = "v" if spec.passthrough_out else "v if v is None else __u(v)"
        lines.append(f"    if v is not UNSET: out[{spec.wire!r}] = {value}")
    lines.append("    return out")
    lines.append("  except __WireValueError as exc:")
    lines.append("    raise __locate(__specs, obj, exc) from None")
    code = compile(
        "\n".join(lines), f"<camunda unstructure {cls.__module__}.{cls.__qualname__}>", "exec"
    )
    exec(code, namespace)
    fn: Callable[[Any], dict[str, Any]] = namespace["unstructure"]
    fn.__qualname__ = f"unstructure_{cls.__name__}"
    return fn


def _locate_field(specs: list[_FieldSpec], obj: Any, error: WireValueError) -> WireValueError:
    """The error of the first attribute that cannot be sent, its name added (slow path)."""
    for spec in specs:
        value = getattr(obj, spec.attr)
        if spec.passthrough_out or value is UNSET or value is None:
            continue
        try:
            unstructure(value)
        except WireValueError as inner:
            return inner.within("." + spec.attr)
    return error


# ------------------------------------------------------------------- unions


class _UnionResolver:
    """Chooses a union branch for a JSON value: discriminator first, then structure."""

    __slots__ = ("booleans", "discriminator", "lists", "names", "numbers", "objects", "strings")

    def __init__(
        self, branches: list[Any], handlers: list[Handler | None], discriminator: Any
    ) -> None:
        self.objects: list[tuple[type, frozenset[str], frozenset[str], Handler]] = []
        self.strings: list[Handler | None] = []
        self.numbers: list[Handler | None] = []
        self.booleans: list[Handler | None] = []
        self.lists: list[Handler | None] = []
        self.discriminator = discriminator
        self.names = " | ".join(_describe(b) for b in branches)
        for branch, handler in zip(branches, handlers, strict=True):
            self._add(branch, handler)

    def _add(self, branch: Any, handler: Handler | None) -> None:
        base = branch.__supertype__ if _is_new_type(branch) else branch
        if isinstance(base, type) and attrs.has(base):
            fields = attrs.fields(base)
            required = frozenset(
                f.metadata.get("wire", f.name) for f in fields if f.default is attrs.NOTHING
            )
            known = frozenset(f.metadata.get("wire", f.name) for f in fields)
            assert handler is not None
            self.objects.append((base, required, known, handler))
        elif base is bool:
            self.booleans.append(handler)
        elif base in (int, float):
            self.numbers.append(handler)
        elif (
            base is str
            or base is datetime.datetime
            or (isinstance(base, type) and issubclass(base, enum.Enum))
        ):
            self.strings.append(handler)
        elif typing.get_origin(base) in (list, tuple):
            self.lists.append(handler)
        elif base is Any or base is object:
            self.strings.append(None)
            self.numbers.append(None)
            self.booleans.append(None)
            self.lists.append(None)

    def resolve(self, value: Any) -> Any:
        result: Any = value  # isinstance() narrows `value`; hand on the un-narrowed one
        if isinstance(value, dict):
            return self._resolve_object(typing.cast("dict[str, Any]", value))
        if isinstance(value, bool):
            candidates = self.booleans
        elif isinstance(value, (int, float)):
            candidates = self.numbers
        elif isinstance(value, str):
            candidates = self.strings
        elif isinstance(value, list):
            candidates = self.lists
        else:
            candidates = []
        errors: list[str] = []
        for handler in candidates:
            if handler is None:
                return result
            try:
                return handler(result)
            except (ConversionError, ValueError, TypeError) as exc:
                errors.append(str(exc))
        raise ConversionError(
            f"a {type(result).__name__} fits none of {self.names}" + _joined(errors)
        )

    def _resolve_object(self, value: dict[str, Any]) -> Any:
        if self.discriminator is not None:
            chosen = self.discriminator.mapping.get(value.get(self.discriminator.wire_name))
            for cls, _, _, handler in self.objects:
                if cls is chosen:
                    return handler(value)
        keys = value.keys()
        best: tuple[tuple[int, int, int, int], Handler] | None = None
        for index, (_, required, known, handler) in enumerate(self.objects):
            if not required <= keys:
                continue
            matched = len(known & keys)
            covers = 1 if matched == len(keys) else 0
            # Prefer: covers every key, matches the most keys, knows the fewest extra keys, declared first.
            score = (covers, matched, -len(known), -index)
            if best is None or score > best[0]:
                best = (score, handler)
        if best is None:
            raise ConversionError(
                f"the object's keys fit none of {self.names} (required keys missing)"
            )
        return best[1](value)


def _joined(errors: list[str]) -> str:
    return (": " + "; ".join(errors)) if errors else ""


# ---------------------------------------------------------------- unstructure


def _unstructure_list(value: Any) -> list[Any]:
    try:
        return [unstructure(v) for v in value]
    except WireValueError as error:
        raise _locate_item(
            enumerate(typing.cast("list[Any]", value)), error, _index_segment
        ) from None


def _unstructure_dict(value: Any) -> dict[Any, Any]:
    try:
        return {k: unstructure(v) for k, v in value.items() if v is not UNSET}
    except WireValueError as error:
        raise _locate_item(value.items(), error, key_segment) from None


def _index_segment(index: int) -> str:
    return f"[{index}]"


def _locate_item(
    items: typing.Iterable[tuple[Any, Any]], error: WireValueError, segment: Callable[[Any], str]
) -> WireValueError:
    """The error of the first item that cannot be sent, its key or index added (slow path)."""
    for key, item in items:
        if item is UNSET and segment is key_segment:
            continue
        try:
            unstructure(item)
        except WireValueError as inner:
            return inner.within(segment(key))
    return error


_SCALARS: frozenset[type] = frozenset({str, int, float, bool, _NONE_TYPE})
_CONTAINERS: dict[type, Callable[[Any], Any]] = {
    list: _unstructure_list,
    tuple: _unstructure_list,
    set: _unstructure_list,
    frozenset: _unstructure_list,
    dict: _unstructure_dict,
}

_wire = _WireConverter()


def unstructure(obj: Any) -> Any:
    """A model (or any value built of models, lists, dicts, enums, datetimes) as JSON-ready data.

    ``UNSET`` values are left out of models and dicts. Raises :class:`WireValueError`, with the
    path to the value, for a naive datetime or ``UNSET`` where it cannot be left out.
    """
    tp = typing.cast("type[Any]", obj.__class__)
    if tp in _SCALARS:
        return obj
    container = _CONTAINERS.get(tp)
    if container is not None:
        return container(obj)
    if isinstance(obj, enum.Enum):
        return enum_value(obj)  # UNSET raises
    if attrs.has(tp):
        return _wire.class_unstructure_fn(tp)(obj)
    if isinstance(obj, datetime.datetime):
        return format_datetime(obj)
    if isinstance(obj, (datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        return _unstructure_dict(obj)
    return _wire.cattrs.unstructure(obj)


def structure(data: Any, tp: Any) -> Any:
    """Parse JSON-decoded ``data`` into ``tp`` (a model, union alias, list of models, enum, ...).

    Raises :class:`ConversionError` naming the model and field that did not fit.
    """
    handler = _wire.handler(tp)
    if handler is None or data is None:
        return data
    return handler(data)


def get_converter() -> cattrs.Converter:
    """The :class:`cattrs.Converter` with every wire rule registered (same results as above)."""
    return _wire.cattrs
