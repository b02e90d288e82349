"""IR building on small hand-written spec fragments: naming, flattening, nullability, unions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tools.generator.build_ir import IRBuilder  # noqa: E402
from tools.generator.errors import GeneratorError  # noqa: E402
from tools.generator.ir import SpecIR, TypeRef  # noqa: E402
from tools.generator.naming import python_identifier, snake_case, title_to_class_name  # noqa: E402

LONG_KEY = {"type": "string", "pattern": "^-?[0-9]+$", "minLength": 1, "maxLength": 25}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def build(
    schemas: dict[str, Any],
    paths: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> SpecIR:
    spec = {"info": {"version": "test"}, "paths": paths or {}, "components": {"schemas": schemas}}
    return IRBuilder(spec, {"specHash": "sha256:test", **(metadata or {})}).build()


def field(ir: SpecIR, schema: str, wire: str) -> Any:
    return next(f for f in ir.schemas[schema].fields if f.wire_name == wire)


def test_wire_names_become_snake_case_identifiers() -> None:
    assert snake_case("processDefinitionKey") == "process_definition_key"
    assert python_identifier("$eq") == "eq"
    assert python_identifier("$notIn") == "not_in"
    assert python_identifier("camunda.document.type") == "camunda_document_type"
    assert python_identifier("from") == "from_"
    assert python_identifier("processDefinitionXML") == "process_definition_xml"
    assert python_identifier("c8Links") == "c8_links"
    # Soft keywords stay as they are (valid names; the list varies by Python version).
    assert python_identifier("type") == "type"
    assert title_to_class_name("Process creation by key") == "ProcessCreationByKey"


def test_object_fields_keep_wire_names_and_required_flags() -> None:
    ir = build(
        {
            "Filter": {
                "type": "object",
                "required": ["$eq"],
                "properties": {
                    "$eq": {"type": "string"},
                    "$notIn": {"type": "array", "items": {"type": "string"}},
                },
            }
        }
    )
    eq, not_in = field(ir, "Filter", "$eq"), field(ir, "Filter", "$notIn")
    assert (eq.py_name, eq.required, eq.type) == ("eq", True, TypeRef("str"))
    assert (not_in.py_name, not_in.required) == ("not_in", False)
    assert not_in.type == TypeRef("list", args=(TypeRef("str"),))
    assert ir.schemas["Filter"].module == "filter"


def test_all_of_is_flattened_parent_first_with_merged_required() -> None:
    ir = build(
        {
            "Base": {
                "type": "object",
                "required": ["a"],
                "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
            },
            "Child": {
                "allOf": [
                    _ref("Base"),
                    {"type": "object", "required": ["b"], "properties": {"c": {"type": "boolean"}}},
                ],
            },
        }
    )
    child = ir.schemas["Child"]
    assert child.kind == "object"
    assert [(f.wire_name, f.required) for f in child.fields] == [
        ("a", True),
        ("b", True),
        ("c", False),
    ]


def test_nullable_directly_and_through_all_of_without_type() -> None:
    ir = build(
        {
            "ProcessInstanceKey": {
                "allOf": [{"$ref": "#/components/schemas/LongKey"}],
                "type": "string",
                "x-semantic-type": "ProcessInstanceKey",
            },
            "LongKey": LONG_KEY,
            "Result": {
                "type": "object",
                "properties": {
                    "parentKey": {"allOf": [_ref("ProcessInstanceKey")], "nullable": True},
                    "name": {"type": "string", "nullable": True},
                    "key": {"allOf": [_ref("ProcessInstanceKey")]},
                },
            },
        }
    )
    parent = field(ir, "Result", "parentKey")
    assert parent.nullable and parent.type == TypeRef("semantic", "ProcessInstanceKey")
    assert field(ir, "Result", "name").nullable
    key = field(ir, "Result", "key")
    assert not key.nullable
    # The semantic key's constraints come from LongKey through allOf.
    assert key.constraints.pattern == "^-?[0-9]+$" and key.constraints.max_length == 25


def test_semantic_types_from_metadata_and_extension() -> None:
    ir = build(
        {
            "TenantId": {"type": "string", "x-semantic-type": "TenantId"},
            "LoopId": {"type": "integer", "x-semantic-type": "LoopId"},
        },
        metadata={"semanticKeys": [{"name": "JobKey", "semanticType": "JobKey"}]},
    )
    assert {n: s.base for n, s in ir.semantic_types.items()} == {
        "JobKey": "str",
        "LoopId": "int",
        "TenantId": "str",
    }
    assert "TenantId" not in ir.schemas  # semantic types live in semantic_types.py, not models


def test_enums_and_inline_enums() -> None:
    ir = build(
        {
            "StateEnum": {"type": "string", "enum": ["ACTIVE", "actorId", "<default>"]},
            "Sort": {
                "type": "object",
                "properties": {"field": {"type": "string", "enum": ["name", "key"]}},
            },
        }
    )
    enum = ir.schemas["StateEnum"].enum
    assert enum is not None
    assert [(m.name, m.value) for m in enum.members] == [
        ("ACTIVE", "ACTIVE"),
        ("ACTOR_ID", "actorId"),
        ("DEFAULT", "<default>"),
    ]
    sort = ir.schemas["Sort"]
    assert [e.name for e in sort.inline_enums] == ["SortFieldEnum"]
    assert field(ir, "Sort", "field").type == TypeRef("inline_enum", "SortFieldEnum")
    assert ir.inline_enum_modules == {"SortFieldEnum": "sort"}


def test_union_with_discriminator_and_structural_union() -> None:
    ir = build(
        {
            "A": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string"}},
            },
            "B": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string"}, "x": {"type": "integer"}},
            },
            "Tagged": {
                "oneOf": [_ref("A"), _ref("B")],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"a": "#/components/schemas/A", "b": "#/components/schemas/B"},
                },
            },
            "Plain": {"oneOf": [{"type": "string", "title": "Exact match"}, _ref("B")]},
        }
    )
    tagged = ir.schemas["Tagged"]
    assert tagged.kind == "union" and tagged.discriminator == "kind"
    assert [(b.type.name, b.discriminator_value) for b in tagged.branches] == [
        ("A", "a"),
        ("B", "b"),
    ]
    plain = ir.schemas["Plain"]
    assert plain.discriminator is None
    assert [b.type for b in plain.branches] == [TypeRef("str"), TypeRef("schema", "B")]


def test_aliases_collapse_to_their_target_in_annotations() -> None:
    ir = build(
        {
            "JobKey": {"type": "string", "x-semantic-type": "JobKey"},
            "JobKeyExactMatch": {
                "type": "string",
                "title": "Exact match",
                "allOf": [_ref("JobKey")],
            },
            "Holder": {
                "type": "object",
                "properties": {
                    "k": _ref("JobKeyExactMatch"),
                    "vars": {"type": "object", "additionalProperties": True},
                },
            },
        }
    )
    assert ir.schemas["JobKeyExactMatch"].kind == "alias"
    assert field(ir, "Holder", "k").type == TypeRef("semantic", "JobKey")
    assert field(ir, "Holder", "vars").type == TypeRef("dict", args=(TypeRef("any"),))


def test_title_aliases_only_for_unique_non_colliding_titles() -> None:
    ir = build(
        {
            "ByKey": {"type": "object", "title": "Creation by key", "properties": {}},
            "ById": {
                "type": "object",
                "title": "ById",
                "properties": {},
            },  # collides with its own name
            "X1": {"type": "object", "title": "Exact match", "properties": {}},
            "X2": {"type": "object", "title": "Exact match", "properties": {}},
        }
    )
    assert [(a.name, a.module, a.target) for a in ir.title_aliases] == [
        ("CreationByKey", "creation_by_key", "ByKey")
    ]


def _operation(**overrides: Any) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": "searchThings",
        "summary": "Search things",
        "requestBody": {"content": {"application/json": {"schema": _ref("ThingQuery")}}},
        "responses": {
            "200": {"content": {"application/json": {"schema": _ref("ThingResult")}}},
            "400": {"content": {"application/problem+json": {"schema": {}}}},
            "500": {},
        },
    }
    op.update(overrides)
    return op


def test_operation_flags_params_and_paging() -> None:
    schemas = {
        "ThingQuery": {
            "type": "object",
            "properties": {"page": {"type": "object"}, "tenantId": {"type": "string"}},
        },
        "ThingResult": {
            "type": "object",
            "properties": {"items": {"type": "array", "items": _ref("Thing")}},
        },
        "Thing": {
            "type": "object",
            "properties": {"from": {"type": "string", "format": "date-time"}},
        },
    }
    paths = {
        "/things/search": {"post": _operation()},
        "/things/{thingKey}": {
            "parameters": [
                {"name": "thingKey", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "getThing",
                "parameters": [
                    {
                        "name": "from",
                        "in": "query",
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {"name": "timeout", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": {
                    "200": {"content": {"application/json": {"schema": _ref("Thing")}}},
                    "204": {},
                },
            },
        },
    }
    metadata = {
        "eventuallyConsistentOps": [{"operationId": "searchThings"}],
        "operations": [{"operationId": "searchThings", "optionalTenantIdInBody": True}],
    }
    ir = build(schemas, paths, metadata)
    get, search = ir.operations  # sorted by Python name
    assert search.py_name == "search_things" and search.idempotent and search.eventually_consistent
    assert search.tenant_field == "tenantId" and search.search_item_field == "items"
    assert search.search_item_type == TypeRef("schema", "Thing")
    assert search.error_statuses == (400, 500)
    assert get.path_params[0].py_name == "thing_key"
    assert [(p.py_name, p.wire_format, p.required) for p in get.query_params] == [
        ("from_", "date-time", False),
        ("timeout_", "boolean", False),  # "timeout" is the per-call timeout argument
    ]
    assert get.success_statuses == (200, 204) and get.response_kind == "model"


def test_unsupported_shapes_fail_loudly() -> None:
    with pytest.raises(GeneratorError, match="inline object"):
        build(
            {
                "Bad": {
                    "type": "object",
                    "properties": {
                        "inner": {"type": "object", "properties": {"x": {"type": "string"}}}
                    },
                }
            }
        )
    with pytest.raises(GeneratorError, match="unknown schema"):
        build({"Bad": {"type": "object", "properties": {"x": _ref("Missing")}}})
