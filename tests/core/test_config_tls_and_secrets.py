"""TLS PEM variables, secret redaction and plugin-declared variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from camunda_core.config import CamundaConfig, Variable, resolve_config
from camunda_core.config.parsers import integer
from camunda_core.errors import ConfigurationError
from camunda_core.types import Secret

CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBcaCERTIFICATEbody\n-----END CERTIFICATE-----\n"
CHAIN_PEM = "-----BEGIN CERTIFICATE-----\nMIIBchainBODY\n-----END CERTIFICATE-----\n"
KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n"

CLIENT_SECRET = "client-secret-do-not-leak"
PASSWORD = "basic-password-do-not-leak"
KEY_PASSWORD = "key-passphrase-do-not-leak"


def problems_of(
    explicit: dict[str, object] | None = None, env: dict[str, str] | None = None, **kwargs: object
) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(explicit, environ=env or {}, **kwargs)  # type: ignore[arg-type]
    return caught.value


# -- TLS ------------------------------------------------------------------------------------------


def test_pem_from_paths(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text(CA_PEM)
    (tmp_path / "chain.pem").write_text(CHAIN_PEM)
    (tmp_path / "key.pem").write_text(KEY_PEM)
    config = resolve_config(
        environ={
            "CAMUNDA_CUSTOM_ROOT_CERT_PATH": str(tmp_path / "ca.pem"),
            "CAMUNDA_CUSTOM_CERT_CHAIN_PATH": str(tmp_path / "chain.pem"),
            "CAMUNDA_CUSTOM_PRIVATE_KEY_PATH": str(tmp_path / "key.pem"),
            "CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD": KEY_PASSWORD,
        }
    )
    assert config.ca_certificate == CA_PEM
    assert config.client_certificate == CHAIN_PEM
    assert config.client_key == Secret(KEY_PEM)
    assert config.client_key_password == Secret(KEY_PASSWORD)


def test_relative_pem_path_is_taken_from_cwd(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text(CA_PEM)
    config = resolve_config(
        {"CAMUNDA_CUSTOM_ROOT_CERT_PATH": Path("ca.pem")}, environ={}, cwd=tmp_path
    )
    assert config.ca_certificate == CA_PEM


def test_pem_inline() -> None:
    config = resolve_config(
        {
            "CAMUNDA_CUSTOM_ROOT_CERT_STRING": CA_PEM,
            "CAMUNDA_CUSTOM_CERT_CHAIN_STRING": CHAIN_PEM,
            "CAMUNDA_CUSTOM_PRIVATE_KEY_STRING": KEY_PEM,
        },
        environ={},
    )
    assert config.ca_certificate == CA_PEM
    assert config.client_certificate == CHAIN_PEM
    assert isinstance(config.client_key, Secret)
    assert config.client_key.reveal() == KEY_PEM


def test_inline_pem_with_literal_backslash_n() -> None:
    one_line = CA_PEM.strip().replace("\n", "\\n")
    config = resolve_config(environ={"CAMUNDA_CUSTOM_ROOT_CERT_STRING": one_line})
    assert config.ca_certificate == CA_PEM


def test_missing_pem_file_names_variable_and_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "ca.pem"
    error = problems_of(env={"CAMUNDA_CUSTOM_ROOT_CERT_PATH": str(missing)})
    assert error.variables == ("CAMUNDA_CUSTOM_ROOT_CERT_PATH",)
    assert str(missing) in error.problems[0].message
    assert "cannot read" in error.problems[0].message


def test_pem_file_without_pem_content(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("hello")
    error = problems_of(env={"CAMUNDA_CUSTOM_ROOT_CERT_PATH": str(tmp_path / "ca.pem")})
    assert "does not contain PEM text" in error.problems[0].message


def test_binary_pem_file(tmp_path: Path) -> None:
    (tmp_path / "ca.der").write_bytes(b"\x30\x82\x01\xff\xfe")
    error = problems_of(env={"CAMUNDA_CUSTOM_ROOT_CERT_PATH": str(tmp_path / "ca.der")})
    assert "not PEM text" in error.problems[0].message


def test_inline_text_that_is_not_pem() -> None:
    error = problems_of(env={"CAMUNDA_CUSTOM_ROOT_CERT_STRING": "just some text"})
    assert error.variables == ("CAMUNDA_CUSTOM_ROOT_CERT_STRING",)
    assert "-----BEGIN" in error.problems[0].message


def test_inline_private_key_that_is_not_pem_is_not_echoed() -> None:
    error = problems_of(
        env={
            "CAMUNDA_CUSTOM_PRIVATE_KEY_STRING": "raw-key-material-do-not-leak",
            "CAMUNDA_CUSTOM_CERT_CHAIN_STRING": CHAIN_PEM,
        }
    )
    assert error.variables == ("CAMUNDA_CUSTOM_PRIVATE_KEY_STRING",)
    assert "raw-key-material-do-not-leak" not in str(error)
    assert "raw-key-material-do-not-leak" not in repr(error.problems)


def test_key_without_chain_is_a_problem() -> None:
    error = problems_of(env={"CAMUNDA_CUSTOM_PRIVATE_KEY_STRING": KEY_PEM})
    assert error.variables == ("CAMUNDA_CUSTOM_CERT_CHAIN_PATH",)
    assert "TOPSECRETKEYMATERIAL" not in str(error)


def test_chain_without_key_is_a_problem() -> None:
    error = problems_of(env={"CAMUNDA_CUSTOM_CERT_CHAIN_STRING": CHAIN_PEM})
    assert error.variables == ("CAMUNDA_CUSTOM_PRIVATE_KEY_PATH",)


def test_key_password_without_key_is_a_problem() -> None:
    error = problems_of(env={"CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD": KEY_PASSWORD})
    assert error.variables == ("CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD",)
    assert KEY_PASSWORD not in str(error)


def test_path_and_string_in_the_same_layer_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text(CA_PEM)
    error = problems_of(
        env={
            "CAMUNDA_CUSTOM_ROOT_CERT_PATH": str(tmp_path / "ca.pem"),
            "CAMUNDA_CUSTOM_ROOT_CERT_STRING": CA_PEM,
        }
    )
    assert "set only one" in str(error)


def test_higher_layer_form_wins_over_lower_layer_form(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text(CA_PEM)
    other = CA_PEM.replace("MIIBca", "MIIBzz")
    config = resolve_config(
        {"CAMUNDA_CUSTOM_ROOT_CERT_STRING": other},
        environ={"CAMUNDA_CUSTOM_ROOT_CERT_PATH": str(tmp_path / "ca.pem")},
    )
    assert config.ca_certificate == other


# -- redaction -----------------------------------------------------------------------------------


def secret_config() -> CamundaConfig:
    return resolve_config(
        {
            "CAMUNDA_AUTH_STRATEGY": "OAUTH",
            "CAMUNDA_CLIENT_ID": "visible-client-id",
            "CAMUNDA_CLIENT_SECRET": CLIENT_SECRET,
            "CAMUNDA_BASIC_AUTH_USERNAME": "visible-user",
            "CAMUNDA_BASIC_AUTH_PASSWORD": PASSWORD,
            "CAMUNDA_CUSTOM_CERT_CHAIN_STRING": CHAIN_PEM,
            "CAMUNDA_CUSTOM_PRIVATE_KEY_STRING": KEY_PEM,
            "CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD": KEY_PASSWORD,
        },
        environ={},
    )


def test_repr_never_shows_secrets() -> None:
    text = repr(secret_config())
    for secret in (CLIENT_SECRET, PASSWORD, "TOPSECRETKEYMATERIAL", KEY_PASSWORD):
        assert secret not in text
    assert "client_secret='***'" in text
    assert "basic_auth_password='***'" in text
    assert "client_key='***'" in text
    assert "client_key_password='***'" in text
    assert "client_id='visible-client-id'" in text
    assert str(secret_config()) == text


def test_repr_of_unset_secrets_is_none() -> None:
    assert "client_secret=None" in repr(resolve_config(environ={}))


def test_redacted_lists_every_setting_with_secrets_masked() -> None:
    shown = secret_config().redacted()
    assert shown["CAMUNDA_CLIENT_SECRET"] == "***"
    assert shown["CAMUNDA_BASIC_AUTH_PASSWORD"] == "***"
    assert shown["CAMUNDA_CUSTOM_PRIVATE_KEY_STRING"] == "***"
    assert shown["CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD"] == "***"
    assert shown["CAMUNDA_CLIENT_ID"] == "visible-client-id"
    assert shown["CAMUNDA_CUSTOM_CERT_CHAIN_STRING"] == CHAIN_PEM
    assert shown["CAMUNDA_HTTP_READ_TIMEOUT_MS"] == 30000
    assert shown["CAMUNDA_REST_ADDRESS"] == "http://localhost:8080/v2"
    assert shown["CAMUNDA_LOAD_ENVFILE"] is None
    text = repr(shown)
    for secret in (CLIENT_SECRET, PASSWORD, "TOPSECRETKEYMATERIAL", KEY_PASSWORD):
        assert secret not in text


def test_error_messages_never_show_secret_values() -> None:
    error = problems_of(
        {
            "CAMUNDA_CLIENT_SECRET": 12345678,
            "CAMUNDA_BASIC_AUTH_PASSWORD": ["not", "text"],
        }
    )
    assert set(error.variables) >= {"CAMUNDA_CLIENT_SECRET", "CAMUNDA_BASIC_AUTH_PASSWORD"}
    assert "12345678" not in str(error)
    assert "['not', 'text']" not in str(error)
    messages = {problem.variable: problem.message for problem in error.problems}
    assert messages["CAMUNDA_CLIENT_SECRET"] == "expected a string"
    assert messages["CAMUNDA_BASIC_AUTH_PASSWORD"] == "expected a string"


def test_secret_with_conflicting_credentials_is_not_echoed() -> None:
    error = problems_of(
        env={
            "ZEEBE_CLIENT_SECRET": CLIENT_SECRET,
            "CAMUNDA_BASIC_AUTH_PASSWORD": PASSWORD,
            "CAMUNDA_HTTP_READ_TIMEOUT_MS": "x",
        }
    )
    text = str(error) + repr(error.problems)
    assert CLIENT_SECRET not in text and PASSWORD not in text


# -- plugin variables ----------------------------------------------------------------------------

PLUGIN_VARIABLES = (
    Variable(
        name="CAMUNDA_VAULT_PATH",
        description="Where the plugin's vault lives.",
        default="secret/camunda",
    ),
    Variable(
        name="CAMUNDA_VAULT_TOKEN",
        description="Token for the vault.",
        secret=True,
        aliases=("VAULT_TOKEN",),
    ),
    Variable(
        name="CAMUNDA_VAULT_RETRIES",
        description="Retries.",
        parse=integer(minimum=0),
        kind="integer",
        default=3,
    ),
)


def test_plugin_variables_resolve_into_extra() -> None:
    config = resolve_config(
        {"CAMUNDA_VAULT_RETRIES": "7"},
        environ={"VAULT_TOKEN": "vault-token-do-not-leak"},
        extra_variables=PLUGIN_VARIABLES,
    )
    assert config.extra["CAMUNDA_VAULT_PATH"] == "secret/camunda"
    assert config.extra["CAMUNDA_VAULT_TOKEN"] == Secret("vault-token-do-not-leak")
    assert config.extra["CAMUNDA_VAULT_RETRIES"] == 7
    assert "vault-token-do-not-leak" not in repr(config)
    assert config.redacted()["CAMUNDA_VAULT_TOKEN"] == "***"


def test_unset_plugin_variable_without_default_is_none() -> None:
    config = resolve_config(environ={}, extra_variables=PLUGIN_VARIABLES)
    assert config.extra["CAMUNDA_VAULT_TOKEN"] is None


def test_plugin_variable_problems_are_reported() -> None:
    error = problems_of(env={"CAMUNDA_VAULT_RETRIES": "many"}, extra_variables=PLUGIN_VARIABLES)
    assert error.variables == ("CAMUNDA_VAULT_RETRIES",)


def test_plugin_variable_keys_are_unknown_without_the_plugin() -> None:
    error = problems_of({"CAMUNDA_VAULT_PATH": "x"})
    assert error.variables == ("CAMUNDA_VAULT_PATH",)


def test_plugin_variable_clashing_with_builtin_is_a_problem() -> None:
    clash = Variable(name="CAMUNDA_CLIENT_ID", description="again")
    error = problems_of(extra_variables=[clash])
    assert error.variables == ("CAMUNDA_CLIENT_ID",)


def test_plugin_variable_with_attribute_is_a_problem() -> None:
    bad = Variable(name="CAMUNDA_PLUGIN_THING", description="x", attribute="rest_address")
    error = problems_of(extra_variables=[bad])
    assert error.variables == ("CAMUNDA_PLUGIN_THING",)
