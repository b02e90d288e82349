"""One concurrency budget per client: how many requests may be in flight, shared by threads and event loops.

A client core owns one :class:`ConcurrencyBudget`. Every gated request takes a
slot from it (``acquire()`` in a thread, ``await aacquire()`` in a task), and
gives the slot back with what happened (``release(token, result)``). The
adaptive limit moves under the same lock that counts the slots, so threads and
event loops can share one budget and the cap really holds across all of them.

Waiters queue in arrival order. A release hands the freed slot straight to the
first waiter, whichever thread or loop it waits in: a thread is woken through
its own lock, a task on another thread's loop through
``loop.call_soon_threadsafe``. Nothing here reads a clock, so every step can be
tested without waiting.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
import threading
from typing import Literal

from camunda_core.backpressure.aimd import DEFAULT_DECREASE_FACTOR, AimdRule
from camunda_core.errors import ApiError, BackpressureError, TransportTimeoutError, ValidationError

__all__ = ["BudgetResult", "ConcurrencyBudget", "budget_result"]

#: What a released request tells the budget: it went through, the server
#: pushed back, or nothing either way (a transport error, a 4xx, ...).
BudgetResult = Literal["success", "backpressure", "neutral"]


def budget_result(error: BaseException | None) -> BudgetResult:
    """The result to release a slot with, from the error of the attempt (None: it succeeded)."""
    if error is None:
        return "success"
    if isinstance(error, BackpressureError) or (
        isinstance(error, ApiError) and error.is_backpressure
    ):
        return "backpressure"
    return "neutral"


class _ThreadWaiter:
    """A blocked thread; woken by releasing a lock it holds and then waits on."""

    __slots__ = ("granted", "lock")

    def __init__(self) -> None:
        self.granted: int | None = None
        self.lock = threading.Lock()
        self.lock.acquire()

    def wake(self, token: int) -> bool:
        self.granted = token
        self.lock.release()
        return True


class _TaskWaiter:
    """A waiting coroutine; woken through its future, from any thread."""

    __slots__ = ("future", "granted", "loop", "thread")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.granted: int | None = None
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()
        self.thread = threading.get_ident()

    def wake(self, token: int) -> bool:
        if self.loop.is_closed():  # nobody will ever take this slot
            return False
        if self.thread == threading.get_ident():
            # Released on the waiter's own thread: no other thread can be running its loop.
            if not self.future.done():
                self.future.set_result(None)
        else:
            try:
                self.loop.call_soon_threadsafe(_resolve, self.future)
            except RuntimeError:  # closed since the check above
                return False
        self.granted = token
        return True


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_Waiter = _ThreadWaiter | _TaskWaiter


class ConcurrencyBudget:
    """Requests in flight against a limit that AIMD moves on backpressure and success.

    ``acquire()`` / ``await aacquire()`` return a token (the round the request
    starts in); pass it back to :meth:`release` with the request's
    :data:`BudgetResult`. With ``adaptive=False`` the limit stays at
    ``max_limit`` and results are ignored.

    A cut is applied at most once per round: only a request that started
    after the last cut can cause the next one, so a wave of refusals caused by
    one overload counts once. Later refusals of the round just cut only cap
    the limit at ``decrease_factor`` times what is still in flight, which is
    what the server is actually taking.

    ``retrying=True`` (an attempt after a refused one) queues ahead of first
    attempts, so a refusal costs a call its backoff, not a second turn through
    the queue. ``timeout`` bounds the wait for a slot; a request that never got
    one was never sent, so the
    :class:`~camunda_core.errors.TransportTimeoutError` (phase ``pool``) is safe
    to retry.
    """

    __slots__ = (
        "_adaptive",
        "_ceiling",
        "_epoch",
        "_in_flight",
        "_limit",
        "_lock",
        "_retries",
        "_rule",
        "_value",
        "_waiters",
    )

    def __init__(
        self,
        *,
        max_limit: int = 64,
        min_limit: int = 1,
        decrease_factor: float = DEFAULT_DECREASE_FACTOR,
        adaptive: bool = True,
    ) -> None:
        self._rule = AimdRule(
            max_limit=max_limit, min_limit=min_limit, decrease_factor=decrease_factor
        )
        self._adaptive = bool(adaptive)
        self._lock = threading.Lock()
        self._in_flight = 0
        # The limit as a float, so that 1/limit steps accumulate; _limit is its
        # whole-slot value, read on every acquire.
        self._value = float(max_limit)
        self._limit = max_limit
        # How many were in flight when the last refusal came (see AimdRule.increased).
        self._ceiling = float(max_limit)
        self._epoch = 0
        # Retried attempts wait in a queue of their own that is served first:
        # the call has already waited its turn once.
        self._waiters: collections.deque[_Waiter] = collections.deque()
        self._retries: collections.deque[_Waiter] = collections.deque()

    # -- what tests and diagnostics read ------------------------------------------

    @property
    def limit(self) -> int:
        """Requests currently allowed in flight."""
        return self._limit

    @property
    def max_limit(self) -> int:
        return self._rule.max_limit

    @property
    def in_flight(self) -> int:
        """Slots currently held (a slot handed to a waiter counts as held)."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Callers queued for a slot."""
        return len(self._waiters) + len(self._retries)

    # -- taking a slot ---------------------------------------------------------------

    def acquire(
        self,
        timeout: float | None = None,
        *,
        retrying: bool = False,
        operation_id: str | None = None,
    ) -> int:
        """Take a slot, blocking the thread while none is free. Returns the token for :meth:`release`."""
        if timeout is not None:
            _check_timeout(timeout)
        with self._lock:
            # Free slots imply an empty queue (a release hands slots to waiters
            # first), so one comparison keeps arrival order.
            if self._in_flight < self._limit:
                self._in_flight += 1
                return self._epoch
            waiter = _ThreadWaiter()
            (self._retries if retrying else self._waiters).append(waiter)
        try:
            woken = waiter.lock.acquire(timeout=-1 if timeout is None else timeout)
        except BaseException:
            self._give_up(waiter)
            raise
        granted = waiter.granted if woken else self._abandon(waiter)
        if granted is None:
            raise _slot_timeout(timeout, operation_id)
        # Also when the slot arrived just as the wait timed out: keep it.
        return granted

    async def aacquire(
        self,
        timeout: float | None = None,
        *,
        retrying: bool = False,
        operation_id: str | None = None,
    ) -> int:
        """Take a slot, suspending the task while none is free. Returns the token for :meth:`release`."""
        if timeout is not None:
            _check_timeout(timeout)
        with self._lock:
            if self._in_flight < self._limit:
                self._in_flight += 1
                return self._epoch
            waiter = _TaskWaiter(asyncio.get_running_loop())
            (self._retries if retrying else self._waiters).append(waiter)
        try:
            if timeout is None:
                await waiter.future
            else:
                # asyncio.wait (unlike wait_for on 3.10/3.11) never drops a
                # wake-up that arrives together with the timeout.
                await asyncio.wait((waiter.future,), timeout=timeout)
        except BaseException:
            self._give_up(waiter)
            raise
        granted = self._abandon(waiter)
        if granted is None:
            raise _slot_timeout(timeout, operation_id)
        return granted

    def _abandon(self, waiter: _Waiter) -> int | None:
        """The token if a slot reached the waiter; else take it out of the queue and return None."""
        with self._lock:
            granted = waiter.granted
            if granted is None:
                # Absent only if a wake-up found its loop closed and dropped it.
                with contextlib.suppress(ValueError):
                    (self._retries if waiter in self._retries else self._waiters).remove(waiter)
            return granted

    def _give_up(self, waiter: _Waiter) -> None:
        # Cancelled or interrupted while waiting: a slot that had already
        # reached the waiter goes to the next one instead of leaking.
        granted = self._abandon(waiter)
        if granted is not None:
            self.release(granted)

    # -- giving it back ----------------------------------------------------------------

    def release(self, token: int, result: BudgetResult = "neutral") -> None:
        """Give a slot back with what the request got; may move the limit and wake waiters."""
        with self._lock:
            if self._in_flight <= 0:
                raise RuntimeError("ConcurrencyBudget.release() called more often than acquire()")
            if result == "success":
                # Grow only while the budget is full: successes below the limit
                # say nothing about whether the server takes more. The first
                # comparison is all a healthy server at max_limit pays.
                if self._value < self._rule.max_limit and self._in_flight >= self._limit:
                    self._value = self._rule.increased(self._value, self._limit, self._ceiling)
                    self._limit = self._rule.clamp(self._value)
            elif result == "backpressure" and self._adaptive:
                if token == self._epoch:
                    # The first refusal of a round: cut, and start a new round.
                    self._epoch = token + 1
                    self._ceiling = min(self._value, self._in_flight)
                    self._value = self._rule.decreased(self._value, self._in_flight)
                elif token == self._epoch - 1:
                    # More refusals of the round just cut: no further cut, but
                    # no more than a share of what is still in flight either.
                    self._ceiling = min(self._ceiling, self._in_flight)
                    self._value = self._rule.capped(self._value, self._in_flight)
                self._limit = self._rule.clamp(self._value)
            self._in_flight -= 1
            if self._retries or self._waiters:
                self._hand_over()

    def _hand_over(self) -> None:
        # Under the lock. The slot counts as taken from here, so nobody can
        # overtake the waiter between its wake-up and its return.
        while self._in_flight < self._limit:
            queue = self._retries or self._waiters
            if not queue:
                return
            if queue.popleft().wake(self._epoch):
                self._in_flight += 1

    def __repr__(self) -> str:
        return (
            f"ConcurrencyBudget(limit={self._limit}, in_flight={self._in_flight}, waiting={self.waiting}, "
            f"max_limit={self._rule.max_limit}, adaptive={self._adaptive})"
        )


def _check_timeout(timeout: float | None) -> None:
    if timeout is not None and (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not math.isfinite(timeout)
        or timeout < 0
    ):
        raise ValidationError(
            f"timeout: must be None or a finite number of seconds >= 0, got {timeout!r}"
        )


def _slot_timeout(timeout: float | None, operation_id: str | None) -> TransportTimeoutError:
    where = f"{operation_id}: " if operation_id else ""
    return TransportTimeoutError(
        f"{where}no request slot came free within {timeout} s (the client is at its concurrency limit)",
        operation_id=operation_id,
        phase="pool",
        request_sent=False,
    )
