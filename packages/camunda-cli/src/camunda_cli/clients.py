"""The clients the commands use: the SDK's own, reading ``CAMUNDA_*`` from the environment and ``.env``.

The meta package ``camunda-orchestration-sdk`` depends on this one, so the async client with
job workers is composed here from its two parts, exactly as the meta package composes it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from camunda_core.client import CamundaAsyncClient as _CoreAsyncClient
from camunda_core.client import CamundaClient
from camunda_workers import JobWorkerHost

__all__ = ["CamundaClient", "WorkerClient", "cluster_configured"]


class WorkerClient(JobWorkerHost, _CoreAsyncClient):
    """The async client with job workers (``include_router``, ``run_workers``, ...)."""


def cluster_configured(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a cluster address is set (``CAMUNDA_REST_ADDRESS`` or an alias, in the
    environment or the ``.env`` file the configuration reads), as opposed to the default."""
    from camunda_core.config import explain_configuration

    origins = explain_configuration(environ=os.environ if environ is None else environ)
    return any(o.variable == "CAMUNDA_REST_ADDRESS" and o.source != "default" for o in origins)
