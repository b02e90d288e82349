"""The public seam under a client: what extensions build on.

``client.runtime`` is a :class:`ClientRuntime`. Every client built on the same
runtime (an async client and the blocking twin its thread handlers use, say)
shares its configuration, logger, plugins, auth, retry policy, clock and
concurrency budget. ``camunda_workers`` uses nothing else of the core, and a
third-party extension needs nothing else either.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from camunda_core.errors import CamundaError
from camunda_core.types import UNSET

if TYPE_CHECKING:
    import httpx
    import pluggy

    from camunda_core.backpressure import ConcurrencyBudget
    from camunda_core.client import CamundaClient
    from camunda_core.config import CamundaConfig
    from camunda_core.logging import LevelFilteredLogger
    from camunda_core.retry.policy import RetryPolicy
    from camunda_core.runtime.base_client import ClientCore
    from camunda_core.runtime.clock import Clock
    from camunda_core.runtime.consistency import WaitFor
    from camunda_core.runtime.invoker import RetryOption
    from camunda_core.runtime.operation import Operation

__all__ = ["ClientRuntime"]

R = TypeVar("R")


class ClientRuntime:
    """Configuration, logger, plugins, auth, retry policy, clock and budget of one client, and its send loops.

    ``invoke``/``ainvoke`` send any generated operation descriptor
    (``camunda_core.api.operations``) through the same send loop the client
    methods use: auth, plugins, retries, backpressure, typed errors.
    """

    __slots__ = ("_core", "_twin_lock")

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        self._twin_lock = threading.Lock()

    @property
    def core(self) -> ClientCore:
        """The engine room, for clients built with ``runtime=``; not part of the stable seam."""
        return self._core

    @property
    def configuration(self) -> CamundaConfig:
        return self._core.config

    @property
    def logger(self) -> LevelFilteredLogger:
        """The client's logger: level-filtered, secrets scrubbed; ``bind(**context)`` adds context."""
        return self._core.logger

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        return self._core.pm

    @property
    def auth(self) -> httpx.Auth:
        """The auth strategy's ``httpx.Auth`` (OAuth's has ``force_refresh()``, say)."""
        return self._core.auth

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._core.retry_policy

    @property
    def budget(self) -> ConcurrencyBudget:
        """The concurrency budget every client on this runtime takes its slots from."""
        return self._core.budget

    @property
    def clock(self) -> Clock:
        return self._core.time

    def invoke(
        self,
        operation: Operation[R],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = UNSET,
        multipart: Mapping[str, object] | None = None,
        retry: RetryOption = None,
        timeout: float | None = None,
        wait: WaitFor[Any] | None = None,
    ) -> R:
        """Send ``operation`` and return its result, blocking (through the blocking client)."""
        sender = self._core.blocking_sender
        if sender is None:
            self.blocking_client()  # registers itself as this runtime's blocking sender
            sender = self._core.blocking_sender
            assert sender is not None
        result: R = sender(
            operation, path=path, query=query, body=body, multipart=multipart, retry=retry, timeout=timeout, wait=wait
        )
        return result

    async def ainvoke(
        self,
        operation: Operation[R],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = UNSET,
        multipart: Mapping[str, object] | None = None,
        retry: RetryOption = None,
        timeout: float | None = None,
        wait: WaitFor[Any] | None = None,
    ) -> R:
        """Send ``operation`` and return its result (through the async client on this runtime)."""
        sender = self._core.async_sender
        if sender is None:
            raise CamundaError(
                f"{operation.operation_id}: no async client runs on this runtime; "
                "build one with CamundaAsyncClient(runtime=client.runtime)"
            )
        result: R = await sender(
            operation, path=path, query=query, body=body, multipart=multipart, retry=retry, timeout=timeout, wait=wait
        )
        return result

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register ``plugin`` on this runtime after construction (checked like any other).

        For extensions that observe a running client (``camunda_workers`` watches
        ``camunda_on_response`` for job outcomes sent through ``job.client``).
        """
        from camunda_core.plugins import check_hook_implementations

        pm = self._core.pm
        pm.register(plugin, name=name)
        try:
            check_hook_implementations(pm)
        except Exception:
            pm.unregister(plugin)
            raise
        self._core.refresh_observers()

    def unregister_plugin(self, plugin: object) -> None:
        """Undo :meth:`register_plugin` (nothing happens for a plugin not registered)."""
        pm = self._core.pm
        if pm.is_registered(plugin):
            pm.unregister(plugin)
            self._core.refresh_observers()

    def blocking_client(self) -> CamundaClient:
        """The blocking client on this runtime; built on first use, closed with the client that owns the runtime.

        Thread handlers of job workers get it as ``job.client``.
        """
        core = self._core
        with self._twin_lock:
            if core.blocking_twin is None:
                from camunda_core.client import CamundaClient

                core.blocking_twin = CamundaClient(runtime=self)
            twin: CamundaClient = core.blocking_twin
            return twin

    def __repr__(self) -> str:
        config = self._core.config
        return f"ClientRuntime(rest_address={config.rest_address!r}, budget={self._core.budget!r})"
