"""Rendering of the re-export modules in ``camunda_orchestration_sdk``."""

from __future__ import annotations

from .ir import SpecIR
from .render_common import CORE_MODELS, SEMANTIC_MODULE, docstring, header, quote_list
from .render_errors import ERRORS_MODULE, error_class_name
from .render_models import module_exports, render_package_init

__all__ = ["render_sdk", "SDK_MODELS_DIR", "SDK_SEMANTIC_PATH", "SDK_ERRORS_PATH"]

SDK_MODELS_DIR = "packages/camunda-sdk/src/camunda_orchestration_sdk/models"
SDK_SEMANTIC_PATH = "packages/camunda-sdk/src/camunda_orchestration_sdk/semantic_types.py"
SDK_ERRORS_PATH = "packages/camunda-sdk/src/camunda_orchestration_sdk/errors.py"
CORE_ERRORS_MODULE = "camunda_core.errors"


def render_sdk(ir: SpecIR) -> dict[str, str]:
    files: dict[str, str] = {}
    for module, names in module_exports(ir).items():
        files[f"{SDK_MODELS_DIR}/{module}.py"] = _reexport_module(
            ir, f"{CORE_MODELS}.{module}", names
        )
    files[f"{SDK_MODELS_DIR}/__init__.py"] = render_package_init(
        ir, "camunda_orchestration_sdk.models", CORE_MODELS
    )
    files[SDK_SEMANTIC_PATH] = _reexport_module(ir, SEMANTIC_MODULE, list(ir.semantic_types))
    files[SDK_ERRORS_PATH] = _errors_module(ir)
    return files


def _errors_module(ir: SpecIR) -> str:
    """The hierarchy of ``camunda_core.errors`` plus every per-operation class, explicitly."""
    import importlib

    # The hand-written hierarchy is the source of truth for its own names.
    core_names: list[str] = list(importlib.import_module(CORE_ERRORS_MODULE).__all__)
    operation_names = [
        name
        for op in ir.operations
        for name in (op.error_base_class, *(error_class_name(op, s) for s in op.error_statuses))
    ]
    lines = [
        header(ir),
        docstring(
            [
                "Every error the SDK raises: the hierarchy, and a class per operation and status.",
                "",
                "``except BadRequest`` and ``except CreateProcessInstanceBadRequest`` both work.",
            ]
        ),
        # ruff's import order: modules alphabetically, then constants, classes, functions.
        *(f"from {ERRORS_MODULE} import {n} as {n}" for n in sorted(operation_names, key=_member_order)),
        *(f"from {CORE_ERRORS_MODULE} import {n} as {n}" for n in sorted(core_names, key=_member_order)),
        "",
        f"__all__ = {quote_list(sorted(core_names) + sorted(operation_names))}\n",
    ]
    return "\n".join(lines)


def _member_order(name: str) -> tuple[int, str, str]:
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return (kind, name.lower(), name)


def _import_order(name: str) -> tuple[str, str]:
    # The order ruff's import sorting expects.
    return (name.lower(), name)


def _reexport_module(ir: SpecIR, source: str, names: list[str]) -> str:
    imports = "\n".join(f"from {source} import {name} as {name}" for name in sorted(names, key=_import_order))
    return "\n".join(
        [
            header(ir),
            docstring([f"Re-exports ``{source}`` (the same objects)."]),
            imports + "\n",
            f"__all__ = {quote_list(sorted(names))}\n",
        ]
    )
