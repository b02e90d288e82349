"""Running ``camunda`` in-process (``run``) or as a program, and the BPMN the tests deploy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from camunda_cli.app import run

HERE = Path(__file__).parent

ONE_TASK_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="cli-one-task" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="cli-work"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

STRAIGHT_THROUGH_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d2" targetNamespace="t">
  <bpmn:process id="cli-straight" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@attrs.frozen
class Outcome:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def camunda(capsys: pytest.CaptureFixture[str], *argv: str) -> Outcome:
    """``camunda ARGV...`` in this process."""
    capsys.readouterr()
    code = run(list(argv))
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def program_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without CAMUNDA_*/ZEEBE_* variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA_", "ZEEBE_"))}
    env.update(extra)
    return env


def start_program(argv: Sequence[str], env: Mapping[str, str], cwd: Path = HERE) -> subprocess.Popen[str]:
    """``python -m camunda_cli ARGV...`` as its own process (stdout and stderr piped)."""
    return subprocess.Popen(
        [sys.executable, "-m", "camunda_cli", *argv],
        cwd=cwd,
        env=program_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
