"""Alias conflicts, and ConfigurationError as a ValueError."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from camunda_core.config import resolve_config
from camunda_core.errors import CamundaError, ConfigurationError

SECRET_A = "first-secret-do-not-leak"
SECRET_B = "second-secret-do-not-leak"


def error_of(
    explicit: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None
) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(explicit, environ=env or {})
    return caught.value


def test_configuration_error_is_a_value_error() -> None:
    error = error_of(env={"CAMUNDA_RETRY_MAX_ATTEMPTS": "many"})
    assert isinstance(error, ValueError) and isinstance(error, CamundaError)
    # Code written for the official SDK catches ValueError.
    with pytest.raises(ValueError, match="CAMUNDA_RETRY_MAX_ATTEMPTS"):
        resolve_config(environ={"CAMUNDA_RETRY_MAX_ATTEMPTS": "many"})


def test_rest_address_and_its_alias_disagreeing_in_the_environment() -> None:
    error = error_of(
        env={"ZEEBE_REST_ADDRESS": "http://zeebe:8080", "CAMUNDA_REST_ADDRESS": "http://camunda:8080"}
    )
    assert error.variables == ("CAMUNDA_REST_ADDRESS",)
    message = str(error)
    assert "ZEEBE_REST_ADDRESS='http://zeebe:8080'" in message
    assert "CAMUNDA_REST_ADDRESS='http://camunda:8080'" in message
    assert "the environment" in message


def test_disagreeing_in_the_explicit_dict() -> None:
    error = error_of(
        {"CAMUNDA_REST_ADDRESS": "http://a:1", "ZEEBE_REST_ADDRESS": "http://b:2"}
    )
    assert "ZEEBE_REST_ADDRESS" in str(error) and "the configuration dict" in str(error)


def test_two_aliases_disagreeing_without_the_canonical_name() -> None:
    error = error_of(
        env={
            "CAMUNDA_CLIENT_AUTH_CLIENTID": "one",
            "ZEEBE_CLIENT_ID": "two",
            "CAMUNDA_AUTH_STRATEGY": "NONE",
        }
    )
    assert error.variables == ("CAMUNDA_CLIENT_AUTH_CLIENTID",)
    assert "ZEEBE_CLIENT_ID='two'" in str(error)


def test_secret_conflict_names_both_variables_but_no_value() -> None:
    error = error_of(
        env={
            "CAMUNDA_CLIENT_ID": "id",
            "CAMUNDA_CLIENT_SECRET": SECRET_A,
            "ZEEBE_CLIENT_SECRET": SECRET_B,
        }
    )
    message = str(error)
    assert "CAMUNDA_CLIENT_SECRET" in message and "ZEEBE_CLIENT_SECRET" in message
    assert SECRET_A not in message and SECRET_B not in message
    assert SECRET_A not in repr(error.problems) and SECRET_B not in repr(error.problems)


def test_same_value_under_both_names_is_fine() -> None:
    config = resolve_config(
        environ={"ZEEBE_REST_ADDRESS": " http://same:8080 ", "CAMUNDA_REST_ADDRESS": "http://same:8080"}
    )
    assert config.rest_address == "http://same:8080/v2"
    # Equal once parsed: /v2 is added to the one without it.
    config = resolve_config(
        environ={"ZEEBE_REST_ADDRESS": "http://same:8080/v2", "CAMUNDA_REST_ADDRESS": "http://same:8080"}
    )
    assert config.rest_address == "http://same:8080/v2"


def test_different_layers_are_precedence_not_conflict() -> None:
    config = resolve_config(
        {"ZEEBE_REST_ADDRESS": "http://explicit:1"},
        environ={"CAMUNDA_REST_ADDRESS": "http://environment:2"},
    )
    assert config.rest_address == "http://explicit:1/v2"


def test_blank_alias_does_not_conflict() -> None:
    config = resolve_config(
        environ={"ZEEBE_REST_ADDRESS": "", "CAMUNDA_REST_ADDRESS": "http://set:1"}
    )
    assert config.rest_address == "http://set:1/v2"
