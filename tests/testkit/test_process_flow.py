"""Deploy, start, activate, complete: the happy path and the job state rules."""

from __future__ import annotations

import re

import httpx

from camunda_testkit import FakeCluster

from .conftest import TWO_TASK_BPMN, activate, deploy, start_instance

KEY = re.compile(r"^-?[0-9]+$")


def test_deployment_result_has_the_spec_shape(http: httpx.Client) -> None:
    result = deploy(http)
    assert KEY.match(result["deploymentKey"])
    assert result["tenantId"] == "<default>"
    (entry,) = result["deployments"]
    assert set(entry) == {
        "processDefinition",
        "decisionDefinition",
        "decisionRequirements",
        "form",
        "resource",
    }
    process = entry["processDefinition"]
    assert process["processDefinitionId"] == "order-process"
    assert process["processDefinitionVersion"] == 1
    assert process["resourceName"] == "order.bpmn"
    assert len(process["processDefinitionKey"]) == 16
    assert deploy(http)["deployments"][0]["processDefinition"]["processDefinitionVersion"] == 2


def test_instance_runs_through_both_tasks_in_document_order(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    deploy(http)
    instance_key = start_instance(http, {"orderId": "A-1"})
    assert activate(http, "ship") == []

    (charge,) = activate(http, "charge", worker="charger")
    assert charge["elementId"] == "charge-card"
    assert charge["customHeaders"] == {"currency": "EUR"}
    assert charge["variables"] == {"orderId": "A-1"}
    assert charge["processInstanceKey"] == instance_key
    assert charge["worker"] == "charger"
    assert charge["retries"] == 3
    assert charge["kind"] == "BPMN_ELEMENT"
    assert isinstance(charge["deadline"], int)
    assert (
        http.post(
            f"/jobs/{charge['jobKey']}/completion", json={"variables": {"paid": True}}
        ).status_code
        == 204
    )

    (ship,) = activate(http, "ship", fetchVariable=["paid"])
    assert ship["variables"] == {"paid": True}
    assert http.post(f"/jobs/{ship['jobKey']}/completion").status_code == 204

    instance = http.get(f"/process-instances/{instance_key}").json()
    assert instance["state"] == "COMPLETED"
    assert instance["endDate"] is not None
    assert cluster.instance(instance_key).variables == {"orderId": "A-1", "paid": True}
    assert cluster.stats.completions == {charge["jobKey"]: 1, ship["jobKey"]: 1}


def test_second_completion_is_404_and_counted_once(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    deploy(http)
    start_instance(http)
    (job,) = activate(http, "charge")
    assert http.post(f"/jobs/{job['jobKey']}/completion", json={}).status_code == 204
    again = http.post(f"/jobs/{job['jobKey']}/completion", json={})
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["title"] == "NOT_FOUND"
    stats = cluster.stats
    assert stats.completions[job["jobKey"]] == 1
    assert stats.rejected_completions == 1
    assert stats.duplicate_completions == {}
    assert cluster.job(job["jobKey"]).completion_attempts == 2


def test_create_instance_rejects_numeric_key_and_unknown_key(http: httpx.Client) -> None:
    bad = http.post("/process-instances", json={"processDefinitionKey": 99999})
    assert bad.status_code == 400
    assert bad.json()["status"] == 400
    unknown = http.post("/process-instances", json={"processDefinitionKey": "99999"})
    assert unknown.status_code == 404
    assert http.post("/process-instances", json={"processDefinitionId": "nope"}).status_code == 404


def test_helpers_deploy_and_start_without_http(cluster: FakeCluster) -> None:
    deployed = cluster.deploy_bpmn(TWO_TASK_BPMN)
    assert deployed.process_definition_id == "order-process"
    assert deployed.job_types == ("charge", "ship")
    instance = cluster.create_process_instance("order-process", {"x": 1})
    assert instance.state == "ACTIVE"
    (job,) = cluster.jobs(state="ACTIVATABLE")
    assert job.job_type == "charge"
    assert job.process_instance_key == instance.process_instance_key
