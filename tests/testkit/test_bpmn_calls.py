"""Call activities: a child instance of the latest version of the called process, with
variables passed both ways, cancellation and errors crossing the boundary."""

from __future__ import annotations

import httpx

from camunda_testkit import FakeCluster

from .conftest import activate
from .test_bpmn_semantics import flow, process, task


def call(element_id: str, process_id: str, attributes: str = "", extra: str = "") -> str:
    return (
        f'<bpmn:callActivity id="{element_id}"><bpmn:extensionElements>'
        f'<zeebe:calledElement processId="{process_id}" {attributes}/>{extra}'
        "</bpmn:extensionElements></bpmn:callActivity>"
    )


CHILD = process('<bpmn:startEvent id="cs"/>' + task("child-work", "child-work"), "child")


def _complete(http: httpx.Client, job_type: str, variables: dict[str, object]) -> dict[str, object]:
    (job,) = activate(http, job_type, max_jobs=1)
    assert http.post(f"/jobs/{job['jobKey']}/completion", json={"variables": variables}).status_code == 204
    return job


def test_a_call_activity_runs_the_child_and_moves_on(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(CHILD)
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + call("call", "child") + task("after", "after")))
    key = cluster.create_process_instance("p", {"order": "A"}).process_instance_key
    (child,) = cluster.instances(process_definition_id="child")
    wire = http.get(f"/process-instances/{child.process_instance_key}").json()
    assert wire["parentProcessInstanceKey"] == key and wire["rootProcessInstanceKey"] == key
    call_key = next(e["elementInstanceKey"] for e in cluster.element_instances(key) if e["elementId"] == "call")
    assert wire["parentElementInstanceKey"] == call_key
    job = _complete(http, "child-work", {"total": 7})
    assert job["variables"] == {"order": "A"}
    assert cluster.instance(child.process_instance_key).state == "COMPLETED"
    assert cluster.instance(key).variables == {"order": "A", "total": 7}
    assert [j.job_type for j in cluster.jobs("ACTIVATABLE", process_instance_key=key)] == ["after"]


def test_mappings_and_propagation_flags(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(CHILD)
    io = ('<zeebe:ioMapping><zeebe:input source="=order" target="id"/>'
          '<zeebe:output source="=total * 2" target="doubled"/></zeebe:ioMapping>')  # fmt: skip
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>' + call("call", "=target", 'propagateAllParentVariables="false"', io)
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"order": "B", "target": "child", "secret": 1}).process_instance_key
    job = _complete(http, "child-work", {"total": 4})
    assert job["variables"] == {"id": "B"}
    assert cluster.instance(key).variables == {"order": "B", "target": "child", "secret": 1, "doubled": 8}
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + call("call", "child", 'propagateAllChildVariables="false"'), "q"))
    quiet = cluster.create_process_instance("q", {"n": 1}).process_instance_key
    _complete(http, "child-work", {"total": 4})
    assert cluster.instance(quiet).state == "COMPLETED"
    assert cluster.instance(quiet).variables == {"n": 1}


def test_cancelling_the_parent_cancels_the_child(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(CHILD)
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + call("call", "child")))
    key = cluster.create_process_instance("p").process_instance_key
    (child,) = cluster.instances(process_definition_id="child")
    refused = http.post(f"/process-instances/{child.process_instance_key}/cancellation", json={})
    assert refused.status_code == 400
    assert http.post(f"/process-instances/{key}/cancellation", json={}).status_code == 204
    assert cluster.instance(child.process_instance_key).state == "TERMINATED"
    assert [j.state for j in cluster.jobs(job_type="child-work")] == ["CANCELED"]


def test_an_error_in_the_child_reaches_the_call_activity_boundary(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(CHILD)
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>' + call("call", "child")
        + '<bpmn:boundaryEvent id="failed" attachedToRef="call"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>'
        + task("handle", "handle") + '<bpmn:endEvent id="e"/>'
        + flow("s", "call") + flow("call", "e") + flow("failed", "handle")
    ))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    (job,) = activate(http, "child-work")
    assert http.post(f"/jobs/{job['jobKey']}/error", json={"errorCode": "BOOM"}).status_code == 204
    (child,) = cluster.instances(process_definition_id="child")
    assert child.state == "TERMINATED"
    assert [j.job_type for j in cluster.jobs("ACTIVATABLE", process_instance_key=key)] == ["handle"]


def test_a_missing_process_is_an_incident_and_latest_version_is_called(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + call("call", "child")))
    key = cluster.create_process_instance("p").process_instance_key
    (incident,) = cluster.incidents(key)
    assert incident["errorType"] == "CALLED_ELEMENT_ERROR"
    cluster.deploy_bpmn(CHILD)
    cluster.deploy_bpmn(CHILD)
    assert http.post(f"/incidents/{incident['incidentKey']}/resolution").status_code == 204
    (child,) = cluster.instances(process_definition_id="child")
    assert child.version == 2


def test_multi_instance_call_activity(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(CHILD)
    loop = ('<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics '
            'inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=total"/>'
            "</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>")  # fmt: skip
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements>'
        # As in Zeebe, an output mapping keeps the child's copy of "results" out of the body.
        '<zeebe:calledElement processId="child"/><zeebe:ioMapping><zeebe:output source="=total" '
        f'target="total"/></zeebe:ioMapping></bpmn:extensionElements>{loop}</bpmn:callActivity>'
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"items": [1, 2]}).process_instance_key
    for job in activate(http, "child-work"):
        http.post(f"/jobs/{job['jobKey']}/completion", json={"variables": {"total": job["variables"]["item"] * 3}})
    view = cluster.instance(key)
    assert view.state == "COMPLETED" and view.variables["results"] == [3, 6]
