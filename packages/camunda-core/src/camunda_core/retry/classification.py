"""What a failed attempt means: backpressure, transient or fatal, and whether it may be replayed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from camunda_core.errors import ApiError, BackpressureError, TransportError, is_backpressure

if TYPE_CHECKING:
    from camunda_core.retry.policy import Attempt

__all__ = ["FailureKind", "classify", "is_replay_safe"]

#: What kind of failure an attempt was.
FailureKind = Literal["backpressure", "transient", "fatal"]

# Statuses a gateway or load balancer answers when it could not get a response
# from the server: the request was not acted on, so replaying it is safe.
_GATEWAY_STATUSES = frozenset({502, 503, 504})


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
