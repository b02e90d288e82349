"""CAMUNDA_TENANT_IDS and CAMUNDA_TENANT_ID applied to activate_jobs' tenantIds, sync and async."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from mock_transport import ScriptedTransport, ok

from camunda_core import CamundaAsyncClient, CamundaClient
from camunda_core.config import resolve_config
from camunda_core.errors import ConfigurationError
from camunda_core.models import JobActivationRequest
from camunda_core.models.tenant_filter_enum import TenantFilterEnum
from camunda_testkit import FakeCluster

NO_JOBS = {"jobs": []}


def activation(**fields: Any) -> JobActivationRequest:
    return JobActivationRequest(type="work", timeout=10_000, max_jobs_to_activate=10, **fields)


def sent_body(configuration: dict[str, object], data: JobActivationRequest, *, asynchronous: bool) -> dict[str, Any]:
    transport = ScriptedTransport(ok(NO_JOBS))
    settings: dict[str, object] = {"CAMUNDA_REST_ADDRESS": "http://cluster.test", **configuration}
    if asynchronous:

        async def main() -> None:
            async with CamundaAsyncClient(settings, plugins=[transport], load_entry_points=False, environ={}) as client:
                await client.activate_jobs(data=data)

        asyncio.run(main())
    else:
        with CamundaClient(settings, plugins=[transport], load_entry_points=False, environ={}) as client:
            client.activate_jobs(data=data)
    return json.loads(transport.requests[0].content)


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


# -- the variable ----------------------------------------------------------------------------


def test_tenant_ids_are_comma_separated_and_trimmed() -> None:
    config = resolve_config(environ={"CAMUNDA_TENANT_IDS": " tenant-a, tenant-b ,tenant-c"})
    assert config.tenant_ids == ("tenant-a", "tenant-b", "tenant-c")
    assert config.job_tenant_ids == ("tenant-a", "tenant-b", "tenant-c")
    assert resolve_config({"CAMUNDA_TENANT_IDS": ["x", "y"]}, environ={}).tenant_ids == ("x", "y")


def test_job_tenant_ids_fall_back_to_the_default_tenant() -> None:
    assert resolve_config(environ={"CAMUNDA_TENANT_ID": "acme"}).job_tenant_ids == ("acme",)
    assert resolve_config(environ={}).job_tenant_ids is None
    both = resolve_config(environ={"CAMUNDA_TENANT_ID": "acme", "CAMUNDA_TENANT_IDS": "a,b"})
    assert both.tenant_id == "acme" and both.job_tenant_ids == ("a", "b")


@pytest.mark.parametrize(
    ("value", "says"),
    [("a,,b", "an entry is empty"), ("a,b,a", "'a' is listed twice"), (" , ", "an entry is empty")],
)
def test_bad_tenant_lists_are_reported(value: str, says: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(environ={"CAMUNDA_TENANT_IDS": value})
    assert caught.value.variables == ("CAMUNDA_TENANT_IDS",)
    assert says in str(caught.value)


# -- what activate_jobs sends ----------------------------------------------------------------


def test_tenant_ids_are_sent(asynchronous: bool) -> None:
    body = sent_body({"CAMUNDA_TENANT_IDS": "tenant-a,tenant-b"}, activation(), asynchronous=asynchronous)
    assert body["tenantIds"] == ["tenant-a", "tenant-b"]
    assert "tenantId" not in body


def test_default_tenant_is_sent_alone(asynchronous: bool) -> None:
    body = sent_body({"CAMUNDA_TENANT_ID": "acme"}, activation(), asynchronous=asynchronous)
    assert body["tenantIds"] == ["acme"]


def test_the_callers_tenant_ids_win(asynchronous: bool) -> None:
    body = sent_body(
        {"CAMUNDA_TENANT_IDS": "tenant-a"}, activation(tenant_ids=["mine"]), asynchronous=asynchronous
    )
    assert body["tenantIds"] == ["mine"]


def test_assigned_tenants_filter_gets_no_tenant_ids(asynchronous: bool) -> None:
    body = sent_body(
        {"CAMUNDA_TENANT_ID": "acme"},
        activation(tenant_filter=TenantFilterEnum.ASSIGNED),
        asynchronous=asynchronous,
    )
    assert body["tenantFilter"] == "ASSIGNED"
    assert "tenantIds" not in body


def test_nothing_configured_sends_no_tenant_ids(asynchronous: bool) -> None:
    body = sent_body({}, activation(), asynchronous=asynchronous)
    assert "tenantIds" not in body


def test_a_plain_dict_body_gets_them_too() -> None:
    transport = ScriptedTransport(ok(NO_JOBS))
    with CamundaClient(
        {"CAMUNDA_REST_ADDRESS": "http://cluster.test", "CAMUNDA_TENANT_IDS": "a"},
        plugins=[transport],
        load_entry_points=False,
        environ={},
    ) as client:
        client.activate_jobs(data={"type": "work", "timeout": 1000, "maxJobsToActivate": 1})  # type: ignore[arg-type]
    assert json.loads(transport.requests[0].content)["tenantIds"] == ["a"]


# -- against the test kit: only the configured tenants' jobs come back ------------------------

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:serviceTask id="task"><bpmn:extensionElements>
      <zeebe:taskDefinition type="work"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def tenanted_cluster() -> Iterator[FakeCluster]:
    cluster = FakeCluster()
    cluster.start()
    try:
        for tenant in ("tenant-a", "tenant-b", "tenant-c"):
            cluster.deploy_bpmn(PROCESS, tenant_id=tenant)
            cluster.create_process_instance("p", tenant_id=tenant)
        cluster.deploy_bpmn(PROCESS)
        cluster.create_process_instance("p")
        yield cluster
    finally:
        cluster.stop()


def activated_tenants(cluster: FakeCluster, settings: dict[str, object], *, asynchronous: bool) -> set[str]:
    configuration: dict[str, object] = {
        "CAMUNDA_REST_ADDRESS": cluster.rest_address,
        "CAMUNDA_AUTH_STRATEGY": "NONE",
        **settings,
    }
    if asynchronous:

        async def main() -> Any:
            async with CamundaAsyncClient(configuration, load_entry_points=False, environ={}) as client:
                return await client.activate_jobs(data=activation())

        result = asyncio.run(main())
    else:
        with CamundaClient(configuration, load_entry_points=False, environ={}) as client:
            result = client.activate_jobs(data=activation())
    return {str(job.tenant_id) for job in result.jobs}


def test_activation_asks_for_the_configured_tenants(tenanted_cluster: FakeCluster, asynchronous: bool) -> None:
    tenants = activated_tenants(
        tenanted_cluster, {"CAMUNDA_TENANT_IDS": "tenant-a,tenant-b"}, asynchronous=asynchronous
    )
    assert tenants == {"tenant-a", "tenant-b"}


def test_activation_asks_for_the_default_tenant(tenanted_cluster: FakeCluster, asynchronous: bool) -> None:
    tenants = activated_tenants(tenanted_cluster, {"CAMUNDA_TENANT_ID": "tenant-c"}, asynchronous=asynchronous)
    assert tenants == {"tenant-c"}


def test_without_configuration_the_server_decides(tenanted_cluster: FakeCluster, asynchronous: bool) -> None:
    assert activated_tenants(tenanted_cluster, {}, asynchronous=asynchronous) == {"<default>"}


def test_with_overrides_checks_tenant_ids() -> None:
    config = resolve_config(environ={})
    assert config.with_overrides(tenant_ids=["a", "b"]).job_tenant_ids == ("a", "b")
    assert config.with_overrides(tenant_ids="a, b").tenant_ids == ("a", "b")
    assert config.with_overrides(tenant_ids=None).tenant_ids is None
    with pytest.raises(ConfigurationError, match="tenant_ids"):
        config.with_overrides(tenant_ids=["a", ""])
