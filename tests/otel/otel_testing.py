"""Shared set-up for the tracing tests: an SDK tracer provider with an in-memory exporter,
clients on the test kit with the tracing plugin, and span lookups."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import pytest

pytest.importorskip("opentelemetry.sdk.trace")

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from camunda_otel import CamundaTracing

T = TypeVar("T")


class Traces:
    """A tracer provider whose finished spans are kept in memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    def plugin(self, **options: Any) -> CamundaTracing:
        return CamundaTracing(tracer_provider=self.provider, **options)

    @property
    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.spans if span.name == name]

    def one(self, name: str) -> ReadableSpan:
        found = self.named(name)
        assert len(found) == 1, f"expected one span {name!r}, got {[s.name for s in self.spans]}"
        return found[0]

    def of_operation(self, operation_id: str) -> list[ReadableSpan]:
        return [s for s in self.spans if (s.attributes or {}).get("camunda.operation.id") == operation_id]


def configuration(rest_address: str, **settings: object) -> dict[str, object]:
    values: dict[str, object] = {
        "CAMUNDA_REST_ADDRESS": rest_address,
        "CAMUNDA_AUTH_STRATEGY": "NONE",
        "CAMUNDA_RETRY_INITIAL_DELAY_MS": 5,
        "CAMUNDA_RETRY_MAX_DELAY_MS": 20,
    }
    values.update(settings)
    return values


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.span_id


def trace_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.trace_id


def parent_id(span: ReadableSpan) -> int | None:
    return None if span.parent is None else span.parent.span_id


def traceparent_of(span: ReadableSpan) -> str:
    """The W3C traceparent a request sent under ``span`` carries (any flags)."""
    return f"00-{trace_id(span):032x}-{span_id(span):016x}-"


def children(spans: Iterable[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if parent_id(s) == span_id(parent)]


def run(coro: Awaitable[T], timeout: float = 30.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while not condition():
        if loop.time() > give_up:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


def bpmn(process_id: str, *job_types: str) -> str:
    """A linear process with one service task per job type."""
    tasks = "".join(
        f'<bpmn:serviceTask id="task_{i}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}" retries="3"/>'
        f"</bpmn:extensionElements></bpmn:serviceTask>"
        for i, job_type in enumerate(job_types)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://example.com">'
        f'<bpmn:process id="{process_id}" isExecutable="true">'
        f'<bpmn:startEvent id="start"/>{tasks}<bpmn:endEvent id="end"/>'
        "</bpmn:process></bpmn:definitions>"
    )


def process_handler(job: Any) -> dict[str, Any]:
    """A handler for the process strategy: module level, so a child process can import it."""
    return {"handled_in": "child"}
