"""Fault injection: each kind, its schedule and its counters."""

from __future__ import annotations

import httpx
import pytest

from camunda_testkit import FakeCluster, FaultInjector

from .conftest import activate, deploy, start_instance


def _ready_job(http: httpx.Client) -> str:
    deploy(http)
    start_instance(http)
    (job,) = activate(http, "charge")
    return job["jobKey"]


@pytest.mark.parametrize("status", [503, 429])
def test_backpressure_every_nth_request(
    cluster: FakeCluster, http: httpx.Client, status: int
) -> None:
    rule = cluster.faults.backpressure("getTopology", status=status, every=2)
    statuses = [http.get("/topology").status_code for _ in range(4)]
    assert statuses == [200, status, 200, status]
    response = http.get("/topology")
    assert response.status_code == 200
    again = http.get("/topology")
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["title"] == "RESOURCE_EXHAUSTED"
    assert again.json()["instance"] == "/v2/topology"
    assert (rule.matched, rule.fired) == (6, 3)


def test_backpressure_500_carries_resource_exhausted_in_detail(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    cluster.faults.backpressure("activateJobs", status=500, times=1)
    first = http.post(
        "/jobs/activation",
        json={"type": "x", "maxJobsToActivate": 1, "timeout": 1, "requestTimeout": -1},
    )
    assert first.status_code == 500
    assert "RESOURCE_EXHAUSTED" in first.json()["detail"]
    assert activate(http, "x") == []


def test_backpressure_is_applied_before_the_request(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    job_key = _ready_job(http)
    rule = cluster.faults.backpressure("completeJob", times=2)
    assert http.post(f"/jobs/{job_key}/completion").status_code == 503
    assert http.post(f"/jobs/{job_key}/completion").status_code == 503
    assert cluster.job(job_key).state == "ACTIVATED"
    assert http.post(f"/jobs/{job_key}/completion").status_code == 204
    assert rule.fired == 2
    assert cluster.stats.completions == {job_key: 1}


def test_probability_is_repeatable_with_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        rule = FaultInjector().backpressure("completeJob", probability=0.5, seed=seed)
        return [rule.should_fire() for _ in range(40)]

    assert pattern(7) == pattern(7)
    assert pattern(7) != pattern(8)
    assert 0 < sum(pattern(7)) < 40


def test_retry_after_header(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.faults.backpressure("getTopology", retry_after=2)
    assert http.get("/topology").headers["retry-after"] == "2"


def test_drop_connection_before_processing(cluster: FakeCluster, http: httpx.Client) -> None:
    job_key = _ready_job(http)
    rule = cluster.faults.drop_connection("completeJob", times=1)
    with pytest.raises(httpx.TransportError):
        http.post(f"/jobs/{job_key}/completion")
    assert cluster.job(job_key).state == "ACTIVATED"
    assert http.post(f"/jobs/{job_key}/completion").status_code == 204
    assert rule.fired == 1


def test_drop_connection_after_processing_loses_the_response(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    job_key = _ready_job(http)
    cluster.faults.drop_connection("completeJob", after_processing=True, times=1)
    with pytest.raises(httpx.TransportError):
        http.post(f"/jobs/{job_key}/completion")
    # The completion happened: a retry now meets the "second complete" 404.
    assert cluster.job(job_key).state == "COMPLETED"
    assert http.post(f"/jobs/{job_key}/completion").status_code == 404
    assert cluster.stats.completions == {job_key: 1}


def test_delay_then_normal_answer(cluster: FakeCluster, http: httpx.Client) -> None:
    rule = cluster.faults.delay("getTopology", 0.05, every=1, times=1)
    assert http.get("/topology").status_code == 200
    assert http.get("/topology").status_code == 200
    assert (rule.matched, rule.fired) == (2, 1)


def test_delay_longer_than_the_client_timeout(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.faults.delay("getTopology", 5.0, times=1)
    with pytest.raises(httpx.ReadTimeout):
        http.get("/topology", timeout=0.05)


def test_html_error_like_a_proxy(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.faults.html_error("getTopology", status=502)
    response = http.get("/topology")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html>")


def test_generic_status_with_json_text_and_default_bodies(
    cluster: FakeCluster, http: httpx.Client
) -> None:
    cluster.faults.status("getTopology", 418, {"teapot": True}, times=1)
    cluster.faults.status("getTopology", 502, "bad gateway", times=1)
    cluster.faults.status("getTopology", 409, times=1)
    first = http.get("/topology")
    assert (first.status_code, first.json()) == (418, {"teapot": True})
    second = http.get("/topology")
    assert (second.status_code, second.text, second.headers["content-type"]) == (
        502,
        "bad gateway",
        "text/plain; charset=utf-8",
    )
    third = http.get("/topology")
    assert third.status_code == 409
    assert third.json()["title"] == "INVALID_STATE"
    assert http.get("/topology").status_code == 200


def test_unauthorized_any_operation(cluster: FakeCluster, http: httpx.Client) -> None:
    rule = cluster.faults.unauthorized(times=1)
    response = http.get("/status")
    assert response.status_code == 401
    assert "www-authenticate" in response.headers
    assert http.get("/status").status_code == 204
    assert rule.fired == 1


def test_match_by_path_and_clear(cluster: FakeCluster, http: httpx.Client) -> None:
    cluster.faults.status(None, 500, path="/v2/process-definitions/*")
    assert http.get("/process-definitions/1").status_code == 500
    assert http.get("/topology").status_code == 200
    assert len(cluster.faults.rules) == 1
    cluster.faults.clear()
    assert http.get("/process-definitions/1").status_code == 404


def test_bad_rule_arguments_are_rejected() -> None:
    faults = FaultInjector()
    with pytest.raises(ValueError, match="every"):
        faults.backpressure("completeJob", every=0)
    with pytest.raises(ValueError, match="backpressure status"):
        faults.backpressure("completeJob", status=502)
    with pytest.raises(ValueError, match="probability"):
        faults.drop_connection("completeJob", probability=1.5)
    with pytest.raises(ValueError, match="status"):
        faults.status("completeJob", 42)
    with pytest.raises(ValueError, match="path"):
        faults.delay("completeJob", 1, path="v2/jobs")
