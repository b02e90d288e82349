"""Rendering of ``camunda_core/api/errors.py``: per-operation typed errors."""

from __future__ import annotations

from .ir import OperationIR, SpecIR
from .render_common import docstring, header

__all__ = ["render_errors", "error_class_name", "ERRORS_PATH", "ERRORS_MODULE"]

ERRORS_PATH = "packages/camunda-core/src/camunda_core/api/errors.py"
ERRORS_MODULE = "camunda_core.api.errors"

# Status -> the class in camunda_core.errors it maps to (and the suffix of the generated name).
_STATUS_CLASSES: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    406: "NotAcceptable",
    409: "Conflict",
    412: "PreconditionFailed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


def status_base(status: int) -> str | None:
    """The camunda_core.errors class for a status, or None for plain ApiError."""
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    return "ServerError" if status >= 500 else None


def error_class_name(op: OperationIR, status: int) -> str:
    prefix = op.error_base_class[: -len("Error")]
    known = _STATUS_CLASSES.get(status)
    return f"{prefix}{known}" if known else f"{prefix}Status{status}"


def render_errors(ir: SpecIR) -> dict[str, str]:
    bases = sorted(
        {
            "ApiError",
            *(b for op in ir.operations for s in op.error_statuses if (b := status_base(s))),
        }
    )
    names: list[str] = []
    classes: list[str] = []
    for op in ir.operations:
        names.append(op.error_base_class)
        classes.append(_base_class(op))
        for status in op.error_statuses:
            names.append(error_class_name(op, status))
            classes.append(_status_class(op, status))
    text = "\n".join(
        [
            header(ir),
            docstring(
                [
                    "Typed errors per operation.",
                    "",
                    "``<Operation>Error`` catches every error response of one operation; each documented",
                    "status has a class that is also the matching status class of ``camunda_core.errors``,",
                    "so ``except NotFound`` and ``except GetProcessInstanceNotFound`` both work.",
                ]
            ),
            "from __future__ import annotations\n",
            f"from camunda_core.errors import {', '.join(bases)}\n",
            "__all__ = [",
            *(f'    "{n}",' for n in names),
            "]\n",
            "\n\n".join(classes),
        ]
    )
    return {ERRORS_PATH: text}


def _base_class(op: OperationIR) -> str:
    doc = docstring(
        [f"Any error response of ``{op.py_name}`` ({op.method} {op.path})."], indent="    "
    )
    return f"class {op.error_base_class}(ApiError):\n{doc}"


def _status_class(op: OperationIR, status: int) -> str:
    base = status_base(status)
    bases = f"{op.error_base_class}, {base}" if base else op.error_base_class
    doc = docstring([f"HTTP {status} from ``{op.py_name}``."], indent="    ")
    body = doc
    if status not in _STATUS_CLASSES:
        body += f"\n    status_code = {status}\n"
    return f"class {error_class_name(op, status)}({bases}):\n{body}"
