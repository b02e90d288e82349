"""The public contract's examples, run verbatim against the fake cluster.

The examples are read from the seed document (``../shared/seed/python-sdk.md``)
and each runs in a fresh interpreter with ``CAMUNDA_REST_ADDRESS`` pointing at a
``FakeCluster``. Fragments that are not programs on their own (they use names
defined elsewhere, such as ``db`` or ``deployment``) are listed with the reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from camunda_testkit import FakeCluster

SEED = Path(os.environ.get("CAMUNDA_SEED_DOC", Path(__file__).resolve().parents[3] / "shared" / "seed" / "python-sdk.md"))

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="order-process" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="work"><bpmn:extensionElements>
      <zeebe:taskDefinition type="my-service-task"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drd" name="DRD" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="approve" name="Approve"><decisionTable id="t"><output id="o" typeRef="boolean"/></decisionTable></decision>
</definitions>
"""

# Blocks that are fragments of a larger program, by their first code line.
FRAGMENTS = {
    "from camunda_orchestration_sdk import ProcessDefinitionKey, ProcessInstanceKey": "uses `deployment`, `db` and `client` from earlier examples",
    "async def handler(job: JobContext) -> dict:": "a handler body without its imports",
    "# Force thread pool for a sync handler": "WorkerConfig values without their import",
}
# Blocks that run until stopped: started, checked, then terminated.
LONG_RUNNING = {"import asyncio\nfrom camunda_orchestration_sdk import CamundaAsyncClient, WorkerConfig"}


def _python_blocks() -> list[str]:
    if not SEED.is_file():
        return []
    return re.findall(r"```python\n(.*?)```", SEED.read_text(encoding="utf-8"), flags=re.S)


BLOCKS = _python_blocks()
pytestmark = pytest.mark.skipif(not BLOCKS, reason=f"seed document not found at {SEED}")


def _label(block: str) -> str:
    return block.strip().splitlines()[0][:60]


def _run(block: str, cwd: Path, rest_address: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA_", "ZEEBE_"))}
    env["CAMUNDA_REST_ADDRESS"] = rest_address
    return subprocess.run(
        [sys.executable, "-c", block], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "process.bpmn").write_text(BPMN)
    (tmp_path / "decision.dmn").write_text(DMN)
    return tmp_path


@pytest.mark.parametrize("block", BLOCKS, ids=[_label(b) for b in BLOCKS] or None)
def test_seed_example_runs_verbatim(block: str, workdir: Path) -> None:
    first_line = block.strip().splitlines()[0]
    if first_line in FRAGMENTS:
        pytest.skip(f"fragment: {FRAGMENTS[first_line]}")
    if any(block.startswith(prefix) for prefix in LONG_RUNNING):
        pytest.skip("long-running worker example: covered by test_worker_example_completes_jobs")
    # Key 2251799813685248 goes to the deployment, so the first process definition gets the
    # key the "restore a key from storage" example uses (2251799813685249).
    with FakeCluster(first_key=2251799813685248) as cluster:
        if "stored_key" in block:
            cluster.deploy_bpmn(BPMN, name="process.bpmn")
        result = _run(block, workdir, cluster.rest_address)
    assert result.returncode == 0, f"example failed:\n{block}\n--- stderr ---\n{result.stderr}"


def test_error_handling_example_catches_the_typed_error(workdir: Path) -> None:
    block = next((b for b in BLOCKS if "CreateProcessInstanceBadRequest" in b), None)
    assert block is not None
    with FakeCluster() as cluster:
        result = _run(block, workdir, cluster.rest_address)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Bad request: createProcessInstance: HTTP 400")


def test_worker_example_completes_jobs(workdir: Path) -> None:
    block = next((b for b in BLOCKS if any(b.startswith(p) for p in LONG_RUNNING)), None)
    assert block is not None
    with FakeCluster() as cluster:
        cluster.deploy_bpmn(BPMN, name="process.bpmn")
        for _ in range(3):
            cluster.create_process_instance(process_definition_id="order-process")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA_", "ZEEBE_"))}
        env["CAMUNDA_REST_ADDRESS"] = cluster.rest_address
        process = subprocess.Popen([sys.executable, "-c", block], cwd=workdir, env=env, stderr=subprocess.PIPE, text=True)
        try:
            cluster.wait_for(lambda c: len(c.stats.completions) >= 3, timeout=30, description="3 completions")
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=30)
        jobs = cluster.jobs()
        assert jobs and all(job.state == "COMPLETED" for job in jobs), stderr
