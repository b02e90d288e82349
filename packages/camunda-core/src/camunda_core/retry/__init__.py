"""Retries: what a failure means, whether and when to try again.

Modules by concern:

* :mod:`~camunda_core.retry.classification`: failure kinds (``backpressure``,
  ``transient``, ``fatal``) and :func:`is_replay_safe`.
* :mod:`~camunda_core.retry.policy`: the :class:`RetryPolicy` protocol, the
  :class:`Attempt` it judges, :class:`DefaultRetryPolicy`, ``retry=`` resolution
  and :func:`checked_next_delay`.
* :mod:`~camunda_core.retry.backoff`: the SDK's one backoff (capped exponential
  ceiling, full / equal / no jitter, Retry-After applied).
* :mod:`~camunda_core.retry.retry_after`: parsing ``Retry-After``.

The concurrency budget and its adaptive limit live in :mod:`camunda_core.backpressure`.
Every name below is importable from this package; modules load on first use
(``camunda_core.errors`` imports ``retry_after`` without pulling in the rest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from camunda_core.lazy import lazy_getattr

if TYPE_CHECKING:
    from camunda_core.retry.backoff import (
        Backoff,
        Jitter,
        apply_retry_after,
        backoff_ceiling,
        backoff_delay,
    )
    from camunda_core.retry.classification import FailureKind, classify, is_replay_safe
    from camunda_core.retry.policy import (
        NO_RETRY,
        Attempt,
        DefaultRetryPolicy,
        NoRetryPolicy,
        RetryConfig,
        RetryPolicy,
        checked_next_delay,
        resolve_retry_policy,
    )
    from camunda_core.retry.retry_after import (
        RETRY_AFTER_CAP,
        parse_retry_after,
        retry_after_from_headers,
    )

__all__ = [
    "NO_RETRY",
    "RETRY_AFTER_CAP",
    "Attempt",
    "Backoff",
    "DefaultRetryPolicy",
    "FailureKind",
    "Jitter",
    "NoRetryPolicy",
    "RetryConfig",
    "RetryPolicy",
    "apply_retry_after",
    "backoff_ceiling",
    "backoff_delay",
    "checked_next_delay",
    "classify",
    "is_replay_safe",
    "parse_retry_after",
    "resolve_retry_policy",
    "retry_after_from_headers",
]

_SOURCES = {
    **dict.fromkeys(
        ("Backoff", "Jitter", "apply_retry_after", "backoff_ceiling", "backoff_delay"), "camunda_core.retry.backoff"
    ),
    **dict.fromkeys(("FailureKind", "classify", "is_replay_safe"), "camunda_core.retry.classification"),
    **dict.fromkeys(
        (
            "NO_RETRY",
            "Attempt",
            "DefaultRetryPolicy",
            "NoRetryPolicy",
            "RetryConfig",
            "RetryPolicy",
            "checked_next_delay",
            "resolve_retry_policy",
        ),
        "camunda_core.retry.policy",
    ),
    **dict.fromkeys(
        ("RETRY_AFTER_CAP", "parse_retry_after", "retry_after_from_headers"), "camunda_core.retry.retry_after"
    ),
}

__getattr__ = lazy_getattr(__name__, globals(), _SOURCES)
