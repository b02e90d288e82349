"""Rendering of the re-export modules in ``camunda_orchestration_sdk``."""

from __future__ import annotations

from .ir import SpecIR
from .render_common import CORE_MODELS, SEMANTIC_MODULE, docstring, header, quote_list
from .render_models import module_exports, render_package_init

__all__ = ["render_sdk", "SDK_MODELS_DIR", "SDK_SEMANTIC_PATH"]

SDK_MODELS_DIR = "packages/camunda-sdk/src/camunda_orchestration_sdk/models"
SDK_SEMANTIC_PATH = "packages/camunda-sdk/src/camunda_orchestration_sdk/semantic_types.py"


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
    return files


def _reexport_module(ir: SpecIR, source: str, names: list[str]) -> str:
    imports = "\n".join(f"from {source} import {name} as {name}" for name in sorted(names, key=lambda n: (n.lower(), n)))
    return "\n".join(
        [
            header(ir),
            docstring([f"Re-exports ``{source}`` (the same objects)."]),
            imports + "\n",
            f"__all__ = {quote_list(sorted(names))}\n",
        ]
    )
