"""``camunda demo``: progress bars while it runs, a summary table (or JSON) when it is done."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import TYPE_CHECKING, Annotated

from cyclopts import Parameter
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from camunda_cli.errors import EXIT_USAGE, CliError
from camunda_cli.operations import AsJson
from camunda_cli.output import console, error_console, print_json

if TYPE_CHECKING:
    from camunda_cli.demo import DemoResult

__all__ = ["demo"]


class _Bars:
    """Two bars on stderr (stdout stays for the summary); silent when stderr is not a terminal."""

    def __init__(self, instances: int, enabled: bool) -> None:
        self._progress = Progress(
            TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=error_console, disable=not enabled, transient=False,
        )
        self._started = self._progress.add_task("started", total=instances)
        self._completed = self._progress.add_task("completed", total=instances)

    def __enter__(self) -> _Bars:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def started(self, count: int) -> None:
        self._progress.update(self._started, completed=count)

    def completed(self, count: int) -> None:
        self._progress.update(self._completed, completed=count)


def demo(
    *,
    instances: Annotated[int, Parameter(name=["--instances", "-n"], help="how many order instances to start")] = 100,
    timeout: Annotated[float, Parameter(help="seconds to wait for every instance to complete")] = 120.0,
    as_json: AsJson = False,
) -> None:
    """Run the bundled order process end to end and summarise it.

    With no cluster configured (no CAMUNDA_REST_ADDRESS or ZEEBE_REST_ADDRESS in the environment
    or .env) it starts the embedded test kit; otherwise it runs against that cluster. It deploys
    the order process (exclusive gateway, parallel branches, a message, a user task), runs its
    job workers, starts the instances, publishes the messages, completes the user tasks, waits
    for every instance, and prints instances completed, jobs per type, p50/p99 duration and
    throughput.
    """
    from camunda_cli.clients import cluster_configured
    from camunda_cli.demo import DemoIncomplete, run_demo

    if instances < 1:
        raise CliError(f"demo: --instances must be at least 1, got {instances}", EXIT_USAGE)
    if timeout <= 0:
        raise CliError(f"demo: --timeout must be positive seconds, got {timeout:g}", EXIT_USAGE)

    async def against_configured_cluster(bars: _Bars) -> DemoResult:
        return await run_demo(instances, bars, timeout=timeout)

    async def against_test_kit(bars: _Bars) -> DemoResult:
        from camunda_testkit import FakeCluster

        with FakeCluster(record_requests=False) as cluster:
            configuration = {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
            return await run_demo(instances, bars, configuration=configuration,
                                  cluster=f"embedded test kit ({cluster.rest_address})", timeout=timeout)

    configured = cluster_configured()
    if not as_json:
        where = "the configured cluster" if configured else "the embedded test kit"
        console.print(f"camunda demo: {instances} order instances on {where}")
    try:
        with _Bars(instances, enabled=not as_json and error_console.is_terminal) as bars:
            result = asyncio.run(against_configured_cluster(bars) if configured else against_test_kit(bars))
    except DemoIncomplete as incomplete:
        _show(incomplete.result, as_json)
        raise
    _show(result, as_json)


def _show(result: DemoResult, as_json: bool) -> None:
    if as_json:
        print_json(result.to_json())
        return
    table = Table(title="camunda demo", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    table.add_row("cluster", result.cluster)
    table.add_row("instances completed", f"{result.completed} of {result.instances}")
    table.add_row("large orders (fraud check)", str(result.large_orders))
    for job_type, count in result.jobs.items():
        table.add_row(f"jobs {job_type}", str(count))
    table.add_row("user tasks completed", str(result.user_tasks_completed))
    table.add_row("messages published", str(result.messages_published))
    table.add_row("instance duration p50", f"{result.p50_seconds * 1000:.0f} ms")
    table.add_row("instance duration p99", f"{result.p99_seconds * 1000:.0f} ms")
    table.add_row("throughput", f"{result.throughput_per_second:.1f} instances/s")
    table.add_row("wall time", f"{result.wall_seconds:.2f} s")
    console.print(table)
