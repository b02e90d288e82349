"""The 8.10-dev spec generates cleanly, imports, and parses sample payloads (in a subprocess)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_810 = (REPO_ROOT / "../shared/spec/camunda-8.10-dev").resolve()
CORE_SRC = REPO_ROOT / "packages/camunda-core/src"

SCRIPT = textwrap.dedent(
    """
    import attrs
    import camunda_core
    import camunda_core.models as models
    from camunda_core.api import operations, errors
    from camunda_core.api.async_api import AsyncApi
    from camunda_core.api.sync_api import SyncApi
    from camunda_core.serialization.converter import structure, unstructure

    assert camunda_core.__file__.startswith(EXPECTED_ROOT), camunda_core.__file__
    ops = [getattr(operations, n) for n in operations.__all__]
    assert len(ops) == 241, len(ops)
    assert len([n for n in dir(SyncApi) if not n.startswith("_")]) == len(
        [n for n in dir(AsyncApi) if not n.startswith("_")])
    for op in ops:  # every reference resolves
        op.response_type
        op.body_type
        for status in op.error_refs:
            assert issubclass(op.error_class(status), errors.ApiError)
    assert operations.activate_jobs.long_poll
    assert operations.complete_job.backpressure_exempt
    assert operations.search_process_instances.search_item_field == "items"
    for name in models.__all__:
        getattr(models, name)

    created = structure({"processInstanceKey": "1", "processDefinitionKey": "2", "processDefinitionId": "p",
                         "processDefinitionVersion": 1, "tenantId": "<default>", "variables": {},
                         "tags": [], "businessId": None, "extra": True},
                        models.CreateProcessInstanceResult)
    assert created.process_instance_key == "1"
    result = structure({"items": [{"processDefinitionId": "p", "processDefinitionName": None,
                                   "processDefinitionVersion": 1, "startDate": "2025-01-01T00:00:00.1Z",
                                   "state": "FUTURE_STATE", "hasIncident": False, "tenantId": "t",
                                   "processInstanceKey": "1", "processDefinitionKey": "2", "tags": []}],
                        "page": {"totalItems": 1, "hasMoreTotalItems": False,
                                 "startCursor": None, "endCursor": None}},
                       models.ProcessInstanceSearchQueryResult)
    item = result.items[0]
    assert item.state == "FUTURE_STATE" and item.start_date.microsecond == 100000
    body = unstructure(models.ProcessCreationByKey(process_definition_key="5", tenant_id="t"))
    assert body == {"processDefinitionKey": "5", "tenantId": "t"}, body
    from camunda_core.serialization.validation import problems
    assert problems(models.ProcessCreationByKey(process_definition_key="5", tenant_id="t")) == []
    found = problems(models.ProcessCreationByKey(process_definition_key=5, tags=["a"] * 11))
    assert len(found) == 3 and "process_definition_key" in found[0], found
    built = 0
    for name in models.__all__:
        obj = getattr(models, name)
        if isinstance(obj, type) and attrs.has(obj):
            structure({}, obj) if not [f for f in attrs.fields(obj) if f.default is attrs.NOTHING] else None
            built += 1
    print("ok", len(ops), len(models.__all__), built)
    """
)


@pytest.mark.skipif(not SPEC_810.is_dir(), reason="the 8.10-dev spec is not on this machine")
def test_8_10_dev_generates_imports_and_parses(tmp_path: Path) -> None:
    out = tmp_path / "out"
    gen = subprocess.run(
        [sys.executable, "-m", "tools.generator", "--spec-dir", str(SPEC_810), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert gen.returncode == 0, gen.stderr + gen.stdout
    assert "241 operations" in gen.stdout
    # A full camunda_core: the hand-written runtime from the repo, the generated parts from 8.10-dev.
    src = tmp_path / "src"
    shutil.copytree(
        CORE_SRC / "camunda_core",
        src / "camunda_core",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for generated in ("models", "api"):
        shutil.rmtree(src / "camunda_core" / generated)
    shutil.copytree(
        out / "packages/camunda-core/src/camunda_core", src / "camunda_core", dirs_exist_ok=True
    )
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
    script = f"EXPECTED_ROOT = {str(src)!r}\n" + SCRIPT
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("ok 241")
