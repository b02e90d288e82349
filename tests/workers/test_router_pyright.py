"""pyright strict checks routed handlers at the decorator: a single value needs variable_name=."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pyright_check import PYRIGHT_AVAILABLE, run_pyright

NEGATIVE = """
from decimal import Decimal
from camunda_workers import JobRouter

router = JobRouter()

@router.task("charge-card")
async def charge(order_id: str) -> Decimal:
    return Decimal(1)
"""

POSITIVE = """
from decimal import Decimal
from typing import Any
import attrs
from camunda_core.client import CamundaAsyncClient, CamundaClient
from camunda_workers import JobContext, JobRouter, ThreadJobContext

router = JobRouter()

@attrs.define
class Charged:
    payment_id: str

@router.task("amount", variable_name="amount")
async def amount(order_id: str) -> Decimal:
    return Decimal(1)

@router.task("charge")
async def charge(order_id: str, job: JobContext) -> Charged:
    client: CamundaAsyncClient = job.client
    assert client
    return Charged(payment_id=order_id)

@router.task("ship")
def ship(job: ThreadJobContext) -> dict[str, Any]:
    client: CamundaClient = job.client
    assert client
    return {"ok": True}
"""


def _pyright(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    return run_pyright(tmp_path, source, timeout=180)


# The pyright of this Python's environment (what _pyright runs); absent when the workers
# package is tested alone (tools/test_isolated.sh).
needs_pyright = pytest.mark.skipif(not PYRIGHT_AVAILABLE, reason="pyright is not installed with this Python")


@needs_pyright
def test_pyright_rejects_a_single_value_without_variable_name(tmp_path: Path) -> None:
    result = _pyright(tmp_path, NEGATIVE)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CoroutineType[Any, Any, Decimal]" in result.stdout, result.stdout
    assert "is not assignable to type \"(...) -> Awaitable[VariablesResult]\"" in result.stdout, result.stdout


@needs_pyright
def test_pyright_accepts_typed_handlers_and_clients(tmp_path: Path) -> None:
    result = _pyright(tmp_path, POSITIVE)
    assert result.returncode == 0, result.stdout + result.stderr
