"""``FakeCluster``: the fake Orchestration Cluster's server, thread and test API."""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import json
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType, TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl

from ._http import DROP_AFTER, DROP_BEFORE, HttpRequest, HttpResponse, serve_connection
from .engine import (
    DEFAULT_TENANT,
    ActivationRequest,
    ClusterStats,
    DeployedProcess,
    Engine,
    InstanceView,
    JobView,
    Problem,
    PublishedMessage,
    instance_view,
    job_view,
)
from .engine.model import ACTIVATABLE, ACTIVATED, BACKOFF, Job
from .faults import FaultInjector
from .routes import NO_JSON, ApiRequest, Router, build_router
from .testing import Complete, Fail, MockJob, MockJobWorker, ThrowError

__all__ = ["FakeCluster", "RecordedRequest"]

_log = logging.getLogger("camunda_testkit")
_T = TypeVar("_T")
_SWEEP_SECONDS = 0.02
_TOKEN_PATH = "/oauth/token"


@dataclass(frozen=True, slots=True, repr=False)
class RecordedRequest:
    """One request as the fake cluster received it."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    json: Any
    operation: str | None  # the spec's operationId, e.g. "completeJob"; None if unmodelled

    def __repr__(self) -> str:
        # Credentials stay out of reprs: tests print these on failure.
        return (
            f"RecordedRequest({self.method} {self.path}, operation={self.operation!r}, "
            f"body={len(self.body)} bytes)"
        )


class FakeCluster:
    """A stateful fake Camunda 8 Orchestration Cluster on loopback.

    Start it (or use it as a context manager), point a client at
    :attr:`rest_address`, and assert on :meth:`jobs`, :meth:`instances`,
    :attr:`requests` and :attr:`stats`. All methods are safe to call from any
    thread; the server runs its own event loop in a daemon thread.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        require_auth: Literal["bearer", "basic"] | None = None,
        token_lifetime: float = 3600.0,
        oauth_clients: Mapping[str, str] | None = None,
        basic_users: Mapping[str, str] | None = None,
        record_requests: bool = True,
        first_key: int | None = None,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer between 0 and 65535, got {port!r}")
        if require_auth not in (None, "bearer", "basic"):
            raise ValueError(
                f"require_auth must be None, 'bearer' or 'basic', got {require_auth!r}"
            )
        if not token_lifetime > 0:
            raise ValueError(f"token_lifetime must be positive seconds, got {token_lifetime!r}")
        self._requested_port = port
        self._host = host
        self.require_auth = require_auth
        self.token_lifetime = float(token_lifetime)
        # Clients the token endpoint accepts; empty accepts any non-empty id and secret.
        self.oauth_clients: dict[str, str] = dict(oauth_clients or {})
        # Users Basic auth accepts; empty accepts any non-empty user and password.
        self.basic_users: dict[str, str] = dict(basic_users or {})
        self.record_requests = record_requests
        self.faults = FaultInjector()
        if first_key is not None and (
            isinstance(first_key, bool) or not isinstance(first_key, int) or first_key < 1
        ):
            raise ValueError(f"first_key must be a positive integer, got {first_key!r}")
        # Keys are handed out in order from here (default 2251799813685249), so
        # tests can reproduce documented keys exactly.
        self._engine = Engine(first_key=first_key)
        self._router: Router = build_router()
        self._tokens: dict[str, float] = {}
        self._tokens_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._requests_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._port: int | None = None
        # Mocked job workers by job type (set from any thread, read on the loop thread) and
        # how many of their jobs are claimed and not yet handled.
        self._mock_workers: dict[str, MockJobWorker] = {}
        self._mock_pending = 0
        self._engine.job_hooks = (self._offer_to_mock,)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> FakeCluster:
        """Bind the port and start serving; returns self."""
        if self._thread is not None:
            raise RuntimeError("FakeCluster.start(): the cluster is already running")
        ready: concurrent.futures.Future[int] = concurrent.futures.Future()
        thread = threading.Thread(
            target=self._run, args=(ready,), name="camunda-testkit-server", daemon=True
        )
        self._thread = thread
        thread.start()
        try:
            self._port = ready.result(timeout=10)
        except BaseException:
            self._thread = None
            raise
        return self

    def stop(self) -> None:
        """Close every connection and stop the server thread. Safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if not loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
        thread.join(timeout=10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, ready: concurrent.futures.Future[int]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._engine.loop = loop
        try:
            server = loop.run_until_complete(
                asyncio.start_server(
                    self._on_connection, self._host, self._requested_port, limit=1 << 20
                )
            )
        except BaseException as exc:
            ready.set_exception(exc)
            loop.close()
            return
        self._server = server
        sweeper = loop.create_task(self._sweep())
        ready.set_result(server.sockets[0].getsockname()[1])
        try:
            loop.run_forever()
        finally:
            sweeper.cancel()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _shutdown(self) -> None:
        server = self._server
        if server is not None:
            server.close()
        for task in list(self._connections):
            task.cancel()
        loop = asyncio.get_running_loop()
        loop.call_soon(loop.stop)

    async def _sweep(self) -> None:
        engine = self._engine
        while True:
            await asyncio.sleep(_SWEEP_SECONDS)
            due = engine.next_due()
            if due is not None and due <= engine.clock.now_ms():
                engine.release_due()

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await serve_connection(reader, writer, self._handle)
        finally:
            self._connections.discard(task)
            writer.transport.abort()

    # ------------------------------------------------------------ addresses
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeCluster.port: start() the cluster first")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def rest_address(self) -> str:
        return f"{self.base_url}/v2"

    @property
    def oauth_url(self) -> str:
        return f"{self.base_url}{_TOKEN_PATH}"

    def __repr__(self) -> str:
        where = self.rest_address if self._port is not None else "not started"
        return f"FakeCluster({where})"

    # ------------------------------------------------------------- requests
    async def _handle(self, http: HttpRequest) -> Any:
        engine = self._engine
        engine.counters.requests += 1
        path = http.path
        matched = self._router.match(http.method, path)
        operation = matched[0].operation if matched is not None else None
        if path == _TOKEN_PATH and http.method == "POST":
            operation = "oauthToken"
        parsed: Any = None
        if http.body and "json" in http.headers.get("content-type", "json"):
            try:
                parsed = json.loads(http.body)
            except (ValueError, UnicodeDecodeError):
                parsed = NO_JSON
        if self.record_requests:
            recorded = RecordedRequest(
                method=http.method,
                path=path,
                query=MappingProxyType(dict(parse_qsl(http.query))) if http.query else _EMPTY,
                headers=MappingProxyType(http.headers),
                body=http.body,
                json=None if parsed is NO_JSON else parsed,
                operation=operation,
            )
            with self._requests_lock:
                self._requests.append(recorded)

        drop_after = False
        outcome = self.faults.evaluate(operation, path)
        if outcome is not None:
            if outcome.delay:
                await asyncio.sleep(outcome.delay)
            if outcome.response is not None:
                return outcome.response
            if outcome.drop is not None:
                if not outcome.drop.after_processing:
                    return DROP_BEFORE
                drop_after = True

        if operation == "oauthToken":
            response = self._issue_token(http)
        else:
            denied = self._check_auth(http)
            if denied is not None:
                return denied
            if matched is None:
                return HttpResponse.problem(
                    404,
                    "NOT_FOUND",
                    f"The fake cluster does not model {http.method} {path}",
                    path,
                )
            route, params = matched
            try:
                result = route.handler(engine, ApiRequest(http, params, parsed))
                response = result if isinstance(result, HttpResponse) else await result
            except Problem as problem:
                response = HttpResponse.problem(problem.status, problem.title, problem.detail, path)
            except Exception as exc:
                _log.exception("fake cluster: %s %s failed", http.method, path)
                response = HttpResponse.problem(
                    500, "INTERNAL", f"The fake cluster failed: {type(exc).__name__}: {exc}", path
                )
        return DROP_AFTER if drop_after else response

    # ----------------------------------------------------------------- auth
    def _check_auth(self, http: HttpRequest) -> HttpResponse | None:
        mode = self.require_auth
        if mode is None:
            return None
        header = http.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if mode == "bearer":
            if scheme.lower() == "bearer" and credentials:
                with self._tokens_lock:
                    expires_at = self._tokens.get(credentials.strip())
                if expires_at is not None and expires_at > time.monotonic():
                    return None
            return _unauthorized(http.path, "Bearer")
        if scheme.lower() == "basic" and credentials:
            try:
                user, sep, password = (
                    base64.b64decode(credentials.strip(), validate=True).decode().partition(":")
                )
            except (binascii.Error, UnicodeDecodeError):
                sep, user, password = "", "", ""
            if sep and user and password:
                expected = self.basic_users.get(user)
                if (not self.basic_users) or (
                    expected is not None and secrets.compare_digest(expected, password)
                ):
                    return None
        return _unauthorized(http.path, 'Basic realm="camunda"')

    def _issue_token(self, http: HttpRequest) -> HttpResponse:
        self._engine.counters.token_requests += 1
        form = dict(parse_qsl(http.body.decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            return HttpResponse.json(
                400,
                {"error": "unsupported_grant_type", "error_description": "use client_credentials"},
            )
        client_id = form.get("client_id", "")
        client_secret = form.get("client_secret", "")
        scheme, _, credentials = http.headers.get("authorization", "").partition(" ")
        if not client_id and scheme.lower() == "basic":
            # client_secret_basic: credentials in the Authorization header.
            try:
                client_id, _, client_secret = (
                    base64.b64decode(credentials.strip()).decode().partition(":")
                )
            except (binascii.Error, UnicodeDecodeError):
                client_id = client_secret = ""
        known = self.oauth_clients
        expected = known.get(client_id)
        valid = bool(client_id and client_secret) and (
            not known or (expected is not None and secrets.compare_digest(expected, client_secret))
        )
        if not valid:
            return HttpResponse.json(
                401, {"error": "invalid_client", "error_description": "unknown client or secret"}
            )
        token = secrets.token_urlsafe(32)
        lifetime = self.token_lifetime
        with self._tokens_lock:
            self._tokens[token] = time.monotonic() + lifetime
        payload: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": max(1, math.ceil(lifetime)),
        }
        if form.get("scope"):
            payload["scope"] = form["scope"]
        return HttpResponse(
            200,
            json.dumps(payload).encode(),
            "application/json",
            (("Cache-Control", "no-store"),),
        )

    def add_token(self, token: str, expires_in: float = 3600.0) -> None:
        """Accept ``token`` as a bearer token for ``expires_in`` seconds."""
        if not isinstance(token, str) or not token:
            raise ValueError("add_token(token): token must be a non-empty string")
        with self._tokens_lock:
            self._tokens[token] = time.monotonic() + float(expires_in)

    def expire_tokens(self) -> None:
        """Make every token issued or added so far invalid (requests get 401)."""
        with self._tokens_lock:
            self._tokens.clear()

    # ------------------------------------------------------ loop-thread calls
    def _on_loop(self, fn: Callable[[], _T]) -> concurrent.futures.Future[_T] | None:
        """Schedule ``fn`` on the cluster's loop thread; None when it must run right here
        (no running loop, or this is its thread)."""
        loop = self._loop
        if loop is None or not loop.is_running() or self._is_loop_thread():
            return None
        result: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def run() -> None:
            try:
                result.set_result(fn())
            except BaseException as exc:
                result.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return result

    def _call(self, fn: Callable[[], _T]) -> _T:
        future = self._on_loop(fn)
        return fn() if future is None else future.result(timeout=30)

    def _is_loop_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    # --------------------------------------------------------- test helpers
    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received so far, oldest first."""
        with self._requests_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._requests_lock:
            self._requests.clear()

    def deploy_resource(
        self, name: str, content: str | bytes, *, tenant_id: str | None = None
    ) -> dict[str, Any]:
        """Deploy one resource as ``POST /v2/deployments`` would; returns the DeploymentResult."""
        if not isinstance(name, str) or not name:
            raise ValueError("deploy_resource(name): name must be a non-empty file name")
        data = content.encode() if isinstance(content, str) else bytes(content)
        tenant = tenant_id or DEFAULT_TENANT
        try:
            return self._call(lambda: self._engine.deploy([(name, data)], tenant))
        except Problem as problem:
            raise ValueError(f"deploy_resource({name!r}): {problem.detail}") from None

    def deploy_bpmn(
        self,
        xml: str | bytes,
        name: str = "process.bpmn",
        *,
        tenant_id: str | None = None,
    ) -> DeployedProcess:
        """Deploy a BPMN document; returns its first process."""
        result = self.deploy_resource(name, xml, tenant_id=tenant_id)
        first = result["deployments"][0]["processDefinition"]
        key = first["processDefinitionKey"]
        job_types = self._call(
            lambda: tuple(t.job_type for t in self._engine.definitions[key].model.tasks)
        )
        return DeployedProcess(
            process_definition_key=key,
            process_definition_id=first["processDefinitionId"],
            version=first["processDefinitionVersion"],
            resource_name=first["resourceName"],
            tenant_id=first["tenantId"],
            deployment_key=result["deploymentKey"],
            job_types=job_types,
        )

    def create_process_instance(
        self,
        process_definition_id: str,
        variables: Mapping[str, Any] | None = None,
        *,
        version: int | None = None,
        tenant_id: str | None = None,
    ) -> InstanceView:
        """Start an instance of the latest (or given) version, as the REST call would."""
        tenant = tenant_id or DEFAULT_TENANT
        engine = self._engine

        def create() -> InstanceView:
            definition = engine.find_definition(
                process_definition_id, -1 if version is None else version, tenant
            )
            instance = engine.create_instance(definition, dict(variables or {}), tenant, [], None)
            return instance_view(instance)

        try:
            return self._call(create)
        except Problem as problem:
            raise ValueError(
                f"create_process_instance({process_definition_id!r}): {problem.detail}"
            ) from None

    def jobs(
        self,
        state: str | None = None,
        job_type: str | None = None,
        *,
        process_instance_key: str | None = None,
    ) -> list[JobView]:
        """Jobs in creation order, optionally filtered.

        ``state`` is one of ACTIVATABLE, ACTIVATED, BACKOFF (failed, waiting out
        its retry back-off), FAILED (no retries left: an incident),
        ERROR_THROWN, COMPLETED, CANCELED.
        """
        engine = self._engine
        return self._call(
            lambda: [
                job_view(job)
                for job in engine.jobs.values()
                if (state is None or job.state == state)
                and (job_type is None or job.task.job_type == job_type)
                and (process_instance_key is None or job.instance.key == process_instance_key)
            ]
        )

    def job(self, job_key: str) -> JobView:
        engine = self._engine

        def find() -> JobView:
            job = engine.jobs.get(str(job_key))
            if job is None:
                raise KeyError(f"job({job_key!r}): no such job")
            return job_view(job)

        return self._call(find)

    def instances(
        self, state: str | None = None, process_definition_id: str | None = None
    ) -> list[InstanceView]:
        """Process instances in creation order; ``state`` is ACTIVE, COMPLETED or TERMINATED."""
        engine = self._engine
        return self._call(
            lambda: [
                instance_view(instance)
                for instance in engine.instances.values()
                if (state is None or instance.state == state)
                and (
                    process_definition_id is None
                    or instance.definition.model.process_id == process_definition_id
                )
            ]
        )

    def instance(self, process_instance_key: str) -> InstanceView:
        engine = self._engine
        try:
            return self._call(lambda: instance_view(engine.get_instance(str(process_instance_key))))
        except Problem:
            raise KeyError(f"instance({process_instance_key!r}): no such instance") from None

    def incidents(self, process_instance_key: str | None = None) -> list[dict[str, Any]]:
        """Incidents (``IncidentResult`` dictionaries, active and resolved) in creation order."""
        wanted = None if process_instance_key is None else str(process_instance_key)
        return self._call(
            lambda: [
                incident.to_wire()
                for incident in self._engine.incidents.values()
                if wanted is None or incident.element_instance.instance.key == wanted
            ]
        )

    def element_instances(self, process_instance_key: str) -> list[dict[str, Any]]:
        """The instance's element instances (``ElementInstanceResult`` dictionaries), in
        activation order; the process itself first."""
        engine = self._engine

        def collect() -> list[dict[str, Any]]:
            instance = engine.get_instance(str(process_instance_key))
            return [e.to_wire() for e in instance.element_instances.values()]

        try:
            return self._call(collect)
        except Problem:
            raise KeyError(f"element_instances({process_instance_key!r}): no such instance") from None

    @property
    def clock(self) -> ClusterClock:
        """The cluster's clock: ``cluster.clock.advance(timedelta(minutes=5))`` runs what became due."""
        return ClusterClock(advance=self._advance_clock, now_ms=self._clock_now_ms)

    def _advance_clock(self, delta: timedelta | float) -> None:
        self._call(lambda: self._engine.clock.advance(delta))

    def _clock_now_ms(self) -> int:
        return self._call(self._engine.clock.now_ms)

    @property
    def messages(self) -> list[PublishedMessage]:
        return self._call(lambda: list(self._engine.messages))

    @property
    def stats(self) -> ClusterStats:
        return self._call(self._engine.stats)

    def reset_stats(self) -> None:
        self._call(self._engine.reset_stats)

    def pending_activations(self, job_type: str | None = None) -> int:
        """How many activation requests are long-polling right now."""
        return self._call(lambda: self._engine.pending_activations(job_type))

    def wait_for(
        self,
        condition: Callable[[FakeCluster], bool],
        timeout: float = 10.0,
        *,
        description: str = "condition",
    ) -> None:
        """Block until ``condition(cluster)`` is true; TimeoutError after ``timeout`` s."""
        give_up_at = time.monotonic() + timeout
        while not condition(self):
            if time.monotonic() >= give_up_at:
                raise TimeoutError(
                    f"FakeCluster.wait_for: {description} not met within {timeout} s"
                )
            time.sleep(0.005)

    # ------------------------------------------------------ mocked job workers
    def mock_job_worker(self, job_type: str) -> MockJobWorker:
        """A mocked worker for ``job_type``, inside the cluster (no HTTP): once a behaviour
        is chosen (``.complete({...})``, ``.throw_error(code)``, ``.fail(...)``,
        ``.with_handler(fn)``), each job of that type is handled as soon as it is offered,
        on the cluster's thread. Real workers polling that type get none of its jobs. A
        second call for the same type replaces the first mock."""
        if not isinstance(job_type, str) or not job_type:
            raise ValueError("mock_job_worker(job_type): job_type must be a non-empty string")
        worker = MockJobWorker(job_type, on_change=lambda: self._call(lambda: self._claim_mocked(job_type)))
        self._mock_workers[job_type] = worker
        return worker

    def _offer_to_mock(self, job: Job) -> None:
        if job.task.job_type in self._mock_workers:
            self._claim_mocked(job.task.job_type)

    def _claim_mocked(self, job_type: str) -> None:
        """Activate the waiting jobs of a mocked type for the mock and schedule their handling."""
        worker = self._mock_workers.get(job_type)
        if worker is None or not worker.active:
            return
        engine = self._engine
        request = ActivationRequest(job_type=job_type, max_jobs=1 << 30, timeout_ms=300_000,
                                    worker=f"mock:{job_type}", fetch_variables=None,
                                    tenant_ids=None, request_timeout_ms=-1)  # fmt: skip
        for wire in engine.activate(request):
            self._mock_pending += 1
            if engine.loop is not None:
                engine.loop.call_soon(self._run_mocked, worker, wire)
            else:
                self._run_mocked(worker, wire)

    def _run_mocked(self, worker: MockJobWorker, wire: dict[str, Any]) -> None:
        self._mock_pending -= 1
        engine = self._engine
        job = MockJob(
            job_key=wire["jobKey"], job_type=wire["type"],
            process_instance_key=wire["processInstanceKey"], element_id=wire["elementId"],
            element_instance_key=wire["elementInstanceKey"], retries=wire["retries"],
            variables=MappingProxyType(dict(wire["variables"])),
            custom_headers=MappingProxyType(dict(wire["customHeaders"])),
        )  # fmt: skip
        outcome = worker.handle(job)
        try:
            if isinstance(outcome, Complete):
                engine.complete_job(job.job_key, dict(outcome.variables))
            elif isinstance(outcome, Fail):
                retries = job.retries - 1 if outcome.retries is None else outcome.retries
                engine.fail_job(job.job_key, max(retries, 0), outcome.message,
                                outcome.retry_backoff_ms, dict(outcome.variables))  # fmt: skip
            elif isinstance(outcome, ThrowError):  # pyright: ignore[reportUnnecessaryIsInstance]
                engine.throw_error(job.job_key, outcome.code, outcome.message,
                                   dict(outcome.variables))  # fmt: skip
        except Problem as problem:  # the job was cancelled meanwhile, say
            _log.debug("mocked worker %s: %s", worker.job_type, problem.detail)

    def _busy_jobs(self, include_jobs: bool) -> list[str]:
        """What keeps the engine from being idle (loop thread)."""
        mocked = self._mock_workers
        busy: list[str] = []
        for job in self._engine.jobs.values():
            job_type = job.task.job_type
            if job.state not in (ACTIVATABLE, ACTIVATED, BACKOFF):
                continue
            worker = mocked.get(job_type)
            if (worker is not None and worker.active) or include_jobs:
                busy.append(f"job {job.key} ({job_type}, {job.state}, {job.task.element_id})")
        if self._mock_pending:
            busy.append(f"{self._mock_pending} mocked job(s) being handled")
        return busy

    def run_until_idle(self, timeout: float = 10.0, *, include_jobs: bool = False) -> None:
        """Wait until the engine has nothing left to do by itself: every job of a mocked
        type is handled (none activatable, activated or backing off). Jobs for real workers
        count only with ``include_jobs=True`` (then: until no job is open for any worker);
        instances waiting for a message do not count. TimeoutError names what is pending."""
        give_up_at = time.monotonic() + timeout
        while True:
            busy = self._call(lambda: self._busy_jobs(include_jobs))
            if not busy:
                return
            if time.monotonic() >= give_up_at:
                raise TimeoutError(f"FakeCluster.run_until_idle: still busy after {timeout} s: "
                                   + "; ".join(busy[:10]))  # fmt: skip
            time.sleep(0.005)

    async def arun_until_idle(self, timeout: float = 10.0, *, include_jobs: bool = False) -> None:
        """:meth:`run_until_idle` for async tests: it does not block the event loop."""
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + timeout
        while True:
            busy = await self._acall(lambda: self._busy_jobs(include_jobs))
            if not busy:
                return
            if loop.time() >= give_up_at:
                raise TimeoutError(f"FakeCluster.arun_until_idle: still busy after {timeout} s: "
                                   + "; ".join(busy[:10]))  # fmt: skip
            await asyncio.sleep(0.005)

    async def _acall(self, fn: Callable[[], _T]) -> _T:
        """:meth:`_call` from a coroutine: awaits the cluster's thread instead of blocking."""
        future = self._on_loop(fn)
        return fn() if future is None else await asyncio.wrap_future(future)


_EMPTY: Mapping[str, str] = MappingProxyType({})


class ClusterClock:
    """A test's handle on a cluster's clock, usable from any thread."""

    __slots__ = ("_advance", "_now_ms")

    def __init__(self, *, advance: Callable[[timedelta | float], None], now_ms: Callable[[], int]) -> None:
        self._advance = advance
        self._now_ms = now_ms

    def now(self) -> datetime:
        """The cluster's current time (UTC)."""
        return datetime.fromtimestamp(self._now_ms() / 1000, tz=timezone.utc)

    def advance(self, delta: timedelta | float) -> None:
        """Move the cluster's time forward (a timedelta or seconds) and run what became due."""
        self._advance(delta)

    def __repr__(self) -> str:
        return f"ClusterClock(now={self.now().isoformat()})"


def _unauthorized(path: str, challenge: str) -> HttpResponse:
    response = HttpResponse.problem(
        401, "UNAUTHORIZED", "The request is missing valid credentials", path
    )
    response.headers = (("WWW-Authenticate", challenge),)
    return response
