"""Rendering of ``camunda_core/models``: one module per schema, title aliases, the lazy package."""

from __future__ import annotations

from .errors import GeneratorError
from .ir import EnumIR, FieldIR, SchemaIR, SpecIR, TitleAliasIR, TypeRef
from .render_common import (
    CORE_MODELS,
    Imports,
    TypeSpeller,
    describe_type,
    docstring,
    field_metadata,
    field_summary,
    header,
    quote_list,
)

__all__ = ["render_models", "public_names", "module_exports"]

MODELS_DIR = "packages/camunda-core/src/camunda_core/models"


def render_models(ir: SpecIR) -> dict[str, str]:
    """Relative path -> source for every models module and the package ``__init__``."""
    files: dict[str, str] = {}
    for schema in ir.schemas.values():
        files[f"{MODELS_DIR}/{schema.module}.py"] = render_schema_module(ir, schema)
    for alias in ir.title_aliases:
        files[f"{MODELS_DIR}/{alias.module}.py"] = render_title_alias(ir, alias)
    files[f"{MODELS_DIR}/__init__.py"] = render_package_init(ir, CORE_MODELS, "camunda_core.models")
    return files


def module_exports(ir: SpecIR) -> dict[str, list[str]]:
    """Module name -> the public names it defines, for every models module."""
    exports: dict[str, list[str]] = {}
    for schema in ir.schemas.values():
        exports[schema.module] = [schema.name, *(e.name for e in schema.inline_enums)]
    for alias in ir.title_aliases:
        exports[alias.module] = [alias.name]
    return dict(sorted(exports.items()))


def public_names(ir: SpecIR) -> dict[str, str]:
    """Public name -> module, for the lazy package ``__init__``."""
    names: dict[str, str] = {}
    for module, exported in module_exports(ir).items():
        for name in exported:
            names[name] = module
    return dict(sorted(names.items()))


# --------------------------------------------------------------------- schemas


def render_schema_module(ir: SpecIR, schema: SchemaIR) -> str:
    imports = Imports()
    speller = TypeSpeller(ir, imports, own_module=schema.module)
    if schema.kind == "object":
        body = _object_body(schema, speller, imports)
    elif schema.kind == "enum":
        assert schema.enum is not None
        imports.local("camunda_core.serialization.enums", "OpenStrEnum")
        body = _enum_class(schema.enum)
    elif schema.kind == "union":
        body = _union_body(schema, speller, imports)
    else:
        body = _alias_body(schema, speller, imports)
    if schema.inline_enums:
        imports.local("camunda_core.serialization.enums", "OpenStrEnum")
        body = "\n\n".join(_enum_class(e) for e in schema.inline_enums) + "\n\n" + body
    exports = [schema.name, *(e.name for e in schema.inline_enums)]
    # Objects import the models they refer to at the bottom, so that import
    # cycles resolve and only what a model needs is imported with it.
    bottom = _bottom_imports(speller) if schema.kind == "object" else ""
    parts = [
        header(ir)
        + (
            "# ruff: noqa: E402 - model imports are at the bottom, after the class\n"
            if bottom
            else ""
        ),
        docstring([f"The ``{schema.name}`` schema ({_kind_label(schema)})."]),
        "from __future__ import annotations\n",
        imports.render() + "\n",
        f"__all__ = {quote_list(exports)}\n",
        body,
    ]
    if bottom:
        parts.append(bottom)
    return "\n".join(parts)


def _kind_label(schema: SchemaIR) -> str:
    return {
        "object": "model",
        "enum": "enum",
        "union": "union",
        "alias": "type alias",
    }[schema.kind]


def _top_model_imports(speller: TypeSpeller, imports: Imports) -> str:
    for module, names in speller.model_refs.items():
        for name in names:
            imports.local(module, name)
    return ""


def _bottom_imports(speller: TypeSpeller) -> str:
    lines = [
        f"from {module} import {name}"
        for module, names in sorted(speller.model_refs.items())
        for name in sorted(names)
    ]
    return "\n".join(lines) + "\n" if lines else ""


def _object_body(schema: SchemaIR, speller: TypeSpeller, imports: Imports) -> str:
    imports.third_party.add("attrs")
    lines = ["@attrs.define(slots=True, kw_only=True)", f"class {schema.name}:"]
    doc = [f"Model of the ``{schema.name}`` schema."]
    notes: list[str] = []
    if schema.title:
        notes.append(f"Title: {schema.title}.")
    if schema.nullable:
        notes.append("The whole object may be ``null`` on the wire.")
    if schema.deprecated:
        notes.append("Deprecated.")
    if notes:
        doc += ["", *notes]
    if schema.fields:
        doc += ["", "Attributes:"]
        doc += [f"    {f.py_name}: {field_summary(f)}." for f in schema.fields]
    lines.append(docstring(doc, indent="    ").rstrip("\n"))
    if schema.fields:
        lines.append("")
    for f in schema.fields:
        lines.append("    " + _field_line(f, speller, imports, schema.name))
    lines.append("")
    lines.append(_init_method(schema, imports))
    return "\n".join(lines) + "\n"


#: Names a generated ``__init__`` uses for itself; a field of that name would shadow them.
_INIT_RESERVED = frozenset({"self", "_args", "_unexpected"})


def _init_method(schema: SchemaIR, imports: Imports) -> str:
    """The model's ``__init__``, hidden from type checkers (they keep the attrs signature).

    Every parameter has a default and extra ones are collected, so a wrong call reaches
    ``constructor_error`` (which names the class as the caller wrote it and suggests the field
    meant) instead of Python's own error; a correct call only stores each argument, as attrs'
    ``__init__`` would. See ``camunda_core/serialization/construction.py``.
    """
    clash = _INIT_RESERVED & {f.py_name for f in schema.fields}
    if clash:
        raise GeneratorError(
            f"schema {schema.name}: field name {sorted(clash)[0]!r} is reserved by the generated __init__"
        )
    imports.std("typing", "TYPE_CHECKING")
    imports.local("camunda_core.serialization.construction", "constructor_error")
    imports.local("camunda_core.serialization.construction", "model_init")
    params = ["self", "*_args"]
    required: list[str] = []
    for f in schema.fields:
        if f.discriminator_default is not None:
            params.append(f"{f.py_name}={f.discriminator_default!r}")
        elif f.required:
            imports.local("camunda_core.serialization.construction", "REQUIRED")
            params.append(f"{f.py_name}=REQUIRED")
            required.append(f.py_name)
        else:
            params.append(f"{f.py_name}=UNSET")
    params.append("**_unexpected")
    wrong = " or ".join(["_args", "_unexpected", *(f"{name} is REQUIRED" for name in required)])
    given = "{" + ", ".join(f"{name!r}: {name}" for name in required) + "}"
    body = [
        "    if not TYPE_CHECKING:",
        "",
        "        @model_init",
        "        def __init__(" + ", ".join(params) + "):",
        f"            if {wrong}:",
        f"                raise constructor_error(self, _args, _unexpected, {given})",
    ]
    body += [f"            self.{f.py_name} = {f.py_name}" for f in schema.fields]
    return "\n".join(body)


def _field_line(f: FieldIR, speller: TypeSpeller, imports: Imports, owner: str) -> str:
    annotation = speller.spell(f.type)
    if f.type.kind != "any":
        if f.nullable:
            annotation += " | None"
        if not f.required:
            imports.local("camunda_core.types", "Unset")
            annotation += " | Unset"
    metadata = f"metadata={field_metadata(f, owner)}"
    if f.discriminator_default is not None:
        return f"{f.py_name}: {annotation} = attrs.field(default={f.discriminator_default!r}, {metadata})"
    if f.required:
        return f"{f.py_name}: {annotation} = attrs.field({metadata})"
    imports.local("camunda_core.types", "UNSET")
    return f"{f.py_name}: {annotation} = attrs.field(default=UNSET, {metadata})"


def _enum_class(enum: EnumIR) -> str:
    lines = [f"class {enum.name}(OpenStrEnum):"]
    doc = [
        f"Values of ``{enum.name}``.",
        "",
        "Unknown values from a newer server become pseudo-members.",
    ]
    deprecated = [m.value for m in enum.members if m.deprecated]
    if deprecated:
        doc.append("Deprecated values: " + ", ".join(deprecated) + ".")
    lines.append(docstring(doc, indent="    ").rstrip("\n"))
    lines.append("")
    for member in enum.members:
        lines.append(f"    {member.name} = {member.value!r}")
    return "\n".join(lines) + "\n"


def _union_body(schema: SchemaIR, speller: TypeSpeller, imports: Imports) -> str:
    imports.std("typing", "TypeAlias")
    branches = [b.type for b in schema.branches]
    single = len(branches) == 1
    value = speller.spell(branches[0]) if single else speller.runtime_union(branches)
    _top_model_imports(speller, imports)
    lines = [f"{schema.name}: TypeAlias = {value}"]
    doc = [
        f"Union ``{schema.name}``.",
        "",
        "One of: " + ", ".join(describe_type(b) for b in branches) + ".",
    ]
    if schema.discriminator:
        doc.append(f"Discriminated by the ``{schema.discriminator}`` property.")
    else:
        doc.append("Resolved structurally (by the keys present) when parsed.")
    lines.append(docstring(doc).rstrip("\n"))
    if schema.discriminator and len(branches) > 1:
        imports.local("camunda_core.serialization.unions", "register_discriminator")
        mapping = ", ".join(
            f"{b.discriminator_value!r}: {speller.spell(b.type)}"
            for b in sorted(schema.branches, key=lambda b: b.discriminator_value or "")
            if b.discriminator_value is not None
        )
        lines.append("")
        lines.append(
            f"register_discriminator({schema.name}, {schema.discriminator!r}, {{{mapping}}})"
        )
    return "\n".join(lines) + "\n"


def _alias_body(schema: SchemaIR, speller: TypeSpeller, imports: Imports) -> str:
    imports.std("typing", "TypeAlias")
    target: TypeRef = schema.alias_of or TypeRef("any")
    is_union = target.kind == "union"
    value = speller.runtime_union(target.args) if is_union else speller.spell(target)
    _top_model_imports(speller, imports)
    doc = docstring([f"Alias ``{schema.name}``: {describe_type(target)}."]).rstrip("\n")
    return f"{schema.name}: TypeAlias = {value}\n{doc}\n"


# ------------------------------------------------------------ aliases and init


def render_title_alias(ir: SpecIR, alias: TitleAliasIR) -> str:
    target = ir.schemas[alias.target]
    return "\n".join(
        [
            header(ir),
            docstring([f"``{alias.name}``: the title name of ``{target.name}`` (the same class)."]),
            "from __future__ import annotations\n",
            f"from {CORE_MODELS}.{target.module} import {target.name}\n",
            f"__all__ = {quote_list([alias.name])}\n",
            f"{alias.name} = {target.name}\n",
        ]
    )


def render_package_init(ir: SpecIR, package: str, source_package: str) -> str:
    """A package ``__init__`` that imports each name from its module on first access."""
    names = public_names(ir)
    type_checking = "\n".join(
        f"    from {source_package}.{module} import {name} as {name}"
        for name, module in names.items()
    )
    all_list = "\n".join(f'    "{name}",' for name in names)
    if package != source_package:
        # A re-export of another generated package: its table already says where
        # each name lives, so look names up there instead of repeating it.
        lookup = f'''def __getattr__(name: str) -> Any:
    if name not in _EXPORTED:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
    value = getattr(importlib.import_module("{source_package}"), name)
    globals()[name] = value
    return value'''
        table_block = "_EXPORTED = frozenset(__all__)"
    else:
        table = "\n".join(f'    "{name}": "{module}",' for name, module in names.items())
        table_block = f'''# Public name -> module (under {source_package}) that defines it.
_MODULES: dict[str, str] = {{
{table}
}}'''
        lookup = f'''def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
    value = getattr(importlib.import_module(f"{source_package}.{{module}}"), name)
    globals()[name] = value
    return value'''
    return f'''{header(ir)}
"""Every generated model, importable from here; each module is imported on first use."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
{type_checking}

__all__ = [
{all_list}
]

{table_block}


{lookup}


def __dir__() -> list[str]:
    return list(__all__)
'''
