"""The token request against a real loopback endpoint: form, errors, retries, redirects, timeouts."""

from __future__ import annotations

import asyncio
import socket

import pytest
from oauth_testing import CLIENT_ID, CLIENT_SECRET, ISSUE, ConfigFactory, Reply, TokenServer

from camunda_auth_oauth import OAuthClientCredentialsAuth
from camunda_core.errors import AuthenticationError


def test_token_request_is_a_client_credentials_form_post(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    auth = OAuthClientCredentialsAuth(make_config(oauth_scope="read write"))
    token = auth.get_token()
    assert token == token_server.issued[0]
    [request] = token_server.requests
    assert request.method == "POST"
    assert request.path == "/oauth/token"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "audience": "zeebe.camunda.io",
        "scope": "read write",
    }


def test_scope_and_empty_audience_are_left_out(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    OAuthClientCredentialsAuth(make_config(token_audience="", oauth_scope=None)).get_token()
    assert set(token_server.requests[0].form) == {"grant_type", "client_id", "client_secret"}


def test_async_token_request(token_server: TokenServer, make_config: ConfigFactory) -> None:
    auth = OAuthClientCredentialsAuth(make_config())
    token = asyncio.run(auth.aget_token())
    assert token == token_server.issued[0]
    assert token_server.requests[0].form["client_secret"] == CLIENT_SECRET


@pytest.mark.parametrize("status", [400, 401, 403])
def test_rejected_credentials_name_url_client_and_oauth_error(
    token_server: TokenServer, make_config: ConfigFactory, status: int
) -> None:
    token_server.queue(
        Reply(
            status=status,
            body={"error": "invalid_client", "error_description": "Unknown client"},
        )
    )
    auth = OAuthClientCredentialsAuth(make_config())
    with pytest.raises(AuthenticationError) as caught:
        auth.get_token()
    message = str(caught.value)
    assert token_server.url in message
    assert repr(CLIENT_ID) in message
    assert "invalid_client/Unknown client" in message
    assert CLIENT_SECRET not in message
    assert caught.value.status == status
    assert caught.value.url == token_server.url
    assert token_server.count == 1  # not retried


def test_rejection_without_a_json_body(token_server: TokenServer, make_config: ConfigFactory) -> None:
    token_server.queue(Reply(status=401, body="<html>nope</html>", headers={"content-type": "text/html"}))
    with pytest.raises(AuthenticationError, match="no error details"):
        OAuthClientCredentialsAuth(make_config()).get_token()


def test_secret_echoed_in_an_error_description_is_redacted(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.queue(
        Reply(status=400, body={"error": "invalid_request", "error_description": f"bad {CLIENT_SECRET}"})
    )
    with pytest.raises(AuthenticationError) as caught:
        OAuthClientCredentialsAuth(make_config()).get_token()
    assert CLIENT_SECRET not in str(caught.value)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(
    token_server: TokenServer, make_config: ConfigFactory, status: int
) -> None:
    token_server.queue(Reply(status=status, body={}), Reply(status=status, body={}), ISSUE)
    auth = OAuthClientCredentialsAuth(make_config(retry_max_attempts=3))
    assert auth.get_token() == token_server.issued[0]
    assert token_server.count == 3


def test_outage_gives_up_after_max_attempts(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.default = Reply(status=503, body="down")
    auth = OAuthClientCredentialsAuth(make_config(retry_max_attempts=4))
    with pytest.raises(AuthenticationError) as caught:
        auth.get_token()
    assert token_server.count == 4
    assert token_server.url in str(caught.value)
    assert "after 4 attempts: HTTP 503" in str(caught.value)
    assert caught.value.status == 503


def test_async_outage_gives_up_after_max_attempts(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.default = Reply(status=500, body="")
    auth = OAuthClientCredentialsAuth(make_config(retry_max_attempts=2))
    with pytest.raises(AuthenticationError, match="after 2 attempts: HTTP 500"):
        asyncio.run(auth.aget_token())
    assert token_server.count == 2


def test_retry_after_is_honoured_up_to_max_delay(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    # Retry-After 30 s is capped by retry_max_delay (0.01 s): the test stays fast.
    token_server.queue(Reply(status=429, headers={"retry-after": "30"}), ISSUE)
    auth = OAuthClientCredentialsAuth(make_config())
    assert auth.get_token() == token_server.issued[0]


def test_backoff_delays_grow_exponentially_with_full_jitter() -> None:
    from camunda_auth_oauth import RetrySettings

    retry = RetrySettings(max_attempts=6, initial_delay=0.5, max_delay=3.0)
    assert [retry.delay_before(n, 0.999999) for n in range(1, 6)] == pytest.approx(
        [0.5, 1.0, 2.0, 3.0, 3.0], rel=1e-3
    )
    assert retry.delay_before(3, 0.0) == 0.0
    assert retry.delay_before(3, 0.5) == pytest.approx(1.0)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_is_retried_then_reported(make_config: ConfigFactory) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/oauth/token"
    auth = OAuthClientCredentialsAuth(make_config(oauth_url=url, retry_max_attempts=2))
    with pytest.raises(AuthenticationError) as caught:
        auth.get_token()
    assert url in str(caught.value)
    assert "ConnectError" in str(caught.value)
    assert caught.value.url == url


def test_dropped_connection_is_retried(token_server: TokenServer, make_config: ConfigFactory) -> None:
    token_server.queue(Reply(drop=True), ISSUE)
    assert OAuthClientCredentialsAuth(make_config()).get_token() == token_server.issued[0]
    assert token_server.count == 2


def test_slow_endpoint_times_out(token_server: TokenServer, make_config: ConfigFactory) -> None:
    token_server.default = Reply(body={}, delay=2.0)
    auth = OAuthClientCredentialsAuth(make_config(oauth_timeout=0.2, retry_max_attempts=2))
    with pytest.raises(AuthenticationError) as caught:
        auth.get_token()
    assert "timed out after 0.2 s" in str(caught.value)
    assert token_server.url in str(caught.value)


def test_slow_endpoint_times_out_async(token_server: TokenServer, make_config: ConfigFactory) -> None:
    token_server.default = Reply(body={}, delay=2.0)
    auth = OAuthClientCredentialsAuth(make_config(oauth_timeout=0.2, retry_max_attempts=1))
    with pytest.raises(AuthenticationError, match=r"after 1 attempt: timed out after 0\.2 s"):
        asyncio.run(auth.aget_token())


def test_slow_but_in_time_answer_is_accepted(token_server: TokenServer, make_config: ConfigFactory) -> None:
    token_server.queue(Reply(status=-1, delay=0.3))  # ISSUE, slowly
    auth = OAuthClientCredentialsAuth(make_config(oauth_timeout=5.0))
    assert auth.get_token() == token_server.issued[0]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(body="{not json", headers={"content-type": "application/json"}), "not JSON"),
        (Reply(body="<html>login</html>", headers={"content-type": "text/html"}), "not JSON"),
        (Reply(body="[1, 2]"), "not an object"),
        (Reply(body={"token_type": "Bearer", "expires_in": 60}), "has no access_token"),
        (Reply(body={"access_token": "", "expires_in": 60}), "has no access_token"),
        (Reply(body={"access_token": 12345, "expires_in": 60}), "has no access_token"),
        (Reply(body={"access_token": "leaky-token-1"}), "has no expires_in"),
        (Reply(body={"access_token": "leaky-token-1", "expires_in": -5}), "invalid expires_in"),
        (Reply(body={"access_token": "leaky-token-1", "expires_in": 0}), "invalid expires_in"),
        (Reply(body={"access_token": "leaky-token-1", "expires_in": "soon"}), "invalid expires_in"),
        (Reply(body={"access_token": "leaky-token-1", "expires_in": True}), "invalid expires_in"),
    ],
)
def test_malformed_token_responses(
    token_server: TokenServer, make_config: ConfigFactory, reply: Reply, expected: str
) -> None:
    token_server.queue(reply)
    with pytest.raises(AuthenticationError) as caught:
        OAuthClientCredentialsAuth(make_config()).get_token()
    message = str(caught.value)
    assert expected in message
    assert token_server.url in message
    assert "leaky-token-1" not in message
    assert "login" not in message  # the body is never quoted
    assert token_server.count == 1  # a malformed answer is not retried


def test_expires_in_as_numeric_string_is_accepted(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.lifetime = "3599"
    assert OAuthClientCredentialsAuth(make_config()).get_token() == token_server.issued[0]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_is_not_followed(
    token_server: TokenServer, make_config: ConfigFactory, status: int
) -> None:
    # The redirect target is a second real token server: it must never see the secret.
    target = TokenServer()
    try:
        token_server.queue(Reply(status=status, headers={"location": target.url}))
        with pytest.raises(AuthenticationError) as caught:
            OAuthClientCredentialsAuth(make_config()).get_token()
        assert target.count == 0
        assert token_server.count == 1
        message = str(caught.value)
        assert f"HTTP {status}" in message
        assert token_server.url in message
        assert target.url in message
        assert caught.value.status == status
    finally:
        target.close()


def test_redirect_is_not_followed_async(token_server: TokenServer, make_config: ConfigFactory) -> None:
    target = TokenServer()
    try:
        token_server.queue(Reply(status=307, headers={"location": target.url}))
        with pytest.raises(AuthenticationError, match="redirect"):
            asyncio.run(OAuthClientCredentialsAuth(make_config()).aget_token())
        assert target.count == 0
    finally:
        target.close()


def test_unexpected_status_is_reported_without_retry(
    token_server: TokenServer, make_config: ConfigFactory
) -> None:
    token_server.queue(Reply(status=404, body={"error": "not_found"}))
    with pytest.raises(AuthenticationError, match=r"answered HTTP 404 .*: not_found"):
        OAuthClientCredentialsAuth(make_config()).get_token()
    assert token_server.count == 1


def test_failure_is_not_cached(token_server: TokenServer, make_config: ConfigFactory) -> None:
    # A rejection is remembered for a back-off window (test_oauth_rejection_backoff.py); once it
    # has passed, nothing of the failure stays.
    from oauth_testing import FakeClock

    clock = FakeClock()
    token_server.queue(Reply(status=401, body={"error": "invalid_client"}))
    auth = OAuthClientCredentialsAuth(make_config(), clock=clock)
    with pytest.raises(AuthenticationError):
        auth.get_token()
    clock.advance(1.01)
    assert auth.get_token() == token_server.issued[0]


@pytest.mark.parametrize(
    ("retry_after", "fraction", "expected"),
    [
        (None, 0.5, [0.5, 1.0]),  # full jitter: fraction * min(max_delay, initial * 2 ** (n - 1))
        ("1.5", 0.5, [1.5, 1.5]),  # Retry-After raises the delay...
        ("30", 0.5, [4.0, 4.0]),  # ...but never past retry_max_delay
        ("Fri, 31 Dec 9999 23:59:59 GMT", 0.0, [4.0, 4.0]),  # an HTTP-date counts too
        ("soon", 0.5, [0.5, 1.0]),  # garbage is ignored
    ],
)
def test_token_endpoint_waits_with_the_one_backoff(
    token_server: TokenServer,
    make_config: ConfigFactory,
    retry_after: str | None,
    fraction: float,
    expected: list[float],
) -> None:
    from camunda_auth_oauth.endpoint import TokenEndpoint
    from camunda_auth_oauth.settings import OAuthSettings

    headers = {} if retry_after is None else {"retry-after": retry_after}
    token_server.queue(Reply(status=503, headers=headers), Reply(status=503, headers=headers), ISSUE)
    settings = OAuthSettings.from_config(
        make_config(retry_max_attempts=3, retry_initial_delay=1.0, retry_max_delay=4.0)
    )
    sleeps: list[float] = []
    endpoint = TokenEndpoint(settings, sleep=sleeps.append, random_fraction=lambda: fraction)
    try:
        endpoint.fetch()
    finally:
        endpoint.close()
    assert sleeps == pytest.approx(expected)
