"""The generator's own error type."""

from __future__ import annotations

__all__ = ["GeneratorError"]


class GeneratorError(Exception):
    """The spec has a shape the generator does not support, or naming collided."""
