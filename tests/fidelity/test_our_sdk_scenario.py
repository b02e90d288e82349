"""The fidelity scenario through OUR SDK (``camunda_orchestration_sdk`` of this workspace).

The same steps as the official clients' scenarios (test_official_clients.py), on the same
tests/fidelity/order.bpmn, checked by the same ``check_scenario``: deploy, two instances
(150 and 50), the branch tasks, a process instance search, one message published and
one correlated, each user task found by search, assigned, read back and completed with
variables, the last task activated and completed through the job API, each instance
completed along its own branch. The same recording proxy sits between client and kit:
every exchange must be a 2xx whose request and response validate against the 8.9 spec.

Sync: the branch tasks are activated and completed through the job API (the blocking
client has no job worker). Async: they are completed by the SDK's own job worker
(``create_job_worker``, camunda-workers).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fidelity_support import RecordingProxy, check_scenario, spec_problems

from camunda_testkit import FakeCluster

sdk = pytest.importorskip("camunda_orchestration_sdk")
models = pytest.importorskip("camunda_orchestration_sdk.models")

pytestmark = pytest.mark.fidelity

BPMN = Path(__file__).resolve().parent / "order.bpmn"
ORDERS = {"A-1": 150, "B-2": 50}  # orderId -> amount: A-1 takes the high branch, B-2 the low one
APPROVERS = {"A-1": "senior-clerk", "B-2": "clerk"}  # who is assigned each order's user task
BRANCH_TYPES = ("fidelity-high-review", "fidelity-auto-approve")


@contextmanager
def _checked(openapi: Any) -> Generator[tuple[FakeCluster, dict[str, object], dict[str, Any]], None, None]:
    """A kit behind a recording proxy; on exit every exchange must be a 2xx the spec accepts."""
    result: dict[str, Any] = {}
    with FakeCluster() as cluster:
        with RecordingProxy(cluster.base_url) as proxy:
            config: dict[str, object] = {"CAMUNDA_REST_ADDRESS": proxy.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
            yield cluster, config, result
            exchanges = proxy.snapshot()
            received = list(proxy.received)
        assert Counter((r.method, r.path) for r in cluster.requests) == Counter(received)
        unanswered = Counter(received) - Counter((e.request.method, e.request.url.path) for e in exchanges)
        assert set(unanswered) <= {("POST", "/v2/jobs/activation")}, unanswered
        problems = spec_problems(openapi, exchanges)
        assert problems == [], "\n".join(problems)
        result["_operations"] = sorted({r.operation or "?" for r in cluster.requests})
        check_scenario(result, cluster)


def _element_query(**filters: Any) -> Any:
    return models.ElementInstanceSearchQuery(filter=models.ElementInstanceFilter(**filters))


def _instance_query(state: Any) -> Any:
    return models.ProcessInstanceSearchQuery(
        filter=models.ProcessInstanceFilter(process_definition_id="fidelity-order", state=state)
    )


OPEN_TASKS = models.UserTaskSearchQuery(
    filter=models.UserTaskFilter(
        process_definition_id="fidelity-order",
        element_id="approve",
        candidate_group="shipping",
        state=models.UserTaskStateExactMatch.CREATED,
    )
)


def _activation(job_type: str) -> Any:
    return models.JobActivationRequest(type=job_type, timeout=30_000, max_jobs_to_activate=5, request_timeout=2_000)


def _publication() -> Any:
    return models.MessagePublicationRequest(
        name="payment-received", correlation_key="A-1", time_to_live=0, variables={"paidBy": "publish"}
    )


def _correlation() -> Any:
    return models.MessageCorrelationRequest(
        name="payment-received", correlation_key="B-2", variables={"paidBy": "correlate"}
    )


def _user_task_record(task: Any, assigned: Any, mine: Any, done: Any) -> dict[str, Any]:
    return {
        "name": str(task.name),
        "candidateGroups": [str(g) for g in task.candidate_groups],
        "assignee": str(assigned.assignee),
        "assignedSearch": [str(t.user_task_key) for t in mine.items] == [str(task.user_task_key)],
        "state": str(done.state.value if hasattr(done.state, "value") else done.state),
    }


def _shipped_record(variables: Any) -> dict[str, Any]:
    return {name: variables.get(name) for name in ("paidBy", "reviewedBy", "approvedBy")}


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.02)


async def _await_until(condition: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.02)


def test_our_sync_sdk_scenario(openapi_89: Any) -> None:
    with _checked(openapi_89) as (_, config, result), sdk.CamundaClient(configuration=config) as client:
        deployment = client.deploy_resources_from_files([BPMN])
        process = deployment.processes[0]
        result["processDefinitionId"] = str(process.process_definition_id)
        keys: dict[str, str] = {}
        for order_id, amount in ORDERS.items():
            created = client.create_process_instance(
                data=models.ProcessCreationByKey(
                    process_definition_key=process.process_definition_key,
                    variables={"orderId": order_id, "amount": amount},
                )
            )
            keys[order_id] = str(created.process_instance_key)
        result["instances"] = keys

        handled: dict[str, dict[str, Any]] = {}
        for job_type in BRANCH_TYPES:
            (job,) = client.activate_jobs(data=_activation(job_type)).jobs
            handled[job_type] = {"orderId": job.variables["orderId"], "jobKey": str(job.job_key)}
            client.complete_job(
                job_key=job.job_key, data=models.JobCompletionRequest(variables={"reviewedBy": job_type})
            )
        result["workerHandled"] = handled

        waiting = _element_query(element_id="paid", state=models.ElementInstanceStateExactMatch.ACTIVE)
        _wait_until(lambda: len(client.search_element_instances(data=waiting).items) == 2, "message catch")
        active = client.search_process_instances(data=_instance_query(models.ProcessInstanceStateExactMatch.ACTIVE))
        result["activeSearch"] = sorted(str(i.process_instance_key) for i in active.items)
        result["activeTotal"] = active.page.total_items

        client.publish_message(data=_publication())
        result["correlatedInstance"] = str(client.correlate_message(data=_correlation()).process_instance_key)

        order_of = {key: order_id for order_id, key in keys.items()}
        _wait_until(lambda: len(client.search_user_tasks(data=OPEN_TASKS).items) == 2, "user tasks")
        user_tasks: dict[str, Any] = {}
        for task in client.search_user_tasks(data=OPEN_TASKS).items:
            order_id = order_of[str(task.process_instance_key)]
            approver = APPROVERS[order_id]
            client.assign_user_task(
                user_task_key=task.user_task_key,
                data=models.UserTaskAssignmentRequest(assignee=approver, allow_override=False),
            )
            assigned = client.get_user_task(user_task_key=task.user_task_key)
            mine = client.search_user_tasks(
                data=models.UserTaskSearchQuery(filter=models.UserTaskFilter(assignee=approver))
            )
            client.complete_user_task(
                user_task_key=task.user_task_key,
                data=models.UserTaskCompletionRequest(variables={"approvedBy": approver}),
            )
            done = client.get_user_task(user_task_key=task.user_task_key)
            user_tasks[order_id] = _user_task_record(task, assigned, mine, done)
        result["userTasks"] = user_tasks

        shipped: dict[str, Any] = {}
        for job in client.activate_jobs(data=_activation("fidelity-ship")).jobs:
            shipped[job.variables["orderId"]] = _shipped_record(job.variables)
            client.complete_job(job_key=job.job_key, data=models.JobCompletionRequest(variables={"shipped": True}))
        result["shipped"] = shipped

        completed = client.search_process_instances(
            data=_instance_query(models.ProcessInstanceStateExactMatch.COMPLETED)
        )
        result["completedSearch"] = sorted(str(i.process_instance_key) for i in completed.items)
        result["visited"] = {
            order_id: [
                str(i.element_id)
                for i in client.search_element_instances(data=_element_query(process_instance_key=key)).items
            ]
            for order_id, key in keys.items()
        }


def test_our_async_sdk_scenario(openapi_89: Any) -> None:
    with _checked(openapi_89) as (_, config, result):
        asyncio.run(_async_scenario(config, result))


async def _async_scenario(config: dict[str, object], result: dict[str, Any]) -> None:
    async with sdk.CamundaAsyncClient(configuration=config) as client:
        deployment = await client.deploy_resources_from_files([BPMN])
        process = deployment.processes[0]
        result["processDefinitionId"] = str(process.process_definition_id)
        keys: dict[str, str] = {}
        for order_id, amount in ORDERS.items():
            created = await client.create_process_instance(
                data=models.ProcessCreationByKey(
                    process_definition_key=process.process_definition_key,
                    variables={"orderId": order_id, "amount": amount},
                )
            )
            keys[order_id] = str(created.process_instance_key)
        result["instances"] = keys

        # The branch tasks, completed by the SDK's own job worker.
        handled: dict[str, dict[str, Any]] = {}

        async def handler(job: Any) -> dict[str, object]:
            handled[str(job.type)] = {"orderId": job.variables["orderId"], "jobKey": str(job.job_key)}
            return {"reviewedBy": str(job.type)}

        for job_type in BRANCH_TYPES:
            client.create_job_worker(
                config=sdk.WorkerConfig(job_type=job_type, job_timeout_milliseconds=30_000),
                callback=handler,
            )
        waiting = _element_query(element_id="paid", state=models.ElementInstanceStateExactMatch.ACTIVE)

        async def at_message_catch() -> bool:
            return len((await client.search_element_instances(data=waiting)).items) == 2

        await _await_until(at_message_catch, "both instances waiting at the message catch")
        await client.stop_workers(grace=5)
        result["workerHandled"] = handled

        active = await client.search_process_instances(
            data=_instance_query(models.ProcessInstanceStateExactMatch.ACTIVE)
        )
        result["activeSearch"] = sorted(str(i.process_instance_key) for i in active.items)
        result["activeTotal"] = active.page.total_items

        await client.publish_message(data=_publication())
        correlated = await client.correlate_message(data=_correlation())
        result["correlatedInstance"] = str(correlated.process_instance_key)

        order_of = {key: order_id for order_id, key in keys.items()}

        async def at_user_task() -> bool:
            return len((await client.search_user_tasks(data=OPEN_TASKS)).items) == 2

        await _await_until(at_user_task, "both instances waiting at the user task")
        user_tasks: dict[str, Any] = {}
        for task in (await client.search_user_tasks(data=OPEN_TASKS)).items:
            order_id = order_of[str(task.process_instance_key)]
            approver = APPROVERS[order_id]
            await client.assign_user_task(
                user_task_key=task.user_task_key,
                data=models.UserTaskAssignmentRequest(assignee=approver, allow_override=False),
            )
            assigned = await client.get_user_task(user_task_key=task.user_task_key)
            mine = await client.search_user_tasks(
                data=models.UserTaskSearchQuery(filter=models.UserTaskFilter(assignee=approver))
            )
            await client.complete_user_task(
                user_task_key=task.user_task_key,
                data=models.UserTaskCompletionRequest(variables={"approvedBy": approver}),
            )
            done = await client.get_user_task(user_task_key=task.user_task_key)
            user_tasks[order_id] = _user_task_record(task, assigned, mine, done)
        result["userTasks"] = user_tasks

        shipped: dict[str, Any] = {}
        for job in (await client.activate_jobs(data=_activation("fidelity-ship"))).jobs:
            shipped[job.variables["orderId"]] = _shipped_record(job.variables)
            await client.complete_job(
                job_key=job.job_key, data=models.JobCompletionRequest(variables={"shipped": True})
            )
        result["shipped"] = shipped

        completed = await client.search_process_instances(
            data=_instance_query(models.ProcessInstanceStateExactMatch.COMPLETED)
        )
        result["completedSearch"] = sorted(str(i.process_instance_key) for i in completed.items)
        result["visited"] = {}
        for order_id, key in keys.items():
            found = await client.search_element_instances(data=_element_query(process_instance_key=key))
            result["visited"][order_id] = [str(i.element_id) for i in found.items]
