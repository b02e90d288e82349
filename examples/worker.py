"""Two job workers for the order process in ``examples/order.bpmn``.

    uv run python examples/worker.py

Without ``CAMUNDA_REST_ADDRESS`` it starts the test kit's fake cluster in this
process, deploys the BPMN, starts a few orders, and stops once they are done.
With ``CAMUNDA_REST_ADDRESS`` (and credentials) set it deploys to that cluster
and runs until SIGTERM/Ctrl+C.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import attrs

from camunda_orchestration_sdk import (
    CamundaAsyncClient,
    JobError,
    ProcessDefinitionId,
    WorkerConfig,
)
from camunda_orchestration_sdk.models import ProcessCreationById
from camunda_orchestration_sdk.runtime.job_worker import JobContext

BPMN = Path(__file__).with_name("order.bpmn")


@attrs.define
class Order:
    order_id: str
    amount: float


async def charge_payment(job: JobContext) -> dict[str, Any]:
    order = job.variables_as(Order)
    currency = job.custom_headers.get("currency", "EUR")
    if order.amount <= 0:
        # A BPMN error: modelled error handling, not a technical failure.
        raise JobError("INVALID_AMOUNT", f"order {order.order_id}: amount must be positive")
    job.log.info(f"charging {order.amount} {currency} for {order.order_id}")
    await asyncio.sleep(0.01)  # the payment provider's API call
    return {"paymentId": f"pay-{order.order_id}"}


def ship_order(job: JobContext) -> dict[str, Any]:
    # A blocking handler: it runs in a thread pool, the event loop stays free.
    return {"trackingNumber": f"TRK-{job.variables['order_id']}"}


async def run_against_configured_cluster() -> None:
    # Zero-config: CAMUNDA_REST_ADDRESS, CAMUNDA_AUTH_STRATEGY, credentials... come from the environment.
    async with CamundaAsyncClient() as client:
        await client.deploy_resources_from_files([BPMN])
        client.create_job_worker(
            WorkerConfig(job_type="charge-payment", job_timeout_milliseconds=30_000, variables_type=Order),
            charge_payment,
        )
        client.create_job_worker(
            WorkerConfig(job_type="ship-order", job_timeout_milliseconds=30_000, max_concurrent_jobs=4),
            ship_order,
        )
        client.install_signal_handlers()  # SIGTERM / Ctrl+C: finish or release in-flight jobs
        report = await client.run_workers()
        print(f"workers stopped: {report}")


async def run_against_fake_cluster(orders: int = 5) -> None:
    from camunda_testkit import FakeCluster

    with FakeCluster() as cluster:
        async with CamundaAsyncClient(
            configuration={"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
        ) as client:
            await client.deploy_resources_from_files([BPMN])
            for n in range(orders):
                await client.create_process_instance(
                    data=ProcessCreationById(
                        process_definition_id=ProcessDefinitionId("order-process"),
                        variables={"order_id": f"A-{n}", "amount": 10.0 + n},
                    )
                )
            client.create_job_worker(
                WorkerConfig(
                    job_type="charge-payment",
                    job_timeout_milliseconds=30_000,
                    request_timeout_milliseconds=1_000,
                    variables_type=Order,
                ),
                charge_payment,
            )
            client.create_job_worker(
                WorkerConfig(
                    job_type="ship-order",
                    job_timeout_milliseconds=30_000,
                    request_timeout_milliseconds=1_000,
                    max_concurrent_jobs=4,
                ),
                ship_order,
            )
            while len(cluster.instances(state="COMPLETED")) < orders:
                await asyncio.sleep(0.05)
            report = await client.stop_workers(grace=2.0)
            print(f"{orders} orders done against the fake cluster at {cluster.rest_address}: {report}")


def main() -> None:
    if os.environ.get("CAMUNDA_REST_ADDRESS"):
        asyncio.run(run_against_configured_cluster())
    else:
        asyncio.run(run_against_fake_cluster())


if __name__ == "__main__":
    main()
