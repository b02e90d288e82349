"""Job activation, long polling, failure, errors, timeouts, updates and cancellation."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from camunda_testkit import FakeCluster

from .conftest import TWO_TASK_BPMN, activate, deploy, start_instance


def _poll_in_thread(
    cluster: FakeCluster, job_type: str, result: dict[str, Any], **kwargs: Any
) -> threading.Thread:
    def run() -> None:
        with httpx.Client(base_url=cluster.rest_address, timeout=60) as client:
            result["jobs"] = activate(client, job_type, **kwargs)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_long_poll_returns_as_soon_as_a_job_appears(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    deploy(http)
    result: dict[str, Any] = {}
    # A 60 s long poll: had it waited out its timeout it would return no jobs.
    poller = _poll_in_thread(cluster, "charge", result, request_timeout=60_000)
    cluster.wait_for(lambda c: c.pending_activations("charge") == 1, description="poll parked")
    instance_key = start_instance(http)
    poller.join(timeout=20)
    assert not poller.is_alive()
    (job,) = result["jobs"]
    assert job["processInstanceKey"] == instance_key
    assert cluster.pending_activations() == 0


def test_long_poll_times_out_with_no_jobs(http: httpx.Client) -> None:
    deploy(http)
    assert activate(http, "charge", request_timeout=20) == []


def test_negative_request_timeout_answers_at_once(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    assert activate(http, "charge", request_timeout=-1) == []
    assert cluster.pending_activations() == 0
    assert cluster.stats.activation_requests == 1


def test_activation_validates_its_request(http: httpx.Client) -> None:
    missing = http.post("/jobs/activation", json={"type": "charge"})
    assert missing.status_code == 400
    assert "maxJobsToActivate" in missing.json()["detail"]
    assert http.post("/jobs/activation", content=b"{not json").status_code == 400


def test_max_jobs_and_in_flight_are_tracked_per_worker(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    deploy(http)
    for _ in range(5):
        start_instance(http)
    first = activate(http, "charge", max_jobs=3, worker="a")
    second = activate(http, "charge", max_jobs=3, worker="b")
    assert (len(first), len(second)) == (3, 2)
    stats = cluster.stats
    assert stats.in_flight == 5
    assert stats.max_in_flight_by_worker == {"a": 3, "b": 2}
    for job in first:
        http.post(f"/jobs/{job['jobKey']}/completion")
    stats = cluster.stats
    assert stats.in_flight == 2
    assert stats.in_flight_by_worker == {"b": 2}
    assert stats.max_in_flight == 5


def test_fail_with_retries_and_backoff_reoffers_the_job(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    deploy(http)
    start_instance(http)
    (job,) = activate(http, "charge")
    failed = http.post(
        f"/jobs/{job['jobKey']}/failure",
        json={"retries": 2, "errorMessage": "card declined", "retryBackOff": 60_000},
    )
    assert failed.status_code == 204
    view = cluster.job(job["jobKey"])
    assert (view.state, view.retries, view.error_message) == ("BACKOFF", 2, "card declined")
    assert activate(http, "charge") == []
    # Completing a job that waits out its back-off is an invalid state, as on a real broker.
    assert http.post(f"/jobs/{job['jobKey']}/completion").status_code == 409


def test_fail_with_short_backoff_wakes_a_long_poll(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    deploy(http)
    start_instance(http)
    (job,) = activate(http, "charge")
    http.post(f"/jobs/{job['jobKey']}/failure", json={"retries": 1, "retryBackOff": 30})
    (again,) = activate(http, "charge", request_timeout=20_000)
    assert again["jobKey"] == job["jobKey"]
    assert again["retries"] == 1
    search = http.post("/jobs/search", json={"filter": {"jobKey": job["jobKey"]}}).json()
    assert search["items"][0]["hasFailedWithRetriesLeft"] is True


def test_fail_without_retries_raises_an_incident(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    instance_key = start_instance(http)
    (job,) = activate(http, "charge")
    assert (
        http.post(f"/jobs/{job['jobKey']}/failure", json={"errorMessage": "boom"}).status_code
        == 204
    )
    assert cluster.job(job["jobKey"]).state == "FAILED"
    assert http.get(f"/process-instances/{instance_key}").json()["hasIncident"] is True
    late = http.post(f"/jobs/{job['jobKey']}/completion")
    assert late.status_code == 409
    assert late.json()["title"] == "INVALID_STATE"
    assert http.post(f"/jobs/{job['jobKey']}/failure", json={"retries": 1}).status_code == 409
    states = http.post("/jobs/search", json={"filter": {"state": "FAILED"}}).json()
    assert [item["jobKey"] for item in states["items"]] == [job["jobKey"]]


def test_throw_error_records_the_error(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    instance_key = start_instance(http)
    (job,) = activate(http, "charge")
    thrown = http.post(
        f"/jobs/{job['jobKey']}/error",
        json={"errorCode": "NO_FUNDS", "errorMessage": "insufficient", "variables": {"why": 1}},
    )
    assert thrown.status_code == 204
    view = cluster.job(job["jobKey"])
    assert (view.state, view.error_code, view.error_message) == (
        "ERROR_THROWN",
        "NO_FUNDS",
        "insufficient",
    )
    assert cluster.instance(instance_key).variables["why"] == 1
    assert cluster.stats.errors_thrown == 1
    assert http.post(f"/jobs/{job['jobKey']}/error", json={}).status_code == 400
    assert http.post(f"/jobs/{job['jobKey']}/completion").status_code == 409


def test_timed_out_job_is_activated_again(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    start_instance(http)
    (first,) = activate(http, "charge", timeout=10, worker="slow")
    # The long poll is woken by the periodic sweep once the deadline passes.
    (second,) = activate(http, "charge", timeout=60_000, worker="fast", request_timeout=20_000)
    assert second["jobKey"] == first["jobKey"]
    assert second["worker"] == "fast"
    stats = cluster.stats
    assert stats.timeouts == 1
    assert stats.in_flight_by_worker == {"fast": 1}
    # In 8.9 the late completion of the first worker is still accepted...
    assert http.post(f"/jobs/{first['jobKey']}/completion").status_code == 204
    # ...and the second worker's then finds the job gone.
    assert http.post(f"/jobs/{second['jobKey']}/completion").status_code == 404
    assert cluster.stats.completions == {first["jobKey"]: 1}


def test_update_job_changes_retries_and_timeout(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    start_instance(http)
    (job,) = activate(http, "charge", timeout=1_000)
    before = cluster.job(job["jobKey"]).deadline
    patched = http.patch(
        f"/jobs/{job['jobKey']}", json={"changeset": {"retries": 7, "timeout": 600_000}}
    )
    assert patched.status_code == 204
    view = cluster.job(job["jobKey"])
    assert view.retries == 7
    assert view.deadline is not None and before is not None and view.deadline > before
    assert http.patch(f"/jobs/{job['jobKey']}", json={"changeset": {}}).status_code == 400
    assert http.patch("/jobs/123", json={"changeset": {"retries": 1}}).status_code == 404


def test_cancel_instance_cancels_its_job(cluster: FakeCluster, http: httpx.Client) -> None:
    deploy(http)
    instance_key = start_instance(http)
    (job,) = activate(http, "charge")
    assert http.post(f"/process-instances/{instance_key}/cancellation").status_code == 204
    assert cluster.job(job["jobKey"]).state == "CANCELED"
    assert cluster.stats.in_flight == 0
    assert http.get(f"/process-instances/{instance_key}").json()["state"] == "TERMINATED"
    assert http.post(f"/jobs/{job['jobKey']}/completion").status_code == 404
    assert http.post(f"/process-instances/{instance_key}/cancellation").status_code == 404
    assert http.post("/process-instances/abc/cancellation").status_code == 400


def test_await_completion_returns_the_final_variables(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    deploy(http)
    result: dict[str, Any] = {}

    def create() -> None:
        with httpx.Client(base_url=cluster.rest_address, timeout=60) as client:
            result["response"] = client.post(
                "/process-instances",
                json={
                    "processDefinitionId": "order-process",
                    "awaitCompletion": True,
                    "requestTimeout": 60_000,
                    "fetchVariables": ["done"],
                },
            )

    creator = threading.Thread(target=create, daemon=True)
    creator.start()
    cluster.wait_for(lambda c: len(c.jobs(job_type="charge")) == 1)
    for job_type in ("charge", "ship"):
        (job,) = activate(http, job_type, request_timeout=20_000)
        http.post(f"/jobs/{job['jobKey']}/completion", json={"variables": {"done": job_type}})
    creator.join(timeout=20)
    response = result["response"]
    assert response.status_code == 200
    assert response.json()["variables"] == {"done": "ship"}


def test_tenant_filter_on_activation(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN, tenant_id="tenant-a")
    cluster.create_process_instance("order-process", tenant_id="tenant-a")
    assert activate(http, "charge") == []  # the default tenant only
    (job,) = activate(http, "charge", tenantIds=["tenant-a"])
    assert job["tenantId"] == "tenant-a"
