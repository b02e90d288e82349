"""The clients: generated operations + the runtime's send loops.

``CamundaClient`` (blocking) and ``CamundaAsyncClient`` (asyncio) have the
same methods with the same parameters; only the calling convention differs.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence

from camunda_core.api.async_api import AsyncApi
from camunda_core.api.sync_api import SyncApi
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.deployment import DeploymentSummary, read_deployment_files
from camunda_core.runtime.sync_client import SyncClientRuntime
from camunda_core.semantic_types import TenantId
from camunda_core.types import UNSET

__all__ = ["CamundaClient", "CamundaAsyncClient", "DeploymentSummary"]


class CamundaClient(SyncApi, SyncClientRuntime):
    """Blocking client for the Orchestration Cluster REST API.

    ``CamundaClient()`` reads ``CAMUNDA_*`` variables (and ``.env`` when
    ``CAMUNDA_LOAD_ENVFILE`` says so); ``configuration={...}`` overrides them.
    Use it as a context manager, or call :meth:`close`.
    """

    def deploy_resources_from_files(
        self, paths: Sequence[str | os.PathLike[str]], tenant_id: TenantId | str | None = None
    ) -> DeploymentSummary:
        """Deploy BPMN, DMN and form files; returns the result grouped by kind."""
        files = read_deployment_files(paths)
        result = self.create_deployment(resources=files, tenant_id=TenantId(tenant_id) if tenant_id else UNSET)
        return DeploymentSummary.from_result(result)


class CamundaAsyncClient(AsyncApi, AsyncClientRuntime):
    """asyncio client for the Orchestration Cluster REST API (same surface as CamundaClient)."""

    async def deploy_resources_from_files(
        self, paths: Sequence[str | os.PathLike[str]], tenant_id: TenantId | str | None = None
    ) -> DeploymentSummary:
        """Deploy BPMN, DMN and form files; returns the result grouped by kind."""
        files = await asyncio.to_thread(read_deployment_files, paths)
        result = await self.create_deployment(resources=files, tenant_id=TenantId(tenant_id) if tenant_id else UNSET)
        return DeploymentSummary.from_result(result)
