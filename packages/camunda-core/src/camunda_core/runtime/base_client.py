"""The pure logic both clients share: set-up, request preparation, retry decisions.

:class:`ClientCore` owns the configuration, the plugin manager, the logger,
the auth object and the retry policy of one client. The sync and async send
loops (``sync_client.py``, ``async_client.py``) call into it and do only I/O.
"""

from __future__ import annotations

import time
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx
import pluggy

from camunda_core.errors import (
    ApiError,
    CamundaError,
    ConfigurationError,
    ConfigurationProblem,
    PluginError,
    TransportError,
    map_transport_error,
)
from camunda_core.logging import LevelFilteredLogger, NullLogger, SdkLogger, redact_headers
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.request_builder import PreparedRequest, build_request
from camunda_core.runtime.response_handler import error_for_response, parse_success
from camunda_core.runtime.retry import (
    AdaptiveConcurrencyLimit,
    Attempt,
    RetryPolicy,
    checked_next_delay,
    parse_retry_after,
    resolve_retry_policy,
)
from camunda_core.runtime.tls import TlsSettings
from camunda_core.runtime.transport import USER_AGENT, default_timeout, long_poll_timeout

if TYPE_CHECKING:
    from camunda_core.auth.token_cache import TokenCache
    from camunda_core.config import CamundaConfig
    from camunda_core.runtime.events import RequestEvent, ResponseEvent
    from camunda_core.runtime.invoker import RetryOption

__all__ = ["ClientCore", "ClientRuntimeBase", "Outcome"]


class Outcome:
    """What one attempt produced: a parsed result, or an error with retry facts."""

    __slots__ = ("error", "result", "retry_after", "status")

    def __init__(
        self,
        *,
        result: Any = None,
        error: CamundaError | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.result = result
        self.error = error
        self.status = status
        self.retry_after = retry_after


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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from camunda_core.config import resolve_config
        from camunda_core.plugins import (
            create_plugin_manager,
            plugin_config_variables,
            require_auth_strategy,
        )

        self.pm: pluggy.PluginManager = create_plugin_manager(plugins, load_entry_points=load_entry_points)
        self.config: CamundaConfig = resolve_config(
            configuration, environ=environ, extra_variables=plugin_config_variables(self.pm)
        )
        self.clock = clock
        self.logger = self._build_logger(logger)
        self.tls = TlsSettings.from_config(self.config)
        strategy = require_auth_strategy(self.pm, self.config.auth_strategy)
        self.auth: httpx.Auth = self._build_auth(strategy)
        policy = self.pm.hook.camunda_retry_policy(config=self.config)
        if not isinstance(policy, RetryPolicy):
            raise PluginError(f"camunda_retry_policy returned {type(policy).__name__}, not a RetryPolicy")
        self.retry_policy: RetryPolicy = policy
        self.limit: AdaptiveConcurrencyLimit | None = (
            AdaptiveConcurrencyLimit(max_limit=self.config.max_concurrent_requests, clock=clock)
            if self.config.backpressure_adaptive
            else None
        )
        # Observer hooks cost a call per attempt; skip them when nobody listens.
        self._observe_requests = bool(self.pm.hook.camunda_on_request.get_hookimpls())
        self._observe_responses = bool(self.pm.hook.camunda_on_response.get_hookimpls())
        self.headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        self.timeout = default_timeout(self.config)

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

    def transport(self, *, asynchronous: bool) -> Any:
        transport = self.pm.hook.camunda_http_transport(config=self.config, asynchronous=asynchronous)
        base = httpx.AsyncBaseTransport if asynchronous else httpx.BaseTransport
        if not isinstance(transport, base):
            kind = "async" if asynchronous else "sync"
            raise PluginError(f"camunda_http_transport returned {type(transport).__name__}, not an httpx {kind} transport")
        return transport

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for httpx.Client / AsyncClient (minus the transport)."""
        return {
            "base_url": self.config.rest_address,
            "auth": self.auth,
            "timeout": self.timeout,
            "headers": self.headers,
            "follow_redirects": False,
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
            op, path=path, query=query, body=body, multipart=multipart, default_tenant_id=self.config.tenant_id
        )

    def request_timeout(self, prepared: PreparedRequest, timeout: float | None) -> httpx.Timeout | None:
        if timeout is not None:
            if timeout <= 0:
                from camunda_core.errors import ValidationError

                raise ValidationError(f"{prepared.operation.operation_id}: timeout must be > 0 seconds, got {timeout!r}")
            return httpx.Timeout(timeout, connect=min(timeout, self.config.http_connect_timeout))
        if prepared.operation.long_poll:
            body = prepared.json_body
            poll_ms = typing.cast("dict[str, Any]", body).get("requestTimeout") if isinstance(body, dict) else None
            return long_poll_timeout(self.config, poll_ms)
        return None

    def build_httpx_request(
        self, client: httpx.Client | httpx.AsyncClient, prepared: PreparedRequest, timeout: httpx.Timeout | None
    ) -> httpx.Request:
        extensions = {"timeout": timeout.as_dict()} if timeout is not None else None
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

    def policy_for(self, retry: RetryOption) -> RetryPolicy:
        return resolve_retry_policy(retry, self.retry_policy)

    def gated(self, op: Operation[Any]) -> bool:
        return self.limit is not None and not op.backpressure_exempt

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
            self.pm.hook.camunda_on_request(event=event)
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
        if self._observe_responses:
            from camunda_core.runtime.events import ResponseEvent

            event: ResponseEvent = ResponseEvent(
                operation_id=prepared.operation.operation_id,
                method=request.method,
                url=str(request.url),
                attempt=attempt,
                status=status,
                elapsed_seconds=self.clock() - started,
                error=error,
            )
            self.pm.hook.camunda_on_response(event=event)
        if self.logger.is_enabled("debug"):
            self.logger.debug(
                "<- %s %s (%.1f ms)%s",
                prepared.operation.operation_id,
                status if status is not None else "no response",
                (self.clock() - started) * 1000,
                f" {type(error).__name__}: {error}" if error is not None else "",
            )

    def read_response(self, prepared: PreparedRequest, response: httpx.Response) -> Outcome:
        """Turn a received response into a result or an error (pure)."""
        op = prepared.operation
        status = response.status_code
        if 200 <= status < 300:
            if self.limit is not None:
                self.limit.on_success()
            return Outcome(
                result=parse_success(op, status, response.content, response.headers),
                status=status,
            )
        error = error_for_response(op, status, response.content, response.headers, url=str(response.request.url))
        if error.is_backpressure and self.limit is not None:
            self.limit.on_backpressure()
        return Outcome(error=error, status=status, retry_after=parse_retry_after(response.headers.get("retry-after")))

    def transport_failure(self, prepared: PreparedRequest, request: httpx.Request, exc: Exception) -> Outcome:
        error = map_transport_error(
            exc, operation_id=prepared.operation.operation_id, method=request.method, url=str(request.url)
        )
        return Outcome(error=error)

    def next_delay(
        self, policy: RetryPolicy, prepared: PreparedRequest, outcome: Outcome, attempt: int, started: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to raise ``outcome.error``."""
        error = outcome.error
        if not isinstance(error, (ApiError, TransportError)):
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
                retry_after=outcome.retry_after,
            )
        )
        if delay is not None:
            self.logger.info(
                "%s: %s; retrying in %.0f ms (attempt %d)", op.operation_id, _short(error), delay * 1000, attempt + 1
            )
        return delay

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


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= 200 else text[:200] + "…"



class ClientRuntimeBase:
    """What the sync and async clients share outside their send loops: the core and its views."""

    _core: ClientCore
    _owns_core: bool

    def _adopt_core(
        self,
        core: ClientCore | None,
        configuration: Mapping[str, object] | None,
        *,
        plugins: Sequence[object],
        logger: SdkLogger | None,
        load_entry_points: bool,
        environ: Mapping[str, str] | None,
    ) -> ClientCore:
        # A client built on another client's core (a worker's sync client for thread
        # handlers) shares its auth and must not close it.
        self._owns_core = core is None
        self._core = core or ClientCore(
            configuration, plugins=plugins, logger=logger, load_entry_points=load_entry_points, environ=environ
        )
        return self._core

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
