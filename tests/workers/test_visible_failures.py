"""Failures are visible: at CAMUNDA_SDK_LOG_LEVEL=error (the default level) a handler's exception,
a job given up and an outcome that could not be delivered are logged with their traceback, and the
failJob errorMessage says where the exception happened, within the size limit."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from worker_testing import bpmn, make_client, run, wait_until

from camunda_testkit import FakeCluster
from camunda_workers import JobContext, JobFailure, WorkerConfig
from camunda_workers.decisions import MAX_FAILURE_MESSAGE_BYTES, cap_message, failure_message

THIS_FILE = __file__


@pytest.fixture
def loguru_sink() -> Iterator[io.StringIO]:
    from loguru import logger

    sink = io.StringIO()
    handler = logger.add(sink, level="DEBUG", colorize=False, format="{level}|{message}")
    try:
        yield sink
    finally:
        logger.remove(handler)


def start(cluster: FakeCluster, retries: int = 3) -> None:
    cluster.deploy_bpmn(bpmn("p", "work", retries=retries))
    cluster.create_process_instance("p", {"n": 1})


def config(strategy: str, **kwargs: Any) -> WorkerConfig:
    values: dict[str, Any] = {
        "job_type": "work",
        "job_timeout_milliseconds": 10_000,
        "request_timeout_milliseconds": 100,
        "execution_strategy": strategy,
    }
    values.update(kwargs)
    return WorkerConfig(**values)


def run_until_failed(cluster: FakeCluster, cfg: WorkerConfig, handler: Any) -> Any:
    async def main() -> Any:
        async with make_client(cluster.rest_address, CAMUNDA_SDK_LOG_LEVEL="error") as client:
            client.create_job_worker(cfg, handler)
            await wait_until(lambda: cluster.stats.failures >= 1)
            return await client.stop_workers(grace=1.0)

    return run(main())


def sent_failure_message(cluster: FakeCluster) -> str:
    [request] = [r for r in cluster.requests if r.operation == "failJob"][:1]
    message: str = request.json["errorMessage"]
    return message


def parse_deeply(text: str) -> int:
    return int(text)  # raises ValueError for "not a number": the innermost frame of user code


def thread_handler(job: JobContext) -> None:
    parse_deeply("not a number")


async def async_handler(job: JobContext) -> None:
    parse_deeply("not a number")


PARSE_LINE = parse_deeply.__code__.co_firstlineno + 1


@pytest.mark.parametrize(("strategy", "handler"), [("thread", thread_handler), ("async", async_handler)])
def test_a_handler_exception_is_logged_with_its_traceback_and_located_in_the_failure_message(
    camunda_cluster: FakeCluster, loguru_sink: io.StringIO, strategy: str, handler: Any
) -> None:
    cluster = camunda_cluster
    start(cluster)
    run_until_failed(cluster, config(strategy), handler)
    message = sent_failure_message(cluster)
    assert message == (
        f"ValueError: invalid literal for int() with base 10: 'not a number' (at {THIS_FILE}:{PARSE_LINE} in parse_deeply)"
    )
    text = loguru_sink.getvalue()
    assert "ERROR|" in text and "handler raised ValueError" in text
    assert "Traceback (most recent call last)" in text
    assert "parse_deeply" in text and 'parse_deeply("not a number")' in text  # the handler's own frames


def test_a_process_handler_failure_names_the_file_and_line_in_the_child(camunda_cluster: FakeCluster) -> None:
    import worker_handlers

    cluster = camunda_cluster
    start(cluster)
    run_until_failed(cluster, config("process"), worker_handlers.raises)
    message = sent_failure_message(cluster)
    line = worker_handlers.raises.__code__.co_firstlineno + 1
    assert message == f"ValueError: bad input 1 (at {worker_handlers.__file__}:{line} in raises)"


def test_a_huge_exception_message_is_cut_and_marked_but_keeps_its_location(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)

    def handler(job: JobContext) -> None:
        raise RuntimeError("x" * 100_000)

    run_until_failed(cluster, config("thread"), handler)
    message = sent_failure_message(cluster)
    assert len(message.encode()) <= MAX_FAILURE_MESSAGE_BYTES
    assert message.startswith("RuntimeError: xxx") and "[cut: " in message
    assert message.endswith(" in handler)") and THIS_FILE in message


def test_a_job_given_up_is_an_error_with_its_traceback(camunda_cluster: FakeCluster, loguru_sink: io.StringIO) -> None:
    cluster = camunda_cluster
    start(cluster, retries=1)

    def handler(job: JobContext) -> None:
        raise JobFailure("the order is gone", retries=0)

    run_until_failed(cluster, config("thread"), handler)
    [job] = cluster.jobs(state="FAILED")
    assert job.retries == 0 and job.error_message == "the order is gone"
    text = loguru_sink.getvalue()
    assert "no retries left, the cluster raises an incident" in text
    assert "Traceback (most recent call last)" in text and "JobFailure: the order is gone" in text


def test_an_outcome_that_could_not_be_delivered_is_an_error_with_its_traceback(
    camunda_cluster: FakeCluster, loguru_sink: io.StringIO
) -> None:
    cluster = camunda_cluster
    start(cluster)
    cluster.faults.status("completeJob", 400)  # not retried: given up at once

    def handler(job: JobContext) -> dict[str, Any]:
        return {"ok": True}

    async def main() -> Any:
        async with make_client(cluster.rest_address, CAMUNDA_SDK_LOG_LEVEL="error") as client:
            worker = client.create_job_worker(config("thread"), handler)
            await wait_until(lambda: worker.report.send_failures >= 1)
            return await client.stop_workers(grace=0.5)

    run(main())
    text = loguru_sink.getvalue()
    assert "could not be delivered" in text
    assert "Traceback (most recent call last)" in text and "CompleteJobBadRequest" in text


def test_a_stdlib_logger_receives_exc_info_and_any_other_logger_the_formatted_traceback(
    camunda_cluster: FakeCluster,
) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "work", retries=1))  # one failure per job: an incident, no re-activation
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    stdlib = logging.getLogger("test_visible_failures")
    stdlib.addHandler(Keep())
    stdlib.setLevel(logging.DEBUG)
    lines: list[str] = []

    class Plain:
        def debug(self, msg: str, *args: Any, **kwargs: Any) -> None: ...
        def info(self, msg: str, *args: Any, **kwargs: Any) -> None: ...
        def warning(self, msg: str, *args: Any, **kwargs: Any) -> None: ...
        def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
            lines.append(msg)

    async def main() -> None:
        for target in (stdlib, Plain()):
            cluster.create_process_instance("p", {})
            async with make_client(cluster.rest_address, target, CAMUNDA_SDK_LOG_LEVEL="error") as client:
                failures = cluster.stats.failures
                client.create_job_worker(config("thread"), thread_handler)
                await wait_until(lambda failures=failures: cluster.stats.failures > failures)
                await client.stop_workers(grace=0.5)

    run(main())
    [record] = [r for r in records if "handler raised" in r.getMessage()][:1]
    assert record.levelno == logging.ERROR and record.exc_info is not None and record.exc_info[0] is ValueError
    [line] = [m for m in lines if "handler raised" in m][:1]
    assert "Traceback (most recent call last)" in line and "parse_deeply" in line


def test_cap_message_marks_the_cut_and_respects_multibyte_text() -> None:
    assert cap_message("short") == "short"
    text = "é" * 5000  # 10000 bytes
    capped = cap_message(text, 1000)
    assert len(capped.encode()) <= 1000 and capped.endswith("more bytes]") and "[cut: " in capped


def test_failure_message_skips_library_frames_for_the_user_frame() -> None:
    import json

    def handler() -> None:
        json.loads("{")

    with pytest.raises(ValueError) as caught:
        handler()
    message = failure_message(caught.value)
    line = handler.__code__.co_firstlineno + 1
    assert message.endswith(f"(at {THIS_FILE}:{line} in handler)"), message
