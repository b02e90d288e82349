"""OpenTelemetry tracing for the Camunda Python SDK (a plugin; installed, it is on).

A ``CLIENT`` span per API call attempt (HTTP client conventions plus
``camunda.operation.id``), W3C trace context in the request headers, a ``CONSUMER``
span per job with the handler inside it, and, opt-in, the trace context carried
through process variables. See ``docs/tracing.md``.
"""

from __future__ import annotations

from camunda_otel.tracing import (
    INSTRUMENTATION_NAME,
    PROPAGATE_VARIABLES_SETTING,
    TRACE_CONTEXT_VARIABLE,
    TRACING_SETTING,
    CamundaTracing,
)

__all__ = [
    "INSTRUMENTATION_NAME",
    "PROPAGATE_VARIABLES_SETTING",
    "TRACE_CONTEXT_VARIABLE",
    "TRACING_SETTING",
    "CamundaTracing",
]
