"""camunda_core: the runtime and generated REST client of the Camunda Python SDK.

Importing this package is cheap: the clients, models and generated operations
load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from camunda_core.errors import (
    ApiError,
    BackpressureError,
    BadRequest,
    CamundaError,
    ConfigurationError,
    Conflict,
    ConsistencyTimeoutError,
    Forbidden,
    NotFound,
    ServerError,
    TransportConnectionError,
    TransportError,
    TransportTimeoutError,
    Unauthorized,
    ValidationError,
)
from camunda_core.hookspecs import hookimpl
from camunda_core.lazy import lazy_getattr
from camunda_core.logging import NullLogger, disable_library_logging
from camunda_core.types import UNSET, Secret, Unset

if TYPE_CHECKING:
    from camunda_core.client import CamundaAsyncClient, CamundaClient, DeploymentSummary
    from camunda_core.config import CamundaConfig, resolve_config
    from camunda_core.retry.policy import DefaultRetryPolicy, RetryPolicy
    from camunda_core.runtime.client_runtime import ClientRuntime
    from camunda_core.runtime.clock import Clock
    from camunda_core.runtime.consistency import WaitFor
    from camunda_core.runtime.multipart import File

__version__ = "8.9.0"

__all__ = [
    "CamundaClient",
    "CamundaAsyncClient",
    "CamundaConfig",
    "resolve_config",
    "DeploymentSummary",
    "ClientRuntime",
    "Clock",
    "WaitFor",
    "File",
    "RetryPolicy",
    "DefaultRetryPolicy",
    "NullLogger",
    "hookimpl",
    "UNSET",
    "Unset",
    "Secret",
    "CamundaError",
    "ConfigurationError",
    "ValidationError",
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

_LAZY = {
    "CamundaClient": "camunda_core.client",
    "CamundaAsyncClient": "camunda_core.client",
    "DeploymentSummary": "camunda_core.client",
    "ClientRuntime": "camunda_core.runtime.client_runtime",
    "Clock": "camunda_core.runtime.clock",
    "CamundaConfig": "camunda_core.config",
    "resolve_config": "camunda_core.config",
    "WaitFor": "camunda_core.runtime.consistency",
    "File": "camunda_core.runtime.multipart",
    "RetryPolicy": "camunda_core.retry.policy",
    "DefaultRetryPolicy": "camunda_core.retry.policy",
}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)


# A library stays silent until its user opts in (CAMUNDA_SDK_LOG_LEVEL or logger.enable).
disable_library_logging()
