"""Fidelity: the test kit driven by clients no one here wrote.

The official Python SDK (PyPI ``camunda-orchestration-sdk``, in its own venv at
.tools/official-python-sdk) and the official JS SDK (npm
``@camunda8/orchestration-cluster-api``, in .tools/js-sdk), both pinned in
tools/setup.sh, run one scenario each against a FakeCluster started here: deploy
tests/fidelity/order.bpmn, start two instances (amount 150 and 50), complete the
branch tasks with the SDK's job worker, search process instances, publish one message
and correlate the other, find the user tasks by search, assign, read back and complete
each with variables, activate and complete the last task through the job API, then
check that each instance completed along its own branch (``check_scenario``, shared
with our own SDK's run in test_our_sdk_scenario.py). A recording proxy sits
between client and kit; every exchange must be a 2xx whose request and response
validate against the 8.9 spec (openapi-core, the contract tests' prepared copy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fidelity_support import RecordingProxy, check_scenario, spec_problems

from camunda_testkit import FakeCluster

pytestmark = pytest.mark.fidelity

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parents[1]
BPMN = _HERE / "order.bpmn"
OFFICIAL_PYTHON = _ROOT / ".tools" / "official-python-sdk" / "bin" / "python"
JS_SDK_DIR = _ROOT / ".tools" / "js-sdk"
JS_SDK_PACKAGE = JS_SDK_DIR / "node_modules" / "@camunda8" / "orchestration-cluster-api" / "package.json"
SETUP_HINT = "run `bash tools/setup.sh`, which installs the pinned official clients"


def _pinned(variable: str) -> str:
    for line in (_ROOT / "tools" / "setup.sh").read_text().splitlines():
        if line.startswith(f"{variable}="):
            return line.split("=", 1)[1].strip('"')
    raise AssertionError(f"{variable} is not set in tools/setup.sh")


def _run(command: list[str], cluster: FakeCluster, openapi: Any, extra_env: dict[str, str]) -> dict[str, Any]:
    with RecordingProxy(cluster.base_url) as proxy:
        env = {
            **os.environ,
            "CAMUNDA_REST_ADDRESS": proxy.rest_address,
            "CAMUNDA_AUTH_STRATEGY": "NONE",
            "CAMUNDA_SDK_LOG_LEVEL": "error",
            **extra_env,
        }
        for name in ("CAMUNDA_CLIENT_ID", "CAMUNDA_CLIENT_SECRET", "CAMUNDA_OAUTH_URL"):
            env.pop(name, None)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=_ROOT)
        exchanges = proxy.snapshot()
        received = list(proxy.received)
    failed = [e.describe() for e in exchanges if not e.response.is_success]
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}\n{done.stderr}\n" + "\n".join(failed)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])

    # Every request the client sent reached the kit (nothing was lost in the proxy); the
    # only ones left unanswered are long polls a stopping worker hung up on ...
    assert Counter((r.method, r.path) for r in cluster.requests) == Counter(received)
    unanswered = Counter(received) - Counter((e.request.method, e.request.url.path) for e in exchanges)
    assert set(unanswered) <= {("POST", "/v2/jobs/activation")}, unanswered
    # ... and every answer was a 2xx in a shape the 8.9 spec declares.
    problems = spec_problems(openapi, exchanges)
    assert problems == [], "\n".join(problems)
    result["_operations"] = sorted({r.operation or "?" for r in cluster.requests})
    return result


def test_official_python_sdk_scenario(openapi_89: Any) -> None:
    if not OFFICIAL_PYTHON.exists():
        pytest.skip(f"no official Python SDK venv at {OFFICIAL_PYTHON}; {SETUP_HINT}")
    with FakeCluster() as cluster:
        result = _run(
            [str(OFFICIAL_PYTHON), str(_HERE / "official_python_scenario.py"), str(BPMN)],
            cluster,
            openapi_89,
            {},
        )
        check_scenario(result, cluster)
    assert result["sdk"] == _pinned("OFFICIAL_PY_SDK_VERSION")


def test_official_js_sdk_scenario(openapi_89: Any) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; the official JS SDK cannot run")
    if not JS_SDK_PACKAGE.exists():
        pytest.skip(f"no official JS SDK at {JS_SDK_PACKAGE}; {SETUP_HINT}")
    with FakeCluster() as cluster:
        result = _run(
            [node, str(_HERE / "js_scenario.mjs"), str(BPMN)],
            cluster,
            openapi_89,
            # The SDK's own zod schemas check requests strictly and responses
            # fanatically (unknown fields fail too).
            {"FIDELITY_JS_SDK_DIR": str(JS_SDK_DIR), "CAMUNDA_SDK_VALIDATION": "req:strict,res:fanatical"},
        )
        check_scenario(result, cluster)
    assert result["sdk"] == _pinned("OFFICIAL_JS_SDK_VERSION")
