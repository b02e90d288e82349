"""``CAMUNDA_*``/``ZEEBE_*`` names that are set but that nothing reads.

A misspelt variable (``CAMUNDA_REST_ADRESS``) would otherwise fall back to its
default without a word. Resolution looks at the *names* in the environment and
the ``.env`` file (never at other variables' values) and reports, in one
:class:`CamundaConfigWarning`, each name that no variable of the table, no
installed plugin and no other Camunda tool uses, with the nearest known name;
and each name it accepts only for compatibility and ignores.

A warning, not an error: the environment is shared with other programs, and a
library must not refuse to start because of a variable meant for someone else.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence

import attrs

from camunda_core.config.variables import Variable

__all__ = [
    "CamundaConfigWarning",
    "UnusedVariable",
    "OTHER_TOOL_NAMES",
    "OTHER_TOOL_PREFIXES",
    "find_unused",
    "warning_text",
    "warn_unused",
]

_PREFIXES = ("CAMUNDA_", "ZEEBE_")

#: Names other Camunda tools read from the same environment: the client-credentials
#: file Camunda's console hands out has the gRPC address (for the Java and Go
#: clients) and the scopes beside the variables this SDK reads. Never reported.
OTHER_TOOL_NAMES = frozenset({"ZEEBE_ADDRESS", "ZEEBE_GRPC_ADDRESS", "CAMUNDA_CREDENTIALS_SCOPES"})

#: Prefixes of other Camunda components' settings (the cluster's own, the web apps',
#: the console's), which turn up in shared ``.env`` files and container environments.
OTHER_TOOL_PREFIXES = (
    "ZEEBE_BROKER_",
    "ZEEBE_GATEWAY_",
    "ZEEBE_LOG_",
    "CAMUNDA_CLUSTER_",
    "CAMUNDA_CONSOLE_",
    "CAMUNDA_OPERATE_",
    "CAMUNDA_TASKLIST_",
    "CAMUNDA_OPTIMIZE_",
    "CAMUNDA_MODELER_",
    "CAMUNDA_IDENTITY_",
    "CAMUNDA_ZEEBE_",
    "CAMUNDA_DATABASE_",
    "CAMUNDA_DATA_",
    "CAMUNDA_SECURITY_",
    "CAMUNDA_WEBAPPS_",
    "CAMUNDA_MONITORING_",
    "CAMUNDA_SYSTEM_",
    "CAMUNDA_PERSISTENT_",
)


class CamundaConfigWarning(UserWarning):
    """Configuration that is set but has no effect (an unknown or ignored variable).

    Silence it with ``warnings.filterwarnings("ignore", category=CamundaConfigWarning)``;
    route it to logging with :func:`logging.captureWarnings`.
    """


@attrs.frozen(kw_only=True)
class UnusedVariable:
    """A configuration name that is set but not used, and why."""

    name: str
    #: Where it is set: "explicit", "environment" or ".env".
    source: str
    #: Why it has no effect, ending with a suggestion when there is one.
    reason: str


def find_unused(
    layers: Sequence[tuple[str, Mapping[str, object]]],
    variables: Sequence[Variable],
) -> list[UnusedVariable]:
    """The names set in ``layers`` (source, values) that have no effect, highest layer first.

    ``variables`` are every variable in use, plugins' included. Unknown names
    are looked for in every layer given; ignored variables are reported
    wherever they are set. A name is reported once, for the first layer it is in.
    """
    known = {name for variable in variables if not variable.ignored for name in variable.names}
    ignored = {name: variable for variable in variables if variable.ignored for name in variable.names}
    unused: list[UnusedVariable] = []
    seen: set[str] = set()
    for source, layer in layers:
        for name in _camunda_names(layer):
            if name in seen or name in known or _other_tool(name):
                continue
            seen.add(name)
            if name in ignored:
                reason = "accepted for compatibility with the official SDK and ignored"
            else:
                reason = _unknown_reason(name, sorted(known))
            unused.append(UnusedVariable(name=name, source=source, reason=reason))
    return unused


def _camunda_names(layer: Mapping[str, object]) -> Iterable[str]:
    # Names only: the values of variables that are not ours are never read.
    return sorted(name for name in layer if name.startswith(_PREFIXES))


def _other_tool(name: str) -> bool:
    return name in OTHER_TOOL_NAMES or name.startswith(OTHER_TOOL_PREFIXES)


def _unknown_reason(name: str, known: Sequence[str]) -> str:
    reason = "not a known variable"
    suggestion = _nearest(name, known)
    if suggestion is not None:
        reason += f"; did you mean {suggestion}?"
    return reason


def _nearest(name: str, known: Sequence[str]) -> str | None:
    """The known name closest to ``name``, compared without the shared prefix.

    Every name starts with ``CAMUNDA_`` or ``ZEEBE_``; compared whole, that
    prefix alone makes unrelated names look alike.
    """
    import difflib  # only on this path: nothing unknown, no import

    prefix, rest = _split(name.upper())
    by_rest: dict[str, list[str]] = {}
    for candidate in known:
        by_rest.setdefault(_split(candidate)[1], []).append(candidate)
    matches = difflib.get_close_matches(rest, list(by_rest), n=1, cutoff=0.75)
    if not matches:
        return None
    candidates = by_rest[matches[0]]
    # ZEEBE_TENANTID -> CAMUNDA_TENANT_ID when no ZEEBE_ name is that close.
    return next((c for c in candidates if c.startswith(prefix)), candidates[0])


def _split(name: str) -> tuple[str, str]:
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return prefix, name[len(prefix) :]
    return "", name


def warning_text(unused: Sequence[UnusedVariable], envfile: str | None) -> str:
    """One message listing every unused name."""
    noun = "variable has" if len(unused) == 1 else "variables have"
    lines = [f"Camunda configuration: {len(unused)} {noun} no effect:"]
    for item in unused:
        where = {"explicit": "configuration dict", "environment": "environment"}.get(item.source)
        if where is None:
            where = f".env file {envfile}" if envfile else ".env file"
        lines.append(f"  - {item.name} (in the {where}): {item.reason}")
    return "\n".join(lines)


def warn_unused(unused: Sequence[UnusedVariable], envfile: str | None) -> None:
    """Emit one :class:`CamundaConfigWarning`, attributed to the caller's code outside the SDK."""
    if unused:
        warnings.warn(
            warning_text(unused, envfile), CamundaConfigWarning, stacklevel=_stacklevel_outside_sdk()
        )


_SDK_PACKAGES = ("camunda_core", "camunda_orchestration_sdk", "camunda_workers", "camunda_auth_oauth")


def _stacklevel_outside_sdk() -> int:
    """The ``stacklevel`` that points at the first frame outside the SDK's packages.

    So the warning names the user's ``CamundaClient()`` line, and Python's
    default filter shows it once per such line.
    """
    import inspect  # loaded by then (pluggy uses it); kept off this module's import

    frame = inspect.currentframe()
    level = 0
    try:
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if not (isinstance(module, str) and module.startswith(_SDK_PACKAGES)):
                return level
            frame = frame.f_back
            level += 1
        return max(level - 1, 1)
    finally:
        del frame
