"""Events passed to the request/response observer hooks."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["RequestEvent", "ResponseEvent"]


@attrs.frozen(kw_only=True)
class RequestEvent:
    operation_id: str
    method: str
    url: str
    attempt: int
    #: Headers with Authorization and other secrets replaced by "***".
    headers: Mapping[str, str]


@attrs.frozen(kw_only=True)
class ResponseEvent:
    operation_id: str
    method: str
    url: str
    attempt: int
    #: HTTP status, or None when no response arrived (see ``error``).
    status: int | None
    elapsed_seconds: float
    error: BaseException | None = None
