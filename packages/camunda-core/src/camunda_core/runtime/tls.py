"""TLS settings shared by the API client and side requests (e.g. token fetches).

Loading failures become a :class:`ConfigurationError` naming the variables
involved, here, so the API transport and the OAuth endpoint report them alike.
The private key and its passphrase stay :class:`Secret` until OpenSSL asks for
them: no frame a traceback (or loguru's ``diagnose``) prints holds them as text.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import tempfile
from typing import TYPE_CHECKING

import attrs

from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.types import Secret

if TYPE_CHECKING:
    from camunda_core.config import CamundaConfig

__all__ = ["TlsSettings", "answers_plain_http", "aanswers_plain_http"]

# The settings do not know whether the _PATH or the _STRING form was used: name both.
_ROOT_CERT = "CAMUNDA_CUSTOM_ROOT_CERT_PATH or CAMUNDA_CUSTOM_ROOT_CERT_STRING"
_CERT_CHAIN = "CAMUNDA_CUSTOM_CERT_CHAIN_PATH or CAMUNDA_CUSTOM_CERT_CHAIN_STRING"
_PRIVATE_KEY = "CAMUNDA_CUSTOM_PRIVATE_KEY_PATH or CAMUNDA_CUSTOM_PRIVATE_KEY_STRING"
_KEY_PASSWORD = "CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD"


class _PassphraseMissing(Exception):
    """Raised from the passphrase callback when the key is encrypted and none is set."""


def _no_passphrase() -> str:
    raise _PassphraseMissing


@attrs.frozen(kw_only=True)
class TlsSettings:
    """Custom CA and client certificate, as PEM text. Empty means system defaults."""

    ca_pem: str | None = None
    client_cert_pem: str | None = None
    client_key_pem: Secret | None = None
    client_key_password: Secret | None = None

    @classmethod
    def from_config(cls, config: CamundaConfig) -> TlsSettings:
        return cls(
            ca_pem=config.ca_certificate,
            client_cert_pem=config.client_certificate,
            client_key_pem=config.client_key,
            client_key_password=config.client_key_password,
        )

    @property
    def is_default(self) -> bool:
        return self.ca_pem is None and self.client_cert_pem is None

    def ssl_context(self) -> ssl.SSLContext | bool:
        """An SSLContext for httpx's ``verify=``; ``True`` when nothing is custom.

        Verification is never turned off here. Raises :class:`ConfigurationError`
        when a certificate, key or passphrase cannot be used.
        """
        if self.is_default:
            return True
        context = ssl.create_default_context()
        if self.ca_pem is not None:
            _load_ca(context, self.ca_pem)
        if self.client_cert_pem is not None:
            self._load_client_cert(context, self.client_cert_pem)
        return context

    def _load_client_cert(self, context: ssl.SSLContext, cert_pem: str) -> None:
        # ssl only loads a cert chain from files: write the PEMs to private
        # temp files (0600 from creation) and delete them at once.
        paths: list[str] = []
        try:
            cert_path = _private_temp_file(Secret(cert_pem))
            paths.append(cert_path)
            key_path = None
            if self.client_key_pem is not None:
                key_path = _private_temp_file(self.client_key_pem)
                paths.append(key_path)
            # A callable, so the passphrase is text only inside OpenSSL's call; and
            # always one, so an encrypted key never makes OpenSSL prompt on a terminal.
            passphrase = (
                self.client_key_password.reveal if self.client_key_password else _no_passphrase
            )
            try:
                context.load_cert_chain(cert_path, key_path, password=passphrase)
            except _PassphraseMissing:
                raise _error(
                    _KEY_PASSWORD,
                    f"the private key ({_PRIVATE_KEY}) is encrypted; set its passphrase",
                ) from None
            except ValueError as error:  # e.g. a passphrase over OpenSSL's 1024-byte limit
                raise _error(
                    _KEY_PASSWORD, f"cannot be used as the key's passphrase ({error})"
                ) from None
            except ssl.SSLError as error:
                raise self._cert_chain_error(cert_pem, error) from error
        finally:
            for path in paths:
                os.unlink(path)

    def _cert_chain_error(self, cert_pem: str, error: ssl.SSLError) -> ConfigurationError:
        reason = _reason(error)
        if error.reason == "KEY_VALUES_MISMATCH":
            return _error(
                _PRIVATE_KEY,
                f"the private key does not belong to the client certificate in {_CERT_CHAIN}",
            )
        # OpenSSL says only "PEM lib" for a bad certificate, a bad key or a wrong
        # passphrase alike: parse the certificates alone to tell which one it is.
        if not _certificates_parse(cert_pem):
            return _error(_CERT_CHAIN, f"is not a valid PEM certificate chain ({reason})")
        if self.client_key_pem is None:
            return _error(_PRIVATE_KEY, f"the certificate chain needs its private key ({reason})")
        if self.client_key_password is not None and _looks_encrypted(self.client_key_pem):
            return _error(
                _KEY_PASSWORD,
                f"cannot decrypt the private key ({_PRIVATE_KEY}): wrong passphrase, or a damaged key ({reason})",
            )
        return _error(_PRIVATE_KEY, f"is not a valid PEM private key ({reason})")


def _load_ca(context: ssl.SSLContext, ca_pem: str) -> None:
    try:
        context.load_verify_locations(cadata=ca_pem)
    except (ssl.SSLError, TypeError, ValueError) as error:
        raise _error(_ROOT_CERT, f"is not valid PEM certificate text ({_reason(error)})") from error


def _certificates_parse(pem: str) -> bool:
    try:
        ssl.create_default_context().load_verify_locations(cadata=pem)
    except (ssl.SSLError, TypeError, ValueError):
        return False
    return True


def _looks_encrypted(key: Secret) -> bool:
    # PKCS#8 "ENCRYPTED PRIVATE KEY" and the traditional "Proc-Type: 4,ENCRYPTED" header.
    return "ENCRYPTED" in key.reveal()


def _reason(error: Exception) -> str:
    # OpenSSL's own words (never the PEM or passphrase), without the _ssl.c location.
    text = str(error.args[1] if isinstance(error, ssl.SSLError) and len(error.args) > 1 else error)
    return text.split(" (_ssl.c:")[0] or type(error).__name__


def _error(variable: str, message: str) -> ConfigurationError:
    return ConfigurationError([ConfigurationProblem(variable, message)])


def _private_temp_file(content: Secret) -> str:
    fd, path = tempfile.mkstemp(prefix="camunda-tls-", suffix=".pem")  # mkstemp creates 0600
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content.reveal())
    return path


# -- is it a plain-HTTP server? ----------------------------------------------------------

# A request with no credentials and no body: what any HTTP server answers with a status line.
_PLAIN_PROBE = b"HEAD / HTTP/1.0\r\n\r\n"
_STATUS_START = b"HTTP/"


def answers_plain_http(host: str, port: int, timeout: float) -> bool:
    """Whether ``host:port`` answers a plain HTTP request with a status line, within ``timeout``.

    Asked after a TLS handshake got no answer at all: some plain-HTTP servers
    wait silently for the end of a request head that a ClientHello never
    sends. False for every failure (refused, silent, not HTTP).
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(_PLAIN_PROBE)
            received = b""
            while len(received) < len(_STATUS_START):
                chunk = sock.recv(len(_STATUS_START) - len(received))
                if not chunk:
                    break
                received += chunk
            return received == _STATUS_START
    except OSError:
        return False


async def aanswers_plain_http(host: str, port: int, timeout: float) -> bool:
    """:func:`answers_plain_http` for the async client."""
    try:
        return await asyncio.wait_for(_aprobe(host, port), timeout)
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
        return False


async def _aprobe(host: str, port: int) -> bool:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(_PLAIN_PROBE)
        await writer.drain()
        return await reader.readexactly(len(_STATUS_START)) == _STATUS_START
    finally:
        writer.close()
