"""Example plugin: the STATIC_TOKEN auth strategy (see ``plugin.py``)."""

from camunda_static_token_auth.plugin import STATIC_TOKEN_VARIABLE, StaticTokenAuth

__all__ = ["STATIC_TOKEN_VARIABLE", "StaticTokenAuth"]
