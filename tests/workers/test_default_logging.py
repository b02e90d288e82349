"""With nothing configured, errors reach loguru's stderr sink with their traceback; `silent` prints nothing.

Run in a subprocess: loguru's real default sink, no test capture in between.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from camunda_testkit import FakeCluster

# The script uses the meta package (absent when the workers package is tested alone).
pytest.importorskip("camunda_orchestration_sdk")

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from camunda_orchestration_sdk import CamundaAsyncClient, WorkerConfig

    def charge(job):
        order = job.variables.to_dict()
        return {"paid": order["customerId"]}  # KeyError: the variable is missing

    async def main():
        async with CamundaAsyncClient(configuration={"CAMUNDA_REST_ADDRESS": sys.argv[1]}) as client:
            client.create_job_worker(
                WorkerConfig(job_type="charge", job_timeout_milliseconds=30_000), charge
            )
            for _ in range(100):
                await asyncio.sleep(0.05)
                if client.job_workers[0].report.failed:
                    break
            await client.stop_workers(grace=1)

    asyncio.run(main())
    """
)

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="pay" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1"/>
    <bpmn:serviceTask id="t1"><bpmn:extensionElements><zeebe:taskDefinition type="charge" retries="1"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _run(cluster: FakeCluster, **env: str) -> str:
    cluster.deploy_bpmn(BPMN.encode(), "pay.bpmn")
    cluster.create_process_instance("pay", {"amount": 5})
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA_", "ZEEBE_", "LOGURU_"))}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, cluster.rest_address],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr


def test_a_handler_error_is_printed_with_its_traceback_at_the_default_level(camunda_cluster: FakeCluster) -> None:
    stderr = _run(camunda_cluster)
    assert "ERROR" in stderr and "KeyError" in stderr and "customerId" in stderr, stderr[-2000:]
    assert "Traceback" in stderr, stderr[-2000:]
    assert "| INFO" not in stderr and "| DEBUG" not in stderr  # errors only


@pytest.mark.parametrize("level", ["silent"])
def test_silent_prints_nothing(camunda_cluster: FakeCluster, level: str) -> None:
    assert _run(camunda_cluster, CAMUNDA_SDK_LOG_LEVEL=level) == ""
