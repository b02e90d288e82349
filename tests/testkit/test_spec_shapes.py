"""Responses of the fake cluster validated against the 8.9 spec's response schemas.

A small structural validator (types, required, nullable, enums, key patterns,
allOf/oneOf/anyOf) over the bundled spec; skipped when the spec is not present.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from camunda_testkit import FakeCluster

from .conftest import TWO_TASK_BPMN, activate, deploy, start_instance

_ROOT = Path(__file__).resolve().parents[2]
_SPEC_DIR = Path(os.environ.get("CAMUNDA_SPEC_DIR", _ROOT.parent / "shared/spec/camunda-8.9"))
_SPEC_FILE = _SPEC_DIR / "rest-api.bundle.json"

pytestmark = pytest.mark.skipif(not _SPEC_FILE.exists(), reason=f"no spec at {_SPEC_FILE}")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return json.loads(_SPEC_FILE.read_text(encoding="utf-8"))


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def _errors(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    schema = _resolve(spec, schema)
    if value is None:
        nullable = schema.get("nullable") or any(
            _resolve(spec, s).get("nullable") for s in schema.get("allOf", [])
        )
        return [] if nullable else [f"{where}: null is not allowed"]
    problems: list[str] = []
    for part in schema.get("allOf", []):
        problems += _errors(spec, part, value, where)
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema and all(_errors(spec, s, value, where) for s in schema[keyword]):
            problems.append(f"{where}: matches none of {keyword}")
    kind = schema.get("type")
    is_bool_number = kind in ("integer", "number") and isinstance(value, bool)
    if kind in _TYPES and (not isinstance(value, _TYPES[kind]) or is_bool_number):
        return [*problems, f"{where}: expected {kind}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    pattern = schema.get("pattern")
    if (
        isinstance(value, str)
        and pattern
        and "\\p" not in pattern
        and not re.search(pattern, value)
    ):
        problems.append(f"{where}: {value!r} does not match {pattern}")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}: missing required {name!r}")
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                problems += _errors(spec, sub, value[name], f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += _errors(spec, schema["items"], item, f"{where}[{index}]")
    return problems


def _check(spec: dict[str, Any], response: httpx.Response, path: str, method: str = "post") -> None:
    operation = spec["paths"][path][method]
    declared = operation["responses"][str(response.status_code)]
    content = declared.get("content", {})
    if not content:
        assert response.content == b""
        return
    media_type = response.headers["content-type"]
    assert media_type in content, f"{path}: {media_type} not declared for {response.status_code}"
    schema = content[media_type]["schema"]
    problems = _errors(spec, schema, response.json(), f"{method.upper()} {path}")
    assert problems == []


def test_success_responses_fit_the_spec(
    spec: dict[str, Any], cluster: FakeCluster, http: httpx.Client
) -> None:
    deployment = http.post(
        "/deployments", files=[("resources", ("order.bpmn", TWO_TASK_BPMN.encode(), "text/xml"))]
    )
    _check(spec, deployment, "/deployments")
    definition_key = deployment.json()["deployments"][0]["processDefinition"][
        "processDefinitionKey"
    ]
    _check(
        spec,
        http.get(f"/process-definitions/{definition_key}"),
        "/process-definitions/{processDefinitionKey}",
        "get",
    )
    _check(spec, http.post("/process-definitions/search", json={}), "/process-definitions/search")
    created = http.post(
        "/process-instances", json={"processDefinitionKey": definition_key, "tags": ["vip"]}
    )
    _check(spec, created, "/process-instances")
    instance_key = created.json()["processInstanceKey"]
    _check(
        spec,
        http.get(f"/process-instances/{instance_key}"),
        "/process-instances/{processInstanceKey}",
        "get",
    )
    _check(
        spec,
        http.post("/process-instances/search", json={"page": {"limit": 1}}),
        "/process-instances/search",
    )
    activation = http.post(
        "/jobs/activation",
        json={"type": "charge", "maxJobsToActivate": 1, "timeout": 1000, "requestTimeout": -1},
    )
    _check(spec, activation, "/jobs/activation")
    assert activation.json()["jobs"]
    _check(spec, http.post("/jobs/search", json={}), "/jobs/search")
    _check(spec, http.get("/topology"), "/topology", "get")
    _check(spec, http.post("/messages/publication", json={"name": "m"}), "/messages/publication")
    document = http.post("/documents", files={"file": ("a.txt", b"a", "text/plain")})
    _check(spec, document, "/documents")
    job_key = activation.json()["jobs"][0]["jobKey"]
    _check(spec, http.post(f"/jobs/{job_key}/completion"), "/jobs/{jobKey}/completion")


def test_error_responses_fit_the_spec(spec: dict[str, Any], http: httpx.Client) -> None:
    deploy(http)
    start_instance(http)
    (job,) = activate(http, "charge")
    http.post(f"/jobs/{job['jobKey']}/failure", json={"retries": 0})
    _check(spec, http.post(f"/jobs/{job['jobKey']}/completion"), "/jobs/{jobKey}/completion")
    _check(spec, http.post("/jobs/1/completion"), "/jobs/{jobKey}/completion")
    _check(
        spec,
        http.post("/process-instances", json={"processDefinitionKey": 1}),
        "/process-instances",
    )
    _check(spec, http.post("/messages/correlation", json={"name": "x"}), "/messages/correlation")
    _check(
        spec,
        http.post("/deployments", files=[("resources", ("x.bpmn", b"<", "text/xml"))]),
        "/deployments",
    )
