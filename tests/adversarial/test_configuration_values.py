"""Hostile configuration values fail as ``ConfigurationError`` naming the variable (issue 13 items 4, 5).

Whether a value arrives through the environment or the explicit dict, the
client constructor (sync and async) rejects it before any request, and no
secret appears in the message or the repr.
"""

from __future__ import annotations

import pytest
from adversarial_support import SURFACES, construct
from fault_server import FaultServer, json_response

from camunda_orchestration_sdk import ConfigurationError

CONTROL_CHARACTERS = {
    "crlf": "\r\n",
    "lf": "\n",
    "cr": "\r",
    "nul": "\x00",
    "tab": "\t",
    "del": "\x7f",
    "esc": "\x1b",
}
SECRET = "s3cr3t-Qw-never-leak"


def _rest_address_with(char: str, where: str, server: FaultServer) -> str:
    if where == "host":
        return f"http://127.0.{char}0.1:{server.port}/v2"
    return f"{server.base_url}/v2{char}X-Injected: 1"


def _assert_names_and_hides(
    error: ConfigurationError, variable: str, secret: str | None = None
) -> None:
    assert variable in error.variables, error.variables
    assert variable in str(error)
    if secret is not None:
        assert secret not in str(error)
        assert secret not in repr(error)


@pytest.mark.parametrize("source", ["environment", "configuration"])
@pytest.mark.parametrize("where", ["host", "path"])
@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=list(CONTROL_CHARACTERS))
@pytest.mark.parametrize("surface", ["sync", "async-httpx"])
def test_a_control_character_in_camunda_rest_address_is_a_configuration_error_naming_it(
    fault_server: FaultServer, surface: str, char: str, where: str, source: str
) -> None:
    fault_server.set_default(json_response(200, {}))
    address = _rest_address_with(CONTROL_CHARACTERS[char], where, fault_server)
    config: dict[str, object] = {"CAMUNDA_AUTH_STRATEGY": "NONE"}
    if surface != "sync":
        config["CAMUNDA_HTTP_TRANSPORT"] = "httpx"
    environ: dict[str, str] = {}
    if source == "environment":
        environ["CAMUNDA_REST_ADDRESS"] = address
    else:
        config["CAMUNDA_REST_ADDRESS"] = address
    with pytest.raises(ConfigurationError) as caught:
        construct(surface, config, environ)
    _assert_names_and_hides(caught.value, "CAMUNDA_REST_ADDRESS")
    assert fault_server.requests == []


@pytest.mark.parametrize(
    "address",
    [
        f"http://user:{SECRET}@127.0.0.1:8080",
        f"http://{SECRET}@127.0.0.1:8080/v2",
        f"https://u:{SECRET}@example.com",
    ],
    ids=["user-and-password", "user-only", "https"],
)
@pytest.mark.parametrize("auth", ["NONE", "BASIC"])
@pytest.mark.parametrize("surface", SURFACES)
def test_userinfo_in_camunda_rest_address_is_a_configuration_error_that_never_shows_it(
    surface: str, auth: str, address: str
) -> None:
    config: dict[str, object] = {"CAMUNDA_REST_ADDRESS": address, "CAMUNDA_AUTH_STRATEGY": auth}
    if auth == "BASIC":
        config |= {
            "CAMUNDA_BASIC_AUTH_USERNAME": "demo",
            "CAMUNDA_BASIC_AUTH_PASSWORD": "demo-password",
        }
    if surface != "sync":
        config["CAMUNDA_HTTP_TRANSPORT"] = surface.removeprefix("async-")
    with pytest.raises(ConfigurationError) as caught:
        construct(surface, config)
    _assert_names_and_hides(caught.value, "CAMUNDA_REST_ADDRESS", SECRET)


@pytest.mark.parametrize("variable", ["CAMUNDA_BASIC_AUTH_PASSWORD", "CAMUNDA_BASIC_AUTH_USERNAME"])
@pytest.mark.parametrize("char", ["crlf", "lf", "cr", "nul"])
@pytest.mark.parametrize("surface", SURFACES)
def test_a_line_break_in_a_basic_credential_is_a_configuration_error_naming_it_not_showing_it(
    fault_server: FaultServer, surface: str, char: str, variable: str
) -> None:
    fault_server.set_default(json_response(200, {}))
    hostile = f"{SECRET}{CONTROL_CHARACTERS[char]}X-Injected: 1"
    config: dict[str, object] = {
        "CAMUNDA_REST_ADDRESS": fault_server.rest_address,
        "CAMUNDA_AUTH_STRATEGY": "BASIC",
        "CAMUNDA_BASIC_AUTH_USERNAME": "demo",
        "CAMUNDA_BASIC_AUTH_PASSWORD": "demo-password",
        variable: hostile,
    }
    if surface != "sync":
        config["CAMUNDA_HTTP_TRANSPORT"] = surface.removeprefix("async-")
    with pytest.raises(ConfigurationError) as caught:
        construct(surface, config)
    _assert_names_and_hides(caught.value, variable, SECRET)
    assert fault_server.requests == []


@pytest.mark.parametrize("char", ["crlf", "nul", "esc"])
def test_a_control_character_in_camunda_oauth_url_is_a_configuration_error_naming_it(
    char: str,
) -> None:
    """The reference behaviour item 4 asks every URL variable to match."""
    config: dict[str, object] = {
        "CAMUNDA_REST_ADDRESS": "http://127.0.0.1:9/v2",
        "CAMUNDA_AUTH_STRATEGY": "OAUTH",
        "CAMUNDA_CLIENT_ID": "id",
        "CAMUNDA_CLIENT_SECRET": SECRET,
        "CAMUNDA_OAUTH_URL": f"http://127.0.0.1:9/oauth{CONTROL_CHARACTERS[char]}token",
    }
    with pytest.raises(ConfigurationError) as caught:
        construct("sync", config)
    _assert_names_and_hides(caught.value, "CAMUNDA_OAUTH_URL", SECRET)
