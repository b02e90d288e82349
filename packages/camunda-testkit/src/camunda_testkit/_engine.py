"""The fake cluster's state: definitions, instances, jobs, messages, documents.

Everything here runs on the server's event loop thread (the public
``FakeCluster`` methods hop onto it), so no locks are needed. Errors are
raised as :class:`Problem` and become RFC 9457 responses.

Execution model: a process is the list of its job-based tasks in document
order. Creating an instance creates the first task's job; completing a job
creates the next one; completing the last completes the instance.
"""

from __future__ import annotations

import asyncio
import base64
import heapq
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

from ._resources import (
    DecisionRequirementsModel,
    FormModel,
    ProcessModel,
    ResourceError,
    TaskModel,
    parse_bpmn,
    parse_dmn,
    parse_form,
)

__all__ = [
    "DEFAULT_TENANT",
    "ClusterStats",
    "DeployedProcess",
    "Engine",
    "InstanceView",
    "JobView",
    "Problem",
    "PublishedMessage",
]

DEFAULT_TENANT = "<default>"
FIRST_KEY = 2251799813685249
DEFAULT_LONG_POLL_SECONDS = 10.0

# Internal job states. ``JobView.state`` exposes these names.
ACTIVATABLE = "ACTIVATABLE"
ACTIVATED = "ACTIVATED"
BACKOFF = "BACKOFF"  # failed with retries left, waiting out retryBackOff
FAILED = "FAILED"  # failed with no retries left: an incident
ERROR_THROWN = "ERROR_THROWN"  # a BPMN error nobody catches: an incident
COMPLETED = "COMPLETED"
CANCELED = "CANCELED"

_OPEN_STATES = frozenset({ACTIVATABLE, ACTIVATED, BACKOFF, FAILED, ERROR_THROWN})


class Problem(Exception):
    """An error answer: HTTP status, problem title and detail."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_timestamp(epoch_ms: int | None) -> str | None:
    if epoch_ms is None:
        return None
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


@dataclass(slots=True)
class ProcessDefinition:
    key: str
    model: ProcessModel
    version: int
    resource_name: str
    tenant_id: str
    deployment_key: str
    xml: bytes

    def to_wire(self) -> dict[str, Any]:
        return {
            "name": self.model.name,
            "resourceName": self.resource_name,
            "version": self.version,
            "versionTag": self.model.version_tag,
            "processDefinitionId": self.model.process_id,
            "tenantId": self.tenant_id,
            "processDefinitionKey": self.key,
            "hasStartForm": False,
            "state": "ACTIVE",
        }


@dataclass(slots=True)
class ProcessInstance:
    key: str
    definition: ProcessDefinition
    variables: dict[str, Any]
    tenant_id: str
    tags: list[str]
    business_id: str | None
    start_ms: int
    state: str = "ACTIVE"
    has_incident: bool = False
    end_ms: int | None = None
    step: int = 0
    job_key: str | None = None
    completion_waiters: list[asyncio.Future[None]] = field(default_factory=lambda: [])

    def to_wire(self) -> dict[str, Any]:
        definition = self.definition
        return {
            "processDefinitionId": definition.model.process_id,
            "processDefinitionName": definition.model.name,
            "processDefinitionVersion": definition.version,
            "processDefinitionVersionTag": definition.model.version_tag,
            "startDate": iso_timestamp(self.start_ms),
            "endDate": iso_timestamp(self.end_ms),
            "state": self.state,
            "hasIncident": self.has_incident,
            "tenantId": self.tenant_id,
            "processInstanceKey": self.key,
            "processDefinitionKey": definition.key,
            "parentProcessInstanceKey": None,
            "parentElementInstanceKey": None,
            "rootProcessInstanceKey": self.key,
            "tags": list(self.tags),
            "businessId": self.business_id,
        }


@dataclass(slots=True)
class Job:
    key: str
    instance: ProcessInstance
    task: TaskModel
    element_instance_key: str
    retries: int
    created_ms: int
    state: str = ACTIVATABLE
    # The spec's JobStateEnum value of the last thing that happened to the job.
    last_event: str = "CREATED"
    worker: str = ""
    deadline_ms: int | None = None
    activation_seq: int = 0
    updated_ms: int | None = None
    end_ms: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    has_failed_with_retries_left: bool = False
    completions: int = 0
    completion_attempts: int = 0
    completion_variables: dict[str, Any] | None = None

    def to_search_wire(self) -> dict[str, Any]:
        instance = self.instance
        return {
            "customHeaders": dict(self.task.custom_headers),
            "deadline": iso_timestamp(self.deadline_ms),
            "deniedReason": None,
            "elementId": self.task.element_id,
            "elementInstanceKey": self.element_instance_key,
            "endTime": iso_timestamp(self.end_ms),
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
            "hasFailedWithRetriesLeft": self.has_failed_with_retries_left,
            "isDenied": None,
            "jobKey": self.key,
            "kind": "BPMN_ELEMENT",
            "listenerEventType": "UNSPECIFIED",
            "processDefinitionId": instance.definition.model.process_id,
            "processDefinitionKey": instance.definition.key,
            "processInstanceKey": instance.key,
            "rootProcessInstanceKey": instance.key,
            "retries": self.retries,
            "state": self.last_event,
            "tenantId": instance.tenant_id,
            "type": self.task.job_type,
            "worker": self.worker,
            "creationTime": iso_timestamp(self.created_ms),
            "lastUpdateTime": iso_timestamp(self.updated_ms or self.created_ms),
        }


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
    message_key: str
    name: str
    correlation_key: str
    variables: Mapping[str, Any]
    tenant_id: str
    time_to_live: int
    message_id: str | None
    correlated_process_instance_key: str | None


@dataclass(frozen=True, slots=True)
class ClusterStats:
    """Counters since start (or since :meth:`FakeCluster.reset_stats`)."""

    requests: int
    activation_requests: int
    activated_jobs: int
    completions: Mapping[str, int]
    completion_attempts: int
    rejected_completions: int
    failures: int
    errors_thrown: int
    timeouts: int
    in_flight: int
    max_in_flight: int
    in_flight_by_worker: Mapping[str, int]
    max_in_flight_by_worker: Mapping[str, int]
    created_instances: int
    completed_instances: int
    published_messages: int
    token_requests: int

    @property
    def completed_jobs(self) -> int:
        return len(self.completions)

    @property
    def duplicate_completions(self) -> dict[str, int]:
        """Jobs completed successfully more than once (never, unless something is wrong)."""
        return {key: count for key, count in self.completions.items() if count > 1}


class _Counters:
    __slots__ = (
        "activated_jobs",
        "activation_requests",
        "completed_instances",
        "completion_attempts",
        "completions",
        "created_instances",
        "errors_thrown",
        "failures",
        "in_flight",
        "in_flight_by_worker",
        "max_in_flight",
        "max_in_flight_by_worker",
        "published_messages",
        "rejected_completions",
        "requests",
        "timeouts",
        "token_requests",
    )

    def __init__(self) -> None:
        self.requests = 0
        self.activation_requests = 0
        self.activated_jobs = 0
        self.completions: dict[str, int] = {}
        self.completion_attempts = 0
        self.rejected_completions = 0
        self.failures = 0
        self.errors_thrown = 0
        self.timeouts = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_by_worker: dict[str, int] = {}
        self.max_in_flight_by_worker: dict[str, int] = {}
        self.created_instances = 0
        self.completed_instances = 0
        self.published_messages = 0
        self.token_requests = 0


class Engine:
    def __init__(self, first_key: int | None = None) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._next_key = FIRST_KEY if first_key is None else first_key
        self.definitions: dict[str, ProcessDefinition] = {}
        self._latest: dict[tuple[str, str], ProcessDefinition] = {}
        self._versions: dict[tuple[str, str, str], int] = {}
        self.decisions: list[dict[str, Any]] = []
        self.forms: list[dict[str, Any]] = []
        self.instances: dict[str, ProcessInstance] = {}
        self.jobs: dict[str, Job] = {}
        self._activatable: dict[str, dict[str, Job]] = {}
        self._deadlines: list[tuple[int, int, str]] = []
        self._backoffs: list[tuple[int, int, str]] = []
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._activation_seq = 0
        self.messages: list[PublishedMessage] = []
        self.documents: dict[str, tuple[bytes, dict[str, Any], str]] = {}
        self.counters = _Counters()

    # ----------------------------------------------------------------- keys
    def new_key(self) -> str:
        key = self._next_key
        self._next_key += 1
        return str(key)

    # ----------------------------------------------------------- deployment
    def deploy(self, resources: list[tuple[str, bytes]], tenant_id: str) -> dict[str, Any]:
        if not resources:
            raise Problem(400, "INVALID_ARGUMENT", "No resources given to deploy.")
        # Parse everything first so a bad resource deploys nothing.
        parsed: list[
            tuple[str, bytes, list[ProcessModel] | DecisionRequirementsModel | FormModel]
        ] = []
        for name, content in resources:
            lowered = name.lower()
            try:
                if lowered.endswith(".bpmn") or lowered.endswith(".bpmn20.xml"):
                    parsed.append((name, content, parse_bpmn(name, content)))
                elif lowered.endswith(".dmn") or lowered.endswith(".dmn11.xml"):
                    parsed.append((name, content, parse_dmn(name, content)))
                elif lowered.endswith(".form"):
                    parsed.append((name, content, parse_form(name, content)))
                else:
                    raise ResourceError(
                        f"'{name}': resource type is not supported (use .bpmn, .dmn or .form)"
                    )
            except ResourceError as exc:
                raise Problem(
                    400,
                    "INVALID_ARGUMENT",
                    f"Expected to deploy new resources, but encountered the following errors: {exc}",
                ) from exc
        deployment_key = self.new_key()
        entries: list[dict[str, Any]] = []
        for name, content, model in parsed:
            if isinstance(model, list):
                for process in model:
                    definition = self._add_process(
                        process, name, content, tenant_id, deployment_key
                    )
                    entries.append(
                        _deployment_entry(
                            processDefinition={
                                "processDefinitionId": process.process_id,
                                "processDefinitionVersion": definition.version,
                                "resourceName": name,
                                "tenantId": tenant_id,
                                "processDefinitionKey": definition.key,
                            }
                        )
                    )
            elif isinstance(model, DecisionRequirementsModel):
                entries.extend(self._add_decisions(model, name, tenant_id))
            elif isinstance(model, FormModel):
                version = self._bump_version("form", model.form_id, tenant_id)
                form = {
                    "formId": model.form_id,
                    "version": version,
                    "resourceName": name,
                    "tenantId": tenant_id,
                    "formKey": self.new_key(),
                }
                self.forms.append(form)
                entries.append(_deployment_entry(form=form))
        return {"deploymentKey": deployment_key, "tenantId": tenant_id, "deployments": entries}

    def _bump_version(self, kind: str, resource_id: str, tenant_id: str) -> int:
        version = self._versions.get((kind, resource_id, tenant_id), 0) + 1
        self._versions[(kind, resource_id, tenant_id)] = version
        return version

    def _add_process(
        self,
        model: ProcessModel,
        resource_name: str,
        content: bytes,
        tenant_id: str,
        deployment_key: str,
    ) -> ProcessDefinition:
        version = self._bump_version("process", model.process_id, tenant_id)
        definition = ProcessDefinition(
            key=self.new_key(),
            model=model,
            version=version,
            resource_name=resource_name,
            tenant_id=tenant_id,
            deployment_key=deployment_key,
            xml=content,
        )
        self.definitions[definition.key] = definition
        self._latest[(model.process_id, tenant_id)] = definition
        return definition

    def _add_decisions(
        self, model: DecisionRequirementsModel, resource_name: str, tenant_id: str
    ) -> list[dict[str, Any]]:
        requirements_version = self._bump_version("drg", model.requirements_id, tenant_id)
        requirements_key = self.new_key()
        entries = [
            _deployment_entry(
                decisionRequirements={
                    "decisionRequirementsId": model.requirements_id,
                    "decisionRequirementsName": model.name,
                    "version": requirements_version,
                    "resourceName": resource_name,
                    "tenantId": tenant_id,
                    "decisionRequirementsKey": requirements_key,
                }
            )
        ]
        for decision in model.decisions:
            wire = {
                "decisionDefinitionId": decision.decision_id,
                "version": self._bump_version("decision", decision.decision_id, tenant_id),
                "name": decision.name,
                "tenantId": tenant_id,
                "decisionRequirementsId": model.requirements_id,
                "decisionDefinitionKey": self.new_key(),
                "decisionRequirementsKey": requirements_key,
            }
            self.decisions.append(wire)
            entries.append(_deployment_entry(decisionDefinition=wire))
        return entries

    def find_definition(self, process_id: str, version: int, tenant_id: str) -> ProcessDefinition:
        latest = self._latest.get((process_id, tenant_id))
        if latest is None:
            raise Problem(
                404,
                "NOT_FOUND",
                f"Expected to find process definition with process ID '{process_id}', but none found",
            )
        if version < 0 or version == latest.version:
            return latest
        for definition in self.definitions.values():
            if (
                definition.model.process_id == process_id
                and definition.tenant_id == tenant_id
                and definition.version == version
            ):
                return definition
        raise Problem(
            404,
            "NOT_FOUND",
            f"Expected to find process definition with process ID '{process_id}' and version "
            f"'{version}', but none found",
        )

    # ---------------------------------------------------------- instances
    def create_instance(
        self,
        definition: ProcessDefinition,
        variables: dict[str, Any],
        tenant_id: str,
        tags: list[str],
        business_id: str | None,
    ) -> ProcessInstance:
        if tenant_id != definition.tenant_id:
            raise Problem(
                404,
                "NOT_FOUND",
                f"Expected to find process definition with key '{definition.key}' "
                f"for tenant '{tenant_id}', but none found",
            )
        instance = ProcessInstance(
            key=self.new_key(),
            definition=definition,
            variables=dict(variables),
            tenant_id=tenant_id,
            tags=tags,
            business_id=business_id,
            start_ms=now_ms(),
        )
        self.instances[instance.key] = instance
        self.counters.created_instances += 1
        self._advance(instance)
        return instance

    def _advance(self, instance: ProcessInstance) -> None:
        tasks = instance.definition.model.tasks
        if instance.step >= len(tasks):
            instance.state = "COMPLETED"
            instance.end_ms = now_ms()
            instance.job_key = None
            self.counters.completed_instances += 1
            self._resolve_completion_waiters(instance)
            return
        task = tasks[instance.step]
        job = Job(
            key=self.new_key(),
            instance=instance,
            task=task,
            element_instance_key=self.new_key(),
            retries=task.retries,
            created_ms=now_ms(),
        )
        self.jobs[job.key] = job
        instance.job_key = job.key
        self._make_activatable(job)

    def _resolve_completion_waiters(self, instance: ProcessInstance) -> None:
        for waiter in instance.completion_waiters:
            if not waiter.done():
                waiter.set_result(None)
        instance.completion_waiters.clear()

    def get_instance(self, key: str) -> ProcessInstance:
        instance = self.instances.get(key)
        if instance is None:
            raise Problem(
                404,
                "NOT_FOUND",
                f"Process instance with key '{key}' not found",
            )
        return instance

    def cancel_instance(self, key: str) -> None:
        instance = self.instances.get(key)
        if instance is None or instance.state != "ACTIVE":
            raise Problem(
                404,
                "NOT_FOUND",
                f"Command 'CANCEL' rejected with code 'NOT_FOUND': Expected to cancel a process "
                f"instance with key '{key}', but no such process was found",
            )
        stamp = now_ms()
        instance.state = "TERMINATED"
        instance.end_ms = stamp
        if instance.job_key is not None:
            job = self.jobs[instance.job_key]
            if job.state in _OPEN_STATES:
                self._leave(job, CANCELED, "CANCELED", stamp)
        instance.job_key = None
        self._resolve_completion_waiters(instance)

    # --------------------------------------------------------------- jobs
    def _make_activatable(self, job: Job) -> None:
        job.state = ACTIVATABLE
        job.worker = ""
        job.deadline_ms = None
        job_type = job.task.job_type
        queue = self._activatable.get(job_type)
        if queue is None:
            queue = self._activatable[job_type] = {}
        queue[job.key] = job
        waiters = self._waiters.pop(job_type, None)
        if waiters:
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    def _leave(self, job: Job, state: str, event: str, stamp: int) -> None:
        """Move an open job to ``state``, keeping queues and in-flight counts right."""
        if job.state == ACTIVATED:
            self._land(job)
        elif job.state == ACTIVATABLE:
            queue = self._activatable.get(job.task.job_type)
            if queue is not None:
                queue.pop(job.key, None)
        job.state = state
        job.last_event = event
        job.updated_ms = stamp
        if state in (COMPLETED, CANCELED):
            job.end_ms = stamp

    def _land(self, job: Job) -> None:
        counters = self.counters
        counters.in_flight -= 1
        by_worker = counters.in_flight_by_worker
        by_worker[job.worker] = by_worker.get(job.worker, 1) - 1

    def release_due(self, stamp: int | None = None) -> None:
        """Re-offer timed-out jobs and jobs whose back-off has passed."""
        current = now_ms() if stamp is None else stamp
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= current:
            _, seq, key = heapq.heappop(deadlines)
            job = self.jobs.get(key)
            if job is not None and job.state == ACTIVATED and job.activation_seq == seq:
                self._land(job)
                job.last_event = "TIMED_OUT"
                job.updated_ms = current
                self.counters.timeouts += 1
                self._make_activatable(job)
        backoffs = self._backoffs
        while backoffs and backoffs[0][0] <= current:
            _, seq, key = heapq.heappop(backoffs)
            job = self.jobs.get(key)
            if job is not None and job.state == BACKOFF and job.activation_seq == seq:
                self._make_activatable(job)

    def next_due(self) -> int | None:
        """Epoch ms of the next timeout or back-off expiry, if any."""
        candidates = [heap[0][0] for heap in (self._deadlines, self._backoffs) if heap]
        return min(candidates) if candidates else None

    def activate(
        self,
        job_type: str,
        max_jobs: int,
        timeout_ms: int,
        worker: str,
        fetch_variables: list[str] | None,
        tenant_ids: frozenset[str] | None,
    ) -> list[dict[str, Any]]:
        stamp = now_ms()
        if self._deadlines and self._deadlines[0][0] <= stamp:
            self.release_due(stamp)
        if self._backoffs and self._backoffs[0][0] <= stamp:
            self.release_due(stamp)
        queue = self._activatable.get(job_type)
        if not queue:
            return []
        picked: list[Job] = []
        for job in queue.values():
            if tenant_ids is None or job.instance.tenant_id in tenant_ids:
                picked.append(job)
                if len(picked) >= max_jobs:
                    break
        if not picked:
            return []
        counters = self.counters
        deadline = stamp + timeout_ms
        result: list[dict[str, Any]] = []
        for job in picked:
            del queue[job.key]
            self._activation_seq += 1
            job.activation_seq = self._activation_seq
            job.state = ACTIVATED
            job.worker = worker
            job.deadline_ms = deadline
            job.updated_ms = stamp
            heapq.heappush(self._deadlines, (deadline, job.activation_seq, job.key))
            instance = job.instance
            definition = instance.definition
            if not fetch_variables:  # absent or empty: all variables, as on a broker
                variables = dict(instance.variables)
            else:
                source = instance.variables
                variables = {name: source[name] for name in fetch_variables if name in source}
            result.append(
                {
                    "type": job_type,
                    "processDefinitionId": definition.model.process_id,
                    "processDefinitionVersion": definition.version,
                    "elementId": job.task.element_id,
                    "customHeaders": dict(job.task.custom_headers),
                    "worker": worker,
                    "retries": job.retries,
                    "deadline": deadline,
                    "variables": variables,
                    "tenantId": instance.tenant_id,
                    "jobKey": job.key,
                    "processInstanceKey": instance.key,
                    "processDefinitionKey": definition.key,
                    "elementInstanceKey": job.element_instance_key,
                    "kind": "BPMN_ELEMENT",
                    "listenerEventType": "UNSPECIFIED",
                    "userTask": None,
                    "tags": list(instance.tags),
                    "rootProcessInstanceKey": instance.key,
                }
            )
        count = len(picked)
        counters.activated_jobs += count
        counters.in_flight += count
        if counters.in_flight > counters.max_in_flight:
            counters.max_in_flight = counters.in_flight
        by_worker = counters.in_flight_by_worker
        now_in_flight = by_worker.get(worker, 0) + count
        by_worker[worker] = now_in_flight
        if now_in_flight > counters.max_in_flight_by_worker.get(worker, 0):
            counters.max_in_flight_by_worker[worker] = now_in_flight
        return result

    def add_waiter(self, job_type: str) -> asyncio.Future[None]:
        assert self.loop is not None
        waiter: asyncio.Future[None] = self.loop.create_future()
        self._waiters.setdefault(job_type, []).append(waiter)
        return waiter

    def discard_waiter(self, job_type: str, waiter: asyncio.Future[None]) -> None:
        waiters = self._waiters.get(job_type)
        if waiters is not None:
            if waiter in waiters:
                waiters.remove(waiter)
            if not waiters:
                del self._waiters[job_type]

    def pending_activations(self, job_type: str | None) -> int:
        if job_type is not None:
            return sum(1 for w in self._waiters.get(job_type, ()) if not w.done())
        return sum(1 for ws in self._waiters.values() for w in ws if not w.done())

    def _job_for_command(self, key: str, verb: str) -> Job:
        job = self.jobs.get(key)
        if job is None or job.state in (COMPLETED, CANCELED):
            raise Problem(
                404,
                "NOT_FOUND",
                f"Command '{verb.upper()}' rejected with code 'NOT_FOUND': Expected to {verb} "
                f"job with key '{key}', but no such job was found",
            )
        if job.state not in (ACTIVATABLE, ACTIVATED):
            raise Problem(
                409,
                "INVALID_STATE",
                f"Command '{verb.upper()}' rejected with code 'INVALID_STATE': Expected to {verb} "
                f"job with key '{key}', but it is in state '{_wire_state(job.state)}'",
            )
        return job

    def complete_job(self, key: str, variables: dict[str, Any] | None) -> None:
        counters = self.counters
        counters.completion_attempts += 1
        existing = self.jobs.get(key)
        if existing is not None:
            existing.completion_attempts += 1
        try:
            job = self._job_for_command(key, "complete")
        except Problem:
            counters.rejected_completions += 1
            raise
        stamp = now_ms()
        self._leave(job, COMPLETED, "COMPLETED", stamp)
        job.completions += 1
        counters.completions[key] = counters.completions.get(key, 0) + 1
        job.completion_variables = dict(variables) if variables else {}
        instance = job.instance
        if variables:
            instance.variables.update(variables)
        instance.step += 1
        self._advance(instance)

    def fail_job(
        self,
        key: str,
        retries: int,
        error_message: str | None,
        backoff_ms: int,
        variables: dict[str, Any] | None,
    ) -> None:
        job = self._job_for_command(key, "fail")
        stamp = now_ms()
        self.counters.failures += 1
        instance = job.instance
        if variables:
            instance.variables.update(variables)
        job.retries = retries
        job.error_message = error_message
        if retries > 0:
            self._leave(job, BACKOFF, "FAILED", stamp)
            job.has_failed_with_retries_left = True
            if backoff_ms > 0:
                self._activation_seq += 1
                job.activation_seq = self._activation_seq
                heapq.heappush(self._backoffs, (stamp + backoff_ms, job.activation_seq, key))
                if self.loop is not None:
                    self.loop.call_later(backoff_ms / 1000, self.release_due)
            else:
                self._make_activatable(job)
        else:
            self._leave(job, FAILED, "FAILED", stamp)
            job.has_failed_with_retries_left = False
            instance.has_incident = True

    def throw_error(
        self,
        key: str,
        error_code: str,
        error_message: str | None,
        variables: dict[str, Any] | None,
    ) -> None:
        job = self._job_for_command(key, "throw an error for")
        stamp = now_ms()
        self.counters.errors_thrown += 1
        self._leave(job, ERROR_THROWN, "ERROR_THROWN", stamp)
        job.error_code = error_code
        job.error_message = error_message
        if variables:
            job.instance.variables.update(variables)
        # The fake models no boundary events: every BPMN error is uncaught.
        job.instance.has_incident = True

    def update_job(self, key: str, retries: int | None, timeout_ms: int | None) -> None:
        job = self.jobs.get(key)
        if job is None or job.state in (COMPLETED, CANCELED):
            raise Problem(
                404,
                "NOT_FOUND",
                f"Command 'UPDATE' rejected with code 'NOT_FOUND': Expected to update job with "
                f"key '{key}', but no such job was found",
            )
        stamp = now_ms()
        if timeout_ms is not None:
            if job.state != ACTIVATED:
                raise Problem(
                    409,
                    "INVALID_STATE",
                    f"Command 'UPDATE_TIMEOUT' rejected with code 'INVALID_STATE': Expected to "
                    f"update the timeout of job with key '{key}', but it is not activated",
                )
            self._activation_seq += 1
            job.activation_seq = self._activation_seq
            job.deadline_ms = stamp + timeout_ms
            heapq.heappush(self._deadlines, (job.deadline_ms, job.activation_seq, key))
        if retries is not None:
            job.retries = retries
            job.last_event = "RETRIES_UPDATED"
        job.updated_ms = stamp

    # ---------------------------------------------------------- messages
    def publish_message(
        self,
        name: str,
        correlation_key: str,
        variables: dict[str, Any],
        tenant_id: str,
        time_to_live: int,
        message_id: str | None,
        *,
        require_correlation: bool,
    ) -> PublishedMessage:
        started: ProcessInstance | None = None
        for (_, definition_tenant), definition in self._latest.items():
            if definition_tenant == tenant_id and name in definition.model.message_start_names:
                started = self.create_instance(definition, variables, tenant_id, [], None)
                break
        if started is None and require_correlation:
            raise Problem(
                404,
                "NOT_FOUND",
                f"Command 'CORRELATE' rejected with code 'NOT_FOUND': Expected to find "
                f"subscription for message with name '{name}' and correlation key "
                f"'{correlation_key}', but none was found.",
            )
        message = PublishedMessage(
            message_key=self.new_key(),
            name=name,
            correlation_key=correlation_key,
            variables=MappingProxyType(dict(variables)),
            tenant_id=tenant_id,
            time_to_live=time_to_live,
            message_id=message_id,
            correlated_process_instance_key=None if started is None else started.key,
        )
        self.messages.append(message)
        self.counters.published_messages += 1
        return message

    # ---------------------------------------------------------- documents
    def store_document(
        self, content: bytes, metadata: dict[str, Any], document_id: str | None, store_id: str
    ) -> dict[str, Any]:
        import hashlib

        doc_id = document_id or base64.urlsafe_b64encode(self.new_key().encode()).decode()
        content_hash = hashlib.sha256(content).hexdigest()
        response_metadata: dict[str, Any] = {
            "contentType": metadata.get("contentType", "application/octet-stream"),
            "fileName": metadata.get("fileName", doc_id),
            "expiresAt": metadata.get("expiresAt"),
            "size": len(content),
            "processDefinitionId": metadata.get("processDefinitionId"),
            "processInstanceKey": metadata.get("processInstanceKey"),
            "customProperties": metadata.get("customProperties") or {},
        }
        self.documents[doc_id] = (content, response_metadata, content_hash)
        return {
            "camunda.document.type": "camunda",
            "storeId": store_id,
            "documentId": doc_id,
            "contentHash": content_hash,
            "metadata": response_metadata,
        }

    # ------------------------------------------------------------- views
    def job_view(self, job: Job) -> JobView:
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

    def instance_view(self, instance: ProcessInstance) -> InstanceView:
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

    def stats(self) -> ClusterStats:
        c = self.counters
        return ClusterStats(
            requests=c.requests,
            activation_requests=c.activation_requests,
            activated_jobs=c.activated_jobs,
            completions=MappingProxyType(dict(c.completions)),
            completion_attempts=c.completion_attempts,
            rejected_completions=c.rejected_completions,
            failures=c.failures,
            errors_thrown=c.errors_thrown,
            timeouts=c.timeouts,
            in_flight=c.in_flight,
            max_in_flight=c.max_in_flight,
            in_flight_by_worker=MappingProxyType(
                {worker: n for worker, n in c.in_flight_by_worker.items() if n}
            ),
            max_in_flight_by_worker=MappingProxyType(dict(c.max_in_flight_by_worker)),
            created_instances=c.created_instances,
            completed_instances=c.completed_instances,
            published_messages=c.published_messages,
            token_requests=c.token_requests,
        )

    def reset_stats(self) -> None:
        """Zero the counters; in-flight counts carry over, since those jobs are still out."""
        old = self.counters
        fresh = _Counters()
        fresh.in_flight = fresh.max_in_flight = old.in_flight
        fresh.in_flight_by_worker = {w: n for w, n in old.in_flight_by_worker.items() if n}
        fresh.max_in_flight_by_worker = dict(fresh.in_flight_by_worker)
        self.counters = fresh


def _wire_state(state: str) -> str:
    return {BACKOFF: "FAILED", ACTIVATABLE: "ACTIVATABLE"}.get(state, state)


def _deployment_entry(**present: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "processDefinition": None,
        "decisionDefinition": None,
        "decisionRequirements": None,
        "form": None,
        "resource": None,
    }
    entry.update(present)
    return entry
