"""deploy, start, instances, cancel, publish against the test kit; ``--var`` parsing; exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_testing import ONE_TASK_BPMN, STRAIGHT_THROUGH_BPMN, camunda

from camunda_cli.errors import CliError
from camunda_cli.variables import parse_variables
from camunda_testkit import FakeCluster

MESSAGE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d3" targetNamespace="t">
  <bpmn:message id="m" name="cli-paid">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="cli-message" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="paid"/>
    <bpmn:sequenceFlow id="f2" sourceRef="paid" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_var_values_are_json_when_they_parse_else_text() -> None:
    assert parse_variables(["a=1", "b=true", "c=Ann", 'd={"x": [1]}', "e=", "f=a=b", "g=1.5", 'h="7"']) == {
        "a": 1, "b": True, "c": "Ann", "d": {"x": [1]}, "e": "", "f": "a=b", "g": 1.5, "h": "7",
    }
    with pytest.raises(CliError, match="expected NAME=VALUE"):
        parse_variables(["novalue"])
    with pytest.raises(CliError, match="expected NAME=VALUE"):
        parse_variables(["=1"])


def test_deploy_start_and_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, camunda_cluster_env: FakeCluster
) -> None:
    deployed = camunda(capsys, "deploy", _write(tmp_path, "one.bpmn", ONE_TASK_BPMN),
                       _write(tmp_path, "straight.bpmn", STRAIGHT_THROUGH_BPMN), "--json")
    assert deployed.code == 0, deployed.err
    ids = sorted(row["id"] for row in deployed.json()["deployed"])
    assert ids == ["cli-one-task", "cli-straight"]

    started = camunda(capsys, "start", "cli-one-task", "--var", "orderId=A-1", "--var", "amount=120", "--json")
    assert started.code == 0, started.err
    key = started.json()["processInstanceKey"]
    instance = camunda_cluster_env.instance(key)
    assert instance.state == "ACTIVE"
    assert instance.variables == {"orderId": "A-1", "amount": 120}

    listed = camunda(capsys, "instances", "--state", "active", "--process-id", "cli-one-task", "--json")
    assert listed.code == 0, listed.err
    assert [item["processInstanceKey"] for item in listed.json()["items"]] == [key]

    table = camunda(capsys, "instances")
    assert table.code == 0 and key in table.out and "cli-one-task" in table.out


def test_start_wait_returns_the_completed_instance_variables(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, camunda_cluster_env: FakeCluster
) -> None:
    camunda_cluster_env.deploy_bpmn(STRAIGHT_THROUGH_BPMN)
    outcome = camunda(capsys, "start", "cli-straight", "--var", 'items=["a","b"]', "--wait", "--json")
    assert outcome.code == 0, outcome.err
    assert outcome.json()["variables"] == {"items": ["a", "b"]}
    human = camunda(capsys, "start", "cli-straight", "--var", "n=3", "--wait")
    assert human.code == 0 and "completed with variables" in human.out and '"n": 3' in human.out
    assert len(camunda_cluster_env.instances(state="COMPLETED")) == 2


def test_cancel_terminates_the_instance(capsys: pytest.CaptureFixture[str], camunda_cluster_env: FakeCluster) -> None:
    camunda_cluster_env.deploy_bpmn(ONE_TASK_BPMN)
    key = camunda_cluster_env.create_process_instance("cli-one-task").process_instance_key
    outcome = camunda(capsys, "cancel", key, "--json")
    assert outcome.code == 0, outcome.err
    assert outcome.json() == {"processInstanceKey": key, "cancelled": True}
    assert camunda_cluster_env.instance(key).state == "TERMINATED"
    again = camunda(capsys, "cancel", key)
    assert again.code == 1  # the cluster's 404: one line, naming the operation
    assert again.err.startswith("camunda: error: cancelProcessInstance: HTTP 404")
    assert again.err.count("\n") == 1


def test_publish_correlates_with_the_waiting_instance(
    capsys: pytest.CaptureFixture[str], camunda_cluster_env: FakeCluster
) -> None:
    camunda_cluster_env.deploy_bpmn(MESSAGE_BPMN)
    key = camunda_cluster_env.create_process_instance("cli-message", {"orderId": "A-7"}).process_instance_key
    outcome = camunda(capsys, "publish", "cli-paid", "--key", "A-7", "--var", "paid=true", "--json")
    assert outcome.code == 0, outcome.err
    assert outcome.json()["messageKey"]
    instance = camunda_cluster_env.instance(key)
    assert instance.state == "COMPLETED"
    assert instance.variables["paid"] is True


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["cancel", "abc"], "KEY must be a process instance key"),
        (["start", "p", "--var", "oops"], "expected NAME=VALUE"),
        (["deploy", "missing.bpmn"], "no such file: missing.bpmn"),
        (["instances", "--state", "SLEEPING"], "--state must be one of ACTIVE, COMPLETED, TERMINATED"),
        (["publish", "m"], "parameter --key requires an argument"),
        (["nosuchcommand"], 'Unknown command "nosuchcommand"'),
        (["start", "p", "--timeout", "soon"], "unable to convert"),
        (["deploy"], "name at least one file"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], camunda_cluster_env: FakeCluster, argv: list[str], expected: str
) -> None:
    outcome = camunda(capsys, *argv)
    assert outcome.code == 2
    assert expected in outcome.err
    assert outcome.err.startswith("camunda: error: ") and outcome.err.count("\n") == 1
    assert camunda_cluster_env.requests == []  # nothing was sent


def test_an_unknown_process_exits_1(capsys: pytest.CaptureFixture[str], camunda_cluster_env: FakeCluster) -> None:
    outcome = camunda(capsys, "start", "no-such-process")
    assert outcome.code == 1
    assert "createProcessInstance: HTTP" in outcome.err
