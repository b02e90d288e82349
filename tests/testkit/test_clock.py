"""The cluster's clock: tests move it forward instead of waiting."""

from __future__ import annotations

from datetime import timedelta

from camunda_testkit import FakeCluster

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="work"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_advancing_the_clock_moves_now_and_times_out_an_activated_job(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    before = cluster.clock.now()
    cluster.clock.advance(timedelta(hours=2))
    assert cluster.clock.now() - before >= timedelta(hours=2)

    cluster.deploy_bpmn(BPMN)
    cluster.create_process_instance("p")
    import httpx

    activated = httpx.post(
        f"{cluster.rest_address}/jobs/activation",
        json={"type": "work", "timeout": 60_000, "maxJobsToActivate": 1, "requestTimeout": -1},
    ).json()["jobs"]
    assert len(activated) == 1
    assert cluster.stats.timeouts == 0
    cluster.clock.advance(timedelta(seconds=61))  # past the job's timeout: offered again at once
    assert cluster.stats.timeouts == 1
    again = httpx.post(
        f"{cluster.rest_address}/jobs/activation",
        json={"type": "work", "timeout": 60_000, "maxJobsToActivate": 1, "requestTimeout": -1},
    ).json()["jobs"]
    assert [job["jobKey"] for job in again] == [activated[0]["jobKey"]]
