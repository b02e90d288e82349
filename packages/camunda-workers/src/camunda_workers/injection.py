"""Binding a routed handler's parameters to the job: variables by name, the context by type.

Everything that can be decided from the signature is decided once, at
registration (``@router.task`` time): which parameter takes the context, which
variables are required, and the conversion function of each annotated type.
A signature that cannot work raises :class:`~camunda_core.errors.ValidationError`
naming the function and the parameter. Per job, :meth:`Binding.arguments`
only looks the variables up and runs the prepared conversions; a missing
required variable or a value that does not convert raises
:class:`~camunda_workers.typed_variables.VariablesError` naming the variable
(and the expected type), never echoing the value (variables can be personal data).

Conversions: ``str``, ``int``, ``float``, ``bool`` are checked (an integral
float is accepted as ``int``; an int as ``float``); ``Decimal``, ``datetime``,
``date`` and enums are parsed; attrs classes go through the one converter
(``camunda_core.serialization.converter``), dataclasses and ``TypedDict`` through
its cattrs converter; pydantic models through ``model_validate`` (pydantic is
only imported by the user's own annotation); ``list[X]``, ``dict[str, X]``,
``Optional``/unions recurse; ``Any``/``object`` pass values through.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import inspect
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Union, cast

import attrs

from camunda_core.client import CamundaAsyncClient, CamundaClient
from camunda_core.errors import ValidationError
from camunda_core.serialization.converter import (
    get_converter,
    parse_datetime,
    structure,
    unstructure,
)
from camunda_workers.job_context import JobContext
from camunda_workers.typed_variables import VariablesError

__all__ = ["Binding", "ContextKind", "analyse", "handler_name", "to_variables", "json_value"]

#: What ``job.client`` a context parameter asks for: the async client, the blocking one, or either.
ContextKind = Literal["async", "thread", "any"]

Convert = Callable[[Any], Any]


class _Mismatch(Exception):
    """A value does not convert (the message says why, without the value)."""


def handler_name(fn: Callable[..., Any]) -> str:
    module = getattr(fn, "__module__", None)
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    return f"{module}.{name}" if module and module != "__main__" else name


@attrs.frozen
class _Param:
    name: str
    convert: Convert | None
    expected: str
    required: bool


@attrs.frozen(kw_only=True)
class Binding:
    """How one handler's parameters are filled for a job."""

    function: str
    params: tuple[_Param, ...]
    context_param: str | None
    context_kind: ContextKind | None
    #: The variable names the handler binds (what the worker fetches by default).
    variable_names: tuple[str, ...]

    def arguments(self, job: JobContext[Any]) -> dict[str, Any]:
        variables = job.variables
        kwargs: dict[str, Any] = {}
        if self.context_param is not None:
            kwargs[self.context_param] = job
        for param in self.params:
            name = param.name
            try:
                value = variables[name]
            except KeyError:
                if param.required:
                    raise VariablesError(
                        f"missing required variable {name!r} (a parameter of {self.function})"
                    ) from None
                continue
            convert = param.convert
            if convert is not None:
                try:
                    value = convert(value)
                except _Mismatch as exc:
                    raise VariablesError(
                        f"variable {name!r} does not convert to {param.expected} "
                        f"(a parameter of {self.function}): {exc}"
                    ) from None
            kwargs[name] = value
        return kwargs


def analyse(fn: Callable[..., Any]) -> tuple[Binding, Any]:
    """The binding of ``fn``'s parameters and its return annotation (``inspect.Parameter.empty`` if none)."""
    name = handler_name(fn)
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"job handler {name}: its signature cannot be read ({exc})") from exc
    try:
        hints = typing.get_type_hints(fn)
    except Exception as exc:
        raise ValidationError(
            f"job handler {name}: its annotations cannot be resolved ({type(exc).__name__}: {exc}); "
            "import the annotated types at module level"
        ) from exc
    params: list[_Param] = []
    context_param: str | None = None
    context_kind: ContextKind | None = None
    for param in signature.parameters.values():
        where = f"job handler {name}: parameter {param.name!r}"
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            raise ValidationError(f"{where}: *args cannot be bound to job variables; name each variable")
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            raise ValidationError(
                f"{where}: **kwargs cannot be bound to job variables; name each variable, "
                "or take the context (job: JobContext) and read job.variables"
            )
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise ValidationError(f"{where}: positional-only parameters cannot be bound by variable name")
        if param.name not in hints:
            raise ValidationError(
                f"{where} has no annotation, so nothing can be bound to it: annotate it with the "
                "variable's type (Any for the raw value) or with JobContext for the job itself"
            )
        hint = hints[param.name]
        kind = _context_kind(hint)
        if kind is not None:
            if context_param is not None:
                raise ValidationError(
                    f"{where}: the handler already takes the job context as {context_param!r}; "
                    "only one parameter can be the JobContext"
                )
            context_param, context_kind = param.name, kind
            continue
        try:
            convert, expected = converter_for(hint)
        except ValidationError as exc:
            raise ValidationError(f"{where}: {exc}") from None
        params.append(
            _Param(name=param.name, convert=convert, expected=expected, required=param.default is inspect.Parameter.empty)
        )
    binding = Binding(
        function=name,
        params=tuple(params),
        context_param=context_param,
        context_kind=context_kind,
        variable_names=tuple(p.name for p in params),
    )
    return binding, hints.get("return", inspect.Parameter.empty)


def _context_kind(hint: Any) -> ContextKind | None:
    if hint is JobContext:
        return "async"
    if typing.get_origin(hint) is JobContext:
        (client,) = typing.get_args(hint)
        if isinstance(client, type) and issubclass(client, CamundaClient):
            return "thread"
        if isinstance(client, type) and issubclass(client, CamundaAsyncClient):
            return "async"
        return "any"
    if isinstance(hint, type) and issubclass(hint, JobContext):
        return "async"
    return None


# ------------------------------------------------------------------ conversions


def _type_name(tp: Any) -> str:
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def _got(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _check_str(value: Any) -> Any:
    if isinstance(value, str):
        return value
    raise _Mismatch(f"expected a string, got {_got(value)}")


def _check_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise _Mismatch(f"expected a boolean, got {_got(value)}")


def _check_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _Mismatch(f"expected an integer, got {_got(value)}")


def _check_float(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise _Mismatch(f"expected a number, got {_got(value)}")


def _to_decimal(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Mismatch(f"expected a number or a numeric string, got {_got(value)}")
    try:
        # repr of a float is the shortest exact text: Decimal(0.1) would be 0.1000000000000000055...
        number = decimal.Decimal(repr(value) if isinstance(value, float) else value)
    except decimal.InvalidOperation:
        raise _Mismatch("expected a number or a numeric string, got a string that is not one") from None
    if not number.is_finite():
        raise _Mismatch("expected a finite number")
    return number


def _to_datetime(value: Any) -> Any:
    try:
        return parse_datetime(value)
    except Exception:
        raise _Mismatch(f"expected an ISO 8601 date-time string, got {_got(value)}") from None


def _to_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise _Mismatch(f"expected an ISO 8601 date string, got {_got(value)}")


def _is_pydantic_model(tp: Any) -> bool:
    # Never import pydantic: if the annotation is a model, the user's module imported it.
    pydantic = sys.modules.get("pydantic")
    base = getattr(pydantic, "BaseModel", None) if pydantic is not None else None
    return base is not None and isinstance(tp, type) and issubclass(tp, base)


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(cast("type[Any]", tp), dict) and hasattr(tp, "__required_keys__")


def _required_keys(tp: type[Any]) -> tuple[str, ...]:
    if attrs.has(tp):
        return tuple(
            (f.alias or f.name) for f in attrs.fields(tp) if f.init and f.default is attrs.NOTHING
        )
    if dataclasses.is_dataclass(tp):
        return tuple(
            f.name
            for f in dataclasses.fields(tp)
            if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
    keys: frozenset[str] = getattr(tp, "__required_keys__", frozenset())
    return tuple(sorted(keys))


def _structured(tp: type[Any], convert: Callable[[Any, type[Any]], Any]) -> Convert:
    required = _required_keys(tp)

    def build(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _Mismatch(f"expected an object, got {_got(value)}")
        data = cast("Mapping[str, Any]", value)
        missing = [key for key in required if key not in data]
        if missing:
            raise _Mismatch(f"missing field(s) {', '.join(map(repr, missing))}")
        try:
            return convert(data, tp)
        except Exception as exc:
            raise _Mismatch(f"{type(exc).__name__}: {exc}") from None

    return build


def _pydantic(tp: Any) -> Convert:
    def build(value: Any) -> Any:
        try:
            return tp.model_validate(value)
        except Exception as exc:
            raise _Mismatch(f"{type(exc).__name__}: {exc}") from None

    return build


def _enum(tp: type[enum.Enum]) -> Convert:
    def build(value: Any) -> Any:
        try:
            return tp(value)
        except ValueError:
            raise _Mismatch(f"not one of {', '.join(repr(m.value) for m in tp)}") from None

    return build


def _optional(inner: Convert | None) -> Convert | None:
    if inner is None:
        return None

    def build(value: Any) -> Any:
        return None if value is None else inner(value)

    return build


def _union(options: Sequence[Convert | None]) -> Convert | None:
    if any(option is None for option in options):
        return None  # one branch takes anything

    def build(value: Any) -> Any:
        problems: list[str] = []
        for option in options:
            assert option is not None
            try:
                return option(value)
            except _Mismatch as exc:
                problems.append(str(exc))
        raise _Mismatch("; ".join(problems))

    return build


def _list(item: Convert | None) -> Convert:
    def build(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Mismatch(f"expected a list, got {_got(value)}")
        items = cast("list[Any]", value)
        if item is None:
            return items
        out: list[Any] = []
        for index, element in enumerate(items):
            try:
                out.append(item(element))
            except _Mismatch as exc:
                raise _Mismatch(f"item {index}: {exc}") from None
        return out

    return build


def _dict(item: Convert | None) -> Convert:
    def build(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch(f"expected an object, got {_got(value)}")
        data = cast("dict[str, Any]", value)
        if item is None:
            return data
        out: dict[str, Any] = {}
        for key, element in data.items():
            try:
                out[key] = item(element)
            except _Mismatch as exc:
                raise _Mismatch(f"key {key!r}: {exc}") from None
        return out

    return build


_SCALARS: dict[Any, Convert] = {
    str: _check_str,
    bool: _check_bool,
    int: _check_int,
    float: _check_float,
    decimal.Decimal: _to_decimal,
    datetime.datetime: _to_datetime,
    datetime.date: _to_date,
}


def converter_for(tp: Any) -> tuple[Convert | None, str]:
    """The conversion of a variable to ``tp`` (None: taken as it is) and the type's name for messages."""
    return _converter(tp), _type_name(tp)


def _converter(tp: Any) -> Convert | None:
    if tp is Any or tp is object:
        return None
    scalar = _SCALARS.get(tp)
    if scalar is not None:
        return scalar
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union or origin is types.UnionType:
        options = [a for a in args if a is not type(None)]
        inner = _converter(options[0]) if len(options) == 1 else _union([_converter(a) for a in options])
        return _optional(inner) if len(options) < len(args) else inner
    if origin is Literal:
        allowed = args

        def literal(value: Any) -> Any:
            if value in allowed:
                return value
            raise _Mismatch(f"not one of {', '.join(map(repr, allowed))}")

        return literal
    if origin in (list, Sequence) or tp is list:
        return _list(_converter(args[0]) if args else None)
    if origin in (dict, Mapping) or tp is dict:
        if args and args[0] is not str:
            raise ValidationError(f"{_type_name(tp)}: variable objects have string keys (use dict[str, ...])")
        return _dict(_converter(args[1]) if len(args) == 2 else None)
    if isinstance(tp, type):
        cls = cast("type[Any]", tp)
        if issubclass(cls, enum.Enum):
            return _enum(cls)
        if _is_pydantic_model(cls):
            return _pydantic(cls)
        if attrs.has(cls):
            return _structured(cls, structure)  # the one converter: wire rules for nested models
        if dataclasses.is_dataclass(cls) or _is_typeddict(cls):
            return _structured(cls, get_converter().structure)
    raise ValidationError(
        f"a variable cannot be converted to {_type_name(tp)} (supported: str, int, float, bool, Decimal, "
        "datetime, date, enums, Literal, attrs classes, dataclasses, TypedDict, pydantic models, "
        "list[...], dict[str, ...], Optional/unions of these, Any)"
    )


# ------------------------------------------------------------------ results


def json_value(value: Any) -> Any:
    """A handler's value as JSON: Decimal as a number, datetimes as ISO 8601, models as objects."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in cast("Mapping[Any, Any]", value).items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in cast("Sequence[Any]", value)]
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, enum.Enum):
        return json_value(value.value)
    if isinstance(value, datetime.datetime):
        return unstructure(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    cls = cast("type[Any]", value.__class__)
    if attrs.has(cls):
        return json_value(unstructure(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_value(get_converter().unstructure(value))
    if _is_pydantic_model(cls):
        model: Any = value
        dumped: dict[str, Any] = model.model_dump(mode="json")
        return dumped
    return value


def to_variables(value: Any, function: str) -> dict[str, Any] | None:
    """A returned dict, attrs/dataclass instance or pydantic model as completion variables."""
    if value is None:
        return None
    cls = cast("type[Any]", value.__class__)
    if isinstance(value, Mapping) or attrs.has(cls) or _is_pydantic_model(cls) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    ):
        return cast("dict[str, Any]", json_value(value))
    raise ValidationError(
        f"job handler {function} returned {type(value).__name__}: return a dict, an attrs or dataclass "
        "instance, a pydantic model or None, or name the variable for a single value (variable_name=...)"
    )


def is_variables_annotation(tp: Any) -> bool | None:
    """Whether a return annotation is completion variables (True), clearly not (False), or unknown (None)."""
    if tp is None or tp is type(None):
        return True
    if tp is Any or tp is object or isinstance(tp, (str, typing.TypeVar)):
        return None
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        verdicts = [is_variables_annotation(a) for a in typing.get_args(tp)]
        if all(v is True for v in verdicts):
            return True
        return False if any(v is False for v in verdicts) else None
    if origin in (dict, Mapping) or tp in (dict, Mapping):
        return True
    if isinstance(tp, type):
        cls = cast("type[Any]", tp)
        if issubclass(cls, Mapping) or _is_typeddict(cls):
            return True
        return bool(attrs.has(cls) or dataclasses.is_dataclass(cls) or _is_pydantic_model(cls) or hasattr(cls, "model_dump"))
    if origin is not None:
        return False  # list[...], tuple[...], Literal[...]: single values
    return None
