"""The OpenTelemetry metrics bridge: worker events recorded through OpenTelemetry instruments.

Used when ``opentelemetry`` is importable (``pip install camunda-workers[otel]``): every
worker records its counts and durations through the instruments of
``opentelemetry.metrics.get_meter("camunda_workers", <version>)``, with the attributes
``job.type`` and ``worker.name``. The instruments are created once per process (per meter
provider), when the first worker is created. Without OpenTelemetry nothing is imported and
each event costs one ``None`` check.

The global meter provider is used unless :func:`use_meter_provider` names another one
(tests: a ``MeterProvider`` with an ``InMemoryMetricReader``).

===================================== ============== ===========================================
instrument                            kind           what
===================================== ============== ===========================================
``camunda.worker.jobs.activated``     counter        jobs activated
``camunda.worker.jobs.completed``     counter        completions the server accepted
``camunda.worker.jobs.failed``        counter        failures the server accepted (not releases)
``camunda.worker.jobs.errors_thrown`` counter        BPMN errors the server accepted
``camunda.worker.jobs.released``      counter        jobs given back unprocessed
``camunda.worker.jobs.in_flight``     up-down        jobs activated and not finished
``camunda.worker.lease.extensions``   counter        lease extensions the server accepted
``camunda.worker.polls``              counter        successful activation requests
``camunda.worker.poll.failures``      counter        failed activation requests
``camunda.worker.poll.backpressure``  counter        pauses after a backpressure answer
``camunda.worker.handler.duration``   histogram (s)  the handler's own run time
``camunda.worker.job.duration``       histogram (s)  activation to the answer to the outcome
``camunda.worker.poll.duration``      histogram (s)  successful polls, long-poll wait included
===================================== ============== ===========================================
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.metrics import Counter, Histogram, MeterProvider, UpDownCounter

__all__ = ["METER_NAME", "OtelRecorder", "recorder", "use_meter_provider"]

#: The name of the meter (the instrumentation scope) the instruments belong to.
METER_NAME = "camunda_workers"

#: Boundaries (seconds) for the duration histograms: 1 ms to 5 min.
_SECONDS_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class _Instruments:
    """The instruments of one meter provider (created once, shared by every worker)."""

    def __init__(self, meter_provider: MeterProvider | None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        from opentelemetry import metrics

        try:
            meter_version = version("camunda-workers")
        except PackageNotFoundError:
            meter_version = ""
        meter = metrics.get_meter(METER_NAME, meter_version, meter_provider=meter_provider)

        def counter(name: str, unit: str, description: str) -> Counter:
            return meter.create_counter(name, unit=unit, description=description)

        def seconds(name: str, description: str) -> Histogram:
            return meter.create_histogram(
                name, unit="s", description=description, explicit_bucket_boundaries_advisory=_SECONDS_BUCKETS
            )

        #: ReportCounter field -> its counter (the other report fields have none).
        self.report: dict[str, Counter] = {
            "activated": counter("camunda.worker.jobs.activated", "{job}", "Jobs activated by the worker"),
            "completed": counter("camunda.worker.jobs.completed", "{job}", "Job completions the server accepted"),
            "failed": counter("camunda.worker.jobs.failed", "{job}", "Job failures the server accepted"),
            "errored": counter("camunda.worker.jobs.errors_thrown", "{job}", "BPMN errors the server accepted"),
            "released": counter("camunda.worker.jobs.released", "{job}", "Jobs given back unprocessed"),
        }
        self.in_flight: UpDownCounter = meter.create_up_down_counter(
            "camunda.worker.jobs.in_flight", unit="{job}", description="Jobs activated and not yet finished"
        )
        self.lease_extensions = counter(
            "camunda.worker.lease.extensions", "{extension}", "Lease extensions the server accepted"
        )
        self.polls = counter("camunda.worker.polls", "{poll}", "Successful job activation requests")
        self.poll_failures = counter("camunda.worker.poll.failures", "{poll}", "Failed job activation requests")
        self.backpressure = counter(
            "camunda.worker.poll.backpressure", "{pause}", "Poll pauses after a backpressure answer"
        )
        self.handler_duration = seconds("camunda.worker.handler.duration", "The handler's own run time")
        self.job_duration = seconds(
            "camunda.worker.job.duration", "Activation to the server's answer to the job's outcome"
        )
        self.poll_duration = seconds(
            "camunda.worker.poll.duration", "Successful job activation requests, long-poll wait included"
        )


class OtelRecorder:
    """One worker's view of the instruments: records its events with its attributes."""

    __slots__ = ("_attributes", "_instruments")

    def __init__(self, instruments: _Instruments, job_type: str, worker_name: str) -> None:
        self._instruments = instruments
        self._attributes: dict[str, str] = {"job.type": job_type, "worker.name": worker_name}

    def count(self, report_field: str, amount: int = 1) -> None:
        """A :class:`~camunda_workers.report.ReportCounter` field grew (fields without a counter are skipped)."""
        counter = self._instruments.report.get(report_field)
        if counter is not None and amount:
            counter.add(amount, self._attributes)

    def in_flight_changed(self, delta: int) -> None:
        self._instruments.in_flight.add(delta, self._attributes)

    def lease_extended(self) -> None:
        self._instruments.lease_extensions.add(1, self._attributes)

    def handler_ran(self, seconds: float) -> None:
        self._instruments.handler_duration.record(seconds, self._attributes)

    def job_finished(self, seconds: float) -> None:
        self._instruments.job_duration.record(seconds, self._attributes)

    def poll_succeeded(self, seconds: float) -> None:
        instruments = self._instruments
        instruments.polls.add(1, self._attributes)
        instruments.poll_duration.record(seconds, self._attributes)

    def poll_failed(self, *, backpressure: bool) -> None:
        instruments = self._instruments
        instruments.poll_failures.add(1, self._attributes)
        if backpressure:
            instruments.backpressure.add(1, self._attributes)


_lock = threading.Lock()
#: None: not looked for yet; False: OpenTelemetry is not installed.
_available: bool | None = None
#: The meter provider to use (None: OpenTelemetry's global one).
_provider: Any = None
_instruments: _Instruments | None = None


def _otel_available() -> bool:
    global _available
    if _available is None:
        from importlib.util import find_spec

        try:
            _available = find_spec("opentelemetry.metrics") is not None
        except ImportError:  # no "opentelemetry" package at all
            _available = False
    return _available


def use_meter_provider(meter_provider: MeterProvider | None) -> None:
    """Record through ``meter_provider`` from now on (None: OpenTelemetry's global one).

    Workers created afterwards use it; the instruments are created anew for it, once.
    """
    global _provider, _instruments
    with _lock:
        _provider = meter_provider
        _instruments = None


def recorder(job_type: str, worker_name: str) -> OtelRecorder | None:
    """The recorder of one worker, or None when OpenTelemetry is not installed."""
    global _instruments
    if not _otel_available():
        return None
    with _lock:
        instruments = _instruments
        if instruments is None:
            instruments = _instruments = _Instruments(_provider)
    return OtelRecorder(instruments, job_type, worker_name)
