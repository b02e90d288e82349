"""The intermediate representation between the spec and the rendered Python.

``build_ir`` makes every naming and typing decision and records it here; the
``render_*`` modules only turn these records into source text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "TypeKind",
    "TypeRef",
    "Constraints",
    "FieldIR",
    "EnumMemberIR",
    "EnumIR",
    "UnionBranchIR",
    "SchemaIR",
    "SemanticTypeIR",
    "TitleAliasIR",
    "ParamIR",
    "OperationIR",
    "SpecIR",
]

TypeKind = Literal[
    "any",
    "str",
    "int",
    "float",
    "bool",
    "datetime",
    "bytes",
    "semantic",  # a NewType in semantic_types.py; name = its name
    "schema",  # a generated model module (object, enum, union or alias); name = schema name
    "inline_enum",  # an enum declared next to the model that uses it; name = class name
    "list",  # args = (item,)
    "dict",  # args = (value,); keys are always str
    "union",  # args = branches (an inline oneOf)
]


@dataclass(frozen=True)
class TypeRef:
    """A type expression, independent of how it is spelled in Python."""

    kind: TypeKind
    name: str = ""
    args: tuple[TypeRef, ...] = ()


@dataclass(frozen=True)
class Constraints:
    """Structural facts about a value, for docstrings (never prose)."""

    format: str | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    enum_values: tuple[str, ...] = ()
    default: str | None = None  # repr of the spec default, if any

    def describe(self) -> list[str]:
        """Short ``key=value`` phrases, in a fixed order."""
        parts: list[str] = []
        if self.format:
            parts.append(f"format={self.format}")
        if self.pattern is not None:
            parts.append(f"pattern={self.pattern!r}")
        for label, value in (
            ("min_length", self.min_length),
            ("max_length", self.max_length),
            ("minimum", self.minimum),
            ("maximum", self.maximum),
            ("min_items", self.min_items),
            ("max_items", self.max_items),
        ):
            if value is not None:
                parts.append(f"{label}={_number(value)}")
        if self.unique_items:
            parts.append("unique_items")
        if self.enum_values:
            parts.append("values=" + "|".join(self.enum_values))
        if self.default is not None:
            parts.append(f"default={self.default}")
        return parts


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class FieldIR:
    """One property of an object schema (or one multipart part)."""

    wire_name: str
    py_name: str
    type: TypeRef
    required: bool
    nullable: bool
    constraints: Constraints = Constraints()
    deprecated: bool = False
    # A fixed string default: the discriminator value of a union branch, so
    # callers never spell it out (``JobResultUserTask()`` sends ``type: userTask``).
    discriminator_default: str | None = None
    # For array fields: the constraints on each item (pattern, lengths, bounds).
    item_constraints: Constraints = Constraints()


@dataclass(frozen=True)
class EnumMemberIR:
    name: str
    value: str
    deprecated: bool = False


@dataclass(frozen=True)
class EnumIR:
    """A string enum: a schema of its own, or declared inline on a property."""

    name: str
    members: tuple[EnumMemberIR, ...]


@dataclass(frozen=True)
class UnionBranchIR:
    type: TypeRef
    discriminator_value: str | None = None


@dataclass
class SchemaIR:
    """One component schema, classified."""

    name: str  # the Python class / alias name (the schema name)
    module: str  # snake_case module name under camunda_core.models
    kind: Literal["object", "enum", "union", "alias"]
    title: str | None = None
    fields: list[FieldIR] = field(default_factory=list)
    enum: EnumIR | None = None
    inline_enums: list[EnumIR] = field(default_factory=list)
    branches: list[UnionBranchIR] = field(default_factory=list)
    discriminator: str | None = None  # wire name of the discriminating property
    alias_of: TypeRef | None = None
    nullable: bool = False
    deprecated: bool = False


@dataclass(frozen=True)
class SemanticTypeIR:
    """A NewType over ``str`` (or ``int``) for an identifier."""

    name: str
    base: Literal["str", "int"]
    constraints: Constraints = Constraints()


@dataclass(frozen=True)
class TitleAliasIR:
    """A second public name for a schema, from its ``title``."""

    name: str
    module: str
    target: str  # schema name


@dataclass(frozen=True)
class ParamIR:
    """A path or query parameter of an operation."""

    wire_name: str
    py_name: str
    location: Literal["path", "query"]
    type: TypeRef
    required: bool
    constraints: Constraints = Constraints()
    wire_format: str | None = None  # "date-time" or "boolean" for the request builder


@dataclass
class OperationIR:
    """One REST operation."""

    operation_id: str
    py_name: str
    method: str  # upper case
    path: str
    summary: str | None
    path_params: list[ParamIR]
    query_params: list[ParamIR]
    body_kind: Literal["none", "json", "multipart"]
    body_required: bool
    body_type: TypeRef | None  # the JSON body type (None: untyped or no body)
    multipart_fields: list[FieldIR]
    response_kind: Literal["model", "none", "bytes", "text", "json"]
    response_type: TypeRef | None
    success_statuses: tuple[int, ...]
    error_statuses: tuple[int, ...]
    idempotent: bool
    eventually_consistent: bool
    tenant_field: str | None
    # Wire name of a top-level list of tenants in the JSON body (activateJobs' tenantIds).
    tenant_list_field: str | None
    long_poll: bool
    backpressure_exempt: bool
    search_item_field: str | None
    search_item_type: TypeRef | None
    deprecated: bool = False
    # The Accept header when the success media types are not just JSON (None: the default).
    accept: str | None = None

    @property
    def error_base_class(self) -> str:
        return self.operation_id[:1].upper() + self.operation_id[1:] + "Error"


@dataclass
class SpecIR:
    """Everything the renderers need."""

    spec_version: str
    spec_hash: str
    schemas: dict[str, SchemaIR]
    semantic_types: dict[str, SemanticTypeIR]
    title_aliases: list[TitleAliasIR]
    operations: list[OperationIR]
    # Inline enum class name -> the module (under models) that declares it.
    inline_enum_modules: dict[str, str] = field(default_factory=dict)

    def module_of(self, ref: TypeRef) -> str:
        """The models module that defines a ``schema`` or ``inline_enum`` type."""
        if ref.kind == "inline_enum":
            return self.inline_enum_modules[ref.name]
        return self.schemas[ref.name].module
