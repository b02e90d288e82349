"""The five job calls a worker makes, through the client's send loop, in the generated models.

Activated jobs are structured one by one into ``ActivatedJobResult`` with the
one converter (``camunda_core.serialization.converter.structure``), so a job
that does not fit is refused on its own instead of failing the whole
activation; request bodies are the generated request models
(``JobActivationRequest``, ``JobCompletionRequest``, ``JobFailRequest``,
``JobErrorRequest``, ``JobUpdateRequest``). Everything else — auth, plugins, the
long-poll read timeout, typed errors, the adaptive backpressure gate — is the
client's own send loop (``ClientRuntime.ainvoke``). Retries are decided by the
worker (``retry=False`` on every call), because a worker needs to know
whether an earlier attempt may have reached the server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from camunda_core.api import operations
from camunda_core.errors import ValidationError
from camunda_core.models.activated_job_result import ActivatedJobResult
from camunda_core.models.job_activation_request import JobActivationRequest
from camunda_core.models.job_changeset import JobChangeset
from camunda_core.models.job_completion_request import JobCompletionRequest
from camunda_core.models.job_error_request import JobErrorRequest
from camunda_core.models.job_fail_request import JobFailRequest
from camunda_core.models.job_result import JobResult
from camunda_core.models.job_update_request import JobUpdateRequest
from camunda_core.semantic_types import TenantId
from camunda_core.serialization.converter import ConversionError, structure
from camunda_core.types import UNSET
from camunda_workers.decisions import cap_message

if TYPE_CHECKING:
    from camunda_core.logging import SdkLogger
    from camunda_core.runtime.client_runtime import ClientRuntime

__all__ = ["JobApi", "encode_variables"]

# The activation envelope is read as plain JSON and each job structured on its
# own: one malformed job must not strand the others the server just activated.
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

    @property
    def runtime(self) -> ClientRuntime:
        return self._runtime

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
        log: SdkLogger,
    ) -> list[ActivatedJobResult]:
        body = JobActivationRequest(
            type=job_type,
            worker=worker,
            timeout=timeout_ms,
            max_jobs_to_activate=max_jobs,
            request_timeout=request_timeout_ms,
            fetch_variable=UNSET if fetch_variables is None else list(fetch_variables),
            tenant_ids=UNSET if tenant_ids is None else [TenantId(t) for t in tenant_ids],
        )
        result: Any = await self._runtime.ainvoke(_ACTIVATE_JOBS_AS_JSON, body=body, retry=False)
        if not isinstance(result, dict):
            return []
        raw_jobs = cast("dict[str, Any]", result).get("jobs")
        if not isinstance(raw_jobs, list):
            return []
        jobs: list[ActivatedJobResult] = []
        for raw in cast("list[Any]", raw_jobs):
            try:
                jobs.append(structure(raw, ActivatedJobResult))
            except ConversionError as error:
                key = cast("dict[str, Any]", raw).get("jobKey") if isinstance(raw, dict) else None
                log.error(
                    "activated job %s does not fit ActivatedJobResult (%s); not handled, the server re-offers it after its timeout",
                    key,
                    error,
                )
        return jobs

    async def complete(
        self, job_key: str, *, variables: Mapping[str, Any] | None, result: JobResult | None = None
    ) -> None:
        body = JobCompletionRequest(
            variables=UNSET if variables is None else encode_variables("completeJob", variables),
            result=UNSET if result is None else result,
        )
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
        body = JobFailRequest(
            retries=retries,
            error_message=cap_message(message),
            retry_back_off=retry_back_off_ms,
            variables=UNSET if variables is None else encode_variables("failJob", variables),
        )
        await self._runtime.ainvoke(operations.fail_job, path={"jobKey": job_key}, body=body, retry=False)

    async def throw_error(
        self, job_key: str, *, code: str, message: str | None, variables: Mapping[str, Any] | None
    ) -> None:
        body = JobErrorRequest(
            error_code=code,
            error_message=UNSET if message is None else cap_message(message),
            variables=UNSET if variables is None else encode_variables("throwJobError", variables),
        )
        await self._runtime.ainvoke(operations.throw_job_error, path={"jobKey": job_key}, body=body, retry=False)

    async def extend_timeout(self, job_key: str, *, timeout_ms: int) -> None:
        body = JobUpdateRequest(changeset=JobChangeset(timeout=timeout_ms))
        await self._runtime.ainvoke(operations.update_job, path={"jobKey": job_key}, body=body, retry=False)
