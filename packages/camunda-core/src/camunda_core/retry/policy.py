"""Retry policies: the protocol, the attempt they judge, the default policy and its helpers.

* A :class:`RetryPolicy` turns a failed :class:`Attempt` into a delay or a
  decision to give up. :class:`DefaultRetryPolicy` retries backpressure and
  transient faults (:mod:`camunda_core.retry.classification`) with the SDK's one
  backoff (:mod:`camunda_core.retry.backoff`, full jitter), bounded by a number
  of attempts and an overall deadline, and never replays a non-idempotent
  request that may have reached the server.
* :func:`resolve_retry_policy` reads a call's ``retry=``;
  :func:`checked_next_delay` asks a (possibly plugin) policy and checks its answer.

Nothing here sleeps or reads a clock it was not given, so every decision can be
tested exactly. The send loop does the sleeping. See ``docs/retries.md``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Protocol, TypeGuard, runtime_checkable

import attrs

from camunda_core.errors import (
    ApiError,
    ConfigurationError,
    ConfigurationProblem,
    PluginError,
    ValidationError,
)
from camunda_core.retry.backoff import apply_retry_after, backoff_ceiling, backoff_delay
from camunda_core.retry.classification import FailureKind, classify, is_replay_safe
from camunda_core.retry.retry_after import RETRY_AFTER_CAP

__all__ = [
    "Attempt",
    "RetryPolicy",
    "RetryConfig",
    "DefaultRetryPolicy",
    "NoRetryPolicy",
    "NO_RETRY",
    "resolve_retry_policy",
    "checked_next_delay",
]


def _retry_after_of(attempt: Attempt) -> float | None:
    error = attempt.error
    return error.retry_after if isinstance(error, ApiError) else None


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
    #: Seconds the server (or a proxy) asked us to wait, from Retry-After. Taken
    #: from the error (:attr:`ApiError.retry_after`) unless given.
    retry_after: float | None = attrs.field(default=attrs.Factory(_retry_after_of, takes_self=True))

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
        delay = backoff_delay(
            attempt.attempt,
            initial=self.initial_delay,
            max_delay=self.max_delay,
            jitter="full",
            random=self._random,
        )
        delay = apply_retry_after(delay, attempt.retry_after, cap=self.max_retry_after)
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
