"""The SDK's one backoff: a capped exponential ceiling, jittered, raised by a Retry-After.

Every retry loop of the SDK computes its waits here: the API retry policy
(:class:`~camunda_core.retry.policy.DefaultRetryPolicy`, full jitter), the OAuth
token endpoint (full jitter) and the job worker's poll loop (equal jitter).

The delay after failure number *n* (1-based) is::

    ceiling = min(max_delay, initial * factor ** (n - 1))
    "full":  random() * ceiling                  (spread over [0, ceiling])
    "equal": ceiling / 2 + random() * ceiling / 2 (spread over [ceiling / 2, ceiling])
    "none":  ceiling

and a ``Retry-After`` of *r* seconds raises it to ``max(delay, min(r, cap))``.

``random`` is injectable and its answer is clamped to [0, 1], so a test can
pin every delay and a faulty source cannot produce a negative or oversized
wait. Nothing here sleeps or reads a clock.
"""

from __future__ import annotations

import math
import random as _random_module
from collections.abc import Callable
from typing import Literal, get_args

import attrs

from camunda_core.retry.retry_after import RETRY_AFTER_CAP

__all__ = ["Backoff", "Jitter", "apply_retry_after", "backoff_ceiling", "backoff_delay"]

#: How a delay is spread below its ceiling: ``"full"`` over [0, ceiling],
#: ``"equal"`` over [ceiling / 2, ceiling], ``"none"`` not at all.
Jitter = Literal["full", "equal", "none"]

_JITTERS: frozenset[str] = frozenset(get_args(Jitter))

# The largest exponent ever needed: factor 2 ** 64 times any sane initial delay
# is far beyond any max_delay, and it keeps the float math finite.
_MAX_EXPONENT = 64


def backoff_ceiling(attempt: int, initial: float, max_delay: float, *, factor: float = 2.0) -> float:
    """``min(max_delay, initial * factor ** (attempt - 1))``: the most to wait after failure ``attempt`` (1-based)."""
    exponent = min(max(attempt - 1, 0), _MAX_EXPONENT)
    try:
        grown = initial * (factor**exponent)
    except OverflowError:
        return max_delay
    return min(max_delay, grown)


def backoff_delay(
    attempt: int,
    *,
    initial: float,
    max_delay: float,
    factor: float = 2.0,
    jitter: Jitter = "full",
    random: Callable[[], float] = _random_module.random,
) -> float:
    """The jittered wait after failure number ``attempt`` (1-based); see the module docstring."""
    ceiling = backoff_ceiling(attempt, initial, max_delay, factor=factor)
    if jitter == "none":
        return ceiling
    # Clamp so an injected random outside [0, 1) cannot give a negative or oversized delay.
    fraction = min(max(float(random()), 0.0), 1.0)
    if jitter == "full":
        return fraction * ceiling
    if jitter == "equal":
        return ceiling * (0.5 + 0.5 * fraction)
    raise ValueError(f"jitter must be one of {sorted(_JITTERS)}, got {jitter!r}")


def apply_retry_after(delay: float, retry_after: float | None, *, cap: float = RETRY_AFTER_CAP) -> float:
    """``delay`` raised to what a ``Retry-After`` asked for: ``max(delay, min(retry_after, cap))``.

    ``None`` or a value <= 0 leaves ``delay`` as it is.
    """
    if retry_after is None or not retry_after > 0:
        return delay
    return max(delay, min(retry_after, cap))


@attrs.frozen(kw_only=True)
class Backoff:
    """The backoff parameters of one retry loop, bundled: ``Backoff(...).delay(n, retry_after)``.

    Stateless (the caller counts failures) and safe to share between threads.
    """

    #: The ceiling after the first failure, in seconds.
    initial: float
    #: The largest ceiling, in seconds.
    max_delay: float
    #: Growth of the ceiling per failure.
    factor: float = 2.0
    jitter: Jitter = "full"
    #: The longest a Retry-After may stretch one delay, in seconds.
    retry_after_cap: float = RETRY_AFTER_CAP
    #: Source of fractions in [0, 1); clamped to [0, 1].
    random: Callable[[], float] = attrs.field(default=_random_module.random, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        for name in ("initial", "max_delay", "retry_after_cap"):
            value = getattr(self, name)
            if not _finite(value) or value < 0:
                raise ValueError(f"Backoff.{name} must be a finite number of seconds >= 0, got {value!r}")
        if not _finite(self.factor) or self.factor < 1:
            raise ValueError(f"Backoff.factor must be a finite number >= 1, got {self.factor!r}")
        if self.jitter not in _JITTERS:
            raise ValueError(f"Backoff.jitter must be one of {sorted(_JITTERS)}, got {self.jitter!r}")
        if not callable(self.random):
            raise ValueError("Backoff.random must be a callable returning a float in [0, 1)")

    def ceiling(self, attempt: int) -> float:
        """The most to wait after failure number ``attempt`` (1-based)."""
        return backoff_ceiling(attempt, self.initial, self.max_delay, factor=self.factor)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """The jittered wait after failure number ``attempt``, raised to ``retry_after`` (capped)."""
        delay = backoff_delay(
            attempt,
            initial=self.initial,
            max_delay=self.max_delay,
            factor=self.factor,
            jitter=self.jitter,
            random=self.random,
        )
        return apply_retry_after(delay, retry_after, cap=self.retry_after_cap)


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
