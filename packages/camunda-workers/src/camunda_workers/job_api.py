"""The five job calls a worker makes, at wire level, through the client's send loop.

Workers move thousands of jobs a second, so they skip the model layer: the
activation response is read as plain JSON (one dict per job, no per-job
structuring) and request bodies are dicts. Everything else — auth, plugins,
the long-poll read timeout, typed errors, the adaptive backpressure gate — is
the client's own send loop (``ClientRuntime.ainvoke`` of the generated operation descriptors). Retries are decided
here by the worker (``retry=False`` on every call), because a worker needs to
know whether an earlier attempt may have reached the server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from camunda_core.api import operations
from camunda_core.errors import ValidationError

if TYPE_CHECKING:
    from camunda_core.runtime.client_runtime import ClientRuntime

__all__ = ["JobApi", "encode_variables"]

# Activated jobs are read as plain JSON: a worker needs a handful of fields per
# job, thousands of times a second, and builds its own JobContext from them.
_ACTIVATE_JOBS_AS_JSON = operations.activate_jobs.returning_json()


def encode_variables(operation_id: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """Check that ``variables`` is a JSON object with string keys (typed errors, not a server 400)."""
    if not isinstance(variables, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValidationError(f"{operation_id}: variables must be a dict, got {type(variables).__name__}")
    for key in variables:
        if not isinstance(key, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(f"{operation_id}: variable names must be strings, got {key!r}")
    return dict(variables)


class JobApi:
    """Sends the job operations through a client runtime's async send loop."""

    __slots__ = ("_runtime",)

    def __init__(self, runtime: ClientRuntime) -> None:
        self._runtime = runtime

    async def activate(
        self,
        *,
        job_type: str,
        worker: str,
        timeout_ms: int,
        max_jobs: int,
        request_timeout_ms: int,
        fetch_variables: Sequence[str] | None,
        tenant_ids: Sequence[str] | None,
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {
            "type": job_type,
            "worker": worker,
            "timeout": timeout_ms,
            "maxJobsToActivate": max_jobs,
            "requestTimeout": request_timeout_ms,
        }
        if fetch_variables is not None:
            body["fetchVariable"] = list(fetch_variables)
        if tenant_ids is not None:
            body["tenantIds"] = list(tenant_ids)
        result: Any = await self._runtime.ainvoke(_ACTIVATE_JOBS_AS_JSON, body=body, retry=False)
        if not isinstance(result, dict):
            return []
        jobs = cast("dict[str, Any]", result).get("jobs")
        if not isinstance(jobs, list):
            return []
        return [job for job in cast("list[Any]", jobs) if isinstance(job, dict)]

    async def complete(
        self, job_key: str, variables: Mapping[str, Any] | None, result: Mapping[str, Any] | None = None
    ) -> None:
        body: dict[str, Any] = {}
        if variables is not None:
            body["variables"] = encode_variables("completeJob", variables)
        if result is not None:
            body["result"] = dict(result)
        await self._runtime.ainvoke(operations.complete_job, path={"jobKey": job_key}, body=body, retry=False)

    async def fail(
        self,
        job_key: str,
        *,
        retries: int,
        message: str,
        retry_back_off_ms: int,
        variables: Mapping[str, Any] | None,
    ) -> None:
        # Always explicit: the spec's default retries of 0 would raise an incident at once.
        body: dict[str, Any] = {"retries": retries, "errorMessage": message, "retryBackOff": retry_back_off_ms}
        if variables is not None:
            body["variables"] = encode_variables("failJob", variables)
        await self._runtime.ainvoke(operations.fail_job, path={"jobKey": job_key}, body=body, retry=False)

    async def throw_error(
        self, job_key: str, *, code: str, message: str | None, variables: Mapping[str, Any] | None
    ) -> None:
        body: dict[str, Any] = {"errorCode": code}
        if message is not None:
            body["errorMessage"] = message
        if variables is not None:
            body["variables"] = encode_variables("throwJobError", variables)
        await self._runtime.ainvoke(operations.throw_job_error, path={"jobKey": job_key}, body=body, retry=False)

    async def extend_timeout(self, job_key: str, *, timeout_ms: int) -> None:
        body: dict[str, Any] = {"changeset": {"timeout": timeout_ms}}
        await self._runtime.ainvoke(operations.update_job, path={"jobKey": job_key}, body=body, retry=False)
