"""Wire conversion: the cattrs converter, the rules for single values (``wire``), open enums and
the union registry.

Importing this package is cheap; ``structure``/``unstructure`` load the converter on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from camunda_core.serialization.converter import (
        ConversionError as ConversionError,
    )
    from camunda_core.serialization.converter import (
        get_converter as get_converter,
    )
    from camunda_core.serialization.converter import (
        structure as structure,
    )
    from camunda_core.serialization.converter import (
        unstructure as unstructure,
    )
    from camunda_core.serialization.enums import OpenStrEnum as OpenStrEnum

__all__ = ["ConversionError", "OpenStrEnum", "get_converter", "structure", "unstructure"]


def __getattr__(name: str) -> Any:
    if name == "OpenStrEnum":
        from camunda_core.serialization.enums import OpenStrEnum

        return OpenStrEnum
    if name in ("ConversionError", "get_converter", "structure", "unstructure"):
        from camunda_core.serialization import converter

        return getattr(converter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
