"""Shared helpers for the fake cluster's tests (httpx only; no SDK client)."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.util import find_spec
from typing import Any

import httpx
import pytest

from camunda_testkit import FakeCluster

# The docs example is a user's test: it imports the SDK, which the test kit does not need.
# Installed alone (tools/test_isolated.sh), the kit's own tests run without it.
collect_ignore = [] if find_spec("camunda_orchestration_sdk") is not None else ["test_docs_example.py"]


TWO_TASK_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="definitions" targetNamespace="http://example.com/orders">
  <bpmn:process id="order-process" name="Order process" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="charge-card" name="Charge card">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="charge" retries="3"/>
        <zeebe:taskHeaders>
          <zeebe:header key="currency" value="EUR"/>
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="ship-parcel" name="Ship parcel">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="ship"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge-card"/>
    <bpmn:sequenceFlow id="f2" sourceRef="charge-card" targetRef="ship-parcel"/>
    <bpmn:sequenceFlow id="f3" sourceRef="ship-parcel" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dish-drg" name="Dishes">
  <decision id="dish" name="Pick a dish"><decisionTable id="t"/></decision>
  <decision id="drink" name="Pick a drink"><decisionTable id="t2"/></decision>
</definitions>
"""

MESSAGE_START_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d2">
  <bpmn:message id="m1" name="order-received"/>
  <bpmn:process id="on-order" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="m1"/></bpmn:startEvent>
    <bpmn:sendTask id="notify">
      <bpmn:extensionElements><zeebe:taskDefinition type="notify"/></bpmn:extensionElements>
    </bpmn:sendTask>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def cluster() -> Iterator[FakeCluster]:
    with FakeCluster() as running:
        yield running


@pytest.fixture
def http(cluster: FakeCluster) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cluster.rest_address, timeout=30) as client:
        yield client


def deploy(http: httpx.Client, xml: str = TWO_TASK_BPMN, name: str = "order.bpmn") -> Any:
    response = http.post(
        "/deployments", files=[("resources", (name, xml.encode(), "application/xml"))]
    )
    assert response.status_code == 200, response.text
    return response.json()


def start_instance(http: httpx.Client, variables: dict[str, Any] | None = None) -> str:
    response = http.post(
        "/process-instances",
        json={"processDefinitionId": "order-process", "variables": variables or {}},
    )
    assert response.status_code == 200, response.text
    return response.json()["processInstanceKey"]


def activate(
    http: httpx.Client,
    job_type: str,
    *,
    max_jobs: int = 10,
    timeout: int = 60_000,
    request_timeout: int = -1,
    worker: str = "test-worker",
    **extra: Any,
) -> list[dict[str, Any]]:
    response = http.post(
        "/jobs/activation",
        json={
            "type": job_type,
            "maxJobsToActivate": max_jobs,
            "timeout": timeout,
            "worker": worker,
            "requestTimeout": request_timeout,
            **extra,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["jobs"]
