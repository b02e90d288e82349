"""``camunda worker MODULE:ROUTER``: runs routers as its own program against the test kit, stops
gracefully on SIGTERM (running jobs finish), ``--processes N``, and names a bad router spec."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
from cli_testing import ONE_TASK_BPMN, camunda, start_program

from camunda_testkit import FakeCluster

SLOW_BPMN = ONE_TASK_BPMN.replace("cli-one-task", "cli-slow-task").replace('type="cli-work"', 'type="cli-slow"')


def _env(cluster: FakeCluster) -> dict[str, str]:
    return {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}


def _stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


def _wait(condition: object, cluster: FakeCluster, what: str, process: subprocess.Popen[str]) -> None:
    give_up = time.monotonic() + 60
    while not condition(cluster):  # type: ignore[operator]
        if process.poll() is not None:
            raise AssertionError(f"camunda worker ended early ({process.returncode}): {process.communicate()}")
        if time.monotonic() > give_up:
            process.kill()
            raise AssertionError(f"{what} not reached: {process.communicate()}")
        time.sleep(0.02)


@pytest.mark.parametrize(("router", "processes"), [("router", 1), ("cpu_router", 2)])
def test_worker_runs_the_router_until_sigterm(camunda_cluster: FakeCluster, router: str, processes: int) -> None:
    camunda_cluster.deploy_bpmn(ONE_TASK_BPMN)
    program = start_program(["worker", f"cli_worker_routers:{router}", "--processes", str(processes), "--json"],
                            _env(camunda_cluster))
    for number in range(6):
        camunda_cluster.create_process_instance("cli-one-task", {"job_number": number})
    _wait(lambda c: len(c.instances(state="COMPLETED")) == 6, camunda_cluster, "6 completed instances", program)
    code, out, err = _stop(program)
    assert code == 0, err
    report = json.loads(out)
    assert report["processes"] == processes
    assert [(row["jobType"], row["completed"]) for row in report["workers"]] == [("cli-work", 6)]
    completed = camunda_cluster.instances(state="COMPLETED")
    assert all(instance.variables["worked"] is True for instance in completed)
    if processes > 1:
        # The parent only supervises: the spawned children ran every job (thread handlers here).
        assert program.pid not in {instance.variables["worker_pid"] for instance in completed}


def test_running_jobs_finish_after_sigterm(camunda_cluster: FakeCluster) -> None:
    camunda_cluster.deploy_bpmn(SLOW_BPMN)
    program = start_program(["worker", "cli_worker_routers:slow_router"], _env(camunda_cluster))
    for _ in range(3):
        camunda_cluster.create_process_instance("cli-slow-task")
    _wait(lambda c: len(c.jobs(state="ACTIVATED")) == 3, camunda_cluster, "3 running jobs", program)
    code, out, err = _stop(program)
    assert code == 0, err
    assert len(camunda_cluster.jobs(state="COMPLETED")) == 3  # finished, not released
    assert len(camunda_cluster.instances(state="COMPLETED")) == 3
    assert "cli-slow" in out and "job workers stopped" in out


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("cli_worker_routers", "is not MODULE:ROUTER"),
        ("no_such_module_here:router", "cannot import 'no_such_module_here'"),
        ("cli_worker_routers:missing", "has no attribute 'missing'"),
        ("cli_worker_routers:not_a_router", "is a str, not a camunda_workers.JobRouter"),
    ],
)
def test_a_bad_router_spec_exits_2(capsys: pytest.CaptureFixture[str], spec: str, expected: str) -> None:
    outcome = camunda(capsys, "worker", spec)
    assert outcome.code == 2
    assert expected in outcome.err and outcome.err.count("\n") == 1


def test_sigterm_reaches_every_idle_worker_process(camunda_cluster: FakeCluster) -> None:
    program = start_program(["worker", "cli_worker_routers:router", "-p", "2"], _env(camunda_cluster))
    _wait(lambda c: c.pending_activations("cli-work") == 2, camunda_cluster, "2 polling processes", program)
    code, out, err = _stop(program)
    assert code == 0, err
    assert "job workers stopped (2 processes)" in out


def test_the_worst_child_exit_code_is_the_parents(camunda_cluster: FakeCluster) -> None:
    env = {**_env(camunda_cluster), "CAMUNDA_HTTP_READ_TIMEOUT_MS": "soon"}
    program = start_program(["worker", "cli_worker_routers:router", "-p", "2"], env)
    _, err = program.communicate(timeout=60)
    assert program.returncode == 2
    assert err.count("camunda: worker process") == 2 and "CAMUNDA_HTTP_READ_TIMEOUT_MS" in err
    assert "a worker process ended with exit code 2" in err
