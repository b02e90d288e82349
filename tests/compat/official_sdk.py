"""The official Python SDK (PyPI ``camunda-orchestration-sdk``), from its own venv at .tools/official-python-sdk.

Two ways to use it here, because its distribution has the same import name as ours:

* :func:`load_official_runtime` imports its ``runtime`` package (auth providers, loggers; they
  need only httpx) in-process under another name, so its objects can be handed to our clients.
* :func:`run_official` runs a snippet with its interpreter in a subprocess (a whole program
  written for it) and returns the JSON the snippet leaves in ``result``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL_VENV = ROOT / ".tools" / "official-python-sdk"
OFFICIAL_PYTHON = OFFICIAL_VENV / "bin" / "python"
SETUP_HINT = "run `bash tools/setup.sh`, which installs the pinned official SDK"

__all__ = ["OFFICIAL_PYTHON", "load_official_runtime", "official_available", "run_official", "run_official_batch"]


def official_available() -> bool:
    return OFFICIAL_PYTHON.exists()


def _site_packages() -> Path:
    found = sorted(OFFICIAL_VENV.glob("lib/python3*/site-packages/camunda_orchestration_sdk"))
    if not found:
        pytest.skip(f"no official Python SDK at {OFFICIAL_VENV}; {SETUP_HINT}")
    return found[0]


def load_official_runtime() -> ModuleType:
    """``camunda_orchestration_sdk.runtime`` of the official SDK, imported as ``official_sdk_runtime``."""
    name = "official_sdk_runtime"
    if name in sys.modules:
        return sys.modules[name]
    package = _site_packages() / "runtime"
    spec = importlib.util.spec_from_file_location(
        name, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[name]
        raise
    return module


def run_official(snippet: str, env: dict[str, str], *, prelude: str = "") -> Any:
    """Run ``snippet`` with the official SDK's interpreter; it sets ``result`` (JSON-able), which is returned."""
    if not official_available():
        pytest.skip(f"no official Python SDK venv at {OFFICIAL_PYTHON}; {SETUP_HINT}")
    program = "\n".join(
        [
            "import json",
            textwrap.dedent(prelude),
            textwrap.dedent(snippet),
            "print('\\n' + json.dumps(result))",
        ]
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA_", "ZEEBE_"))}
    environment.update({"CAMUNDA_SDK_LOG_LEVEL": "error", **env})
    done = subprocess.run(
        [str(OFFICIAL_PYTHON), "-c", program], env=environment, capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, f"the official SDK failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


_BATCH_RUNNER = """
import json, os, sys, traceback
jobs = json.loads(sys.stdin.read())
results = {}
for name, job in jobs.items():
    for key in [k for k in os.environ if k.startswith(("CAMUNDA_", "ZEEBE_"))]:
        del os.environ[key]
    os.environ.update({"CAMUNDA_SDK_LOG_LEVEL": "error", **job["env"]})
    namespace = {"__name__": "snippet"}
    try:
        exec(compile(job["code"], name, "exec"), namespace)
        results[name] = {"result": json.loads(json.dumps(namespace["result"]))}
    except BaseException as exc:
        results[name] = {"error": type(exc).__name__ + ": " + str(exc), "trace": traceback.format_exc()}
print("\\n" + json.dumps(results))
"""


def run_official_batch(jobs: dict[str, tuple[str, dict[str, str]]]) -> dict[str, dict[str, Any]]:
    """Run many snippets in one official-SDK process (its import takes seconds): name -> (code, env).

    Each snippet runs with its own environment; the answer per name is ``{"result": ...}`` or
    ``{"error": "Type: message", "trace": ...}``.
    """
    if not official_available():
        pytest.skip(f"no official Python SDK venv at {OFFICIAL_PYTHON}; {SETUP_HINT}")
    payload = {name: {"code": textwrap.dedent(code), "env": env} for name, (code, env) in jobs.items()}
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA_", "ZEEBE_"))}
    done = subprocess.run(
        [str(OFFICIAL_PYTHON), "-c", _BATCH_RUNNER],
        input=json.dumps(payload),
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, f"the official SDK's batch failed:\n{done.stdout}\n{done.stderr}"
    results: dict[str, dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return results
