"""Semantic key types are distinct for pyright: a wrong key is an error, a flowing key is not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pyright_check import run_pyright

import camunda_core.semantic_types as semantic
import camunda_orchestration_sdk.semantic_types as sdk_semantic

NEGATIVE = """
from camunda_core.models.process_creation_by_key import ProcessCreationByKey
from camunda_core.semantic_types import ProcessInstanceKey

instance_key = ProcessInstanceKey("2251799813685249")
ProcessCreationByKey(process_definition_key=instance_key)
"""

POSITIVE = """
from camunda_core.models.create_process_instance_result import CreateProcessInstanceResult
from camunda_core.models.deployment_process_result import DeploymentProcessResult
from camunda_core.models.process_creation_by_key import ProcessCreationByKey
from camunda_core.semantic_types import ProcessDefinitionKey, ProcessInstanceKey


def next_request(process: DeploymentProcessResult) -> ProcessCreationByKey:
    return ProcessCreationByKey(process_definition_key=process.process_definition_key)


def restored(raw: str) -> ProcessCreationByKey:
    return ProcessCreationByKey(process_definition_key=ProcessDefinitionKey(raw))


def instance_of(result: CreateProcessInstanceResult) -> ProcessInstanceKey:
    return result.process_instance_key
"""


def _pyright(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    return run_pyright(tmp_path, source, timeout=120)


def test_the_documented_semantic_types_exist() -> None:
    for name in (
        "ProcessDefinitionKey",
        "ProcessDefinitionId",
        "ProcessInstanceKey",
        "JobKey",
        "IncidentKey",
        "DecisionDefinitionKey",
        "DecisionDefinitionId",
        "DeploymentKey",
        "UserTaskKey",
        "MessageKey",
        "SignalKey",
        "TenantId",
        "ElementId",
        "FormKey",
    ):
        assert name in semantic.__all__, name
        assert getattr(sdk_semantic, name) is getattr(semantic, name)
    assert semantic.ProcessDefinitionKey("1") == "1"


@pytest.mark.skipif(
    shutil.which("node") is None and shutil.which("pyright") is None, reason="pyright unavailable"
)
def test_pyright_rejects_a_process_instance_key_as_a_definition_key(tmp_path: Path) -> None:
    result = _pyright(tmp_path, NEGATIVE)
    assert result.returncode == 1, result.stdout + result.stderr
    assert '"ProcessInstanceKey" is not assignable to "ProcessDefinitionKey"' in result.stdout, (
        result.stdout
    )


@pytest.mark.skipif(
    shutil.which("node") is None and shutil.which("pyright") is None, reason="pyright unavailable"
)
def test_pyright_accepts_keys_flowing_from_one_model_to_the_next(tmp_path: Path) -> None:
    result = _pyright(tmp_path, POSITIVE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout
