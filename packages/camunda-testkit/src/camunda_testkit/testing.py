"""A testing API over a :class:`~camunda_testkit.FakeCluster`: assertions on a process
instance that wait and explain, and mocked job workers.

    from camunda_testkit.testing import assert_process_instance

    cluster.mock_job_worker("charge-card").complete({"paid": True})
    instance = cluster.create_process_instance("order-process", {"total": 42})
    (assert_process_instance(cluster, instance)
        .has_passed("charge")
        .is_completed()
        .has_variables({"paid": True}))

Each assertion waits (up to ``within``, else 5 s) until it holds, and
fails with an :class:`AssertionError` that shows what happened: the path taken, where the
instance waits, its variables and its incidents. ``set_default_within`` changes the default.

In async tests, :func:`assert_process_instance_async` takes the same chain and is awaited
once: ``await assert_process_instance_async(cluster, key).has_passed("a").is_completed()``.
The expectations are checked in order, each waiting as in the sync API, without blocking
the event loop (the cluster is read from a worker thread).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import warnings
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from .cluster import FakeCluster

__all__ = [
    "DEFAULT_WITHIN",
    "AsyncProcessInstanceAssert",
    "BpmnError",
    "Complete",
    "Fail",
    "InstanceSnapshot",
    "JobFailure",
    "JobOutcome",
    "MockJob",
    "MockJobWorker",
    "ProcessInstanceAssert",
    "ThrowError",
    "assert_process_instance",
    "assert_process_instance_async",
    "default_within",
    "set_default_within",
]

# How long an assertion waits when the call names no ``within``, unless
# set_default_within changed it (default_within() tells the current value).
DEFAULT_WITHIN = timedelta(seconds=5)
_POLL_SECONDS = 0.01
_default_within = [DEFAULT_WITHIN]


def set_default_within(within: timedelta) -> None:
    """Change how long assertions wait by default (module-wide, e.g. in a conftest)."""
    if within.total_seconds() < 0:
        raise ValueError(f"within must not be negative, got {within!r}")
    _default_within[0] = within


def default_within() -> timedelta:
    """How long assertions wait when the call names no ``within``."""
    return _default_within[0]


# ----------------------------------------------------------------------------- mocked jobs


@dataclass(frozen=True, slots=True)
class MockJob:
    """A job a mocked worker handled, as it saw it."""

    job_key: str
    job_type: str
    process_instance_key: str
    element_id: str
    element_instance_key: str
    retries: int
    variables: Mapping[str, Any]
    custom_headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Complete:
    variables: Mapping[str, Any] = field(default_factory=lambda: {})


@dataclass(frozen=True, slots=True)
class Fail:
    message: str | None = None
    # Retries left after this failure; None: one less than the job had.
    retries: int | None = None
    retry_backoff_ms: int = 0
    variables: Mapping[str, Any] = field(default_factory=lambda: {})


@dataclass(frozen=True, slots=True)
class ThrowError:
    code: str
    message: str | None = None
    variables: Mapping[str, Any] = field(default_factory=lambda: {})


JobOutcome = Complete | Fail | ThrowError


class BpmnError(Exception):
    """Raise in a mocked worker's handler to throw a BPMN error with ``code``."""

    def __init__(self, code: str, message: str | None = None,
                 variables: Mapping[str, Any] | None = None) -> None:  # fmt: skip
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.variables = dict(variables or {})


class JobFailure(Exception):
    """Raise in a mocked worker's handler to fail the job (``retries`` left; None: one less)."""

    def __init__(self, message: str, retries: int | None = None,
                 retry_backoff: timedelta | float = 0) -> None:  # fmt: skip
        super().__init__(message)
        self.message = message
        self.retries = retries
        self.retry_backoff_ms = _to_ms(retry_backoff)


def _to_ms(value: timedelta | float) -> int:
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds < 0:
        raise ValueError(f"a back-off must not be negative, got {value!r}")
    return int(seconds * 1000)


class MockJobWorker:
    """Handles every job of one type inside the cluster (no HTTP), as soon as it is offered.

    Made by :meth:`FakeCluster.mock_job_worker`; nothing is handled until a behaviour is
    chosen with :meth:`complete`, :meth:`throw_error`, :meth:`fail` or :meth:`with_handler`
    (then jobs already waiting are handled too). Choosing again replaces the behaviour.
    A job failed with retries left is offered again, so it reaches the mock again.
    """

    def __init__(self, job_type: str, on_change: Callable[[], None]) -> None:
        self.job_type = job_type
        self._on_change = on_change
        self._lock = threading.Lock()
        self._handler: Callable[[MockJob], JobOutcome] | None = None
        self._jobs: list[MockJob] = []
        self._errors: list[BaseException] = []

    # -- behaviours
    def complete(self, variables: Mapping[str, Any] | None = None) -> MockJobWorker:
        """Complete each job with ``variables``."""
        outcome = Complete(dict(variables or {}))
        return self._set(lambda _job: outcome)

    def throw_error(self, code: str, message: str | None = None,
                    variables: Mapping[str, Any] | None = None) -> MockJobWorker:  # fmt: skip
        """Throw a BPMN error with ``code`` for each job."""
        outcome = ThrowError(code, message, dict(variables or {}))
        return self._set(lambda _job: outcome)

    def fail(self, message: str | None = None, *, retries: int | None = None,
             retry_backoff: timedelta | float = 0) -> MockJobWorker:  # fmt: skip
        """Fail each job; ``retries`` left afterwards (default: one less than the job had,
        so a job with 3 retries is tried 3 times and then becomes an incident). A constant
        ``retries`` above 0 fails it forever."""
        outcome = Fail(message, retries, _to_ms(retry_backoff))
        return self._set(lambda _job: outcome)

    def with_handler(
        self, handler: Callable[[MockJob], Mapping[str, Any] | JobOutcome | None]
    ) -> MockJobWorker:
        """Call ``handler(job)`` for each job on the cluster's thread: a mapping (or None)
        completes the job with those variables, a :class:`Complete`/:class:`Fail`/
        :class:`ThrowError` is sent as is; raising :class:`BpmnError` throws it, raising
        :class:`JobFailure` fails the job, any other exception fails it with one retry less
        (and is kept in :attr:`errors`)."""

        def run(job: MockJob) -> JobOutcome:
            try:
                result = handler(job)
            except BpmnError as error:
                return ThrowError(error.code, error.message, error.variables)
            except JobFailure as failure:
                return Fail(failure.message, failure.retries, failure.retry_backoff_ms)
            except Exception as exc:
                with self._lock:
                    self._errors.append(exc)
                return Fail(f"{type(exc).__name__}: {exc}")
            if isinstance(result, (Complete, Fail, ThrowError)):
                return result
            return Complete(dict(result or {}))

        return self._set(run)

    def _set(self, handler: Callable[[MockJob], JobOutcome]) -> MockJobWorker:
        with self._lock:
            self._handler = handler
        self._on_change()
        return self

    # -- what the cluster calls (on its thread)
    @property
    def active(self) -> bool:
        """Whether a behaviour is chosen (only then are jobs handled)."""
        return self._handler is not None

    def handle(self, job: MockJob) -> JobOutcome:
        """Record ``job`` and decide its outcome (the cluster sends it)."""
        with self._lock:
            self._jobs.append(job)
            handler = self._handler
        assert handler is not None
        return handler(job)

    # -- what a test reads
    @property
    def jobs(self) -> list[MockJob]:
        """The jobs handled so far, in order (a job retried appears once per attempt)."""
        with self._lock:
            return list(self._jobs)

    @property
    def errors(self) -> list[BaseException]:
        """Unexpected exceptions raised by a :meth:`with_handler` handler."""
        with self._lock:
            return list(self._errors)

    def __repr__(self) -> str:
        return f"MockJobWorker({self.job_type!r}, handled={len(self.jobs)})"


# ---------------------------------------------------------------------------- snapshots


@dataclass(frozen=True, slots=True)
class InstanceSnapshot:
    """What an assertion saw of one process instance."""

    key: str
    process_id: str
    state: str  # ACTIVE, COMPLETED, TERMINATED
    # (element id, state) of every element instance but the process, in activation order.
    elements: tuple[tuple[str, str], ...]
    variables: Mapping[str, Any]
    # (element id, error type, message) of each active incident.
    incidents: tuple[tuple[str, str, str], ...]

    def passed(self, element_id: str) -> bool:
        return any(e == element_id and s == "COMPLETED" for e, s in self.elements)

    def waiting_at(self) -> list[str]:
        return [e for e, s in self.elements if s == "ACTIVE"]

    def describe(self) -> str:
        path = " -> ".join(e if s == "COMPLETED" else f"{e} ({s})" for e, s in self.elements)
        lines = [
            f"  state:      {self.state}",
            f"  path:       {path or '(nothing yet)'}",
            f"  waiting at: {', '.join(self.waiting_at()) or '(nothing)'}",
            f"  variables:  {_json(dict(self.variables))}",
        ]
        if self.incidents:
            lines.append("  incidents:")
            lines.extend(f"    - {element} {kind}: {message}" for element, kind, message in self.incidents)
        else:
            lines.append("  incidents:  (none)")
        return "\n".join(lines)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return repr(value)


class _Source(Protocol):
    def instance(self, process_instance_key: str) -> Any: ...
    def element_instances(self, process_instance_key: str) -> list[dict[str, Any]]: ...
    def incidents(self, process_instance_key: str | None = None) -> list[dict[str, Any]]: ...


def _snapshot(source: _Source, key: str) -> InstanceSnapshot | None:
    """None while the instance does not exist."""
    try:
        elements = source.element_instances(key)
        view = source.instance(key)
    except KeyError:
        return None
    root = next((e for e in elements if e.get("type") == "PROCESS"), None)
    state = str(root["state"]) if root is not None else str(view.state)
    return InstanceSnapshot(
        key=key,
        process_id=str(view.process_definition_id),
        state=state,
        elements=tuple(
            (str(e["elementId"]), str(e["state"])) for e in elements if e.get("type") != "PROCESS"
        ),
        variables=dict(view.variables),
        incidents=tuple(
            (str(i["elementId"]), str(i["errorType"]), str(i["errorMessage"]))
            for i in source.incidents(key)
            if i.get("state") == "ACTIVE"
        ),
    )


def _key_of(key: Any) -> str:
    if isinstance(key, (str, int)) and not isinstance(key, bool):
        return str(key)
    found = getattr(key, "process_instance_key", None)
    if found is None:
        raise TypeError(
            f"expected a process instance key (str or int) or an object with "
            f"process_instance_key, got {key!r}"
        )
    return str(found)


# ------------------------------------------------------------------------- expectations

# A check returns None when it holds, else (what is wrong, whether waiting cannot help).
_Check = Callable[[InstanceSnapshot], "tuple[str, bool] | None"]


@dataclass(frozen=True, slots=True)
class _Expectation:
    description: str
    check: _Check
    within: timedelta | None

    def seconds(self) -> float:
        return (self.within if self.within is not None else default_within()).total_seconds()


_FINAL_STATES = ("COMPLETED", "TERMINATED")


def _state_is(expected: str) -> _Check:
    def check(snapshot: InstanceSnapshot) -> tuple[str, bool] | None:
        if snapshot.state == expected:
            return None
        return f"it is {snapshot.state}", snapshot.state in _FINAL_STATES

    return check


def _passed(element_ids: tuple[str, ...]) -> _Check:
    def check(snapshot: InstanceSnapshot) -> tuple[str, bool] | None:
        missing = [e for e in element_ids if not snapshot.passed(e)]
        if not missing:
            return None
        return f"it has not passed {', '.join(missing)}", snapshot.state in _FINAL_STATES

    return check


def _not_passed(element_ids: tuple[str, ...]) -> _Check:
    def check(snapshot: InstanceSnapshot) -> tuple[str, bool] | None:
        passed = [e for e in element_ids if snapshot.passed(e)]
        return None if not passed else (f"it has passed {', '.join(passed)}", True)

    return check


def _waiting_at(element_ids: tuple[str, ...]) -> _Check:
    def check(snapshot: InstanceSnapshot) -> tuple[str, bool] | None:
        active = snapshot.waiting_at()
        missing = [e for e in element_ids if e not in active]
        if not missing:
            return None
        return f"it is not waiting at {', '.join(missing)}", snapshot.state in _FINAL_STATES

    return check


def _has_variables(expected: Mapping[str, Any]) -> _Check:
    def check(snapshot: InstanceSnapshot) -> tuple[str, bool] | None:
        wrong = [
            f"{name}={_json(snapshot.variables[name])}" if name in snapshot.variables
            else f"{name} is not set"
            for name, value in expected.items()
            if name not in snapshot.variables or snapshot.variables[name] != value
        ]  # fmt: skip
        return None if not wrong else (f"it has {', '.join(wrong)}", snapshot.state in _FINAL_STATES)

    return check


def _incident(element_id: str | None, present: bool) -> _Check:
    def check(snapshot: InstanceSnapshot) -> tuple[str, bool] | None:
        found = [i for i in snapshot.incidents if element_id is None or i[0] == element_id]
        if bool(found) == present:
            return None
        if present:
            return "it has no active incident" + (f" at {element_id}" if element_id else ""), (
                snapshot.state in _FINAL_STATES
            )
        return f"it has {len(found)} active incident(s)", False

    return check


_C = TypeVar("_C", bound="_Chain")


class _Chain:
    """The expectations both assertion flavours offer; each method adds one."""

    def __init__(self, target: FakeCluster, key: Any) -> None:
        self._target = target
        self._key = _key_of(key)

    def _add(self: _C, expectation: _Expectation) -> _C:
        raise NotImplementedError

    def is_completed(self: _C, *, within: timedelta | None = None) -> _C:
        return self._add(_Expectation("to be COMPLETED", _state_is("COMPLETED"), within))

    def is_active(self: _C, *, within: timedelta | None = None) -> _C:
        return self._add(_Expectation("to be ACTIVE", _state_is("ACTIVE"), within))

    def is_terminated(self: _C, *, within: timedelta | None = None) -> _C:
        return self._add(_Expectation("to be TERMINATED", _state_is("TERMINATED"), within))

    def has_passed(self: _C, *element_ids: str, within: timedelta | None = None) -> _C:
        """Each element has completed at least once."""
        return self._add(_Expectation(f"to have passed {', '.join(element_ids)}",
                                      _passed(element_ids), within))  # fmt: skip

    def has_not_passed(self: _C, *element_ids: str, within: timedelta | None = None) -> _C:
        """No element has completed (checked at once: it fails as soon as one has)."""
        return self._add(_Expectation(f"not to have passed {', '.join(element_ids)}",
                                      _not_passed(element_ids), within))  # fmt: skip

    def is_waiting_at(self: _C, *element_ids: str, within: timedelta | None = None) -> _C:
        """Each element has an active element instance (a job, a message, a join...)."""
        return self._add(_Expectation(f"to be waiting at {', '.join(element_ids)}",
                                      _waiting_at(element_ids), within))  # fmt: skip

    def has_variables(self: _C, variables: Mapping[str, Any], *,
                      within: timedelta | None = None) -> _C:  # fmt: skip
        """The process scope has these variables with these values (others may exist)."""
        return self._add(_Expectation(f"to have variables {_json(dict(variables))}",
                                      _has_variables(dict(variables)), within))  # fmt: skip

    def has_incident(self: _C, element_id: str | None = None, *,
                     within: timedelta | None = None) -> _C:  # fmt: skip
        """An active incident (at ``element_id``, if given)."""
        where = f" at {element_id}" if element_id else ""
        return self._add(_Expectation(f"to have an incident{where}", _incident(element_id, True),
                                      within))  # fmt: skip

    def has_no_incidents(self: _C, *, within: timedelta | None = None) -> _C:
        return self._add(_Expectation("to have no incidents", _incident(None, False), within))

    def _failure(self, expectation: _Expectation, snapshot: InstanceSnapshot | None,
                 problem: str, waited: float) -> AssertionError:  # fmt: skip
        if snapshot is None:
            return AssertionError(
                f"process instance {self._key}: expected it {expectation.description}, but "
                f"there is no such process instance (waited {waited:.2f} s)"
            )
        return AssertionError(
            f"process instance {self._key} ({snapshot.process_id}): expected it "
            f"{expectation.description}, but {problem} (waited {waited:.2f} s)\n"
            + snapshot.describe()
        )

    def _take(self) -> InstanceSnapshot | None:
        return _snapshot(self._target, self._key)


class ProcessInstanceAssert(_Chain):
    """Sync assertions on one process instance; each method waits, then returns self."""

    def _add(self, expectation: _Expectation) -> ProcessInstanceAssert:
        started = time.monotonic()
        give_up_at = started + expectation.seconds()
        while True:
            snapshot = self._take()
            verdict = ("there is no such process instance", False) if snapshot is None else (
                expectation.check(snapshot)
            )
            if verdict is None:
                return self
            problem, hopeless = verdict
            if hopeless or time.monotonic() >= give_up_at:
                raise self._failure(expectation, snapshot, problem, time.monotonic() - started)
            time.sleep(_POLL_SECONDS)



class AsyncProcessInstanceAssert(_Chain):
    """Async assertions on one process instance: the methods collect expectations; awaiting
    the chain checks them in order, each waiting as in the sync API, without blocking the
    event loop. A chain that is never awaited warns (RuntimeWarning) when collected."""

    def __init__(self, target: FakeCluster, key: Any) -> None:
        super().__init__(target, key)
        self._expectations: list[_Expectation] = []
        self._awaited = False

    def _add(self, expectation: _Expectation) -> AsyncProcessInstanceAssert:
        self._expectations.append(expectation)
        return self

    def __await__(self) -> Generator[Any, None, AsyncProcessInstanceAssert]:
        return self._run().__await__()

    async def _run(self) -> AsyncProcessInstanceAssert:
        self._awaited = True
        for expectation in self._expectations:
            started = time.monotonic()
            give_up_at = started + expectation.seconds()
            while True:
                snapshot = await asyncio.to_thread(self._take)
                verdict = ("there is no such process instance", False) if snapshot is None else (
                    expectation.check(snapshot)
                )
                if verdict is None:
                    break
                problem, hopeless = verdict
                if hopeless or time.monotonic() >= give_up_at:
                    raise self._failure(expectation, snapshot, problem, time.monotonic() - started)
                await asyncio.sleep(_POLL_SECONDS)
        return self

    def __del__(self) -> None:
        if self._expectations and not self._awaited:
            warnings.warn(
                f"assert_process_instance_async({self._key!r}) was never awaited: nothing "
                "was checked", RuntimeWarning, stacklevel=1,
            )  # fmt: skip



def assert_process_instance(target: FakeCluster, key: Any) -> ProcessInstanceAssert:
    """Assertions on the process instance ``key`` (a key, or what ``create_process_instance``
    returned) of a :class:`FakeCluster`; each waits until it holds or fails explaining."""
    return ProcessInstanceAssert(target, key)


def assert_process_instance_async(target: FakeCluster, key: Any) -> AsyncProcessInstanceAssert:
    """The async flavour: ``await assert_process_instance_async(cluster, key).is_completed()``."""
    return AsyncProcessInstanceAssert(target, key)
