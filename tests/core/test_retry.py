"""Retry policy, backpressure classification and Retry-After (the budget: test_concurrency_budget.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from mock_transport import NoWaitClock

from camunda_core.errors import (
    ApiError,
    BackpressureError,
    ConfigurationError,
    PluginError,
    ServiceUnavailable,
    TransportError,
    TransportTimeoutError,
    ValidationError,
    api_error_from_response,
    map_transport_error,
)
from camunda_core.hookspecs import hookimpl
from camunda_core.retry import (
    NO_RETRY,
    RETRY_AFTER_CAP,
    Attempt,
    Backoff,
    DefaultRetryPolicy,
    NoRetryPolicy,
    RetryPolicy,
    checked_next_delay,
    classify,
    is_replay_safe,
    parse_retry_after,
    resolve_retry_policy,
)
from camunda_core.retry.backoff import apply_retry_after, backoff_ceiling, backoff_delay
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.sync_client import SyncClientRuntime

# --------------------------------------------------------------------------- helpers

# 2015-10-21T07:28:00Z as a POSIX timestamp.
OCT_21_2015 = 1445412480.0


def problem_error(status: int, *, title: str | None = None, detail: str | None = None) -> ApiError:
    body: dict[str, object] = {"type": "about:blank", "status": status}
    if title is not None:
        body["title"] = title
    if detail is not None:
        body["detail"] = detail
    return api_error_from_response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"content-type": "application/problem+json"},
        operation_id="createProcessInstance",
    )


def raw_error(status: int, body: bytes = b"", content_type: str | None = None) -> ApiError:
    headers = {"content-type": content_type} if content_type else {}
    return api_error_from_response(
        status=status, body=body, headers=headers, operation_id="createProcessInstance"
    )


def transport_error(exc: Exception) -> TransportError:
    return map_transport_error(exc, operation_id="createProcessInstance", method="POST")


def attempt(
    error: Exception | None,
    *,
    status: int | None = None,
    idempotent: bool = False,
    number: int = 1,
    elapsed: float = 0.0,
    retry_after: float | None = None,
) -> Attempt:
    if status is None and isinstance(error, ApiError):
        status = error.status
    return Attempt(
        operation_id="createProcessInstance",
        idempotent=idempotent,
        attempt=number,
        elapsed=elapsed,
        status=status,
        error=error,
        retry_after=retry_after,
    )


def fixed(value: float) -> Callable[[], float]:
    return lambda: value


def _request() -> httpx.Request:
    return httpx.Request("POST", "http://localhost:8080/v2/process-instances")


# --------------------------------------------------------------------------- classify

CLASSIFICATION_ROWS: list[tuple[str, Exception, str]] = [
    ("503 RESOURCE_EXHAUSTED", problem_error(503, title="RESOURCE_EXHAUSTED"), "backpressure"),
    ("429 problem", problem_error(429, title="TOO_MANY_REQUESTS"), "backpressure"),
    ("429 empty body", raw_error(429), "backpressure"),
    (
        "500 RESOURCE_EXHAUSTED in detail",
        problem_error(
            500, title="INTERNAL", detail="Expected to activate jobs, but RESOURCE_EXHAUSTED"
        ),
        "backpressure",
    ),
    ("503 UNAVAILABLE", problem_error(503, title="UNAVAILABLE"), "transient"),
    ("503 empty body", raw_error(503), "transient"),
    (
        "503 proxy HTML",
        raw_error(503, b"<html>Service Unavailable</html>", "text/html"),
        "transient",
    ),
    ("502", raw_error(502, b"<html>Bad Gateway</html>", "text/html"), "transient"),
    ("504", raw_error(504), "transient"),
    ("500 plain", problem_error(500, title="INTERNAL", detail="boom"), "fatal"),
    ("501", raw_error(501), "fatal"),
    ("400", problem_error(400, title="INVALID_ARGUMENT"), "fatal"),
    ("401", problem_error(401, title="UNAUTHENTICATED"), "fatal"),
    ("403", problem_error(403, title="FORBIDDEN"), "fatal"),
    ("404", problem_error(404, title="NOT_FOUND"), "fatal"),
    ("409", problem_error(409, title="INVALID_STATE"), "fatal"),
    ("412", raw_error(412), "fatal"),
    ("413", raw_error(413), "fatal"),
    ("415", raw_error(415), "fatal"),
    ("408", raw_error(408), "fatal"),
    (
        "connect error",
        transport_error(httpx.ConnectError("refused", request=_request())),
        "transient",
    ),
    (
        "connect timeout",
        transport_error(httpx.ConnectTimeout("slow", request=_request())),
        "transient",
    ),
    ("pool timeout", transport_error(httpx.PoolTimeout("busy", request=_request())), "transient"),
    ("read timeout", transport_error(httpx.ReadTimeout("slow", request=_request())), "transient"),
    ("write timeout", transport_error(httpx.WriteTimeout("slow", request=_request())), "transient"),
    ("read error", transport_error(httpx.ReadError("reset", request=_request())), "transient"),
    (
        "server dropped connection",
        transport_error(httpx.RemoteProtocolError("closed", request=_request())),
        "transient",
    ),
    ("foreign exception", ValueError("not ours"), "fatal"),
]


@pytest.mark.parametrize(
    ("error", "expected"),
    [(error, kind) for _, error, kind in CLASSIFICATION_ROWS],
    ids=[name for name, _, _ in CLASSIFICATION_ROWS],
)
def test_classify_every_row(error: Exception, expected: str) -> None:
    status = error.status if isinstance(error, ApiError) else None
    assert classify(status, error) == expected
    # The error alone carries its status; the answer must not depend on passing both.
    assert classify(None, error) == expected
    assert attempt(error).kind == expected


def test_backpressure_errors_are_the_backpressure_class() -> None:
    for name, error, kind in CLASSIFICATION_ROWS:
        assert isinstance(error, BackpressureError) == (kind == "backpressure"), name


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, "backpressure"),
        (503, "transient"),
        (502, "transient"),
        (504, "transient"),
        (500, "fatal"),
        (404, "fatal"),
        (200, "fatal"),
    ],
)
def test_classify_status_without_error(status: int, expected: str) -> None:
    assert classify(status, None) == expected


def test_classify_nothing_known_is_fatal() -> None:
    assert classify(None, None) == "fatal"


def test_classify_uses_backpressure_class_even_without_problem_fields() -> None:
    # A hand-built BackpressureError (e.g. from a plugin's transport) is trusted.
    error = type("Shed", (ServiceUnavailable, BackpressureError), {})(status=503)
    assert classify(503, error) == "backpressure"


# --------------------------------------------------------------------------- replay safety


UNSAFE_AFTER_SEND = [
    httpx.ReadTimeout("slow", request=_request()),
    httpx.WriteTimeout("slow", request=_request()),
    httpx.ReadError("reset", request=_request()),
    httpx.WriteError("broken pipe", request=_request()),
    httpx.RemoteProtocolError("closed", request=_request()),
]
SAFE_BEFORE_SEND = [
    httpx.ConnectError("refused", request=_request()),
    httpx.ConnectTimeout("slow", request=_request()),
    httpx.PoolTimeout("busy", request=_request()),
]


@pytest.mark.parametrize("exc", UNSAFE_AFTER_SEND, ids=lambda e: type(e).__name__)
def test_non_idempotent_request_that_may_have_been_sent_is_never_replayed(exc: Exception) -> None:
    error = transport_error(exc)
    assert error.request_sent is not False
    failed = attempt(error, idempotent=False)
    assert not is_replay_safe(failed)
    assert DefaultRetryPolicy(random=fixed(0.5)).next_delay(failed) is None


@pytest.mark.parametrize("exc", UNSAFE_AFTER_SEND, ids=lambda e: type(e).__name__)
def test_idempotent_request_is_replayed_after_any_transport_error(exc: Exception) -> None:
    failed = attempt(transport_error(exc), idempotent=True)
    assert is_replay_safe(failed)
    assert DefaultRetryPolicy(random=fixed(0.5)).next_delay(failed) == pytest.approx(0.05)


@pytest.mark.parametrize("exc", SAFE_BEFORE_SEND, ids=lambda e: type(e).__name__)
def test_request_that_never_left_is_replayed_for_any_operation(exc: Exception) -> None:
    failed = attempt(transport_error(exc), idempotent=False)
    assert is_replay_safe(failed)
    assert DefaultRetryPolicy(random=fixed(0.5)).next_delay(failed) == pytest.approx(0.05)


def test_unknown_request_sent_counts_as_sent() -> None:
    error = TransportError("lost", operation_id="completeJob", request_sent=None)
    assert DefaultRetryPolicy(random=fixed(0.5)).next_delay(attempt(error)) is None


@pytest.mark.parametrize(
    "error",
    [
        problem_error(503, title="RESOURCE_EXHAUSTED"),
        raw_error(429),
        problem_error(500, detail="RESOURCE_EXHAUSTED"),
        problem_error(503, title="UNAVAILABLE"),
        raw_error(502),
        raw_error(504),
    ],
    ids=["503-backpressure", "429", "500-backpressure", "503-unavailable", "502", "504"],
)
def test_rejected_responses_are_replayed_for_non_idempotent_operations(error: ApiError) -> None:
    failed = attempt(error, idempotent=False)
    assert is_replay_safe(failed)
    assert DefaultRetryPolicy(random=fixed(0.5)).next_delay(failed) == pytest.approx(0.05)


@pytest.mark.parametrize("idempotent", [True, False])
@pytest.mark.parametrize(
    "error",
    [problem_error(500, detail="boom"), problem_error(404), problem_error(409), problem_error(400)],
    ids=["500", "404", "409", "400"],
)
def test_fatal_responses_are_never_retried(error: ApiError, idempotent: bool) -> None:
    assert (
        DefaultRetryPolicy(random=fixed(0.5)).next_delay(attempt(error, idempotent=idempotent))
        is None
    )


# --------------------------------------------------------------------------- backoff


def test_full_jitter_delay_is_random_times_capped_exponential() -> None:
    policy = DefaultRetryPolicy(
        max_attempts=100, initial_delay=0.1, max_delay=5.0, deadline=1e9, random=fixed(0.5)
    )
    busy = problem_error(503, title="RESOURCE_EXHAUSTED")
    delays = [policy.next_delay(attempt(busy, number=n)) for n in range(1, 10)]
    # 0.5 * min(5.0, 0.1 * 2**(n-1))
    assert delays == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2.5, 2.5, 2.5])


@pytest.mark.parametrize("number", [1, 2, 3, 7, 50, 5000])
def test_jitter_stays_within_zero_and_the_ceiling(number: int) -> None:
    busy = raw_error(429)
    low = DefaultRetryPolicy(max_attempts=10_000, deadline=1e9, random=fixed(0.0))
    high = DefaultRetryPolicy(max_attempts=10_000, deadline=1e9, random=fixed(0.999999))
    ceiling = min(5.0, 0.1 * 2 ** min(number - 1, 64))
    assert low.next_delay(attempt(busy, number=number)) == 0.0
    high_delay = high.next_delay(attempt(busy, number=number))
    assert high_delay is not None
    assert 0.0 <= high_delay <= ceiling
    assert high_delay == pytest.approx(0.999999 * ceiling)
    assert high.backoff_ceiling(number) == pytest.approx(ceiling)


def test_random_outside_unit_interval_is_clamped() -> None:
    busy = raw_error(429)
    assert DefaultRetryPolicy(random=fixed(-3.0)).next_delay(attempt(busy)) == 0.0
    assert DefaultRetryPolicy(random=fixed(7.0)).next_delay(attempt(busy)) == pytest.approx(0.1)


def test_delays_with_a_seeded_sequence_are_reproducible() -> None:
    values = iter([0.25, 0.75, 0.5, 1.0 - 1e-9])
    policy = DefaultRetryPolicy(random=lambda: next(values))
    busy = raw_error(503)
    got = [policy.next_delay(attempt(busy, number=n)) for n in range(1, 5)]
    assert got == pytest.approx([0.025, 0.15, 0.2, 0.8])


def test_max_attempts_bounds_the_number_of_tries() -> None:
    policy = DefaultRetryPolicy(max_attempts=3, random=fixed(0.5))
    busy = raw_error(429)
    assert policy.next_delay(attempt(busy, number=1)) is not None
    assert policy.next_delay(attempt(busy, number=2)) is not None
    assert policy.next_delay(attempt(busy, number=3)) is None
    assert policy.next_delay(attempt(busy, number=4)) is None


def test_max_attempts_one_never_retries() -> None:
    policy = DefaultRetryPolicy(max_attempts=1, random=fixed(0.5))
    assert policy.next_delay(attempt(raw_error(429))) is None


def test_deadline_gives_up_when_the_wait_would_cross_it() -> None:
    policy = DefaultRetryPolicy(deadline=10.0, max_attempts=100, random=fixed(0.5))
    busy = raw_error(503)
    # attempt 3 -> delay 0.2
    assert policy.next_delay(attempt(busy, number=3, elapsed=9.8)) == pytest.approx(0.2)
    assert policy.next_delay(attempt(busy, number=3, elapsed=9.81)) is None
    assert policy.next_delay(attempt(busy, number=3, elapsed=10.0)) is None
    assert policy.next_delay(attempt(busy, number=3, elapsed=42.0)) is None


def test_a_simulated_call_stops_at_the_deadline_or_attempt_limit() -> None:
    # Drive the policy as a send loop would, with a virtual clock: it must stop
    # before the deadline, and never sleep past it.
    busy = problem_error(503, title="RESOURCE_EXHAUSTED")
    policy = DefaultRetryPolicy(
        max_attempts=1000, initial_delay=0.5, max_delay=4.0, deadline=20.0, random=fixed(1.0)
    )
    elapsed, number = 0.0, 1
    while True:
        delay = policy.next_delay(attempt(busy, number=number, elapsed=elapsed))
        if delay is None:
            break
        elapsed += delay
        number += 1
    assert elapsed <= 20.0
    # 0.5 + 1 + 2 + 4 + 4 + 4 + 4 = 19.5, and the next 4 s would cross 20 s.
    assert elapsed == pytest.approx(19.5)
    assert number == 8


# --------------------------------------------------------------------------- the one backoff


def test_backoff_ceiling_grows_by_factor_up_to_the_maximum() -> None:
    assert [backoff_ceiling(n, 0.1, 5.0) for n in range(1, 9)] == pytest.approx(
        [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    )
    assert [backoff_ceiling(n, 1.0, 100.0, factor=3.0) for n in range(1, 6)] == pytest.approx([1, 3, 9, 27, 81])
    # Attempt numbers below 1 mean the first ceiling; huge ones stay finite.
    assert backoff_ceiling(0, 0.1, 5.0) == pytest.approx(0.1)
    assert backoff_ceiling(10**9, 0.1, 5.0) == 5.0
    assert backoff_ceiling(10**9, 0.1, 5.0, factor=1e300) == 5.0


@pytest.mark.parametrize(
    ("jitter", "fraction", "expected"),
    [
        ("full", 0.0, 0.0),
        ("full", 0.25, 0.1),
        ("full", 1.0, 0.4),
        ("equal", 0.0, 0.2),
        ("equal", 0.5, 0.3),
        ("equal", 1.0, 0.4),
        ("none", 0.0, 0.4),
        ("none", 0.9, 0.4),
        # An injected random outside [0, 1] is clamped.
        ("full", -5.0, 0.0),
        ("full", 5.0, 0.4),
        ("equal", -5.0, 0.2),
    ],
)
def test_backoff_delay_jitter_styles(jitter: Any, fraction: float, expected: float) -> None:
    delay = backoff_delay(3, initial=0.1, max_delay=5.0, jitter=jitter, random=fixed(fraction))
    assert delay == pytest.approx(expected)


def test_backoff_delay_rejects_an_unknown_jitter() -> None:
    with pytest.raises(ValueError, match="jitter"):
        backoff_delay(1, initial=0.1, max_delay=1.0, jitter="half", random=fixed(0.5))  # pyright: ignore[reportArgumentType]


def test_apply_retry_after_raises_never_lowers_and_is_capped() -> None:
    assert apply_retry_after(0.5, None) == 0.5
    assert apply_retry_after(0.5, 0.0) == 0.5
    assert apply_retry_after(0.5, -1.0) == 0.5
    assert apply_retry_after(0.5, 0.2) == 0.5
    assert apply_retry_after(0.5, 2.0) == 2.0
    assert apply_retry_after(0.5, 1000.0) == RETRY_AFTER_CAP
    assert apply_retry_after(0.5, 1000.0, cap=3.0) == 3.0


def test_backoff_bundles_the_parameters() -> None:
    values = iter([0.0, 1.0, 0.5])
    backoff = Backoff(initial=0.05, max_delay=10.0, jitter="equal", random=lambda: next(values))
    # The worker's poll loop formula: ceiling * (0.5 + 0.5 * random()).
    assert backoff.delay(1) == pytest.approx(0.025)
    assert backoff.delay(2) == pytest.approx(0.1)
    assert backoff.delay(20, retry_after=400.0) == pytest.approx(RETRY_AFTER_CAP)
    assert backoff.ceiling(20) == 10.0
    assert Backoff(initial=1.0, max_delay=2.0, jitter="none", retry_after_cap=5.0).delay(1, 9.0) == 5.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"initial": -1.0},
        {"max_delay": float("inf")},
        {"factor": 0.5},
        {"retry_after_cap": -1.0},
        {"jitter": "half"},
        {"random": 0.5},
    ],
)
def test_backoff_rejects_nonsense(kwargs: dict[str, Any]) -> None:
    params: dict[str, Any] = {"initial": 0.1, "max_delay": 1.0, **kwargs}
    with pytest.raises(ValueError, match="Backoff"):
        Backoff(**params)


# --------------------------------------------------------------------------- Retry-After


def test_retry_after_raises_the_delay() -> None:
    policy = DefaultRetryPolicy(random=fixed(0.5))
    assert policy.next_delay(attempt(raw_error(429), retry_after=3.0)) == pytest.approx(3.0)


def test_jitter_wins_when_larger_than_retry_after() -> None:
    policy = DefaultRetryPolicy(random=fixed(0.5), initial_delay=2.0)
    assert policy.next_delay(attempt(raw_error(429), retry_after=0.5)) == pytest.approx(1.0)


def test_retry_after_is_capped() -> None:
    policy = DefaultRetryPolicy(random=fixed(0.5), deadline=1000.0, max_retry_after=30.0)
    assert policy.next_delay(attempt(raw_error(429), retry_after=299.0)) == pytest.approx(30.0)


def test_retry_after_past_the_deadline_gives_up() -> None:
    policy = DefaultRetryPolicy(random=fixed(0.5), deadline=60.0)
    assert policy.next_delay(attempt(raw_error(503), retry_after=120.0)) is None


def test_retry_after_does_not_make_a_fatal_error_retryable() -> None:
    policy = DefaultRetryPolicy(random=fixed(0.5))
    assert policy.next_delay(attempt(problem_error(400), retry_after=1.0)) is None


def _busy_with_retry_after(value: str) -> ApiError:
    return api_error_from_response(
        status=503,
        body=b'{"title":"RESOURCE_EXHAUSTED","status":503}',
        headers={"content-type": "application/problem+json", "retry-after": value},
        operation_id="createProcessInstance",
    )


def test_attempt_takes_retry_after_from_the_error() -> None:
    error = _busy_with_retry_after("2")
    assert error.retry_after == 2.0
    built = Attempt(operation_id="x", idempotent=False, attempt=1, elapsed=0.0, status=503, error=error)
    assert built.retry_after == 2.0
    # Given explicitly, the attempt's own value wins.
    assert attrs.evolve(built, retry_after=5.0).retry_after == 5.0
    no_error = Attempt(operation_id="x", idempotent=True, attempt=1, elapsed=0.0, status=None, error=None)
    assert no_error.retry_after is None


def test_policy_honours_the_errors_retry_after() -> None:
    policy = DefaultRetryPolicy(random=fixed(0.5))
    error = _busy_with_retry_after("2")
    built = Attempt(operation_id="x", idempotent=False, attempt=1, elapsed=0.0, status=503, error=error)
    assert policy.next_delay(built) == pytest.approx(2.0)


def test_client_waits_what_a_503_retry_after_asks() -> None:
    busy = httpx.Response(
        503,
        json={"type": "about:blank", "title": "RESOURCE_EXHAUSTED", "status": 503},
        headers={"Retry-After": "2"},
    )
    cluster = _ScriptedCluster(busy, _ok())
    sleeps: list[float] = []
    with _sync_client(cluster, sleeps) as client:
        assert client.runtime.invoke(_POST, body={"processDefinitionId": "p"}) == {"ok": True}
    assert sleeps == [2.0]


def test_error_raised_after_giving_up_keeps_its_retry_after() -> None:
    busy = httpx.Response(503, json={"title": "RESOURCE_EXHAUSTED", "status": 503}, headers={"Retry-After": "2"})
    cluster = _ScriptedCluster(busy)
    sleeps: list[float] = []
    with _sync_client(cluster, sleeps) as client, pytest.raises(BackpressureError) as caught:
        client.runtime.invoke(_GET, retry=False)
    assert caught.value.retry_after == 2.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("  7 ", 7.0),
        ("1.5", 1.5),
        ("99999", RETRY_AFTER_CAP),
        (None, None),
        ("", None),
        ("   ", None),
        ("-5", None),
        ("-0.5", None),
        ("+5", None),
        ("abc", None),
        ("1e3", None),
        ("1_000", None),
        ("inf", None),
        ("nan", None),
        ("5 seconds", None),
        ("Wed, 32 Oct 2015 07:28:00 GMT", None),
        ("Wed, 21 Oct 2015 25:28:00 GMT", None),
        ("Wed, 21 Foo 2015 07:28:00 GMT", None),
    ],
)
def test_parse_retry_after_delta_seconds_and_garbage(
    value: str | None, expected: float | None
) -> None:
    got = parse_retry_after(value, now=OCT_21_2015)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),  # IMF-fixdate
        ("Wednesday, 21-Oct-15 07:29:00 GMT", 60.0),  # RFC 850
        ("Wed Oct 21 07:30:00 2015", 120.0),  # asctime, no zone: GMT
        ("Wed, 21 Oct 2015 08:28:10 +0100", 10.0),  # numeric zone
        ("Wed, 21 Oct 2015 07:00:00 GMT", 0.0),  # in the past: retry now
        ("Thu, 22 Oct 2015 07:28:00 GMT", RETRY_AFTER_CAP),  # a day away: capped
    ],
)
def test_parse_retry_after_http_date(value: str, expected: float) -> None:
    assert parse_retry_after(value, now=OCT_21_2015) == pytest.approx(expected)


def test_parse_retry_after_http_date_defaults_to_the_wall_clock() -> None:
    # A date long past is "now" whatever the real time is.
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT") == 0.0


# --------------------------------------------------------------------------- policy construction


class Config:
    def __init__(
        self,
        retry_max_attempts: int = 7,
        retry_initial_delay: float = 0.2,
        retry_max_delay: float = 3.0,
        retry_deadline: float = 30.0,
    ) -> None:
        self.retry_max_attempts = retry_max_attempts
        self.retry_initial_delay = retry_initial_delay
        self.retry_max_delay = retry_max_delay
        self.retry_deadline = retry_deadline


def test_from_config_reads_the_retry_settings() -> None:
    policy = DefaultRetryPolicy.from_config(Config(), random=fixed(0.5))
    assert (policy.max_attempts, policy.initial_delay, policy.max_delay, policy.deadline) == (
        7,
        0.2,
        3.0,
        30.0,
    )
    assert policy.next_delay(attempt(raw_error(429))) == pytest.approx(0.1)
    assert "max_attempts=7" in repr(policy)


def test_from_config_names_the_variables_that_are_wrong() -> None:
    with pytest.raises(ConfigurationError) as caught:
        DefaultRetryPolicy.from_config(Config(retry_max_attempts=0, retry_deadline=-1.0))
    assert caught.value.variables == ("CAMUNDA_RETRY_MAX_ATTEMPTS", "CAMUNDA_RETRY_DEADLINE_MS")


def test_from_config_accepts_the_resolved_client_configuration(tmp_path: Path) -> None:
    from camunda_core.config import resolve_config

    config = resolve_config(
        {
            "CAMUNDA_REST_ADDRESS": "http://localhost:8080",
            "CAMUNDA_RETRY_MAX_ATTEMPTS": "3",
            "CAMUNDA_RETRY_INITIAL_DELAY_MS": "250",
            "CAMUNDA_RETRY_MAX_DELAY_MS": "2000",
            "CAMUNDA_RETRY_DEADLINE_MS": "15000",
        },
        environ={},
        cwd=tmp_path,
    )
    policy = DefaultRetryPolicy.from_config(config)
    assert (policy.max_attempts, policy.initial_delay, policy.max_delay, policy.deadline) == (
        3,
        0.25,
        2.0,
        15.0,
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 2.5}, "max_attempts"),
        ({"max_attempts": True}, "max_attempts"),
        ({"initial_delay": -0.1}, "initial_delay"),
        ({"max_delay": float("nan")}, "max_delay"),
        ({"initial_delay": 2.0, "max_delay": 1.0}, "max_delay"),
        ({"deadline": 0}, "deadline"),
        ({"deadline": float("inf")}, "deadline"),
        ({"max_retry_after": -1}, "max_retry_after"),
        ({"random": 0.5}, "random"),
    ],
)
def test_bad_policy_arguments_are_named(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        DefaultRetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert caught.value.variables == (field,)


def test_no_retry_never_retries() -> None:
    assert isinstance(NO_RETRY, NoRetryPolicy)
    assert isinstance(NO_RETRY, RetryPolicy)
    assert NO_RETRY.next_delay(attempt(raw_error(429), idempotent=True)) is None


def test_resolve_retry_policy_per_call_option() -> None:
    default = DefaultRetryPolicy()
    custom = DefaultRetryPolicy(max_attempts=2)
    assert resolve_retry_policy(None, default) is default
    assert resolve_retry_policy(True, default) is default
    assert resolve_retry_policy(False, default) is NO_RETRY
    assert resolve_retry_policy(custom, default) is custom
    with pytest.raises(ValidationError, match="retry"):
        resolve_retry_policy(3, default)  # type: ignore[arg-type]


class BadPolicy:
    def __init__(self, answer: object) -> None:
        self.answer = answer

    def next_delay(self, attempt: Attempt) -> float | None:
        return self.answer  # type: ignore[return-value]


@pytest.mark.parametrize("answer", [-1.0, float("nan"), float("inf"), "1", True])
def test_checked_next_delay_rejects_nonsense_from_a_plugin_policy(answer: object) -> None:
    with pytest.raises(PluginError, match="BadPolicy"):
        checked_next_delay(BadPolicy(answer), attempt(raw_error(429)))


def test_checked_next_delay_passes_good_answers() -> None:
    assert checked_next_delay(BadPolicy(None), attempt(raw_error(429))) is None
    assert checked_next_delay(BadPolicy(2), attempt(raw_error(429))) == 2.0


def test_attempt_is_frozen_and_keyword_only() -> None:
    failed = attempt(raw_error(429))
    with pytest.raises(AttributeError):
        failed.attempt = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Attempt("op", True, 1, 0.0, None, None)  # type: ignore[misc]


# The concurrency budget and its adaptive limit: tests/core/test_concurrency_budget.py.


# --------------------------------------------------------------------------- through the clients
# The send loops (sync_client.py / async_client.py) driving this module end to
# end over an in-memory transport: a plugin's policy, retry= per call, and the
# idempotency rule.


class _ScriptedCluster:
    """Answers each request with the next scripted reply (a response or an exception)."""

    def __init__(self, *replies: httpx.Response | Exception) -> None:
        self.replies = list(replies)
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply


def _busy() -> httpx.Response:
    return httpx.Response(
        503, json={"type": "about:blank", "title": "RESOURCE_EXHAUSTED", "status": 503}
    )


def _ok() -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


class _TransportPlugin:
    def __init__(self, cluster: _ScriptedCluster, policy: RetryPolicy | None = None) -> None:
        self.cluster = cluster
        self.policy = policy

    @hookimpl
    def camunda_http_transport(self, config: object, asynchronous: bool) -> httpx.MockTransport:
        return httpx.MockTransport(self.cluster)

    @hookimpl
    def camunda_retry_policy(self, config: object) -> RetryPolicy | None:
        return self.policy


_CONFIG = {"CAMUNDA_REST_ADDRESS": "http://localhost:8080"}
_GET = Operation[Any]("getTopology", "GET", "/topology", response_kind="json")
_POST = Operation[Any](
    "createProcessInstance", "POST", "/process-instances", body_kind="json", response_kind="json"
)


def _sync_client(
    cluster: _ScriptedCluster, sleeps: list[float], policy: RetryPolicy | None = None
) -> SyncClientRuntime:
    return SyncClientRuntime(
        _CONFIG,
        plugins=[_TransportPlugin(cluster, policy)],
        load_entry_points=False,
        environ={},
        clock=_clock_recording_into(sleeps),
    )


def _clock_recording_into(sleeps: list[float]) -> NoWaitClock:
    clock = NoWaitClock()
    clock.sleeps = sleeps
    return clock


def test_client_replays_a_non_idempotent_call_after_backpressure() -> None:
    cluster = _ScriptedCluster(_busy(), _busy(), _ok())
    sleeps: list[float] = []
    with _sync_client(cluster, sleeps) as client:
        assert client.runtime.invoke(_POST, body={"processDefinitionId": "p"}) == {"ok": True}
    assert cluster.requests == ["POST /v2/process-instances"] * 3
    assert len(sleeps) == 2
    assert 0.0 <= sleeps[0] <= 0.1 and 0.0 <= sleeps[1] <= 0.2


def test_client_does_not_replay_a_non_idempotent_call_after_a_read_timeout() -> None:
    cluster = _ScriptedCluster(httpx.ReadTimeout("slow"), _ok())
    sleeps: list[float] = []
    with _sync_client(cluster, sleeps) as client, pytest.raises(TransportTimeoutError) as caught:
        client.runtime.invoke(_POST, body={"processDefinitionId": "p"})
    assert caught.value.request_sent is True
    assert len(cluster.requests) == 1
    assert sleeps == []


def test_client_replays_an_idempotent_call_after_a_read_timeout() -> None:
    cluster = _ScriptedCluster(httpx.ReadTimeout("slow"), _ok())
    sleeps: list[float] = []
    with _sync_client(cluster, sleeps) as client:
        assert client.runtime.invoke(_GET) == {"ok": True}
    assert len(cluster.requests) == 2


def test_client_retry_false_raises_the_first_failure() -> None:
    cluster = _ScriptedCluster(_busy(), _ok())
    sleeps: list[float] = []
    with _sync_client(cluster, sleeps) as client, pytest.raises(BackpressureError):
        client.runtime.invoke(_GET, retry=False)
    assert len(cluster.requests) == 1


def test_client_gives_up_after_max_attempts_with_the_last_error() -> None:
    cluster = _ScriptedCluster(_busy())
    sleeps: list[float] = []
    policy = DefaultRetryPolicy(max_attempts=3, random=fixed(0.5))
    with _sync_client(cluster, sleeps) as client, pytest.raises(ServiceUnavailable) as caught:
        client.runtime.invoke(_GET, retry=policy)
    assert caught.value.is_backpressure
    assert len(cluster.requests) == 3
    assert sleeps == pytest.approx([0.05, 0.1])


def test_client_uses_the_policy_a_plugin_provides() -> None:
    cluster = _ScriptedCluster(httpx.Response(502), httpx.Response(502), _ok())
    sleeps: list[float] = []
    with _sync_client(cluster, sleeps, policy=NO_RETRY) as client:
        with pytest.raises(ApiError) as caught:
            client.runtime.invoke(_GET)
        assert caught.value.status == 502
        assert len(cluster.requests) == 1
        # The per-call option still overrides the plugin's policy.
        assert client.runtime.invoke(_GET, retry=DefaultRetryPolicy(random=fixed(0.0))) == {"ok": True}
        assert len(cluster.requests) == 3
        assert sleeps == [0.0]


def test_async_client_retries_backpressure_and_respects_idempotency() -> None:
    async def main() -> None:
        sleeps: list[float] = []

        busy_then_ok = _ScriptedCluster(_busy(), _ok())
        client = AsyncClientRuntime(
            _CONFIG,
            plugins=[_TransportPlugin(busy_then_ok)],
            load_entry_points=False,
            environ={},
            clock=_clock_recording_into(sleeps),
        )
        async with client:
            assert await client.runtime.ainvoke(_POST, body={"processDefinitionId": "p"}) == {"ok": True}
        assert len(busy_then_ok.requests) == 2
        assert len(sleeps) == 1

        timeout_then_ok = _ScriptedCluster(httpx.ReadTimeout("slow"), _ok())
        client = AsyncClientRuntime(
            _CONFIG,
            plugins=[_TransportPlugin(timeout_then_ok)],
            load_entry_points=False,
            environ={},
            clock=_clock_recording_into(sleeps),
        )
        async with client:
            with pytest.raises(TransportTimeoutError):
                await client.runtime.ainvoke(_POST, body={"processDefinitionId": "p"})
        assert len(timeout_then_ok.requests) == 1

    asyncio.run(main())


def test_for_lease_keeps_backing_off_until_the_lease_runs_out() -> None:
    base = DefaultRetryPolicy(max_attempts=3, initial_delay=0.1, max_delay=2.0, deadline=60.0, random=fixed(0.5))
    lease = base.for_lease(30.0)
    busy = problem_error(503, title="RESOURCE_EXHAUSTED")
    assert base.next_delay(attempt(busy, number=3)) is None
    assert lease.next_delay(attempt(busy, number=50, elapsed=10.0)) == pytest.approx(1.0)
    assert lease.next_delay(attempt(busy, number=50, elapsed=29.5)) is None
    # Still only what is safe: a 400 is never retried.
    assert lease.next_delay(attempt(problem_error(400, title="INVALID_ARGUMENT"), number=1)) is None
