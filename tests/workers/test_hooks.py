"""The job lifecycle hooks, seen by a plugin."""

from __future__ import annotations

from typing import Any

from worker_testing import CamundaAsyncClient, bpmn, completed_instances, run, wait_until

from camunda_core.hookspecs import hookimpl
from camunda_testkit import FakeCluster
from camunda_workers import JobActivated, JobContext, JobFinished, WorkerConfig


class Recorder:
    def __init__(self) -> None:
        self.activated: list[JobActivated] = []
        self.finished: list[JobFinished] = []

    @hookimpl
    def camunda_job_activated(self, event: JobActivated) -> None:
        self.activated.append(event)

    @hookimpl
    def camunda_job_finished(self, event: JobFinished) -> None:
        self.finished.append(event)


class Broken:
    @hookimpl
    def camunda_job_finished(self, event: JobFinished) -> None:
        raise RuntimeError("observer bug")


def test_observers_see_every_job_and_cannot_break_one(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "work"))
    for i in range(6):
        cluster.create_process_instance("p", {"n": i})
    recorder = Recorder()

    async def handler(job: JobContext) -> dict[str, Any]:
        if job.variables["n"] == 0:
            raise ValueError("boom")
        return {}

    async def main() -> None:
        configuration = {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
        async with CamundaAsyncClient(
            configuration=configuration, environ={}, load_entry_points=False, plugins=[Broken(), recorder]
        ) as client:
            client.create_job_worker(WorkerConfig(job_type="work", job_timeout_milliseconds=10_000), handler)
            await wait_until(lambda: completed_instances(cluster) == 5 and len(recorder.finished) >= 6)
            await client.stop_workers(grace=1)

    run(main())
    outcomes = sorted(e.outcome for e in recorder.finished)
    assert outcomes[:1] == ["completed"] and outcomes.count("completed") == 5 and "failed" in outcomes
    assert {e.job_key for e in recorder.activated} >= {e.job_key for e in recorder.finished}
    assert all(e.duration_seconds >= 0 and e.job_type == "work" for e in recorder.finished)


def test_the_job_hooks_are_known_to_a_blocking_client_through_the_workers_entry_point() -> None:
    from camunda_core.client import CamundaClient
    from camunda_core.hookspecs import hookimpl as core_hookimpl

    class JobObserver:
        @core_hookimpl
        def camunda_job_finished(self, event: Any) -> None: ...

    CamundaClient({}, plugins=[JobObserver()], environ={}).close()  # loads the installed entry points
