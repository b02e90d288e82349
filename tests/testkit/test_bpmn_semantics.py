"""BPMN semantics of the test kit's engine: gateways, messages, mappings, scopes, errors,
incidents, and the rejection of what it does not execute."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from camunda_testkit import FakeCluster
from camunda_testkit.engine.bpmn.support import SUPPORTED

from .conftest import activate

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://e.com">'
)


def task(element_id: str, job_type: str, extra: str = "", kind: str = "serviceTask") -> str:
    return (
        f'<bpmn:{kind} id="{element_id}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}"/>{extra}</bpmn:extensionElements></bpmn:{kind}>'
    )


def flow(source: str, target: str, condition: str | None = None, flow_id: str | None = None) -> str:
    fid = flow_id or f"{source}-{target}"
    if condition is None:
        return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def process(body: str, process_id: str = "p", definitions: str = "") -> str:
    return f'{HEAD}{definitions}<bpmn:process id="{process_id}" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'


def message(message_id: str, name: str, key: str) -> str:
    return (
        f'<bpmn:message id="{message_id}" name="{name}"><bpmn:extensionElements>'
        f'<zeebe:subscription correlationKey="{key}"/></bpmn:extensionElements></bpmn:message>'
    )


SCENARIO = process(
    '<bpmn:startEvent id="start"/>'
    '<bpmn:exclusiveGateway id="amount?" default="low-flow"/>'
    + task("high", "high-review")
    + task("low", "auto-approve")
    + '<bpmn:exclusiveGateway id="merge"/>'
    '<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m-paid"/>'
    "</bpmn:intermediateCatchEvent>"
    + task("ship", "ship")
    + '<bpmn:endEvent id="end"/>'
    + flow("start", "amount?")
    + flow("amount?", "high", "=amount &gt; 100")
    + flow("amount?", "low", flow_id="low-flow")
    + flow("high", "merge")
    + flow("low", "merge")
    + flow("merge", "paid")
    + flow("paid", "ship")
    + flow("ship", "end"),
    "order",
    message("m-paid", "payment-received", "=orderId"),
)


def _types(cluster: FakeCluster, instance_key: str, state: str = "ACTIVATABLE") -> list[str]:
    return [j.job_type for j in cluster.jobs(state=state, process_instance_key=instance_key)]


def _complete(http: httpx.Client, job_type: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    (job,) = activate(http, job_type, max_jobs=1)
    answer = http.post(f"/jobs/{job['jobKey']}/completion", json={"variables": variables or {}})
    assert answer.status_code == 204, answer.text
    return job


def _publish(http: httpx.Client, name: str, key: str, ttl: int = 0, **variables: Any) -> httpx.Response:
    return http.post(
        "/messages/publication",
        json={"name": name, "correlationKey": key, "timeToLive": ttl, "variables": variables},
    )


def test_the_issue_scenario_through_the_engine(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(SCENARIO)
    high = cluster.create_process_instance("order", {"amount": 150, "orderId": "A-1"})
    low = cluster.create_process_instance("order", {"amount": 50, "orderId": "B-2"})
    assert _types(cluster, high.process_instance_key) == ["high-review"]
    assert _types(cluster, low.process_instance_key) == ["auto-approve"]
    _complete(http, "high-review", {"reviewed": True})
    _complete(http, "auto-approve")
    assert _types(cluster, high.process_instance_key) == []  # waiting for the message
    assert _publish(http, "payment-received", "other").status_code == 200
    assert _types(cluster, high.process_instance_key) == []
    assert _publish(http, "payment-received", "A-1", paidAt="noon").status_code == 200
    assert _types(cluster, high.process_instance_key) == ["ship"]
    assert _types(cluster, low.process_instance_key) == []
    job = _complete(http, "ship")
    assert job["variables"]["paidAt"] == "noon" and job["variables"]["reviewed"] is True
    assert cluster.instance(high.process_instance_key).state == "COMPLETED"
    assert cluster.instance(low.process_instance_key).state == "ACTIVE"
    visited = [e["elementId"] for e in cluster.element_instances(high.process_instance_key)]
    assert visited == ["order", "start", "amount?", "high", "merge", "paid", "ship", "end"]


def test_the_issue_scenario_through_the_sdk(camunda_cluster: FakeCluster, tmp_path: Path) -> None:
    sdk = pytest.importorskip("camunda_orchestration_sdk")
    models = pytest.importorskip("camunda_orchestration_sdk.models")
    path = tmp_path / "order.bpmn"
    path.write_text(SCENARIO)
    config = {"CAMUNDA_REST_ADDRESS": camunda_cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
    with sdk.CamundaClient(configuration=config) as client:
        client.deploy_resources_from_files([path])

        def start(amount: int, order_id: str) -> str:
            created = client.create_process_instance(
                data=models.ProcessCreationById(
                    process_definition_id="order", variables={"amount": amount, "orderId": order_id}
                )
            )
            return str(created.process_instance_key)

        def activate_one(job_type: str) -> list[Any]:
            request = models.JobActivationRequest(
                type=job_type, max_jobs_to_activate=5, timeout=30_000, request_timeout=-1
            )
            return list(client.activate_jobs(data=request).jobs)

        high = start(150, "A-1")
        assert activate_one("auto-approve") == []
        (job,) = activate_one("high-review")
        assert str(job.process_instance_key) == high
        client.complete_job(job_key=job.job_key)
        assert activate_one("ship") == []
        client.publish_message(
            data=models.MessagePublicationRequest(name="payment-received", correlation_key="A-1")
        )
        (ship,) = activate_one("ship")
        client.complete_job(job_key=ship.job_key)
        assert camunda_cluster.instance(high).state == "COMPLETED"
        low = start(50, "B-2")
        assert activate_one("high-review") == []
        (other,) = activate_one("auto-approve")
        assert str(other.process_instance_key) == low


def test_parallel_fork_and_join(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>' + task("a", "a") + task("b", "b")
        + '<bpmn:parallelGateway id="join"/>' + task("after", "after") + '<bpmn:endEvent id="e"/>'
        + flow("s", "fork") + flow("fork", "a") + flow("fork", "b") + flow("a", "join")
        + flow("b", "join") + flow("join", "after") + flow("after", "e")
    ))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    assert sorted(_types(cluster, key)) == ["a", "b"]
    _complete(http, "a", {"x": 1})
    assert _types(cluster, key) == ["b"]  # the join waits for b
    _complete(http, "b", {"y": 2})
    job = _complete(http, "after")
    assert (job["variables"]["x"], job["variables"]["y"]) == (1, 2)
    assert cluster.instance(key).state == "COMPLETED"


INCLUSIVE = process(
    '<bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="fork" default="none"/>'
    + task("a", "a") + task("b", "b") + task("c", "c")
    + '<bpmn:inclusiveGateway id="join"/>' + task("after", "after") + '<bpmn:endEvent id="e"/>'
    + flow("s", "fork") + flow("fork", "a", "=wantA") + flow("fork", "b", "=wantB")
    + flow("fork", "c", flow_id="none") + flow("a", "join") + flow("b", "join") + flow("c", "join")
    + flow("join", "after") + flow("after", "e")
)  # fmt: skip


def test_inclusive_forks_the_true_flows_and_joins_what_was_forked(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    cluster.deploy_bpmn(INCLUSIVE)
    both = cluster.create_process_instance("p", {"wantA": True, "wantB": True}).process_instance_key
    assert sorted(_types(cluster, both)) == ["a", "b"]
    _complete(http, "a")
    assert _types(cluster, both) == ["b"]
    _complete(http, "b")
    assert _types(cluster, both) == ["after"]
    one = cluster.create_process_instance("p", {"wantA": False, "wantB": True}).process_instance_key
    assert _types(cluster, one) == ["b"]
    _complete(http, "b")
    assert _types(cluster, one) == ["after"]  # nothing else can reach the join
    neither = cluster.create_process_instance("p", {}).process_instance_key
    assert _types(cluster, neither) == ["c"]  # the default flow


def test_exclusive_takes_the_first_true_flow_in_document_order(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>' + task("one", "one")
        + task("two", "two") + flow("s", "g") + flow("g", "one", "=n &gt; 1")
        + flow("g", "two", "=n &gt; 0")
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"n": 5}).process_instance_key
    assert _types(cluster, key) == ["one"]
    key = cluster.create_process_instance("p", {"n": 1}).process_instance_key
    assert _types(cluster, key) == ["two"]


def test_no_flow_taken_is_an_incident(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>' + task("one", "one")
        + flow("s", "g") + flow("g", "one", "=n &gt; 1")
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"n": 0}).process_instance_key
    view = cluster.instance(key)
    assert (view.state, view.has_incident) == ("ACTIVE", True)
    (incident,) = cluster.incidents(key)
    assert (incident["errorType"], incident["elementId"], incident["state"]) == (
        "CONDITION_ERROR", "g", "ACTIVE")  # fmt: skip
    assert "no outgoing sequence flow of exclusiveGateway 'g' was taken" in incident["errorMessage"]


def test_resolving_an_incident_runs_the_failed_step_again(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>' + task("one", "one")
        + flow("s", "g") + flow("g", "one", "=n &gt; 1")
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"n": 0}).process_instance_key
    (incident,) = cluster.incidents(key)
    search = http.post("/incidents/search", json={"filter": {"processInstanceKey": key}}).json()
    assert [i["incidentKey"] for i in search["items"]] == [incident["incidentKey"]]
    assert http.put(f"/element-instances/{key}/variables", json={"variables": {"n": 5}}).status_code == 204
    assert http.post(f"/incidents/{incident['incidentKey']}/resolution").status_code == 204
    assert _types(cluster, key) == ["one"]
    assert not cluster.instance(key).has_incident
    assert cluster.incidents(key)[0]["state"] == "RESOLVED"
    again = http.post(f"/incidents/{incident['incidentKey']}/resolution")
    assert again.status_code == 404


def test_resolving_a_job_incident_after_updating_retries(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(ERRORS)
    key = cluster.create_process_instance("p").process_instance_key
    (job,) = activate(http, "charge")
    http.post(f"/jobs/{job['jobKey']}/failure", json={"retries": 0, "errorMessage": "down"})
    (incident,) = cluster.incidents(key)
    http.post(f"/incidents/{incident['incidentKey']}/resolution")
    assert cluster.job(job["jobKey"]).state == "FAILED"  # no retries: raised again
    assert [i["state"] for i in cluster.incidents(key)] == ["RESOLVED", "ACTIVE"]
    http.patch(f"/jobs/{job['jobKey']}", json={"changeset": {"retries": 2}})
    http.post(f"/incidents/{cluster.incidents(key)[1]['incidentKey']}/resolution")
    _complete(http, "charge")
    _complete(http, "ok")
    assert cluster.instance(key).state == "COMPLETED"


def test_variables_search_shows_scopes(cluster: FakeCluster, http: httpx.Client) -> None:
    io = '<zeebe:ioMapping><zeebe:input source="=1" target="local"/></zeebe:ioMapping>'
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + task("t", "t", io) + flow("s", "t")))
    key = cluster.create_process_instance("p", {"g": "x"}).process_instance_key
    found = http.post("/variables/search", json={"filter": {"processInstanceKey": key}}).json()["items"]
    scopes = {v["name"]: v["scopeKey"] for v in found}
    assert scopes["g"] == key and scopes["local"] != key
    named = http.post("/variables/search", json={"filter": {"name": "local"}}).json()["items"]
    assert [v["value"] for v in named] == ["1"]


def test_a_feel_error_in_a_condition_is_an_incident(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>' + task("one", "one")
        + flow("s", "g") + flow("g", "one", '=n + "x" &gt; 1')
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"n": 1}).process_instance_key
    (incident,) = cluster.incidents(key)
    assert incident["errorType"] == "CONDITION_ERROR" and "cannot add" in incident["errorMessage"]


def test_io_mappings_local_inputs_and_outputs_to_the_parent(cluster: FakeCluster, http: httpx.Client) -> None:
    io = (
        '<zeebe:ioMapping><zeebe:input source="=order.total * 2" target="doubled"/>'
        '<zeebe:input source="static" target="label"/>'
        '<zeebe:output source="=result + 1" target="summary.value"/></zeebe:ioMapping>'
    )
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + task("t", "t", io) + task("u", "u")
                                + flow("s", "t") + flow("t", "u")))  # fmt: skip
    key = cluster.create_process_instance("p", {"order": {"total": 21}}).process_instance_key
    job = _complete(http, "t", {"result": 41})
    assert (job["variables"]["doubled"], job["variables"]["label"]) == (42, "static")
    variables = dict(cluster.instance(key).variables)
    assert variables == {"order": {"total": 21}, "summary": {"value": 42}}  # no locals, no result
    follow = _complete(http, "u")
    assert "doubled" not in follow["variables"]


def test_without_outputs_completion_variables_reach_the_process(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/><bpmn:subProcess id="sub">'
                                '<bpmn:startEvent id="ss"/>' + task("t", "t") + flow("ss", "t")
                                + "</bpmn:subProcess>" + flow("s", "sub")))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    _complete(http, "t", {"done": 1})
    view = cluster.instance(key)
    assert view.state == "COMPLETED" and view.variables["done"] == 1


def test_feel_job_type_and_retries(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:serviceTask id="t"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="=&quot;work-&quot; + region" retries="=tries"/>'
        "</bpmn:extensionElements></bpmn:serviceTask>" + flow("s", "t")
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"region": "eu", "tries": 7}).process_instance_key
    (job,) = cluster.jobs(process_instance_key=key)
    assert (job.job_type, job.retries) == ("work-eu", 7)
    bad = cluster.create_process_instance("p", {"tries": 1}).process_instance_key
    (incident,) = cluster.incidents(bad)
    assert incident["errorType"] == "EXTRACT_VALUE_ERROR"


ERRORS = process(
    '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
    + task("charge", "charge") + flow("ss", "charge") + "</bpmn:subProcess>"
    + '<bpmn:boundaryEvent id="no-funds" attachedToRef="sub"><bpmn:errorEventDefinition errorRef="e1"/>'
    "</bpmn:boundaryEvent>"
    + task("refund", "refund") + task("ok", "ok")
    + flow("s", "sub") + flow("sub", "ok") + flow("no-funds", "refund"),
    definitions='<bpmn:error id="e1" errorCode="NO_FUNDS"/>',
)  # fmt: skip


def test_an_error_boundary_event_catches_by_code(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(ERRORS)
    key = cluster.create_process_instance("p").process_instance_key
    (job,) = activate(http, "charge")
    thrown = http.post(f"/jobs/{job['jobKey']}/error", json={"errorCode": "NO_FUNDS", "variables": {"why": "x"}})
    assert thrown.status_code == 204
    assert _types(cluster, key) == ["refund"]
    refund = _complete(http, "refund")
    assert refund["variables"]["why"] == "x"
    view = cluster.instance(key)
    assert (view.state, view.has_incident) == ("COMPLETED", False)
    states = {e["elementId"]: e["state"] for e in cluster.element_instances(key)}
    assert states["sub"] == "TERMINATED" and states["no-funds"] == "COMPLETED" and "ok" not in states


def test_an_uncaught_error_code_is_an_incident(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(ERRORS)
    key = cluster.create_process_instance("p").process_instance_key
    (job,) = activate(http, "charge")
    http.post(f"/jobs/{job['jobKey']}/error", json={"errorCode": "OTHER", "errorMessage": "boom"})
    (incident,) = cluster.incidents(key)
    assert (incident["errorType"], incident["elementId"], incident["jobKey"]) == (
        "UNHANDLED_ERROR_EVENT", "charge", job["jobKey"])  # fmt: skip
    assert cluster.instance(key).has_incident


def test_a_failed_job_without_retries_is_an_incident(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(ERRORS)
    key = cluster.create_process_instance("p").process_instance_key
    (job,) = activate(http, "charge")
    http.post(f"/jobs/{job['jobKey']}/failure", json={"retries": 0, "errorMessage": "down"})
    (incident,) = cluster.incidents(key)
    assert (incident["errorType"], incident["errorMessage"]) == ("JOB_NO_RETRIES", "down")


def test_subprocess_scope_and_completion(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(ERRORS)
    key = cluster.create_process_instance("p").process_instance_key
    _complete(http, "charge")
    assert _types(cluster, key) == ["ok"]
    _complete(http, "ok")
    assert cluster.instance(key).state == "COMPLETED"


def test_terminate_end_event_ends_the_other_branches(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>' + task("a", "a") + task("b", "b")
        + '<bpmn:endEvent id="kill"><bpmn:terminateEventDefinition/></bpmn:endEvent>'
        + flow("s", "fork") + flow("fork", "a") + flow("fork", "b") + flow("a", "kill")
    ))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    _complete(http, "a")
    assert cluster.instance(key).state == "COMPLETED"
    assert [j.state for j in cluster.jobs(job_type="b")] == ["CANCELED"]


def test_buffered_message_and_event_based_gateway(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>'
        '<bpmn:intermediateCatchEvent id="yes"><bpmn:messageEventDefinition messageRef="m1"/></bpmn:intermediateCatchEvent>'
        '<bpmn:intermediateCatchEvent id="no"><bpmn:messageEventDefinition messageRef="m2"/></bpmn:intermediateCatchEvent>'
        + task("accepted", "accepted") + task("declined", "declined")
        + flow("s", "g") + flow("g", "yes") + flow("g", "no") + flow("yes", "accepted") + flow("no", "declined"),
        definitions=message("m1", "accept", "=id") + message("m2", "decline", "=id"),
    ))  # fmt: skip
    assert _publish(http, "decline", "7", ttl=60_000).status_code == 200  # before the instance
    early = cluster.create_process_instance("p", {"id": 7}).process_instance_key
    assert _types(cluster, early) == ["declined"]
    late = cluster.create_process_instance("p", {"id": "8"}).process_instance_key
    assert _types(cluster, late) == []
    correlated = http.post("/messages/correlation", json={"name": "accept", "correlationKey": "8"})
    assert correlated.status_code == 200 and correlated.json()["processInstanceKey"] == late
    assert _types(cluster, late) == ["accepted"]
    assert _publish(http, "decline", "8").status_code == 200  # the gateway already chose
    assert _types(cluster, late) == ["accepted"]
    missing = http.post("/messages/correlation", json={"name": "accept", "correlationKey": "8"})
    assert missing.status_code == 404


def test_receive_task_and_message_without_ttl_is_not_buffered(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:receiveTask id="wait" messageRef="m1"/>' + task("t", "t")
        + flow("s", "wait") + flow("wait", "t"),
        definitions=message("m1", "go", "=id"),
    ))  # fmt: skip
    _publish(http, "go", "1")
    key = cluster.create_process_instance("p", {"id": "1"}).process_instance_key
    assert _types(cluster, key) == []
    _publish(http, "go", "1")
    assert _types(cluster, key) == ["t"]


def test_cancelling_closes_subscriptions_and_jobs(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(SCENARIO)
    key = cluster.create_process_instance("order", {"amount": 1, "orderId": "Z"}).process_instance_key
    _complete(http, "auto-approve")
    assert http.post(f"/process-instances/{key}/cancellation", json={}).status_code == 204
    assert http.post("/messages/correlation", json={"name": "payment-received", "correlationKey": "Z"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '<bpmn:startEvent id="s"/>' + task("t", "t")
            + '<bpmn:boundaryEvent id="Timer_1" attachedToRef="t"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>',
            "unsupported BPMN element: timerEventDefinition on boundaryEvent 'Timer_1' "
            "(a timer needs one of timeDuration, timeDate or timeCycle with a value)",
        ),
        ('<bpmn:startEvent id="s"/><bpmn:userTask id="approve"/>', "userTask 'approve'"),
        ('<bpmn:startEvent id="s"/><bpmn:callActivity id="call"/>', "callActivity 'call'"),
        (
            '<bpmn:startEvent id="s"/><bpmn:serviceTask id="many"><bpmn:extensionElements>'
            '<zeebe:taskDefinition type="x"/></bpmn:extensionElements>'
            "<bpmn:multiInstanceLoopCharacteristics/></bpmn:serviceTask>",
            "multiInstanceLoopCharacteristics on serviceTask 'many'",
        ),
        ('<bpmn:startEvent id="s"/><bpmn:scriptTask id="sc"/>', "scriptTask without zeebe:taskDefinition"),
        (
            '<bpmn:startEvent id="s"/>' + task("t", "t") + task("u", "u") + flow("s", "t")
            + flow("t", "u", "=x"),
            "sequenceFlow 't-u' has a condition but leaves serviceTask 't'",
        ),
        ('<bpmn:startEvent id="s"/>' + task("t", "t", "<zeebe:executionListeners/>"),
         "zeebe:executionListeners on serviceTask 't'"),
        ('<bpmn:startEvent id="s"/><bpmn:subProcess id="ev" triggeredByEvent="true"/>',
         "triggeredByEvent=\"true\" on subProcess 'ev'"),
        ('<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>' + task("t", "t")
         + flow("s", "g") + flow("g", "t", "=x &gt;"), "invalid FEEL expression in sequenceFlow 'g-t'"),
    ],
)  # fmt: skip
def test_unsupported_elements_are_rejected_naming_them(http: httpx.Client, body: str, expected: str) -> None:
    answer = http.post(
        "/deployments", files=[("resources", ("bad.bpmn", process(body).encode(), "application/xml"))]
    )
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["title"] == "INVALID_ARGUMENT"
    assert expected in problem["detail"]


def test_docs_list_the_supported_elements() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "testkit.md").read_text(encoding="utf-8")
    section = docs.split("<!-- supported-elements:start -->")[1].split("<!-- supported-elements:end -->")[0]
    listed = re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)
    assert listed == list(SUPPORTED)
    for support in SUPPORTED.values():
        assert support.behaviour in section, support.element


def test_catch_all_boundary_subprocess_outputs_and_a_loop(cluster: FakeCluster, http: httpx.Client) -> None:
    outputs = '<bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=count" target="total"/></zeebe:ioMapping></bpmn:extensionElements>'
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>'
        f'<bpmn:subProcess id="sub">{outputs}<bpmn:startEvent id="ss"/>'
        + task("work", "work") + '<bpmn:exclusiveGateway id="again" default="done"/><bpmn:endEvent id="se"/>'
        + flow("ss", "work") + flow("work", "again") + flow("again", "work", "=count &lt; 3")
        + flow("again", "se", flow_id="done") + "</bpmn:subProcess>"
        + '<bpmn:boundaryEvent id="any" attachedToRef="after"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>'
        + task("after", "after") + task("handled", "handled")
        + flow("s", "sub") + flow("sub", "after") + flow("any", "handled")
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"count": 0}).process_instance_key
    for count in (1, 2, 3):
        _complete(http, "work", {"count": count})
    view = cluster.instance(key)
    assert view.variables["total"] == 3
    (job,) = activate(http, "after")
    http.post(f"/jobs/{job['jobKey']}/error", json={"errorCode": "ANY"})
    assert _types(cluster, key) == ["handled"]
