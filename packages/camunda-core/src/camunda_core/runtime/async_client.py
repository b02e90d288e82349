"""Where a request is sent (async): the async send loop over ``httpx.AsyncClient``.

A line-for-line twin of ``sync_client.py``; all decisions live in ``ClientCore``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from camunda_core.errors import CamundaError, ConsistencyTimeoutError
from camunda_core.logging import SdkLogger
from camunda_core.runtime.base_client import ClientCore, ClientRuntimeBase
from camunda_core.runtime.invoker import AsyncInvoker, RetryOption
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.paging import first_page_body, next_page_body, page_items
from camunda_core.runtime.retry import AsyncConcurrencyGate
from camunda_core.types import UNSET

if TYPE_CHECKING:
    from camunda_core.runtime.consistency import WaitFor
    from camunda_core.runtime.request_builder import PreparedRequest

__all__ = ["AsyncClientRuntime"]

R = TypeVar("R")


class AsyncClientRuntime(ClientRuntimeBase, AsyncInvoker):
    """Implements ``_invoke``/``_paginate`` for the generated async operations."""

    def __init__(
        self,
        configuration: Mapping[str, object] | None = None,
        *,
        plugins: Sequence[object] = (),
        logger: SdkLogger | None = None,
        load_entry_points: bool = True,
        environ: Mapping[str, str] | None = None,
        _core: ClientCore | None = None,
        _sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._adopt_core(
            _core,
            configuration,
            plugins=plugins,
            logger=logger,
            load_entry_points=load_entry_points,
            environ=environ,
        )
        self._sleep = _sleep
        self._gate = AsyncConcurrencyGate(self._core.limit) if self._core.limit is not None else None
        self._http = httpx.AsyncClient(transport=self._core.transport(asynchronous=True), **self._core.client_kwargs())
        self._closed = False

    # -- public surface -------------------------------------------------------------

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._http.aclose()
            if self._owns_core:
                await self._core.aclose_auth()

    async def __aenter__(self: _Self) -> _Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- the send loop ----------------------------------------------------------------

    async def _invoke(
        self,
        op: Operation[R],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = UNSET,
        multipart: Mapping[str, object] | None = None,
        retry: RetryOption = None,
        timeout: float | None = None,
        wait: WaitFor[Any] | None = None,
    ) -> R:
        prepared = self._core.prepare(op, path=path, query=query, body=body, multipart=multipart)
        if wait is not None:
            return await self._send_until(prepared, retry, timeout, wait)
        return await self._send(prepared, retry, timeout)

    async def _send(self, prepared: PreparedRequest, retry: RetryOption, timeout: float | None) -> Any:
        core = self._core
        policy = core.policy_for(retry)
        request_timeout = core.request_timeout(prepared, timeout)
        gate = self._gate if core.gated(prepared.operation) else None
        started = core.clock()
        attempt = 0
        while True:
            attempt += 1
            request = core.build_httpx_request(self._http, prepared, request_timeout)
            core.on_attempt(prepared, request, attempt)
            attempt_started = core.clock()
            if gate is not None:
                await gate.acquire()
            try:
                response = await self._http.send(request)
            except httpx.HTTPError as exc:
                outcome = core.transport_failure(prepared, request, exc)
                core.on_response(prepared, request, attempt, None, attempt_started, outcome.error)
            else:
                core.on_response(prepared, request, attempt, response.status_code, attempt_started)
                outcome = core.read_response(prepared, response)
                if outcome.error is None:
                    return outcome.result
            finally:
                if gate is not None:
                    gate.release()
            delay = core.next_delay(policy, prepared, outcome, attempt, started)
            if delay is None:
                assert outcome.error is not None
                raise outcome.error
            await self._sleep(delay)

    async def _send_until(self, prepared: PreparedRequest, retry: RetryOption, timeout: float | None, wait: WaitFor[Any]) -> Any:
        core = self._core
        deadline = core.clock() + wait.timeout
        interval = wait.interval
        last: Any = None
        while True:
            try:
                last = await self._send(prepared, retry, timeout)
            except CamundaError as error:
                if not wait.is_not_yet_visible(error):
                    raise
            else:
                if wait.until(last):
                    return last
            if core.clock() + interval > deadline:
                raise ConsistencyTimeoutError(
                    f"{prepared.operation.operation_id}: the condition did not hold within {wait.timeout:g} s",
                    operation_id=prepared.operation.operation_id,
                    last_result=last,
                )
            await self._sleep(interval)
            interval = wait.next_interval(interval)

    def _paginate(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = UNSET,
        page_size: int = 100,
        retry: RetryOption = None,
        timeout: float | None = None,
    ) -> AsyncIterator[Any]:
        # Validate now, not at the first next().
        return self._pages(op, first_page_body(op, body, page_size), path, query, retry, timeout)

    async def _pages(
        self,
        op: Operation[Any],
        first_body: dict[str, Any],
        path: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        retry: RetryOption,
        timeout: float | None,
    ) -> AsyncIterator[Any]:
        page_body: dict[str, Any] | None = first_body
        while page_body is not None:
            result = await self._invoke(op, path=path, query=query, body=page_body, retry=retry, timeout=timeout)
            items = page_items(op, result)
            for item in items:
                yield item
            page_body = next_page_body(page_body, result, len(items))


_Self = TypeVar("_Self", bound=AsyncClientRuntime)
