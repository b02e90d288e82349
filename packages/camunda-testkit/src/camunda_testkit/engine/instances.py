"""Process instances: creation (at a start event), awaiting completion and cancellation;
the token interpreter (``bpmn/interpreter.py``) runs them in between."""

from __future__ import annotations

import asyncio
from typing import Any

from .bpmn.interpreter import ProcessInterpreter
from .bpmn.model import Element
from .bpmn.runtime import TERMINATED
from .model import DEFAULT_LONG_POLL_SECONDS, ProcessDefinition, ProcessInstance
from .problem import Problem

__all__ = ["InstanceLifecycle"]


class InstanceLifecycle(ProcessInterpreter):
    def create_instance(
        self,
        definition: ProcessDefinition,
        variables: dict[str, Any],
        tenant_id: str,
        tags: list[str],
        business_id: str | None,
        start: Element | None = None,
    ) -> ProcessInstance:
        """Start an instance at ``start`` (default: the none start event)."""
        if tenant_id != definition.tenant_id:
            raise Problem(
                404,
                "NOT_FOUND",
                f"Expected to find process definition with key '{definition.key}' "
                f"for tenant '{tenant_id}', but none found",
            )
        if start is None:
            scope = definition.model.root.scope
            assert scope is not None
            start = scope.none_start
            if start is None:
                raise Problem(
                    400,
                    "INVALID_ARGUMENT",
                    f"Expected to create instance of process with none start event, but there "
                    f"is no such event in process '{definition.model.process_id}'",
                )
        return self._new_instance(definition, variables, tenant_id, tags, business_id, start)

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
        if instance.caller is not None:
            raise Problem(
                400,
                "INVALID_ARGUMENT",
                f"Command 'CANCEL' rejected with code 'INVALID_STATE': Expected to cancel a "
                f"process instance with key '{key}', but it is created by a parent process "
                f"instance. Cancel the root process instance '{instance.root_key}' instead.",
            )
        self._terminate_instance(instance)
        assert instance.root is not None and instance.root.state == TERMINATED
