from __future__ import annotations

from typing import Any

from worker_testing import bpmn, completed_instances, make_client, run, wait_until

from camunda_testkit import FakeCluster
from camunda_workers import JobContext, WorkerConfig


def test_async_handler_completes_jobs(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "work"))
    for i in range(5):
        cluster.create_process_instance("p", {"n": i})

    async def handler(job: JobContext) -> dict[str, Any]:
        return {"doubled": job.variables["n"] * 2}

    async def main() -> None:
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(WorkerConfig(job_type="work", job_timeout_milliseconds=10_000), handler)
            await wait_until(lambda: completed_instances(cluster) == 5)
            report = await client.stop_workers(grace=1)
            assert report.completed == 5

    run(main())
    assert cluster.stats.duplicate_completions == {}
