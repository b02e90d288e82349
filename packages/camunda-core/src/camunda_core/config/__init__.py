"""Configuration: ``CAMUNDA_*`` variables resolved from ``.env`` < environment < explicit dict.

:data:`VARIABLES` is the one table of every variable; :func:`resolve_config`
turns the three layers into a frozen, validated :class:`CamundaConfig`;
:func:`explain_configuration` says where each resolved value came from.
"""

from camunda_core.config.model import CamundaConfig
from camunda_core.config.reference import render_reference_table
from camunda_core.config.resolve import resolve_config
from camunda_core.config.sources import SettingOrigin, explain_configuration
from camunda_core.config.unused import CamundaConfigWarning
from camunda_core.config.variables import VARIABLES, Variable

__all__ = [
    "Variable",
    "CamundaConfig",
    "resolve_config",
    "VARIABLES",
    "render_reference_table",
    "SettingOrigin",
    "explain_configuration",
    "CamundaConfigWarning",
]
