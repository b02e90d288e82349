"""Waiting on eventually consistent reads.

Searches and gets served from the secondary store lag behind commands. Pass
``wait=WaitFor(...)`` to such an operation to poll until the result satisfies
a predicate (default: found and non-empty), within a timeout that raises
:class:`~camunda_core.errors.ConsistencyTimeoutError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from camunda_core.errors import (
    ApiError,
    ConsistencyTimeoutError,
    NotFound,
    ValidationError,
    bounded_quote,
    format_seconds,
)

__all__ = ["WaitFor", "default_ready", "describe_state"]

R = TypeVar("R")

#: The most characters of a result's repr a timeout message quotes.
STATE_QUOTE_LIMIT = 300
#: A wait whose time left is under this has reached its timeout (timers may fire a little early).
WAIT_SLACK = 0.002


def default_ready(result: object) -> bool:
    """Ready when a search result has items, or any other result exists."""
    items = getattr(result, "items", None)
    if isinstance(items, list):
        return len(items) > 0  # pyright: ignore[reportUnknownArgumentType]
    return result is not None


class WaitFor(Generic[R]):
    """How long and for what to wait on an eventually consistent operation."""

    __slots__ = ("interval", "max_interval", "timeout", "until")

    def __init__(
        self,
        until: Callable[[R], bool] | None = None,
        *,
        timeout: float = 10.0,
        interval: float = 0.1,
        max_interval: float = 1.0,
    ) -> None:
        if timeout <= 0:
            raise ValidationError(f"WaitFor.timeout must be > 0 seconds, got {timeout!r}")
        if interval <= 0:
            raise ValidationError(f"WaitFor.interval must be > 0 seconds, got {interval!r}")
        self.until: Callable[[Any], bool] = until or default_ready
        self.timeout = timeout
        self.interval = interval
        self.max_interval = max(max_interval, interval)

    def next_interval(self, current: float) -> float:
        return min(current * 2, self.max_interval)

    def pause(self, interval: float, left: float) -> float | None:
        """How long to sleep before the next poll, or None when the timeout has come.

        The last pause is cut to the time left, so one more poll is made at the
        timeout instead of giving up an interval early.
        """
        if left <= WAIT_SLACK:
            return None
        return min(interval, left)

    def timed_out(
        self, operation_id: str, elapsed: float, polls: int, last_seen: object, last_result: object
    ) -> ConsistencyTimeoutError:
        """The error for a wait that gave up: the timeout, the measured wait and the last state seen."""
        state = describe_state(last_seen)
        noun = "poll" if polls == 1 else "polls"
        return ConsistencyTimeoutError(
            f"{operation_id}: the condition did not hold within {self.timeout:g} s "
            f"(waited {format_seconds(elapsed)}, {polls} {noun}); last seen: {state}",
            operation_id=operation_id,
            last_result=last_result,
            last_state=state,
            elapsed_seconds=elapsed,
            polls=polls,
            timeout=self.timeout,
        )

    @staticmethod
    def is_not_yet_visible(error: BaseException) -> bool:
        """A 404 from a get means "not indexed yet" while waiting."""
        return isinstance(error, NotFound)

    def __repr__(self) -> str:
        return f"WaitFor(timeout={self.timeout}, interval={self.interval})"


def describe_state(seen: object) -> str:
    """A short text of what a poll returned: an error's status, a search result's size, or a bounded repr."""
    if isinstance(seen, ApiError):
        return f"{type(seen).__name__} (HTTP {seen.status}, not visible yet)"
    items = getattr(seen, "items", None)
    if isinstance(items, list):
        count = len(items)  # pyright: ignore[reportUnknownArgumentType]
        return f"{type(seen).__name__} with {count} item{'' if count == 1 else 's'}"
    # Models' reprs hold no secrets (Secret values print redacted); a long one is cut.
    return bounded_quote(repr(seen), STATE_QUOTE_LIMIT)
