"""Retries and backpressure classification.

Independent pieces the send loops (``sync_client.py`` / ``async_client.py``)
put together:

* :func:`classify` sorts a failed attempt into ``backpressure``, ``transient``
  or ``fatal``.
* A :class:`RetryPolicy` turns a failed :class:`Attempt` into a delay or a
  decision to give up. :class:`DefaultRetryPolicy` retries backpressure and
  transient faults with capped exponential backoff and full jitter, bounded by
  a number of attempts and an overall deadline, and never replays a
  non-idempotent request that may have reached the server.
* The concurrency budget and its adaptive limit live in
  :mod:`camunda_core.backpressure`.

Nothing here sleeps or reads a clock it was not given, so every decision can be
tested exactly. The send loop does the sleeping. See ``docs/retries.md``.
"""

from __future__ import annotations

import datetime
import math
import random
import re
import time
from collections.abc import Callable
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
      a transport error (no response at all) other than a TLS failure. Whether
      a transport error may be replayed also depends on the operation; see
      :func:`is_replay_safe`.
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
        # A TLS failure (untrusted certificate, not TLS at all) fails every attempt alike.
        return "transient" if error.retryable else "fatal"
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
