"""A small deterministic generator of valid arguments and minimal valid responses.

Request arguments are built the way a user builds them: Python values of the
types in the generated method signatures (attrs models, enums, semantic keys,
files), with each value fitted to the constraints of the matching spec schema
(pattern, length, bounds, enum). Nothing is hand-written per operation.

Responses for the in-process mock are plain JSON built from the spec schema
alone (required properties only), because that is what a minimal server sends.

Choices between alternatives (union branches, enum members, booleans) rotate
with a CRC of the field's path, so different fields exercise different
branches and every run produces exactly the same values.
"""

from __future__ import annotations

import datetime
import enum
import functools
import importlib
import inspect
import pkgutil
import re
import types
import typing
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import attrs
from contract_spec import SchemaResolver, SpecOperation, snake_case

from camunda_core.runtime.multipart import File
from camunda_core.runtime.operation import Operation
from camunda_core.types import Unset

__all__ = [
    "CallArguments",
    "ValueGenerator",
    "build_call_arguments",
    "minimal_json",
    "method_hints",
    "CONTROL_PARAMETERS",
    "SAMPLE_DATETIME",
    "SAMPLE_FILE",
]

#: Keyword arguments every generated method has that are not part of the request.
CONTROL_PARAMETERS = frozenset({"self", "retry", "timeout", "wait"})
#: Optional model fields are filled down to this nesting depth (required ones always).
OPTIONAL_FIELD_DEPTH = 3

SAMPLE_DATETIME = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.timezone.utc)
SAMPLE_FILE = File(
    content=b'<?xml version="1.0"?><definitions id="contract"/>',
    filename="contract-test.bpmn",
    content_type="application/xml",
)

#: Strings tried in order against a pattern; the first that fits wins.
_STRING_CANDIDATES = (
    "contract_value",
    "2251799813685249",
    "1-2",
    "Y29udHJhY3Q=",
    "contract-value",
    "c",
    "<default>",
)
_NONE_TYPE = type(None)


class GenerationError(ValueError):
    """The generator cannot produce a valid value; names where and why."""


@dataclass
class CallArguments:
    """Keyword arguments for one generated method, and where each one goes."""

    kwargs: dict[str, Any] = field(default_factory=dict[str, Any])
    #: python name -> "path" | "query" | "body" | "multipart"
    locations: dict[str, str] = field(default_factory=dict[str, str])


# ------------------------------------------------------------------ method type hints


@functools.lru_cache(maxsize=1)
def _annotation_namespace() -> dict[str, Any]:
    """Every name the generated method annotations use (models are imported only for type checking)."""
    import camunda_core.models as models_pkg
    from camunda_core import retry
    from camunda_core.runtime import consistency, multipart

    namespace: dict[str, Any] = {
        "FileInput": multipart.FileInput,
        "WaitFor": consistency.WaitFor,
        "RetryPolicy": retry.RetryPolicy,
    }
    for info in pkgutil.iter_modules(models_pkg.__path__):
        module = importlib.import_module(f"camunda_core.models.{info.name}")
        for name in getattr(module, "__all__", ()):
            namespace[name] = getattr(module, name)
    return namespace


def method_hints(client_cls: type, method_name: str) -> dict[str, Any]:
    method = getattr(client_cls, method_name)
    return typing.get_type_hints(method, localns=_annotation_namespace())


# ------------------------------------------------------------------ type helpers


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(tp) in (Union, types.UnionType):
        return typing.get_args(tp)
    return None


def _strip_optional(tp: Any) -> Any:
    args = _union_args(tp)
    if args is None:
        return tp
    rest = tuple(a for a in args if a is not Unset and a is not _NONE_TYPE)
    if len(rest) == 1:
        return rest[0]
    return Union[rest]


def _is_optional(tp: Any) -> bool:
    args = _union_args(tp)
    return args is not None and Unset in args


def _supertype(tp: Any) -> Any:
    while hasattr(tp, "__supertype__"):
        tp = tp.__supertype__
    return tp


def _is_file_input(tp: Any) -> bool:
    args = _union_args(tp)
    return args is not None and File in args


def _choice(path: str, count: int) -> int:
    return zlib.crc32(path.encode("utf-8")) % count if count else 0


# ------------------------------------------------------------------ the generator


class ValueGenerator:
    """Python values for (type, schema) pairs, valid under the schema's constraints."""

    def __init__(self, resolver: SchemaResolver) -> None:
        self.resolver = resolver
        self._stack: list[type] = []

    def value(self, tp: Any, schema: Any, where: str, depth: int = 0) -> Any:
        flat = self.resolver.flatten(schema) if schema is not None else {}
        tp = _strip_optional(tp)
        if _is_file_input(tp):
            return SAMPLE_FILE
        branches = _union_args(tp)
        if branches is not None:
            return self._union(branches, flat, where, depth)
        if isinstance(tp, type) and attrs.has(tp):
            fixed = self._discriminator_value(tp, flat)
            if not flat.get("properties") and (flat.get("oneOf") or flat.get("anyOf")):
                flat = self.resolver.flatten(self._branch_schema(tp, flat))
            return self._model(tp, flat, where, depth, fixed)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            members = list(tp)
            if not members:
                raise GenerationError(f"{where}: enum {tp.__name__} has no members")
            return members[_choice(where, len(members))]
        origin = typing.get_origin(tp)
        if origin in (list, Sequence, tuple) or tp in (list,):
            item_args = typing.get_args(tp)
            item_tp = item_args[0] if item_args else Any
            count = max(1, int(flat.get("minItems", 1)))
            items_schema = flat.get("items", {})
            return [self.value(item_tp, items_schema, f"{where}[{i}]", depth + 1) for i in range(count)]
        if origin in (dict, Mapping) or tp is dict:
            value_args = typing.get_args(tp)
            value_tp = value_args[1] if len(value_args) == 2 else Any
            extra = flat.get("additionalProperties", {})
            value_schema = extra if isinstance(extra, dict) else {}
            return {"contractKey": self.value(value_tp, value_schema, f"{where}.contractKey", depth + 1)}
        base = _supertype(tp)
        if base in (str, int, float, bool):
            flat = self._scalar_branch(flat, _json_type(base))
        if base is datetime.datetime:
            return SAMPLE_DATETIME
        if base is bool:
            return _choice(where, 2) == 0
        if base is int:
            return self._integer(flat)
        if base is float:
            return float(self._number(flat))
        if base is str:
            return self.string(flat, where)
        if base is bytes:
            return SAMPLE_FILE.content
        if base is Any or base is object:
            return self.untyped(flat, where, depth)
        raise GenerationError(f"{where}: no value generator for type {tp!r}")

    # -- composites ------------------------------------------------------------------

    def _discriminator_value(self, cls: type, flat: Mapping[str, Any]) -> dict[str, str]:
        """``{property: value}`` that selects ``cls`` under the schema's discriminator, if any."""
        discriminator = flat.get("discriminator")
        if not isinstance(discriminator, dict):
            return {}
        prop = str(discriminator["propertyName"])
        for key, target in discriminator.get("mapping", {}).items():
            if str(target).rsplit("/", 1)[-1] == cls.__name__:
                return {prop: str(key)}
        return {prop: cls.__name__}

    def _model(
        self, cls: type, flat: dict[str, Any], where: str, depth: int, fixed: Mapping[str, str] | None = None
    ) -> Any:
        schema = flat if flat.get("properties") else (self.resolver.component(cls.__name__) or flat)
        properties: Mapping[str, Any] = schema.get("properties", {})
        attrs.resolve_types(cls)
        recursive = cls in self._stack
        self._stack.append(cls)
        try:
            kwargs: dict[str, Any] = {}
            for attribute in attrs.fields(cls):
                wire = attribute.metadata.get("wire", attribute.name)
                if fixed and wire in fixed:
                    kwargs[attribute.name] = fixed[wire]
                    continue
                required = attribute.default is attrs.NOTHING
                if not required and (recursive or depth >= OPTIONAL_FIELD_DEPTH):
                    continue
                if wire not in properties:
                    raise GenerationError(
                        f"{where}: model {cls.__name__} field {attribute.name!r} (wire {wire!r}) "
                        "is not a property of its spec schema"
                    )
                kwargs[attribute.name] = self.value(
                    attribute.type, properties[wire], f"{where}.{wire}", depth + 1
                )
            return cls(**kwargs)
        finally:
            self._stack.pop()

    def _union(self, branches: tuple[Any, ...], flat: dict[str, Any], where: str, depth: int) -> Any:
        options = [b for b in branches if b is not Unset and b is not _NONE_TYPE]
        # A model branch can recurse into the same union; prefer a branch that cannot.
        candidates = [b for b in options if not (isinstance(b, type) and b in self._stack)] or options
        chosen = candidates[_choice(where, len(candidates))]
        if isinstance(chosen, type) and attrs.has(chosen):
            fixed = self._discriminator_value(chosen, flat)
            branch = self.resolver.flatten(self._branch_schema(chosen, flat))
            return self._model(chosen, branch, where, depth, fixed)
        return self.value(chosen, self._branch_schema(chosen, flat), where, depth)

    def _branch_schema(self, branch: Any, flat: dict[str, Any]) -> Any:
        members: list[Any] = list(flat.get("oneOf", [])) + list(flat.get("anyOf", []))
        if not members:
            if isinstance(branch, type) and attrs.has(branch) and not flat.get("properties"):
                return self.resolver.component(branch.__name__) or flat
            return flat
        name = getattr(branch, "__name__", None)
        for member in members:
            if name is not None and self.resolver.ref_name(member) == name:
                return member
        if isinstance(branch, type) and attrs.has(branch):
            wires = {a.metadata.get("wire", a.name) for a in attrs.fields(branch)}
            best: Any = None
            best_overlap = -1
            for member in members:
                props = set(self.resolver.flatten(member).get("properties", {}))
                overlap = len(props & wires) if props <= wires | props else -1
                if props and overlap > best_overlap:
                    best, best_overlap = member, overlap
            if best is not None:
                return best
            return self.resolver.component(branch.__name__) or {}
        wanted = _json_type(branch)
        for member in members:
            member_flat = self.resolver.flatten(member)
            if member_flat.get("type") == wanted or (wanted == "string" and "enum" in member_flat):
                return member
        return {}

    # -- scalars ---------------------------------------------------------------------

    def _scalar_branch(self, flat: dict[str, Any], kind: str | None) -> dict[str, Any]:
        """A scalar's constraints when its schema is a union (``ScopeKey`` is any of two keys)."""
        members: list[Any] = list(flat.get("oneOf", [])) + list(flat.get("anyOf", []))
        for member in members:
            member_flat = self._scalar_branch(self.resolver.flatten(member), kind)
            if member_flat.get("type", kind) == kind:
                return member_flat
        return flat

    def _integer(self, flat: Mapping[str, Any]) -> int:
        return int(self._number(flat))

    def _number(self, flat: Mapping[str, Any]) -> float:
        value = 10.0
        if "minimum" in flat:
            value = max(value, float(flat["minimum"]))
        if "maximum" in flat:
            value = min(value, float(flat["maximum"]))
        return value

    def string(self, flat: Mapping[str, Any], where: str) -> str:
        if "enum" in flat:
            options = [v for v in flat["enum"] if isinstance(v, str)]
            return options[_choice(where, len(options))]
        fmt = flat.get("format")
        if fmt == "date-time":
            return "2024-05-06T07:08:09.123Z"
        if fmt == "date":
            return "2024-05-06"
        if fmt in ("uri", "uri-reference"):
            return "https://contract.example/value"
        if fmt == "uuid":
            return "6f0c1c2e-3d4b-4a59-8e7f-0123456789ab"
        min_length = int(flat.get("minLength", 0))
        max_length = int(flat.get("maxLength", 1_000_000))
        pattern = flat.get("pattern")
        compiled = re.compile(pattern) if isinstance(pattern, str) else None
        for candidate in _STRING_CANDIDATES:
            text = candidate
            if len(text) < min_length:
                text = text + "x" * (min_length - len(text))
            text = text[:max_length]
            if min_length <= len(text) and (compiled is None or compiled.search(text)):
                return text
        raise GenerationError(
            f"{where}: no sample string fits pattern={pattern!r} minLength={min_length} maxLength={max_length}"
        )

    def untyped(self, flat: Mapping[str, Any], where: str, depth: int) -> Any:
        kind = flat.get("type")
        if kind == "object" or (kind is None and "properties" in flat):
            return {
                name: self.untyped(self.resolver.flatten(sub), f"{where}.{name}", depth + 1)
                for name, sub in flat.get("properties", {}).items()
                if name in flat.get("required", [])
            } or {"contractKey": "contract_value"}
        if kind == "array":
            return []
        if kind == "string":
            return self.string(flat, where)
        if kind == "integer":
            return self._integer(flat)
        if kind == "number":
            return self._number(flat)
        if kind == "boolean":
            return True
        return "contract_value"


def _json_type(tp: Any) -> str | None:
    base = _supertype(tp)
    if base is str or base is datetime.datetime:
        return "string"
    if base is bool:
        return "boolean"
    if base is int:
        return "integer"
    if base is float:
        return "number"
    origin = typing.get_origin(base)
    if origin in (list, Sequence) or base is list:
        return "array"
    if origin in (dict, Mapping) or base is dict:
        return "object"
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "string"
    return None


# ------------------------------------------------------------------ call arguments


def _multipart_schema(spec_op: SpecOperation, resolver: SchemaResolver) -> dict[str, Any]:
    content = spec_op.definition.get("requestBody", {}).get("content", {})
    for media_type, media in content.items():
        if media_type.startswith("multipart/"):
            return resolver.flatten(media.get("schema", {}))
    return {}


def _json_body_schema(spec_op: SpecOperation) -> Any:
    content = spec_op.definition.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    return media.get("schema", {}) if isinstance(media, dict) else {}


def build_call_arguments(
    client_cls: type,
    op: Operation[Any],
    spec_op: SpecOperation,
    resolver: SchemaResolver,
) -> CallArguments:
    """Arguments for ``client_cls.<snake name>`` that produce a spec-valid request."""
    method_name = spec_op.snake_name
    hints = method_hints(client_cls, method_name)
    signature = inspect.signature(getattr(client_cls, method_name))
    generator = ValueGenerator(resolver)
    path_params = {p.python_name: p for p in op.path_params}
    query_params = {p.python_name: p for p in op.query_params}
    spec_params = {(p["in"], p["name"]): p for p in spec_op.parameters}
    multipart = _multipart_schema(spec_op, resolver)
    multipart_props: Mapping[str, Any] = multipart.get("properties", {})
    multipart_by_python = {snake_case(name): name for name in multipart_props}
    arguments = CallArguments()
    for name in signature.parameters:
        if name in CONTROL_PARAMETERS:
            continue
        hint = hints[name]
        where = f"{spec_op.operation_id}({name})"
        if name in path_params:
            param = path_params[name]
            schema = spec_params.get(("path", param.wire_name), {}).get("schema", {})
            value = generator.value(hint, schema, where)
            location = "path"
        elif name in query_params:
            param = query_params[name]
            schema = spec_params.get(("query", param.wire_name), {}).get("schema", {})
            value = generator.value(hint, schema, where)
            location = "query"
        elif name == "data" and op.body_kind == "json":
            value = generator.value(hint, _json_body_schema(spec_op), where)
            location = "body"
        elif op.body_kind == "multipart" and name in multipart_by_python:
            wire = multipart_by_python[name]
            value = generator.value(hint, multipart_props[wire], where)
            location = "multipart"
        else:
            raise GenerationError(
                f"{spec_op.operation_id}: method argument {name!r} matches no path, query, body or multipart field"
            )
        if value is None and not _is_optional(hint):
            raise GenerationError(f"{where}: generated None for a required argument")
        arguments.kwargs[name] = value
        arguments.locations[name] = location
    return arguments


# ------------------------------------------------------------------ minimal responses


def minimal_json(resolver: SchemaResolver, schema: Any, where: str = "response", depth: int = 0) -> Any:
    """The smallest JSON value valid under ``schema`` (required properties only)."""
    if depth > 40:
        raise GenerationError(f"{where}: schema nests too deeply for a minimal value")
    flat = resolver.flatten(schema)
    for key in ("oneOf", "anyOf"):
        if flat.get(key):
            return minimal_json(resolver, flat[key][0], where, depth + 1)
    if "enum" in flat:
        return flat["enum"][0]
    kind = flat.get("type")
    if kind == "object" or (kind is None and "properties" in flat):
        properties: Mapping[str, Any] = flat.get("properties", {})
        return {
            name: minimal_json(resolver, properties.get(name, {}), f"{where}.{name}", depth + 1)
            for name in flat.get("required", [])
        }
    if kind == "array":
        count = int(flat.get("minItems", 0))
        return [minimal_json(resolver, flat.get("items", {}), f"{where}[{i}]", depth + 1) for i in range(count)]
    generator = ValueGenerator(resolver)
    if kind == "string":
        return generator.string(flat, where)
    if kind == "integer":
        return generator._integer(flat)  # pyright: ignore[reportPrivateUsage]
    if kind == "number":
        return generator._number(flat)  # pyright: ignore[reportPrivateUsage]
    if kind == "boolean":
        return True
    if flat.get("nullable"):
        return None
    return {}
