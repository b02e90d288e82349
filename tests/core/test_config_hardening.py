"""Configuration mistakes stay inside the hierarchy: a ConfigurationError naming the variable.

Invalid URLs, credentials in the REST address, header values a header cannot
carry, and unusable mTLS material; never a foreign exception from a client
constructor, never a secret in a message or in a loguru ``diagnose`` traceback.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest
import yarl

from camunda_core import CamundaAsyncClient, CamundaClient
from camunda_core.auth.basic import BasicAuth
from camunda_core.config import resolve_config
from camunda_core.errors import ConfigurationError
from camunda_core.runtime.tls import TlsSettings
from camunda_core.types import Secret

PASSWORD = "pa55-W0rd-never-shown"
PASSPHRASE = "Key-Passphrase-never-shown"


def _build_both(configuration: Mapping[str, object]) -> None:
    """Construct (and close) a sync and an async client; each must succeed or raise ConfigurationError."""
    CamundaClient(configuration, load_entry_points=False, environ={}).close()

    async def build_async() -> None:
        async with CamundaAsyncClient(configuration, load_entry_points=False, environ={}):
            pass

    asyncio.run(build_async())


def _configuration_error(configuration: Mapping[str, object]) -> list[ConfigurationError]:
    """The ConfigurationError from each client constructor (sync, then async)."""
    errors: list[ConfigurationError] = []
    with pytest.raises(ConfigurationError) as caught:
        CamundaClient(configuration, load_entry_points=False, environ={})
    errors.append(caught.value)
    with pytest.raises(ConfigurationError) as caught:
        CamundaAsyncClient(configuration, load_entry_points=False, environ={})
    errors.append(caught.value)
    return errors


# ------------------------------------------------------------------ addresses

BAD_ADDRESSES = {
    "nul": "http://local\x00host:8080",
    "control in path": "http://localhost:8080/v\x012",
    "del": "http://localhost:8080/\x7f",
    "crlf inside": "http://localhost:8080/a\r\nHost: evil",
    "space in host": "http://local host:8080",
    "space in path": "http://localhost:8080/a b",
    "missing host": "http://:8080/v2",
    "no host at all": "http:///v2",
    "unsupported scheme": "ftp://localhost/v2",
    "no scheme": "localhost:8080",
    "unclosed ipv6": "http://[::1/v2",
    "port out of range": "http://localhost:99999",
    "port zero": "http://localhost:0",
    "percent in host": "http://h%20st/",
    "invalid ipv4": "http://1.2.3.999/",
    "invalid ipv6": "http://[::zz]/",
    "symbol in host": "http://☃.example/",
}


@pytest.mark.parametrize("variable", ["CAMUNDA_REST_ADDRESS", "ZEEBE_REST_ADDRESS"])
@pytest.mark.parametrize("value", list(BAD_ADDRESSES.values()), ids=list(BAD_ADDRESSES))
def test_invalid_rest_address_is_a_configuration_error_naming_the_variable(
    variable: str, value: str
) -> None:
    for error in _configuration_error({variable: value}):
        assert error.variables == (variable,), error


@pytest.mark.parametrize("value", list(BAD_ADDRESSES.values()), ids=list(BAD_ADDRESSES))
def test_rest_address_and_oauth_url_share_one_check(value: str) -> None:
    with pytest.raises(ConfigurationError) as rest:
        resolve_config({"CAMUNDA_REST_ADDRESS": value}, environ={})
    with pytest.raises(ConfigurationError) as oauth:
        resolve_config({"CAMUNDA_OAUTH_URL": value}, environ={})
    assert (
        rest.value.problems[0].message.split(", got")[0]
        == oauth.value.problems[0].message.split(", got")[0]
    )


def _single_character_variants() -> list[str]:
    chars = [chr(code) for code in range(128)] + ["é", "\u00a0", "\u2028", "\ufeff", "𝄞"]
    variants: list[str] = []
    for char in chars:
        variants += [
            f"http://lo{char}calhost:8080/v2",
            f"http://localhost:80{char}80/v2",
            f"http://localhost:8080/a{char}b",
        ]
    return variants


def test_any_address_the_resolver_accepts_is_accepted_by_every_transport_url_parser() -> None:
    accepted = 0
    for value in _single_character_variants():
        try:
            config = resolve_config({"CAMUNDA_REST_ADDRESS": value}, environ={})
        except ConfigurationError as error:
            assert error.variables == ("CAMUNDA_REST_ADDRESS",)
            continue
        accepted += 1
        # What the client constructors (base_url) and the aiohttp transport (yarl) parse.
        joined = httpx.URL(config.rest_address + "/topology")
        assert yarl.URL(str(joined)).host == joined.host
    assert accepted > 0


@pytest.mark.parametrize(
    "value",
    [
        "http://lo\x00calhost:8080",
        "http://localhost:8080/a b",
        "http://[::1",
        "http://localhost:8080/\x01",
    ],
)
def test_client_constructors_raise_only_configuration_errors_for_addresses(value: str) -> None:
    _configuration_error({"CAMUNDA_REST_ADDRESS": value})


def test_unusual_but_valid_addresses_still_build_clients() -> None:
    for value in (
        "http://[::1]:8080",
        "https://a_b.example.com/x/",
        "http://héllo.example/v2",
        "http://localhost:8080/%20",
    ):
        _build_both({"CAMUNDA_REST_ADDRESS": value})


# ------------------------------------------------------------------ credentials in URLs


@pytest.mark.parametrize(
    "value",
    [
        f"http://user:{PASSWORD}@localhost:8080",
        f"http://{PASSWORD}@localhost",
        f"https://user:{PASSWORD}@[::1]:1/v2",
    ],
)
@pytest.mark.parametrize(
    "variable", ["CAMUNDA_REST_ADDRESS", "ZEEBE_REST_ADDRESS", "CAMUNDA_OAUTH_URL"]
)
def test_credentials_in_a_url_are_rejected_without_quoting_them(variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config({variable: value}, environ={})
    error = caught.value
    assert error.variables == (variable,)
    assert "credentials" in str(error)
    assert (
        PASSWORD not in str(error)
        and PASSWORD not in repr(error)
        and PASSWORD not in repr(error.problems)
    )


def test_credentials_in_the_rest_address_fail_both_client_constructors() -> None:
    for error in _configuration_error(
        {"CAMUNDA_REST_ADDRESS": f"http://user:{PASSWORD}@localhost:8080"}
    ):
        assert error.variables == ("CAMUNDA_REST_ADDRESS",) and PASSWORD not in str(error)


def test_an_at_sign_in_the_path_is_not_credentials() -> None:
    config = resolve_config({"CAMUNDA_REST_ADDRESS": "http://localhost:8080/a@b"}, environ={})
    assert config.rest_address == "http://localhost:8080/a@b/v2"


# ------------------------------------------------------------------ header values

HEADER_BREAKERS = {
    "cr": "\r",
    "lf": "\n",
    "crlf": "\r\n",
    "nul": "\x00",
    "del": "\x7f",
    "esc": "\x1b",
    "tab": "\t",
}


@pytest.mark.parametrize("breaker", list(HEADER_BREAKERS.values()), ids=list(HEADER_BREAKERS))
def test_basic_password_a_header_cannot_carry_is_named_and_never_echoed(breaker: str) -> None:
    secret = f"{PASSWORD}{breaker}X-Injected: 1"
    configuration = {"CAMUNDA_BASIC_AUTH_USERNAME": "demo", "CAMUNDA_BASIC_AUTH_PASSWORD": secret}
    for error in _configuration_error(configuration):
        assert error.variables == ("CAMUNDA_BASIC_AUTH_PASSWORD",)
        assert PASSWORD not in str(error) and PASSWORD not in repr(error.problems)


@pytest.mark.parametrize("breaker", list(HEADER_BREAKERS.values()), ids=list(HEADER_BREAKERS))
def test_basic_username_a_header_cannot_carry_is_named(breaker: str) -> None:
    configuration = {
        "CAMUNDA_BASIC_AUTH_USERNAME": f"de{breaker}mo",
        "CAMUNDA_BASIC_AUTH_PASSWORD": PASSWORD,
    }
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(configuration, environ={})
    assert caught.value.variables == ("CAMUNDA_BASIC_AUTH_USERNAME",)
    assert PASSWORD not in str(caught.value)


def test_basic_username_with_a_colon_is_named() -> None:
    configuration = {
        "CAMUNDA_BASIC_AUTH_USERNAME": "de:mo",
        "CAMUNDA_BASIC_AUTH_PASSWORD": PASSWORD,
    }
    for error in _configuration_error(configuration):
        assert error.variables == ("CAMUNDA_BASIC_AUTH_USERNAME",) and "':'" in str(error)


def test_basic_credentials_with_unicode_and_spaces_are_fine() -> None:
    _build_both(
        {"CAMUNDA_BASIC_AUTH_USERNAME": "Jürgen Ö", "CAMUNDA_BASIC_AUTH_PASSWORD": " pä ss "}
    )


def test_basic_auth_built_directly_checks_its_values_too() -> None:
    with pytest.raises(ConfigurationError) as caught:
        BasicAuth("demo\r\n", Secret(f"{PASSWORD}\n"))
    assert caught.value.variables == ("CAMUNDA_BASIC_AUTH_USERNAME", "CAMUNDA_BASIC_AUTH_PASSWORD")
    assert PASSWORD not in str(caught.value)


# ------------------------------------------------------------------ mTLS

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)


def _self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", f"/CN={name}",
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl CLI")
    directory = tmp_path_factory.mktemp("pki")
    one_cert, one_key = _self_signed(directory, "one")
    _, two_key = _self_signed(directory, "two")
    encrypted = directory / "one-encrypted.key"
    _openssl(
        "pkey",
        "-in",
        str(one_key),
        "-aes256",
        "-passout",
        f"pass:{PASSPHRASE}",
        "-out",
        str(encrypted),
    )
    damaged = directory / "damaged.pem"
    damaged.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    damaged_key = directory / "damaged.key"
    damaged_key.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    return {
        "cert": one_cert, "key": one_key, "other_key": two_key, "encrypted_key": encrypted,
        "damaged_cert": damaged, "damaged_key": damaged_key,
    }  # fmt: skip


def _mtls(cert: Path, key: Path, passphrase: str | None = None) -> dict[str, object]:
    configuration: dict[str, object] = {
        "CAMUNDA_REST_ADDRESS": "https://localhost:8443",
        "CAMUNDA_CUSTOM_CERT_CHAIN_PATH": str(cert),
        "CAMUNDA_CUSTOM_PRIVATE_KEY_PATH": str(key),
    }
    if passphrase is not None:
        # A Secret, so not even the caller's own dict shows it in a traceback.
        configuration["CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD"] = Secret(passphrase)
    return configuration


MTLS_CASES = {
    "cert/key mismatch": (
        "cert",
        "other_key",
        None,
        "CAMUNDA_CUSTOM_PRIVATE_KEY_PATH",
        "does not belong",
    ),
    "malformed cert": (
        "damaged_cert",
        "key",
        None,
        "CAMUNDA_CUSTOM_CERT_CHAIN_PATH",
        "certificate chain",
    ),
    "malformed key": (
        "cert",
        "damaged_key",
        None,
        "CAMUNDA_CUSTOM_PRIVATE_KEY_PATH",
        "private key",
    ),
    "wrong passphrase": (
        "cert",
        "encrypted_key",
        "wrong-" + PASSPHRASE,
        "CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD",
        "wrong passphrase",
    ),
    "missing passphrase": (
        "cert",
        "encrypted_key",
        None,
        "CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD",
        "encrypted",
    ),
    "passphrase too long": (
        "cert",
        "encrypted_key",
        "x" * 2000,
        "CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD",
        "1024",
    ),
}


@needs_openssl
@pytest.mark.parametrize("case", list(MTLS_CASES))
def test_unusable_mtls_material_is_a_configuration_error_naming_the_variables(
    pki: dict[str, Path], case: str
) -> None:
    cert, key, passphrase, variable, fragment = MTLS_CASES[case]
    for error in _configuration_error(_mtls(pki[cert], pki[key], passphrase)):
        (problem,) = error.problems
        assert variable in problem.variable, error
        assert fragment in problem.message, error
        assert PASSPHRASE not in str(error)


@needs_openssl
def test_encrypted_key_with_the_right_passphrase_builds_both_clients(pki: dict[str, Path]) -> None:
    _build_both(_mtls(pki["cert"], pki["encrypted_key"], PASSPHRASE))


@needs_openssl
def test_bad_ca_pem_names_the_root_cert_variables(pki: dict[str, Path]) -> None:
    for error in _configuration_error({"CAMUNDA_CUSTOM_ROOT_CERT_PATH": str(pki["damaged_cert"])}):
        assert "CAMUNDA_CUSTOM_ROOT_CERT_PATH" in error.problems[0].variable
    with pytest.raises(ConfigurationError, match="CAMUNDA_CUSTOM_ROOT_CERT_STRING"):
        TlsSettings(ca_pem=pki["damaged_cert"].read_text()).ssl_context()


@needs_openssl
@pytest.mark.parametrize("source", ["configuration", "environment"])
def test_passphrase_is_absent_from_a_loguru_diagnose_traceback(
    pki: dict[str, Path], source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loguru import logger

    wrong = "wrong-" + PASSPHRASE
    configuration = _mtls(
        pki["cert"], pki["encrypted_key"], None if source == "environment" else wrong
    )
    if source == "environment":
        monkeypatch.setenv("CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD", wrong)
    key_body = pki["encrypted_key"].read_text().splitlines()[1]
    sink = io.StringIO()
    handler = logger.add(sink, backtrace=True, diagnose=True, colorize=False, format="{message}")
    try:
        try:
            CamundaClient(configuration, load_entry_points=False)
        except ConfigurationError:
            logger.exception("client construction failed")
    finally:
        logger.remove(handler)
    text = sink.getvalue()
    assert "ConfigurationError" in text and "SSLError" in text  # the chained cause was formatted
    assert "TlsSettings(ca_pem=" in text  # diagnose really printed the frames' values
    assert PASSPHRASE not in text
    assert key_body not in text
