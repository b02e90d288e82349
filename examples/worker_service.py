"""A worker service written with the router API, for the order process in ``examples/order.bpmn``.

    uv run python examples/worker_service.py

Without ``CAMUNDA_REST_ADDRESS`` it starts the test kit's fake cluster in this
process, deploys the BPMN, starts a few orders (one with an invalid amount, which
ends in a BPMN error), and stops once they are done. With ``CAMUNDA_REST_ADDRESS``
(and credentials) set it deploys to that cluster and runs until SIGTERM/Ctrl+C.
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from camunda_orchestration_sdk import CamundaAsyncClient, ProcessDefinitionId
from camunda_orchestration_sdk.models import ProcessCreationById
from camunda_orchestration_sdk.runtime.job_worker import (
    Fail,
    JobContext,
    JobRouter,
    ThreadJobContext,
    ThrowError,
)

BPMN = Path(__file__).with_name("order.bpmn")


class PaymentDeclined(Exception):
    """The payment provider said no: modelled in the process as a BPMN error."""


@attrs.define
class Payment:
    payment_id: str
    charged: Decimal


# Defaults for every task below; each task may override them.
router = JobRouter(timeout=timedelta(seconds=30), worker_name="order-service")
payments = JobRouter(max_concurrent_jobs=16)


@router.before
def log_start(job: JobContext[Any]) -> None:
    job.log.info(f"{job.type}: job {job.job_key} started")


@payments.task("charge-payment")
async def charge_payment(order_id: str, amount: Decimal, job: JobContext) -> Payment:
    # order_id and amount come from the job's variables, converted to their annotations.
    if amount <= 0:
        raise PaymentDeclined(f"order {order_id}: amount must be positive")
    currency = job.custom_headers.get("currency", "EUR")
    job.log.info(f"charging {amount} {currency} for {order_id}")
    await asyncio.sleep(0.01)  # the payment provider's API call (job.client is the async client)
    return Payment(payment_id=f"pay-{order_id}", charged=amount)  # completes with its fields


@payments.exception_handler(PaymentDeclined)
def declined(job: JobContext[Any], error: PaymentDeclined) -> ThrowError:
    return ThrowError(code="PAYMENT_DECLINED", message=str(error))


@router.task("ship-order", variable_name="tracking_number", max_concurrent_jobs=4)
def ship_order(order_id: str, job: ThreadJobContext) -> str:
    # A blocking handler: it runs in a thread, and job.client is the blocking CamundaClient.
    return f"TRK-{order_id}"


@router.exception_handler(ConnectionError)
def carrier_down(job: JobContext[Any], error: ConnectionError) -> Fail:
    # Retry later without spending the job's retries too fast.
    return Fail(message=f"carrier unreachable: {error}", retries=job.retries - 1, retry_back_off_ms=10_000)


router.include_router(payments)


async def run_against_configured_cluster() -> None:
    async with CamundaAsyncClient() as client:  # CAMUNDA_* from the environment
        await client.deploy_resources_from_files([BPMN])
        client.include_router(router)
        client.install_signal_handlers()
        report = await client.run_workers()
        print(f"workers stopped: {report}")


async def run_against_fake_cluster(orders: int = 4) -> None:
    from camunda_testkit import FakeCluster

    with FakeCluster() as cluster:
        configuration = {
            "CAMUNDA_REST_ADDRESS": cluster.rest_address,
            "CAMUNDA_AUTH_STRATEGY": "NONE",
            "CAMUNDA_WORKER_REQUEST_TIMEOUT": "1000",
        }
        async with CamundaAsyncClient(configuration=configuration) as client:
            await client.deploy_resources_from_files([BPMN])
            for n in range(orders):
                amount = 10 + n if n else 0  # the first order is invalid
                await client.create_process_instance(
                    data=ProcessCreationById(
                        process_definition_id=ProcessDefinitionId("order-process"),
                        variables={"order_id": f"A-{n}", "amount": amount},
                    )
                )
            client.include_router(router)
            while len(cluster.instances(state="COMPLETED")) < orders - 1 or not cluster.jobs(state="ERROR_THROWN"):
                await asyncio.sleep(0.05)
            report = await client.stop_workers(grace=2.0)
            print(f"{orders} orders handled by the router against the fake cluster: {report}")


def main() -> None:
    if os.environ.get("CAMUNDA_REST_ADDRESS"):
        asyncio.run(run_against_configured_cluster())
    else:
        asyncio.run(run_against_fake_cluster())


if __name__ == "__main__":
    main()
