"""The two methods generated client code calls: ``_invoke`` and ``_paginate``.

``SyncInvoker`` and ``AsyncInvoker`` are the bases of the generated operation
mixins (``camunda_core/api/sync_api.py`` and ``async_api.py``). The concrete
clients in ``sync_client.py`` and ``async_client.py`` implement them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, Union

from camunda_core.types import UNSET

if TYPE_CHECKING:
    from camunda_core.retry.policy import RetryPolicy
    from camunda_core.runtime.consistency import WaitFor
    from camunda_core.runtime.operation import Operation

__all__ = ["SyncInvoker", "AsyncInvoker", "RetryOption"]

R = TypeVar("R")

#: Per-call retry override: None = the client's policy, False = no retries,
#: True = the client's policy, or a policy object for this call only.
RetryOption = Union["RetryPolicy", bool, None]


class SyncInvoker:
    """Base of the generated sync operations."""

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
        raise NotImplementedError

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
        raise NotImplementedError


class AsyncInvoker:
    """Base of the generated async operations (same signatures, awaited)."""

    async def _invoke(
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
        raise NotImplementedError

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
    ) -> AsyncIterator[Any]:
        raise NotImplementedError
