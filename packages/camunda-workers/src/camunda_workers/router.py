"""``JobRouter``: typed, decorator-based job handlers beside ``create_job_worker``.

::

    router = JobRouter(timeout=timedelta(seconds=30))

    @router.task("charge-card", max_concurrent_jobs=16, variable_name="charged")
    async def charge(order_id: str, amount: Decimal, job: JobContext) -> Charged: ...

    client.include_router(router)        # one worker per task

Parameters are bound from the job's variables by name and converted to their
annotations (:mod:`camunda_workers.injection`); a ``JobContext`` parameter
(any name) receives the job. Signatures are checked when the decorator runs.
Worker settings are defaults on a router, inherited by the routers that
include it and overridden by each task. Middleware (``before``, ``after``,
``exception_handler``) applies to the router's tasks and those of routers it
includes; the nearest exception handler wins (the task's router, then its
parents, then the client's).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar, Union, cast, overload

import attrs

from camunda_core.errors import ValidationError
from camunda_workers.config import DEFAULT_SHUTDOWN_GRACE_SECONDS, ExecutionStrategy, WorkerConfig
from camunda_workers.decisions import Complete, Fail, JobError, JobFailure, ThrowError
from camunda_workers.handler_types import (
    AfterHook,
    BeforeHook,
    ExceptionHandler,
    VariablesResult,
)
from camunda_workers.injection import (
    Binding,
    analyse,
    handler_name,
    is_variables_annotation,
    json_value,
    to_variables,
)

if TYPE_CHECKING:
    from camunda_workers.job_context import JobContext

__all__ = ["JobRouter", "RoutedTask", "Route", "ExceptionHandlers", "exception_decorator"]

F = TypeVar("F", bound=Callable[..., Any])
#: A handler whose result is the completion variables (no ``variable_name=``).
VH = TypeVar("VH", bound=Union[Callable[..., Awaitable[VariablesResult]], Callable[..., VariablesResult]])
B = TypeVar("B", bound=BeforeHook)
A = TypeVar("A", bound=AfterHook)
E = TypeVar("E", bound=BaseException)

#: Exception type -> handler; one table per router and one per client.
ExceptionHandlers = dict[type[BaseException], ExceptionHandler[Any]]


@attrs.frozen(kw_only=True)
class _Defaults:
    """Worker settings a router or task states (None: inherited)."""

    timeout: timedelta | None = None
    request_timeout: timedelta | None = None
    max_concurrent_jobs: int | None = None
    worker_name: str | None = None
    execution_strategy: ExecutionStrategy | None = None
    retry_back_off: timedelta | None = None
    shutdown_grace: timedelta | None = None
    tenant_ids: tuple[str, ...] | None = None
    auto_extend_lease: bool | timedelta | None = None

    def over(self, outer: _Defaults) -> _Defaults:
        """These settings, falling back to ``outer`` where unset."""
        values = {
            field.name: getattr(outer, field.name) if getattr(self, field.name) is None else getattr(self, field.name)
            for field in attrs.fields(_Defaults)
        }
        return _Defaults(**values)

    def worker_config(self, job_type: str, fetch_variables: Sequence[str] | None) -> WorkerConfig:
        return WorkerConfig(
            job_type=job_type,
            job_timeout_milliseconds=_ms(self.timeout),
            request_timeout_milliseconds=_ms(self.request_timeout),
            max_concurrent_jobs=self.max_concurrent_jobs,
            execution_strategy=self.execution_strategy or "auto",
            fetch_variables=fetch_variables,
            worker_name=self.worker_name,
            retry_back_off_milliseconds=_ms(self.retry_back_off) or 0,
            shutdown_grace_seconds=DEFAULT_SHUTDOWN_GRACE_SECONDS if self.shutdown_grace is None else self.shutdown_grace.total_seconds(),
            tenant_ids=self.tenant_ids,
            auto_extend_lease=False if self.auto_extend_lease is None else self.auto_extend_lease,
        )


def _ms(value: timedelta | None) -> int | None:
    return None if value is None else round(value / timedelta(milliseconds=1))


def _defaults(where: str, **values: Any) -> _Defaults:
    for name in ("timeout", "request_timeout", "retry_back_off", "shutdown_grace"):
        value = values[name]
        if value is not None and not isinstance(value, timedelta):
            raise ValidationError(f"{where}: {name} must be a datetime.timedelta (or None), got {value!r}")
    tenants = values["tenant_ids"]
    if tenants is not None:
        if isinstance(tenants, str) or not isinstance(tenants, Sequence):
            raise ValidationError(f"{where}: tenant_ids must be a list of strings (or None), got {tenants!r}")
        values["tenant_ids"] = tuple(cast("Sequence[str]", tenants))
    defaults = _Defaults(**values)
    try:
        # WorkerConfig checks every value; the error surfaces at the line that made it.
        config = defaults.worker_config("check", None)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc}") from None
    if defaults.timeout is not None and config.job_timeout_milliseconds == 0:
        raise ValidationError(f"{where}: timeout must be at least 1 ms")
    return defaults


@attrs.frozen(kw_only=True)
class RoutedTask:
    """One ``@router.task`` registration, as declared (before prefixes and inherited defaults)."""

    job_type: str
    function: Callable[..., Any]
    is_async: bool
    binding: Binding
    variable_name: str | None
    fetch_variables: tuple[str, ...] | None
    settings: _Defaults


@attrs.frozen(kw_only=True)
class Route:
    """A task as the client will run it: full job type, effective settings, middleware chain."""

    job_type: str
    task: RoutedTask
    settings: _Defaults
    #: The routers from the one ``include_router`` was called with down to the task's own.
    chain: tuple[JobRouter, ...]

    @property
    def strategy(self) -> str:
        strategy = self.settings.execution_strategy or "auto"
        if strategy == "auto":
            return "async" if self.task.is_async else "thread"
        return strategy

    def worker_config(self) -> WorkerConfig:
        task = self.task
        fetch = task.fetch_variables
        if fetch is None and task.binding.context_param is None and task.binding.variable_names:
            # The handler sees only its parameters: fetch only those.
            fetch = task.binding.variable_names
        return self.settings.worker_config(self.job_type, fetch)

    def handler(self, client_handlers: ExceptionHandlers | None = None) -> Callable[[JobContext[Any]], Any]:
        """The callback for ``create_job_worker``: binds, runs middleware, maps exceptions."""
        _check_context(self.task, self.strategy, self.job_type)
        before = tuple(hook for router in self.chain for hook in router.before_hooks)
        after = tuple(hook for router in reversed(self.chain) for hook in router.after_hooks)
        tables = [router.exception_handlers for router in reversed(self.chain)]
        if client_handlers is not None:
            tables.append(client_handlers)
        cls = _AsyncRoutedHandler if self.task.is_async else _SyncRoutedHandler
        return cls(self.task, before, after, tuple(tables))


def _check_context(task: RoutedTask, strategy: str, job_type: str) -> None:
    kind = task.binding.context_kind
    param = task.binding.context_param
    where = f"job handler {task.binding.function} (job type {job_type!r}): parameter {param!r}"
    if strategy == "async" and kind == "thread":
        raise ValidationError(
            f"{where} is a ThreadJobContext (blocking client), but the handler runs on the event loop; "
            "annotate it JobContext"
        )
    if strategy == "thread" and kind == "async":
        raise ValidationError(
            f"{where} is a JobContext (async client), but the handler runs in a thread, where job.client "
            "is the blocking CamundaClient; annotate it ThreadJobContext"
        )


class JobRouter:
    """A group of job handlers with shared worker settings and middleware.

    Settings given here (``timeout``, ``max_concurrent_jobs``, ``worker_name``,
    ``execution_strategy``...) are defaults for this router's tasks and those
    of the routers it includes; a task's own settings win, then the nearest
    router's.
    """

    def __init__(
        self,
        *,
        timeout: timedelta | None = None,
        request_timeout: timedelta | None = None,
        max_concurrent_jobs: int | None = None,
        worker_name: str | None = None,
        execution_strategy: ExecutionStrategy | None = None,
        retry_back_off: timedelta | None = None,
        shutdown_grace: timedelta | None = None,
        tenant_ids: Sequence[str] | None = None,
        auto_extend_lease: bool | timedelta | None = None,
    ) -> None:
        self.settings = _defaults(
            "JobRouter",
            timeout=timeout,
            request_timeout=request_timeout,
            max_concurrent_jobs=max_concurrent_jobs,
            worker_name=worker_name,
            execution_strategy=execution_strategy,
            retry_back_off=retry_back_off,
            shutdown_grace=shutdown_grace,
            tenant_ids=tenant_ids,
            auto_extend_lease=auto_extend_lease,
        )
        self._tasks: list[RoutedTask] = []
        self._children: list[tuple[JobRouter, str]] = []
        self.before_hooks: list[BeforeHook] = []
        self.after_hooks: list[AfterHook] = []
        self.exception_handlers: ExceptionHandlers = {}

    # -- registration ------------------------------------------------------------------

    @overload
    def task(
        self,
        job_type: str,
        *,
        variable_name: str,
        timeout: timedelta | None = None,
        request_timeout: timedelta | None = None,
        max_concurrent_jobs: int | None = None,
        worker_name: str | None = None,
        execution_strategy: ExecutionStrategy | None = None,
        retry_back_off: timedelta | None = None,
        shutdown_grace: timedelta | None = None,
        tenant_ids: Sequence[str] | None = None,
        auto_extend_lease: bool | timedelta | None = None,
        fetch_variables: Sequence[str] | None = None,
    ) -> Callable[[F], F]: ...

    @overload
    def task(
        self,
        job_type: str,
        *,
        variable_name: None = None,
        timeout: timedelta | None = None,
        request_timeout: timedelta | None = None,
        max_concurrent_jobs: int | None = None,
        worker_name: str | None = None,
        execution_strategy: ExecutionStrategy | None = None,
        retry_back_off: timedelta | None = None,
        shutdown_grace: timedelta | None = None,
        tenant_ids: Sequence[str] | None = None,
        auto_extend_lease: bool | timedelta | None = None,
        fetch_variables: Sequence[str] | None = None,
    ) -> Callable[[VH], VH]: ...

    def task(
        self,
        job_type: str,
        *,
        variable_name: str | None = None,
        timeout: timedelta | None = None,
        request_timeout: timedelta | None = None,
        max_concurrent_jobs: int | None = None,
        worker_name: str | None = None,
        execution_strategy: ExecutionStrategy | None = None,
        retry_back_off: timedelta | None = None,
        shutdown_grace: timedelta | None = None,
        tenant_ids: Sequence[str] | None = None,
        auto_extend_lease: bool | timedelta | None = None,
        fetch_variables: Sequence[str] | None = None,
    ) -> Callable[[Any], Any]:
        """Register the decorated function as the handler of ``job_type``.

        Without ``variable_name`` the handler returns the completion variables
        (a dict, an attrs/dataclass instance, a pydantic model, or None); with
        it, the returned value is stored under that name.
        """
        if not isinstance(job_type, str) or not job_type.strip():  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(f"@router.task: job_type must be a non-empty string, got {job_type!r}")
        if variable_name is not None and (not isinstance(variable_name, str) or not variable_name):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(f"@router.task({job_type!r}): variable_name must be a non-empty string, got {variable_name!r}")
        settings = _defaults(
            f"@router.task({job_type!r})",
            timeout=timeout,
            request_timeout=request_timeout,
            max_concurrent_jobs=max_concurrent_jobs,
            worker_name=worker_name,
            execution_strategy=execution_strategy,
            retry_back_off=retry_back_off,
            shutdown_grace=shutdown_grace,
            tenant_ids=tenant_ids,
            auto_extend_lease=auto_extend_lease,
        )
        fetch = None
        if fetch_variables is not None:
            try:
                fetch = WorkerConfig(job_type=job_type, fetch_variables=fetch_variables).fetch_variables
            except ValidationError as exc:
                raise ValidationError(f"@router.task({job_type!r}): {exc}") from None

        def register(fn: Any) -> Any:
            self._tasks.append(_task(job_type, fn, variable_name, fetch, settings))
            self._check_unique()
            return fn

        return register

    def include_router(self, router: JobRouter, *, prefix: str = "") -> None:
        """Add ``router``'s tasks (their job types prefixed) under this router's defaults and middleware."""
        if not isinstance(router, JobRouter):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(f"include_router: expected a JobRouter, got {type(router).__name__}")
        if not isinstance(prefix, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(f"include_router: prefix must be a string, got {prefix!r}")
        if router is self or self in set(router._descendants()):
            raise ValidationError("include_router: a router cannot include itself (directly or through another)")
        self._children.append((router, prefix))
        try:
            self._check_unique()
        except ValidationError:
            self._children.pop()
            raise

    def before(self, hook: B) -> B:
        """Decorator: call ``hook(job)`` before each handler of this router (and included ones)."""
        _check_callable("before", hook)
        self.before_hooks.append(hook)
        return hook

    def after(self, hook: A) -> A:
        """Decorator: call ``hook(job, result)`` after each handler returned (not when it raised)."""
        _check_callable("after", hook)
        self.after_hooks.append(hook)
        return hook

    def exception_handler(
        self, exc_type: type[E]
    ) -> Callable[[ExceptionHandler[E]], ExceptionHandler[E]]:
        """Decorator: turn ``exc_type`` raised by a handler (or a middleware) into a decision."""
        return exception_decorator(self.exception_handlers, exc_type, "router")

    # -- reading ---------------------------------------------------------------------

    @property
    def tasks(self) -> tuple[RoutedTask, ...]:
        """This router's own tasks (not those of included routers)."""
        return tuple(self._tasks)

    def routes(self) -> list[Route]:
        """Every task of this router and the routers it includes, with prefixes and settings applied."""
        return list(self._walk("", _Defaults(), ()))

    def _walk(self, prefix: str, outer: _Defaults, chain: tuple[JobRouter, ...]) -> Iterator[Route]:
        settings = self.settings.over(outer)
        chain = (*chain, self)
        for task in self._tasks:
            yield Route(job_type=prefix + task.job_type, task=task, settings=task.settings.over(settings), chain=chain)
        for child, child_prefix in self._children:
            yield from child._walk(prefix + child_prefix, settings, chain)

    def _descendants(self) -> Iterator[JobRouter]:
        for child, _ in self._children:
            yield child
            yield from child._descendants()

    def _check_unique(self) -> None:
        seen: dict[str, str] = {}
        for route in self.routes():
            name = route.task.binding.function
            if route.job_type in seen:
                raise ValidationError(
                    f"job type {route.job_type!r} has two handlers: {seen[route.job_type]} and {name}"
                )
            seen[route.job_type] = name

    def __repr__(self) -> str:
        return f"JobRouter(tasks={[t.job_type for t in self._tasks]!r}, included={len(self._children)})"


def _check_callable(what: str, hook: object) -> None:
    if not callable(hook):
        raise ValidationError(f"@router.{what}: expected a function, got {type(hook).__name__}")


def exception_decorator(
    table: ExceptionHandlers, exc_type: type[E], owner: str
) -> Callable[[ExceptionHandler[E]], ExceptionHandler[E]]:
    if not (isinstance(exc_type, type) and issubclass(exc_type, BaseException)):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValidationError(f"{owner}.exception_handler: expected an exception class, got {exc_type!r}")
    if issubclass(exc_type, (JobError, JobFailure)):
        raise ValidationError(
            f"{owner}.exception_handler({exc_type.__name__}): JobError and JobFailure are decisions already"
        )

    def register(handler: ExceptionHandler[E]) -> ExceptionHandler[E]:
        _check_callable("exception_handler", handler)
        table[exc_type] = cast("ExceptionHandler[Any]", handler)
        return handler

    return register


def _task(
    job_type: str,
    fn: Any,
    variable_name: str | None,
    fetch: tuple[str, ...] | None,
    settings: _Defaults,
) -> RoutedTask:
    if not callable(fn):
        raise ValidationError(f"@router.task({job_type!r}): expected a function, got {type(fn).__name__}")
    binding, returns = analyse(cast("Callable[..., Any]", fn))
    name = binding.function
    if variable_name is None and returns is not inspect.Parameter.empty and is_variables_annotation(returns) is False:
        raise ValidationError(
            f"job handler {name} (job type {job_type!r}) returns {getattr(returns, '__name__', returns)}, "
            "which is not a set of variables: name the variable to store it under "
            f"(@router.task({job_type!r}, variable_name=...)) or return a dict, an attrs or dataclass "
            "instance, a pydantic model or None"
        )
    is_async = inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))  # noqa: B004
    task = RoutedTask(
        job_type=job_type,
        function=fn,
        is_async=is_async,
        binding=binding,
        variable_name=variable_name,
        fetch_variables=fetch,
        settings=settings,
    )
    strategy = settings.execution_strategy or "auto"
    if strategy == "async" and not is_async:
        raise ValidationError(f"job handler {name}: execution_strategy 'async' needs an async def handler")
    _check_context(task, ("async" if is_async else "thread") if strategy == "auto" else strategy, job_type)
    return task


# ------------------------------------------------------------------ running


class _RoutedHandler:
    """The callback a routed task's worker runs: picklable when the user's functions are."""

    def __init__(
        self,
        task: RoutedTask,
        before: tuple[BeforeHook, ...],
        after: tuple[AfterHook, ...],
        tables: tuple[ExceptionHandlers, ...],
    ) -> None:
        self.task = task
        self._fn = task.function
        self._arguments = task.binding.arguments
        self._before = before
        self._after = after
        self._tables = tables
        self._variable_name = task.variable_name
        self.__qualname__ = task.binding.function
        self.__name__ = getattr(task.function, "__name__", task.binding.function)

    def _output(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        name = self._variable_name
        if name is not None:
            return {name: json_value(value)}
        return to_variables(value, self.task.binding.function)

    def _handlers_for(self, error: Exception) -> Iterator[ExceptionHandler[Any]]:
        """Matching exception handlers, nearest first (most specific type within one router)."""
        mro = type(error).__mro__
        for table in self._tables:
            if not table:
                continue
            for cls in mro:
                handler = table.get(cls)
                if handler is not None:
                    yield handler
                    break

    def _decide(self, outcome: object, handler: object, error: Exception) -> Any:
        """Turn an exception handler's answer into the wrapper's return value (or a raise)."""
        if isinstance(outcome, Complete):
            return None if outcome.variables is None else json_value(outcome.variables)
        if isinstance(outcome, Fail):
            raise JobFailure(
                outcome.message, retries=outcome.retries, retry_back_off=outcome.retry_back_off_ms, variables=outcome.variables
            ) from error
        if isinstance(outcome, ThrowError):
            raise JobError(outcome.code, outcome.message, outcome.variables) from error
        if isinstance(outcome, (JobError, JobFailure)):
            raise outcome from error
        raise ValidationError(
            f"exception handler {handler_name(cast('Callable[..., Any]', handler))} returned "
            f"{type(outcome).__name__}; expected Complete, Fail, ThrowError, a JobError or JobFailure, or None"
        ) from error


class _AsyncRoutedHandler(_RoutedHandler):
    async def __call__(self, job: JobContext[Any]) -> Any:
        try:
            for hook in self._before:
                pending = hook(job)
                if pending is not None:
                    await pending
            value = await self._fn(**self._arguments(job))
            for after in self._after:
                pending = after(job, value)
                if pending is not None:
                    await pending
        except (JobError, JobFailure):
            raise
        except Exception as error:
            for handler in self._handlers_for(error):
                outcome = handler(job, error)
                if inspect.isawaitable(outcome):
                    outcome = await outcome
                if outcome is not None:
                    return self._decide(outcome, handler, error)
            raise
        return self._output(value)


class _SyncRoutedHandler(_RoutedHandler):
    def __call__(self, job: JobContext[Any]) -> Any:
        try:
            for hook in self._before:
                _settle(hook(job))
            value = self._fn(**self._arguments(job))
            for after in self._after:
                _settle(after(job, value))
        except (JobError, JobFailure):
            raise
        except Exception as error:
            for handler in self._handlers_for(error):
                outcome = _settle(handler(job, error))
                if outcome is not None:
                    return self._decide(outcome, handler, error)
            raise
        return self._output(value)


def _settle(value: Any) -> Any:
    """In a thread handler, an async middleware runs to completion on a private loop."""
    if inspect.isawaitable(value):
        return asyncio.run(_await(value))
    return value


async def _await(value: Awaitable[Any]) -> Any:
    return await value
