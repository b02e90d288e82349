from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import pytest

from camunda_core.config import resolve_config
from camunda_core.errors import ValidationError
from camunda_workers import WorkerConfig


def config(**environ: str) -> Any:
    return resolve_config({}, environ=environ)


async def async_handler(job: Any) -> None:
    return None


def sync_handler(job: Any) -> None:
    return None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"job_type": ""}, "job_type"),
        ({"job_type": "  "}, "job_type"),
        ({"job_type": "t", "job_timeout_milliseconds": 0}, "job_timeout_milliseconds"),
        ({"job_type": "t", "job_timeout_milliseconds": -5}, "job_timeout_milliseconds"),
        ({"job_type": "t", "job_timeout_milliseconds": 1.5}, "job_timeout_milliseconds"),
        ({"job_type": "t", "max_concurrent_jobs": 0}, "max_concurrent_jobs"),
        ({"job_type": "t", "request_timeout_milliseconds": -1}, "request_timeout_milliseconds"),
        ({"job_type": "t", "execution_strategy": "threads"}, "execution_strategy"),
        ({"job_type": "t", "fetch_variables": "a"}, "fetch_variables"),
        ({"job_type": "t", "fetch_variables": ["a", 1]}, "fetch_variables"),
        ({"job_type": "t", "worker_name": ""}, "worker_name"),
        ({"job_type": "t", "retry_back_off_milliseconds": -1}, "retry_back_off_milliseconds"),
        ({"job_type": "t", "shutdown_grace_seconds": -1}, "shutdown_grace_seconds"),
        ({"job_type": "t", "variables_type": dict}, "variables_type"),
        ({"job_type": "t", "tenant_ids": []}, "tenant_ids"),
    ],
)
def test_invalid_values_name_the_field(kwargs: Mapping[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=f"WorkerConfig.{field}"):
        WorkerConfig(**kwargs)


def test_unknown_strategy_suggests_the_right_one() -> None:
    with pytest.raises(ValidationError, match="did you mean 'thread'"):
        WorkerConfig(job_type="t", execution_strategy="threads")  # type: ignore[arg-type]


def test_unknown_keyword_suggests_the_right_one() -> None:
    with pytest.raises(TypeError, match="'max_concurent_jobs'; did you mean 'max_concurrent_jobs'"):
        WorkerConfig(job_type="t", max_concurent_jobs=3)  # pyright: ignore[reportCallIssue, reportArgumentType]


def test_frozen_and_comparable() -> None:
    a = WorkerConfig(job_type="t", job_timeout_milliseconds=1000)
    assert a == WorkerConfig(job_type="t", job_timeout_milliseconds=1000)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.job_type = "x"  # type: ignore[misc]
    assert attrs.evolve(a, max_concurrent_jobs=4).max_concurrent_jobs == 4


def test_documented_defaults_come_from_the_configuration() -> None:
    resolved = WorkerConfig(job_type="t", job_timeout_milliseconds=1000).resolve(config(), async_handler)
    assert resolved.request_timeout_ms == 0
    assert resolved.max_concurrent_jobs == 10
    assert resolved.worker_name == "camunda-python-sdk-worker"
    assert resolved.retry_back_off_ms == 0
    assert resolved.strategy == "async"


def test_camunda_worker_variables_are_inherited_and_overridable() -> None:
    client_config = config(
        CAMUNDA_WORKER_TIMEOUT="45000",
        CAMUNDA_WORKER_MAX_CONCURRENT_JOBS="32",
        CAMUNDA_WORKER_REQUEST_TIMEOUT="2000",
        CAMUNDA_WORKER_NAME="from-env",
    )
    inherited = WorkerConfig(job_type="t").resolve(client_config, sync_handler)
    assert (inherited.job_timeout_ms, inherited.max_concurrent_jobs) == (45000, 32)
    assert (inherited.request_timeout_ms, inherited.worker_name) == (2000, "from-env")
    assert inherited.strategy == "thread"
    explicit = WorkerConfig(
        job_type="t", job_timeout_milliseconds=5, max_concurrent_jobs=2, request_timeout_milliseconds=0, worker_name="me"
    ).resolve(client_config, sync_handler)
    assert (explicit.job_timeout_ms, explicit.max_concurrent_jobs) == (5, 2)
    assert (explicit.request_timeout_ms, explicit.worker_name) == (0, "me")


def test_job_timeout_required_without_camunda_worker_timeout() -> None:
    with pytest.raises(ValidationError, match=r"job_timeout_milliseconds is required.*CAMUNDA_WORKER_TIMEOUT"):
        WorkerConfig(job_type="t").resolve(config(), sync_handler)


def test_async_strategy_rejects_a_blocking_handler() -> None:
    with pytest.raises(ValidationError, match="not an async function"):
        WorkerConfig(job_type="t", job_timeout_milliseconds=1, execution_strategy="async").resolve(config(), sync_handler)


def test_typed_variables_limit_fetched_variables() -> None:
    @attrs.define
    class Order:
        order_id: str
        amount: float = 0.0

    resolved = WorkerConfig(job_type="t", job_timeout_milliseconds=1, variables_type=Order).resolve(config(), sync_handler)
    assert resolved.fetch_variables == ("order_id", "amount")
    explicit = WorkerConfig(
        job_type="t", job_timeout_milliseconds=1, variables_type=Order, fetch_variables=["order_id"]
    ).resolve(config(), sync_handler)
    assert explicit.fetch_variables == ("order_id",)


def test_tenant_defaults_to_camunda_tenant_id() -> None:
    resolved = WorkerConfig(job_type="t", job_timeout_milliseconds=1).resolve(config(CAMUNDA_TENANT_ID="acme"), sync_handler)
    assert resolved.tenant_ids == ("acme",)
