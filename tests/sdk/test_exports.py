"""The public surface: explicit ``__all__`` everywhere, and one class object per name."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PUBLIC_MODULES = [
    "camunda_orchestration_sdk",
    "camunda_orchestration_sdk.errors",
    "camunda_orchestration_sdk.semantic_types",
    "camunda_orchestration_sdk.models",
    "camunda_orchestration_sdk.runtime.job_worker",
    "camunda_core",
    "camunda_core.errors",
    "camunda_core.config",
    "camunda_core.hookspecs",
    "camunda_core.plugins",
    "camunda_core.logging",
    "camunda_core.types",
    "camunda_auth_oauth",
    "camunda_workers",
    "camunda_testkit",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_name_in_all_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(exported) == len(set(exported)), f"{name}.__all__ has duplicates"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"


def test_top_level_surface() -> None:
    import camunda_orchestration_sdk as sdk

    expected = {
        "CamundaClient",
        "CamundaAsyncClient",
        "WorkerConfig",
        "JobContext",
        "ThreadJobContext",
        "JobRouter",
        "NullLogger",
        "ProcessDefinitionKey",
        "ProcessInstanceKey",
        "JobKey",
        "TenantId",
        "CamundaError",
        "ApiError",
        "BackpressureError",
        "ConfigurationError",
        "CamundaConfigWarning",
        "explain_configuration",
        "WaitFor",
    }
    assert expected <= set(sdk.__all__)


def test_same_objects_across_import_paths() -> None:
    import camunda_core
    import camunda_core.api.errors as core_op_errors
    import camunda_core.errors as core_errors
    import camunda_workers
    from camunda_core.models.process_instance_creation_instruction_by_key import (
        ProcessInstanceCreationInstructionByKey,
    )
    from camunda_orchestration_sdk import (
        CamundaAsyncClient,
        CamundaClient,
        JobRouter,
        ProcessDefinitionKey,
        errors,
        models,
    )
    from camunda_orchestration_sdk.models.process_creation_by_key import ProcessCreationByKey
    from camunda_orchestration_sdk.runtime import job_worker
    from camunda_orchestration_sdk.runtime.job_worker import JobContext
    from camunda_orchestration_sdk.semantic_types import ProcessDefinitionKey as SemanticKey

    assert ProcessCreationByKey is ProcessInstanceCreationInstructionByKey
    assert models.ProcessCreationByKey is ProcessCreationByKey
    assert errors.CreateProcessInstanceBadRequest is core_op_errors.CreateProcessInstanceBadRequest
    assert issubclass(errors.CreateProcessInstanceBadRequest, core_errors.BadRequest)
    assert errors.BadRequest is core_errors.BadRequest
    assert ProcessDefinitionKey is SemanticKey
    assert JobContext is camunda_workers.JobContext
    assert JobRouter is camunda_workers.JobRouter is job_worker.JobRouter
    assert job_worker.ThreadJobContext is camunda_workers.ThreadJobContext
    assert CamundaClient is camunda_core.CamundaClient
    assert issubclass(CamundaAsyncClient, camunda_core.CamundaAsyncClient)
    assert issubclass(CamundaAsyncClient, camunda_workers.JobWorkerHost)


def test_sync_and_async_clients_have_the_same_operations() -> None:
    import inspect

    from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient

    def public(cls: type) -> dict[str, list[str]]:
        return {
            name: list(inspect.signature(member).parameters)
            for name, member in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_")
        }

    sync_methods, async_methods = public(CamundaClient), public(CamundaAsyncClient)
    worker_methods = {
        "create_job_worker",
        "run_workers",
        "stop_workers",
        "install_signal_handlers",
        "workers",
        "include_router",
        "exception_handler",
        "metrics",
        "health",
    }
    # aclose(): httpx's (and the official SDK's) name for the async client's close().
    only_async = set(async_methods) - set(sync_methods) - worker_methods - {"aclose"}
    only_sync = set(sync_methods) - set(async_methods)
    assert not only_async and not only_sync, (only_async, only_sync)
    for name, params in sync_methods.items():
        assert async_methods[name] == params, name


def test_importing_the_package_is_lazy() -> None:
    code = (
        "import sys, camunda_orchestration_sdk\n"
        "heavy = [m for m in ('camunda_core.api.sync_api', 'camunda_core.models', 'camunda_workers', "
        "'camunda_auth_oauth', 'aiohttp', 'keyring', 'dotenv') if m in sys.modules]\n"
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
