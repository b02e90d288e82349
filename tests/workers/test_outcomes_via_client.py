"""Exactly one outcome, whatever the handler does: outcomes sent through ``job.client`` are the job's
outcome; returned request models are sent as that request."""

from __future__ import annotations

from typing import Any

import pytest
from worker_testing import bpmn, run, run_worker_until

from camunda_core.models.job_completion_request import JobCompletionRequest
from camunda_core.models.job_error_request import JobErrorRequest
from camunda_core.models.job_fail_request import JobFailRequest
from camunda_core.models.job_result_corrections import JobResultCorrections
from camunda_core.models.job_result_user_task import JobResultUserTask
from camunda_testkit import FakeCluster
from camunda_workers import JobContext, OutcomeAlreadySentError, WorkerConfig

OUTCOME_OPS = ("completeJob", "failJob", "throwJobError")


def start(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(bpmn("p", "work"))
    cluster.create_process_instance("p", {"n": 1})


def config(strategy: Any) -> WorkerConfig:
    return WorkerConfig(
        job_type="work", job_timeout_milliseconds=10_000, request_timeout_milliseconds=100, execution_strategy=strategy
    )


def landed(cluster: FakeCluster) -> bool:
    return any(cluster.jobs(state=state) for state in ("COMPLETED", "FAILED", "ERROR_THROWN")) or cluster.stats.failures > 0


def outcome_requests(cluster: FakeCluster) -> list[str]:
    return [r.operation for r in cluster.requests if r.operation in OUTCOME_OPS]


# -- the three outcomes through job.client, then return: nothing more is sent ------------------


async def async_complete_via_client(job: JobContext) -> dict[str, Any]:
    await job.client.complete_job(job_key=job.job_key, data=JobCompletionRequest(variables={"via": "client"}))
    return {"ignored": True}


def thread_complete_via_client(job: JobContext) -> dict[str, Any]:
    client: Any = job.client  # the blocking client in a thread handler
    client.complete_job(job_key=job.job_key, data=JobCompletionRequest(variables={"via": "client"}))
    return {"ignored": True}


async def async_fail_via_client(job: JobContext) -> None:
    await job.client.fail_job(job_key=job.job_key, data=JobFailRequest(retries=0, error_message="via client"))


def thread_fail_via_client(job: JobContext) -> None:
    client: Any = job.client  # the blocking client in a thread handler
    client.fail_job(job_key=job.job_key, data=JobFailRequest(retries=0, error_message="via client"))


async def async_throw_via_client(job: JobContext) -> None:
    await job.client.throw_job_error(job_key=job.job_key, data=JobErrorRequest(error_code="E1"))


def thread_throw_via_client(job: JobContext) -> None:
    client: Any = job.client  # the blocking client in a thread handler
    client.throw_job_error(job_key=job.job_key, data=JobErrorRequest(error_code="E1"))


@pytest.mark.parametrize(
    ("strategy", "handler", "operation", "counted"),
    [
        ("async", async_complete_via_client, "completeJob", "completed"),
        ("thread", thread_complete_via_client, "completeJob", "completed"),
        ("async", async_fail_via_client, "failJob", "failed"),
        ("thread", thread_fail_via_client, "failJob", "failed"),
        ("async", async_throw_via_client, "throwJobError", "errored"),
        ("thread", thread_throw_via_client, "throwJobError", "errored"),
    ],
)
def test_an_outcome_sent_through_job_client_is_the_jobs_one_outcome(
    camunda_cluster: FakeCluster, strategy: str, handler: Any, operation: str, counted: str
) -> None:
    cluster = camunda_cluster
    start(cluster)
    report = run(run_worker_until(cluster, config(strategy), handler, lambda: landed(cluster), grace=1.0))
    assert outcome_requests(cluster) == [operation]
    assert getattr(report, counted) == 1
    assert report.lost_lease == 0 and report.handler_errors == 0
    if operation == "completeJob":
        [job] = cluster.jobs(state="COMPLETED")
        assert job.completion_variables == {"via": "client"}


# -- a second outcome after a job.client one ---------------------------------------------------


async def async_client_then_complete(job: JobContext) -> None:
    await job.client.complete_job(job_key=job.job_key, data=JobCompletionRequest())
    with pytest.raises(OutcomeAlreadySentError):
        job.complete({"second": True})
    with pytest.raises(OutcomeAlreadySentError):
        job.fail("second")
    with pytest.raises(OutcomeAlreadySentError):
        job.throw_error("E2")


def thread_client_then_complete(job: JobContext) -> None:
    client: Any = job.client  # the blocking client in a thread handler
    client.complete_job(job_key=job.job_key, data=JobCompletionRequest())
    with pytest.raises(OutcomeAlreadySentError):
        job.complete({"second": True})
    with pytest.raises(OutcomeAlreadySentError):
        job.fail("second")
    with pytest.raises(OutcomeAlreadySentError):
        job.complete_user_task_listener(denied=True)


@pytest.mark.parametrize(("strategy", "handler"), [("async", async_client_then_complete), ("thread", thread_client_then_complete)])
def test_an_explicit_outcome_after_a_job_client_one_raises(camunda_cluster: FakeCluster, strategy: str, handler: Any) -> None:
    cluster = camunda_cluster
    start(cluster)
    report = run(run_worker_until(cluster, config(strategy), handler, lambda: landed(cluster), grace=1.0))
    assert outcome_requests(cluster) == ["completeJob"]
    assert report.completed == 1 and report.handler_errors == 0 and report.failed == 0


async def async_complete_then_client(job: JobContext) -> str:
    await job.complete({"first": True})
    try:
        await job.client.complete_job(job_key=job.job_key, data=JobCompletionRequest())
    except Exception as error:  # the server answers 404: the job is done
        return type(error).__name__
    return "no error"


def thread_complete_then_client(job: JobContext) -> str:
    client: Any = job.client  # the blocking client in a thread handler
    job.complete({"first": True})
    try:
        client.complete_job(job_key=job.job_key, data=JobCompletionRequest())
    except Exception as error:
        return type(error).__name__
    return "no error"


def thread_client_twice(job: JobContext) -> str:
    client: Any = job.client  # the blocking client in a thread handler
    client.complete_job(job_key=job.job_key, data=JobCompletionRequest())
    try:
        client.fail_job(job_key=job.job_key, data=JobFailRequest(retries=1))
    except Exception as error:
        return type(error).__name__
    return "no error"


@pytest.mark.parametrize(
    ("strategy", "handler", "requests"),
    [
        ("async", async_complete_then_client, ["completeJob", "completeJob"]),
        ("thread", thread_complete_then_client, ["completeJob", "completeJob"]),
        ("thread", thread_client_twice, ["completeJob", "failJob"]),
    ],
)
def test_a_job_client_outcome_after_the_outcome_goes_to_the_server_and_the_worker_sends_nothing(
    camunda_cluster: FakeCluster, strategy: str, handler: Any, requests: list[str]
) -> None:
    cluster = camunda_cluster
    start(cluster)
    report = run(run_worker_until(cluster, config(strategy), handler, lambda: landed(cluster), grace=1.0))
    assert outcome_requests(cluster) == requests  # the second call went out (answered 404), nothing more
    assert report.completed == 1 and report.lost_lease == 0
    assert cluster.stats.duplicate_completions == {}


# -- returned request models ----------------------------------------------------------------------


async def async_returns_completion_request(job: JobContext) -> JobCompletionRequest:
    return JobCompletionRequest(variables={"from": "request"})


def thread_returns_user_task_result(job: JobContext) -> JobResultUserTask:
    return JobResultUserTask(denied=False, corrections=JobResultCorrections(assignee="anna"))


def test_a_returned_completion_request_is_sent_as_that_request(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)
    run(run_worker_until(cluster, config("async"), async_returns_completion_request, lambda: landed(cluster)))
    [request] = [r for r in cluster.requests if r.operation == "completeJob"]
    assert request.json == {"variables": {"from": "request"}}


def test_a_returned_job_result_is_sent_as_the_completions_result(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)
    run(run_worker_until(cluster, config("thread"), thread_returns_user_task_result, lambda: landed(cluster)))
    [request] = [r for r in cluster.requests if r.operation == "completeJob"]
    body = request.json
    assert "variables" not in body
    assert body["result"]["type"] == "userTask" and body["result"]["corrections"] == {"assignee": "anna"}
    assert body["result"]["denied"] is False
