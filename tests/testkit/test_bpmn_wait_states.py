"""Wait states of the test kit's engine: user tasks, timers on the engine clock, and
multi-instance activities."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from camunda_testkit import FakeCluster

from .conftest import activate
from .test_bpmn_semantics import flow, process, task


def user_task(element_id: str, extra: str = "", loop: str = "") -> str:
    return (
        f'<bpmn:userTask id="{element_id}" name="Approve"><bpmn:extensionElements><zeebe:userTask/>'
        f"{extra}</bpmn:extensionElements>{loop}</bpmn:userTask>"
    )


def timer(kind: str, value: str) -> str:
    return f"<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>"


def _tasks(http: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    answer = http.post("/user-tasks/search", json={"filter": filters})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _complete_job(http: httpx.Client, job_type: str, variables: dict[str, Any] | None = None) -> None:
    (job,) = activate(http, job_type, max_jobs=1)
    assert http.post(f"/jobs/{job['jobKey']}/completion", json={"variables": variables or {}}).status_code == 204


# -- user tasks -----------------------------------------------------------------------------

APPROVAL = process(
    '<bpmn:startEvent id="s"/>'
    + user_task("approve", '<zeebe:assignmentDefinition assignee="=owner" candidateGroups="sales, ops"/>'
                '<zeebe:taskSchedule dueDate="2030-01-01T10:00:00Z"/><zeebe:priorityDefinition priority="80"/>'
                '<zeebe:formDefinition formId="approval-form"/>')
    + task("ship", "ship") + '<bpmn:endEvent id="e"/>'
)  # fmt: skip


def test_a_user_task_waits_and_completion_moves_on(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_resource("approval.form", '{"id": "approval-form"}')
    cluster.deploy_bpmn(APPROVAL)
    key = cluster.create_process_instance("p", {"owner": "anna"}).process_instance_key
    (found,) = _tasks(http, processInstanceKey=key)
    assert found["state"] == "CREATED" and found["elementId"] == "approve"
    assert found["assignee"] == "anna" and found["candidateGroups"] == ["sales", "ops"]
    assert found["priority"] == 80 and found["dueDate"] == "2030-01-01T10:00:00Z"
    assert found["formKey"] and found["name"] == "Approve"
    task_key = found["userTaskKey"]
    assert cluster.jobs(process_instance_key=key) == []
    answer = http.post(f"/user-tasks/{task_key}/completion", json={"variables": {"approved": True}})
    assert answer.status_code == 204, answer.text
    done = http.get(f"/user-tasks/{task_key}").json()
    assert done["state"] == "COMPLETED" and done["completionDate"]
    assert cluster.instance(key).variables["approved"] is True
    _complete_job(http, "ship")
    assert cluster.instance(key).state == "COMPLETED"
    assert http.post(f"/user-tasks/{task_key}/completion", json={}).status_code == 404


def test_assign_unassign_update_and_search(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + user_task("review")))
    key = cluster.create_process_instance("p", {"x": 1}).process_instance_key
    (found,) = _tasks(http, state="CREATED", elementId="review")
    task_key = found["userTaskKey"]
    assert found["assignee"] is None and found["priority"] == 50
    assert http.post(f"/user-tasks/{task_key}/assignment", json={"assignee": "bob"}).status_code == 204
    assert _tasks(http, assignee="bob")[0]["userTaskKey"] == task_key
    refused = http.post(f"/user-tasks/{task_key}/assignment", json={"assignee": "eve", "allowOverride": False})
    assert refused.status_code == 409
    assert http.delete(f"/user-tasks/{task_key}/assignee").status_code == 204
    assert _tasks(http, assignee="bob") == []
    changes = {"candidateUsers": ["carl"], "priority": 10, "followUpDate": "2031-01-01T00:00:00Z"}
    assert http.patch(f"/user-tasks/{task_key}", json={"changeset": changes}).status_code == 204
    updated = http.get(f"/user-tasks/{task_key}").json()
    assert (updated["candidateUsers"], updated["priority"], updated["followUpDate"]) == (
        ["carl"], 10, "2031-01-01T00:00:00Z")
    assert http.patch(f"/user-tasks/{task_key}", json={"changeset": {"priority": 101}}).status_code == 400
    variables = http.post(f"/user-tasks/{task_key}/variables/search", json={}).json()["items"]
    assert [(v["name"], v["value"]) for v in variables] == [("x", "1")]
    assert _tasks(http, userTaskKey=task_key, processInstanceKey=key)[0]["state"] == "CREATED"
    assert http.get("/user-tasks/123").status_code == 404


def test_cancelling_the_instance_cancels_the_user_task(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + user_task("review")))
    key = cluster.create_process_instance("p").process_instance_key
    assert http.post(f"/process-instances/{key}/cancellation", json={}).status_code == 204
    assert _tasks(http)[0]["state"] == "CANCELED"


def test_a_user_task_without_a_deployed_form_is_an_incident(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(APPROVAL)
    key = cluster.create_process_instance("p").process_instance_key
    (incident,) = cluster.incidents(key)
    assert incident["errorType"] == "FORM_NOT_FOUND"
    cluster.deploy_resource("approval.form", '{"id": "approval-form"}')
    assert http.post(f"/incidents/{incident['incidentKey']}/resolution").status_code == 204
    assert len(_tasks(http, processInstanceKey=key)) == 1


def test_job_worker_user_tasks_stay_rejected(http: httpx.Client) -> None:
    answer = http.post("/deployments", files=[("resources", ("u.bpmn", process(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="old"/>').encode(), "text/xml"))])  # fmt: skip
    assert answer.status_code == 400
    assert "userTask without zeebe:userTask on userTask 'old'" in answer.json()["detail"]


# -- timers ---------------------------------------------------------------------------------


def test_an_intermediate_timer_fires_when_the_clock_passes_it(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>'
        f'<bpmn:intermediateCatchEvent id="wait">{timer("timeDuration", "PT5M")}</bpmn:intermediateCatchEvent>'
        f'<bpmn:intermediateCatchEvent id="wait2">{timer("timeDuration", "=delay")}</bpmn:intermediateCatchEvent>'
        + task("after", "after")
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"delay": "PT1H"}).process_instance_key
    cluster.clock.advance(timedelta(minutes=4))
    assert cluster.jobs(process_instance_key=key) == []
    cluster.clock.advance(timedelta(minutes=1))
    cluster.clock.advance(timedelta(minutes=59))
    assert cluster.jobs(process_instance_key=key) == []
    cluster.clock.advance(timedelta(minutes=1))
    assert [j.job_type for j in cluster.jobs(process_instance_key=key)] == ["after"]


def test_a_time_date_and_a_feel_date(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>'
        f'<bpmn:intermediateCatchEvent id="at">{timer("timeDate", "=now() + duration(&quot;P1D&quot;)")}'
        "</bpmn:intermediateCatchEvent>" + task("after", "after")
    ))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    cluster.clock.advance(timedelta(hours=23))
    assert cluster.jobs(process_instance_key=key) == []
    cluster.clock.advance(timedelta(hours=1))
    assert len(cluster.jobs(process_instance_key=key)) == 1


def test_an_interrupting_timer_boundary_cancels_the_task(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>' + task("work", "work")
        + f'<bpmn:boundaryEvent id="late" attachedToRef="work">{timer("timeDuration", "PT10M")}</bpmn:boundaryEvent>'
        + task("escalate", "escalate") + '<bpmn:endEvent id="e"/>'
        + flow("s", "work") + flow("work", "e") + flow("late", "escalate")
    ))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    cluster.clock.advance(timedelta(minutes=10))
    assert {j.job_type: j.state for j in cluster.jobs(process_instance_key=key)} == {
        "work": "CANCELED", "escalate": "ACTIVATABLE"}
    # A task completed in time disarms its timer.
    other = cluster.create_process_instance("p").process_instance_key
    _complete_job(http, "work")
    cluster.clock.advance(timedelta(hours=1))
    assert cluster.instance(other).state == "COMPLETED"


def test_a_non_interrupting_cycle_fires_its_repetitions(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>' + user_task("review")
        + '<bpmn:boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">'
        + timer("timeCycle", "R2/PT1H") + "</bpmn:boundaryEvent>"
        + task("nudge", "nudge") + '<bpmn:endEvent id="e"/>'
        + flow("s", "review") + flow("review", "e") + flow("remind", "nudge")
    ))  # fmt: skip
    key = cluster.create_process_instance("p").process_instance_key
    for _ in range(3):
        cluster.clock.advance(timedelta(hours=1))
    assert len(cluster.jobs("ACTIVATABLE", "nudge", process_instance_key=key)) == 2
    assert _tasks(http, processInstanceKey=key)[0]["state"] == "CREATED"


def test_timer_start_events_cycle_and_date(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(process(
        f'<bpmn:startEvent id="tick">{timer("timeCycle", "R3/PT1H")}</bpmn:startEvent>' + task("t", "tick"),
        "ticker",
    ))  # fmt: skip
    for _ in range(5):
        cluster.clock.advance(timedelta(hours=1))
    assert len(cluster.instances(process_definition_id="ticker")) == 3
    when = (cluster.clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    cluster.deploy_bpmn(process(
        f'<bpmn:startEvent id="once">{timer("timeDate", when)}</bpmn:startEvent>', "once"
    ))  # fmt: skip
    cluster.clock.advance(timedelta(days=1))
    assert cluster.instances(process_definition_id="once") == []
    cluster.clock.advance(timedelta(days=1, seconds=1))
    assert [i.state for i in cluster.instances(process_definition_id="once")] == ["COMPLETED"]


def test_a_new_version_disarms_the_old_timer_start(cluster: FakeCluster) -> None:
    body = f'<bpmn:startEvent id="tick">{timer("timeCycle", "R/PT1H")}</bpmn:startEvent>'
    cluster.deploy_bpmn(process(body, "ticker"))
    cluster.deploy_bpmn(process(body, "ticker"))
    cluster.clock.advance(timedelta(hours=1))
    assert [i.version for i in cluster.instances()] == [2]


def test_an_event_based_gateway_with_a_timer(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>'
        '<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>'
        f'<bpmn:intermediateCatchEvent id="timeout">{timer("timeDuration", "PT1M")}</bpmn:intermediateCatchEvent>'
        + task("late", "late") + '<bpmn:endEvent id="e"/>'
        + flow("s", "g") + flow("g", "paid") + flow("g", "timeout") + flow("timeout", "late") + flow("paid", "e"),
        definitions='<bpmn:message id="m" name="paid"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=id"/></bpmn:extensionElements></bpmn:message>',
    ))  # fmt: skip
    first = cluster.create_process_instance("p", {"id": "a"}).process_instance_key
    second = cluster.create_process_instance("p", {"id": "b"}).process_instance_key
    http.post("/messages/correlation", json={"name": "paid", "correlationKey": "a"})
    cluster.clock.advance(timedelta(minutes=1))
    assert cluster.instance(first).state == "COMPLETED"
    assert [j.job_type for j in cluster.jobs(process_instance_key=second)] == ["late"]


def test_a_feel_value_that_is_no_timer_is_an_incident(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/>'
        f'<bpmn:intermediateCatchEvent id="wait">{timer("timeDuration", "=delay")}</bpmn:intermediateCatchEvent>'
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"delay": "soon"}).process_instance_key
    (incident,) = cluster.incidents(key)
    assert incident["errorType"] == "EXTRACT_VALUE_ERROR" and incident["elementId"] == "wait"


def test_static_timer_mistakes_are_rejected_on_deploy(http: httpx.Client) -> None:
    for body, expected in (
        (f'<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="w">{timer("timeDuration", "5 minutes")}'
         "</bpmn:intermediateCatchEvent>", "timeDuration of intermediateCatchEvent 'w'"),
        (f'<bpmn:startEvent id="s">{timer("timeCycle", "0 0 * * *")}</bpmn:startEvent>', "cron"),
        (f'<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="w">{timer("timeCycle", "R/PT1M")}'
         "</bpmn:intermediateCatchEvent>", "timeCycle on intermediateCatchEvent 'w'"),
    ):  # fmt: skip
        answer = http.post("/deployments", files=[("resources", ("t.bpmn", process(body).encode(), "text/xml"))])
        assert answer.status_code == 400 and expected in answer.json()["detail"], answer.text


# -- multi-instance -------------------------------------------------------------------------

LOOP = (
    '<bpmn:multiInstanceLoopCharacteristics{sequential}><bpmn:extensionElements>'
    '<zeebe:loopCharacteristics inputCollection="=items" inputElement="item" '
    'outputCollection="results" outputElement="=result"/></bpmn:extensionElements>{extra}'
    "</bpmn:multiInstanceLoopCharacteristics>"
)


def _loop(sequential: bool = False, extra: str = "") -> str:
    return LOOP.format(sequential=' isSequential="true"' if sequential else "", extra=extra)


def _mi_task(loop: str) -> str:
    return ('<bpmn:serviceTask id="each"><bpmn:extensionElements><zeebe:taskDefinition type="each"/>'
            f"</bpmn:extensionElements>{loop}</bpmn:serviceTask>")  # fmt: skip


def test_parallel_multi_instance_collects_results_by_index(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + _mi_task(_loop()) + task("after", "after")))
    key = cluster.create_process_instance("p", {"items": ["a", "b", "c"]}).process_instance_key
    jobs = activate(http, "each")
    assert sorted((j["variables"]["item"], j["variables"]["loopCounter"]) for j in jobs) == [
        ("a", 1), ("b", 2), ("c", 3)]
    for job in reversed(jobs):
        http.post(f"/jobs/{job['jobKey']}/completion", json={"variables": {"result": job["variables"]["item"].upper()}})
    assert cluster.instance(key).variables["results"] == ["A", "B", "C"]
    assert "result" not in cluster.instance(key).variables
    types = [e["type"] for e in cluster.element_instances(key)]
    assert types.count("MULTI_INSTANCE_BODY") == 1 and types.count("SERVICE_TASK") == 4  # 3 inner, "after"
    assert [j.job_type for j in cluster.jobs("ACTIVATABLE", process_instance_key=key)] == ["after"]


def test_sequential_multi_instance_over_a_sub_process(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process(
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        + task("inner", "inner") + '<bpmn:endEvent id="se"/>' + _loop(sequential=True) + "</bpmn:subProcess>"
    ))  # fmt: skip
    key = cluster.create_process_instance("p", {"items": [1, 2]}).process_instance_key
    for expected in (1, 2):
        (job,) = activate(http, "inner")
        assert job["variables"]["item"] == expected
        http.post(f"/jobs/{job['jobKey']}/completion", json={"variables": {"result": expected * 10}})
    view = cluster.instance(key)
    assert view.state == "COMPLETED" and view.variables["results"] == [10, 20]


def test_completion_condition_and_empty_collection(cluster: FakeCluster, http: httpx.Client) -> None:
    condition = "<bpmn:completionCondition>=numberOfCompletedInstances &gt;= 1</bpmn:completionCondition>"
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + _mi_task(_loop(extra=condition))))
    key = cluster.create_process_instance("p", {"items": [1, 2, 3]}).process_instance_key
    (first, *_rest) = activate(http, "each")
    http.post(f"/jobs/{first['jobKey']}/completion", json={"variables": {"result": "x"}})
    assert cluster.instance(key).state == "COMPLETED"
    assert sorted(j.state for j in cluster.jobs(process_instance_key=key)) == ["CANCELED", "CANCELED", "COMPLETED"]
    empty = cluster.create_process_instance("p", {"items": []}).process_instance_key
    assert cluster.instance(empty).variables["results"] == []
    broken = cluster.create_process_instance("p", {"items": "nope"}).process_instance_key
    assert cluster.incidents(broken)[0]["errorType"] == "EXTRACT_VALUE_ERROR"


def test_multi_instance_user_tasks(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(process('<bpmn:startEvent id="s"/>' + user_task(
        "sign", '<zeebe:assignmentDefinition assignee="=item"/>', _loop())))
    key = cluster.create_process_instance("p", {"items": ["ann", "ben"]}).process_instance_key
    found = _tasks(http, processInstanceKey=key)
    assert sorted(t["assignee"] for t in found) == ["ann", "ben"]
    for item in found:
        http.post(f"/user-tasks/{item['userTaskKey']}/completion", json={"variables": {"result": item["assignee"]}})
    assert cluster.instance(key).variables["results"] == ["ann", "ben"]


def test_user_task_search_by_candidate_group_and_a_rejected_filter(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_resource("approval.form", '{"id": "approval-form"}')
    cluster.deploy_bpmn(APPROVAL)
    key = cluster.create_process_instance("p", {"owner": "anna"}).process_instance_key
    assert [t["processInstanceKey"] for t in _tasks(http, candidateGroup="ops")] == [key]
    assert _tasks(http, candidateGroup={"$in": ["hr", "sales"]}) != []
    assert _tasks(http, candidateGroup="hr") == []
    answer = http.post("/user-tasks/search", json={"filter": {"localVariables": [{"name": "x", "value": "1"}]}})
    assert answer.status_code == 400
    assert "unsupported filter field 'localVariables' for searchUserTasks" in answer.json()["detail"]
