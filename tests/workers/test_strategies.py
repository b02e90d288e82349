"""Each execution strategy: success, exceptions, explicit outcomes, BPMN errors, timeouts."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import worker_handlers
from worker_testing import bpmn, make_client, run, run_worker_until, wait_until

from camunda_core.errors import ValidationError
from camunda_testkit import FakeCluster
from camunda_workers import JobContext, JobError, JobFailure, OutcomeAlreadySentError, WorkerConfig


def cfg(strategy: str, **kwargs: Any) -> WorkerConfig:
    base: dict[str, Any] = {
        "job_type": "work",
        "job_timeout_milliseconds": 10_000,
        "request_timeout_milliseconds": 200,
        "execution_strategy": strategy,
    }
    base.update(kwargs)
    return WorkerConfig(**base)


def terminal(cluster: FakeCluster, count: int, state: str) -> bool:
    return len(cluster.jobs(state=state)) >= count


def start(cluster: FakeCluster, instances: int = 1, retries: int = 3) -> None:
    cluster.deploy_bpmn(bpmn("p", "work", retries=retries))
    for n in range(instances):
        cluster.create_process_instance("p", {"n": n})


# -- handlers for async and thread ---------------------------------------------------------


async def async_success(job: JobContext) -> dict[str, Any]:
    return {"out": job.variables["n"] + 1, "type": job.type}


def sync_success(job: JobContext) -> dict[str, Any]:
    return {"out": job.variables["n"] + 1, "type": job.type}


async def async_raises(job: JobContext) -> None:
    raise ValueError(f"bad input {job.variables['n']}")


def sync_raises(job: JobContext) -> None:
    raise ValueError(f"bad input {job.variables['n']}")


async def async_explicit_fail(job: JobContext) -> dict[str, Any]:
    result = await job.fail("explicitly failed", retries=5, retry_back_off=60_000)
    assert result == "sent"
    return {"ignored": True}


def sync_explicit_fail(job: JobContext) -> dict[str, Any]:
    job.fail("explicitly failed", retries=5, retry_back_off=60_000)
    return {"ignored": True}


async def async_job_error(job: JobContext) -> None:
    raise JobError("NOT_FOUND", "no such order", {"reason": "missing"})


def sync_job_failure(job: JobContext) -> None:
    raise JobFailure("try later", retries=7, retry_back_off=60_000)


HANDLERS: dict[str, dict[str, Any]] = {
    "async": {
        "success": async_success,
        "raises": async_raises,
        "explicit_fail": async_explicit_fail,
        "job_error": async_job_error,
    },
    "thread": {
        "success": sync_success,
        "raises": sync_raises,
        "explicit_fail": sync_explicit_fail,
        "job_error": worker_handlers.raises_job_error,
    },
    "process": {
        "success": worker_handlers.cpu_bound,
        "raises": worker_handlers.raises,
        "explicit_fail": worker_handlers.explicit_fail,
        "job_error": worker_handlers.raises_job_error,
    },
}

STRATEGIES = ["async", "thread", "process"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_success_completes_with_returned_variables(camunda_cluster: FakeCluster, strategy: str) -> None:
    cluster = camunda_cluster
    start(cluster, instances=4)
    report = run(
        run_worker_until(cluster, cfg(strategy), HANDLERS[strategy]["success"], lambda: terminal(cluster, 4, "COMPLETED"))
    )
    assert report.completed == 4 and report.failed == 0
    for job in cluster.jobs(state="COMPLETED"):
        variables = dict(job.completion_variables or {})
        if strategy == "process":
            assert variables["logger"] == "NullLogger" and variables["client"] is True
        else:
            assert variables["out"] >= 1 and variables["type"] == "work"
    assert cluster.stats.duplicate_completions == {}


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_exception_fails_with_retries_minus_one_until_incident(camunda_cluster: FakeCluster, strategy: str) -> None:
    cluster = camunda_cluster
    start(cluster, retries=3)
    report = run(run_worker_until(cluster, cfg(strategy), HANDLERS[strategy]["raises"], lambda: terminal(cluster, 1, "FAILED")))
    [job] = cluster.jobs()
    assert job.state == "FAILED" and job.retries == 0
    assert job.error_message is not None and job.error_message.startswith("ValueError: bad input 0 (at ")
    assert report.failed == 3 and report.handler_errors == 3
    bodies = [r.json for r in cluster.requests if r.operation == "failJob"]
    assert [b["retries"] for b in bodies] == [2, 1, 0]  # always explicit
    assert all(b["retryBackOff"] == 0 for b in bodies)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_explicit_fail_is_the_only_outcome(camunda_cluster: FakeCluster, strategy: str) -> None:
    cluster = camunda_cluster
    start(cluster)
    report = run(
        run_worker_until(cluster, cfg(strategy), HANDLERS[strategy]["explicit_fail"], lambda: terminal(cluster, 1, "BACKOFF"))
    )
    [job] = cluster.jobs()
    assert job.retries == 5 and job.error_message == "explicitly failed" and job.completions == 0
    assert report.failed == 1 and report.completed == 0
    assert [r.operation for r in cluster.requests if r.operation != "activateJobs"] == ["failJob"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_job_error_throws_a_bpmn_error(camunda_cluster: FakeCluster, strategy: str) -> None:
    cluster = camunda_cluster
    start(cluster)
    report = run(
        run_worker_until(cluster, cfg(strategy), HANDLERS[strategy]["job_error"], lambda: terminal(cluster, 1, "ERROR_THROWN"))
    )
    [job] = cluster.jobs()
    assert job.error_code == "NOT_FOUND" and job.error_message == "no such order"
    assert report.errored == 1
    [body] = [r.json for r in cluster.requests if r.operation == "throwJobError"]
    assert body == {"errorCode": "NOT_FOUND", "errorMessage": "no such order", "variables": {"reason": "missing"}}


@pytest.mark.parametrize("strategy", ["thread", "process"])
def test_job_failure_sets_retries_and_back_off(camunda_cluster: FakeCluster, strategy: str) -> None:
    cluster = camunda_cluster
    start(cluster)
    handler = sync_job_failure if strategy == "thread" else worker_handlers.raises_job_failure
    run(run_worker_until(cluster, cfg(strategy), handler, lambda: terminal(cluster, 1, "BACKOFF")))
    [body] = [r.json for r in cluster.requests if r.operation == "failJob"]
    assert body == {"retries": 7, "errorMessage": "try later", "retryBackOff": 60_000}


def test_process_explicit_throw_error_is_applied_by_the_parent(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)
    run(run_worker_until(cluster, cfg("process"), worker_handlers.explicit_error, lambda: terminal(cluster, 1, "ERROR_THROWN")))
    [body] = [r.json for r in cluster.requests if r.operation == "throwJobError"]
    assert body == {"errorCode": "E42", "errorMessage": "explicit", "variables": {"x": 1}}


def test_process_returned_completion_request_is_sent_as_that_request(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)
    handler = worker_handlers.returns_completion_request
    run(run_worker_until(cluster, cfg("process"), handler, lambda: terminal(cluster, 1, "COMPLETED")))
    [body] = [r.json for r in cluster.requests if r.operation == "completeJob"]
    assert body == {"variables": {"from": "child", "n": 0}}


def test_process_returned_job_result_is_sent_as_the_completions_result(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)
    handler = worker_handlers.returns_user_task_result
    run(run_worker_until(cluster, cfg("process"), handler, lambda: terminal(cluster, 1, "COMPLETED")))
    [body] = [r.json for r in cluster.requests if r.operation == "completeJob"]
    assert "variables" not in body  # not turned into variables in the child
    assert body["result"]["type"] == "userTask" and body["result"]["corrections"] == {"assignee": "anna"}
    assert body["result"]["denied"] is False


def test_process_unpicklable_return_value_fails_the_job(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster, retries=1)
    run(run_worker_until(cluster, cfg("process"), worker_handlers.returns_unpicklable, lambda: terminal(cluster, 1, "FAILED")))
    [job] = cluster.jobs()
    assert "cannot be pickled" in (job.error_message or "")


def test_process_strategy_runs_cpu_bound_work_in_other_processes(camunda_cluster: FakeCluster) -> None:
    import os

    cluster = camunda_cluster
    start(cluster, instances=8)
    report = run(
        run_worker_until(
            cluster, cfg("process", max_concurrent_jobs=4), worker_handlers.cpu_bound, lambda: terminal(cluster, 8, "COMPLETED")
        )
    )
    assert report.completed == 8
    pids = {dict(job.completion_variables or {})["pid"] for job in cluster.jobs()}
    assert os.getpid() not in pids


def test_process_strategy_rejects_an_unpicklable_handler(camunda_cluster: FakeCluster) -> None:
    async def main() -> None:
        async with make_client(camunda_cluster.rest_address) as client:
            with pytest.raises(ValidationError, match="cannot be pickled"):
                client.create_job_worker(cfg("process"), lambda job: None)
            assert client.job_workers == ()

    run(main())


def test_second_explicit_outcome_is_refused(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)
    seen: list[str] = []

    async def handler(job: JobContext) -> None:
        await job.complete({"a": 1})
        try:
            await job.fail("again")
        except OutcomeAlreadySentError as error:
            seen.append(str(error))

    report = run(run_worker_until(cluster, cfg("async"), handler, lambda: terminal(cluster, 1, "COMPLETED")))
    assert report.completed == 1 and report.failed == 0 and len(seen) == 1
    assert [r.operation for r in cluster.requests if r.operation != "activateJobs"] == ["completeJob"]


def test_forgotten_await_still_sends_once(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)

    async def handler(job: JobContext) -> dict[str, Any]:
        job.complete({"explicit": True})  # no await: the worker waits for it
        return {"returned": True}

    report = run(run_worker_until(cluster, cfg("async"), handler, lambda: terminal(cluster, 1, "COMPLETED")))
    assert report.completed == 1
    [job] = cluster.jobs()
    assert dict(job.completion_variables or {}) == {"explicit": True}


def test_unsendable_variables_fail_the_job_with_the_reason(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster, retries=1)

    def handler(job: JobContext) -> Any:
        return {"when": object()}

    run(run_worker_until(cluster, cfg("thread"), handler, lambda: terminal(cluster, 1, "FAILED")))
    [job] = cluster.jobs()
    assert "not JSON-serialisable" in (job.error_message or "")


def test_async_handler_past_the_job_timeout_is_cancelled(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)
    cancelled: list[bool] = []

    async def handler(job: JobContext) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    config = cfg("async", job_timeout_milliseconds=300, max_concurrent_jobs=1)

    async def main() -> Any:
        async with make_client(cluster.rest_address) as client:
            worker = client.create_job_worker(config, handler)
            await wait_until(lambda: worker.report.timed_out >= 1)
            return await client.stop_workers(grace=0.5)

    report = run(main())
    assert cancelled and report.timed_out >= 1
    assert report.completed == 0 and report.failed == 0
    assert not [r for r in cluster.requests if r.operation in ("completeJob", "failJob")] or report.released >= 0


def test_thread_handler_past_the_job_timeout_still_reports_its_outcome(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)

    def handler(job: JobContext) -> dict[str, Any]:
        time.sleep(0.6)
        return {"late": True}

    config = cfg("thread", job_timeout_milliseconds=200, max_concurrent_jobs=1)
    report = run(run_worker_until(cluster, config, handler, lambda: terminal(cluster, 1, "COMPLETED")))
    assert report.completed == 1
    assert cluster.stats.timeouts >= 1


def test_lease_is_extended_while_a_long_handler_runs(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)

    async def handler(job: JobContext) -> dict[str, Any]:
        await asyncio.sleep(1.0)
        return {"done": True}

    config = cfg("async", job_timeout_milliseconds=400, auto_extend_lease=True)
    report = run(run_worker_until(cluster, config, handler, lambda: terminal(cluster, 1, "COMPLETED")))
    assert report.completed == 1 and report.timed_out == 0
    assert cluster.stats.timeouts == 0
    updates = [r.json for r in cluster.requests if r.operation == "updateJob"]
    assert len(updates) >= 2 and all(u == {"changeset": {"timeout": 400}} for u in updates)


def test_async_wait_stays_on_the_loop_while_thread_handlers_block(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster, instances=4)
    ticks: list[float] = []

    def handler(job: JobContext) -> None:
        time.sleep(0.3)

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    async def main() -> Any:
        task = asyncio.ensure_future(ticker())
        try:
            return await run_worker_until(cluster, cfg("thread", max_concurrent_jobs=4), handler, lambda: terminal(cluster, 4, "COMPLETED"))
        finally:
            task.cancel()

    report = run(main())
    assert report.completed == 4
    # The loop kept ticking while four handlers slept in threads (a blocked loop would tick ~once).
    assert len(ticks) > 10
