"""One job key, one execution per worker: a re-delivered activation of a running job is left alone."""

from __future__ import annotations

import threading
import time
from typing import Any

from worker_testing import bpmn, run, run_worker_until

from camunda_testkit import FakeCluster
from camunda_workers import JobContext, WorkerConfig


def test_a_thread_handler_outliving_the_job_timeout_runs_once(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "slow"))
    cluster.create_process_instance("p", {})
    calls: list[str] = []
    lock = threading.Lock()

    def handler(job: JobContext) -> dict[str, Any]:
        with lock:
            calls.append(job.job_key)
        time.sleep(1.0)  # five job timeouts: the fake re-offers the job meanwhile
        return {"done": True}

    config = WorkerConfig(
        job_type="slow",
        job_timeout_milliseconds=200,
        request_timeout_milliseconds=100,
        max_concurrent_jobs=4,  # free slots, so the worker keeps polling while the handler runs
        execution_strategy="thread",
    )
    report = run(
        run_worker_until(cluster, config, handler, lambda: len(cluster.jobs(state="COMPLETED")) == 1, timeout=10)
    )
    stats = cluster.stats
    assert stats.timeouts >= 1
    assert stats.activated_jobs >= 2, "the fake should have re-delivered the job to the same worker"
    assert len(calls) == 1, calls
    assert report.activated == 1 and report.completed == 1
    assert report.released == 0 and report.failed == 0
    assert stats.failures == 0  # the re-delivered copy was not released (failed) under the running handler
    assert stats.duplicate_completions == {}
    assert [r.operation for r in cluster.requests].count("completeJob") == 1


def test_a_job_finished_here_is_not_run_again_when_a_stale_copy_arrives() -> None:
    from camunda_workers.decisions import Complete, Fail, ThrowError
    from camunda_workers.delivery import FinishedJobs

    finished = FinishedJobs(limit=2)
    finished.note("1", Complete(variables=None), "sent")
    finished.note("2", ThrowError(code="E", message=None, variables=None), "sent")
    finished.note("3", Fail(retries=2, message="x", retry_back_off_ms=0, variables=None), "sent")  # comes back
    finished.note("4", Complete(variables=None), "gave_up")  # never applied: comes back after its timeout
    assert "1" in finished and "2" in finished
    assert "3" not in finished and "4" not in finished
    finished.note("5", Complete(variables=None), "sent")
    assert "1" not in finished and "5" in finished  # bounded: the oldest is forgotten
