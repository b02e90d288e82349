"""Retries, backpressure classification and the adaptive concurrency limit.

Three independent pieces the send loops (``sync_client.py`` / ``async_client.py``)
put together:

* :func:`classify` sorts a failed attempt into ``backpressure``, ``transient``
  or ``fatal``.
* A :class:`RetryPolicy` turns a failed :class:`Attempt` into a delay or a
  decision to give up. :class:`DefaultRetryPolicy` retries backpressure and
  transient faults with capped exponential backoff and full jitter, bounded by
  a number of attempts and an overall deadline, and never replays a
  non-idempotent request that may have reached the server.
* :class:`AdaptiveConcurrencyLimit` is AIMD state (halve on backpressure, creep
  back on success); :class:`SyncConcurrencyGate` and
  :class:`AsyncConcurrencyGate` hold callers back while the number of requests
  in flight is at that limit.

Nothing here sleeps or reads a clock it was not given, so every decision can be
tested exactly. The send loop does the sleeping. See ``docs/retries.md``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
import math
import random
import re
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from email.utils import parsedate_tz
from typing import Literal, Protocol, TypeGuard, runtime_checkable

import attrs

from camunda_core.errors import (
    ApiError,
    BackpressureError,
    ConfigurationError,
    ConfigurationProblem,
    PluginError,
    TransportError,
    TransportTimeoutError,
    ValidationError,
    is_backpressure,
)

__all__ = [
    "backoff_ceiling",
    "Attempt",
    "FailureKind",
    "RetryPolicy",
    "RetryConfig",
    "DefaultRetryPolicy",
    "NoRetryPolicy",
    "NO_RETRY",
    "RETRY_AFTER_CAP",
    "classify",
    "is_replay_safe",
    "parse_retry_after",
    "resolve_retry_policy",
    "checked_next_delay",
    "AdaptiveConcurrencyLimit",
    "SyncConcurrencyGate",
    "AsyncConcurrencyGate",
]

#: What kind of failure an attempt was.
FailureKind = Literal["backpressure", "transient", "fatal"]

#: Longest wait a Retry-After header can ask for, in seconds. A proxy asking
#: for more is treated as asking for this much (the deadline still applies).
RETRY_AFTER_CAP = 300.0

# Statuses a gateway or load balancer answers when it could not get a response
# from the server: the request was not acted on, so replaying it is safe.
_GATEWAY_STATUSES = frozenset({502, 503, 504})

# delta-seconds is digits only; a decimal fraction is tolerated because some
# proxies send one.
_DELTA_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_SIGNED_NUMBER = re.compile(r"[+-]?[0-9]*\.?[0-9]+")

# The largest exponent the backoff ever needs: 2**64 times any sane initial
# delay is far beyond any max_delay, and it keeps the float math finite.
_MAX_BACKOFF_EXPONENT = 64


@attrs.frozen(kw_only=True)
class Attempt:
    """One failed attempt, as the retry policy sees it."""

    operation_id: str
    #: Safe to replay even if the server may have acted on the request.
    idempotent: bool
    #: 1-based number of the attempt that just failed.
    attempt: int
    #: Seconds since the first attempt started (monotonic clock).
    elapsed: float
    #: HTTP status, or None when no response arrived (a transport error).
    status: int | None
    #: The mapped error: an ApiError or a TransportError.
    error: Exception | None
    #: Seconds the server (or a proxy) asked us to wait, from Retry-After.
    retry_after: float | None = None

    @property
    def kind(self) -> FailureKind:
        """:func:`classify` applied to this attempt."""
        return classify(self.status, self.error)


@runtime_checkable
class RetryPolicy(Protocol):
    """Decides whether, and after how long, a failed attempt is retried."""

    def next_delay(self, attempt: Attempt) -> float | None:
        """Seconds to wait before retrying, or None to give up and raise."""
        ...


class RetryConfig(Protocol):
    """The part of the client configuration :meth:`DefaultRetryPolicy.from_config` reads."""

    @property
    def retry_max_attempts(self) -> int: ...

    @property
    def retry_initial_delay(self) -> float: ...

    @property
    def retry_max_delay(self) -> float: ...

    @property
    def retry_deadline(self) -> float: ...


def classify(status: int | None, error: Exception | None) -> FailureKind:
    """Sort a failed attempt by what the failure means.

    * ``backpressure``: the server is shedding load (429; 503 titled
      ``RESOURCE_EXHAUSTED``; 500/503 with ``RESOURCE_EXHAUSTED`` in the detail).
    * ``transient``: a gateway status (502, 503 other than backpressure, 504) or
      a transport error (no response at all). Whether a transport error may be
      replayed also depends on the operation; see :func:`is_replay_safe`.
    * ``fatal``: everything else (other 4xx, 500 and other 5xx, unknown errors).
    """
    if isinstance(error, BackpressureError):
        return "backpressure"
    if status is None and isinstance(error, ApiError):
        status = error.status
    if status is not None:
        title = error.title if isinstance(error, ApiError) else None
        detail = error.detail if isinstance(error, ApiError) else None
        if is_backpressure(status, title, detail):
            return "backpressure"
        if status in _GATEWAY_STATUSES:
            return "transient"
        return "fatal"
    if isinstance(error, TransportError):
        return "transient"
    return "fatal"


def is_replay_safe(attempt: Attempt) -> bool:
    """Whether sending the request again cannot apply it twice.

    Idempotent operations always may be replayed. Any operation may be replayed
    after a backpressure or gateway response (the request was turned away before
    it was acted on) or after a transport error that happened before the
    request was sent. A transport error after which the request may have
    reached the server (``request_sent`` True or unknown) makes a
    non-idempotent request unsafe to replay.
    """
    if attempt.idempotent:
        return True
    error = attempt.error
    if isinstance(error, TransportError):
        return error.request_sent is False
    return classify(attempt.status, error) != "fatal"


def backoff_ceiling(attempt: int, initial_delay: float, max_delay: float) -> float:
    """Capped exponential backoff: the most to wait after attempt number ``attempt`` (1-based).

    Full jitter waits a uniform random fraction of this. Shared by every retry
    loop of the SDK (API calls, token requests).
    """
    exponent = min(max(attempt - 1, 0), _MAX_BACKOFF_EXPONENT)
    return min(max_delay, initial_delay * (2.0**exponent))


class DefaultRetryPolicy:
    """Capped exponential backoff with full jitter, bounded by attempts and a deadline.

    Retries backpressure and transient failures when :func:`is_replay_safe`
    allows; gives up on everything else. The delay before retry *n* (the
    attempt that just failed is number *n*) is
    ``random() * min(max_delay, initial_delay * 2 ** (n - 1))``; a
    ``Retry-After`` raises it to at least what the header asked for (capped at
    ``max_retry_after``). The policy gives up when ``max_attempts`` attempts have
    been made, or when waiting would carry the call past ``deadline`` seconds
    after its first attempt started.

    Stateless: one instance serves every call of a client, from any thread.
    """

    __slots__ = (
        "_random",
        "deadline",
        "initial_delay",
        "max_attempts",
        "max_delay",
        "max_retry_after",
    )

    def __init__(
        self,
        *,
        max_attempts: int = 5,
        initial_delay: float = 0.1,
        max_delay: float = 5.0,
        deadline: float = 60.0,
        random: Callable[[], float] = random.random,
        max_retry_after: float = RETRY_AFTER_CAP,
    ) -> None:
        _raise_if_invalid(
            max_attempts=max_attempts,
            initial_delay=initial_delay,
            max_delay=max_delay,
            deadline=deadline,
            max_retry_after=max_retry_after,
            names={},
        )
        if not callable(random):
            raise ConfigurationError(
                [ConfigurationProblem("random", "must be a callable returning a float in [0, 1)")]
            )
        self.max_attempts = max_attempts
        self.initial_delay = float(initial_delay)
        self.max_delay = float(max_delay)
        self.deadline = float(deadline)
        self.max_retry_after = float(max_retry_after)
        self._random = random

    @classmethod
    def from_config(
        cls, config: RetryConfig, *, random: Callable[[], float] = random.random
    ) -> DefaultRetryPolicy:
        """Build the policy from the ``CAMUNDA_RETRY_*`` settings of a client configuration."""
        values = {
            "max_attempts": config.retry_max_attempts,
            "initial_delay": config.retry_initial_delay,
            "max_delay": config.retry_max_delay,
            "deadline": config.retry_deadline,
        }
        # Validate here too, so a bad value is reported under the variable the
        # user actually set rather than under a constructor argument name.
        _raise_if_invalid(
            **values,
            max_retry_after=RETRY_AFTER_CAP,
            names={
                "max_attempts": "CAMUNDA_RETRY_MAX_ATTEMPTS",
                "initial_delay": "CAMUNDA_RETRY_INITIAL_DELAY_MS",
                "max_delay": "CAMUNDA_RETRY_MAX_DELAY_MS",
                "deadline": "CAMUNDA_RETRY_DEADLINE_MS",
            },
        )
        return cls(
            max_attempts=config.retry_max_attempts,
            initial_delay=config.retry_initial_delay,
            max_delay=config.retry_max_delay,
            deadline=config.retry_deadline,
            random=random,
        )

    def for_lease(self, seconds: float) -> DefaultRetryPolicy:
        """The same backoff, bounded only by time: for deliveries that must keep
        trying while a job's lease lasts (giving up strands the job until it times out)."""
        return DefaultRetryPolicy(
            max_attempts=1_000_000,
            initial_delay=self.initial_delay,
            max_delay=self.max_delay,
            deadline=max(seconds, self.initial_delay),
            random=self._random,
            max_retry_after=self.max_retry_after,
        )

    def backoff_ceiling(self, attempt: int) -> float:
        """The upper bound of the jittered delay after attempt number ``attempt``."""
        return backoff_ceiling(attempt, self.initial_delay, self.max_delay)

    def next_delay(self, attempt: Attempt) -> float | None:
        if attempt.attempt >= self.max_attempts:
            return None
        if classify(attempt.status, attempt.error) == "fatal":
            return None
        if not is_replay_safe(attempt):
            return None
        # Clamp so an injected random outside [0, 1) cannot produce a negative
        # or oversized delay.
        fraction = min(max(float(self._random()), 0.0), 1.0)
        delay = fraction * self.backoff_ceiling(attempt.attempt)
        if attempt.retry_after is not None and attempt.retry_after > 0:
            delay = max(delay, min(attempt.retry_after, self.max_retry_after))
        if attempt.elapsed + delay > self.deadline:
            return None
        return delay

    def __repr__(self) -> str:
        return (
            f"DefaultRetryPolicy(max_attempts={self.max_attempts}, initial_delay={self.initial_delay}, "
            f"max_delay={self.max_delay}, deadline={self.deadline})"
        )


def _raise_if_invalid(
    *,
    max_attempts: object,
    initial_delay: object,
    max_delay: object,
    deadline: object,
    max_retry_after: object,
    names: dict[str, str],
) -> None:
    problems: list[ConfigurationProblem] = []

    def problem(field: str, message: str) -> None:
        problems.append(ConfigurationProblem(names.get(field, field), message))

    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        problem("max_attempts", f"must be an integer >= 1, got {max_attempts!r}")
    for field, value in (
        ("initial_delay", initial_delay),
        ("max_delay", max_delay),
        ("max_retry_after", max_retry_after),
    ):
        if not _is_finite_number(value) or value < 0:
            problem(field, f"must be a finite number of seconds >= 0, got {value!r}")
    if (
        _is_finite_number(initial_delay)
        and _is_finite_number(max_delay)
        and 0 <= max_delay < initial_delay
    ):
        problem(
            "max_delay",
            f"must not be smaller than initial_delay ({initial_delay!r}), got {max_delay!r}",
        )
    if not _is_finite_number(deadline) or deadline <= 0:
        problem("deadline", f"must be a finite number of seconds > 0, got {deadline!r}")
    if problems:
        raise ConfigurationError(problems)


def _is_finite_number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class NoRetryPolicy:
    """Never retries: every failure is raised at once."""

    __slots__ = ()

    def next_delay(self, attempt: Attempt) -> float | None:
        return None

    def __repr__(self) -> str:
        return "NO_RETRY"


#: The policy used for ``retry=False``.
NO_RETRY: RetryPolicy = NoRetryPolicy()


def resolve_retry_policy(option: RetryPolicy | bool | None, default: RetryPolicy) -> RetryPolicy:
    """The policy for one call, from its ``retry=`` argument.

    ``None`` or ``True`` use the client's policy, ``False`` disables retries,
    and a policy object is used for this call only.
    """
    if option is None or option is True:
        return default
    if option is False:
        return NO_RETRY
    if not callable(getattr(option, "next_delay", None)):
        raise ValidationError(
            f"retry: expected a RetryPolicy (an object with next_delay), True, False or None; "
            f"got {type(option).__name__}"
        )
    return option


def checked_next_delay(policy: RetryPolicy, attempt: Attempt) -> float | None:
    """``policy.next_delay(attempt)``, with its answer checked.

    A policy may come from a plugin; a negative, NaN or non-numeric delay is
    reported as a :class:`~camunda_core.errors.PluginError` naming the policy
    instead of surfacing as an obscure failure inside ``sleep``.
    """
    delay = policy.next_delay(attempt)
    if delay is None:
        return None
    if not _is_finite_number(delay) or delay < 0:
        raise PluginError(
            f"retry policy {type(policy).__name__} returned {delay!r} for {attempt.operation_id} "
            f"attempt {attempt.attempt}; expected None or a finite number of seconds >= 0"
        )
    return float(delay)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value.

    Accepts delta-seconds (``"120"``; a decimal fraction is tolerated) and an
    HTTP-date (IMF-fixdate, RFC 850 and asctime forms; a date without a zone is
    taken as GMT). ``now`` is the current POSIX time for the HTTP-date case
    (default ``time.time()``). A date in the past means "now" (0.0). Negative,
    non-finite or unparseable values give None. The result is capped at
    :data:`RETRY_AFTER_CAP`.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _SIGNED_NUMBER.fullmatch(text) is not None:
        # A number, but not a valid delta-seconds (negative): garbage, not "now".
        seconds = _parse_delta_seconds(text)
    else:
        seconds = _parse_http_date_delay(text, time.time() if now is None else now)
    if seconds is None:
        return None
    return min(seconds, RETRY_AFTER_CAP)


def _parse_delta_seconds(text: str) -> float | None:
    if _DELTA_SECONDS.fullmatch(text) is None:
        return None
    seconds = float(text)
    return seconds if math.isfinite(seconds) else None


def _parse_http_date_delay(text: str, now: float) -> float | None:
    parsed = parsedate_tz(text)
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    # parsedate_tz gives the zone offset in seconds, or None for asctime
    # dates, which HTTP defines as GMT.
    offset = parsed[9] or 0
    try:
        # datetime rejects what timegm would silently roll over (32 October).
        when = datetime.datetime(
            year, month, day, hour, minute, second, tzinfo=datetime.timezone.utc
        )
    except (OverflowError, ValueError):
        return None
    return max(0.0, when.timestamp() - offset - now)


class AdaptiveConcurrencyLimit:
    """How many requests may be in flight: additive increase, multiplicative decrease.

    Starts at ``max_limit``. Each backpressure signal multiplies the limit by
    ``decrease_factor`` (never below ``min_limit``), but at most once per
    ``decrease_window`` seconds: a wave of concurrent requests that all get
    turned away reports one overload, not one per request. Each success adds
    ``recovery_per_success`` back, up to ``max_limit``.

    Plain state with no locking; the gates serialise access to it. ``clock`` is
    injectable so tests control the decrease window exactly.
    """

    __slots__ = (
        "_clock",
        "_last_decrease",
        "_limit",
        "_value",
        "decrease_factor",
        "decrease_window",
        "max_limit",
        "min_limit",
        "recovery_per_success",
    )

    def __init__(
        self,
        *,
        max_limit: int = 64,
        min_limit: int = 1,
        decrease_factor: float = 0.5,
        recovery_per_success: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        decrease_window: float = 0.1,
    ) -> None:
        problems: list[ConfigurationProblem] = []
        if isinstance(min_limit, bool) or not isinstance(min_limit, int) or min_limit < 1:
            problems.append(
                ConfigurationProblem("min_limit", f"must be an integer >= 1, got {min_limit!r}")
            )
        if isinstance(max_limit, bool) or not isinstance(max_limit, int) or max_limit < 1:
            problems.append(
                ConfigurationProblem("max_limit", f"must be an integer >= 1, got {max_limit!r}")
            )
        elif isinstance(min_limit, int) and max_limit < min_limit:
            problems.append(
                ConfigurationProblem(
                    "max_limit", f"must be >= min_limit ({min_limit}), got {max_limit!r}"
                )
            )
        if not _is_finite_number(decrease_factor) or not 0 < decrease_factor < 1:
            problems.append(
                ConfigurationProblem(
                    "decrease_factor", f"must be a number in (0, 1), got {decrease_factor!r}"
                )
            )
        if not _is_finite_number(recovery_per_success) or recovery_per_success < 0:
            problems.append(
                ConfigurationProblem(
                    "recovery_per_success",
                    f"must be a finite number >= 0, got {recovery_per_success!r}",
                )
            )
        if not _is_finite_number(decrease_window) or decrease_window < 0:
            problems.append(
                ConfigurationProblem(
                    "decrease_window",
                    f"must be a finite number of seconds >= 0, got {decrease_window!r}",
                )
            )
        if problems:
            raise ConfigurationError(problems)
        self.max_limit = max_limit
        self.min_limit = min_limit
        self.decrease_factor = float(decrease_factor)
        self.recovery_per_success = float(recovery_per_success)
        self.decrease_window = float(decrease_window)
        self._clock = clock
        # Kept as a float so that fractional recovery steps accumulate.
        self._value = float(max_limit)
        self._limit = max_limit
        self._last_decrease: float | None = None

    @property
    def limit(self) -> int:
        """Requests currently permitted in flight (always between min_limit and max_limit)."""
        return self._limit

    def _set(self, value: float) -> None:
        self._value = value
        # Read on every request; computed only when the value changes.
        self._limit = max(self.min_limit, min(self.max_limit, math.floor(value)))

    def on_backpressure(self) -> None:
        """The server pushed back: shrink the limit (once per decrease window)."""
        now = self._clock()
        if self._last_decrease is not None and now - self._last_decrease < self.decrease_window:
            return
        self._last_decrease = now
        self._set(max(float(self.min_limit), self._value * self.decrease_factor))

    def on_success(self) -> None:
        """A request went through: grow the limit a step, up to max_limit."""
        if self._value < self.max_limit:  # the common case, a healthy server, costs one comparison
            self._set(min(float(self.max_limit), self._value + self.recovery_per_success))

    def __repr__(self) -> str:
        return f"AdaptiveConcurrencyLimit(limit={self.limit}, min_limit={self.min_limit}, max_limit={self.max_limit})"


def _check_timeout(timeout: float | None) -> None:
    if timeout is not None and (not _is_finite_number(timeout) or timeout < 0):
        raise ValidationError(
            f"timeout: must be None or a finite number of seconds >= 0, got {timeout!r}"
        )


def _slot_timeout_error(timeout: float) -> TransportTimeoutError:
    # A request that never got a slot was never sent: safe to retry for any operation.
    return TransportTimeoutError(
        f"timed out after {timeout} s waiting for a request slot (the server is applying backpressure)",
        phase="pool",
        request_sent=False,
    )


class SyncConcurrencyGate:
    """Blocks threads while the number of requests in flight is at the adaptive limit.

    Operations marked ``backpressure_exempt`` (completing and failing jobs)
    should bypass the gate: finishing work is what relieves a loaded server.
    Report outcomes through :meth:`on_success` / :meth:`on_backpressure` (rather
    than on the limit directly) so that waiting threads see a raised limit at once.
    """

    __slots__ = ("_condition", "_in_flight", "_limit", "_lock", "_waiting")

    def __init__(self, limit: AdaptiveConcurrencyLimit) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._condition = threading.Condition(self._lock)
        self._in_flight = 0
        self._waiting = 0

    @property
    def limit(self) -> AdaptiveConcurrencyLimit:
        return self._limit

    @property
    def in_flight(self) -> int:
        """Slots currently held."""
        return self._in_flight

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a slot, waiting up to ``timeout`` seconds (None: forever). False if none came free."""
        _check_timeout(timeout)
        with self._lock:
            # Fast path: a free slot (every request takes this path on a healthy server).
            if self._in_flight < self._limit.limit:
                self._in_flight += 1
                return True
            self._waiting += 1
            try:
                if not self._condition.wait_for(lambda: self._in_flight < self._limit.limit, timeout):
                    return False
            finally:
                self._waiting -= 1
            self._in_flight += 1
            return True

    def release(self) -> None:
        """Give a slot back."""
        with self._lock:
            if self._in_flight <= 0:
                raise RuntimeError("SyncConcurrencyGate.release() called more often than acquire()")
            self._in_flight -= 1
            if self._waiting:
                # Wake as many waiters as there are free slots, not just one: the
                # limit may have been raised directly on the AdaptiveConcurrencyLimit
                # since the last wake-up.
                self._condition.notify(max(1, self._limit.limit - self._in_flight))

    def on_success(self) -> None:
        """Record a successful request, and wake waiters the raised limit lets through."""
        with self._condition:
            before = self._limit.limit
            self._limit.on_success()
            if self._limit.limit > before:
                self._condition.notify(self._limit.limit - before)

    def on_backpressure(self) -> None:
        """Record a backpressure response."""
        with self._condition:
            self._limit.on_backpressure()

    @contextlib.contextmanager
    def slot(self, timeout: float | None = None) -> Generator[None, None, None]:
        """Hold a slot for the ``with`` block.

        Raises :class:`~camunda_core.errors.TransportTimeoutError` (phase
        ``pool``, ``request_sent=False``) if no slot came free within ``timeout``.
        """
        if not self.acquire(timeout):
            raise _slot_timeout_error(timeout if timeout is not None else 0.0)
        try:
            yield
        finally:
            self.release()

    def __repr__(self) -> str:
        return f"SyncConcurrencyGate(in_flight={self._in_flight}, limit={self._limit.limit})"


class AsyncConcurrencyGate:
    """The asyncio counterpart of :class:`SyncConcurrencyGate`, for one event loop.

    Waiters queue in FIFO order and a freed slot is handed straight to the
    next one. It uses per-waiter futures rather than an ``asyncio.Condition``
    because :meth:`release` is synchronous (it runs in ``finally`` blocks and
    callbacks) and a Condition can only be notified with its lock held. The
    futures are created on the running loop when a caller has to wait, so the
    gate itself may be built outside any loop.
    """

    __slots__ = ("_in_flight", "_limit", "_waiters")

    def __init__(self, limit: AdaptiveConcurrencyLimit) -> None:
        self._limit = limit
        self._in_flight = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def limit(self) -> AdaptiveConcurrencyLimit:
        return self._limit

    @property
    def in_flight(self) -> int:
        """Slots currently held."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Callers queued for a slot."""
        return sum(1 for waiter in self._waiters if not waiter.done())

    async def acquire(self) -> None:
        """Take a slot, waiting as long as it takes."""
        await self._acquire(None)

    async def try_acquire(self, timeout: float) -> bool:
        """Take a slot, waiting up to ``timeout`` seconds. False if none came free."""
        _check_timeout(timeout)
        return await self._acquire(timeout)

    async def _acquire(self, timeout: float | None) -> bool:
        # Only take a slot directly when nobody is queued, so waiters keep FIFO order.
        if not self._has_waiters() and self._in_flight < self._limit.limit:
            self._in_flight += 1
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            if timeout is None:
                await waiter
            else:
                # asyncio.wait (unlike wait_for on 3.10/3.11) never drops a
                # result that arrives together with the timeout.
                await asyncio.wait({waiter}, timeout=timeout)
        except BaseException:
            # Cancelled while waiting. If the slot had already been handed over,
            # pass it on rather than leak it.
            if waiter.done() and not waiter.cancelled():
                self.release()
            else:
                waiter.cancel()
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)
        if waiter.done() and not waiter.cancelled():
            return True
        waiter.cancel()
        return False

    def _has_waiters(self) -> bool:
        while self._waiters and self._waiters[0].done():
            self._waiters.popleft()
        return bool(self._waiters)

    def _wake(self) -> None:
        # Hand free slots to queued waiters; the slot counts as taken from here.
        while self._waiters and self._in_flight < self._limit.limit:
            waiter = self._waiters.popleft()
            if waiter.done():
                continue
            self._in_flight += 1
            waiter.set_result(None)

    def release(self) -> None:
        """Give a slot back (and hand it to the next waiter, if any)."""
        if self._in_flight <= 0:
            raise RuntimeError("AsyncConcurrencyGate.release() called more often than acquire()")
        self._in_flight -= 1
        self._wake()

    def on_success(self) -> None:
        """Record a successful request, and let in waiters the raised limit allows."""
        self._limit.on_success()
        self._wake()

    def on_backpressure(self) -> None:
        """Record a backpressure response."""
        self._limit.on_backpressure()

    @contextlib.asynccontextmanager
    async def slot(self, timeout: float | None = None) -> AsyncGenerator[None, None]:
        """Hold a slot for the ``async with`` block.

        Raises :class:`~camunda_core.errors.TransportTimeoutError` (phase
        ``pool``, ``request_sent=False``) if no slot came free within ``timeout``.
        """
        if timeout is None:
            await self.acquire()
        elif not await self.try_acquire(timeout):
            raise _slot_timeout_error(timeout)
        try:
            yield
        finally:
            self.release()

    def __repr__(self) -> str:
        return (
            f"AsyncConcurrencyGate(in_flight={self._in_flight}, limit={self._limit.limit}, "
            f"waiting={self.waiting})"
        )
