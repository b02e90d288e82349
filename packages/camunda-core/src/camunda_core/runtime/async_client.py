"""Where a request is sent (async): the async send loop over ``httpx.AsyncClient``.

A line-for-line twin of ``sync_client.py``; all decisions live in ``ClientCore``.

Each attempt has an end (:meth:`CallLimits.window`). A loop timer cancels the
attempt's own task when the end comes, whatever the transport is doing
(connecting, waiting for headers, reading a dripping body); the loop tells
that cancellation from one coming from outside, which it lets through. No
task or thread is started per call.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from camunda_core.backpressure import budget_result
from camunda_core.errors import CamundaError, TransportTimeoutError
from camunda_core.logging import SdkLogger
from camunda_core.runtime.base_client import (
    SEND_FAILURES,
    CallLimits,
    ClientRuntimeBase,
    Outcome,
)
from camunda_core.runtime.clock import Clock
from camunda_core.runtime.httpx_args import merge_client_keywords
from camunda_core.runtime.invoker import AsyncInvoker, RetryOption
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.paging import first_page_body, next_page_body, page_items
from camunda_core.runtime.tls import aanswers_plain_http
from camunda_core.types import UNSET

if TYPE_CHECKING:
    from camunda_core.runtime.client_runtime import ClientRuntime
    from camunda_core.runtime.consistency import WaitFor
    from camunda_core.runtime.request_builder import PreparedRequest

__all__ = ["AsyncClientRuntime"]

R = TypeVar("R")


class AsyncClientRuntime(ClientRuntimeBase, AsyncInvoker):
    """Implements ``_invoke``/``_paginate`` for the generated async operations."""

    _asynchronous = True

    def __init__(
        self,
        configuration: Mapping[str, object] | None = None,
        *,
        plugins: Sequence[object] = (),
        logger: SdkLogger | None = None,
        load_entry_points: bool = True,
        environ: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        runtime: ClientRuntime | None = None,
        httpx_args: Mapping[str, Any] | None = None,
        auth_provider: object | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        verify_ssl: object = None,
        cookies: object = None,
        follow_redirects: bool | None = None,
    ) -> None:
        # The official SDK's client keywords for httpx join httpx_args (checked alike).
        httpx_args = merge_client_keywords(
            httpx_args,
            {
                "headers": headers,
                "timeout": timeout,
                "verify_ssl": verify_ssl,
                "cookies": cookies,
                "follow_redirects": follow_redirects,
            },
        )
        core = self._adopt_core(
            runtime,
            configuration,
            plugins=plugins,
            logger=logger,
            load_entry_points=load_entry_points,
            environ=environ,
            clock=clock,
            httpx_args=httpx_args,
            auth_provider=auth_provider,
        )
        self._sleep = core.time.asleep
        self._http = httpx.AsyncClient(
            transport=core.transport(asynchronous=True), **core.client_kwargs(asynchronous=True)
        )
        if core.async_sender is None:
            core.async_sender = self._invoke
        self._closed = False

    # -- public surface -------------------------------------------------------------

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            core = self._core
            if core.async_sender == self._invoke:
                core.async_sender = None
            await self._http.aclose()
            if self._owns_core:
                core.close_twins()
                await core.aclose_auth()

    async def aclose(self) -> None:
        """:meth:`close` under httpx's name for it (and the official SDK's)."""
        await self.close()

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
        limits = core.call_limits(prepared, timeout, policy)
        budget = None if prepared.operation.backpressure_exempt else core.budget
        started = core.clock()
        call_end = None if limits.deadline is None else started + limits.deadline
        attempt = 0
        while True:
            attempt += 1
            timeouts: dict[str, float] = {}
            request = core.build_httpx_request(self._http, prepared, timeouts)
            core.on_attempt(prepared, request, attempt)
            if budget is None:
                outcome = await self._attempt(prepared, request, limits, call_end, timeouts, attempt, started)
            else:
                # A retry queues ahead of first attempts; the wait ends at the call's deadline.
                try:
                    token = await budget.aacquire(
                        core.slot_wait(call_end), retrying=attempt > 1, operation_id=prepared.operation.operation_id
                    )
                except TransportTimeoutError as error:
                    raise core.slot_timeout(error, prepared, request, limits, attempt, started) from None
                try:
                    outcome = await self._attempt(prepared, request, limits, call_end, timeouts, attempt, started)
                except BaseException:
                    budget.release(token)  # interrupted (cancelled, say): it says nothing of the server
                    raise
                budget.release(token, budget_result(outcome.error))
            if outcome.error is None:
                return outcome.result
            delay = core.next_delay(policy, prepared, outcome, attempt, started)
            if delay is None:
                raise outcome.error
            await self._sleep(delay)

    async def _attempt(
        self,
        prepared: PreparedRequest,
        request: httpx.Request,
        limits: CallLimits,
        call_end: float | None,
        timeouts: dict[str, float],
        attempt: int,
        started: float,
    ) -> Outcome:
        core = self._core
        clock = core.clock
        attempt_started = clock()
        end, by_deadline = limits.window(attempt_started, call_end, timeouts)
        task = asyncio.current_task()
        assert task is not None
        cutter = _Cutter(task)
        timer = asyncio.get_running_loop().call_later(max(end - attempt_started, 0.0), cutter)
        headers_received = False
        try:
            try:
                response = await self._http.send(request, stream=True)
                headers_received = True
                try:
                    cap = None if 200 <= response.status_code < 300 else core.max_error_body
                    content, truncated = await _read_body(response, cap)
                finally:
                    await response.aclose()
            finally:
                timer.cancel()
        except asyncio.CancelledError as exc:
            if not cutter.claim(exc):
                raise
            outcome = core.cut_off(
                prepared, request, limits, by_deadline, attempt, started, request_sent=True if headers_received else None
            )
            core.on_response(prepared, request, attempt, None, attempt_started, outcome.error)
            return outcome
        except SEND_FAILURES as exc:
            outcome = core.transport_failure(prepared, request, exc, limits, attempt, started)
            if cutter.claim(None):
                # The transport turned our cancellation into its own error.
                outcome = core.cut_off(
                    prepared, request, limits, by_deadline, attempt, started, request_sent=None, cause=outcome.error
                )
            else:
                probe = core.plain_http_probe(request, outcome.error)
                if probe is not None and await aanswers_plain_http(*probe):
                    outcome = core.plain_http_server(outcome)
            core.on_response(prepared, request, attempt, None, attempt_started, outcome.error)
            return outcome
        if cutter.claim(None):
            # Fired while the last await was completing and the transport absorbed
            # it; the response is whole, so it stands.
            pass
        core.on_response(prepared, request, attempt, response.status_code, attempt_started)
        return core.read_response(prepared, response, content, truncated)

    async def _send_until(self, prepared: PreparedRequest, retry: RetryOption, timeout: float | None, wait: WaitFor[Any]) -> Any:
        core = self._core
        started = core.clock()
        deadline = started + wait.timeout
        interval = wait.interval
        last: Any = None
        last_seen: object = None
        polls = 0
        while True:
            polls += 1
            try:
                last = await self._send(prepared, retry, timeout)
            except CamundaError as error:
                if not wait.is_not_yet_visible(error):
                    raise
                last_seen = error
            else:
                if wait.until(last):
                    return last
                last_seen = last
            now = core.clock()
            pause = wait.pause(interval, deadline - now)
            if pause is None:
                op_id = prepared.operation.operation_id
                raise wait.timed_out(op_id, now - started, polls, last_seen, last)
            await self._sleep(pause)
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


async def _read_body(response: httpx.Response, cap: int | None) -> tuple[bytes, bool]:
    """The (decoded) body, and whether it was cut at ``cap`` bytes (None: no cap)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        if cap is not None and size + len(chunk) > cap:
            chunks.append(chunk[: cap - size])
            return b"".join(chunks), True
        size += len(chunk)
        chunks.append(chunk)
    return b"".join(chunks), False


_CUT_MESSAGE = "camunda: the attempt's time limit passed"


class _Cutter:
    """The timer callback that cancels an attempt's task at its end."""

    __slots__ = ("base", "fired", "task")

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.fired = False
        # Task.uncancel/cancelling arrived in 3.11; on 3.10 the cancel message tells ours apart.
        self.base = task.cancelling() if sys.version_info >= (3, 11) else 0

    def __call__(self) -> None:
        self.fired = True
        self.task.cancel(_CUT_MESSAGE)

    def claim(self, exc: asyncio.CancelledError | None) -> bool:
        """Whether the attempt ended because of this timer alone.

        Takes back this timer's cancel request, so a cancel from outside (made
        at the same time) still shows and is re-raised by the caller.
        """
        if not self.fired:
            return False
        self.fired = False
        if sys.version_info >= (3, 11):
            return self.task.uncancel() <= self.base
        # 3.10: a later outside cancel replaces the message; then it wins.
        return exc is None or _CUT_MESSAGE in exc.args
