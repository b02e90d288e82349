"""The pure logic both clients share: set-up, request preparation, retry decisions.

:class:`ClientCore` owns the configuration, the plugin manager, the logger,
the auth object and the retry policy of one client. The sync and async send
loops (``sync_client.py``, ``async_client.py``) call into it and do only I/O.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs
import httpx
import pluggy

from camunda_core.auth.header_provider import auth_from_provider
from camunda_core.backpressure import ConcurrencyBudget
from camunda_core.errors import (
    ApiError,
    CamundaError,
    ConfigurationError,
    ConfigurationProblem,
    PluginError,
    TransportError,
    TransportTimeoutError,
    ValidationError,
    map_transport_error,
    plain_http_server_error,
    shown_url,
    transport_message,
)
from camunda_core.logging import LevelFilteredLogger, NullLogger, SdkLogger, redact_headers
from camunda_core.plugins import notify_observers
from camunda_core.retry.policy import (
    Attempt,
    DefaultRetryPolicy,
    NoRetryPolicy,
    RetryPolicy,
    checked_next_delay,
    resolve_retry_policy,
)
from camunda_core.runtime.clock import Clock
from camunda_core.runtime.httpx_args import HttpxArgs, parse_httpx_args
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.request_builder import PreparedRequest, build_request
from camunda_core.runtime.response_handler import error_for_response, parse_success
from camunda_core.runtime.tls import TlsSettings
from camunda_core.runtime.transport import (
    USER_AGENT,
    default_timeout,
    environment_proxies,
    long_poll_timeout,
)

if TYPE_CHECKING:
    from camunda_core.auth.token_cache import TokenCache
    from camunda_core.config import CamundaConfig
    from camunda_core.config.resolve import ResolvedSources
    from camunda_core.runtime.client_runtime import ClientRuntime
    from camunda_core.runtime.events import RequestEvent, ResponseEvent
    from camunda_core.runtime.invoker import RetryOption

__all__ = ["SEND_FAILURES", "SEND_REFUSALS", "CallLimits", "ClientCore", "ClientRuntimeBase", "Outcome"]


class Outcome:
    """What one attempt produced: a parsed result, or an error (an ``ApiError`` carries its ``retry_after``)."""

    __slots__ = ("error", "result", "status")

    def __init__(
        self,
        *,
        result: Any = None,
        error: CamundaError | None = None,
        status: int | None = None,
    ) -> None:
        self.result = result
        self.error = error
        self.status = status


class CallLimits:
    """The time limits of one call.

    ``connect``/``read``/``write``/``pool`` are httpx's per-operation timeouts
    (``read`` bounds each wait on data, not the response). ``total`` bounds one
    attempt from the first byte sent to the last byte of the body; ``deadline``
    (seconds after the call started, or None) bounds the whole call, retries
    included. The ``*_source`` texts say in errors where a limit came from.
    """

    __slots__ = (
        "connect",
        "deadline",
        "deadline_source",
        "max_attempts",
        "pool",
        "read",
        "total",
        "total_source",
        "write",
    )

    def __init__(
        self,
        *,
        connect: float,
        read: float,
        total: float,
        total_source: str,
        deadline: float | None,
        deadline_source: str,
        max_attempts: int | None = None,
    ) -> None:
        self.total = total
        self.connect = min(connect, total)
        self.read = self.write = self.pool = read
        self.total_source = total_source
        self.deadline = deadline
        self.deadline_source = deadline_source
        #: The most attempts the retry policy makes, when it says (for "attempt n of m").
        self.max_attempts = max_attempts

    def window(self, now: float, call_end: float | None, timeouts: dict[str, float]) -> tuple[float, bool]:
        """Open an attempt at ``now``: its end, and whether the call's deadline (not ``total``) sets it.

        Fills ``timeouts`` (the request's httpx timeout extension) so that no
        single connect, read or write outlasts the attempt.
        """
        end = now + self.total
        by_deadline = call_end is not None and call_end < end
        if by_deadline:
            end = typing.cast(float, call_end)
        left = max(end - now, _MIN_WAIT)
        timeouts["connect"] = min(self.connect, left)
        timeouts["read"] = min(self.read, left)
        timeouts["write"] = min(self.write, left)
        timeouts["pool"] = min(self.pool, left)
        return end, by_deadline


# A socket timeout of 0 means "non-blocking" to the stack underneath: never pass one.
_MIN_WAIT = 0.001
# The most a plain-HTTP probe may take (a server that answers at all answers in milliseconds).
_PROBE_TIMEOUT = 1.0

#: What the HTTP stack raises, besides httpx.HTTPError, for a request it will not send:
#: httpx.InvalidURL, and bare ValueError/TypeError from h11 or aiohttp for a header value.
#: The send loops hand them to :meth:`ClientCore.transport_failure` (never retried).
SEND_REFUSALS: tuple[type[Exception], ...] = (httpx.InvalidURL, ValueError, TypeError)
#: Everything an attempt's send can raise that becomes an outcome instead of escaping.
SEND_FAILURES: tuple[type[Exception], ...] = (httpx.HTTPError, *SEND_REFUSALS)


class ClientCore:
    """Shared state and decisions of one client. No network I/O happens here."""

    def __init__(
        self,
        configuration: Mapping[str, object] | None = None,
        *,
        plugins: Sequence[object] = (),
        logger: SdkLogger | None = None,
        load_entry_points: bool = True,
        environ: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        hookspecs: Sequence[type | ModuleType] = (),
        httpx_args: HttpxArgs | None = None,
        auth_provider: object | None = None,
    ) -> None:
        from camunda_core.config.resolve import resolve_with_sources
        from camunda_core.plugins import (
            create_plugin_manager,
            plugin_config_variables,
            require_auth_strategy,
        )

        self.pm: pluggy.PluginManager = create_plugin_manager(
            plugins, load_entry_points=load_entry_points, hookspecs=hookspecs
        )
        self.config: CamundaConfig
        self.config, sources = resolve_with_sources(
            configuration, environ=environ, extra_variables=plugin_config_variables(self.pm)
        )
        #: The setting the REST address came from, as transport errors name it.
        self.address_variable = _address_variable(sources)
        # httpx_args= (the official SDK's) may set timeouts and the pool size.
        self.httpx_args: HttpxArgs = httpx_args if httpx_args is not None else HttpxArgs()
        changes = self.httpx_args.config_changes(self.config.http_request_timeout)
        if changes:
            self.config = attrs.evolve(self.config, **changes)  # pyright: ignore[reportArgumentType]
        self.time: Clock = clock if clock is not None else Clock()
        self.clock: Callable[[], float] = self.time.now
        self.logger = self._build_logger(logger)
        self.tls = TlsSettings.from_config(self.config)
        if auth_provider is not None:
            # auth_provider= replaces the configured strategy (as in the official SDK).
            self.auth: httpx.Auth = auth_from_provider(auth_provider)
        else:
            self.auth = self._build_auth(require_auth_strategy(self.pm, self.config.auth_strategy))
        policy = self.pm.hook.camunda_retry_policy(config=self.config)
        if not isinstance(policy, RetryPolicy):
            raise PluginError(f"camunda_retry_policy returned {type(policy).__name__}, not a RetryPolicy")
        self.retry_policy: RetryPolicy = policy
        # One budget for every client built on this core (a worker's blocking twin
        # included): CAMUNDA_MAX_CONCURRENT_REQUESTS caps them together.
        self.budget = ConcurrencyBudget(
            max_limit=self.config.max_concurrent_requests, adaptive=self.config.backpressure_adaptive
        )
        # Observer hooks cost a call per attempt; skip them when nobody listens.
        self.refresh_observers()
        self.headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        for name, value in self._user_headers(auth_provider).items():
            # The user's header replaces ours of the same name, whatever its case.
            self.headers = {k: v for k, v in self.headers.items() if k.lower() != name.lower()}
            self.headers[name] = value
        self.timeout = default_timeout(self.config)
        self.max_error_body = self.config.http_max_error_body_bytes
        # Most calls use these limits; build them once.
        self._default_limits = self._limits(self.retry_policy, None, None)
        # The send loops built on this core, for ClientRuntime.invoke/ainvoke: the
        # first client of each kind registers itself; the blocking twin is built on demand.
        self.blocking_sender: Callable[..., Any] | None = None
        self.async_sender: Callable[..., Awaitable[Any]] | None = None
        self.blocking_twin: Any = None

    def refresh_observers(self) -> None:
        """Re-read which observer hooks have implementations (after a plugin came or went)."""
        self._observe_requests = bool(self.pm.hook.camunda_on_request.get_hookimpls())
        self._observe_responses = bool(self.pm.hook.camunda_on_response.get_hookimpls())
        self._edit_requests = bool(self.pm.hook.camunda_edit_request.get_hookimpls())

    # -- set-up -----------------------------------------------------------------

    def _build_logger(self, explicit: SdkLogger | None) -> LevelFilteredLogger:
        config = self.config
        secrets = [s.reveal() for s in (config.client_secret, config.basic_auth_password) if s is not None]
        if explicit is not None:
            if isinstance(explicit, LevelFilteredLogger):
                return explicit
            # The user's own logger filters by its own level unless they set ours.
            level = config.log_level if config.log_level_explicit else "silly"
            return LevelFilteredLogger(NullLogger() if isinstance(explicit, NullLogger) else explicit, level, secrets=secrets)
        target = self.pm.hook.camunda_logger(config=config) or NullLogger()
        return LevelFilteredLogger(target, config.log_level, secrets=secrets)

    def _build_auth(self, strategy: Any) -> httpx.Auth:
        from camunda_core.auth.strategy import AuthContext

        context = AuthContext(config=self.config, logger=self.logger, tls=self.tls, token_cache=self._token_cache)
        try:
            auth = strategy.create(context)
        except CamundaError:
            raise
        except Exception as exc:
            raise PluginError(f"auth strategy {strategy.name!r} failed to start: {type(exc).__name__}: {exc}") from exc
        if not isinstance(auth, httpx.Auth):
            raise PluginError(f"auth strategy {strategy.name!r} returned {type(auth).__name__}, not an httpx.Auth")
        return auth

    def _token_cache(self) -> TokenCache:
        from camunda_core.plugins import token_cache_factories

        factories = token_cache_factories(self.pm)
        factory = factories.get(self.config.token_cache)
        if factory is None:
            known = ", ".join(sorted(factories)) or "none (install camunda-auth-oauth)"
            raise ConfigurationError(
                [ConfigurationProblem("CAMUNDA_TOKEN_CACHE", f"unknown token cache {self.config.token_cache!r}; available: {known}")]
            )
        return factory.create(self.config, self.logger)

    def _user_headers(self, auth_provider: object | None) -> dict[str, str]:
        """``httpx_args['headers']``; an ``Authorization`` among them only when nothing else authenticates."""
        headers = dict(self.httpx_args.headers)
        if any(name.lower() == "authorization" for name in headers) and (
            auth_provider is not None or self.config.auth_strategy != "NONE"
        ):
            who = "auth_provider=" if auth_provider is not None else f"CAMUNDA_AUTH_STRATEGY={self.config.auth_strategy}"
            raise ConfigurationError(
                [
                    ConfigurationProblem(
                        "httpx_args['headers']",
                        f"sets Authorization, which {who} sets too; drop one (a static token "
                        "header works with CAMUNDA_AUTH_STRATEGY=NONE, or pass auth_provider=)",
                    )
                ]
            )
        return headers

    def transport(self, *, asynchronous: bool) -> Any:
        # httpx_args={'transport': ...} wins over plugins and the default (checked for its kind).
        transport = self.httpx_args.transport_for(asynchronous=asynchronous)
        if transport is not None:
            return transport
        transport = self.pm.hook.camunda_http_transport(config=self.config, asynchronous=asynchronous)
        base = httpx.AsyncBaseTransport if asynchronous else httpx.BaseTransport
        if not isinstance(transport, base):
            kind = "async" if asynchronous else "sync"
            raise PluginError(f"camunda_http_transport returned {type(transport).__name__}, not an httpx {kind} transport")
        return transport

    def client_kwargs(self, *, asynchronous: bool = False) -> dict[str, Any]:
        """Keyword arguments for httpx.Client / AsyncClient (minus the transport)."""
        return {
            "base_url": self.config.rest_address,
            "auth": self.auth,
            "timeout": self.timeout,
            "headers": self.headers,
            "follow_redirects": False,
            **self.httpx_args.client_kwargs(asynchronous=asynchronous),
        }

    # -- per call -----------------------------------------------------------------

    def prepare(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        body: object,
        multipart: Mapping[str, object] | None,
    ) -> PreparedRequest:
        return build_request(
            op,
            path=path,
            query=query,
            body=body,
            multipart=multipart,
            default_tenant_id=self.config.tenant_id,
            default_tenant_ids=self.config.job_tenant_ids,
        )

    def call_limits(self, prepared: PreparedRequest, timeout: float | None, policy: RetryPolicy) -> CallLimits:
        """The limits of one call, from ``timeout=`` (seconds per attempt), the operation and the policy."""
        op = prepared.operation
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
                raise ValidationError(
                    f"{op.operation_id}: timeout must be a finite number of seconds > 0 (per attempt), got {timeout!r}"
                )
            return self._limits(policy, float(timeout), None)
        if op.long_poll:
            body = prepared.json_body
            poll_ms = typing.cast("dict[str, Any]", body).get("requestTimeout") if isinstance(body, dict) else None
            return self._limits(policy, None, long_poll_timeout(self.config, poll_ms).read)
        if policy is self.retry_policy:
            return self._default_limits
        return self._limits(policy, None, None)

    def _limits(self, policy: RetryPolicy, timeout: float | None, long_poll: float | None) -> CallLimits:
        config = self.config
        deadline, deadline_source = self._deadline_of(policy)
        max_attempts = _max_attempts_of(policy)
        if timeout is not None:
            # timeout= is the whole attempt; each read may then take all of it.
            return CallLimits(
                connect=config.http_connect_timeout,
                read=timeout,
                total=timeout,
                total_source="the call's timeout=",
                deadline=deadline,
                deadline_source=deadline_source,
                max_attempts=max_attempts,
            )
        if long_poll is not None:
            # long_poll is the poll time plus a margin (never under the read timeout). A
            # poll may outlast the retry deadline: the deadline then never cuts its first attempt.
            total = max(config.http_request_timeout, long_poll)
            return CallLimits(
                connect=config.http_connect_timeout,
                read=long_poll,
                total=total,
                total_source="the long poll's time plus a margin"
                if total > config.http_request_timeout
                else "CAMUNDA_HTTP_REQUEST_TIMEOUT_MS",
                deadline=None if deadline is None else max(deadline, total),
                deadline_source=deadline_source,
                max_attempts=max_attempts,
            )
        return CallLimits(
            connect=config.http_connect_timeout,
            read=config.http_read_timeout,
            total=config.http_request_timeout,
            total_source="CAMUNDA_HTTP_REQUEST_TIMEOUT_MS",
            deadline=deadline,
            deadline_source=deadline_source,
            max_attempts=max_attempts,
        )

    def _deadline_of(self, policy: RetryPolicy) -> tuple[float | None, str]:
        # The protocol only asks for next_delay; a policy with a numeric
        # ``deadline`` (DefaultRetryPolicy, say) bounds the call with it.
        deadline: object = getattr(policy, "deadline", None)
        if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not math.isfinite(deadline) or deadline <= 0:
            return None, ""
        if policy is self.retry_policy:
            if isinstance(policy, DefaultRetryPolicy) and policy.deadline == self.config.retry_deadline:
                return float(deadline), "CAMUNDA_RETRY_DEADLINE_MS"
            return float(deadline), f"the client's retry policy {type(policy).__name__}"
        return float(deadline), f"the call's retry= policy {type(policy).__name__}"

    def build_httpx_request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        prepared: PreparedRequest,
        timeouts: dict[str, float],
        trace: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> httpx.Request:
        """The request of one attempt. ``timeouts`` is filled in when the attempt starts (:meth:`CallLimits.window`)."""
        extensions: dict[str, Any] = {"timeout": timeouts}
        if trace is not None:
            extensions["trace"] = trace
        try:
            request = self._build_httpx_request(client, prepared, extensions)
            if self._edit_requests:
                request = self._edited_request(client, prepared, request, extensions)
            return request
        except SEND_REFUSALS as exc:
            # httpx refuses the URL (too long, say): nothing can be sent, say which operation.
            raise map_transport_error(
                exc, operation_id=prepared.operation.operation_id, method=prepared.method, url=None
            ) from None

    @staticmethod
    def _build_httpx_request(
        client: httpx.Client | httpx.AsyncClient, prepared: PreparedRequest, extensions: dict[str, Any]
    ) -> httpx.Request:
        if prepared.files:
            return client.build_request(
                prepared.method,
                prepared.path,
                params=prepared.params or None,
                files=list(prepared.files),
                extensions=extensions,
            )
        return client.build_request(
            prepared.method,
            prepared.path,
            params=prepared.params or None,
            content=prepared.content,
            headers=prepared.headers or None,
            extensions=extensions,
        )

    def _edited_request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        prepared: PreparedRequest,
        request: httpx.Request,
        extensions: dict[str, Any],
    ) -> httpx.Request:
        """The request after the ``camunda_edit_request`` editors: added headers, a replaced JSON body."""
        import attrs

        from camunda_core.runtime.outgoing import ANSWER_CALLBACKS, OutgoingRequest

        outgoing = OutgoingRequest(
            operation=prepared.operation,
            request=request,
            base_url=client.base_url,
            config=self.config,
            json_body=prepared.json_body,
        )
        notify_observers(self.pm.hook.camunda_edit_request, self.logger, request=outgoing)
        if outgoing.body_replaced:
            headers = dict(prepared.headers)
            headers["Content-Type"] = "application/json"
            replaced = attrs.evolve(prepared, content=outgoing.content, json_body=outgoing.json_body, headers=headers)
            request = self._build_httpx_request(client, replaced, extensions)
        if outgoing.headers:
            request.headers.update(outgoing.headers)
        if outgoing.answer_callbacks:
            # Carried by the request itself to on_response: no bookkeeping per attempt.
            request.extensions[ANSWER_CALLBACKS] = outgoing.answer_callbacks
        return request

    def policy_for(self, retry: RetryOption) -> RetryPolicy:
        return resolve_retry_policy(retry, self.retry_policy)

    def slot_wait(self, call_end: float | None) -> float | None:
        """How long an attempt may wait for a concurrency slot: until the call's deadline, if any."""
        if call_end is None:
            return None
        return max(call_end - self.clock(), 0.0)

    def on_attempt(self, prepared: PreparedRequest, request: httpx.Request, attempt: int) -> None:
        if self._observe_requests:
            from camunda_core.runtime.events import RequestEvent

            event: RequestEvent = RequestEvent(
                operation_id=prepared.operation.operation_id,
                method=request.method,
                url=str(request.url),
                attempt=attempt,
                headers=redact_headers(dict(request.headers)),
            )
            notify_observers(self.pm.hook.camunda_on_request, self.logger, event=event)
        if self.logger.is_enabled("debug"):
            self.logger.debug(
                "-> %s %s %s (attempt %d)", prepared.operation.operation_id, request.method, request.url, attempt
            )

    def on_response(
        self,
        prepared: PreparedRequest,
        request: httpx.Request,
        attempt: int,
        status: int | None,
        started: float,
        error: BaseException | None = None,
    ) -> None:
        callbacks = request.extensions.get(_ANSWER_CALLBACKS) if self._edit_requests else None
        if callbacks or self._observe_responses:
            from camunda_core.runtime.events import ResponseEvent

            # One event for both listeners: the attempt's answer callbacks and the observers.
            event: ResponseEvent = ResponseEvent(
                operation_id=prepared.operation.operation_id,
                method=request.method,
                url=str(request.url),
                attempt=attempt,
                status=status,
                elapsed_seconds=self.clock() - started,
                error=error,
            )
            if callbacks:
                self._answered(callbacks, event)
            if self._observe_responses:
                notify_observers(self.pm.hook.camunda_on_response, self.logger, event=event)
        if self.logger.is_enabled("debug"):
            self.logger.debug(
                "<- %s %s (%.1f ms)%s",
                prepared.operation.operation_id,
                status if status is not None else "no response",
                (self.clock() - started) * 1000,
                f" {type(error).__name__}: {error}" if error is not None else "",
            )

    def _answered(self, callbacks: list[Callable[[ResponseEvent], None]], event: ResponseEvent) -> None:
        """Tell the ``OutgoingRequest.on_answer`` callbacks of this attempt how it ended."""
        for callback in callbacks:
            try:
                callback(event)
            except Exception as exc:  # watching a call must never break it
                self.logger.error("answer callback %r raised %s: %s (ignored)", callback, type(exc).__name__, exc)

    def read_response(
        self, prepared: PreparedRequest, response: httpx.Response, content: bytes, truncated: bool = False
    ) -> Outcome:
        """Turn a received response and its body into a result or an error (pure).

        ``truncated``: the body of an error response was cut at ``max_error_body`` bytes.
        """
        op = prepared.operation
        status = response.status_code
        if 200 <= status < 300:
            return Outcome(
                result=parse_success(op, status, content, response.headers),
                status=status,
            )
        error = error_for_response(
            op, status, content, response.headers, url=str(response.request.url), body_truncated=truncated
        )
        return Outcome(error=error, status=status)

    def transport_failure(
        self,
        prepared: PreparedRequest,
        request: httpx.Request,
        exc: Exception,
        limits: CallLimits,
        attempt: int,
        started: float,
    ) -> Outcome:
        """The error of an attempt the HTTP stack failed; ``started`` is when the call began."""
        error = map_transport_error(
            exc,
            operation_id=prepared.operation.operation_id,
            method=request.method,
            url=str(request.url),
            attempt=attempt,
            max_attempts=limits.max_attempts,
            elapsed_seconds=self.clock() - started,
            address_variable=self.address_variable,
        )
        return Outcome(error=error)

    def cut_off(
        self,
        prepared: PreparedRequest,
        request: httpx.Request,
        limits: CallLimits,
        by_deadline: bool,
        attempt: int,
        started: float,
        *,
        request_sent: bool | None,
        cause: BaseException | None = None,
    ) -> Outcome:
        """The error of an attempt stopped by its own limit (``total``) or by the call's deadline."""
        op_id = prepared.operation.operation_id
        if by_deadline:
            reason = f"the call's deadline of {limits.deadline:g} s ({limits.deadline_source}) passed"
            phase = "deadline"
        else:
            reason = f"the attempt's limit of {limits.total:g} s ({limits.total_source}) passed"
            phase = "total"
        if isinstance(cause, TransportError) and cause.request_sent is not None:
            request_sent = cause.request_sent if request_sent is None else request_sent
        url = shown_url(str(request.url))
        elapsed = self.clock() - started
        error = TransportTimeoutError(
            transport_message(
                op_id,
                "no complete response from",
                url,
                reason,
                method=request.method,
                attempt=attempt,
                max_attempts=limits.max_attempts,
                elapsed_seconds=elapsed,
                address_variable=self.address_variable,
            ),
            phase=phase,
            operation_id=op_id,
            method=request.method,
            url=url,
            request_sent=request_sent,
            attempt=attempt,
            max_attempts=limits.max_attempts,
            elapsed_seconds=elapsed,
            address_variable=self.address_variable,
        )
        if cause is not None:
            error.__cause__ = cause
        return Outcome(error=error)

    def slot_timeout(
        self,
        error: TransportTimeoutError,
        prepared: PreparedRequest,
        request: httpx.Request,
        limits: CallLimits,
        attempt: int,
        started: float,
    ) -> TransportTimeoutError:
        """The concurrency budget's "no slot came free" error, saying where like a transport error."""
        op_id = prepared.operation.operation_id
        text = str(error)
        reason = text[len(op_id) + 2 :] if text.startswith(f"{op_id}: ") else text
        url = shown_url(str(request.url))
        elapsed = self.clock() - started
        located = {
            "operation_id": op_id,
            "method": request.method,
            "url": url,
            "attempt": attempt,
            "max_attempts": limits.max_attempts,
            "elapsed_seconds": elapsed,
            "address_variable": self.address_variable,
        }
        message = transport_message(
            op_id,
            "nothing sent to",
            url,
            reason,
            method=request.method,
            attempt=attempt,
            max_attempts=limits.max_attempts,
            elapsed_seconds=elapsed,
            address_variable=self.address_variable,
        )
        return TransportTimeoutError(message, phase=error.phase, request_sent=False, **located)

    def plain_http_probe(self, request: httpx.Request, error: CamundaError | None) -> tuple[str, int, float] | None:
        """Where and how long to ask in plain HTTP after an ``https://`` connect timed out, or None.

        A plain-HTTP server that waits for a request head never answers a TLS
        ClientHello: the handshake only times out, attempt after attempt. Asked
        in plain HTTP, such a server answers at once (the send loops ask, with
        :func:`~camunda_core.runtime.tls.answers_plain_http`). Not through a
        proxy: the probe goes straight to the server.
        """
        if not (isinstance(error, TransportTimeoutError) and error.phase == "connect"):
            return None
        url = request.url
        if url.scheme != "https" or environment_proxies():
            return None
        return url.host, url.port or 443, min(_PROBE_TIMEOUT, self.config.http_connect_timeout)

    @staticmethod
    def plain_http_server(outcome: Outcome) -> Outcome:
        """The outcome of a handshake timeout once the server answered in plain HTTP: a final TlsError."""
        error = outcome.error
        assert isinstance(error, TransportError)  # plain_http_probe asks only for connect timeouts
        return Outcome(error=plain_http_server_error(error))

    def next_delay(
        self, policy: RetryPolicy, prepared: PreparedRequest, outcome: Outcome, attempt: int, started: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to raise ``outcome.error``."""
        error = outcome.error
        if not isinstance(error, (ApiError, TransportError)):
            return None
        if isinstance(error, TransportTimeoutError) and error.phase == "deadline":
            return None
        op = prepared.operation
        delay = checked_next_delay(
            policy,
            Attempt(
                operation_id=op.operation_id,
                idempotent=op.idempotent,
                attempt=attempt,
                elapsed=self.clock() - started,
                status=outcome.status,
                error=error,
            )
        )
        if delay is not None:
            self.logger.info(
                "%s: %s; retrying in %.0f ms (attempt %d)", op.operation_id, _short(error), delay * 1000, attempt + 1
            )
        return delay

    def close_twins(self) -> None:
        """Close the blocking client built on demand for this core (``ClientRuntime.blocking_client``)."""
        twin, self.blocking_twin = self.blocking_twin, None
        if twin is not None:
            twin.close()

    def close_auth(self) -> None:
        """Release what the auth strategy holds (e.g. the token endpoint's connections)."""
        closer = getattr(self.auth, "close", None)
        if callable(closer):
            closer()

    async def aclose_auth(self) -> None:
        """:meth:`close_auth` for the async client: the strategy's async side too."""
        async_closer: Callable[[], Awaitable[object]] | None = getattr(self.auth, "aclose", None)
        if async_closer is not None:
            await async_closer()
        self.close_auth()


def _max_attempts_of(policy: RetryPolicy) -> int | None:
    if isinstance(policy, NoRetryPolicy):
        return 1
    # The protocol only asks for next_delay; a policy that states a maximum is quoted.
    value: object = getattr(policy, "max_attempts", None)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def _address_variable(sources: ResolvedSources) -> str:
    """How a transport error names the setting the REST address came from."""
    found = sources.found.get("CAMUNDA_REST_ADDRESS")
    if found is None:
        return "default"
    name, layer = found
    if layer == "explicit":
        return f"configuration[{name!r}]"
    if layer == ".env":
        return f"{name} in {sources.envfile}" if sources.envfile is not None else f"{name} in the .env file"
    return name


#: ``camunda_core.runtime.outgoing.ANSWER_CALLBACKS`` (not imported here: that module loads
#: only when an editor plugin is installed).
_ANSWER_CALLBACKS = "camunda_answer_callbacks"


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= 200 else text[:200] + "…"



class ClientRuntimeBase:
    """What the sync and async clients share outside their send loops: the core and its views."""

    _core: ClientCore
    _owns_core: bool
    _runtime: ClientRuntime

    def _adopt_core(
        self,
        runtime: ClientRuntime | None,
        configuration: Mapping[str, object] | None,
        *,
        plugins: Sequence[object],
        logger: SdkLogger | None,
        load_entry_points: bool,
        environ: Mapping[str, str] | None,
        clock: Clock | None,
        httpx_args: Mapping[str, Any] | None = None,
        auth_provider: object | None = None,
    ) -> ClientCore:
        from camunda_core.runtime.client_runtime import ClientRuntime

        if runtime is not None:
            # Built on another client's runtime (a worker's blocking twin, say): it
            # shares that client's configuration, auth, plugins and budget, and must
            # not close them.
            given = [
                name
                for name, value in (
                    ("configuration", configuration),
                    ("plugins", plugins or None),
                    ("logger", logger),
                    ("environ", environ),
                    ("clock", clock),
                    ("httpx_args", httpx_args),
                    ("auth_provider", auth_provider),
                )
                if value is not None
            ]
            if given:
                raise ValidationError(
                    f"{type(self).__name__}: runtime= shares another client's settings; "
                    f"do not also pass {', '.join(given)}"
                )
            self._owns_core = False
            self._runtime = runtime
            self._core = runtime.core
            return self._core
        self._owns_core = True
        self._core = ClientCore(
            configuration,
            plugins=plugins,
            logger=logger,
            load_entry_points=load_entry_points,
            environ=environ,
            clock=clock,
            hookspecs=type(self).hookspecs,
            httpx_args=parse_httpx_args(
                httpx_args, client=type(self).__name__, asynchronous=self._asynchronous
            ),
            auth_provider=auth_provider,
        )
        self._runtime = ClientRuntime(self._core)
        return self._core

    #: Hook specifications a client class adds to its plugin manager (the job-worker hooks, say).
    hookspecs: typing.ClassVar[tuple[type | ModuleType, ...]] = ()
    #: Whether this client sends asynchronously (which kind of transport and hooks it takes).
    _asynchronous: typing.ClassVar[bool] = False

    @property
    def runtime(self) -> ClientRuntime:
        """The public seam under this client: configuration, logger, plugins, budget, ``invoke``."""
        return self._runtime

    @property
    def configuration(self) -> CamundaConfig:
        """The resolved configuration (its repr redacts secrets)."""
        return self._core.config

    @property
    def logger(self) -> SdkLogger:
        return self._core.logger

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        return self._core.pm

    def __repr__(self) -> str:
        config = self._core.config
        return f"{type(self).__name__}(rest_address={config.rest_address!r}, auth={config.auth_strategy!r})"
