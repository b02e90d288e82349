"""Every response of the fake cluster's routes, validated against the 8.9 spec.

The test kit writes its JSON answers by hand (it must not depend on the SDK's
generated models), so this is what keeps them true to the spec: each route's
success answer and the problem documents go through a small structural validator
(types, required, nullable, enums, key patterns, allOf/oneOf/anyOf) over the
bundled spec. Skipped when the spec is not present.
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
from camunda_testkit.routes import build_router

from .conftest import DMN, MESSAGE_START_BPMN, TWO_TASK_BPMN, activate, deploy, start_instance

_ROOT = Path(__file__).resolve().parents[2]
_SPEC_DIR = Path(os.environ.get("CAMUNDA_SPEC_DIR", _ROOT.parent / "shared/spec/camunda-8.9"))
_SPEC_FILE = _SPEC_DIR / "rest-api.bundle.json"

pytestmark = pytest.mark.skipif(not _SPEC_FILE.exists(), reason=f"no spec at {_SPEC_FILE}")

# A process without job tasks completes as soon as it starts.
NO_TASK_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d3">
  <bpmn:process id="instant" isExecutable="true"><bpmn:startEvent id="start"/></bpmn:process>
</bpmn:definitions>
"""


USER_TASK_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d4">
  <bpmn:process id="review" name="Review" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="check" name="Check">
      <bpmn:extensionElements><zeebe:userTask/>
        <zeebe:assignmentDefinition candidateGroups="ops"/>
        <zeebe:taskSchedule dueDate="2030-01-01T10:00:00Z"/>
      </bpmn:extensionElements>
    </bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>
"""


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


class SpecShapes:
    """Checks responses against what the spec declares for their operation and status,
    remembering which operations have answered successfully."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.succeeded: set[str] = set()

    def check(self, response: httpx.Response, path: str, method: str = "post") -> httpx.Response:
        where = f"{method.upper()} {path} -> {response.status_code}"
        operation = self.spec["paths"][path][method]
        declared = operation["responses"].get(str(response.status_code))
        assert declared is not None, f"{where}: status not declared ({response.text})"
        content = declared.get("content", {})
        if not content:
            assert response.content == b"", where
        else:
            media_type = response.headers["content-type"]
            assert media_type in content, f"{where}: {media_type} not declared"
            schema = content[media_type]["schema"]
            if "json" in media_type:
                assert _errors(self.spec, schema, response.json(), where) == []
            else:  # text/xml or bytes: the spec declares a plain string
                assert _resolve(self.spec, schema).get("type") == "string", where
        if response.is_success:
            self.succeeded.add(operation["operationId"])
        return response


@pytest.fixture
def shapes(spec: dict[str, Any]) -> SpecShapes:
    return SpecShapes(spec)


def test_every_route_answers_successfully_in_a_declared_shape(
    shapes: SpecShapes, cluster: FakeCluster, http: httpx.Client
) -> None:
    check = shapes.check
    check(http.get("/topology"), "/topology", "get")
    check(http.get("/status"), "/status", "get")

    # One deployment of every kind of resource: process, decisions, form.
    deployment = check(
        http.post(
            "/deployments",
            files=[
                ("resources", ("order.bpmn", TWO_TASK_BPMN.encode(), "text/xml")),
                ("resources", ("on-order.bpmn", MESSAGE_START_BPMN.encode(), "text/xml")),
                ("resources", ("instant.bpmn", NO_TASK_BPMN.encode(), "text/xml")),
                ("resources", ("dish.dmn", DMN.encode(), "text/xml")),
                ("resources", ("order.form", b'{"id": "order-form"}', "application/json")),
            ],
        ),
        "/deployments",
    ).json()
    kinds = {kind for entry in deployment["deployments"] for kind, v in entry.items() if v}
    assert kinds == {"processDefinition", "decisionRequirements", "decisionDefinition", "form"}
    definition_key = deployment["deployments"][0]["processDefinition"]["processDefinitionKey"]
    definition_path = "/process-definitions/{processDefinitionKey}"
    check(http.get(f"/process-definitions/{definition_key}"), definition_path, "get")
    check(http.get(f"/process-definitions/{definition_key}/xml"), f"{definition_path}/xml", "get")
    check(
        http.post("/process-definitions/search", json={"filter": {"isLatestVersion": True}}),
        "/process-definitions/search",
    )

    # Instances: created by key, awaited to completion, and cancelled.
    created = check(
        http.post(
            "/process-instances",
            json={
                "processDefinitionKey": definition_key,
                "variables": {"orderId": "A-1"},
                "tags": ["vip"],
                "businessId": "order-1",
            },
        ),
        "/process-instances",
    ).json()
    instance_key = created["processInstanceKey"]
    check(
        http.get(f"/process-instances/{instance_key}"),
        "/process-instances/{processInstanceKey}",
        "get",
    )
    awaited = check(
        http.post(
            "/process-instances",
            json={
                "processDefinitionId": "instant",
                "variables": {"done": True},
                "awaitCompletion": True,
            },
        ),
        "/process-instances",
    ).json()
    assert awaited["variables"] == {"done": True}
    to_cancel = start_instance(http)
    check(
        http.post(f"/process-instances/{to_cancel}/cancellation"),
        "/process-instances/{processInstanceKey}/cancellation",
    )

    # Jobs through every command, so the search below reports many states.
    job_path = "/jobs/{jobKey}"
    activation = check(
        http.post(
            "/jobs/activation",
            json={
                "type": "charge",
                "maxJobsToActivate": 1,
                "timeout": 60_000,
                "requestTimeout": -1,
            },
        ),
        "/jobs/activation",
    ).json()
    (first,) = activation["jobs"]
    check(
        http.patch(f"/jobs/{first['jobKey']}", json={"changeset": {"retries": 2, "timeout": 9000}}),
        job_path,
        "patch",
    )
    check(
        http.post(f"/jobs/{first['jobKey']}/failure", json={"retries": 1, "errorMessage": "x"}),
        f"{job_path}/failure",
    )
    (again,) = activate(http, "charge", max_jobs=1)
    check(http.post(f"/jobs/{again['jobKey']}/completion"), f"{job_path}/completion")
    failing = start_instance(http)
    (failed,) = activate(http, "charge", max_jobs=1)
    assert failed["processInstanceKey"] == failing
    check(
        http.post(f"/jobs/{failed['jobKey']}/error", json={"errorCode": "NO_STOCK"}),
        f"{job_path}/error",
    )
    start_instance(http)
    (incident,) = activate(http, "charge", max_jobs=1)
    http.post(f"/jobs/{incident['jobKey']}/failure", json={"retries": 0})
    start_instance(http)
    activate(http, "charge", max_jobs=1, timeout=1)
    cluster.wait_for(lambda c: c.stats.timeouts == 1, description="a job timeout")
    newest = start_instance(http)
    (updated,) = cluster.jobs("ACTIVATABLE", "charge", process_instance_key=newest)
    http.patch(f"/jobs/{updated.job_key}", json={"changeset": {"retries": 5}})
    jobs = check(http.post("/jobs/search", json={}), "/jobs/search").json()
    states = {item["state"] for item in jobs["items"]}
    assert states == {
        "CREATED",
        "COMPLETED",
        "CANCELED",
        "ERROR_THROWN",
        "FAILED",
        "TIMED_OUT",
        "RETRIES_UPDATED",
    }
    instances = check(
        http.post("/process-instances/search", json={}), "/process-instances/search"
    ).json()
    assert {item["state"] for item in instances["items"]} == {"ACTIVE", "COMPLETED", "TERMINATED"}

    # Incidents (the job failed without retries above), element instances and variables.
    incidents = check(
        http.post("/incidents/search", json={"filter": {"errorType": "JOB_NO_RETRIES"}}),
        "/incidents/search",
    ).json()
    (no_retries,) = incidents["items"]
    incident_path = "/incidents/{incidentKey}"
    check(http.get(f"/incidents/{no_retries['incidentKey']}"), incident_path, "get")
    http.patch(f"/jobs/{no_retries['jobKey']}", json={"changeset": {"retries": 1}})
    check(
        http.post(f"/incidents/{no_retries['incidentKey']}/resolution"),
        f"{incident_path}/resolution",
    )
    assert cluster.job(no_retries["jobKey"]).state == "ACTIVATABLE"
    elements = check(
        http.post("/element-instances/search", json={"filter": {"processInstanceKey": instance_key}}),
        "/element-instances/search",
    ).json()
    assert [item["elementId"] for item in elements["items"]] == [
        "order-process", "start", "charge-card", "ship-parcel"
    ]
    element_path = "/element-instances/{elementInstanceKey}"
    charge = elements["items"][2]["elementInstanceKey"]
    check(http.get(f"/element-instances/{charge}"), element_path, "get")
    check(
        http.put(f"/element-instances/{instance_key}/variables", json={"variables": {"n": 1}}),
        f"{element_path}/variables",
        "put",
    )
    variables = check(
        http.post("/variables/search", json={"filter": {"processInstanceKey": instance_key}}),
        "/variables/search",
    ).json()
    assert [(v["name"], v["value"]) for v in variables["items"]] == [
        ("orderId", '"A-1"'),
        ("n", "1"),
    ]

    # User tasks: created by a process, then every command and the searches.
    http.post("/deployments", files=[("resources", ("review.bpmn", USER_TASK_BPMN.encode(), "text/xml"))])
    reviewed = http.post("/process-instances", json={"processDefinitionId": "review"}).json()[
        "processInstanceKey"
    ]
    user_tasks = check(
        http.post("/user-tasks/search", json={"filter": {"processInstanceKey": reviewed}}),
        "/user-tasks/search",
    ).json()
    user_task_key = user_tasks["items"][0]["userTaskKey"]
    user_task_path = "/user-tasks/{userTaskKey}"
    check(http.get(f"/user-tasks/{user_task_key}"), user_task_path, "get")
    check(
        http.post(f"/user-tasks/{user_task_key}/assignment", json={"assignee": "anna"}),
        f"{user_task_path}/assignment",
    )
    check(http.delete(f"/user-tasks/{user_task_key}/assignee"), f"{user_task_path}/assignee", "delete")
    check(
        http.patch(f"/user-tasks/{user_task_key}", json={"changeset": {"priority": 7}}),
        user_task_path,
        "patch",
    )
    check(
        http.post(f"/user-tasks/{user_task_key}/variables/search", json={}),
        f"{user_task_path}/variables/search",
    )
    check(
        http.post(f"/user-tasks/{user_task_key}/completion", json={"variables": {"ok": True}}),
        f"{user_task_path}/completion",
    )
    check(http.get(f"/user-tasks/{user_task_key}"), user_task_path, "get")  # COMPLETED

    # Messages: one only recorded, one starting an instance.
    check(http.post("/messages/publication", json={"name": "m"}), "/messages/publication")
    correlated = check(
        http.post("/messages/correlation", json={"name": "order-received"}),
        "/messages/correlation",
    ).json()
    assert correlated["processInstanceKey"]

    # Documents. The spec declares only application/octet-stream for a download; the fake
    # serves an upload with the content type it was uploaded with, so this one has none.
    document = check(
        http.post("/documents", files={"file": ("a.bin", b"\x00\x01")}), "/documents"
    ).json()
    document_path = "/documents/{documentId}"
    check(http.get(f"/documents/{document['documentId']}"), document_path, "get")
    check(http.delete(f"/documents/{document['documentId']}"), document_path, "delete")

    routed = {route.operation for route in build_router().routes}
    assert routed - shapes.succeeded == set(), "routes whose success shape is not checked here"


def test_error_responses_fit_the_spec(
    shapes: SpecShapes, cluster: FakeCluster, http: httpx.Client
) -> None:
    check = shapes.check
    deploy(http)
    start_instance(http)
    (job,) = activate(http, "charge")
    http.post(f"/jobs/{job['jobKey']}/failure", json={"retries": 0})
    check(http.post(f"/jobs/{job['jobKey']}/completion"), "/jobs/{jobKey}/completion")  # 409
    check(http.post("/jobs/1/completion"), "/jobs/{jobKey}/completion")  # 404
    check(http.post("/incidents/1/resolution"), "/incidents/{incidentKey}/resolution")  # 404
    check(http.get("/incidents/1"), "/incidents/{incidentKey}", "get")  # 404
    check(http.patch("/jobs/1", json={}), "/jobs/{jobKey}", "patch")  # 400
    check(
        http.post("/process-instances", json={"processDefinitionKey": 1}),
        "/process-instances",
    )  # 400
    check(
        http.post("/process-instances", content=b"{", headers={"content-type": "application/json"}),
        "/process-instances",
    )  # 400, not JSON
    check(
        http.post(
            "/process-instances",
            json={
                "processDefinitionId": "order-process",
                "awaitCompletion": True,
                "requestTimeout": 1,
            },
        ),
        "/process-instances",
    )  # 504
    check(http.post("/messages/correlation", json={"name": "x"}), "/messages/correlation")  # 404
    check(
        http.post("/deployments", files=[("resources", ("x.bpmn", b"<", "text/xml"))]),
        "/deployments",
    )  # 400
    check(
        http.post("/documents", content=b"x", headers={"content-type": "text/plain"}),
        "/documents",
    )  # 415
    check(http.get("/documents/missing"), "/documents/{documentId}", "get")  # 404
    check(http.get("/user-tasks/1"), "/user-tasks/{userTaskKey}", "get")  # 404
    check(http.post("/user-tasks/1/completion"), "/user-tasks/{userTaskKey}/completion")  # 404
    check(http.patch("/user-tasks/1", json={"changeset": {"priority": 500}}),
          "/user-tasks/{userTaskKey}", "patch")  # 400
    # Answers of the fault injector, not of a route.
    cluster.faults.backpressure("activateJobs", times=1)
    check(
        http.post("/jobs/activation", json={"type": "a", "maxJobsToActivate": 1, "timeout": 1}),
        "/jobs/activation",
    )  # 503
    cluster.faults.unauthorized(times=1)
    check(http.get("/topology"), "/topology", "get")  # 401
