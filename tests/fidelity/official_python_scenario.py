"""The fidelity scenario through the OFFICIAL camunda-orchestration-sdk (PyPI, pinned in tools/setup.sh).

Run by tests/fidelity/test_official_clients.py with the interpreter of
.tools/official-python-sdk (never with the workspace's, whose distribution has the same
name). Configuration comes from the environment (CAMUNDA_REST_ADDRESS, AUTH NONE).
Prints one JSON object on the last line of stdout; the test asserts on it.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import sys
import time
from typing import Any

from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient, WorkerConfig
from camunda_orchestration_sdk.models import (
    ElementInstanceSearchQuery,
    ElementInstanceSearchQueryFilter,
    ElementInstanceStateExactMatch,
    JobActivationRequest,
    JobCompletionRequest,
    JobCompletionRequestVariables,
    MessageCorrelationRequest,
    MessageCorrelationRequestVariables,
    MessagePublicationRequest,
    MessagePublicationRequestVariables,
    ProcessCreationByKey,
    ProcessInstanceCreationInstructionByKeyVariables,
    ProcessInstanceSearchQuery,
    ProcessInstanceSearchQueryFilter,
    ProcessInstanceStateExactMatch,
    UserTaskAssignmentRequest,
    UserTaskCompletionRequest,
    UserTaskCompletionRequestVariables,
    UserTaskSearchQuery,
    UserTaskSearchQueryFilter,
    UserTaskStateExactMatch,
)

BPMN = sys.argv[1]
ORDERS = {"A-1": 150, "B-2": 50}  # orderId -> amount: A-1 takes the high branch, B-2 the low one
APPROVERS = {"A-1": "senior-clerk", "B-2": "clerk"}  # who is assigned each order's user task


def visited(client: CamundaClient, instance_key: str) -> list[str]:
    found = client.search_element_instances(
        data=ElementInstanceSearchQuery(
            filter_=ElementInstanceSearchQueryFilter(process_instance_key=instance_key)
        )
    )
    return [str(item.element_id) for item in found.items]


def wait_until(condition: Any, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.02)


async def run_workers(handled: dict[str, dict[str, Any]]) -> None:
    """The two branch tasks, completed by the SDK's own job worker (async handlers)."""
    async with CamundaAsyncClient() as client:

        async def handler(job: Any) -> dict[str, object]:
            variables = job.variables.to_dict()
            handled[str(job.type_)] = {"orderId": variables["orderId"], "jobKey": str(job.job_key)}
            return {"reviewedBy": str(job.type_)}

        workers = [
            client.create_job_worker(
                config=WorkerConfig(job_type=job_type, job_timeout_milliseconds=30_000),
                callback=handler,
                execution_strategy="async",
            )
            for job_type in ("fidelity-high-review", "fidelity-auto-approve")
        ]
        deadline = time.monotonic() + 10
        while len(handled) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # let the workers send the completions
        for worker in workers:
            worker.stop()


def main() -> None:
    result: dict[str, Any] = {"sdk": importlib.metadata.version("camunda-orchestration-sdk")}
    with CamundaClient() as client:
        deployment = client.deploy_resources_from_files([BPMN])
        process = deployment.processes[0]
        result["processDefinitionId"] = str(process.process_definition_id)

        keys: dict[str, str] = {}
        for order_id, amount in ORDERS.items():
            created = client.create_process_instance(
                data=ProcessCreationByKey(
                    process_definition_key=process.process_definition_key,
                    variables=ProcessInstanceCreationInstructionByKeyVariables.from_dict(
                        {"orderId": order_id, "amount": amount}
                    ),
                )
            )
            keys[order_id] = str(created.process_instance_key)
        result["instances"] = keys

        handled: dict[str, dict[str, Any]] = {}
        asyncio.run(run_workers(handled))
        result["workerHandled"] = handled

        def waiting_for_message() -> bool:
            found = client.search_element_instances(
                data=ElementInstanceSearchQuery(
                    filter_=ElementInstanceSearchQueryFilter(element_id="paid", state=ElementInstanceStateExactMatch.ACTIVE)
                )
            )
            return len(found.items) == 2

        wait_until(waiting_for_message, "both instances waiting at the message catch")

        active = client.search_process_instances(
            data=ProcessInstanceSearchQuery(
                filter_=ProcessInstanceSearchQueryFilter(
                    process_definition_id="fidelity-order",
                    state=ProcessInstanceStateExactMatch.ACTIVE,
                )
            )
        )
        result["activeSearch"] = sorted(str(i.process_instance_key) for i in active.items)
        result["activeTotal"] = active.page.total_items

        client.publish_message(
            data=MessagePublicationRequest(
                name="payment-received",
                correlation_key="A-1",
                time_to_live=0,
                variables=MessagePublicationRequestVariables.from_dict({"paidBy": "publish"}),
            )
        )
        correlated = client.correlate_message(
            data=MessageCorrelationRequest(
                name="payment-received",
                correlation_key="B-2",
                variables=MessageCorrelationRequestVariables.from_dict({"paidBy": "correlate"}),
            )
        )
        result["correlatedInstance"] = str(correlated.process_instance_key)

        # The user task: found by search, assigned, read back, completed with variables.
        order_of = {key: order_id for order_id, key in keys.items()}

        def open_tasks() -> list[Any]:
            found = client.search_user_tasks(
                data=UserTaskSearchQuery(
                    filter_=UserTaskSearchQueryFilter(
                        process_definition_id="fidelity-order",
                        element_id="approve",
                        candidate_group="shipping",
                        state=UserTaskStateExactMatch.CREATED,
                    )
                )
            )
            return list(found.items)

        wait_until(lambda: len(open_tasks()) == 2, "both instances waiting at the user task")
        user_tasks: dict[str, Any] = {}
        for task in open_tasks():
            order_id = order_of[str(task.process_instance_key)]
            client.assign_user_task(
                user_task_key=task.user_task_key,
                data=UserTaskAssignmentRequest(assignee=APPROVERS[order_id], allow_override=False),
            )
            assigned = client.get_user_task(user_task_key=task.user_task_key)
            mine = client.search_user_tasks(
                data=UserTaskSearchQuery(filter_=UserTaskSearchQueryFilter(assignee=APPROVERS[order_id]))
            )
            client.complete_user_task(
                user_task_key=task.user_task_key,
                data=UserTaskCompletionRequest(
                    variables=UserTaskCompletionRequestVariables.from_dict({"approvedBy": APPROVERS[order_id]})
                ),
            )
            done = client.get_user_task(user_task_key=task.user_task_key)
            user_tasks[order_id] = {
                "name": str(task.name),
                "candidateGroups": [str(g) for g in task.candidate_groups],
                "assignee": str(assigned.assignee),
                "assignedSearch": [str(t.user_task_key) for t in mine.items] == [str(task.user_task_key)],
                "state": str(done.state),
            }
        result["userTasks"] = user_tasks

        # The last task through the job API itself: activate, then complete.
        activated = client.activate_jobs(
            data=JobActivationRequest(
                type_="fidelity-ship", timeout=30_000, max_jobs_to_activate=5, request_timeout=2_000
            )
        )
        shipped: dict[str, Any] = {}
        for job in activated.jobs:
            variables = job.variables.to_dict()
            shipped[variables["orderId"]] = {
                "paidBy": variables.get("paidBy"),
                "reviewedBy": variables.get("reviewedBy"),
                "approvedBy": variables.get("approvedBy"),
            }
            client.complete_job(
                job_key=job.job_key,
                data=JobCompletionRequest(
                    variables=JobCompletionRequestVariables.from_dict({"shipped": True})
                ),
            )
        result["shipped"] = shipped

        completed = client.search_process_instances(
            data=ProcessInstanceSearchQuery(
                filter_=ProcessInstanceSearchQueryFilter(
                    process_definition_id="fidelity-order",
                    state=ProcessInstanceStateExactMatch.COMPLETED,
                )
            )
        )
        result["completedSearch"] = sorted(str(i.process_instance_key) for i in completed.items)
        result["visited"] = {order_id: visited(client, key) for order_id, key in keys.items()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
