"""Every error the SDK raises: the hierarchy, plus a typed class per operation and status.

``except BadRequest`` and ``except CreateProcessInstanceBadRequest`` both work.
"""

from camunda_core.api.errors import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]
from camunda_core.api.errors import __all__ as _operation_errors
from camunda_core.errors import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]
from camunda_core.errors import __all__ as _core_errors

__all__ = [*_core_errors, *_operation_errors]  # pyright: ignore[reportUnsupportedDunderAll]
