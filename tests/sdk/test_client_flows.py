"""End-to-end flows through the public clients against the fake cluster, sync and async."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from camunda_orchestration_sdk import (
    CamundaAsyncClient,
    CamundaClient,
    ProcessInstanceKey,
    WaitFor,
    errors,
)
from camunda_orchestration_sdk.models import (
    ProcessCreationById,
    ProcessInstanceFilter,
    ProcessInstanceSearchQuery,
    ProcessInstanceSearchQueryResult,
)
from camunda_testkit import FakeCluster

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="flow-process" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="work"><bpmn:extensionElements>
      <zeebe:taskDefinition type="flow-work"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def bpmn_file(tmp_path: Path) -> Path:
    path = tmp_path / "flow.bpmn"
    path.write_text(BPMN)
    return path


def _config(cluster: FakeCluster) -> dict[str, object]:
    return {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}


def _by_process(process_id: str) -> ProcessInstanceSearchQuery:
    return ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(process_definition_id=process_id))


def test_sync_flow(camunda_cluster: FakeCluster, bpmn_file: Path) -> None:
    with CamundaClient(configuration=_config(camunda_cluster)) as client:
        deployment = client.deploy_resources_from_files([bpmn_file])
        assert [p.process_definition_id for p in deployment.processes] == ["flow-process"]
        keys = [
            client.create_process_instance(data=ProcessCreationById(process_definition_id="flow-process")).process_instance_key
            for _ in range(7)
        ]
        found = client.search_process_instances(
            data=_by_process("flow-process"),
            wait=WaitFor[ProcessInstanceSearchQueryResult](lambda r: len(r.items) == 7, timeout=5),
        )
        assert sorted(i.process_instance_key for i in found.items) == sorted(keys)
        paged = list(client.iter_search_process_instances(data=_by_process("flow-process"), page_size=3))
        assert sorted(i.process_instance_key for i in paged) == sorted(keys)
        page_requests = [r.json for r in camunda_cluster.requests if r.operation == "searchProcessInstances"]
        assert any(body and body.get("page", {}).get("after") for body in page_requests), "later pages use the cursor"
        client.cancel_process_instance(process_instance_key=keys[0])
        assert client.get_process_instance(process_instance_key=keys[0]).state == "TERMINATED"
        with pytest.raises(errors.GetProcessInstanceNotFound) as caught:
            client.get_process_instance(process_instance_key=ProcessInstanceKey("1"))
        assert isinstance(caught.value, errors.NotFound) and caught.value.status == 404


def test_async_flow(camunda_cluster: FakeCluster, bpmn_file: Path) -> None:
    async def main() -> None:
        async with CamundaAsyncClient(configuration=_config(camunda_cluster)) as client:
            deployment = await client.deploy_resources_from_files([bpmn_file])
            assert deployment.processes[0].process_definition_id == "flow-process"
            created = await asyncio.gather(
                *(client.create_process_instance(data=ProcessCreationById(process_definition_id="flow-process")) for _ in range(7))
            )
            keys = sorted(c.process_instance_key for c in created)
            paged = [i async for i in client.iter_search_process_instances(data=_by_process("flow-process"), page_size=3)]
            assert sorted(i.process_instance_key for i in paged) == keys
            await client.cancel_process_instance(process_instance_key=created[0].process_instance_key)
            with pytest.raises(errors.GetProcessInstanceNotFound):
                await client.get_process_instance(process_instance_key=ProcessInstanceKey("1"))

    asyncio.run(main())


def test_backpressure_is_absorbed_by_retries(camunda_cluster: FakeCluster, bpmn_file: Path) -> None:
    camunda_cluster.faults.backpressure("createProcessInstance", times=2)
    with CamundaClient(configuration={**_config(camunda_cluster), "CAMUNDA_RETRY_INITIAL_DELAY_MS": "1"}) as client:
        client.deploy_resources_from_files([bpmn_file])
        result = client.create_process_instance(data=ProcessCreationById(process_definition_id="flow-process"))
    assert result.process_instance_key
    creates = [r for r in camunda_cluster.requests if r.operation == "createProcessInstance"]
    assert len(creates) == 3


def test_html_error_from_a_proxy_is_a_typed_error(camunda_cluster: FakeCluster) -> None:
    camunda_cluster.faults.html_error("getTopology", status=502)
    config = {**_config(camunda_cluster), "CAMUNDA_RETRY_MAX_ATTEMPTS": "1"}
    with CamundaClient(configuration=config) as client, pytest.raises(errors.BadGateway) as caught:
        client.get_topology()
    assert caught.value.raw_body and "<html" in caught.value.raw_body.lower()


def test_missing_deployment_file_names_the_file(camunda_cluster: FakeCluster, tmp_path: Path) -> None:
    with CamundaClient(configuration=_config(camunda_cluster)) as client, pytest.raises(
        errors.ValidationError, match=r"missing\.bpmn"
    ):
        client.deploy_resources_from_files([tmp_path / "missing.bpmn"])
