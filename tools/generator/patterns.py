"""Spec patterns as Python ``re`` patterns, for the request validators.

The spec's patterns are ECMA/Java regular expressions. All but one compile in Python
as they are; ``^[\\p{L}_][\\p{L}\\p{N}_\\-\\.]*$`` uses Unicode property classes, which
``re`` lacks. Those classes are translated, never dropped: inside a bracket class,
``\\p{L}`` with ``\\p{N}`` becomes ``\\w`` (Python's word characters are exactly the
letters, the numbers and ``_``), and ``\\p{L}`` alone becomes ``[^\\W\\d_]`` (word
characters that are not decimal digits or ``_``; this also admits the rare non-decimal
numerals, so the client check stays at least as lenient as the server). Any other
property class, or one outside a bracket class, is a :class:`GeneratorError`, so a new
spec's quirk is noticed instead of being checked wrongly.
"""

from __future__ import annotations

import re

from .errors import GeneratorError

__all__ = ["python_pattern"]

_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}")
# A bracket class without nested brackets; escaped characters stay inside it.
_BRACKET_CLASS = re.compile(r"\[(\^?)((?:\\.|[^\]\\])*)\]")
_LETTER = r"\p{L}"
_NUMBER = r"\p{N}"


def python_pattern(pattern: str, where: str) -> str:
    """``pattern`` rewritten so that Python's ``re`` compiles it with the same meaning."""
    translated = _BRACKET_CLASS.sub(lambda m: _translate_class(m, pattern, where), pattern)
    if _PROPERTY.search(translated):
        raise GeneratorError(f"{where}: pattern {pattern!r} has a property class outside [...]")
    try:
        re.compile(translated)
    except re.error as exc:
        raise GeneratorError(
            f"{where}: pattern {pattern!r} does not compile in Python: {exc}"
        ) from None
    return translated


def _translate_class(match: re.Match[str], pattern: str, where: str) -> str:
    negated, body = match.group(1), match.group(2)
    if not _PROPERTY.search(body):
        return match.group(0)
    letters, numbers = _LETTER in body, _NUMBER in body
    rest = body.replace(_LETTER, "").replace(_NUMBER, "")
    if negated or _PROPERTY.search(rest) or not letters:
        raise GeneratorError(
            f"{where}: pattern {pattern!r}: no Python translation for [{negated}{body}]"
        )
    if numbers:
        return f"[\\w{rest}]"
    core = r"[^\W\d_]"
    return f"(?:{core}|[{rest}])" if rest else core
