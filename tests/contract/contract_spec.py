"""Finding, reading and preparing the OpenAPI spec for the contract tests.

The spec is never modified and never copied into the repository: the tools
that need changes (openapi-core, Prism) get a prepared copy in a temp dir.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "SPEC_DIR_ENV",
    "SPEC_FILE",
    "HTTP_METHODS",
    "SpecOperation",
    "SpecContract",
    "SchemaResolver",
    "spec_dir",
    "spec_dir_810",
    "load_spec",
    "spec_operations",
    "python_compatible_patterns",
    "prepare_for_openapi_core",
    "Normalisation",
    "merge_closed_all_of",
    "one_of_without_discriminator_to_any_of",
    "drop_type_beside_union",
    "encode_discriminators",
    "nullable_beside_all_of",
    "prepare_for_prism",
    "write_json",
]

SPEC_DIR_ENV = "CAMUNDA_SPEC_DIR"
SPEC_FILE = "rest-api.bundle.json"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Patterns that use ECMA/PCRE Unicode classes Python's ``re`` cannot compile,
#: and a Python equivalent: ``[^\W\d]`` is a letter or ``_``; ``\w`` is a
#: letter, a number or ``_`` (str patterns are Unicode-aware in Python).
UNICODE_PATTERN_REWRITES: Mapping[str, str] = {
    r"^[\p{L}_][\p{L}\p{N}_\-\.]*$": r"^[^\W\d][\w\-.]*$",
}


def spec_dir() -> Path:
    """The 8.9 spec directory: ``$CAMUNDA_SPEC_DIR`` or ``<repo>/../shared/spec/camunda-8.9``."""
    configured = os.environ.get(SPEC_DIR_ENV)
    if configured:
        return Path(configured)
    return REPO_ROOT.parent / "shared" / "spec" / "camunda-8.9"


def spec_dir_810() -> Path:
    """The 8.10-dev spec directory, beside the 8.9 one."""
    return spec_dir().parent / "camunda-8.10-dev"


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def load_spec(directory: Path) -> dict[str, Any]:
    """A fresh parsed copy of ``<directory>/rest-api.bundle.json`` (callers may mutate it)."""
    return json.loads(_load_cached(str(directory / SPEC_FILE)))


@dataclass(frozen=True)
class SpecOperation:
    """One operation as the spec declares it."""

    operation_id: str
    method: str
    path: str
    definition: Mapping[str, Any]
    #: Parameters declared on the path item and on the operation (operation wins).
    parameters: tuple[Mapping[str, Any], ...]

    @property
    def snake_name(self) -> str:
        return snake_case(self.operation_id)


@dataclass
class SpecContract:
    """One spec, prepared for validation in process."""

    directory: Path
    spec: dict[str, Any]
    resolver: SchemaResolver
    operations: dict[str, SpecOperation]
    #: An ``openapi_core.OpenAPI`` built from ``spec``.
    openapi: Any
    normalisation: Normalisation


def snake_case(name: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    return text.lower()


def spec_operations(spec: Mapping[str, Any]) -> list[SpecOperation]:
    resolver = SchemaResolver(spec)
    found: list[SpecOperation] = []
    for path, item in spec["paths"].items():
        shared = [resolver.deref(p) for p in item.get("parameters", [])]
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            own = [resolver.deref(p) for p in op.get("parameters", [])]
            names = {(p["in"], p["name"]) for p in own}
            params = tuple([p for p in shared if (p["in"], p["name"]) not in names] + own)
            found.append(SpecOperation(op["operationId"], method.upper(), path, op, params))
    return sorted(found, key=lambda o: o.operation_id)


class SchemaResolver:
    """Resolves ``$ref`` and flattens ``allOf`` so constraints can be read in one place."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.schemas: Mapping[str, Any] = spec.get("components", {}).get("schemas", {})

    def deref(self, node: Any) -> Any:
        seen: set[str] = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"circular $ref {ref}")
            seen.add(ref)
            target: Any = self.spec
            for part in ref.lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def ref_name(self, node: Any) -> str | None:
        """The component name a schema refers to (directly or through a one-item allOf)."""
        if isinstance(node, dict):
            if "$ref" in node:
                return str(node["$ref"]).rsplit("/", 1)[-1]
            all_of = node.get("allOf")
            if isinstance(all_of, list) and len(all_of) == 1:
                return self.ref_name(all_of[0])
        return None

    def flatten(self, node: Any) -> dict[str, Any]:
        """One schema dict with ``allOf`` members merged in (properties and required united)."""
        node = self.deref(node)
        if not isinstance(node, dict):
            return {}
        merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
        for member in node.get("allOf", []):
            part = self.flatten(member)
            for key, value in part.items():
                if key == "properties":
                    merged.setdefault("properties", {})
                    merged["properties"] = {**value, **merged["properties"]}
                elif key == "required":
                    merged["required"] = sorted(set(merged.get("required", [])) | set(value))
                elif key not in merged:
                    merged[key] = value
        return merged

    def component(self, name: str) -> dict[str, Any] | None:
        if name in self.schemas:
            return self.flatten(self.schemas[name])
        return None


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def python_compatible_patterns(spec: dict[str, Any]) -> int:
    """Rewrite, in place, the patterns Python's ``re`` cannot compile. Returns how many.

    Fails if a pattern that is neither compilable nor known shows up, so a
    new quirk in a future spec is noticed instead of silently skipped.
    """
    rewritten = 0
    for node in _walk(spec):
        pattern = node.get("pattern")
        if not isinstance(pattern, str):
            continue
        if pattern in UNICODE_PATTERN_REWRITES:
            node["pattern"] = UNICODE_PATTERN_REWRITES[pattern]
            rewritten += 1
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"spec pattern {pattern!r} does not compile in Python and has no rewrite: {exc}") from exc
    return rewritten


@dataclass(frozen=True)
class Normalisation:
    """How many places of the spec copy each documented rewrite touched."""

    patterns: int
    merged_all_of: int
    one_of_to_any_of: int
    dropped_types: int
    encoded_discriminators: int
    nullable_all_of: int


def merge_closed_all_of(spec: dict[str, Any]) -> int:
    """Merge ``allOf`` members into object schemas that say ``additionalProperties: false``.

    JSON Schema applies ``additionalProperties`` to the schema's own
    ``properties`` only, so ``{allOf: [Base], properties: {x}, additionalProperties: false}``
    rejects every property of ``Base``: no request could validate. The server
    means "Base's properties plus x, nothing else"; merging says exactly that.
    """
    resolver = SchemaResolver(spec)
    merged = 0
    for node in list(_walk(spec)):
        members = node.get("allOf")
        if node.get("additionalProperties") is not False or not isinstance(members, list):
            continue
        properties: dict[str, Any] = dict(node.get("properties", {}))
        required: set[str] = set(node.get("required", []))
        kept: list[Any] = []
        for member in typing.cast("list[Any]", members):
            flat = resolver.flatten(member)
            if "properties" not in flat:
                kept.append(member)
                continue
            for name, schema in flat["properties"].items():
                properties.setdefault(name, schema)
            required |= set(flat.get("required", []))
        node["properties"] = properties
        if required:
            node["required"] = sorted(required)
        if kept:
            node["allOf"] = kept
        else:
            node.pop("allOf")
        merged += 1
    return merged


def one_of_without_discriminator_to_any_of(spec: dict[str, Any]) -> int:
    """Turn ``oneOf`` into ``anyOf`` where no discriminator picks the branch.

    The spec's undiscriminated ``oneOf`` branches overlap (four identical key
    strings for ``resourceKey``; ``{limit}`` is valid offset, cursor and limit
    pagination alike), so a valid value matches several branches and ``oneOf``
    rejects it. The server resolves them structurally, i.e. "any of".
    """
    changed = 0
    for node in _walk(spec):
        if "oneOf" in node and "discriminator" not in node and isinstance(node["oneOf"], list):
            node["anyOf"] = node.pop("oneOf")
            changed += 1
    return changed


def drop_type_beside_union(spec: dict[str, Any]) -> int:
    """Remove a ``type`` that sits beside an ``allOf`` pointing at a union with other types.

    E.g. a filter's ``state`` says ``type: string`` and ``allOf: [StateFilterProperty]``,
    a union of the exact value (a string) and the advanced filter (an object):
    the ``type`` makes the advanced filter, which the model offers and the server
    reads, impossible. The union alone says what is allowed.
    """
    resolver = SchemaResolver(spec)
    dropped = 0
    for node in _walk(spec):
        kind = node.get("type")
        members = node.get("allOf")
        if kind is None or not isinstance(members, list):
            continue
        for member in typing.cast("list[Any]", members):
            flat = resolver.flatten(member)
            branches = [resolver.flatten(b) for b in flat.get("oneOf", []) + flat.get("anyOf", [])]
            if any(b.get("type", "object" if "properties" in b else kind) != kind for b in branches):
                node.pop("type")
                dropped += 1
                break
    return dropped


def encode_discriminators(spec: dict[str, Any]) -> int:
    """Give each discriminated branch an ``enum`` on the discriminator property.

    JSON Schema validators (Prism's ajv) ignore OpenAPI's ``discriminator``, and
    the branches overlap (``{ancestorScopeType: "inferred"}`` fits two of them),
    so ``oneOf`` fails. The enum says in JSON Schema what the mapping says.
    """
    resolver = SchemaResolver(spec)
    encoded = 0
    for node in list(_walk(spec)):
        discriminator = node.get("discriminator")
        if not isinstance(discriminator, dict):
            continue
        prop = str(discriminator["propertyName"])
        for key, target in dict(discriminator.get("mapping", {})).items():
            branch = resolver.deref({"$ref": target})
            properties = branch.setdefault("properties", {})
            if prop in properties:
                properties[prop] = {"allOf": [properties[prop]], "enum": [key]}
                encoded += 1
    return encoded


def nullable_beside_all_of(spec: dict[str, Any]) -> int:
    """``{nullable: true, allOf: [X]}`` -> ``{nullable: true, anyOf: [{allOf: [X]}, null]}``.

    The spec marks optional references as nullable next to an ``allOf`` (e.g.
    ``ElementInstanceResult.incidentKey``, ``ProcessInstanceResult.businessId``,
    ``ActivatedJobResult.userTask``): it means "X or null", and the official clients read
    it so, but for a JSON Schema validator the ``allOf`` still rejects null. The minimal
    responses of the contract tests leave optional fields out; a real server, and the test
    kit (tests/fidelity), answer null there.
    """
    changed = 0
    for node in list(_walk(spec)):
        if node.get("nullable") is True and isinstance(node.get("allOf"), list) and "anyOf" not in node:
            node["anyOf"] = [{"allOf": node.pop("allOf")}, {"nullable": True, "enum": [None]}]
            changed += 1
    return changed


def prepare_for_openapi_core(spec: Mapping[str, Any]) -> tuple[dict[str, Any], Normalisation]:
    """A copy openapi-core can load and a correct request can pass (see docs/contract-tests.md).

    Only the documented rewrites: Python-compatible ``\\p{...}`` patterns, closed
    ``allOf`` objects merged, undiscriminated ``oneOf`` as ``anyOf``, a ``type`` that
    contradicts the union beside it removed, discriminator mappings as enums, ``nullable``
    beside ``allOf`` as "or null".
    """
    prepared = copy.deepcopy(dict(spec))
    normalisation = Normalisation(
        patterns=python_compatible_patterns(prepared),
        merged_all_of=merge_closed_all_of(prepared),
        one_of_to_any_of=one_of_without_discriminator_to_any_of(prepared),
        dropped_types=drop_type_beside_union(prepared),
        encoded_discriminators=encode_discriminators(prepared),
        nullable_all_of=nullable_beside_all_of(prepared),
    )
    return prepared, normalisation


def prepare_for_prism(spec: Mapping[str, Any]) -> tuple[dict[str, Any], Normalisation]:
    """A copy Prism serves correctly (see docs/contract-tests.md for why each change).

    - the same documented rewrites as for openapi-core (:func:`prepare_for_openapi_core`):
      Prism's ajv has the same view of ``oneOf``/``allOf`` and cannot generate
      values for a ``\\p{L}`` pattern (it flags its own responses);
    - paths prefixed with ``/v2`` (Prism ignores the server URL's base path);
    - ``security`` removed globally and per operation (Prism only checks that
      ``Authorization`` is present, which says nothing about our client);
    - multipart request schemas replaced with ``{}`` (Prism crashes on a part
      without a Content-Type); multipart requests are validated in process instead.
    """
    prepared, normalisation = prepare_for_openapi_core(spec)
    prepared.pop("security", None)
    prepared["servers"] = [{"url": "/"}]
    new_paths: dict[str, Any] = {}
    for path, item in prepared["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op.pop("security", None)
            content = op.get("requestBody", {}).get("content", {})
            for media_type, media in content.items():
                if media_type.startswith("multipart/"):
                    media["schema"] = {}
                    media.pop("encoding", None)
        new_paths["/v2" + path] = item
    prepared["paths"] = new_paths
    return prepared, normalisation


def write_json(data: Any, path: Path) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
