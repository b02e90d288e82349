"""The tracing plugin: a span per API call attempt and per job, trace context in headers and variables.

API calls (``camunda_edit_request``): each attempt gets a ``CLIENT`` span named
``{method} {url.template}`` (the OpenTelemetry HTTP client conventions), started as
the request is built, child of whatever span is current there, and ended by the
request's own answer callback (``OutgoingRequest.on_answer``) when the attempt's
status or failure is known. Its context is injected into the request's headers by
the global propagator (W3C ``traceparent`` and ``tracestate`` by default). The span
is not attached as the *current* span: the send loop offers no seam around the send
itself, and a span attached but never detached (a call cancelled mid-flight reports
nothing back) would become the parent of everything the caller did next. Nothing
inside the send creates spans, so the injected context is what matters, and it is
the span's.

Jobs (``camunda_job_scope`` + ``camunda_job_finished``, declared by
``camunda_workers``): each job gets a ``CONSUMER`` span ``process {job type}``,
current while its handler runs and while the worker sends the job's outcome, so
the handler's API calls and the completion nest under it.

Process variables (opt-in): ``createProcessInstance``, ``publishMessage``,
``correlateMessage``, ``broadcastSignal`` and ``completeJob`` carry the attempt
span's context in the variable :data:`TRACE_CONTEXT_VARIABLE` (``completeJob`` only when a
worker completes a job of a kind that may set variables: never a task listener's); a job whose
variables hold it gets its span as the child of that context. A trace then follows
an instance: creation -> first job -> its completion -> the next job -> ...
Activation requests that name the variables to fetch also fetch this one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from camunda_core.config.parsers import parse_bool
from camunda_core.config.variables import Variable
from camunda_core.hookspecs import hookimpl

if TYPE_CHECKING:
    import pluggy
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, Tracer, TracerProvider

    from camunda_core.config import CamundaConfig
    from camunda_core.runtime.events import ResponseEvent
    from camunda_core.runtime.outgoing import OutgoingRequest

__all__ = [
    "INSTRUMENTATION_NAME",
    "PROPAGATE_VARIABLES_SETTING",
    "TRACE_CONTEXT_VARIABLE",
    "TRACING_SETTING",
    "CamundaTracing",
]

#: The instrumentation scope of the spans (``get_tracer`` name).
INSTRUMENTATION_NAME = "camunda_otel"
#: The process variable that carries the trace context when propagation is on: a JSON
#: object of the propagator's fields, e.g. ``{"traceparent": "00-...-01"}``.
TRACE_CONTEXT_VARIABLE = "_camunda_trace_context"
#: ``false`` turns tracing off for a client (the plugin stays installed, records nothing).
TRACING_SETTING = "CAMUNDA_OTEL_TRACING"
#: ``true`` carries the trace context through process variables (off by default).
PROPAGATE_VARIABLES_SETTING = "CAMUNDA_OTEL_PROPAGATE_VARIABLES"

#: Operations whose body brings variables into a process instance.
_CARRYING_OPERATIONS = frozenset(
    {"createProcessInstance", "publishMessage", "correlateMessage", "broadcastSignal", "completeJob"}
)
#: Query keys whose values the HTTP conventions ask to redact in ``url.full``.
_SENSITIVE_QUERY_KEYS = frozenset(
    {"AWSAccessKeyId", "Signature", "sig", "X-Amz-Credential", "X-Amz-Security-Token", "X-Amz-Signature", "X-Goog-Signature"}
)
#: The key, in the OpenTelemetry context a job scope makes current, of that job's kind.
_JOB_KIND = otel_context.create_key("camunda_job_kind")
#: Job kinds whose completion may carry variables (a task listener's may not: the server
#: refuses variables there).
_KINDS_CARRYING_VARIABLES = frozenset({"BPMN_ELEMENT", "EXECUTION_LISTENER", "AD_HOC_SUB_PROCESS"})
#: How long "no tracer provider is configured" is believed before it is looked up again.
_RECHECK_SECONDS = 1.0
#: Job outcomes (``camunda_workers.JobOutcome``) that leave the span's status ``ERROR``.
_FAILED_OUTCOMES = frozenset({"failed", "lost_lease", "send_failed"})
_MAX_DESCRIPTION = 300

_VARIABLES = (
    Variable(
        name=TRACING_SETTING,
        description="camunda-otel: false turns tracing off for this client (on when the plugin is installed).",
        parse=parse_bool,
        kind="boolean",
        default="true",
    ),
    Variable(
        name=PROPAGATE_VARIABLES_SETTING,
        description=(
            f"camunda-otel: true carries the trace context through the process variable "
            f"{TRACE_CONTEXT_VARIABLE} (instance creation, messages, signals, job completion), "
            "and job spans continue the trace found there."
        ),
        parse=parse_bool,
        kind="boolean",
        default="false",
    ),
)


class _Job(Protocol):
    """What the job span reads of a ``camunda_workers.JobContext`` (not imported: workers are optional)."""

    @property
    def job_key(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def variables(self) -> Mapping[str, Any]: ...
    @property
    def retries(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def process_instance_key(self) -> str: ...
    @property
    def process_definition_id(self) -> str: ...
    @property
    def process_definition_key(self) -> str: ...
    @property
    def element_id(self) -> str: ...
    @property
    def element_instance_key(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...


class _AttemptSpan:
    """Ends one attempt's span with what the attempt's answer says (``OutgoingRequest.on_answer``)."""

    __slots__ = ("span",)

    def __init__(self, span: Span) -> None:
        self.span = span

    def __call__(self, event: ResponseEvent) -> None:
        span = self.span
        if span.is_recording():
            if event.attempt > 1:
                span.set_attribute("http.request.resend_count", event.attempt - 1)
            status = event.status
            if status is not None:
                span.set_attribute("http.response.status_code", status)
                if status >= 400:
                    # The status says why; the conventions ask for no description then.
                    span.set_attribute("error.type", str(status))
                    span.set_status(Status(StatusCode.ERROR))
            elif event.error is not None:
                error = event.error
                span.set_attribute("error.type", _qualified_name(error))
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, _description(error)))
        span.end()

    def __repr__(self) -> str:
        return "camunda_otel span end"


class CamundaTracing:
    """The tracing plugin. Installed, it is on; pass it explicitly to choose its providers.

    ``CamundaClient(plugins=[CamundaTracing(tracer_provider=..., meter_provider=...)])``:

    * ``tracer_provider``: where spans go (default: OpenTelemetry's global provider,
      looked up at each span, so one configured after the client is built is used).
    * ``meter_provider``: the job workers' metrics (``camunda_workers.otel``) are recorded
      through it once this plugin is registered with a client (process-wide: the workers'
      bridge has one provider). Default: the global meter provider, which the bridge uses anyway.
    * ``propagate_variables``: carry the trace context through process variables; None
      (default) reads ``CAMUNDA_OTEL_PROPAGATE_VARIABLES`` from the client's configuration.
    * ``enabled``: None (default) reads ``CAMUNDA_OTEL_TRACING`` (default true).

    An explicit instance replaces the one the entry point installed, on that client.
    """

    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        propagate_variables: bool | None = None,
        enabled: bool | None = None,
    ) -> None:
        self._tracer_provider = tracer_provider
        self._meter_provider = meter_provider
        self._propagate_variables = propagate_variables
        self._enabled = enabled
        self._tracer_lock = threading.Lock()
        self._tracer: Tracer | None = None
        self._metrics_wired = False
        #: Until when (monotonic) no configured tracer provider is assumed; see :meth:`_tracing_off`.
        self._off_until = 0.0
        #: Set by the entry point's own instance (:mod:`camunda_otel.plugin`).
        self.installed_by_entry_point = False
        #: Job key -> the span of that job while it runs here (for ``camunda_job_finished``).
        self.running_jobs: dict[str, _JobSpan] = {}

    def __repr__(self) -> str:
        how = "entry point" if self.installed_by_entry_point else "explicit"
        return f"CamundaTracing({how}, propagate_variables={self._propagate_variables}, enabled={self._enabled})"

    # -- settings ------------------------------------------------------------------------

    def tracing_enabled(self, config: CamundaConfig) -> bool:
        if self._enabled is not None:
            return self._enabled
        return config.extra.get(TRACING_SETTING, True) is not False

    def propagates_variables(self, config: CamundaConfig) -> bool:
        if self._propagate_variables is not None:
            return self._propagate_variables
        return config.extra.get(PROPAGATE_VARIABLES_SETTING, False) is True

    def tracer(self) -> Tracer:
        tracer = self._tracer
        if tracer is None:
            with self._tracer_lock:
                tracer = self._tracer
                if tracer is None:
                    tracer = self._tracer = trace.get_tracer(
                        INSTRUMENTATION_NAME, _version(), tracer_provider=self._tracer_provider
                    )
        return tracer

    def _tracing_off(self) -> bool:
        """No provider passed and none configured globally: every span would be a no-op.

        Installed but not configured, the plugin should cost next to nothing per call;
        looking the global provider up costs more than the rest, so a negative answer is
        kept for a second (a provider set later is used from then on).
        """
        if self._tracer_provider is not None:
            return False
        if self._off_until:
            if time.monotonic() < self._off_until:
                return True
            self._off_until = 0.0
        if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            self._off_until = time.monotonic() + _RECHECK_SECONDS
            return True
        return False

    # -- registration ------------------------------------------------------------------------

    @hookimpl
    def camunda_add_hookspecs(self, plugin_manager: pluggy.PluginManager) -> None:
        # The one hook called as this plugin is registered with a client: the place to
        # retire the entry point's instance (an explicit one replaces it, never doubles
        # the spans) and to point the workers' metrics at our meter provider.
        if not self.installed_by_entry_point:
            for plugin in plugin_manager.get_plugins():
                if isinstance(plugin, CamundaTracing) and plugin is not self and plugin.installed_by_entry_point:
                    plugin_manager.unregister(plugin)
        if self._meter_provider is not None and not self._metrics_wired:
            self._metrics_wired = _use_worker_meter_provider(self._meter_provider)

    @hookimpl
    def camunda_config_variables(self) -> Sequence[Variable]:
        return _VARIABLES

    # -- API calls ------------------------------------------------------------------------------

    @hookimpl
    def camunda_edit_request(self, request: OutgoingRequest) -> None:
        config = request.config
        if not self.tracing_enabled(config) or self._tracing_off():
            return
        span = self.tracer().start_span(
            f"{request.method} {request.url_template}",
            kind=SpanKind.CLIENT,
            attributes=_request_attributes(request),
        )
        request.on_answer(_AttemptSpan(span))
        span_context = trace.set_span_in_context(span)
        propagate.inject(request.headers, context=span_context)
        if self.propagates_variables(config):
            _carry_trace_context(request, span_context)

    # -- jobs (hooks of camunda_workers, optional) -------------------------------------------------

    @hookimpl(optionalhook=True)
    def camunda_job_scope(self, job: _Job, worker_name: str, config: CamundaConfig) -> _JobSpan | None:
        if not self.tracing_enabled(config) or self._tracing_off():
            return None
        return _JobSpan(self, job, worker_name, self.propagates_variables(config))

    @hookimpl(optionalhook=True)
    def camunda_job_finished(self, event: Any) -> None:
        job_span = self.running_jobs.get(event.job_key)
        if job_span is not None:
            job_span.outcome = event.outcome
            job_span.interrupt = event.interrupt


class _JobSpan:
    """The span of one job: current from before its handler runs until its outcome was sent."""

    __slots__ = ("_job", "_owner", "_propagate", "_span", "_token", "_worker_name", "interrupt", "outcome")

    def __init__(self, owner: CamundaTracing, job: _Job, worker_name: str, propagate_variables: bool) -> None:
        self._owner = owner
        self._job = job
        self._worker_name = worker_name
        self._propagate = propagate_variables
        self._span: Span | None = None
        self._token: object = None
        #: Set by ``camunda_job_finished`` (a ``camunda_workers.JobOutcome``).
        self.outcome: str | None = None
        self.interrupt: str | None = None

    def __enter__(self) -> Span:
        job = self._job
        carried = _carried_context(job.variables)
        links: list[Link] | None = None
        if carried is not None and self._propagate:
            parent = carried
        else:
            # A job starts a trace of its own (not a child of whatever ran the worker);
            # a context that came with it without propagation on is linked, not followed.
            parent = otel_context.Context()
            if carried is not None:
                found = trace.get_current_span(carried).get_span_context()
                if found.is_valid:
                    links = [Link(found)]
        span = self._owner.tracer().start_span(
            f"process {job.type}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes=_job_attributes(job, self._worker_name),
            links=links,
        )
        self._span = span
        current = trace.set_span_in_context(span, carried if parent is carried else None)
        # The job's kind travels with the span, for the completion the job's context sends.
        self._token = otel_context.attach(otel_context.set_value(_JOB_KIND, job.kind, current))
        self._owner.running_jobs[job.job_key] = self
        return span

    def __exit__(self, exc_type: object, error: BaseException | None, traceback: object) -> None:
        span = self._span
        if span is None:
            return
        self._span = None
        self._owner.running_jobs.pop(self._job.job_key, None)
        otel_context.detach(cast("Any", self._token))
        try:
            if span.is_recording():
                self._record_end(span, error)
        finally:
            span.end()

    def _record_end(self, span: Span, error: BaseException | None) -> None:
        outcome = self.outcome
        if error is not None:
            span.record_exception(error)
        if self.interrupt is not None:
            span.set_attribute("camunda.job.interrupt", self.interrupt)
        if outcome is None:
            span.set_attribute("error.type", "no_outcome")
            span.set_status(
                Status(StatusCode.ERROR, "no outcome was sent for the job (its handler timed out or was stopped)")
            )
            return
        span.set_attribute("camunda.job.outcome", outcome)
        if outcome in _FAILED_OUTCOMES:
            span.set_attribute("error.type", _qualified_name(error) if error is not None else outcome)
            span.set_status(
                Status(StatusCode.ERROR, _description(error) if error is not None else f"job outcome: {outcome}")
            )


# -- helpers ---------------------------------------------------------------------------------------


def _request_attributes(request: OutgoingRequest) -> dict[str, str | int]:
    parts = urlsplit(request.url)
    port = parts.port
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return {
        "http.request.method": request.method,
        "url.full": _safe_url(parts.scheme, parts.netloc, parts.path, parts.query),
        "url.template": request.url_template,
        "server.address": parts.hostname or "",
        "server.port": port,
        "camunda.operation.id": request.operation_id,
    }


def _safe_url(scheme: str, netloc: str, path: str, query: str) -> str:
    """The URL with credentials and the conventions' sensitive query values redacted."""
    if "@" in netloc:
        netloc = "REDACTED:REDACTED@" + netloc.rpartition("@")[2]
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key in _SENSITIVE_QUERY_KEYS for key, _ in pairs):
            query = urlencode([(key, "REDACTED" if key in _SENSITIVE_QUERY_KEYS else value) for key, value in pairs])
    return urlunsplit((scheme, netloc, path, query, ""))


def _carry_trace_context(request: OutgoingRequest, span_context: otel_context.Context) -> None:
    """Put the attempt's trace context into the variables the request brings into an instance."""
    body = request.json_body
    if not isinstance(body, dict):
        return
    data = cast("dict[str, Any]", body)
    operation_id = request.operation_id
    if operation_id == "completeJob" and otel_context.get_value(_JOB_KIND) not in _KINDS_CARRYING_VARIABLES:
        return  # not a worker's completion of a job that may set variables
    if operation_id in _CARRYING_OPERATIONS:
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=span_context)
        if not carrier:
            return  # no valid span: nothing to carry
        variables: object = data.get("variables")
        if variables is None:
            variables = {}
        if not isinstance(variables, dict):
            return  # not ours to reinterpret; the server will say what is wrong
        merged = {**cast("dict[str, Any]", variables), TRACE_CONTEXT_VARIABLE: carrier}
        request.replace_json_body({**data, "variables": merged})
    elif operation_id == "activateJobs":
        fetch: object = data.get("fetchVariable")
        if isinstance(fetch, list) and fetch and TRACE_CONTEXT_VARIABLE not in fetch:
            names = [*cast("list[Any]", fetch), TRACE_CONTEXT_VARIABLE]
            request.replace_json_body({**data, "fetchVariable": names})


def _carried_context(variables: Mapping[str, Any]) -> otel_context.Context | None:
    """The trace context a job's variables carry, or None."""
    try:
        carrier: object = variables.get(TRACE_CONTEXT_VARIABLE)
    except Exception:
        return None
    if not isinstance(carrier, dict):
        return None
    fields = {
        str(key): value for key, value in cast("dict[object, object]", carrier).items() if isinstance(value, str)
    }
    if not fields:
        return None
    extracted = propagate.extract(fields)
    if not trace.get_current_span(extracted).get_span_context().is_valid:
        return None
    return extracted


def _job_attributes(job: _Job, worker_name: str) -> dict[str, str | int]:
    return {
        "camunda.job.type": job.type,
        "camunda.job.key": str(job.job_key),
        "camunda.job.retries": job.retries,
        "camunda.worker.name": worker_name,
        "camunda.process_instance.key": str(job.process_instance_key),
        "camunda.process_definition.id": str(job.process_definition_id),
        "camunda.process_definition.key": str(job.process_definition_key),
        "camunda.element.id": str(job.element_id),
        "camunda.element_instance.key": str(job.element_instance_key),
        "camunda.tenant.id": str(job.tenant_id),
    }


def _qualified_name(error: BaseException) -> str:
    kind = type(error)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _description(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= _MAX_DESCRIPTION else text[:_MAX_DESCRIPTION] + "…"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("camunda-otel")
    except PackageNotFoundError:
        return ""


def _use_worker_meter_provider(meter_provider: MeterProvider) -> bool:
    """Point the job workers' metrics bridge at ``meter_provider``; False when workers are absent."""
    try:
        from camunda_workers import otel as worker_metrics
    except ImportError:
        return False
    worker_metrics.use_meter_provider(meter_provider)
    return True
