"""Spec -> intermediate representation. Every naming and typing decision lives here."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from .errors import GeneratorError
from .ir import (
    Constraints,
    EnumIR,
    EnumMemberIR,
    FieldIR,
    OperationIR,
    ParamIR,
    SchemaIR,
    SemanticTypeIR,
    SpecIR,
    TitleAliasIR,
    TypeRef,
    UnionBranchIR,
)
from .load import SpecInput
from .naming import (
    enum_member_name,
    pascal_case,
    python_identifier,
    snake_case,
    title_to_class_name,
)

__all__ = ["build_ir", "IRBuilder"]

_SCHEMA_PREFIX = "#/components/schemas/"
_PARAM_PREFIX = "#/components/parameters/"
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Keyword names every generated method already uses; a parameter of the same name gets "_".
_RESERVED_PARAMS = frozenset({"self", "data", "retry", "timeout", "wait", "page_size"})
_LONG_POLL_OPS = frozenset({"activateJobs"})
_BACKPRESSURE_EXEMPT_OPS = frozenset({"completeJob", "failJob", "throwJobError"})
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_ANY = TypeRef("any")


def build_ir(spec_input: SpecInput) -> SpecIR:
    """Classify every schema and operation of the spec."""
    return IRBuilder(spec_input.spec, spec_input.metadata).build()


class IRBuilder:
    """Holds the spec while building; memoizes schema classification."""

    def __init__(self, spec: Mapping[str, Any], metadata: Mapping[str, Any]) -> None:
        self.spec = spec
        self.metadata = metadata
        self.raw_schemas: Mapping[str, Any] = spec.get("components", {}).get("schemas", {})
        self.semantic_types = self._collect_semantic_types()
        self.schemas: dict[str, SchemaIR] = {}
        self._alias_targets: dict[str, TypeRef] = {}
        self._resolving_aliases: set[str] = set()
        # Enums declared inline on a property live in the module of the schema
        # that declares the property: class name -> module.
        self.inline_enum_modules: dict[str, str] = {}
        self._inline_enum_by_key: dict[tuple[str, str], str] = {}
        self._pending_enums: dict[str, list[EnumIR]] = {}

    # ----------------------------------------------------------------- top level

    def build(self) -> SpecIR:
        for name in sorted(self.raw_schemas):
            if name not in self.semantic_types:
                self.schemas[name] = self._classify(name, self.raw_schemas[name])
        self._default_discriminators()
        operations = self._build_operations()
        # Enums are registered while any schema's types are computed (a child
        # flattening its parent); attach them to their owners at the end.
        for name, schema in self.schemas.items():
            schema.inline_enums = self._take_inline_enums(name)
        if self._pending_enums:
            raise GeneratorError(
                f"inline enums without an owner module: {sorted(self._pending_enums)}"
            )
        self._check_module_names()
        return SpecIR(
            spec_version=str(self.spec.get("info", {}).get("version", "")),
            spec_hash=str(self.metadata.get("specHash", "")),
            schemas=dict(sorted(self.schemas.items())),
            semantic_types=self.semantic_types,
            title_aliases=self._title_aliases(),
            operations=operations,
            inline_enum_modules=dict(sorted(self.inline_enum_modules.items())),
        )

    def _collect_semantic_types(self) -> dict[str, SemanticTypeIR]:
        names: set[str] = set()
        for entry in self.metadata.get("semanticKeys", []):
            names.add(entry.get("semanticType") or entry["name"])
        for name, schema in self.raw_schemas.items():
            if isinstance(schema, dict) and "x-semantic-type" in schema:
                if schema["x-semantic-type"] != name:
                    raise GeneratorError(
                        f"schema {name}: x-semantic-type {schema['x-semantic-type']!r} differs from its name"
                    )
                names.add(name)
        result: dict[str, SemanticTypeIR] = {}
        for name in sorted(names):
            schema = self.raw_schemas.get(name, {})
            base: Literal["str", "int"] = "int" if schema.get("type") == "integer" else "str"
            result[name] = SemanticTypeIR(
                name=name, base=base, constraints=self._constraints(schema)
            )
        return result

    # ------------------------------------------------------------ classification

    def _classify(self, name: str, schema: Mapping[str, Any]) -> SchemaIR:
        base = SchemaIR(
            name=name,
            module=snake_case(name),
            kind="alias",
            title=schema.get("title"),
            nullable=bool(schema.get("nullable")),
            deprecated=bool(schema.get("deprecated")),
        )
        if "enum" in schema:
            base.kind = "enum"
            base.enum = self._enum(name, schema)
        elif "oneOf" in schema or "anyOf" in schema:
            base.kind = "union"
            base.branches, base.discriminator = self._union_branches(name, schema)
        elif self._is_object(schema):
            base.kind = "object"
            base.fields = self._object_fields(name, schema)
        else:
            base.alias_of = self._alias_target(name)
        return base

    def _is_object(self, schema: Mapping[str, Any]) -> bool:
        if "properties" in schema:
            return True
        if schema.get("type") not in (None, "object"):
            return False
        if "allOf" in schema:
            return any(self._is_object(self._deref(part)) for part in schema["allOf"])
        # A bare `type: object` with only additionalProperties is a dict alias.
        return False

    def _deref(self, fragment: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = fragment.get("$ref")
        if ref is None:
            return fragment
        return self.raw_schemas[self._ref_name(ref)]

    @staticmethod
    def _ref_name(ref: str) -> str:
        if not ref.startswith(_SCHEMA_PREFIX):
            raise GeneratorError(f"unsupported $ref {ref!r}: only {_SCHEMA_PREFIX}... is handled")
        return ref[len(_SCHEMA_PREFIX) :]

    # --------------------------------------------------------------------- enums

    def _enum(self, name: str, schema: Mapping[str, Any]) -> EnumIR:
        if schema.get("type", "string") != "string":
            raise GeneratorError(f"enum {name}: only string enums are supported")
        deprecated = {
            m["name"]
            for entry in self.metadata.get("deprecatedEnumMembers", [])
            if entry.get("schemaName") == name
            for m in entry.get("deprecatedMembers", [])
        }
        deprecated |= {
            str(m.get("name"))
            for m in schema.get("x-deprecated-enum-members", [])
            if isinstance(m, dict)
        }
        members: list[EnumMemberIR] = []
        used: set[str] = set()
        for value in schema["enum"]:
            member = enum_member_name(str(value))
            while member in used:
                member += "_"
            used.add(member)
            members.append(
                EnumMemberIR(name=member, value=str(value), deprecated=str(value) in deprecated)
            )
        return EnumIR(name=name, members=tuple(members))

    def _inline_enum_name(self, owner: str, prop: str) -> str:
        candidate = f"{owner}{pascal_case(prop)}Enum"
        while candidate in self.raw_schemas or candidate in self.inline_enum_modules:
            candidate += "Value"
        return candidate

    def _take_inline_enums(self, owner: str) -> list[EnumIR]:
        return sorted(self._pending_enums.pop(owner, []), key=lambda e: e.name)

    # -------------------------------------------------------------------- unions

    def _union_branches(
        self, name: str, schema: Mapping[str, Any]
    ) -> tuple[list[UnionBranchIR], str | None]:
        raw_branches = schema.get("oneOf") or schema.get("anyOf") or []
        discriminator = schema.get("discriminator") or {}
        by_target: dict[str, str] = {}
        for value, ref in sorted((discriminator.get("mapping") or {}).items()):
            by_target.setdefault(self._ref_name(ref), value)
        branches: list[UnionBranchIR] = []
        seen: set[TypeRef] = set()
        for raw in raw_branches:
            branch_type = self.type_of(raw, owner=name, prop="branch")
            if branch_type in seen:
                continue
            seen.add(branch_type)
            target = self._ref_name(raw["$ref"]) if "$ref" in raw else None
            branches.append(
                UnionBranchIR(type=branch_type, discriminator_value=by_target.get(target or ""))
            )
        if not branches:
            raise GeneratorError(f"union {name}: no branches")
        return branches, discriminator.get("propertyName")

    def _default_discriminators(self) -> None:
        """Give each discriminated branch's discriminator field its mapping value as default."""
        values: dict[tuple[str, str], set[str]] = {}
        for union in self.schemas.values():
            if union.kind != "union" or not union.discriminator:
                continue
            for branch in union.branches:
                if branch.discriminator_value is not None and branch.type.kind == "schema":
                    values.setdefault((branch.type.name, union.discriminator), set()).add(
                        branch.discriminator_value
                    )
        for (target, wire), found in sorted(values.items()):
            schema = self.schemas.get(target)
            if schema is None or schema.kind != "object" or len(found) != 1:
                continue  # ambiguous (one schema, several values): leave it to the caller
            schema.fields = [
                dataclasses.replace(f, discriminator_default=next(iter(found)))
                if f.wire_name == wire and f.type.kind == "str"
                else f
                for f in schema.fields
            ]

    # ------------------------------------------------------------------- objects

    def _flatten(
        self, schema: Mapping[str, Any], owner: str
    ) -> list[tuple[str, Mapping[str, Any], bool, str]]:
        """(wire name, property schema, required, owner schema) for an allOf tree, parents first."""
        merged: dict[str, tuple[str, Mapping[str, Any], bool, str]] = {}
        required: set[str] = set(schema.get("required", []))
        # An inline allOf part may mark properties of another part required.
        for part in schema.get("allOf", []):
            if "$ref" not in part:
                required |= set(part.get("required", []))
        for part in schema.get("allOf", []):
            if "$ref" in part:
                parent = self._ref_name(part["$ref"])
                entries = self._flatten(self.raw_schemas[parent], parent)
            else:
                entries = self._flatten(part, owner)
            for wire, prop, req, prop_owner in entries:
                merged[wire] = (wire, prop, req or wire in required, prop_owner)
        for wire, prop in schema.get("properties", {}).items():
            merged[wire] = (wire, prop, wire in required, owner)
        for wire in required:
            if wire in merged:
                w, p, _, o = merged[wire]
                merged[wire] = (w, p, True, o)
        return list(merged.values())

    def _object_fields(self, name: str, schema: Mapping[str, Any]) -> list[FieldIR]:
        fields: list[FieldIR] = []
        used: set[str] = set()
        for wire, prop, required, owner in self._flatten(schema, name):
            py_name = python_identifier(wire)
            while py_name in used:
                py_name += "_"
            used.add(py_name)
            field_type = self.type_of(prop, owner=owner, prop=wire)
            fields.append(
                FieldIR(
                    wire_name=wire,
                    py_name=py_name,
                    type=field_type,
                    required=required,
                    nullable=self.is_nullable(prop),
                    constraints=self._property_constraints(prop),
                    deprecated=bool(prop.get("deprecated")),
                    item_constraints=self._item_constraints(prop)
                    if field_type.kind == "list"
                    else Constraints(),
                )
            )
        # Required fields first (attrs kw_only allows any order, but this reads better).
        return [f for f in fields if f.required] + [f for f in fields if not f.required]

    def is_nullable(self, fragment: Mapping[str, Any]) -> bool:
        """``nullable: true`` on the property, on an ``allOf`` part, or on the referenced schema."""
        if fragment.get("nullable"):
            return True
        parts = list(fragment.get("allOf", []))
        if "$ref" in fragment:
            parts.append(fragment)
        for part in parts:
            if part.get("nullable"):
                return True
            if "$ref" in part and self._deref(part).get("nullable"):
                return True
        return False

    # --------------------------------------------------------------------- types

    def type_of(self, fragment: Mapping[str, Any], *, owner: str, prop: str) -> TypeRef:
        """The type of a schema fragment; inline enums are registered on ``owner``."""
        if "$ref" in fragment:
            return self._named_type(self._ref_name(fragment["$ref"]))
        if "allOf" in fragment:
            parts = fragment["allOf"]
            if len(parts) == 1:
                return self.type_of(parts[0], owner=owner, prop=prop)
            raise GeneratorError(
                f"{owner}.{prop}: allOf with several parts in a property is not supported"
            )
        for key in ("oneOf", "anyOf"):
            if key in fragment:
                return self._inline_union(fragment[key], owner=owner, prop=prop)
        if "enum" in fragment:
            return self._register_inline_enum(fragment, owner=owner, prop=prop)
        return self._plain_type(fragment, owner=owner, prop=prop)

    def _plain_type(self, fragment: Mapping[str, Any], *, owner: str, prop: str) -> TypeRef:
        kind = fragment.get("type")
        fmt = fragment.get("format")
        if kind == "string":
            if fmt == "date-time":
                return TypeRef("datetime")
            if fmt == "binary":
                return TypeRef("bytes")
            return TypeRef("str")
        if kind == "integer":
            return TypeRef("int")
        if kind == "number":
            return TypeRef("float")
        if kind == "boolean":
            return TypeRef("bool")
        if kind == "array":
            return TypeRef(
                "list", args=(self.type_of(fragment.get("items", {}), owner=owner, prop=prop),)
            )
        if kind == "object" or "additionalProperties" in fragment:
            if fragment.get("properties"):
                raise GeneratorError(
                    f"{owner}.{prop}: inline object schemas are not supported; use a $ref"
                )
            extra = fragment.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return TypeRef("dict", args=(self.type_of(extra, owner=owner, prop=prop),))
            return TypeRef("dict", args=(_ANY,))
        return _ANY

    def _inline_union(self, raw: Iterable[Mapping[str, Any]], *, owner: str, prop: str) -> TypeRef:
        branches: list[TypeRef] = []
        for branch in raw:
            t = self.type_of(branch, owner=owner, prop=prop)
            if t not in branches:
                branches.append(t)
        if len(branches) == 1:
            return branches[0]
        return TypeRef("union", args=tuple(branches))

    def _register_inline_enum(
        self, fragment: Mapping[str, Any], *, owner: str, prop: str
    ) -> TypeRef:
        known = self._inline_enum_by_key.get((owner, prop))
        if known is not None:
            return TypeRef("inline_enum", name=known)
        if owner not in self.raw_schemas or owner in self.semantic_types:
            raise GeneratorError(
                f"{owner}.{prop}: inline enums outside a model schema are not supported"
            )
        name = self._inline_enum_name(owner, prop)
        self._inline_enum_by_key[(owner, prop)] = name
        self.inline_enum_modules[name] = snake_case(owner)
        self._pending_enums.setdefault(owner, []).append(self._enum(name, fragment))
        return TypeRef("inline_enum", name=name)

    def _named_type(self, name: str) -> TypeRef:
        if name in self.semantic_types:
            return TypeRef("semantic", name=name)
        schema = self.raw_schemas.get(name)
        if schema is None:
            raise GeneratorError(f"$ref to unknown schema {name!r}")
        if "enum" in schema or "oneOf" in schema or "anyOf" in schema or self._is_object(schema):
            return TypeRef("schema", name=name)
        # Aliases collapse to what they stand for, so annotations name the real type.
        return self._alias_target(name)

    def _alias_target(self, name: str) -> TypeRef:
        cached = self._alias_targets.get(name)
        if cached is not None:
            return cached
        if name in self._resolving_aliases:
            raise GeneratorError(f"schema {name}: alias refers to itself")
        self._resolving_aliases.add(name)
        schema = self.raw_schemas[name]
        parts = schema.get("allOf", [])
        if len(parts) == 1:
            target = self.type_of(parts[0], owner=name, prop="value")
        else:
            target = self._plain_type(schema, owner=name, prop="value")
        self._resolving_aliases.discard(name)
        self._alias_targets[name] = target
        return target

    # --------------------------------------------------------------- constraints

    def _constraints(self, fragment: Mapping[str, Any]) -> Constraints:
        default = fragment.get("default")
        fmt = fragment.get("format")
        if fmt in self.raw_schemas or (isinstance(fmt, str) and "<" in fmt):
            # Formats such as "ProcessDefinitionKey" or "string<Tag>[]" only repeat the type name.
            fmt = None
        parts = fragment.get("allOf", [])
        if "$ref" not in fragment and len(parts) == 1 and "$ref" in parts[0]:
            # A semantic key over LongKey: the pattern and lengths live on LongKey.
            inherited = self._constraints(self._deref(parts[0]))
            if not _has_own_constraints(fragment):
                return Constraints(
                    format=fmt or inherited.format,
                    pattern=inherited.pattern,
                    min_length=inherited.min_length,
                    max_length=inherited.max_length,
                    minimum=inherited.minimum,
                    maximum=inherited.maximum,
                    enum_values=inherited.enum_values,
                    default=inherited.default if default is None else json.dumps(default),
                )
        return Constraints(
            format=fmt,
            pattern=fragment.get("pattern"),
            min_length=fragment.get("minLength"),
            max_length=fragment.get("maxLength"),
            minimum=fragment.get("minimum"),
            maximum=fragment.get("maximum"),
            min_items=fragment.get("minItems"),
            max_items=fragment.get("maxItems"),
            unique_items=bool(fragment.get("uniqueItems")),
            enum_values=tuple(str(v) for v in fragment.get("enum", [])),
            default=None if default is None else json.dumps(default),
        )

    def _property_constraints(self, fragment: Mapping[str, Any]) -> Constraints:
        own = self._constraints(fragment)
        if own.describe():
            return own
        target: Mapping[str, Any] | None = None
        if "$ref" in fragment:
            target = self._deref(fragment)
        elif len(fragment.get("allOf", [])) == 1 and "$ref" in fragment["allOf"][0]:
            target = self._deref(fragment["allOf"][0])
        if target is not None and "enum" not in target and not self._is_object(target):
            return self._constraints(target)
        return own

    def _item_constraints(self, fragment: Mapping[str, Any]) -> Constraints:
        """The constraints on each item of an array property (through ``$ref``/``allOf`` aliases)."""
        seen: set[int] = set()
        while "items" not in fragment and id(fragment) not in seen:
            seen.add(id(fragment))
            parts = fragment.get("allOf", [])
            if "$ref" in fragment:
                fragment = self._deref(fragment)
            elif len(parts) == 1:
                fragment = self._deref(parts[0])
            else:
                return Constraints()
        items = fragment.get("items")
        if not isinstance(items, Mapping):
            return Constraints()
        return self._property_constraints(items)

    # ---------------------------------------------------------------- operations

    def _build_operations(self) -> list[OperationIR]:
        consistent = {e["operationId"] for e in self.metadata.get("eventuallyConsistentOps", [])}
        tenant_in_body = {
            e["operationId"]
            for e in self.metadata.get("operations", [])
            if e.get("optionalTenantIdInBody")
        }
        operations: list[OperationIR] = []
        for path, item in self.spec.get("paths", {}).items():
            shared_params = item.get("parameters", [])
            for method in _HTTP_METHODS:
                if method in item:
                    operations.append(
                        self._operation(
                            path, method, item[method], shared_params, consistent, tenant_in_body
                        )
                    )
        names = Counter(op.py_name for op in operations)
        duplicates = sorted(n for n, c in names.items() if c > 1)
        if duplicates:
            raise GeneratorError(f"operation names collide: {duplicates}")
        return sorted(operations, key=lambda op: op.py_name)

    def _operation(
        self,
        path: str,
        method: str,
        op: Mapping[str, Any],
        shared_params: list[Mapping[str, Any]],
        consistent: set[str],
        tenant_in_body: set[str],
    ) -> OperationIR:
        operation_id = op.get("operationId")
        if not operation_id:
            raise GeneratorError(f"{method.upper()} {path}: operationId is missing")
        path_params, query_params = self._params(
            operation_id, [*shared_params, *op.get("parameters", [])]
        )
        body_kind, body_required, body_type, multipart_fields = self._request_body(operation_id, op)
        success, errors, response_kind, response_type = self._responses(operation_id, op)
        upper = method.upper()
        item_field, item_type = self._search_paging(body_type, response_type)
        tenant_list_field = self._tenant_list_field(body_type) if body_kind == "json" else None
        return OperationIR(
            operation_id=operation_id,
            py_name=python_identifier(operation_id),
            method=upper,
            path=path,
            summary=op.get("summary"),
            path_params=path_params,
            query_params=query_params,
            body_kind=body_kind,
            body_required=body_required,
            body_type=body_type,
            multipart_fields=multipart_fields,
            response_kind=response_kind,
            response_type=response_type,
            success_statuses=success,
            error_statuses=errors,
            idempotent=upper in _IDEMPOTENT_METHODS or _is_query_post(operation_id, path),
            eventually_consistent=operation_id in consistent
            or bool(op.get("x-eventually-consistent")),
            tenant_field="tenantId"
            if operation_id in tenant_in_body and body_kind in ("json", "multipart")
            else None,
            tenant_list_field=tenant_list_field,
            long_poll=operation_id in _LONG_POLL_OPS,
            backpressure_exempt=operation_id in _BACKPRESSURE_EXEMPT_OPS,
            search_item_field=item_field,
            search_item_type=item_type,
            deprecated=bool(op.get("deprecated")),
            accept=_accept_header(op),
        )

    def _params(
        self, operation_id: str, raw_params: list[Mapping[str, Any]]
    ) -> tuple[list[ParamIR], list[ParamIR]]:
        by_key: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in raw_params:
            param = self._deref_param(raw)
            by_key[(param["in"], param["name"])] = param  # operation-level wins
        path_params: list[ParamIR] = []
        query_params: list[ParamIR] = []
        used: set[str] = set()
        for (location, wire), param in by_key.items():
            if location not in ("path", "query"):
                raise GeneratorError(
                    f"{operation_id}: {location} parameter {wire!r} is not supported"
                )
            py_name = python_identifier(wire)
            while py_name in _RESERVED_PARAMS or py_name in used:
                py_name += "_"
            used.add(py_name)
            schema = param.get("schema", {})
            ptype = self.type_of(schema, owner=operation_id, prop=wire)
            wire_format = (
                "date-time"
                if ptype.kind == "datetime"
                else "boolean"
                if ptype.kind == "bool"
                else None
            )
            entry = ParamIR(
                wire_name=wire,
                py_name=py_name,
                location=location,
                type=ptype,
                required=bool(param.get("required")) or location == "path",
                constraints=self._property_constraints(schema),
                wire_format=wire_format,
            )
            (path_params if location == "path" else query_params).append(entry)
        return path_params, query_params

    def _deref_param(self, raw: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = raw.get("$ref")
        if ref is None:
            return raw
        if not ref.startswith(_PARAM_PREFIX):
            raise GeneratorError(f"unsupported parameter $ref {ref!r}")
        return self.spec["components"]["parameters"][ref[len(_PARAM_PREFIX) :]]

    def _request_body(
        self, operation_id: str, op: Mapping[str, Any]
    ) -> tuple[Literal["none", "json", "multipart"], bool, TypeRef | None, list[FieldIR]]:
        body = op.get("requestBody")
        if not body:
            return "none", False, None, []
        content: Mapping[str, Any] = body.get("content", {})
        required = bool(body.get("required"))
        if "multipart/form-data" in content:
            schema = content["multipart/form-data"].get("schema", {})
            return "multipart", required, None, self._multipart_fields(operation_id, schema)
        json_type = next(
            (ct for ct in content if ct == "application/json" or ct.endswith("+json")), None
        )
        if json_type is None:
            raise GeneratorError(
                f"{operation_id}: request content types {sorted(content)} are not supported"
            )
        schema = content[json_type].get("schema") or {}
        if not schema:
            return "json", required, None, []
        return "json", required, self.type_of(schema, owner=operation_id, prop="body"), []

    def _multipart_fields(self, operation_id: str, schema: Mapping[str, Any]) -> list[FieldIR]:
        required = set(schema.get("required", []))
        fields: list[FieldIR] = []
        for wire, prop in schema.get("properties", {}).items():
            py_name = python_identifier(wire)
            while py_name in _RESERVED_PARAMS:
                py_name += "_"
            fields.append(
                FieldIR(
                    wire_name=wire,
                    py_name=py_name,
                    type=self.type_of(prop, owner=operation_id, prop=wire),
                    required=wire in required,
                    nullable=False,
                    constraints=self._property_constraints(prop),
                )
            )
        return [f for f in fields if f.required] + [f for f in fields if not f.required]

    def _responses(
        self, operation_id: str, op: Mapping[str, Any]
    ) -> tuple[
        tuple[int, ...],
        tuple[int, ...],
        Literal["model", "none", "bytes", "text", "json"],
        TypeRef | None,
    ]:
        responses: Mapping[str, Any] = op.get("responses", {})
        success = tuple(sorted(int(s) for s in responses if s.isdigit() and s.startswith("2")))
        errors = tuple(sorted(int(s) for s in responses if s.isdigit() and s[0] in "45"))
        if not success:
            raise GeneratorError(f"{operation_id}: no 2xx response")
        for status in success:
            content: Mapping[str, Any] = responses[str(status)].get("content") or {}
            if not content:
                continue
            return success, errors, *self._response_body(operation_id, content)
        return success, errors, "none", None

    def _response_body(
        self, operation_id: str, content: Mapping[str, Any]
    ) -> tuple[Literal["model", "none", "bytes", "text", "json"], TypeRef | None]:
        for ct, media in content.items():
            schema = media.get("schema") or {}
            if ct == "application/json" or ct.endswith("+json"):
                rtype = (
                    self.type_of(schema, owner=operation_id, prop="response") if schema else _ANY
                )
                if rtype.kind in ("schema", "semantic"):
                    return "model", rtype
                if rtype.kind == "list":
                    return "model", self._synthetic_alias(
                        f"{pascal_case(operation_id)}Response", rtype
                    )
                return "json", _ANY
            if ct.startswith("text/"):
                return "text", TypeRef("str")
            if ct == "application/octet-stream" or schema.get("format") == "binary":
                return "bytes", TypeRef("bytes")
        raise GeneratorError(
            f"{operation_id}: response content types {sorted(content)} are not supported"
        )

    def _synthetic_alias(self, name: str, target: TypeRef) -> TypeRef:
        """A named alias for an inline response type, so the descriptor can refer to it."""
        if name in self.raw_schemas:
            raise GeneratorError(f"synthetic alias {name} collides with a schema")
        self.schemas[name] = SchemaIR(
            name=name, module=snake_case(name), kind="alias", alias_of=target
        )
        return TypeRef("schema", name=name)

    def _search_paging(
        self, body_type: TypeRef | None, response_type: TypeRef | None
    ) -> tuple[str | None, TypeRef | None]:
        if body_type is None or response_type is None:
            return None, None
        if body_type.kind != "schema" or response_type.kind != "schema":
            return None, None
        request = self._object_schema(body_type.name)
        result = self._object_schema(response_type.name)
        if request is None or result is None:
            return None, None
        if not any(f.wire_name == "page" for f in request.fields):
            return None, None
        items = next(
            (f for f in result.fields if f.wire_name == "items" and f.type.kind == "list"), None
        )
        if items is None:
            return None, None
        return "items", items.type.args[0]

    def _tenant_list_field(self, body_type: TypeRef | None) -> str | None:
        """``tenantIds`` when the JSON body has that top-level list of tenants to act for."""
        if body_type is None or body_type.kind != "schema":
            return None
        request = self._object_schema(body_type.name)
        if request is None:
            return None
        found = any(f.wire_name == "tenantIds" and f.type.kind == "list" for f in request.fields)
        return "tenantIds" if found else None

    def _object_schema(self, name: str) -> SchemaIR | None:
        schema = self.schemas.get(name)
        return schema if schema is not None and schema.kind == "object" else None

    # ------------------------------------------------------------- naming checks

    def _check_module_names(self) -> None:
        modules = Counter(s.module for s in self.schemas.values())
        clashes = sorted(m for m, c in modules.items() if c > 1)
        if clashes:
            raise GeneratorError(f"schema module names collide: {clashes}")

    def _title_aliases(self) -> list[TitleAliasIR]:
        titles = Counter(title_to_class_name(s.title) for s in self.schemas.values() if s.title)
        taken_names = {n.lower() for n in self.schemas} | {n.lower() for n in self.semantic_types}
        taken_names |= {n.lower() for n in self.inline_enum_modules}
        taken_modules = {s.module for s in self.schemas.values()}
        aliases: list[TitleAliasIR] = []
        for schema in self.schemas.values():
            if not schema.title:
                continue
            alias = title_to_class_name(schema.title)
            module = snake_case(alias)
            if not alias or not alias[0].isalpha() or titles[alias] != 1:
                continue
            if alias.lower() in taken_names or module in taken_modules:
                continue
            aliases.append(TitleAliasIR(name=alias, module=module, target=schema.name))
        return sorted(aliases, key=lambda a: a.name)


def _has_own_constraints(fragment: Mapping[str, Any]) -> bool:
    keys = ("pattern", "minLength", "maxLength", "minimum", "maximum", "enum")
    return any(k in fragment for k in keys)


def _is_query_post(operation_id: str, path: str) -> bool:
    """Query-style POSTs (searches, statistics) are safe to replay."""
    return operation_id.startswith("search") or path.endswith("/search") or "/statistics" in path


def _accept_header(op: Mapping[str, Any]) -> str | None:
    """What to send as ``Accept``: the success media types (plus problem JSON for
    errors) when they are not just JSON, which the client asks for by default."""
    media: list[str] = []
    for status, response in sorted(op.get("responses", {}).items()):
        if status.startswith("2"):
            for content_type in response.get("content") or {}:
                if content_type not in media:
                    media.append(content_type)
    if not media or media == ["application/json"]:
        return None
    return ", ".join([*media, "application/problem+json"])
