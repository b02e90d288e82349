"""The unified clients: core operations plus job workers on the async client."""

from __future__ import annotations

from camunda_core.client import CamundaAsyncClient as _CoreAsyncClient
from camunda_core.client import CamundaClient
from camunda_workers import JobWorkerHost

__all__ = ["CamundaClient", "CamundaAsyncClient"]


class CamundaAsyncClient(JobWorkerHost, _CoreAsyncClient):
    """asyncio client for the Orchestration Cluster REST API, with job workers.

    Same operations as :class:`CamundaClient`; also ``create_job_worker`` and
    ``run_workers``. Thread-strategy handlers get ``client.runtime.blocking_client()``
    as ``job.client``: a :class:`CamundaClient` sharing this client's runtime.
    """
