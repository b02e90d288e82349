"""camunda_orchestration_sdk: the typed Python SDK for the Camunda 8 Orchestration Cluster REST API.

Everything users import lives here or in its submodules (``.models``,
``.errors``, ``.semantic_types``, ``.runtime.job_worker``). Heavy parts load
on first use, so ``import camunda_orchestration_sdk`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from camunda_core.errors import (
    ApiError,
    AuthenticationError,
    BackpressureError,
    BadRequest,
    CamundaError,
    ConfigurationError,
    Conflict,
    ConsistencyTimeoutError,
    Forbidden,
    NotFound,
    PluginError,
    ResponseParseError,
    ServerError,
    TransportConnectionError,
    TransportError,
    TransportTimeoutError,
    Unauthorized,
    ValidationError,
)
from camunda_core.hookspecs import hookimpl
from camunda_core.lazy import lazy_getattr
from camunda_core.logging import NullLogger
from camunda_core.types import UNSET, Secret, Unset

from . import semantic_types as _semantic_types
from .semantic_types import *  # noqa: F403 - every key type, re-exported

if TYPE_CHECKING:
    from camunda_core.client import DeploymentSummary
    from camunda_core.config import CamundaConfig, CamundaConfigWarning, explain_configuration
    from camunda_core.retry.policy import DefaultRetryPolicy, RetryPolicy
    from camunda_core.runtime.consistency import WaitFor
    from camunda_core.runtime.multipart import File
    from camunda_orchestration_sdk.client import CamundaAsyncClient, CamundaClient
    from camunda_workers import (
        JobContext,
        JobError,
        JobFailure,
        JobRouter,
        JobWorker,
        ThreadJobContext,
        WorkerConfig,
        WorkerReport,
    )

__version__ = "8.9.0"

__all__ = [
    "CamundaClient",
    "CamundaAsyncClient",
    "CamundaConfig",
    "CamundaConfigWarning",
    "explain_configuration",
    "DeploymentSummary",
    "WaitFor",
    "File",
    "RetryPolicy",
    "DefaultRetryPolicy",
    "WorkerConfig",
    "JobContext",
    "ThreadJobContext",
    "JobRouter",
    "JobWorker",
    "JobError",
    "JobFailure",
    "WorkerReport",
    "NullLogger",
    "hookimpl",
    "UNSET",
    "Unset",
    "Secret",
    "CamundaError",
    "ConfigurationError",
    "ValidationError",
    "AuthenticationError",
    "PluginError",
    "ResponseParseError",
    "ConsistencyTimeoutError",
    "TransportError",
    "TransportTimeoutError",
    "TransportConnectionError",
    "ApiError",
    "BackpressureError",
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "Conflict",
    "ServerError",
    "__version__",
]
__all__ += _semantic_types.__all__

_LAZY = {
    "CamundaClient": "camunda_orchestration_sdk.client",
    "CamundaAsyncClient": "camunda_orchestration_sdk.client",
    "DeploymentSummary": "camunda_core.client",
    "CamundaConfig": "camunda_core.config",
    "CamundaConfigWarning": "camunda_core.config",
    "explain_configuration": "camunda_core.config",
    "WaitFor": "camunda_core.runtime.consistency",
    "File": "camunda_core.runtime.multipart",
    "RetryPolicy": "camunda_core.retry.policy",
    "DefaultRetryPolicy": "camunda_core.retry.policy",
    "WorkerConfig": "camunda_workers",
    "JobContext": "camunda_workers",
    "ThreadJobContext": "camunda_workers",
    "JobRouter": "camunda_workers",
    "JobWorker": "camunda_workers",
    "JobError": "camunda_workers",
    "JobFailure": "camunda_workers",
    "WorkerReport": "camunda_workers",
}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)
