"""``camunda demo``: the summary's numbers are what the order process implies."""

from __future__ import annotations

import pytest
from cli_testing import camunda

from camunda_cli.demo import LARGE_ORDER, order_amount, percentile
from camunda_testkit import FakeCluster


def _expected_jobs(instances: int) -> dict[str, int]:
    # Every instance: validate, charge, pick, ship; the gateway sends amounts >= 100 to the
    # fraud check as well.
    large = sum(1 for index in range(instances) if order_amount(index) >= 100)
    return {
        "demo-validate-order": instances,
        "demo-check-fraud": large,
        "demo-charge-payment": instances,
        "demo-pick-items": instances,
        "demo-ship-order": instances,
    }


@pytest.mark.parametrize("instances", [7, 100])
def test_demo_on_the_embedded_test_kit_completes_every_instance(capsys: pytest.CaptureFixture[str], instances: int) -> None:
    argv = ["demo", "--json"] if instances == 100 else ["demo", "--instances", str(instances), "--json"]
    outcome = camunda(capsys, *argv)
    assert outcome.code == 0, outcome.err
    summary = outcome.json()
    assert summary["cluster"].startswith("embedded test kit")
    assert summary["instances"] == instances
    assert summary["completed"] == instances
    assert summary["jobs"] == _expected_jobs(instances)
    assert summary["largeOrders"] == _expected_jobs(instances)["demo-check-fraud"]
    assert summary["userTasksCompleted"] == instances
    assert summary["messagesPublished"] == instances
    assert 0 < summary["p50Seconds"] <= summary["p99Seconds"]
    assert summary["throughputPerSecond"] > 0
    assert summary["wallSeconds"] > 0


def test_the_gateway_sees_both_branches_in_the_default_run() -> None:
    amounts = [order_amount(index) for index in range(100)]
    assert any(amount >= LARGE_ORDER for amount in amounts)
    assert any(amount < LARGE_ORDER for amount in amounts)


def test_demo_prints_a_summary_table(capsys: pytest.CaptureFixture[str]) -> None:
    outcome = camunda(capsys, "demo", "-n", "3")
    assert outcome.code == 0, outcome.err
    assert "instances completed" in outcome.out
    assert "3 of 3" in outcome.out
    for label in ("jobs demo-check-fraud", "instance duration p50", "instance duration p99", "throughput",
                  "wall time"):
        assert label in outcome.out


def test_demo_runs_against_the_configured_cluster(
    capsys: pytest.CaptureFixture[str], camunda_cluster_env: FakeCluster
) -> None:
    outcome = camunda(capsys, "demo", "-n", "4", "--json")
    assert outcome.code == 0, outcome.err
    assert outcome.json()["cluster"] == "configured cluster"
    completed = camunda_cluster_env.instances(state="COMPLETED", process_definition_id="camunda-demo-order")
    assert len(completed) == 4
    assert len(camunda_cluster_env.messages) == 4


def test_demo_against_an_unreachable_cluster_exits_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMUNDA_REST_ADDRESS", "http://127.0.0.1:1")
    monkeypatch.setenv("CAMUNDA_RETRY_MAX_ATTEMPTS", "1")
    outcome = camunda(capsys, "demo", "-n", "2")
    assert outcome.code == 3
    assert outcome.err.count("\n") == 1 and "cluster unreachable" in outcome.err
    assert "Traceback" not in outcome.err


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0
    assert percentile([], 0.5) == 0.0
