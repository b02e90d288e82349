"""Process instances: creation, stepping through their job tasks, completion and cancellation.

A process is the list of its job-based tasks in document order. Creating an instance
creates the first task's job; completing a job creates the next one; completing the
last completes the instance.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .activation import JobActivation
from .clock import now_ms
from .model import (
    CANCELED,
    DEFAULT_LONG_POLL_SECONDS,
    OPEN_JOB_STATES,
    Job,
    ProcessDefinition,
    ProcessInstance,
)
from .problem import Problem

__all__ = ["InstanceLifecycle"]


class InstanceLifecycle(JobActivation):
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

    async def await_completion(self, instance: ProcessInstance, timeout_ms: int) -> None:
        """Wait until ``instance`` ends (``awaitCompletion``); 504 when ``timeout_ms`` runs out
        (0: the default)."""
        if instance.state != "ACTIVE":
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        instance.completion_waiters.append(waiter)
        seconds = timeout_ms / 1000 if timeout_ms > 0 else DEFAULT_LONG_POLL_SECONDS
        try:
            await asyncio.wait_for(waiter, seconds)
        except asyncio.TimeoutError:
            raise Problem(
                504,
                "DEADLINE_EXCEEDED",
                f"Expected to complete process instance '{instance.key}' within "
                f"{seconds:g} s, but it did not",
            ) from None

    def get_instance(self, key: str) -> ProcessInstance:
        instance = self.instances.get(key)
        if instance is None:
            raise Problem(404, "NOT_FOUND", f"Process instance with key '{key}' not found")
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
            if job.state in OPEN_JOB_STATES:
                self._leave(job, CANCELED, "CANCELED", stamp)
        instance.job_key = None
        self._resolve_completion_waiters(instance)

    def _advance(self, instance: ProcessInstance) -> None:
        """Create the job of the task at ``instance.step``, or complete the instance after
        its last task."""
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
