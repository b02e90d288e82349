"""JobRouter at registration: signatures, return types, settings, nesting (no cluster needed)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Optional, TypedDict

import attrs
import pytest

from camunda_core.errors import ValidationError
from camunda_workers import JobContext, JobRouter, ThreadJobContext
from camunda_workers.injection import analyse, converter_for
from camunda_workers.typed_variables import VariablesError


@attrs.define
class Charged:
    payment_id: str


@dataclasses.dataclass
class Address:
    street: str
    zip: str = ""


class Item(TypedDict):
    sku: str
    qty: int


def _register(fn: Callable[..., Any], **options: Any) -> JobRouter:
    router = JobRouter()
    router.task("t", **options)(fn)
    return router


def _error(fn: Callable[..., Any], **options: Any) -> str:
    with pytest.raises(ValidationError) as info:
        _register(fn, **options)
    return str(info.value)


# -- signatures -------------------------------------------------------------------------


def test_star_args_and_kwargs_are_rejected_naming_function_and_parameter() -> None:
    async def collect(*items: Any) -> None: ...

    async def spread(**values: Any) -> None: ...

    message = _error(collect)
    assert "collect" in message and "'items'" in message and "*args" in message
    message = _error(spread)
    assert "spread" in message and "'values'" in message and "**kwargs" in message


def test_a_parameter_without_annotation_is_rejected() -> None:
    async def charge(order_id):  # type: ignore[no-untyped-def]  # pyright: ignore
        return None

    message = _error(charge)
    assert "charge" in message and "'order_id'" in message and "no annotation" in message


def test_two_job_contexts_are_rejected() -> None:
    async def twice(a: JobContext, b: JobContext) -> None: ...

    message = _error(twice)
    assert "twice" in message and "'b'" in message and "only one" in message


def test_an_unconvertible_annotation_is_rejected() -> None:
    async def sock(conn: Callable[[], None]) -> None: ...

    message = _error(sock)
    assert "sock" in message and "'conn'" in message and "cannot be converted" in message


def test_the_context_must_match_the_strategy() -> None:
    def blocking(job: JobContext) -> None: ...

    async def on_loop(job: ThreadJobContext) -> None: ...

    assert "ThreadJobContext" in _error(blocking)
    assert "annotate it JobContext" in _error(on_loop)

    def fine(job: ThreadJobContext) -> None: ...

    _register(fine)


def test_return_types_are_checked_at_registration() -> None:
    async def amount() -> Decimal:
        return Decimal(1)

    message = _error(amount)
    assert "amount" in message and "variable_name" in message
    _register(amount, variable_name="amount")

    async def charged() -> Charged:
        return Charged("p")

    async def mapping() -> dict[str, Any]:
        return {}

    async def optional() -> Optional[Charged]:
        return None

    async def nothing() -> None: ...

    for fn in (charged, mapping, optional, nothing):
        _register(fn)


def test_bad_settings_fail_at_the_decorator() -> None:
    async def ok() -> None: ...

    with pytest.raises(ValidationError, match="max_concurrent_jobs"):
        JobRouter().task("t", max_concurrent_jobs=0)(ok)
    with pytest.raises(ValidationError, match="timedelta"):
        JobRouter().task("t", timeout=30)(ok)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    with pytest.raises(ValidationError, match="timedelta"):
        JobRouter(timeout=30_000)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


# -- nesting and settings -----------------------------------------------------------------


def test_nested_routers_prefix_job_types_and_inherit_defaults() -> None:
    root = JobRouter(timeout=timedelta(seconds=30), worker_name="svc", max_concurrent_jobs=8)
    billing = JobRouter(max_concurrent_jobs=4)

    @billing.task("charge", timeout=timedelta(seconds=5))
    async def charge(order_id: str) -> None: ...

    @billing.task("refund")
    async def refund(job: JobContext) -> None: ...

    @root.task("ship", execution_strategy="thread")
    def ship(order_id: str, address: Address) -> None: ...

    root.include_router(billing, prefix="billing-")
    configs = {route.job_type: route.worker_config() for route in root.routes()}
    assert set(configs) == {"ship", "billing-charge", "billing-refund"}
    assert configs["billing-charge"].job_timeout_milliseconds == 5_000  # the task wins
    assert configs["billing-charge"].max_concurrent_jobs == 4  # then the nearest router
    assert configs["billing-charge"].worker_name == "svc"  # then the parents
    assert configs["billing-refund"].job_timeout_milliseconds == 30_000
    assert configs["ship"].max_concurrent_jobs == 8
    assert configs["ship"].execution_strategy == "thread"
    # Only the parameters are fetched when the handler cannot see job.variables.
    assert configs["ship"].fetch_variables == ("order_id", "address")
    assert configs["billing-charge"].fetch_variables == ("order_id",)
    assert configs["billing-refund"].fetch_variables is None


def test_duplicate_job_types_and_cycles_are_rejected() -> None:
    a, b = JobRouter(), JobRouter()

    @a.task("x")
    async def first() -> None: ...

    @b.task("x")
    async def second() -> None: ...

    with pytest.raises(ValidationError, match="two handlers"):
        a.include_router(b)
    a.include_router(b, prefix="b-")
    with pytest.raises(ValidationError, match="cannot include itself"):
        b.include_router(a)
    with pytest.raises(ValidationError, match="two handlers"):

        @a.task("x")
        async def third() -> None: ...


def test_exception_handler_needs_an_exception_class() -> None:
    router = JobRouter()
    with pytest.raises(ValidationError):
        router.exception_handler(int)  # type: ignore[type-var]  # pyright: ignore


# -- conversions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (str, "a", "a"),
        (int, 3, 3),
        (int, 3.0, 3),
        (float, 2, 2.0),
        (bool, True, True),
        (Decimal, 12.34, Decimal("12.34")),
        (Decimal, "12.345", Decimal("12.345")),
        (datetime.datetime, "2024-05-01T10:00:00Z", datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.timezone.utc)),
        (datetime.date, "2024-05-01", datetime.date(2024, 5, 1)),
        (Optional[int], None, None),
        (list[Decimal], [1, "2"], [Decimal(1), Decimal(2)]),
        (dict[str, int], {"a": 1}, {"a": 1}),
        (Address, {"street": "Main"}, Address("Main")),
        (Charged, {"payment_id": "p"}, Charged("p")),
        (Item, {"sku": "s", "qty": 2}, {"sku": "s", "qty": 2}),
        (Any, object, object),
    ],
)
def test_conversions(annotation: Any, value: Any, expected: Any) -> None:
    convert, _ = converter_for(annotation)
    assert (value if convert is None else convert(value)) == expected


@pytest.mark.parametrize(
    ("annotation", "value", "fragment"),
    [
        (int, "3", "expected an integer, got str"),
        (int, True, "expected an integer, got bool"),
        (str, 5, "expected a string"),
        (Decimal, "abc", "numeric string"),
        (datetime.datetime, "yesterday", "ISO 8601"),
        (Address, {"zip": "1"}, "missing field(s) 'street'"),
        (Item, {"sku": "s"}, "'qty'"),
        (list[int], [1, "x"], "item 1"),
        (int, None, "got null"),
    ],
)
def test_conversion_failures_name_variable_and_type(annotation: Any, value: Any, fragment: str) -> None:
    async def handler(v: annotation) -> None: ...  # pyright: ignore[reportInvalidTypeForm]

    handler.__annotations__["v"] = annotation
    binding, _ = analyse(handler)

    job = SimpleNamespace(variables={"v": value})
    with pytest.raises(VariablesError) as info:
        binding.arguments(job)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    message = str(info.value)
    assert "'v'" in message and fragment in message
    assert getattr(annotation, "__name__", str(annotation).replace("typing.", "")) in message


def test_missing_required_variable_names_it_and_defaults_are_optional() -> None:
    async def charge(order_id: str, amount: Decimal, note: str = "none") -> None: ...

    binding, _ = analyse(charge)

    job = SimpleNamespace(variables={"order_id": "A"})
    with pytest.raises(VariablesError, match="missing required variable 'amount'"):
        binding.arguments(job)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    job.variables["amount"] = 5
    assert binding.arguments(job) == {"order_id": "A", "amount": Decimal(5)}  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def test_pydantic_is_only_imported_by_the_users_annotation() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from camunda_workers import JobRouter\n"
        "r = JobRouter()\n"
        "@r.task('x')\n"
        "async def h(a: int, b: dict[str, int]) -> dict[str, int]:\n"
        "    return {}\n"
        "print('pydantic' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
