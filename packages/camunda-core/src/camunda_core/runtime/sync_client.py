"""Where a request is sent (blocking): the sync send loop over ``httpx.Client``.

Each attempt has an end (:meth:`CallLimits.window`). httpx's timeouts bound
each read, not a response: httpcore takes the read timeout once for the
headers and once for the body, so a server sending a byte now and then
would never trip it. The loop therefore sets the attempt's end in a
thread-local, and each connection's stream (seen through httpcore's
``trace`` extension when it is opened) waits no longer than the time left on
every read and write. The body is read in chunks, checking the clock, which
also bounds transports that are not httpcore's. A cut-off response is closed,
which closes its connection instead of returning it to the pool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from camunda_core.runtime.invoker import RetryOption, SyncInvoker
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.paging import first_page_body, next_page_body, page_items
from camunda_core.runtime.tls import answers_plain_http
from camunda_core.types import UNSET

if TYPE_CHECKING:
    from camunda_core.runtime.client_runtime import ClientRuntime
    from camunda_core.runtime.consistency import WaitFor
    from camunda_core.runtime.request_builder import PreparedRequest

__all__ = ["SyncClientRuntime"]

R = TypeVar("R")


class SyncClientRuntime(ClientRuntimeBase, SyncInvoker):
    """Implements ``_invoke``/``_paginate`` for the generated sync operations."""

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
        self._sleep = core.time.sleep
        self._http = httpx.Client(
            transport=core.transport(asynchronous=False), **core.client_kwargs(asynchronous=False)
        )
        if core.blocking_sender is None:
            core.blocking_sender = self._invoke
        self._closed = False

    # -- public surface -------------------------------------------------------------

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            core = self._core
            if core.blocking_sender == self._invoke:
                core.blocking_sender = None
            self._http.close()
            if self._owns_core:
                core.close_twins()
                core.close_auth()

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the send loop ----------------------------------------------------------------

    def _invoke(
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
            return self._send_until(prepared, retry, timeout, wait)
        return self._send(prepared, retry, timeout)

    def _send(self, prepared: PreparedRequest, retry: RetryOption, timeout: float | None) -> Any:
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
            request = core.build_httpx_request(self._http, prepared, timeouts, _bound_new_streams)
            core.on_attempt(prepared, request, attempt)
            if budget is None:
                outcome = self._attempt(prepared, request, limits, call_end, timeouts, attempt, started)
            else:
                # A retry queues ahead of first attempts; the wait ends at the call's deadline.
                try:
                    token = budget.acquire(
                        core.slot_wait(call_end), retrying=attempt > 1, operation_id=prepared.operation.operation_id
                    )
                except TransportTimeoutError as error:
                    raise core.slot_timeout(error, prepared, request, limits, attempt, started) from None
                try:
                    outcome = self._attempt(prepared, request, limits, call_end, timeouts, attempt, started)
                except BaseException:
                    budget.release(token)  # interrupted (cancelled, say): it says nothing of the server
                    raise
                budget.release(token, budget_result(outcome.error))
            if outcome.error is None:
                return outcome.result
            delay = core.next_delay(policy, prepared, outcome, attempt, started)
            if delay is None:
                raise outcome.error
            self._sleep(delay)

    def _attempt(
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
        state = _ATTEMPT
        state.end = end
        state.clock = clock
        try:
            response = self._http.send(request, stream=True)
            try:
                cap = None if 200 <= response.status_code < 300 else core.max_error_body
                content, truncated = _read_body(response, end, clock, cap)
            finally:
                response.close()
        except _AttemptCutOff as cut:
            outcome = core.cut_off(
                prepared, request, limits, by_deadline, attempt, started, request_sent=cut.request_sent, cause=cut.__cause__
            )
            core.on_response(prepared, request, attempt, None, attempt_started, outcome.error)
            return outcome
        except SEND_FAILURES as exc:
            outcome = core.transport_failure(prepared, request, exc, limits, attempt, started)
            if isinstance(exc, httpx.TimeoutException) and clock() >= end - _LIMIT_SLACK:
                # A connect or pool wait shortened to the time left ran out.
                outcome = core.cut_off(
                    prepared, request, limits, by_deadline, attempt, started, request_sent=None, cause=outcome.error
                )
            else:
                probe = core.plain_http_probe(request, outcome.error)
                if probe is not None and answers_plain_http(*probe):
                    outcome = core.plain_http_server(outcome)
            core.on_response(prepared, request, attempt, None, attempt_started, outcome.error)
            return outcome
        finally:
            state.end = None
        core.on_response(prepared, request, attempt, response.status_code, attempt_started)
        return core.read_response(prepared, response, content, truncated)

    def _send_until(self, prepared: PreparedRequest, retry: RetryOption, timeout: float | None, wait: WaitFor[Any]) -> Any:
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
                last = self._send(prepared, retry, timeout)
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
            self._sleep(pause)
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
    ) -> Iterator[Any]:
        # Validate now, not at the first next().
        return self._pages(op, first_page_body(op, body, page_size), path, query, retry, timeout)

    def _pages(
        self,
        op: Operation[Any],
        first_body: dict[str, Any],
        path: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        retry: RetryOption,
        timeout: float | None,
    ) -> Iterator[Any]:
        page_body: dict[str, Any] | None = first_body
        while page_body is not None:
            result = self._invoke(op, path=path, query=query, body=page_body, retry=retry, timeout=timeout)
            items = page_items(op, result)
            yield from items
            page_body = next_page_body(page_body, result, len(items))


_Self = TypeVar("_Self", bound=SyncClientRuntime)


# -- the attempt's end, on every read ------------------------------------------------

# A timeout that ran out this close to the attempt's end is the attempt's limit.
_LIMIT_SLACK = 0.002
_BOUNDED = "_camunda_bounded"


class _AttemptCutOff(Exception):
    """The running attempt reached its end (raised through httpx, caught by the loop)."""

    def __init__(self, request_sent: bool | None) -> None:
        super().__init__("the attempt's time limit passed")
        self.request_sent = request_sent


class _AttemptState(threading.local):
    """The end of the attempt this thread is running; None between attempts."""

    end: float | None = None
    clock: Callable[[], float] = time.monotonic


_ATTEMPT = _AttemptState()


def _read_body(
    response: httpx.Response, end: float, clock: Callable[[], float], cap: int | None
) -> tuple[bytes, bool]:
    """The (decoded) body, and whether it was cut at ``cap`` bytes (None: no cap)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if cap is not None and size + len(chunk) > cap:
            chunks.append(chunk[: cap - size])
            return b"".join(chunks), True
        size += len(chunk)
        chunks.append(chunk)
        if clock() >= end:
            raise _AttemptCutOff(request_sent=True)
    return b"".join(chunks), False


def _bound_new_streams(name: str, info: dict[str, Any]) -> None:
    """httpcore's ``trace`` callback: bound each new connection's stream by the attempt's end.

    A connection's stream (plain, then its TLS layer) is reported once, when
    it is opened; the bound stays with it while the pool reuses it.
    """
    if name.endswith((".connect_tcp.complete", ".start_tls.complete")):
        _bound_stream(info.get("return_value"))


def _bound_stream(stream: object) -> None:
    read: Callable[[int, float | None], bytes] | None = getattr(stream, "read", None)
    write: Callable[[bytes, float | None], None] | None = getattr(stream, "write", None)
    if read is None or write is None or getattr(read, _BOUNDED, False):
        return
    original_read = read
    original_write = write

    def bounded_read(max_bytes: int, timeout: float | None = None) -> bytes:
        state = _ATTEMPT
        end = state.end
        if end is None:
            return original_read(max_bytes, timeout)
        left = end - state.clock()
        if left <= 0:
            raise _AttemptCutOff(request_sent=True)
        if timeout is not None and timeout <= left:
            return original_read(max_bytes, timeout)
        try:
            return original_read(max_bytes, left)
        except Exception as exc:
            if state.clock() >= end - _LIMIT_SLACK:
                raise _AttemptCutOff(request_sent=True) from exc
            raise

    def bounded_write(buffer: bytes, timeout: float | None = None) -> None:
        state = _ATTEMPT
        end = state.end
        if end is None:
            return original_write(buffer, timeout)
        left = end - state.clock()
        if left <= 0:
            raise _AttemptCutOff(request_sent=None)
        if timeout is not None and timeout <= left:
            return original_write(buffer, timeout)
        try:
            return original_write(buffer, left)
        except Exception as exc:
            if state.clock() >= end - _LIMIT_SLACK:
                raise _AttemptCutOff(request_sent=None) from exc
            raise

    setattr(bounded_read, _BOUNDED, True)
    try:
        setattr(stream, "read", bounded_read)  # noqa: B010 - the stream's type is not ours to declare
        setattr(stream, "write", bounded_write)  # noqa: B010
    except AttributeError:
        # A stream that takes no attributes keeps httpx's per-phase timeouts and the body's clock checks.
        return
