"""What a handler's result becomes, and the claim of exactly one outcome per job.

A handler's result becomes exactly one :data:`Decision`:

* returned value (dict, typed variables object, or None) → :class:`Complete`
* ``raise JobError(code, ...)`` → :class:`ThrowError` (a BPMN error)
* ``raise JobFailure(message, ...)`` → :class:`Fail` with the given retries
* any other exception (any ``BaseException``) → :class:`Fail` with ``retries - 1``
  and the configured back-off
* ``KeyboardInterrupt``, ``SystemExit`` (or an async handler's own
  ``CancelledError``) → the job is released and the worker's host stops gracefully
* an explicit ``job.complete()`` / ``fail()`` / ``throw_error()`` /
  ``complete_user_task_listener()`` → that decision, and the return value is ignored

Decisions are plain, picklable values: a process-pool child records one and
the parent applies it. :class:`OutcomeClaim` (held by every ``JobContext``)
makes sure only one decision is ever chosen for a job.
"""

from __future__ import annotations

import os
import sysconfig
import threading
import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Union

import attrs

from camunda_core.errors import CamundaError, ValidationError
from camunda_core.models.job_completion_request import JobCompletionRequest
from camunda_core.models.job_result import JobResult
from camunda_core.models.job_result_ad_hoc_sub_process import JobResultAdHocSubProcess
from camunda_core.models.job_result_user_task import JobResultUserTask
from camunda_core.types import UNSET
from camunda_workers.typed_variables import to_variables_dict

if TYPE_CHECKING:
    import asyncio

    from camunda_workers.delivery import DeliveryResult

__all__ = [
    "Complete",
    "Fail",
    "ThrowError",
    "Decision",
    "JobError",
    "JobFailure",
    "OutcomeAlreadySentError",
    "OutcomeClaim",
    "describe",
    "failure",
    "failure_message",
    "cap_message",
    "MAX_FAILURE_MESSAGE_BYTES",
    "decision_for_error",
    "decision_for_value",
    "release_decision",
]


@attrs.frozen(kw_only=True)
class Complete:
    """Complete the job, optionally with variables and a listener ``result``."""

    variables: Mapping[str, Any] | None = None
    #: The ``result`` of the completion request (user task listeners, ad-hoc sub-processes).
    result: JobResult | None = None


@attrs.frozen(kw_only=True)
class Fail:
    """Fail the job with an explicit number of remaining retries."""

    message: str
    retries: int
    retry_back_off_ms: int = 0
    variables: Mapping[str, Any] | None = None
    #: True when the worker gives the job back unprocessed (shutdown, overflow).
    release: bool = False


@attrs.frozen(kw_only=True)
class ThrowError:
    """Throw a BPMN error for the job's task."""

    code: str
    message: str | None = None
    variables: Mapping[str, Any] | None = None


Decision = Union[Complete, Fail, ThrowError]


class JobError(Exception):
    """Raise from a handler to throw a BPMN error (caught by an error boundary event)."""

    def __init__(self, code: str, message: str | None = None, variables: Mapping[str, Any] | None = None) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.variables = variables

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable with all its fields, so it crosses the process pool intact.
        return (type(self), (self.code, self.message, self.variables))


class JobFailure(Exception):
    """Raise from a handler to fail the job with chosen retries and back-off.

    ``retries=None`` means the job's retries minus one (as for any exception);
    ``retry_back_off`` is in milliseconds (None = the worker's configured back-off).
    """

    def __init__(
        self,
        message: str,
        *,
        retries: int | None = None,
        retry_back_off: int | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retries = retries
        self.retry_back_off = retry_back_off
        self.variables = variables

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_job_failure, (type(self), self.message, self.retries, self.retry_back_off, self.variables))


def _rebuild_job_failure(
    cls: type[JobFailure],
    message: str,
    retries: int | None,
    retry_back_off: int | None,
    variables: Mapping[str, Any] | None,
) -> JobFailure:
    return cls(message, retries=retries, retry_back_off=retry_back_off, variables=variables)


class OutcomeAlreadySentError(CamundaError):
    """A second outcome was requested for a job that already has one."""




class OutcomeClaim:
    """The one outcome of one job: the first :meth:`claim` wins, later ones are refused.

    Shared by the handler (explicit outcome methods, possibly from a thread) and the
    worker (the handler's result, a timeout, a release), hence the lock. ``pending``
    is the delivery an async handler started explicitly, which the worker awaits
    before freeing the job's slot.
    """

    __slots__ = ("_lock", "decision", "pending", "via_client")

    def __init__(self, decision: Decision | None = None) -> None:
        self._lock = threading.Lock()
        #: The decision chosen so far (None while undecided).
        self.decision: Decision | None = decision
        self.pending: asyncio.Future[DeliveryResult] | None = None
        #: The operation id when the outcome was sent through ``job.client`` (the worker
        #: saw the server accept it); None otherwise.
        self.via_client: str | None = None

    def claim_sent_by_client(self, operation_id: str) -> bool:
        """Record an outcome the handler sent through ``job.client`` and the server accepted.

        False if the job already had an outcome (the server then answered that call 404/409 —
        or it was the worker's own delivery).
        """
        decision = client_decision(operation_id)
        with self._lock:
            if self.decision is not None:
                return False
            self.decision = decision
            self.via_client = operation_id
            return True

    def claim(self, decision: Decision) -> bool:
        """Record ``decision`` if no outcome was chosen yet; False if one was."""
        with self._lock:
            if self.decision is not None:
                return False
            self.decision = decision
            return True

    def unclaim(self, decision: Decision) -> None:
        """Forget ``decision`` (it could not be sent at all), so another outcome may be chosen."""
        with self._lock:
            if self.decision is decision:
                self.decision = None

    def __getstate__(self) -> tuple[Decision | None]:
        # Crosses into a process child and back: the decision only (no lock, no future).
        # A tuple, never None: pickle skips __setstate__ for a falsy state.
        return (self.decision,)

    def __setstate__(self, state: tuple[Decision | None]) -> None:
        self.__init__(state[0])


#: The most bytes (UTF-8) of a failure or error message sent to the cluster. The server
#: keeps the message in its log and in incidents; a few KB is plenty, and keeps a handler
#: whose exception carries a whole response body from bloating them.
MAX_FAILURE_MESSAGE_BYTES = 4096

_CUT_MARK = " ... [cut: {} more bytes]"


def cap_message(text: str, limit: int = MAX_FAILURE_MESSAGE_BYTES) -> str:
    """``text`` within ``limit`` UTF-8 bytes; a cut is marked with how much was left out."""
    encoded = text.encode("utf-8", "replace")
    if len(encoded) <= limit:
        return text
    # Room for the mark (its number has at most as many digits as the length).
    room = max(limit - len(_CUT_MARK.format(len(encoded))), 0)
    kept = encoded[:room].decode("utf-8", "ignore")
    return kept + _CUT_MARK.format(len(encoded) - len(kept.encode("utf-8", "replace")))


def _library_dirs() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the SDK's and the standard library's folders, installed third-party folders)."""
    paths = sysconfig.get_paths()
    sdk = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ours = {os.path.join(sdk, name) for name in ("camunda_workers", "camunda_core", "camunda_orchestration_sdk")}
    stdlib = {paths[key] for key in ("stdlib", "platstdlib") if key in paths}
    third_party = {paths[key] for key in ("purelib", "platlib") if key in paths}
    return (
        tuple(os.path.join(os.path.abspath(p), "") for p in ours | stdlib),
        tuple(os.path.join(os.path.abspath(p), "") for p in third_party),
    )


_SDK_AND_STDLIB, _THIRD_PARTY = _library_dirs()


def user_frame(error: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame of the traceback that is user code.

    User code is anything outside the SDK and the standard library, preferring
    frames outside installed third-party packages (so an exception raised deep in
    ``requests`` points at the handler line that called it). Falls back to the
    innermost frame.
    """
    if error.__traceback__ is None:
        return None
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return None
    fallback: traceback.FrameSummary | None = None
    for frame in reversed(frames):
        filename = frame.filename
        if filename.startswith("<frozen") or os.path.abspath(filename).startswith(_SDK_AND_STDLIB):
            continue
        if not os.path.abspath(filename).startswith(_THIRD_PARTY):
            return frame
        if fallback is None:
            fallback = frame
    return fallback if fallback is not None else frames[-1]


def failure_message(error: BaseException) -> str:
    """The failure message sent for an exception: where it happened, within the size limit.

    ``"ValueError: bad input (at /app/handlers.py:42 in handle)"`` — the type, the
    message (cut, and marked so, when long) and the innermost frame of user code
    (:func:`user_frame`). The location is kept whole: only the message is cut.
    """
    head = f"{type(error).__name__}: {error}"
    frame = user_frame(error)
    if frame is None:
        return cap_message(head)
    where = f" (at {frame.filename}:{frame.lineno} in {frame.name})"
    room = MAX_FAILURE_MESSAGE_BYTES - len(where.encode("utf-8", "replace"))
    if room < 256:  # an absurd path: keep the message, cut the whole
        return cap_message(head + where)
    return cap_message(head, room) + where


def failure(
    job_retries: int,
    message: str,
    *,
    retry_back_off_ms: int,
    retries: int | None = None,
    back_off_ms: int | None = None,
    variables: Mapping[str, Any] | None = None,
) -> Fail:
    """Fail with ``retries`` (None: the job's retries minus one) and ``back_off_ms`` (None: the configured one)."""
    return Fail(
        message=message,
        retries=max(job_retries - 1, 0) if retries is None else retries,
        retry_back_off_ms=retry_back_off_ms if back_off_ms is None else back_off_ms,
        variables=variables,
    )


def release_decision(retries: int, worker_name: str, reason: str) -> Fail:
    """Give a job back unprocessed: retries unchanged and no back-off, so another worker takes it now."""
    return Fail(message=f"released by worker {worker_name!r}: {reason}", retries=retries, retry_back_off_ms=0, release=True)


def decision_for_error(error: BaseException | None, message: str, job_retries: int, retry_back_off_ms: int) -> Decision:
    """What a handler's exception becomes: a BPMN error, a chosen failure, or retries - 1."""
    if isinstance(error, JobError):
        return ThrowError(code=error.code, message=error.message, variables=_variables(error.variables))
    if isinstance(error, JobFailure):
        return failure(
            job_retries,
            error.message,
            retry_back_off_ms=retry_back_off_ms,
            retries=error.retries,
            back_off_ms=error.retry_back_off,
            variables=_variables(error.variables),
        )
    return failure(job_retries, message, retry_back_off_ms=retry_back_off_ms)


#: The job operations whose success is the job's outcome.
OUTCOME_OPERATIONS = frozenset({"completeJob", "failJob", "throwJobError"})


def client_decision(operation_id: str) -> Decision:
    """The decision an outcome sent through ``job.client`` stands for (its body is the handler's)."""
    if operation_id == "completeJob":
        return Complete()
    if operation_id == "throwJobError":
        return ThrowError(code="(sent through job.client)")
    return Fail(message="(sent through job.client)", retries=0)


def decision_for_request_model(value: object) -> Decision | None:
    """A returned ``JobCompletionRequest`` or ``JobResult`` model, sent as that request (None for others)."""
    if isinstance(value, JobCompletionRequest):
        variables = value.variables
        result = value.result
        return Complete(
            variables=None if variables is UNSET or variables is None else dict(variables),
            result=None if result is UNSET else result,
        )
    if isinstance(value, (JobResultUserTask, JobResultAdHocSubProcess)):
        return Complete(result=value)
    return None


def decision_for_value(value: object, job_retries: int, retry_back_off_ms: int) -> Decision:
    """What a handler's return value becomes: complete with it, or fail when it is not variables.

    A returned request model (``JobCompletionRequest``, or a ``JobResult`` such as
    ``JobResultUserTask``) is sent as that request, not as variables.
    """
    model_decision = decision_for_request_model(value)
    if model_decision is not None:
        return model_decision
    try:
        variables = None if value is None else to_variables_dict(value, what="the handler's return value")
    except ValidationError as error:
        return failure(job_retries, failure_message(error), retry_back_off_ms=retry_back_off_ms)
    return Complete(variables=variables)


def describe(decision: Decision) -> str:
    """A decision for a log line."""
    if isinstance(decision, Complete):
        return "complete"
    if isinstance(decision, ThrowError):
        return f"throw error {decision.code!r}"
    return "release" if decision.release else f"fail (retries {decision.retries})"


def _variables(variables: object) -> Mapping[str, Any] | None:
    return None if variables is None else to_variables_dict(variables)
