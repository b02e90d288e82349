"""The constraints the generator emits for the request validators: patterns, field metadata, key table."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tools.generator.build_ir import IRBuilder  # noqa: E402
from tools.generator.errors import GeneratorError  # noqa: E402
from tools.generator.ir import SpecIR  # noqa: E402
from tools.generator.patterns import python_pattern  # noqa: E402
from tools.generator.render_common import field_metadata  # noqa: E402
from tools.generator.render_models import render_schema_module  # noqa: E402
from tools.generator.render_semantic import render_semantic  # noqa: E402

UNICODE_ID = r"^[\p{L}_][\p{L}\p{N}_\-\.]*$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def build(schemas: dict[str, Any]) -> SpecIR:
    spec = {"info": {"version": "test"}, "paths": {}, "components": {"schemas": schemas}}
    return IRBuilder(spec, {"specHash": "sha256:test"}).build()


def test_plain_patterns_are_kept_as_they_are() -> None:
    for pattern in ("^-?[0-9]+$", "^(<default>|[A-Za-z0-9_@.+-]+)$", r"^[A-Za-z][A-Za-z0-9_\-:.]{0,99}$"):
        assert python_pattern(pattern, "X.y") == pattern


def test_unicode_property_classes_are_translated_with_the_same_meaning() -> None:
    translated = re.compile(python_pattern(UNICODE_ID, "ProcessDefinitionId"))
    for fine in ("order", "_order", "Überweisung-2.v1", "注文", "x٣"):  # ٣: an Arabic-Indic digit (\p{N})
        assert translated.search(fine), fine
    for wrong in ("1order", "-order", ".order", "order process", "", "٣x"):
        assert not translated.search(wrong), wrong
    assert python_pattern(r"^[\p{L}]+$", "X.y") == r"^[^\W\d_]+$"


@pytest.mark.parametrize("pattern", [r"^[\p{Lu}]+$", r"^\p{L}+$", r"^[^\p{L}]+$", r"^[\p{N}]+$", "^[a-"])
def test_patterns_without_a_faithful_translation_fail_loudly(pattern: str) -> None:
    with pytest.raises(GeneratorError, match=r"Thing\.name: pattern"):
        python_pattern(pattern, "Thing.name")


def test_fields_carry_their_checks_and_list_items_theirs() -> None:
    ir = build(
        {
            "Tag": {"type": "string", "x-semantic-type": "Tag", "pattern": "^[a-z]+$", "maxLength": 5},
            "TagSet": {"type": "array", "items": _ref("Tag"), "maxItems": 3, "uniqueItems": True},
            "Thing": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "pattern": UNICODE_ID, "minLength": 1},
                    "tags": _ref("TagSet"),
                    "codes": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1},
                    "size": {"type": "integer", "format": "int32", "maximum": 9},
                    "when": {"type": "string", "format": "date-time"},
                },
            },
        }
    )
    fields = {f.wire_name: f for f in ir.schemas["Thing"].fields}
    metadata = {wire: eval(field_metadata(f, "Thing")) for wire, f in fields.items()}  # our own literal
    assert metadata == {
        "name": {"wire": "name", "pattern": python_pattern(UNICODE_ID, "-"), "min_length": 1},
        "tags": {
            "wire": "tags",
            "max_items": 3,
            "unique_items": True,
            "items": {"pattern": "^[a-z]+$", "max_length": 5},
        },
        "codes": {"wire": "codes", "min_items": 1, "items": {"minimum": 0}},
        "size": {"wire": "size", "format": "int32", "maximum": 9},
        "when": {"wire": "when"},
    }
    # The rendered module holds the same metadata the validators read.
    source = render_schema_module(ir, ir.schemas["Thing"])
    assert "'items': {'pattern': '^[a-z]+$', 'max_length': 5}" in source


def test_key_types_get_a_table_of_checks() -> None:
    ir = build(
        {
            "LongKey": {"type": "string", "pattern": "^-?[0-9]+$", "minLength": 1, "maxLength": 25},
            "JobKey": {"allOf": [_ref("LongKey")], "x-semantic-type": "JobKey"},
            "Free": {"type": "string", "x-semantic-type": "Free"},
        }
    )
    source = next(iter(render_semantic(ir).values()))
    namespace: dict[str, Any] = {}
    exec(compile(source, "semantic_types", "exec"), namespace)  # generated code under test
    assert namespace["VALUE_CHECKS"] == {
        "JobKey": {"pattern": "^-?[0-9]+$", "min_length": 1, "max_length": 25}
    }
