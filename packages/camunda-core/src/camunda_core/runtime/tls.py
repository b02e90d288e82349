"""TLS settings shared by the API client and side requests (e.g. token fetches)."""

from __future__ import annotations

import os
import ssl
import tempfile
from typing import TYPE_CHECKING

import attrs

from camunda_core.types import Secret

if TYPE_CHECKING:
    from camunda_core.config import CamundaConfig

__all__ = ["TlsSettings"]


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

        Verification is never turned off here.
        """
        if self.is_default:
            return True
        context = ssl.create_default_context()
        if self.ca_pem is not None:
            context.load_verify_locations(cadata=self.ca_pem)
        if self.client_cert_pem is not None:
            self._load_client_cert(context)
        return context

    def _load_client_cert(self, context: ssl.SSLContext) -> None:
        # ssl only loads a cert chain from files: write the PEMs to private
        # temp files (0600 from creation) and delete them at once.
        assert self.client_cert_pem is not None
        paths: list[str] = []
        try:
            cert_path = _private_temp_file(self.client_cert_pem)
            paths.append(cert_path)
            key_path = None
            if self.client_key_pem is not None:
                key_path = _private_temp_file(self.client_key_pem.reveal())
                paths.append(key_path)
            password = self.client_key_password.reveal() if self.client_key_password else None
            context.load_cert_chain(cert_path, key_path, password=password)
        finally:
            for path in paths:
                os.unlink(path)


def _private_temp_file(content: str) -> str:
    fd, path = tempfile.mkstemp(prefix="camunda-tls-", suffix=".pem")  # mkstemp creates 0600
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    return path
