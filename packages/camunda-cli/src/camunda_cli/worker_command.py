"""``camunda worker MODULE:ROUTER ...``: run job routers until SIGTERM or Ctrl+C.

One process by default: one async client runs every router's workers. ``--processes N``
starts N worker processes (``spawn``: each imports the routers itself and has its own client,
for CPU-bound handlers); the parent forwards SIGTERM/SIGINT to them and exits with the worst
child's code. A stop is graceful in either case: polling stops, running jobs finish within
their shutdown grace, unfinished ones are released for another worker.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Sequence
from multiprocessing.connection import wait
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

from cyclopts import Parameter
from rich.table import Table

from camunda_cli.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    describe_failure,
)
from camunda_cli.operations import AsJson
from camunda_cli.output import console, print_json

if TYPE_CHECKING:
    from multiprocessing.queues import SimpleQueue
    from multiprocessing.synchronize import Event as EventType

    from camunda_workers import JobRouter

__all__ = ["load_router", "worker"]

_REPORT_FIELDS = ("activated", "completed", "failed", "errored", "released", "timed_out", "handler_errors")


def load_router(spec: str) -> JobRouter:
    """``package.module:attribute`` -> the :class:`JobRouter` it names (the working directory
    is importable, as for ``python -m``)."""
    from camunda_workers import JobRouter

    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise CliError(f"worker: {spec!r} is not MODULE:ROUTER (e.g. my_service.workers:router)", EXIT_USAGE)
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise CliError(f"worker: cannot import {module_name!r} (from {spec!r}): {error}", EXIT_USAGE) from error
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise CliError(f"worker: module {module_name!r} has no attribute {attribute!r}", EXIT_USAGE) from None
    if not isinstance(target, JobRouter):
        raise CliError(
            f"worker: {spec!r} is a {type(target).__name__}, not a camunda_workers.JobRouter", EXIT_USAGE
        )
    return target


#: A SIGTERM/SIGINT that arrived before the workers' own handlers were installed.
_early_stop = threading.Event()


def _catch_early_signals() -> None:
    """Until the workers run, a stop signal is remembered instead of killing the process
    (a spawned child still importing, say)."""

    def remember(signum: int, frame: FrameType | None) -> None:
        _early_stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, remember)


async def _serve(routers: Sequence[JobRouter]) -> list[dict[str, Any]]:
    """Run the routers' workers on one client until a signal stops them; each worker's report."""
    from camunda_cli.clients import WorkerClient

    async with WorkerClient() as client:
        for router in routers:
            client.include_router(router)
        client.install_signal_handlers()
        if _early_stop.is_set():
            os.kill(os.getpid(), signal.SIGTERM)  # now the workers' handler stops them gracefully
        await client.run_workers()
        return [_report_row(worker.report) for worker in client.job_workers]


def _report_row(report: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"jobType": report.job_type}
    for field in _REPORT_FIELDS:
        row[field] = getattr(report, field)
    return row


def _child(
    specs: list[str],
    index: int,
    ready: EventType,
    reports: SimpleQueue[tuple[int, int, list[dict[str, Any]]]],
) -> None:
    """One worker process (spawned): import the routers, serve, send back its report and exit code."""
    _catch_early_signals()
    ready.set()  # from here on a SIGTERM stops this process gracefully
    rows: list[dict[str, Any]] = []
    try:
        routers = [load_router(spec) for spec in specs]
        rows = asyncio.run(_serve(routers))
        code = EXIT_OK
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except Exception as error:
        line, code = describe_failure(error)
        sys.stderr.write(f"camunda: worker process {index}: error: {line}\n")
    reports.put((index, code, rows))
    sys.exit(code)


def _run_processes(specs: list[str], processes: int) -> tuple[int, list[dict[str, Any]]]:
    context = multiprocessing.get_context("spawn")
    reports: SimpleQueue[tuple[int, int, list[dict[str, Any]]]] = context.SimpleQueue()
    ready = [context.Event() for _ in range(processes)]
    children = [
        context.Process(target=_child, args=(specs, index, ready[index], reports), name=f"camunda-worker-{index}")
        for index in range(processes)
    ]
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for child in children:
            child.start()
        signalled: set[int] = set()
        while any(child.is_alive() for child in children):
            if stop_requested.is_set() or _early_stop.is_set():
                # SIGTERM goes to each child once it has its own handler (a child still starting
                # up would be killed by it); a child not ready yet is signalled when it is.
                for index, child in enumerate(children):
                    if index not in signalled and ready[index].is_set() and child.pid is not None:
                        if child.is_alive():
                            os.kill(child.pid, signal.SIGTERM)
                        signalled.add(index)
            wait([child.sentinel for child in children if child.is_alive()], timeout=0.05)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    rows: list[dict[str, Any]] = []
    codes: dict[int, int] = {}
    while not reports.empty():
        index, code, child_rows = reports.get()
        codes[index] = code
        rows.extend(child_rows)
    worst = EXIT_OK
    for index, child in enumerate(children):
        # A child that died without reporting (killed, crashed) counts with its exit code.
        code = codes.get(index, child.exitcode if child.exitcode and child.exitcode > 0 else EXIT_FAILED)
        worst = max(worst, code)
    return worst, _merge(rows)


def _merge(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        total = merged.setdefault(row["jobType"], {"jobType": row["jobType"], **dict.fromkeys(_REPORT_FIELDS, 0)})
        for field in _REPORT_FIELDS:
            total[field] += row[field]
    return list(merged.values())


def worker(
    *routers: str,
    processes: Annotated[
        int, Parameter(name=["--processes", "-p"], help="worker processes, each with its own client (CPU-bound handlers)")
    ] = 1,
    as_json: AsJson = False,
) -> None:
    """Run the job workers of one or more JobRouters until SIGTERM or Ctrl+C.

    On stop, running jobs finish within their shutdown grace.

    Parameters
    ----------
    routers
        MODULE:ROUTER, each naming a camunda_workers.JobRouter, e.g. my_service.workers:router
        (the working directory is importable)
    """
    if not routers:
        raise CliError("worker: name at least one MODULE:ROUTER, e.g. my_service.workers:router", EXIT_USAGE)
    if processes < 1:
        raise CliError(f"worker: --processes must be at least 1, got {processes}", EXIT_USAGE)
    _catch_early_signals()
    specs = list(routers)
    loaded = [load_router(spec) for spec in specs]  # fail here, once, before starting anything
    if processes == 1:
        code, rows = EXIT_OK, asyncio.run(_serve(loaded))
    else:
        code, rows = _run_processes(specs, processes)
    if as_json:
        print_json({"processes": processes, "workers": rows})
    else:
        table = Table(title=f"job workers stopped ({processes} process{'es' if processes > 1 else ''})")
        table.add_column("job type")
        for field in _REPORT_FIELDS:
            table.add_column(field.replace("_", " "), justify="right")
        for row in rows:
            table.add_row(row["jobType"], *(str(row[field]) for field in _REPORT_FIELDS))
        console.print(table)
    if code != EXIT_OK:
        raise CliError(f"worker: a worker process ended with exit code {code}", code)
