"""Messages: publication and correlation. A message starts instances of processes with a
matching message start event and completes the open subscriptions (message catch events,
receive tasks, event-based gateways) with its name and correlation key, one per instance;
published with a time to live, it is buffered for subscriptions that open later."""

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
        same tenant) with a matching message start event, and reaches the open subscriptions.
        With ``require_correlation`` (correlation), 404 when nothing matches, and the
        message is not buffered."""
        started: ProcessInstance | None = None
        for (_, definition_tenant), definition in self._latest.items():
            if definition_tenant == tenant_id and name in definition.model.message_start_names:
                scope = definition.model.root.scope
                assert scope is not None
                start = scope.message_starts[name]
                started = self.create_instance(
                    definition, variables, tenant_id, [], None, start=start
                )
                break
        reached: list[str] = []
        if started is None or not require_correlation:
            reached = self._correlate_subscriptions(name, correlation_key, tenant_id, variables)
        first = started.key if started is not None else (reached[0] if reached else None)
        if first is None and require_correlation:
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
            correlated_process_instance_key=first,
        )
        self.messages.append(message)
        if time_to_live > 0 and not require_correlation:
            stamp = self.clock.now_ms()
            self.buffered_messages = [b for b in self.buffered_messages if b[1] > stamp]
            reached_keys = set(reached) if started is None else {*reached, started.key}
            self.buffered_messages.append((message, stamp + time_to_live, reached_keys))
        self.counters.published_messages += 1
        return message
