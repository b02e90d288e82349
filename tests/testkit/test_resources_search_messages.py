"""Deploying DMN and forms, malformed resources, search paging, messages, documents."""

from __future__ import annotations

import httpx

from camunda_testkit import FakeCluster

from .conftest import DMN, MESSAGE_START_BPMN, TWO_TASK_BPMN, deploy, start_instance


def test_dmn_and_form_deploy_in_one_request(http: httpx.Client) -> None:
    response = http.post(
        "/deployments",
        files=[
            ("resources", ("dish.dmn", DMN.encode(), "application/xml")),
            (
                "resources",
                ("order.form", b'{"id": "order-form", "components": []}', "application/json"),
            ),
        ],
        data={"tenantId": "<default>"},
    )
    assert response.status_code == 200, response.text
    entries = response.json()["deployments"]
    requirements = entries[0]["decisionRequirements"]
    assert requirements["decisionRequirementsId"] == "dish-drg"
    assert requirements["decisionRequirementsName"] == "Dishes"
    decisions = [e["decisionDefinition"] for e in entries[1:3]]
    assert [d["decisionDefinitionId"] for d in decisions] == ["dish", "drink"]
    assert all(
        d["decisionRequirementsKey"] == requirements["decisionRequirementsKey"] for d in decisions
    )
    form = entries[3]["form"]
    assert (form["formId"], form["version"]) == ("order-form", 1)


def test_malformed_and_unsupported_resources_are_400(http: httpx.Client) -> None:
    broken = http.post(
        "/deployments", files=[("resources", ("bad.bpmn", b"<bpmn:definitions", "text/xml"))]
    )
    assert broken.status_code == 400
    assert "bad.bpmn" in broken.json()["detail"]
    other = http.post("/deployments", files=[("resources", ("notes.txt", b"hi", "text/plain"))])
    assert other.status_code == 400
    not_multipart = http.post("/deployments", json={"resources": []})
    assert not_multipart.status_code == 400


def test_process_definitions_get_search_and_xml(cluster: FakeCluster, http: httpx.Client) -> None:
    first = deploy(http)["deployments"][0]["processDefinition"]
    second = deploy(http)["deployments"][0]["processDefinition"]
    fetched = http.get(f"/process-definitions/{first['processDefinitionKey']}").json()
    assert (fetched["processDefinitionId"], fetched["version"], fetched["name"]) == (
        "order-process",
        1,
        "Order process",
    )
    latest = http.post(
        "/process-definitions/search", json={"filter": {"isLatestVersion": True}}
    ).json()
    assert [i["processDefinitionKey"] for i in latest["items"]] == [second["processDefinitionKey"]]
    xml = http.get(f"/process-definitions/{first['processDefinitionKey']}/xml")
    assert xml.text == TWO_TASK_BPMN
    assert http.get("/process-definitions/1").status_code == 404
    # Starting by id picks the latest version unless one is named.
    by_version = http.post(
        "/process-instances",
        json={"processDefinitionId": "order-process", "processDefinitionVersion": 1},
    ).json()
    assert by_version["processDefinitionKey"] == first["processDefinitionKey"]
    assert cluster.create_process_instance("order-process").version == 2


def test_instance_search_with_offset_and_cursor_paging(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    deploy(http)
    keys = [start_instance(http) for _ in range(5)]
    http.post(f"/process-instances/{keys[0]}/cancellation")

    first = http.post("/process-instances/search", json={"page": {"limit": 2}}).json()
    assert [i["processInstanceKey"] for i in first["items"]] == keys[:2]
    assert first["page"]["totalItems"] == 5
    nxt = http.post(
        "/process-instances/search",
        json={"page": {"limit": 2, "after": first["page"]["endCursor"]}},
    ).json()
    assert [i["processInstanceKey"] for i in nxt["items"]] == keys[2:4]
    last = http.post(
        "/process-instances/search", json={"page": {"limit": 2, "after": nxt["page"]["endCursor"]}}
    ).json()
    assert [i["processInstanceKey"] for i in last["items"]] == keys[4:]
    back = http.post(
        "/process-instances/search",
        json={"page": {"limit": 2, "before": last["page"]["startCursor"]}},
    ).json()
    assert [i["processInstanceKey"] for i in back["items"]] == keys[2:4]
    offset = http.post("/process-instances/search", json={"page": {"from": 3, "limit": 10}}).json()
    assert [i["processInstanceKey"] for i in offset["items"]] == keys[3:]

    active = http.post("/process-instances/search", json={"filter": {"state": "ACTIVE"}}).json()
    assert active["page"]["totalItems"] == 4
    chosen = http.post(
        "/process-instances/search",
        json={
            "filter": {
                "processInstanceKey": {"$in": keys[1:3]},
                "processDefinitionId": "order-process",
            }
        },
    ).json()
    assert [i["processInstanceKey"] for i in chosen["items"]] == keys[1:3]
    descending = http.post(
        "/process-instances/search",
        json={"sort": [{"field": "processInstanceKey", "order": "DESC"}]},
    ).json()
    assert [i["processInstanceKey"] for i in descending["items"]] == keys[::-1]
    empty = http.post("/process-instances/search", json={"filter": {"state": "COMPLETED"}}).json()
    assert empty["items"] == []
    assert empty["page"]["startCursor"] is None
    bad = http.post("/process-instances/search", json={"page": {"after": "!!"}})
    assert bad.status_code == 400
    assert len(cluster.instances(state="ACTIVE")) == 4


def test_publish_and_correlate_messages(cluster: FakeCluster, http: httpx.Client) -> None:
    published = http.post(
        "/messages/publication",
        json={"name": "nobody-listens", "correlationKey": "k", "timeToLive": 1000},
    )
    assert published.status_code == 200
    assert published.json()["tenantId"] == "<default>"
    assert published.json()["messageKey"].isdigit()
    missing = http.post(
        "/messages/correlation", json={"name": "nobody-listens", "correlationKey": "k"}
    )
    assert missing.status_code == 404

    deploy(http, MESSAGE_START_BPMN, "on-order.bpmn")
    correlated = http.post(
        "/messages/correlation", json={"name": "order-received", "variables": {"orderId": 7}}
    )
    assert correlated.status_code == 200
    instance_key = correlated.json()["processInstanceKey"]
    (job,) = cluster.jobs(job_type="notify")
    assert job.process_instance_key == instance_key
    assert cluster.instance(instance_key).variables == {"orderId": 7}
    names = [m.name for m in cluster.messages]
    assert names == ["nobody-listens", "order-received"]
    assert http.post("/messages/publication", json={}).status_code == 400


def test_documents_round_trip(http: httpx.Client) -> None:
    created = http.post(
        "/documents",
        files={"file": ("invoice.pdf", b"%PDF-1.4 fake", "application/pdf")},
    )
    assert created.status_code == 201, created.text
    reference = created.json()
    assert reference["camunda.document.type"] == "camunda"
    assert reference["metadata"]["fileName"] == "invoice.pdf"
    assert reference["metadata"]["size"] == len(b"%PDF-1.4 fake")
    document_id = reference["documentId"]
    fetched = http.get(f"/documents/{document_id}")
    assert (fetched.content, fetched.headers["content-type"]) == (
        b"%PDF-1.4 fake",
        "application/pdf",
    )
    assert http.delete(f"/documents/{document_id}").status_code == 204
    assert http.get(f"/documents/{document_id}").status_code == 404


def test_instance_without_job_tasks_completes_at_once(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        '<process id="empty"><startEvent id="s"/></process></definitions>',
        "empty.bpmn",
    )
    assert cluster.create_process_instance("empty").state == "COMPLETED"
