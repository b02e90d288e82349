"""``deploy_resources_from_files``: read files, deploy them, summarise the result by kind."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from camunda_core.errors import ValidationError
from camunda_core.runtime.multipart import File, guess_content_type

if TYPE_CHECKING:
    from camunda_core.models.deployment_decision_requirements_result import (
        DeploymentDecisionRequirementsResult,
    )
    from camunda_core.models.deployment_decision_result import DeploymentDecisionResult
    from camunda_core.models.deployment_form_result import DeploymentFormResult
    from camunda_core.models.deployment_process_result import DeploymentProcessResult
    from camunda_core.models.deployment_resource_result import DeploymentResourceResult
    from camunda_core.models.deployment_result import DeploymentResult
    from camunda_core.semantic_types import DeploymentKey, TenantId

__all__ = ["DeploymentSummary", "read_deployment_files"]

_OPERATION = "deploy_resources_from_files"


@attrs.frozen(kw_only=True)
class DeploymentSummary:
    """A deployment's result, grouped by kind, with typed keys."""

    deployment_key: DeploymentKey
    tenant_id: TenantId
    processes: list[DeploymentProcessResult]
    decisions: list[DeploymentDecisionResult]
    decision_requirements: list[DeploymentDecisionRequirementsResult]
    forms: list[DeploymentFormResult]
    resources: list[DeploymentResourceResult]
    #: The response as the API returned it.
    raw: DeploymentResult

    @classmethod
    def from_result(cls, result: DeploymentResult) -> DeploymentSummary:
        entries: list[Any] = list(result.deployments)

        def pick(field: str) -> list[Any]:
            return [value for entry in entries if (value := getattr(entry, field, None)) is not None and value]

        return cls(
            deployment_key=result.deployment_key,
            tenant_id=result.tenant_id,
            processes=pick("process_definition"),
            decisions=pick("decision_definition"),
            decision_requirements=pick("decision_requirements"),
            forms=pick("form"),
            resources=pick("resource"),
            raw=result,
        )


def read_deployment_files(paths: Sequence[str | os.PathLike[str]]) -> list[File]:
    """Read every file up front, so a missing one fails before anything is sent."""
    if isinstance(paths, (str, os.PathLike)):
        raise ValidationError(f"{_OPERATION}: paths must be a list of file paths, not a single path")
    if not paths:
        raise ValidationError(f"{_OPERATION}: paths is empty; give at least one .bpmn, .dmn or .form file")
    files: list[File] = []
    for raw in paths:
        path = Path(raw)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise ValidationError(f"{_OPERATION}: file not found: {str(path)!r}") from None
        except OSError as exc:
            raise ValidationError(f"{_OPERATION}: cannot read {str(path)!r}: {exc.strerror or exc}") from None
        files.append(File(content=content, filename=path.name, content_type=guess_content_type(path.name)))
    return files
