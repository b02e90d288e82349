"""Message and escalation boundary events of the test kit's engine: interrupting and
non-interrupting, on tasks, user tasks, sub-processes, call activities and multi-instance
bodies; escalation throw events caught by code, by a catch-all, or not at all."""

from __future__ import annotations

from typing import Any

import httpx

from camunda_testkit import FakeCluster

from .conftest import activate
from .test_bpmn_semantics import flow, message, process, task
from .test_bpmn_wait_states import user_task


def _boundary(element_id: str, host: str, definition: str, interrupting: bool = True) -> str:
    cancel = "" if interrupting else ' cancelActivity="false"'
    return f'<bpmn:boundaryEvent id="{element_id}" attachedToRef="{host}"{cancel}>{definition}</bpmn:boundaryEvent>'


def _on_message(ref: str = "m-cancel") -> str:
    return f'<bpmn:messageEventDefinition messageRef="{ref}"/>'


def _escalation(ref: str | None = None) -> str:
    return "<bpmn:escalationEventDefinition/>" if ref is None else (
        f'<bpmn:escalationEventDefinition escalationRef="{ref}"/>')  # fmt: skip


def _escalations(*codes: str) -> str:
    return "".join(f'<bpmn:escalation id="esc-{c}" name="{c}" escalationCode="{c}"/>' for c in codes)


def _correlate(http: httpx.Client, name: str, key: str, **variables: Any) -> httpx.Response:
    return http.post("/messages/correlation", json={"name": name, "correlationKey": key, "variables": variables})


def _states(cluster: FakeCluster, key: str) -> dict[str, str]:
    """The last state of each element (by id) of an instance."""
    return {e["elementId"]: e["state"] for e in cluster.element_instances(key)}


def _job_states(cluster: FakeCluster, key: str) -> dict[str, str]:
    return {j.job_type: j.state for j in cluster.jobs(process_instance_key=key)}


def _complete(http: httpx.Client, job_type: str) -> None:
    (job,) = activate(http, job_type, max_jobs=1)
    assert http.post(f"/jobs/{job['jobKey']}/completion", json={}).status_code == 204


CANCEL = message("m-cancel", "cancel-order", "=orderId")

# -- message boundary events on tasks ---------------------------------------------------------

TASK_WITH_CANCEL = process(
    '<bpmn:startEvent id="s"/>' + task("work", "work")
    + _boundary("cancelled", "work", _on_message())
    + task("refund", "refund") + '<bpmn:endEvent id="done"/><bpmn:endEvent id="e2"/>'
    + flow("s", "work") + flow("work", "done") + flow("cancelled", "refund") + flow("refund", "e2"),
    definitions=CANCEL,
)  # fmt: skip


def test_an_interrupting_message_boundary_cancels_the_task(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(TASK_WITH_CANCEL)
    key = cluster.create_process_instance("p", {"orderId": "A-1"}).process_instance_key
    other = cluster.create_process_instance("p", {"orderId": "B-2"}).process_instance_key
    assert _correlate(http, "cancel-order", "nobody").status_code == 404
    answer = _correlate(http, "cancel-order", "A-1", reason="changed mind")
    assert answer.status_code == 200, answer.text
    assert answer.json()["processInstanceKey"] == key
    assert _job_states(cluster, key) == {"work": "CANCELED", "refund": "ACTIVATABLE"}
    assert _states(cluster, key)["work"] == "TERMINATED"
    assert _states(cluster, key)["cancelled"] == "COMPLETED"
    assert cluster.instance(key).variables["reason"] == "changed mind"
    # The subscription closed with the task: a second message reaches nothing.
    assert _correlate(http, "cancel-order", "A-1").status_code == 404
    assert _job_states(cluster, other) == {"work": "ACTIVATABLE"}


def test_finishing_the_task_closes_its_subscription(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(TASK_WITH_CANCEL)
    key = cluster.create_process_instance("p", {"orderId": "A-1"}).process_instance_key
    _complete(http, "work")
    assert cluster.instance(key).state == "COMPLETED"
    assert _correlate(http, "cancel-order", "A-1").status_code == 404
    assert "cancelled" not in _states(cluster, key)


def test_a_buffered_message_interrupts_the_task_when_it_is_entered(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(TASK_WITH_CANCEL)
    published = http.post("/messages/publication",
                          json={"name": "cancel-order", "correlationKey": "A-1", "timeToLive": 60_000})  # fmt: skip
    assert published.status_code == 200
    key = cluster.create_process_instance("p", {"orderId": "A-1"}).process_instance_key
    assert _job_states(cluster, key) == {"refund": "ACTIVATABLE"}  # the work job never appeared
    assert _states(cluster, key)["work"] == "TERMINATED"


def test_a_non_interrupting_message_boundary_fires_per_message(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>' + user_task("review")
        + _boundary("nudged", "review", _on_message("m-nudge"), interrupting=False)
        + task("remind", "remind") + '<bpmn:endEvent id="e"/>'
        + flow("s", "review") + flow("review", "e") + flow("nudged", "remind"),
        definitions=message("m-nudge", "nudge", "=orderId"),
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"orderId": "A-1"}).process_instance_key
    for count in (1, 2):
        assert _correlate(http, "nudge", "A-1", count=count).status_code == 200
    assert len(cluster.jobs("ACTIVATABLE", "remind", process_instance_key=key)) == 2
    assert cluster.instance(key).variables["count"] == 2
    (found,) = http.post("/user-tasks/search", json={"filter": {"processInstanceKey": key}}).json()["items"]
    assert found["state"] == "CREATED"
    done = http.post(f"/user-tasks/{found['userTaskKey']}/completion", json={})
    assert done.status_code == 204
    assert _correlate(http, "nudge", "A-1").status_code == 404  # closed with the user task
    for _ in range(2):
        _complete(http, "remind")
    assert cluster.instance(key).state == "COMPLETED"


# -- correlation keys ----------------------------------------------------------------------


def test_the_correlation_key_is_evaluated_when_the_activity_is_entered(cluster: FakeCluster, http: httpx.Client) -> None:
    inputs = '<zeebe:ioMapping><zeebe:input source="=&quot;order-&quot; + orderId" target="ref"/></zeebe:ioMapping>'
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>' + task("work", "work", inputs)
        + _boundary("cancelled", "work", _on_message()) + '<bpmn:endEvent id="e"/>'
        + flow("s", "work"),
        definitions=message("m-cancel", "cancel-order", "=ref"),
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"orderId": "7"}).process_instance_key
    http.put(f"/element-instances/{key}/variables", json={"variables": {"orderId": "8"}})
    assert _correlate(http, "cancel-order", "order-8").status_code == 404
    assert _correlate(http, "cancel-order", "order-7").status_code == 200  # the input mapping's value
    assert _job_states(cluster, key) == {"work": "CANCELED"}
    assert cluster.instance(key).state == "COMPLETED"


def test_a_correlation_key_that_is_no_key_is_an_incident(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(TASK_WITH_CANCEL)
    key = cluster.create_process_instance("p", {"orderId": {"no": "key"}}).process_instance_key
    (incident,) = cluster.incidents(key)
    assert incident["errorType"] == "EXTRACT_VALUE_ERROR" and incident["elementId"] == "work"
    assert cluster.jobs(process_instance_key=key) == []  # the task was not entered
    http.put(f"/element-instances/{key}/variables", json={"variables": {"orderId": 42}})
    assert http.post(f"/incidents/{incident['incidentKey']}/resolution").status_code == 204
    assert _job_states(cluster, key) == {"work": "ACTIVATABLE"}
    assert _correlate(http, "cancel-order", "42").status_code == 200  # a number as its text
    assert _job_states(cluster, key) == {"work": "CANCELED", "refund": "ACTIVATABLE"}


# -- on sub-processes, call activities and multi-instance bodies --------------------------------

SUB = process(
    '<bpmn:startEvent id="s"/>'
    '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:parallelGateway id="fork"/>'
    + task("a", "a") + task("b", "b") + '<bpmn:parallelGateway id="join"/><bpmn:endEvent id="se"/>'
    + flow("ss", "fork") + flow("fork", "a") + flow("fork", "b") + flow("a", "join")
    + flow("b", "join") + flow("join", "se") + "</bpmn:subProcess>"
    + _boundary("cancelled", "sub", _on_message())
    + _boundary("noted", "sub", _on_message("m-note"), interrupting=False)
    + task("after", "after") + task("note", "note") + '<bpmn:endEvent id="e"/>'
    '<bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/>'
    + flow("s", "sub") + flow("sub", "e") + flow("cancelled", "after") + flow("after", "e2")
    + flow("noted", "note") + flow("note", "e3"),
    definitions=CANCEL + message("m-note", "note", "=orderId"),
)  # fmt: skip


def test_an_interrupting_message_boundary_ends_a_sub_process(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(SUB)
    key = cluster.create_process_instance("p", {"orderId": "A-1"}).process_instance_key
    _complete(http, "a")  # one token waits at the join
    assert _correlate(http, "cancel-order", "A-1").status_code == 200
    assert _job_states(cluster, key) == {"a": "COMPLETED", "b": "CANCELED", "after": "ACTIVATABLE"}
    states = _states(cluster, key)
    assert states["sub"] == "TERMINATED" and "join" not in states
    _complete(http, "after")
    assert cluster.instance(key).state == "COMPLETED"
    assert _correlate(http, "note", "A-1").status_code == 404  # both subscriptions closed


def test_a_non_interrupting_message_boundary_leaves_the_sub_process_running(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    cluster.deploy_bpmn(SUB)
    key = cluster.create_process_instance("p", {"orderId": "A-1"}).process_instance_key
    assert _correlate(http, "note", "A-1").status_code == 200
    assert _job_states(cluster, key) == {"a": "ACTIVATABLE", "b": "ACTIVATABLE", "note": "ACTIVATABLE"}
    for job_type in ("note", "a", "b"):
        _complete(http, job_type)
    assert cluster.instance(key).state == "COMPLETED"
    assert _states(cluster, key)["sub"] == "COMPLETED"
    assert _correlate(http, "cancel-order", "A-1").status_code == 404


def test_message_boundaries_on_a_call_activity_and_a_multi_instance_body(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    cluster.deploy_bpmn(process('<bpmn:startEvent id="cs"/>' + task("child-work", "child-work"), "child"))
    loop = ('<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics '
            'inputCollection="=items" inputElement="item"/></bpmn:extensionElements>'
            "</bpmn:multiInstanceLoopCharacteristics>")  # fmt: skip
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child"/>'
        "</bpmn:extensionElements></bpmn:callActivity>"
        + '<bpmn:serviceTask id="each"><bpmn:extensionElements><zeebe:taskDefinition type="each"/>'
        f"</bpmn:extensionElements>{loop}</bpmn:serviceTask>"
        + _boundary("stop-call", "call", _on_message())
        + _boundary("stop-each", "each", _on_message())
        + '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/><bpmn:endEvent id="e4"/>'
        + flow("s", "fork") + flow("fork", "call") + flow("fork", "each") + flow("call", "e1")
        + flow("each", "e2") + flow("stop-call", "e3") + flow("stop-each", "e4"),
        definitions=CANCEL,
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"orderId": "A-1", "items": [1, 2, 3]}).process_instance_key
    (child,) = cluster.instances(process_definition_id="child")
    assert len(cluster.jobs("ACTIVATABLE", "each", process_instance_key=key)) == 3
    # One message, one instance: the first subscription opened (the call activity's) is reached.
    assert _correlate(http, "cancel-order", "A-1").status_code == 200
    assert cluster.instance(child.process_instance_key).state == "TERMINATED"
    assert cluster.instance(key).state == "ACTIVE"
    assert _correlate(http, "cancel-order", "A-1").status_code == 200
    assert {j.state for j in cluster.jobs(job_type="each", process_instance_key=key)} == {"CANCELED"}
    assert cluster.instance(key).state == "COMPLETED"
    body = [e for e in cluster.element_instances(key) if e["type"] == "MULTI_INSTANCE_BODY"]
    assert [e["state"] for e in body] == ["TERMINATED"]


# -- escalations --------------------------------------------------------------------------------


def _escalating_sub(throw: str, boundaries: str, definitions: str) -> str:
    return process(
        '<bpmn:startEvent id="s"/>'
        '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:parallelGateway id="fork"/>'
        + task("slow", "slow") + throw + task("inner-after", "inner-after")
        + '<bpmn:endEvent id="se1"/><bpmn:endEvent id="se2"/>'
        + flow("ss", "fork") + flow("fork", "slow") + flow("fork", "raise") + flow("raise", "inner-after")
        + flow("slow", "se1") + flow("inner-after", "se2") + "</bpmn:subProcess>"
        + boundaries + task("handle", "handle") + '<bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
        + flow("s", "sub") + flow("sub", "e") + flow("caught", "handle") + flow("handle", "e2"),
        definitions=definitions,
    )  # fmt: skip


def _throw(code: str | None = "late") -> str:
    return f'<bpmn:intermediateThrowEvent id="raise">{_escalation(None if code is None else f"esc-{code}")}</bpmn:intermediateThrowEvent>'


def test_an_escalation_caught_by_an_interrupting_boundary(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(_escalating_sub(
        _throw("late"),
        _boundary("caught", "sub", _escalation("esc-late")) + _boundary("other", "sub", _escalation("esc-other")),
        _escalations("late", "other"),
    ))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    assert _job_states(cluster, key) == {"slow": "CANCELED", "handle": "ACTIVATABLE"}
    states = _states(cluster, key)
    assert states["sub"] == "TERMINATED" and states["raise"] == "TERMINATED"
    assert "other" not in states and "inner-after" not in states
    assert cluster.incidents(key) == []


def test_an_escalation_caught_by_a_non_interrupting_catch_all(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(_escalating_sub(
        _throw("late"), _boundary("caught", "sub", _escalation(), interrupting=False), _escalations("late"),
    ))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    assert _job_states(cluster, key) == {"slow": "ACTIVATABLE", "inner-after": "ACTIVATABLE",
                                          "handle": "ACTIVATABLE"}  # fmt: skip
    assert _states(cluster, key)["raise"] == "COMPLETED"
    for job_type in ("slow", "inner-after", "handle"):
        _complete(http, job_type)
    assert cluster.instance(key).state == "COMPLETED"


def test_an_uncaught_escalation_goes_on_without_an_incident(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(_escalating_sub(
        _throw("late"), _boundary("caught", "sub", _escalation("esc-other")), _escalations("late", "other"),
    ))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    assert _job_states(cluster, key) == {"slow": "ACTIVATABLE", "inner-after": "ACTIVATABLE"}
    assert cluster.incidents(key) == [] and not cluster.instance(key).has_incident
    # At the top level, nothing to catch it either.
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:endEvent id="end">' + _escalation("esc-late") + "</bpmn:endEvent>",
        "top", _escalations("late"),
    ))  # fmt: skip
    top = cluster.create_process_instance("top").process_instance_key
    assert cluster.instance(top).state == "COMPLETED"


def test_an_escalation_end_event_in_a_called_process_reaches_the_call_activity(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="cs"/>' + task("child-work", "child-work")
        + '<bpmn:endEvent id="ce">' + _escalation("esc-late") + "</bpmn:endEvent>",
        "child", _escalations("late"),
    ))  # fmt: skip
    for interrupting, expected_child in ((False, "COMPLETED"), (True, "TERMINATED")):
        cluster.deploy_bpmn(process(
            '<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements>'
            '<zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity>'
            + _boundary("caught", "call", _escalation("esc-late"), interrupting)
            + task("handle", "handle") + '<bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
            + flow("s", "call") + flow("call", "e") + flow("caught", "handle") + flow("handle", "e2"),
            definitions=_escalations("late"),
        ))  # fmt: skip
        key = cluster.create_process_instance("p").process_instance_key
        _complete(http, "child-work")
        (child,) = [i for i in cluster.instances(process_definition_id="child") if i.state != "ACTIVE"][-1:]
        assert child.state == expected_child
        assert _states(cluster, key)["call"] == ("COMPLETED" if not interrupting else "TERMINATED")
        _complete(http, "handle")
        assert cluster.instance(key).state == "COMPLETED"


# -- what is rejected ---------------------------------------------------------------------------


def _rejected(http: httpx.Client, xml: str) -> str:
    answer = http.post("/deployments", files=[("resources", ("r.bpmn", xml.encode(), "text/xml"))])
    assert answer.status_code == 400, answer.text
    return answer.json()["detail"]


def test_boundary_mistakes_are_rejected(http: httpx.Client) -> None:
    error = '<bpmn:errorEventDefinition/>'
    assert "an error boundary event always interrupts" in _rejected(http, process(
        '<bpmn:startEvent id="s"/>' + task("t", "t") + _boundary("b", "t", error, interrupting=False)))
    assert "attached to a sub-process or a call activity" in _rejected(http, process(
        '<bpmn:startEvent id="s"/>' + task("t", "t") + _boundary("b", "t", _escalation()),
        definitions=_escalations("x")))
    assert "needs an escalationRef" in _rejected(http, process(
        '<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="raise">'
        + _escalation() + "</bpmn:intermediateThrowEvent>"))
    assert "two message boundary events" in _rejected(http, process(
        '<bpmn:startEvent id="s"/>' + task("t", "t") + _boundary("b1", "t", _on_message())
        + _boundary("b2", "t", _on_message()), definitions=CANCEL))
    assert "needs a zeebe:subscription correlationKey" in _rejected(http, process(
        '<bpmn:startEvent id="s"/>' + task("t", "t") + _boundary("b", "t", _on_message("m")),
        definitions='<bpmn:message id="m" name="no-key"/>'))
    assert "event sub-processes" in _rejected(http, process(
        '<bpmn:startEvent id="s">' + _escalation("esc-x") + "</bpmn:startEvent>",
        definitions=_escalations("x")))
