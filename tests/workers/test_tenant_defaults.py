"""Workers activate jobs of CAMUNDA_TENANT_IDS (else CAMUNDA_TENANT_ID) unless they name their tenants."""

from __future__ import annotations

from typing import Any

from worker_testing import bpmn, run, run_worker_until

from camunda_core.config import resolve_config
from camunda_testkit import FakeCluster
from camunda_workers import JobContext, WorkerConfig


async def noop_handler(job: Any) -> None:
    return None


def resolved_tenants(worker_tenants: list[str] | None = None, **environ: str) -> tuple[str, ...] | None:
    config = WorkerConfig(job_type="t", job_timeout_milliseconds=1, tenant_ids=worker_tenants)
    return config.resolve(resolve_config({}, environ=environ), noop_handler).tenant_ids


def test_worker_tenants_come_from_camunda_tenant_ids() -> None:
    assert resolved_tenants(CAMUNDA_TENANT_IDS="a,b", CAMUNDA_TENANT_ID="c") == ("a", "b")
    assert resolved_tenants(CAMUNDA_TENANT_ID="c") == ("c",)
    assert resolved_tenants() is None
    assert resolved_tenants(["own"], CAMUNDA_TENANT_IDS="a,b") == ("own",)


def test_a_worker_handles_only_the_configured_tenants_jobs(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    for tenant in ("tenant-a", "tenant-b", "tenant-c"):
        cluster.deploy_bpmn(bpmn("p", "work"), tenant_id=tenant)
        cluster.create_process_instance("p", tenant_id=tenant)
    seen: list[str] = []

    async def handler(job: JobContext) -> None:
        seen.append(str(job.tenant_id))

    report = run(
        run_worker_until(
            cluster,
            WorkerConfig(job_type="work", job_timeout_milliseconds=10_000),
            handler,
            lambda: len(cluster.instances(state="COMPLETED")) == 2,
            CAMUNDA_TENANT_IDS="tenant-a,tenant-c",
        )
    )
    assert sorted(seen) == ["tenant-a", "tenant-c"]
    assert report.completed == 2
    (left,) = cluster.instances(state="ACTIVE")
    assert left.tenant_id == "tenant-b"
