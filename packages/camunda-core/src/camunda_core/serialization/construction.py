"""What a generated model's constructor says about a wrong argument.

Python's own error for an unknown keyword names the class the model is defined as
(``ProcessInstanceCreationInstructionByKey.__init__() got an unexpected keyword argument``),
which is not the name the caller wrote when they used a title alias such as
``ProcessCreationByKey`` (the same class object), and it suggests nothing. So generated models
write their own ``__init__``, hidden from type checkers (which keep the attrs signature and
still flag a typo before it runs): every parameter has a default and extra ones are collected,
so a wrong call reaches :func:`constructor_error`, which names the class as the caller wrote
it and suggests the field meant. A correct call is a plain store per field, like attrs' own.

Parsing does not call ``__init__`` at all (the converter stores the attributes itself), so
this costs the hot path nothing.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from camunda_core.errors import CamundaError

__all__ = [
    "MODEL_INIT_MARK",
    "REQUIRED",
    "ModelArgumentError",
    "constructor_error",
    "model_init",
]

#: Set on a generated ``__init__``: the converter may build instances without calling it.
MODEL_INIT_MARK = "__camunda_model_init__"

_F = TypeVar("_F", bound=Callable[..., Any])

#: Where the generated classes live; other classes (a user's subclass) are named as they are.
_GENERATED_PACKAGE = "camunda_core.models"
#: Modules whose calls of a model are not the user's (their local names are not theirs).
_LIBRARIES = frozenset(
    {
        "attr",
        "attrs",
        "cattr",
        "cattrs",
        "camunda_core",
        "camunda_orchestration_sdk",
        "camunda_workers",
        "camunda_testkit",
        "camunda_auth_oauth",
        "camunda_cli",
    }
)


class _Required:
    """The default of a required parameter: tells "not given" apart from any value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of every required parameter of a generated ``__init__``.
REQUIRED: Any = _Required()


def model_init(init: _F) -> _F:
    """Mark a generated ``__init__`` (see :data:`MODEL_INIT_MARK`)."""
    setattr(init, MODEL_INIT_MARK, True)
    return init


class ModelArgumentError(CamundaError, TypeError):
    """A model was called with arguments it does not take (a ``TypeError``, as Python's own).

    ``model`` is the class name as the caller wrote it; ``unexpected`` the unknown keywords,
    ``suggestions`` the field meant for each (where one is close), ``missing`` the required
    fields not given, ``positional`` how many positional arguments were given.
    """

    def __init__(
        self,
        message: str,
        *,
        model: str,
        unexpected: tuple[str, ...] = (),
        suggestions: Mapping[str, str] | None = None,
        missing: tuple[str, ...] = (),
        positional: int = 0,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.unexpected = unexpected
        self.suggestions = dict(suggestions or {})
        self.missing = missing
        self.positional = positional


def constructor_error(
    instance: object,
    args: tuple[Any, ...],
    unexpected: Mapping[str, Any],
    required: Mapping[str, Any],
) -> ModelArgumentError:
    """The error for a wrong call of a generated ``__init__`` (called only on that path).

    ``required`` holds the required parameters' values as received (:data:`REQUIRED` when
    not given). Argument values are never quoted: they may be secrets.
    """
    import attrs

    cls = type(instance)
    # Frame 1 is the generated __init__, frame 2 whoever called the class.
    name = _name_as_called(cls, sys._getframe(2))  # pyright: ignore[reportPrivateUsage]
    fields = [a.name for a in attrs.fields(cls)]
    wire_names = {a.metadata.get("wire", a.name): a.name for a in attrs.fields(cls)}
    suggestions: dict[str, str] = {}
    for keyword in unexpected:
        guess = _suggest(keyword, fields, wire_names)
        if guess is not None:
            suggestions[keyword] = guess
    missing = tuple(
        field for field, value in required.items() if value is REQUIRED and field not in suggestions.values()
    )
    problems: list[str] = []
    if args:
        problems.append(f"takes keyword arguments only, got {len(args)} positional")
    for keyword in unexpected:
        text = f"got an unexpected keyword argument {keyword!r}"
        if keyword in suggestions:
            text += f" (did you mean {suggestions[keyword]!r}?)"
        problems.append(text)
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(f"missing required argument{plural} " + ", ".join(repr(m) for m in missing))
    if not problems:  # not reached from generated code; keeps the message meaningful
        problems.append("was called with arguments it does not take")
    return ModelArgumentError(
        f"{name}() " + "; ".join(problems),
        model=name,
        unexpected=tuple(unexpected),
        suggestions=suggestions,
        missing=missing,
        positional=len(args),
    )


def _suggest(keyword: str, fields: list[str], wire_names: Mapping[str, str]) -> str | None:
    """The field most likely meant by ``keyword``: its wire name, its spelling in any case, or close."""
    if keyword in wire_names:  # processDefinitionKey= for process_definition_key=
        return wire_names[keyword]
    squashed = {f.replace("_", "").lower(): f for f in fields}
    found = squashed.get(keyword.replace("_", "").lower())
    if found is not None:
        return found
    import difflib  # only on this error path

    close = difflib.get_close_matches(keyword, fields, n=1, cutoff=0.6)
    return close[0] if close else None


# --------------------------------------------------------------- the caller's name

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALLED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def _name_as_called(cls: type, frame: types.FrameType | None) -> str:
    """The name the caller used for ``cls``: a title alias, an ``import ... as`` name, or its own.

    Read from the call expression in the caller's source, and accepted only where that name
    really is ``cls`` (bound in the caller's module, or exported by the models package).
    """
    if not cls.__module__.startswith(_GENERATED_PACKAGE):
        return cls.__name__  # a subclass: the user's own class
    caller_module = str(frame.f_globals.get("__name__", "")) if frame is not None else ""
    if frame is None or caller_module.split(".", 1)[0] in _LIBRARIES:
        return cls.__name__  # called by a library (attrs.evolve's ``cls(...)``): no user name
    try:
        candidates = _names_in_call(frame)
        for candidate in candidates:
            if _names_class(candidate, cls, frame):
                return candidate
        if not candidates:  # no source (exec, a REPL): a module-level name bound to it
            bound = sorted(n for n, v in frame.f_globals.items() if v is cls)
            if len(bound) == 1:
                return bound[0]
    except Exception:  # the name is a courtesy: never let finding it hide the real error
        pass
    return cls.__name__


def _names_in_call(frame: types.FrameType) -> list[str]:
    """Names written right before a ``(`` in the caller's current call, the callee first."""
    import linecache

    code = frame.f_code
    lines = linecache.getlines(code.co_filename, frame.f_globals)
    if not lines:
        return []
    span = _call_span(frame)
    if span is not None:
        first, last, start, end = span
        text = _source_between(lines, first, last, start, end)
        head = text.split("(", 1)[0]
        names = _IDENTIFIER.findall(head)
        if names:
            return [names[-1]]
    lineno = frame.f_lineno
    if lineno is None or not 0 < lineno <= len(lines):
        return []
    # Python 3.10, or no column information: every name called on the line, last first.
    return list(reversed(_CALLED.findall(lines[lineno - 1])))


def _call_span(frame: types.FrameType) -> tuple[int, int, int, int] | None:
    """(first line, last line, start column, end column) of the call being made, on 3.11+."""
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is None:
        return None
    index = frame.f_lasti // 2
    for i, position in enumerate(positions()):
        if i == index:
            first, last, start, end = position
            if first is None or last is None or start is None or end is None:
                return None
            return first, last, start, end
    return None


def _source_between(lines: list[str], first: int, last: int, start: int, end: int) -> str:
    # Columns count UTF-8 bytes.
    chunk = [line.encode("utf-8") for line in lines[first - 1 : last]]
    if not chunk:
        return ""
    if len(chunk) == 1:
        return chunk[0][start:end].decode("utf-8", "replace")
    chunk[0] = chunk[0][start:]
    chunk[-1] = chunk[-1][:end]
    return b"".join(chunk).decode("utf-8", "replace")


def _names_class(name: str, cls: type, frame: types.FrameType) -> bool:
    if frame.f_globals.get(name) is cls:
        return True
    if frame.f_locals.get(name) is cls:
        return True
    models = sys.modules.get(_GENERATED_PACKAGE)
    if models is not None and name in getattr(models, "__all__", ()):
        return getattr(models, name, None) is cls
    return False
