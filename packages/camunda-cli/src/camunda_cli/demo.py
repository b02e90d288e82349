"""``camunda demo``: the bundled order process run end to end, measured.

Deploys ``resources/demo-order.bpmn``, runs its five job types with a :class:`JobRouter`,
starts N instances, publishes each instance's payment confirmation, completes each user
task through the API, waits until every instance completed, and measures. Against the
embedded test kit when no cluster is configured, else against the configured cluster: the
same code either way.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from camunda_cli.clients import WorkerClient
from camunda_cli.errors import CliError

if TYPE_CHECKING:
    from camunda_workers import JobRouter

__all__ = [
    "JOB_TYPES",
    "LARGE_ORDER",
    "MESSAGE_NAME",
    "PROCESS_ID",
    "DemoProgress",
    "DemoResult",
    "order_amount",
    "percentile",
    "run_demo",
]

PROCESS_ID = "camunda-demo-order"
MESSAGE_NAME = "demo-payment-confirmed"
USER_TASK_ELEMENT = "approve-shipment"
#: Orders of this amount or more take the gateway's "large" branch (one more job: fraud check).
LARGE_ORDER = 100
JOB_TYPES = (
    "demo-validate-order",
    "demo-check-fraud",
    "demo-charge-payment",
    "demo-pick-items",
    "demo-ship-order",
)
_CONCURRENCY = 32
# Long enough for any instance to reach its message catch event after the message is published.
_MESSAGE_TTL_MS = 10 * 60 * 1000
_POLL_SECONDS = 0.02


def order_amount(index: int) -> int:
    """The amount of the demo's order ``index``: every third order is large (``>= LARGE_ORDER``)."""
    return 100 + index % 50 if index % 3 == 0 else 10 + index % 50


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` 0.5 for p50) of ``values``; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


class DemoProgress(Protocol):
    """Where the demo reports progress (the command draws it as bars)."""

    def started(self, count: int) -> None: ...

    def completed(self, count: int) -> None: ...


@attrs.frozen(kw_only=True)
class DemoResult:
    """What one demo run did and measured. Durations in seconds."""

    cluster: str
    instances: int
    completed: int
    large_orders: int
    jobs: dict[str, int]
    user_tasks_completed: int
    messages_published: int
    p50_seconds: float
    p99_seconds: float
    throughput_per_second: float
    wall_seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "instances": self.instances,
            "completed": self.completed,
            "largeOrders": self.large_orders,
            "jobs": dict(self.jobs),
            "userTasksCompleted": self.user_tasks_completed,
            "messagesPublished": self.messages_published,
            "p50Seconds": round(self.p50_seconds, 4),
            "p99Seconds": round(self.p99_seconds, 4),
            "throughputPerSecond": round(self.throughput_per_second, 2),
            "wallSeconds": round(self.wall_seconds, 3),
        }


def _router() -> JobRouter:
    """The order process's workers: one typed handler per job type."""
    from camunda_workers import JobRouter

    router = JobRouter(timeout=timedelta(seconds=30), max_concurrent_jobs=_CONCURRENCY,
                       worker_name="camunda-demo")

    @router.task("demo-validate-order")
    async def validate_order(order_id: str, amount: int) -> dict[str, Any]:
        return {"valid": amount > 0}

    @router.task("demo-check-fraud")
    async def check_fraud(order_id: str, amount: int) -> dict[str, Any]:
        return {"fraud_score": amount % 7}

    @router.task("demo-charge-payment")
    async def charge_payment(order_id: str, amount: int) -> dict[str, Any]:
        return {"payment_id": f"pay-{order_id}"}

    @router.task("demo-pick-items")
    async def pick_items(order_id: str) -> dict[str, Any]:
        return {"picked": True}

    @router.task("demo-ship-order", variable_name="tracking_number")
    async def ship_order(order_id: str) -> str:
        return f"TRK-{order_id}"

    return router


class _Run:
    """The state of one run against one client."""

    def __init__(self, client: WorkerClient, instances: int, progress: DemoProgress) -> None:
        self.client = client
        self.instances = instances
        self.progress = progress
        self.tag = f"camunda-demo:{secrets.token_hex(4)}"
        self.keys: set[str] = set()
        self.started = 0
        self.messages = 0
        self.user_tasks = 0
        self.completed = 0
        self.limit = asyncio.Semaphore(_CONCURRENCY)

    async def start_one(self, definition_key: str, index: int) -> None:
        from camunda_core.models import MessagePublicationRequest, ProcessCreationByKey
        from camunda_core.semantic_types import ProcessDefinitionKey, Tag

        order_id = f"{self.tag.split(':')[1]}-{index}"
        async with self.limit:
            created = await self.client.create_process_instance(
                data=ProcessCreationByKey(
                    process_definition_key=ProcessDefinitionKey(definition_key),
                    variables={"order_id": order_id, "amount": order_amount(index)},
                    tags=[Tag(self.tag)],
                )
            )
            self.keys.add(str(created.process_instance_key))
            self.started += 1
            self.progress.started(self.started)
            # The payment provider's confirmation; buffered (TTL) until the instance waits for it.
            await self.client.publish_message(
                data=MessagePublicationRequest(
                    name=MESSAGE_NAME, correlation_key=order_id, time_to_live=_MESSAGE_TTL_MS
                )
            )
            self.messages += 1

    async def start_all(self, definition_key: str) -> None:
        await asyncio.gather(*(self.start_one(definition_key, i) for i in range(self.instances)))

    async def approve_user_tasks(self, definition_key: str, deadline: float) -> None:
        """Complete each instance's "Approve shipment" task as it appears (searches are
        eventually consistent on a real cluster: poll until all are done)."""
        from camunda_core.models import (
            LimitPagination,
            SortOrderEnum,
            UserTaskCompletionRequest,
            UserTaskFilter,
            UserTaskSearchQuery,
            UserTaskSearchQuerySortRequest,
            UserTaskSearchQuerySortRequestFieldEnum,
            UserTaskStateEnum,
        )
        from camunda_core.semantic_types import ElementId, ProcessDefinitionKey

        query = UserTaskSearchQuery(
            filter=UserTaskFilter(
                process_definition_key=ProcessDefinitionKey(definition_key),
                element_id=ElementId(USER_TASK_ELEMENT),
                state=UserTaskStateEnum.CREATED,
            ),
            # Newest first: this run's tasks before any left open by an earlier, interrupted run.
            sort=[
                UserTaskSearchQuerySortRequest(
                    field=UserTaskSearchQuerySortRequestFieldEnum.CREATION_DATE, order=SortOrderEnum.DESC
                )
            ],
            page=LimitPagination(limit=_CONCURRENCY * 4),
        )
        done: set[str] = set()

        async def approve(user_task_key: Any) -> None:
            async with self.limit:
                await self.client.complete_user_task(
                    user_task_key=user_task_key, data=UserTaskCompletionRequest(variables={"approved": True})
                )
            done.add(str(user_task_key))
            self.user_tasks += 1

        while self.user_tasks < self.instances and time.monotonic() < deadline:
            found = await self.client.search_user_tasks(data=query)
            mine = [task.user_task_key for task in found.items
                    if str(task.process_instance_key) in self.keys and str(task.user_task_key) not in done]
            if mine:
                await asyncio.gather(*(approve(key) for key in mine))
            else:
                await asyncio.sleep(_POLL_SECONDS)

    async def count_completed(self) -> int:
        from camunda_core.models import (
            LimitPagination,
            ProcessInstanceFilter,
            ProcessInstanceSearchQuery,
            ProcessInstanceStateEnum,
        )
        from camunda_core.semantic_types import Tag

        result = await self.client.search_process_instances(
            data=ProcessInstanceSearchQuery(
                filter=ProcessInstanceFilter(tags=[Tag(self.tag)], state=ProcessInstanceStateEnum.COMPLETED),
                page=LimitPagination(limit=1),
            )
        )
        return result.page.total_items

    async def wait_completed(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            self.completed = await self.count_completed()
            self.progress.completed(self.completed)
            if self.completed >= self.instances:
                return
            await asyncio.sleep(_POLL_SECONDS)

    async def durations(self) -> list[float]:
        from camunda_core.models import (
            ProcessInstanceFilter,
            ProcessInstanceSearchQuery,
            ProcessInstanceStateEnum,
        )
        from camunda_core.semantic_types import Tag

        query = ProcessInstanceSearchQuery(
            filter=ProcessInstanceFilter(tags=[Tag(self.tag)], state=ProcessInstanceStateEnum.COMPLETED)
        )
        seconds: list[float] = []
        async for item in self.client.iter_search_process_instances(data=query, page_size=500):
            if item.end_date is not None:
                seconds.append((item.end_date - item.start_date).total_seconds())
        return seconds


def _bpmn_resource() -> AbstractContextManager[Any]:
    return resources.as_file(resources.files("camunda_cli") / "resources" / "demo-order.bpmn")


async def run_demo(
    instances: int,
    progress: DemoProgress,
    *,
    configuration: Mapping[str, object] | None = None,
    cluster: str = "configured cluster",
    timeout: float = 120.0,
) -> DemoResult:
    """Run the demo against the cluster ``configuration`` names (None: ``CAMUNDA_*`` as usual)."""
    wall_started = time.perf_counter()
    async with WorkerClient(configuration=configuration) as client:
        with _bpmn_resource() as bpmn:
            deployment = await client.deploy_resources_from_files([bpmn])
        definition_key = str(deployment.processes[0].process_definition_key)
        workers = client.include_router(_router())
        run = _Run(client, instances, progress)
        first_created = time.perf_counter()
        deadline = time.monotonic() + timeout
        steps = [
            asyncio.ensure_future(run.start_all(definition_key)),
            asyncio.ensure_future(run.approve_user_tasks(definition_key, deadline)),
            asyncio.ensure_future(run.wait_completed(deadline)),
        ]
        try:
            # Any step failing (an API error, say) ends the run at once.
            await asyncio.wait(steps, return_when=asyncio.FIRST_EXCEPTION)
            all_done = time.perf_counter()
            for step in steps:
                error = step.exception() if step.done() else None
                if error is not None:
                    raise error
        finally:
            for step in steps:
                step.cancel()
            await asyncio.gather(*steps, return_exceptions=True)
            reports = await asyncio.gather(*(worker.stop() for worker in workers))
        durations = await run.durations()
    jobs = {job_type: 0 for job_type in JOB_TYPES}
    for report in reports:
        jobs[report.job_type] = jobs.get(report.job_type, 0) + report.completed
    elapsed = all_done - first_created
    result = DemoResult(
        cluster=cluster,
        instances=instances,
        completed=run.completed,
        large_orders=sum(1 for i in range(instances) if order_amount(i) >= LARGE_ORDER),
        jobs=jobs,
        user_tasks_completed=run.user_tasks,
        messages_published=run.messages,
        p50_seconds=percentile(durations, 0.50),
        p99_seconds=percentile(durations, 0.99),
        throughput_per_second=run.completed / elapsed if elapsed > 0 else 0.0,
        wall_seconds=time.perf_counter() - wall_started,
    )
    if result.completed < instances:
        raise DemoIncomplete(result, timeout)
    return result


class DemoIncomplete(CliError):
    """Not every instance completed within the time limit; carries the partial result."""

    def __init__(self, result: DemoResult, timeout: float) -> None:
        super().__init__(
            f"demo: {result.completed} of {result.instances} instances completed within {timeout:g} s "
            f"(user tasks completed: {result.user_tasks_completed}, messages published: "
            f"{result.messages_published}); 'camunda instances --state ACTIVE --process-id {PROCESS_ID}' "
            "shows the rest"
        )
        self.result = result
