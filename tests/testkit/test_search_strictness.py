"""Search routes honour a filter or sort field, or reject it with a 400 naming it: never
silently ignored. The honoured fields are one declared table per route (``SEARCHES``), which
docs/testkit.md lists."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from camunda_testkit import FakeCluster
from camunda_testkit.routes import build_router
from camunda_testkit.routes.search import SEARCHES, render_search_table

from .conftest import TWO_TASK_BPMN, activate, deploy, start_instance

_ROOT = Path(__file__).resolve().parents[2]
_SPEC_FILE = Path(os.environ.get("CAMUNDA_SPEC_DIR", _ROOT.parent / "shared/spec/camunda-8.9")) / (
    "rest-api.bundle.json"
)

_SEARCH_PATHS = {
    "searchProcessInstances": "/process-instances/search",
    "searchJobs": "/jobs/search",
    "searchIncidents": "/incidents/search",
    "searchElementInstances": "/element-instances/search",
    "searchVariables": "/variables/search",
    "searchProcessDefinitions": "/process-definitions/search",
    "searchUserTasks": "/user-tasks/search",
}


def _problem(answer: httpx.Response) -> str:
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["title"] == "INVALID_ARGUMENT"
    return problem["detail"]


def test_an_unmodelled_filter_field_is_a_400_naming_it(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    for _ in range(3):
        start_instance(http)
    answer = http.post("/process-instances/search", json={"filter": {"elementId": "no-such-element"}})
    assert _problem(answer) == (
        "unsupported filter field 'elementId' for searchProcessInstances (the test kit does not model it)"
    )
    # Inside $or too, and for made-up names.
    answer = http.post(
        "/process-instances/search", json={"filter": {"$or": [{"state": "ACTIVE"}, {"variables": []}]}}
    )
    assert "unsupported filter field 'variables' for searchProcessInstances" in _problem(answer)
    assert "'colour'" in _problem(http.post("/jobs/search", json={"filter": {"colour": "red"}}))


def test_an_unmodelled_sort_field_is_a_400_naming_it(http: httpx.Client) -> None:
    answer = http.post("/incidents/search", json={"sort": [{"field": "errorHashCode"}]})
    assert _problem(answer) == (
        "unsupported sort field 'errorHashCode' for searchIncidents (the test kit does not model it)"
    )


def test_process_instance_filters(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    first = start_instance(http)
    second = start_instance(http)
    other = cluster.deploy_bpmn(TWO_TASK_BPMN.replace('id="order-process"', 'id="other-process"'))
    third = cluster.create_process_instance("other-process").process_instance_key
    http.post(f"/process-instances/{second}/cancellation")

    def keys(filter_: dict[str, Any], **extra: Any) -> list[str]:
        answer = http.post("/process-instances/search", json={"filter": filter_, **extra})
        assert answer.status_code == 200, answer.text
        return [item["processInstanceKey"] for item in answer.json()["items"]]

    assert keys({"processDefinitionId": "order-process"}) == [first, second]
    assert keys({"processDefinitionKey": other.process_definition_key}) == [third]
    assert keys({"state": "TERMINATED"}) == [second]
    assert keys({"state": {"$in": ["ACTIVE", "TERMINATED"]}}) == [first, second, third]
    assert keys({"processInstanceKey": {"$neq": first}}) == [second, third]
    assert keys({"processDefinitionId": {"$like": "other-*"}}) == [third]
    assert keys({"hasIncident": True}) == []
    assert keys({"tenantId": "<default>", "parentProcessInstanceKey": {"$exists": False}}) == [first, second, third]
    assert keys({"endDate": {"$exists": True}}) == [second]
    started = cluster.instance(first)
    assert started.state == "ACTIVE"
    # Date ranges compare as instants, whatever the offset notation.
    assert keys({"startDate": {"$gte": "2000-01-01T00:00:00Z", "$lt": "2999-01-01T00:00:00+01:00"}}) == [
        first, second, third,
    ]
    assert keys({"startDate": {"$gt": "2999-01-01T00:00:00.000Z"}}) == []
    assert keys({}, sort=[{"field": "processDefinitionId", "order": "DESC"}])[0] == third


def test_job_filters(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    key = start_instance(http)
    start_instance(http)
    [job] = activate(http, "charge", max_jobs=1, worker="w-1")

    def keys(filter_: dict[str, Any]) -> list[str]:
        answer = http.post("/jobs/search", json={"filter": filter_})
        assert answer.status_code == 200, answer.text
        return [item["jobKey"] for item in answer.json()["items"]]

    assert keys({"worker": "w-1"}) == [job["jobKey"]]
    assert keys({"type": "charge", "processInstanceKey": key}) == [job["jobKey"]]
    assert keys({"elementId": "charge-card", "state": "CREATED"}) != [job["jobKey"]]
    assert len(keys({"elementId": "charge-card"})) == 2
    assert keys({"retries": {"$gte": 4}}) == []


def test_every_spec_filter_field_is_honoured_or_rejected(cluster: FakeCluster, http: httpx.Client) -> None:
    """Send each filter field the spec lists for each declared route: 200 if the table
    honours it, else the 400 naming it."""
    if not _SPEC_FILE.exists():
        pytest.skip(f"no spec at {_SPEC_FILE}")
    spec = json.loads(_SPEC_FILE.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = schemas[schema["$ref"].split("/")[-1]]
        return schema

    def properties(schema: dict[str, Any]) -> dict[str, Any]:
        schema = resolve(schema)
        found: dict[str, Any] = {}
        for part in schema.get("allOf", []):
            found.update(properties(part))
        found.update(schema.get("properties", {}))
        return found

    operations = {
        op["operationId"]: op
        for methods in spec["paths"].values()
        for op in methods.values()
        if isinstance(op, dict) and "operationId" in op
    }
    deploy(http)
    start_instance(http)
    for operation, path in _SEARCH_PATHS.items():
        table = SEARCHES[operation]
        body = properties(operations[operation]["requestBody"]["content"]["application/json"]["schema"])
        for name in properties(body["filter"]):
            condition: Any = [{"tenantId": "<default>"}] if name == "$or" else {"$exists": True}
            answer = http.post(path, json={"filter": {name: condition}})
            if name in table.filters or (name == "$or" and table.allow_or):
                assert answer.status_code == 200, (operation, name, answer.text)
            else:
                assert f"unsupported filter field '{name}' for {operation}" in _problem(answer)
        sort_fields = resolve(properties(resolve(body["sort"])["items"])["field"]).get("enum", [])
        for name in sort_fields:
            answer = http.post(path, json={"sort": [{"field": name}]})
            if name in table.sort:
                assert answer.status_code == 200, (operation, name, answer.text)
            else:
                assert f"unsupported sort field '{name}'" in _problem(answer)


def test_every_search_route_declares_its_table() -> None:
    searches = {r.operation for r in build_router().routes if r.operation.startswith("search")}
    assert set(_SEARCH_PATHS) <= searches
    assert set(_SEARCH_PATHS) <= set(SEARCHES)


def test_docs_list_the_honoured_search_fields() -> None:
    docs = (_ROOT / "docs" / "testkit.md").read_text(encoding="utf-8")
    section = docs.split("<!-- search-fields:start -->\n")[1].split("<!-- search-fields:end -->")[0]
    assert section.strip() == render_search_table()
