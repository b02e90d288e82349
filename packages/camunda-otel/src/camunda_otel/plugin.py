"""The entry point's plugin: installing ``camunda-otel`` turns tracing on for every client.

``otel = "camunda_otel.plugin:tracing"`` in the ``camunda_orchestration_sdk`` group.
It uses OpenTelemetry's global tracer provider and reads ``CAMUNDA_OTEL_TRACING`` and
``CAMUNDA_OTEL_PROPAGATE_VARIABLES`` from each client's configuration. Until the
application sets a tracer provider it does nothing but look that up, once per call
attempt and per job. A ``CamundaTracing`` passed as ``plugins=[...]`` replaces it on
that client.
"""

from __future__ import annotations

from camunda_otel.tracing import CamundaTracing

__all__ = ["tracing"]

#: The instance every client gets through the entry point.
tracing = CamundaTracing()
tracing.installed_by_entry_point = True
