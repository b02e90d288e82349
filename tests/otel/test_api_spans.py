"""A CLIENT span per API call attempt (HTTP client conventions), its context in the request headers."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode
from otel_testing import Traces, configuration, parent_id, run, span_id, traceparent_of

from camunda_core.client import CamundaAsyncClient, CamundaClient
from camunda_core.errors import NotFound, TransportError
from camunda_core.hookspecs import hookimpl
from camunda_core.runtime.outgoing import OutgoingRequest
from camunda_otel import CamundaTracing
from camunda_otel.plugin import tracing as installed_tracing
from camunda_testkit import FakeCluster


def _check_topology_span(traces: Traces, cluster: FakeCluster) -> None:
    span = traces.one("GET /v2/topology")
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    attributes = dict(span.attributes or {})
    assert attributes == {
        "http.request.method": "GET",
        "url.full": f"{cluster.rest_address}/topology",
        "url.template": "/v2/topology",
        "server.address": "127.0.0.1",
        "server.port": cluster.port,
        "camunda.operation.id": "getTopology",
        "http.response.status_code": 200,
    }
    sent = [r for r in cluster.requests if r.operation == "getTopology"]
    assert len(sent) == 1
    # The header carries this span's context: the server side would nest under it.
    assert sent[0].headers["traceparent"].startswith(traceparent_of(span))


def test_a_sync_call_is_a_client_span_and_sends_its_traceparent(camunda_cluster: FakeCluster) -> None:
    traces = Traces()
    with CamundaClient(configuration(camunda_cluster.rest_address), environ={}, plugins=[traces.plugin()]) as client:
        client.get_topology()
    _check_topology_span(traces, camunda_cluster)


def test_an_async_call_is_a_client_span_and_sends_its_traceparent(camunda_cluster: FakeCluster) -> None:
    traces = Traces()

    async def main() -> None:
        async with CamundaAsyncClient(
            configuration(camunda_cluster.rest_address), environ={}, plugins=[traces.plugin()]
        ) as client:
            await client.get_topology()

    run(main())
    _check_topology_span(traces, camunda_cluster)


def test_the_span_is_a_child_of_the_current_span(camunda_cluster: FakeCluster) -> None:
    traces = Traces()
    tracer = traces.provider.get_tracer("test")
    plugins = [traces.plugin()]
    with CamundaClient(configuration(camunda_cluster.rest_address), environ={}, plugins=plugins) as client, tracer.start_as_current_span("checkout"):
        client.get_topology()
    assert parent_id(traces.one("GET /v2/topology")) == span_id(traces.one("checkout"))


def test_a_4xx_answer_is_an_error_span_named_by_its_template(camunda_cluster: FakeCluster) -> None:
    traces = Traces()
    plugins = [traces.plugin()]
    with CamundaClient(configuration(camunda_cluster.rest_address), environ={}, plugins=plugins) as client, pytest.raises(NotFound):
        client.get_process_instance(process_instance_key="2251799813685249")
    span = traces.one("GET /v2/process-instances/{processInstanceKey}")
    attributes = dict(span.attributes or {})
    assert attributes["http.response.status_code"] == 404
    assert attributes["error.type"] == "404"
    assert attributes["url.full"].endswith("/v2/process-instances/2251799813685249")
    assert span.status.status_code is StatusCode.ERROR


@pytest.mark.parametrize("asynchronous", [False, True])
def test_each_retry_is_a_span_of_its_own_with_its_resend_count(camunda_cluster: FakeCluster, asynchronous: bool) -> None:
    traces = Traces()
    camunda_cluster.faults.backpressure("getTopology", times=2)
    settings = configuration(camunda_cluster.rest_address)
    if asynchronous:

        async def main() -> None:
            async with CamundaAsyncClient(settings, environ={}, plugins=[traces.plugin()]) as client:
                await client.get_topology()

        run(main())
    else:
        with CamundaClient(settings, environ={}, plugins=[traces.plugin()]) as client:
            client.get_topology()
    attempts = sorted(traces.named("GET /v2/topology"), key=lambda s: s.start_time or 0)
    assert [(a.attributes or {}).get("http.response.status_code") for a in attempts] == [503, 503, 200]
    assert [(a.attributes or {}).get("http.request.resend_count") for a in attempts] == [None, 1, 2]
    assert [a.status.status_code for a in attempts] == [StatusCode.ERROR, StatusCode.ERROR, StatusCode.UNSET]
    # Each attempt sent its own span's context.
    sent = [r.headers["traceparent"] for r in camunda_cluster.requests if r.operation == "getTopology"]
    assert [h[:53] for h in sent] == [traceparent_of(a) for a in attempts]


def test_a_transport_failure_is_an_error_span_with_the_error_type() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    traces = Traces()
    settings = configuration(f"http://127.0.0.1:{port}", CAMUNDA_RETRY_MAX_ATTEMPTS=1)
    with CamundaClient(settings, environ={}, plugins=[traces.plugin()]) as client, pytest.raises(TransportError) as raised:
        client.get_topology()
    span = traces.one("GET /v2/topology")
    attributes = dict(span.attributes or {})
    assert "http.response.status_code" not in attributes
    error = raised.value
    assert attributes["error.type"] == f"{type(error).__module__}.{type(error).__qualname__}"
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


def test_credentials_in_the_url_never_reach_the_span() -> None:
    from camunda_otel.tracing import _safe_url  # pyright: ignore[reportPrivateUsage]

    assert _safe_url("https", "user:pw@host:8080", "/v2/x", "a=1&sig=secret") == (
        "https://REDACTED:REDACTED@host:8080/v2/x?a=1&sig=REDACTED"
    )


def test_tracing_can_be_turned_off_per_client(camunda_cluster: FakeCluster) -> None:
    traces = Traces()
    settings = configuration(camunda_cluster.rest_address, CAMUNDA_OTEL_TRACING=False)
    with CamundaClient(settings, environ={}, plugins=[traces.plugin()]) as client:
        client.get_topology()
    assert traces.spans == []
    assert "traceparent" not in camunda_cluster.requests[-1].headers


def test_installed_but_not_configured_it_sends_nothing_extra(camunda_cluster: FakeCluster) -> None:
    # The entry point's instance, with OpenTelemetry's global provider never set.
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        pytest.skip("a global tracer provider was set in this process")
    with CamundaClient(configuration(camunda_cluster.rest_address), environ={}) as client:
        assert installed_tracing in client.plugin_manager.get_plugins()
        client.get_topology()
    assert "traceparent" not in camunda_cluster.requests[-1].headers


def test_an_explicit_instance_replaces_the_installed_one(camunda_cluster: FakeCluster) -> None:
    traces = Traces()
    with CamundaClient(configuration(camunda_cluster.rest_address), environ={}, plugins=[traces.plugin()]) as client:
        tracers = [p for p in client.plugin_manager.get_plugins() if isinstance(p, CamundaTracing)]
        assert len(tracers) == 1 and not tracers[0].installed_by_entry_point
        client.get_topology()
    assert len(traces.named("GET /v2/topology")) == 1


class _BrokenEditor:
    @hookimpl
    def camunda_edit_request(self, request: OutgoingRequest) -> None:
        request.headers["x-before"] = "kept"
        raise RuntimeError("editor bug")


class _Recorder:
    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []

    @hookimpl
    def camunda_on_request(self, event: Any) -> None:
        self.headers.append(dict(event.headers))


def test_an_editor_that_raises_is_logged_and_the_call_goes_on(camunda_cluster: FakeCluster) -> None:
    traces = Traces()
    recorder = _Recorder()
    plugins = [_BrokenEditor(), traces.plugin(), recorder]
    with CamundaClient(configuration(camunda_cluster.rest_address), environ={}, plugins=plugins) as client:
        client.get_topology()
    assert len(traces.named("GET /v2/topology")) == 1
    # The on_request observers see the headers the editors added.
    assert "traceparent" in recorder.headers[0]
