"""Griffe extension: Sphinx cross-reference roles in docstrings become code spans.

The sources use ``:class:`X``` and ``:meth:`~a.b.c``` here and there; mkdocstrings reads
Markdown, where they would show as literal ``:class:`` text. A code span (the last part
of the name after ``~``, as Sphinx shows it) reads the same, and never points at a
target that may not be rendered.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["SphinxRolesAsCode", "rewrite_roles"]

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|data|exc|mod|obj|const):`(~?)([^`]+)`")


def rewrite_roles(text: str) -> str:
    def code(match: re.Match[str]) -> str:
        target = match[2]
        return f"`{target.rsplit('.', 1)[-1] if match[1] else target}`"

    return _ROLE.sub(code, text)


class SphinxRolesAsCode(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **_: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite_roles(obj.docstring.value)
