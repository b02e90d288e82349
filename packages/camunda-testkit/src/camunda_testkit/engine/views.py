"""Read-only snapshots of the engine's state that tests assert on (public through ``camunda_testkit``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .model import Job, ProcessInstance

__all__ = [
    "DeployedProcess",
    "InstanceView",
    "JobView",
    "PublishedMessage",
    "instance_view",
    "job_view",
]


@dataclass(frozen=True, slots=True)
class JobView:
    """A snapshot of one job, for assertions in tests."""

    job_key: str
    job_type: str
    state: str
    process_instance_key: str
    process_definition_id: str
    element_id: str
    tenant_id: str
    worker: str
    retries: int
    deadline: int | None
    custom_headers: Mapping[str, str]
    error_code: str | None
    error_message: str | None
    completions: int
    completion_attempts: int
    completion_variables: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class InstanceView:
    """A snapshot of one process instance, for assertions in tests."""

    process_instance_key: str
    process_definition_key: str
    process_definition_id: str
    version: int
    state: str
    has_incident: bool
    tenant_id: str
    variables: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class DeployedProcess:
    """What :meth:`FakeCluster.deploy_bpmn` deployed."""

    process_definition_key: str
    process_definition_id: str
    version: int
    resource_name: str
    tenant_id: str
    deployment_key: str
    job_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PublishedMessage:
    """One published or correlated message, as ``FakeCluster.messages`` lists it."""

    message_key: str
    name: str
    correlation_key: str
    variables: Mapping[str, Any]
    tenant_id: str
    time_to_live: int
    message_id: str | None
    correlated_process_instance_key: str | None


def job_view(job: Job) -> JobView:
    return JobView(
        job_key=job.key,
        job_type=job.task.job_type,
        state=job.state,
        process_instance_key=job.instance.key,
        process_definition_id=job.instance.definition.model.process_id,
        element_id=job.task.element_id,
        tenant_id=job.instance.tenant_id,
        worker=job.worker,
        retries=job.retries,
        deadline=job.deadline_ms,
        custom_headers=MappingProxyType(dict(job.task.custom_headers)),
        error_code=job.error_code,
        error_message=job.error_message,
        completions=job.completions,
        completion_attempts=job.completion_attempts,
        completion_variables=None
        if job.completion_variables is None
        else MappingProxyType(dict(job.completion_variables)),
    )


def instance_view(instance: ProcessInstance) -> InstanceView:
    return InstanceView(
        process_instance_key=instance.key,
        process_definition_key=instance.definition.key,
        process_definition_id=instance.definition.model.process_id,
        version=instance.definition.version,
        state=instance.state,
        has_incident=instance.has_incident,
        tenant_id=instance.tenant_id,
        variables=MappingProxyType(dict(instance.variables)),
    )
