"""The types a routed handler is checked against: contexts by strategy, results, middleware.

``JobContext`` is generic over the type of ``job.client`` and defaults to the
async client, so ``job: JobContext`` is right in ``async def`` handlers.
Blocking handlers (thread strategy) get a blocking client: annotate them
``job: ThreadJobContext``. A process child has no client: ``ProcessJobContext``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar, Union

from camunda_core.client import CamundaClient
from camunda_workers.decisions import Decision, JobError, JobFailure
from camunda_workers.job_context import JobContext

__all__ = [
    "ThreadJobContext",
    "ProcessJobContext",
    "AnyJobContext",
    "DataclassInstance",
    "PydanticModel",
    "VariablesResult",
    "ExceptionOutcome",
    "BeforeHook",
    "AfterHook",
    "ExceptionHandler",
]

#: The context of a thread-strategy handler: ``job.client`` is a blocking ``CamundaClient``.
ThreadJobContext = JobContext[CamundaClient]
#: The context of a process-strategy handler: there is no client in a child process.
ProcessJobContext = JobContext[None]
#: A context of any strategy (what middleware receives).
AnyJobContext = JobContext[Any]


class DataclassInstance(Protocol):
    """Any dataclass instance, and for pyright any attrs instance too (``dataclass_transform``).

    (attrs' own ``AttrsInstance`` is ``Any`` to pyright, which would accept every return type.)
    """

    __dataclass_fields__: ClassVar[dict[str, Any]]


class PydanticModel(Protocol):
    """Anything with pydantic's ``model_dump`` (pydantic itself is never imported for it)."""

    def model_dump(self) -> dict[str, Any]: ...


#: What a handler without ``variable_name=`` may return: the completion variables (or None).
VariablesResult = Union[Mapping[str, object], DataclassInstance, PydanticModel, None]

#: What an exception handler returns: a decision, a JobError/JobFailure, or None (not handled here).
ExceptionOutcome = Union[Decision, JobError, JobFailure, None]

E = TypeVar("E", bound=BaseException)

#: ``@router.before``: called with the context before the handler (sync or async).
BeforeHook = Callable[[AnyJobContext], Union[Awaitable[None], None]]
#: ``@router.after``: called with the context and the handler's result (sync or async).
AfterHook = Callable[[AnyJobContext, Any], Union[Awaitable[None], None]]
#: ``@router.exception_handler(E)``: called with the context and the exception.
ExceptionHandler = Callable[[AnyJobContext, E], Union[ExceptionOutcome, Awaitable[ExceptionOutcome]]]
