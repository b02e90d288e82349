"""BPMN reading (namespaces, job-based task kinds, headers) and multipart decoding."""

from __future__ import annotations

import pytest

from camunda_testkit import FakeCluster
from camunda_testkit._http import parse_multipart
from camunda_testkit.engine.resources import ResourceError, parse_bpmn

MIXED_TASKS = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
             xmlns:z="http://camunda.org/schema/zeebe/1.0">
  <process id="mixed" name="Mixed">
    <startEvent id="s"/>
    <scriptTask id="score"><extensionElements><z:taskDefinition type="score" retries="5"/></extensionElements></scriptTask>
    <subProcess id="sub">
      <startEvent id="sub-start"/>
      <businessRuleTask id="rules"><extensionElements><z:taskDefinition type="rules"/>
        <z:taskHeaders><z:header key="a" value="1"/><z:header key="b" value="2"/></z:taskHeaders>
      </extensionElements></businessRuleTask>
    </subProcess>
    <sendTask id="mail"><extensionElements><z:taskDefinition type="mail" retries="=retries"/></extensionElements></sendTask>
  </process>
  <process id="second"/>
</definitions>
"""


def test_job_tasks_in_document_order_with_any_prefix() -> None:
    first, second = parse_bpmn("mixed.bpmn", MIXED_TASKS)
    assert first.process_id == "mixed"
    assert first.name == "Mixed"
    assert [(t.element_id, t.element_type, t.job_type, t.retries) for t in first.tasks] == [
        ("score", "scriptTask", "score", 5),
        ("rules", "businessRuleTask", "rules", 3),
        ("mail", "sendTask", "mail", 3),
    ]
    assert first.tasks[1].custom_headers == {"a": "1", "b": "2"}
    assert second.process_id == "second"
    assert second.tasks == ()


def test_deploying_two_processes_returns_both(cluster: FakeCluster) -> None:
    result = cluster.deploy_resource("mixed.bpmn", MIXED_TASKS)
    ids = [entry["processDefinition"]["processDefinitionId"] for entry in result["deployments"]]
    assert ids == ["mixed", "second"]
    assert cluster.deploy_bpmn(MIXED_TASKS, "mixed.bpmn").job_types == ("score", "rules", "mail")


def test_bad_bpmn_is_reported_with_the_resource_name(cluster: FakeCluster) -> None:
    with pytest.raises(ResourceError, match=r"nothing\.bpmn"):
        parse_bpmn(
            "nothing.bpmn", b"<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'/>"
        )
    with pytest.raises(ValueError, match=r"broken\.bpmn"):
        cluster.deploy_bpmn("<oops", "broken.bpmn")


def test_multipart_parts_and_malformed_bodies() -> None:
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="resources"; filename="a.bpmn"\r\n'
        b"Content-Type: application/xml\r\n\r\n"
        b"<a/>\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="tenantId"\r\n\r\n'
        b"t1\r\n--XyZ--\r\n"
    )
    resource, tenant = parse_multipart('multipart/form-data; boundary="XyZ"', body)
    assert (resource.name, resource.filename, resource.content_type, resource.data) == (
        "resources",
        "a.bpmn",
        "application/xml",
        b"<a/>",
    )
    assert (tenant.name, tenant.filename, tenant.data) == ("tenantId", None, b"t1")
    with pytest.raises(ValueError, match="boundary"):
        parse_multipart("multipart/form-data", body)
    with pytest.raises(ValueError, match="closing boundary"):
        parse_multipart("multipart/form-data; boundary=XyZ", body[:-9])
    with pytest.raises(ValueError, match="multipart/form-data"):
        parse_multipart("application/json", body)
