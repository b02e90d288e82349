"""Messages: publication and correlation, which start instances of processes with a
matching message start event."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from .instances import InstanceLifecycle
from .model import ProcessInstance
from .problem import Problem
from .views import PublishedMessage

__all__ = ["MessageCorrelation"]


class MessageCorrelation(InstanceLifecycle):
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
        """Record the message; it starts an instance of the first process (latest version,
        same tenant) with a matching message start event. With ``require_correlation``,
        404 when no process matches."""
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
