"""Deploying resources: BPMN processes, DMN decision requirements and forms, with versions."""

from __future__ import annotations

from typing import Any

from .model import ProcessDefinition
from .problem import Problem
from .resources import (
    DecisionRequirementsModel,
    FormModel,
    ProcessModel,
    ResourceError,
    parse_bpmn,
    parse_dmn,
    parse_form,
)
from .state import EngineState

__all__ = ["Deployments"]

ParsedResource = list[ProcessModel] | DecisionRequirementsModel | FormModel


def parse_resource(name: str, content: bytes) -> ParsedResource:
    """Parse by file name, as the broker does; ResourceError when it cannot be deployed."""
    lowered = name.lower()
    if lowered.endswith(".bpmn") or lowered.endswith(".bpmn20.xml"):
        return parse_bpmn(name, content)
    if lowered.endswith(".dmn") or lowered.endswith(".dmn11.xml"):
        return parse_dmn(name, content)
    if lowered.endswith(".form"):
        return parse_form(name, content)
    raise ResourceError(f"'{name}': resource type is not supported (use .bpmn, .dmn or .form)")


class Deployments(EngineState):
    def deploy(self, resources: list[tuple[str, bytes]], tenant_id: str) -> dict[str, Any]:
        """Deploy ``(file name, content)`` pairs; returns the wire ``DeploymentResult``."""
        if not resources:
            raise Problem(400, "INVALID_ARGUMENT", "No resources given to deploy.")
        # Parse everything first so a bad resource deploys nothing.
        parsed: list[tuple[str, bytes, ParsedResource]] = []
        for name, content in resources:
            try:
                parsed.append((name, content, parse_resource(name, content)))
            except ResourceError as exc:
                raise Problem(
                    400,
                    "INVALID_ARGUMENT",
                    f"Expected to deploy new resources, but encountered the following errors: {exc}",
                ) from exc
        deployment_key = self.new_key()
        entries: list[dict[str, Any]] = []
        for name, content, model in parsed:
            if isinstance(model, list):
                for process in model:
                    definition = self._add_process(
                        process, name, content, tenant_id, deployment_key
                    )
                    entries.append(
                        _deployment_entry(
                            processDefinition={
                                "processDefinitionId": process.process_id,
                                "processDefinitionVersion": definition.version,
                                "resourceName": name,
                                "tenantId": tenant_id,
                                "processDefinitionKey": definition.key,
                            }
                        )
                    )
            elif isinstance(model, DecisionRequirementsModel):
                entries.extend(self._add_decisions(model, name, tenant_id))
            else:
                version = self._bump_version("form", model.form_id, tenant_id)
                form = {
                    "formId": model.form_id,
                    "version": version,
                    "resourceName": name,
                    "tenantId": tenant_id,
                    "formKey": self.new_key(),
                }
                self.forms.append(form)
                entries.append(_deployment_entry(form=form))
        return {"deploymentKey": deployment_key, "tenantId": tenant_id, "deployments": entries}

    def find_definition(self, process_id: str, version: int, tenant_id: str) -> ProcessDefinition:
        """The definition of ``process_id`` in ``version`` (the latest when negative)."""
        latest = self._latest.get((process_id, tenant_id))
        if latest is None:
            raise Problem(
                404,
                "NOT_FOUND",
                f"Expected to find process definition with process ID '{process_id}', but none found",
            )
        if version < 0 or version == latest.version:
            return latest
        for definition in self.definitions.values():
            if (
                definition.model.process_id == process_id
                and definition.tenant_id == tenant_id
                and definition.version == version
            ):
                return definition
        raise Problem(
            404,
            "NOT_FOUND",
            f"Expected to find process definition with process ID '{process_id}' and version "
            f"'{version}', but none found",
        )

    def _bump_version(self, kind: str, resource_id: str, tenant_id: str) -> int:
        version = self._versions.get((kind, resource_id, tenant_id), 0) + 1
        self._versions[(kind, resource_id, tenant_id)] = version
        return version

    def _add_process(
        self,
        model: ProcessModel,
        resource_name: str,
        content: bytes,
        tenant_id: str,
        deployment_key: str,
    ) -> ProcessDefinition:
        version = self._bump_version("process", model.process_id, tenant_id)
        definition = ProcessDefinition(
            key=self.new_key(),
            model=model,
            version=version,
            resource_name=resource_name,
            tenant_id=tenant_id,
            deployment_key=deployment_key,
            xml=content,
        )
        self.definitions[definition.key] = definition
        self._latest[(model.process_id, tenant_id)] = definition
        return definition

    def _add_decisions(
        self, model: DecisionRequirementsModel, resource_name: str, tenant_id: str
    ) -> list[dict[str, Any]]:
        requirements_version = self._bump_version("drg", model.requirements_id, tenant_id)
        requirements_key = self.new_key()
        entries = [
            _deployment_entry(
                decisionRequirements={
                    "decisionRequirementsId": model.requirements_id,
                    "decisionRequirementsName": model.name,
                    "version": requirements_version,
                    "resourceName": resource_name,
                    "tenantId": tenant_id,
                    "decisionRequirementsKey": requirements_key,
                }
            )
        ]
        for decision in model.decisions:
            wire = {
                "decisionDefinitionId": decision.decision_id,
                "version": self._bump_version("decision", decision.decision_id, tenant_id),
                "name": decision.name,
                "tenantId": tenant_id,
                "decisionRequirementsId": model.requirements_id,
                "decisionDefinitionKey": self.new_key(),
                "decisionRequirementsKey": requirements_key,
            }
            self.decisions.append(wire)
            entries.append(_deployment_entry(decisionDefinition=wire))
        return entries


def _deployment_entry(**present: dict[str, Any]) -> dict[str, Any]:
    """One item of ``DeploymentResult.deployments``: the kind deployed, the others null."""
    entry: dict[str, Any] = {
        "processDefinition": None,
        "decisionDefinition": None,
        "decisionRequirements": None,
        "form": None,
        "resource": None,
    }
    entry.update(present)
    return entry
