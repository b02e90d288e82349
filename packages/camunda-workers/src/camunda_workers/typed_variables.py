"""Typed job variables: an attrs class or dataclass in, the same kind of object out.

``WorkerConfig(variables_type=OrderVars)`` makes the worker fetch only the
class's fields (unless ``fetch_variables`` says otherwise) and build an
instance before the handler runs. Variables that do not fit — a missing
required field, a value of the wrong basic type, a validator that refuses —
fail the job with a message naming the field, before the handler is called.

Field names are the variable names. Nested attrs classes and dataclasses are
built from nested dicts; ``Optional[...]``, ``list[...]`` and ``dict[...]`` are
checked at the top level only. A handler may return such an object as its
output variables; it is turned back into a dict (nested objects too).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, Union, cast

import attrs

from camunda_core.errors import ValidationError
from camunda_workers.config import is_structured_class, structured_field_names

__all__ = ["build_variables", "to_variables_dict", "VariablesError"]

T = TypeVar("T")

_SIMPLE_TYPES: dict[type, str] = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}


class VariablesError(ValidationError):
    """The job's variables do not fit the worker's ``variables_type``."""


def _field_types(cls: type[Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:
        # Unresolvable forward references: skip type checks, keep construction.
        return {}


def _required(cls: type[Any]) -> set[str]:
    if attrs.has(cls):
        return {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING and f.init}
    return {
        f.name
        for f in dataclasses.fields(cls)
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }


def _init_names(cls: type[Any]) -> dict[str, str]:
    """Field name -> ``__init__`` keyword (attrs strips a leading underscore)."""
    if attrs.has(cls):
        return {f.name: (f.alias or f.name) for f in attrs.fields(cls) if f.init}
    return {f.name: f.name for f in dataclasses.fields(cls) if f.init}


def _type_problem(path: str, expected: Any, value: object) -> str | None:
    """A message if ``value`` clearly does not fit ``expected``; None when it fits or we can't tell."""
    origin = typing.get_origin(expected)
    if origin is Union or origin is types.UnionType:
        options = typing.get_args(expected)
        if any(_type_problem(path, option, value) is None for option in options):
            return None
        return f"{path} has an unexpected type {type(value).__name__}"
    if expected is type(None):
        return None if value is None else f"{path} must be null"
    if expected in _SIMPLE_TYPES:
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        return None if ok else f"{path} must be {_SIMPLE_TYPES[expected]}, got {type(value).__name__} {value!r}"
    if origin in (list, tuple, set, frozenset) or expected in (list, tuple):
        return None if isinstance(value, list) else f"{path} must be a list, got {type(value).__name__}"
    if origin in (dict, Mapping) or expected is dict:
        return None if isinstance(value, dict) else f"{path} must be an object, got {type(value).__name__}"
    return None


def _build(cls: type[T], data: Mapping[str, Any], path: str) -> T:
    hints = _field_types(cls)
    names = _init_names(cls)
    missing = sorted(name for name in _required(cls) if name not in data)
    if missing:
        where = f" in {path}" if path else ""
        raise VariablesError(f"missing required variable(s){where}: {', '.join(missing)} (for {cls.__name__})")
    kwargs: dict[str, Any] = {}
    for name, keyword in names.items():
        if name not in data:
            continue
        value = data[name]
        field_path = f"{path}.{name}" if path else name
        expected = hints.get(name)
        if expected is not None:
            nested = _nested_class(expected)
            if nested is not None and isinstance(value, Mapping):
                value = _build(nested, cast("Mapping[str, Any]", value), field_path)
            else:
                problem = _type_problem(field_path, expected, value)
                if problem is not None:
                    raise VariablesError(f"variable {problem} (for {cls.__name__})")
        kwargs[keyword] = value
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise VariablesError(f"variables do not fit {cls.__name__}: {exc}") from exc


def _nested_class(expected: Any) -> type[Any] | None:
    if is_structured_class(expected):
        return cast("type[Any]", expected)
    origin = typing.get_origin(expected)
    if origin is Union or origin is types.UnionType:
        classes = [arg for arg in typing.get_args(expected) if is_structured_class(arg)]
        if len(classes) == 1:
            return cast("type[Any]", classes[0])
    return None


def build_variables(cls: type[T], variables: Mapping[str, Any]) -> T:
    """An instance of ``cls`` from the job's variables; :class:`VariablesError` if they do not fit."""
    if not is_structured_class(cls):
        raise ValidationError(f"variables_type must be an attrs class or a dataclass, got {cls!r}")
    return _build(cls, variables, "")


def to_variables_dict(value: object, *, what: str = "variables") -> dict[str, Any]:
    """A handler's output as a variables dict: dicts as they are, attrs/dataclass instances as dicts."""
    if isinstance(value, Mapping):
        return dict(cast("Mapping[str, Any]", value))
    cls = type(value)
    if attrs.has(cls):
        return attrs.asdict(cast(Any, value), recurse=True)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise ValidationError(
        f"{what} must be a dict, an attrs instance, a dataclass instance or None, got {cls.__name__}"
    )


# Re-exported for the worker: the field names a typed worker fetches.
field_names = structured_field_names
