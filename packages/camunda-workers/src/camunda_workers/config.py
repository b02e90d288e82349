"""Worker configuration: what the user states, and what it resolves to.

A :class:`WorkerConfig` only says what differs from the client's
``CAMUNDA_WORKER_*`` configuration: every setting left as ``None`` is taken
from the client when the worker is created (:meth:`WorkerConfig.resolve`).
Values are validated when the config is built, so a mistake surfaces at the
line that made it, naming the field.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NoReturn, cast

import attrs

from camunda_core.errors import ValidationError

if TYPE_CHECKING:
    from camunda_core.config import CamundaConfig

__all__ = [
    "WorkerConfig",
    "ResolvedWorkerConfig",
    "ExecutionStrategy",
    "EXECUTION_STRATEGIES",
    "DEFAULT_SHUTDOWN_GRACE_SECONDS",
]

#: How a handler is run; see docs/workers.md.
ExecutionStrategy = Literal["auto", "async", "thread", "process"]
EXECUTION_STRATEGIES: tuple[str, ...] = ("auto", "async", "thread", "process")

#: How long a stopping worker waits for running handlers before releasing their jobs.
DEFAULT_SHUTDOWN_GRACE_SECONDS = 30.0

_FIELD_NAMES = (
    "job_type",
    "job_timeout_milliseconds",
    "request_timeout_milliseconds",
    "max_concurrent_jobs",
    "execution_strategy",
    "fetch_variables",
    "worker_name",
    "retry_back_off_milliseconds",
    "shutdown_grace_seconds",
    "variables_type",
    "tenant_ids",
    "auto_extend_lease",
)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fail(field: str, message: str, value: object) -> NoReturn:
    raise ValidationError(f"WorkerConfig.{field} {message}, got {value!r}")


def _check_optional_int(field: str, value: object, *, minimum: int) -> int | None:
    if value is None:
        return None
    if not _is_int(value):
        _fail(field, "must be an int", value)
    number = cast(int, value)
    if number < minimum:
        relation = "> 0" if minimum == 1 else f">= {minimum}"
        _fail(field, f"must be {relation}", value)
    return number


def _check_names(field: str, value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    # A bare string is a sequence of characters: almost certainly a mistake.
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        _fail(field, "must be a list of strings (or None)", value)
    items = tuple(cast("Sequence[object]", value))
    for item in items:
        if not isinstance(item, str) or not item:
            _fail(field, "must contain only non-empty strings", items)
    return cast("tuple[str, ...]", items)


def is_structured_class(value: object) -> bool:
    """True for an attrs or dataclass *class* (what ``variables_type`` accepts)."""
    return isinstance(value, type) and (attrs.has(value) or dataclasses.is_dataclass(value))


def structured_field_names(cls: type[Any]) -> tuple[str, ...]:
    """Field names of an attrs class or dataclass, in declaration order."""
    if attrs.has(cls):
        return tuple(field.name for field in attrs.fields(cls))
    return tuple(field.name for field in dataclasses.fields(cls))


@attrs.frozen(init=False)
class WorkerConfig:
    """How one job worker polls and runs its handler.

    Only ``job_type`` is always required. ``None`` means "take it from the
    client's configuration": ``CAMUNDA_WORKER_TIMEOUT`` (no default, so
    ``job_timeout_milliseconds`` is required unless it is set),
    ``CAMUNDA_WORKER_REQUEST_TIMEOUT`` (default 0 = the server's long-poll
    default), ``CAMUNDA_WORKER_MAX_CONCURRENT_JOBS`` (default 10) and
    ``CAMUNDA_WORKER_NAME`` (default ``"camunda-python-sdk-worker"``).

    ``fetch_variables`` limits the variables the server sends (None = all, or
    the fields of ``variables_type`` when that is given).
    ``retry_back_off_milliseconds`` delays the retry of a job whose handler
    raised. ``auto_extend_lease`` is the lease heartbeat: while a handler runs
    the job's timeout is extended (``updateJob``) before it lapses — ``True``
    every half job timeout, or every given interval (a ``timedelta`` or
    milliseconds). ``tenant_ids`` restricts activation to those tenants
    (None = ``CAMUNDA_TENANT_IDS``, else ``CAMUNDA_TENANT_ID``, if set; else the server default).
    """

    job_type: str
    job_timeout_milliseconds: int | None
    request_timeout_milliseconds: int | None
    max_concurrent_jobs: int | None
    execution_strategy: ExecutionStrategy
    fetch_variables: tuple[str, ...] | None
    worker_name: str | None
    retry_back_off_milliseconds: int
    shutdown_grace_seconds: float
    variables_type: type[Any] | None
    tenant_ids: tuple[str, ...] | None
    auto_extend_lease: bool | datetime.timedelta | int

    def __init__(
        self,
        *,
        job_type: str,
        job_timeout_milliseconds: int | None = None,
        request_timeout_milliseconds: int | None = None,
        max_concurrent_jobs: int | None = None,
        execution_strategy: ExecutionStrategy = "auto",
        fetch_variables: Sequence[str] | None = None,
        worker_name: str | None = None,
        retry_back_off_milliseconds: int = 0,
        shutdown_grace_seconds: float = DEFAULT_SHUTDOWN_GRACE_SECONDS,
        variables_type: type[Any] | None = None,
        tenant_ids: Sequence[str] | None = None,
        auto_extend_lease: bool | datetime.timedelta | int = False,
        **unknown: NoReturn,
    ) -> None:
        if unknown:
            _reject_unknown(unknown)
        if not isinstance(job_type, str) or not job_type.strip():  # pyright: ignore[reportUnnecessaryIsInstance]
            _fail("job_type", "must be a non-empty string", job_type)
        timeout = _check_optional_int("job_timeout_milliseconds", job_timeout_milliseconds, minimum=1)
        request_timeout = _check_optional_int("request_timeout_milliseconds", request_timeout_milliseconds, minimum=0)
        concurrency = _check_optional_int("max_concurrent_jobs", max_concurrent_jobs, minimum=1)
        if execution_strategy not in EXECUTION_STRATEGIES:
            hint = _did_you_mean(str(execution_strategy), EXECUTION_STRATEGIES)
            _fail("execution_strategy", f"must be one of {', '.join(map(repr, EXECUTION_STRATEGIES))}{hint}", execution_strategy)
        fetch = _check_names("fetch_variables", fetch_variables)
        if worker_name is not None and (not isinstance(worker_name, str) or not worker_name.strip()):  # pyright: ignore[reportUnnecessaryIsInstance]
            _fail("worker_name", "must be a non-empty string (or None)", worker_name)
        back_off = _check_optional_int("retry_back_off_milliseconds", retry_back_off_milliseconds, minimum=0)
        if back_off is None:
            _fail("retry_back_off_milliseconds", "must be an int >= 0", retry_back_off_milliseconds)
        grace = shutdown_grace_seconds
        if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not math.isfinite(grace) or grace < 0:  # pyright: ignore[reportUnnecessaryIsInstance]
            _fail("shutdown_grace_seconds", "must be a finite number >= 0", grace)
        if variables_type is not None and not is_structured_class(variables_type):
            _fail("variables_type", "must be an attrs class or a dataclass (or None)", variables_type)
        tenants = _check_names("tenant_ids", tenant_ids)
        if tenants is not None and not tenants:
            _fail("tenant_ids", "must not be empty (use None for the default)", tenant_ids)
        _check_lease_interval(auto_extend_lease)
        values: dict[str, object] = {
            "job_type": job_type,
            "job_timeout_milliseconds": timeout,
            "request_timeout_milliseconds": request_timeout,
            "max_concurrent_jobs": concurrency,
            "execution_strategy": execution_strategy,
            "fetch_variables": fetch,
            "worker_name": worker_name,
            "retry_back_off_milliseconds": back_off,
            "shutdown_grace_seconds": float(grace),
            "variables_type": variables_type,
            "tenant_ids": tenants,
            "auto_extend_lease": auto_extend_lease,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def resolve(self, client_config: CamundaConfig, callback: Callable[..., object]) -> ResolvedWorkerConfig:
        """Fill unset values from the client's ``CAMUNDA_WORKER_*`` settings; pick the strategy."""
        timeout = self.job_timeout_milliseconds
        if timeout is None:
            timeout = client_config.worker_timeout_ms
        if timeout is None:
            raise ValidationError(
                f"WorkerConfig.job_timeout_milliseconds is required for job type {self.job_type!r} "
                "(or set CAMUNDA_WORKER_TIMEOUT for all workers)"
            )
        strategy = self.execution_strategy
        if strategy == "auto":
            strategy = "async" if is_async_callable(callback) else "thread"
        elif strategy == "async" and not is_async_callable(callback):
            raise ValidationError(
                f"WorkerConfig.execution_strategy is 'async' for job type {self.job_type!r}, "
                f"but the callback {_callable_name(callback)} is not an async function; "
                "use 'thread' (or 'auto') for a blocking handler"
            )
        fetch = self.fetch_variables
        if fetch is None and self.variables_type is not None:
            fetch = structured_field_names(self.variables_type)
        tenants = self.tenant_ids
        if tenants is None:
            tenants = client_config.job_tenant_ids  # CAMUNDA_TENANT_IDS, else CAMUNDA_TENANT_ID
        request_timeout = self.request_timeout_milliseconds
        return ResolvedWorkerConfig(
            job_type=self.job_type,
            job_timeout_ms=timeout,
            request_timeout_ms=request_timeout if request_timeout is not None else client_config.worker_request_timeout_ms,
            max_concurrent_jobs=self.max_concurrent_jobs or client_config.worker_max_concurrent_jobs,
            strategy=strategy,
            fetch_variables=fetch,
            worker_name=self.worker_name or client_config.worker_name,
            retry_back_off_ms=self.retry_back_off_milliseconds,
            shutdown_grace_seconds=self.shutdown_grace_seconds,
            variables_type=self.variables_type,
            tenant_ids=tenants,
            lease_extension_ms=_lease_extension_ms(self.auto_extend_lease, timeout, self.job_type),
        )


@attrs.frozen(kw_only=True)
class ResolvedWorkerConfig:
    """A :class:`WorkerConfig` with every value decided (what a running worker uses)."""

    job_type: str
    job_timeout_ms: int
    request_timeout_ms: int
    max_concurrent_jobs: int
    strategy: Literal["async", "thread", "process"]
    fetch_variables: tuple[str, ...] | None
    worker_name: str
    retry_back_off_ms: int
    shutdown_grace_seconds: float
    variables_type: type[Any] | None
    tenant_ids: tuple[str, ...] | None
    #: The lease heartbeat's interval (None: no heartbeat); always less than the job timeout.
    lease_extension_ms: int | None = None


def _check_lease_interval(value: object) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, datetime.timedelta):
        if value <= datetime.timedelta(0):
            _fail("auto_extend_lease", "must be a positive interval", value)
        return
    if not _is_int(value):
        _fail("auto_extend_lease", "must be a bool, a timedelta or milliseconds (int)", value)
    if cast(int, value) <= 0:
        _fail("auto_extend_lease", "must be a positive number of milliseconds", value)


def _lease_extension_ms(value: bool | datetime.timedelta | int, job_timeout_ms: int, job_type: str) -> int | None:
    """The heartbeat interval in ms: half the job timeout for ``True``, else the given one."""
    if value is False:
        return None
    if value is True:
        return max(job_timeout_ms // 2, 1)
    interval = int(value.total_seconds() * 1000) if isinstance(value, datetime.timedelta) else value
    if interval >= job_timeout_ms:
        raise ValidationError(
            f"WorkerConfig.auto_extend_lease must be shorter than the job timeout ({job_timeout_ms} ms) "
            f"for job type {job_type!r}, or the lease lapses between extensions, got {interval} ms"
        )
    return max(interval, 1)


def is_async_callable(callback: Callable[..., object]) -> bool:
    """True for ``async def`` functions, and objects whose ``__call__`` is one."""
    if inspect.iscoroutinefunction(callback):
        return True
    call = getattr(callback, "__call__", None)  # noqa: B004 - callable instances
    return call is not None and inspect.iscoroutinefunction(call)


def _callable_name(callback: Callable[..., object]) -> str:
    return getattr(callback, "__qualname__", None) or type(callback).__name__


def _did_you_mean(name: str, candidates: Sequence[str]) -> str:
    matches = difflib.get_close_matches(name, list(candidates), n=1)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def _reject_unknown(unknown: Mapping[str, object]) -> NoReturn:
    problems = [f"{name!r}{_did_you_mean(name, _FIELD_NAMES)}" for name in sorted(unknown)]
    noun = "argument" if len(problems) == 1 else "arguments"
    raise TypeError(f"WorkerConfig got unexpected keyword {noun}: {', '.join(problems)}")
