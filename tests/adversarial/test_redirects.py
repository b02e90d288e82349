"""Redirects to another host are never followed, so no credential can reach it.

The API answers 301/302/307/308 with a Location on another loopback host
(127.0.0.2, another port) that records every byte it receives.
"""

from __future__ import annotations

import pytest
from adversarial_support import call
from fault_server import FaultServer, json_response, redirect

from camunda_orchestration_sdk import ApiError, AuthenticationError, CamundaError
from camunda_orchestration_sdk.models.process_creation_by_id import ProcessCreationById

REDIRECTS = [301, 302, 307, 308]
PASSWORD = "pw-Zq81-never-leak"
CLIENT_SECRET = "cs-Kx42-never-leak"
TOKEN = "tok-Vb77-never-leak"
SECRETS = (PASSWORD, CLIENT_SECRET, TOKEN)


def _auth_settings(auth: str, server: FaultServer) -> dict[str, object]:
    if auth == "BASIC":
        return {
            "CAMUNDA_AUTH_STRATEGY": "BASIC",
            "CAMUNDA_BASIC_AUTH_USERNAME": "demo",
            "CAMUNDA_BASIC_AUTH_PASSWORD": PASSWORD,
        }
    server.route(
        "/oauth/token",
        json_response(200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}),
    )
    return {
        "CAMUNDA_AUTH_STRATEGY": "OAUTH",
        "CAMUNDA_CLIENT_ID": "adversary-test",
        "CAMUNDA_CLIENT_SECRET": CLIENT_SECRET,
        "CAMUNDA_OAUTH_URL": f"{server.base_url}/oauth/token",
    }


def _assert_no_secret(error: BaseException) -> None:
    for text in (str(error), repr(error)):
        for secret in SECRETS:
            assert secret not in text


@pytest.mark.parametrize("auth", ["BASIC", "OAUTH"])
@pytest.mark.parametrize("status", REDIRECTS)
@pytest.mark.parametrize("operation", ["get_topology", "create_process_instance"])
def test_a_redirect_to_another_host_is_never_followed_and_no_credential_reaches_it(
    fault_server: FaultServer,
    other_host: FaultServer,
    surface: str,
    auth: str,
    status: int,
    operation: str,
) -> None:
    location = f"{other_host.rest_address}/topology"
    fault_server.set_default(redirect(status, location))
    other_host.set_default(json_response(200, {}))
    kwargs: dict[str, object] = {}
    if operation == "create_process_instance":
        kwargs["data"] = ProcessCreationById(process_definition_id="p")  # type: ignore[arg-type]
    with pytest.raises(ApiError) as caught:
        call(
            surface,
            fault_server.rest_address,
            operation,
            _auth_settings(auth, fault_server),
            **kwargs,
        )
    assert other_host.requests == []
    assert other_host.accepted_connections == 0
    error = caught.value
    assert error.status == status
    assert str(status) in str(error)
    assert location in str(error) or error.headers.get("location") == location
    api_calls = [r for r in fault_server.requests if r.path != "/oauth/token"]
    assert len(api_calls) == 1, "a redirect is not retried either"
    _assert_no_secret(error)


@pytest.mark.parametrize("status", REDIRECTS)
def test_a_token_endpoint_redirect_is_never_followed_so_the_client_secret_stays_home(
    fault_server: FaultServer, other_host: FaultServer, surface: str, status: int
) -> None:
    settings = _auth_settings("OAUTH", fault_server)
    fault_server.route("/oauth/token", redirect(status, f"{other_host.base_url}/oauth/token"))
    other_host.set_default(json_response(200, {"access_token": "x", "expires_in": 60}))
    with pytest.raises(CamundaError) as caught:
        call(surface, fault_server.rest_address, "get_topology", settings)
    assert isinstance(caught.value, AuthenticationError), repr(caught.value)
    assert other_host.requests == []
    assert other_host.accepted_connections == 0
    _assert_no_secret(caught.value)
