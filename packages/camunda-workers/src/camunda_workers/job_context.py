"""What a handler receives: the job's data, a logger, a client, and explicit outcomes.

Exactly one outcome is sent per job. The context tracks it: the first outcome
claims the job, and any later attempt (a second ``complete()``, or the worker
auto-completing after an explicit ``fail()``) is refused.

The explicit outcome methods behave per execution strategy:

* ``async`` — they start sending at once and return an awaitable; ``await`` it
  to learn the result (a forgotten ``await`` still sends: the worker waits for
  it before the job's slot is freed).
* ``thread`` — they block until the server answered, and return an awaitable
  that is already finished (so the same code works in both).
* ``process`` — the child cannot reach the server (no client crosses a process
  boundary: its connection pool, credentials and event loop belong to the
  parent), so they record the decision in the context, which travels back
  with the handler's result; the parent sends it.

In the two first cases a 404/409 answer ("the job is no longer yours", or "a
retried request was already applied") is logged and not raised; variables that
cannot be sent raise :class:`camunda_core.errors.ValidationError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from camunda_core.errors import ValidationError
from camunda_core.logging import NullLogger, SdkLogger
from camunda_core.models.activated_job_result import ActivatedJobResult
from camunda_core.models.job_result_corrections import JobResultCorrections
from camunda_core.models.job_result_user_task import JobResultUserTask
from camunda_core.semantic_types import (
    ElementId,
    ElementInstanceKey,
    JobKey,
    ProcessDefinitionId,
    ProcessDefinitionKey,
    ProcessInstanceKey,
    TenantId,
)
from camunda_core.serialization.converter import ConversionError, structure, unstructure
from camunda_core.types import UNSET
from camunda_workers.decisions import (
    Complete,
    Decision,
    Fail,
    OutcomeAlreadySentError,
    OutcomeClaim,
    ThrowError,
)
from camunda_workers.delivery import DeliveryResult

__all__ = ["JobContext", "JobVariables", "OutcomeHandle"]

T = TypeVar("T")

if TYPE_CHECKING:
    from typing_extensions import TypeVar as _DefaultedTypeVar

    from camunda_core.client import CamundaAsyncClient

    #: The type of ``job.client``: the async client unless stated (``ThreadJobContext``
    #: in camunda_workers.handler_types says the blocking client of thread handlers).
    ClientT = _DefaultedTypeVar("ClientT", covariant=True, default=CamundaAsyncClient)
else:
    ClientT = TypeVar("ClientT", covariant=True)

#: Sends a decision for a context; supplied by the worker (None in a process child).
Deliver = Callable[["JobContext[Any]", Decision], Awaitable[DeliveryResult]]


class JobVariables(Mapping[str, Any]):
    """The job's variables: a read-only mapping with :meth:`to_dict`."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def to_dict(self) -> dict[str, Any]:
        """A shallow copy as a plain dict."""
        return dict(self._data)

    def __repr__(self) -> str:
        # Variable values can be personal data: show names only.
        return f"JobVariables({sorted(self._data)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (JobVariables, (self._data,))


class OutcomeHandle:
    """The result of an explicit outcome call: awaitable, resolving to how sending ended."""

    __slots__ = ("_future", "_result")

    def __init__(self, future: asyncio.Future[DeliveryResult] | None = None, result: DeliveryResult = "recorded") -> None:
        self._future: asyncio.Future[DeliveryResult] | None = future
        self._result: DeliveryResult = result

    @property
    def done(self) -> bool:
        return self._future is None or self._future.done()

    def __await__(self) -> Generator[Any, None, DeliveryResult]:
        if self._future is None:
            return self._result
        return (yield from self._future.__await__())


def _optional_dict(name: str, value: object) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return cast("Mapping[str, Any]", value)
    from camunda_workers.typed_variables import to_variables_dict

    return to_variables_dict(value, what=name)


class JobContext(Generic[ClientT]):
    """One activated job, as the handler sees it (generic over the type of ``job.client``)."""

    __slots__ = (
        "__weakref__",
        "_blocking",
        "_deliver",
        "_log",
        "_log_factory",
        "_loop",
        "client",
        "custom_headers",
        "deadline",
        "element_id",
        "element_instance_key",
        "job_key",
        "kind",
        "listener_event_type",
        "outcome_claim",
        "process_definition_id",
        "process_definition_key",
        "process_definition_version",
        "process_instance_key",
        "retries",
        "root_process_instance_key",
        "tags",
        "tenant_id",
        "type",
        "typed_variables",
        "user_task",
        "variables",
        "worker",
    )

    def __init__(
        self,
        job: ActivatedJobResult,
        *,
        client: Any = None,
        log_factory: Callable[[JobContext[Any]], SdkLogger] | None = None,
        deliver: Deliver | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        blocking: bool = False,
        typed_variables: Any = None,
    ) -> None:
        self.job_key: JobKey = job.job_key
        self.type: str = job.type
        self.variables = JobVariables(job.variables)
        self.custom_headers: dict[str, Any] = job.custom_headers
        self.retries: int = job.retries
        #: When the job times out on the server, in epoch milliseconds (server clock).
        self.deadline: int | None = job.deadline
        self.process_instance_key: ProcessInstanceKey = job.process_instance_key
        self.process_definition_key: ProcessDefinitionKey = job.process_definition_key
        self.process_definition_id: ProcessDefinitionId = job.process_definition_id
        self.process_definition_version: int | None = job.process_definition_version
        self.element_id: ElementId = job.element_id
        self.element_instance_key: ElementInstanceKey = job.element_instance_key
        self.tenant_id: TenantId = job.tenant_id
        self.worker: str = job.worker
        self.kind: str = str(job.kind)
        self.listener_event_type: str = str(job.listener_event_type)
        user_task = job.user_task
        #: The user task of a user task listener job, with wire names (None for other jobs).
        self.user_task: dict[str, Any] | None = None if user_task is None else cast("dict[str, Any]", unstructure(user_task))
        self.tags: tuple[str, ...] = tuple(job.tags)
        root = job.root_process_instance_key
        self.root_process_instance_key: str | None = None if root is None else str(root)
        #: The client for further calls from the handler: the async client for
        #: async handlers, a blocking client sharing its configuration for
        #: thread handlers, None in a process child (see the module docstring).
        self.client: ClientT = client
        #: An instance of the worker's ``variables_type``, or None without one.
        self.typed_variables: Any = typed_variables
        self._log: SdkLogger | None = None
        self._log_factory = log_factory
        self._deliver = deliver
        self._loop = loop
        self._blocking = blocking
        #: The one outcome of this job (used by the worker; handlers use the methods below).
        self.outcome_claim = OutcomeClaim()

    # -- data -------------------------------------------------------------------------

    @property
    def log(self) -> SdkLogger:
        """A logger bound to the job type, worker name and job key (NullLogger in a process child)."""
        log = self._log
        if log is None:
            log = self._log = self._log_factory(self) if self._log_factory is not None else NullLogger()
        return log

    def variables_as(self, cls: type[T]) -> T:
        """The variables as an instance of ``cls`` (an attrs class or dataclass)."""
        if isinstance(self.typed_variables, cls):
            return self.typed_variables
        from camunda_workers.typed_variables import build_variables

        return build_variables(cls, self.variables.to_dict())

    @property
    def decision(self) -> Decision | None:
        """The outcome chosen for this job so far (None while undecided)."""
        return self.outcome_claim.decision

    @property
    def has_outcome(self) -> bool:
        return self.outcome_claim.decision is not None

    def __repr__(self) -> str:
        return f"JobContext(job_key={self.job_key!r}, type={self.type!r}, retries={self.retries})"

    # -- explicit outcomes ---------------------------------------------------------------

    def complete(self, variables: Mapping[str, Any] | object | None = None) -> OutcomeHandle:
        """Complete the job, optionally setting variables (a dict or a typed variables object)."""
        return self._submit(Complete(variables=_optional_dict("variables", variables)))

    def fail(
        self,
        message: str,
        retries: int | None = None,
        retry_back_off: int = 0,
        variables: Mapping[str, Any] | object | None = None,
    ) -> OutcomeHandle:
        """Fail the job; ``retries`` defaults to the job's retries minus one, ``retry_back_off`` is in ms."""
        if retries is None:
            retries = max(self.retries - 1, 0)
        _check_int("fail", "retries", retries, minimum=0)
        _check_int("fail", "retry_back_off", retry_back_off, minimum=0)
        return self._submit(
            Fail(
                message=str(message),
                retries=retries,
                retry_back_off_ms=retry_back_off,
                variables=_optional_dict("variables", variables),
            )
        )

    def throw_error(
        self, code: str, message: str | None = None, variables: Mapping[str, Any] | object | None = None
    ) -> OutcomeHandle:
        """Throw a BPMN error with ``code`` (caught by a matching error boundary event)."""
        if not isinstance(code, str) or not code:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(f"throw_error: code must be a non-empty string, got {code!r}")
        return self._submit(ThrowError(code=code, message=message, variables=_optional_dict("variables", variables)))

    def complete_user_task_listener(
        self,
        corrections: Mapping[str, Any] | object | None = None,
        denied: bool = False,
        denied_reason: str | None = None,
        variables: Mapping[str, Any] | object | None = None,
    ) -> OutcomeHandle:
        """Complete a user task listener job: approve (optionally correcting the task) or deny.

        ``corrections`` holds task attributes to change (``assignee``,
        ``dueDate``, ``followUpDate``, ``candidateUsers``, ``candidateGroups``,
        ``priority``), as a dict with wire names or the generated
        ``JobResultCorrections`` model.
        """
        if denied_reason is not None and not denied:
            raise ValidationError("complete_user_task_listener: denied_reason is only allowed with denied=True")
        result = JobResultUserTask(
            denied=bool(denied),
            denied_reason=UNSET if denied_reason is None else denied_reason,
            corrections=UNSET if corrections is None else _corrections(corrections),
        )
        return self._submit(Complete(variables=_optional_dict("variables", variables), result=result))

    # -- machinery ----------------------------------------------------------------------

    def _submit(self, decision: Decision) -> OutcomeHandle:
        claim = self.outcome_claim
        if not claim.claim(decision):
            current = claim.decision
            what = type(current).__name__.lower() if current is not None else "an outcome"
            raise OutcomeAlreadySentError(
                f"job {self.job_key}: an outcome ({what}) was already chosen; a job gets exactly one"
            )
        deliver = self._deliver
        if deliver is None:
            # A process child: the parent sends what was recorded.
            return OutcomeHandle()
        loop = self._loop
        assert loop is not None
        if self._blocking:
            future = asyncio.run_coroutine_threadsafe(self._deliver_checked(deliver, decision), loop)
            return OutcomeHandle(result=future.result())
        task = loop.create_task(self._deliver_checked(deliver, decision))
        claim.pending = task
        return OutcomeHandle(task)

    async def _deliver_checked(self, deliver: Deliver, decision: Decision) -> DeliveryResult:
        try:
            return await deliver(self, decision)
        except ValidationError:
            self.outcome_claim.unclaim(decision)
            raise

    def __getstate__(self) -> dict[str, Any]:
        # What crosses into a process child: data only. No client, logger,
        # loop or lock (none of them can be pickled, and none work there).
        state = {name: getattr(self, name) for name in _DATA_FIELDS}
        state["outcome_claim"] = self.outcome_claim
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name in _DATA_FIELDS:
            object.__setattr__(self, name, state[name])
        self.client = cast("ClientT", None)
        self._log = NullLogger()
        self._log_factory = None
        self._deliver = None
        self._loop = None
        self._blocking = False
        self.outcome_claim = state["outcome_claim"]


_DATA_FIELDS = (
    "job_key",
    "type",
    "variables",
    "custom_headers",
    "retries",
    "deadline",
    "process_instance_key",
    "process_definition_key",
    "process_definition_id",
    "process_definition_version",
    "element_id",
    "element_instance_key",
    "tenant_id",
    "worker",
    "kind",
    "listener_event_type",
    "user_task",
    "tags",
    "root_process_instance_key",
    "typed_variables",
)


def _check_int(operation: str, name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(f"{operation}: {name} must be an int >= {minimum}, got {value!r}")


def _corrections(value: object) -> JobResultCorrections:
    if isinstance(value, JobResultCorrections):
        return value
    if isinstance(value, Mapping):
        try:
            return cast("JobResultCorrections", structure(value, JobResultCorrections))
        except ConversionError as exc:
            raise ValidationError(f"complete_user_task_listener: corrections do not fit JobResultCorrections: {exc}") from exc
    raise ValidationError(
        f"complete_user_task_listener: corrections must be a dict or a JobResultCorrections model, got {type(value).__name__}"
    )
