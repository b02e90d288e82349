"""The one-call commands: deploy, start, instances, cancel, publish (blocking client)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from cyclopts import Parameter
from rich.table import Table

from camunda_cli.clients import CamundaClient
from camunda_cli.errors import EXIT_USAGE, CliError
from camunda_cli.output import console, print_json, to_jsonable
from camunda_cli.variables import parse_variables

__all__ = ["cancel", "deploy", "instances", "publish", "start"]

#: ``--json`` on every command that outputs data.
AsJson = Annotated[bool, Parameter(name="--json", negative="", help="print the result as JSON (for scripts)")]
Tenant = Annotated[str | None, Parameter(name="--tenant", help="tenant (default: CAMUNDA_TENANT_ID)")]
Variables = Annotated[
    list[str] | None,
    Parameter(name="--var", negative="", help="NAME=VALUE, repeatable; VALUE is JSON when it parses, else text"),
]


def deploy(*files: Path, tenant_id: Tenant = None, as_json: AsJson = False) -> None:
    """Deploy BPMN, DMN and form files in one deployment.

    Parameters
    ----------
    files
        the files to deploy
    """
    if not files:
        raise CliError("deploy: name at least one file to deploy", EXIT_USAGE)
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise CliError(f"deploy: no such file: {', '.join(missing)}", EXIT_USAGE)
    with CamundaClient() as client:
        summary = client.deploy_resources_from_files(list(files), tenant_id=tenant_id)
    rows: list[dict[str, Any]] = []
    for process in summary.processes:
        rows.append({"kind": "process", "id": process.process_definition_id,
                     "version": process.process_definition_version,
                     "key": process.process_definition_key, "resource": process.resource_name})
    for decision in summary.decisions:
        rows.append({"kind": "decision", "id": decision.decision_definition_id,
                     "version": decision.version, "key": decision.decision_definition_key,
                     "resource": decision.decision_requirements_id})
    for drg in summary.decision_requirements:
        rows.append({"kind": "decision requirements", "id": drg.decision_requirements_id,
                     "version": drg.version, "key": drg.decision_requirements_key,
                     "resource": drg.resource_name})
    for form in summary.forms:
        rows.append({"kind": "form", "id": form.form_id, "version": form.version,
                     "key": form.form_key, "resource": form.resource_name})
    for resource in summary.resources:
        rows.append({"kind": "resource", "id": resource.resource_id, "version": resource.version,
                     "key": resource.resource_key, "resource": resource.resource_name})
    if as_json:
        print_json({"deploymentKey": summary.deployment_key, "tenantId": summary.tenant_id, "deployed": rows})
        return
    table = Table(title=f"deployment {summary.deployment_key}")
    for column in ("kind", "id", "version", "key", "resource"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[column]) for column in ("kind", "id", "version", "key", "resource")))
    console.print(table)


def start(
    process_id: str,
    /,
    *,
    var: Variables = None,
    version: Annotated[int | None, Parameter(name="--process-version", help="process version (default: latest)")] = None,
    wait: Annotated[bool, Parameter(negative="", help="wait until the instance completes; show its variables")] = False,
    timeout: Annotated[float, Parameter(help="with --wait: seconds to wait for the result")] = 60.0,
    tenant_id: Tenant = None,
    as_json: AsJson = False,
) -> None:
    """Start an instance of the latest version of PROCESS_ID (the BPMN process id).

    Parameters
    ----------
    process_id
        the BPMN process id
    """
    if timeout <= 0:
        raise CliError(f"start: --timeout must be positive seconds, got {timeout:g}", EXIT_USAGE)
    from camunda_core.models import ProcessCreationById
    from camunda_core.semantic_types import ProcessDefinitionId, TenantId
    from camunda_core.types import UNSET

    variables = parse_variables(var or [])
    request = ProcessCreationById(
        process_definition_id=ProcessDefinitionId(process_id),
        process_definition_version=UNSET if version is None else version,
        variables=variables,
        tenant_id=UNSET if tenant_id is None else TenantId(tenant_id),
        await_completion=wait,
        request_timeout=round(timeout * 1000) if wait else UNSET,
    )
    with CamundaClient() as client:
        # The server holds the request until the instance ends: the HTTP limit must outlast it.
        result = client.create_process_instance(data=request, timeout=timeout + 10 if wait else None)
    if as_json:
        print_json(result)
        return
    console.print(
        f"started {result.process_definition_id} v{result.process_definition_version}: "
        f"process instance {result.process_instance_key}"
    )
    if wait:
        console.print("completed with variables:")
        console.print_json(data=to_jsonable(result.variables), default=str)


_STATES = ("ACTIVE", "COMPLETED", "TERMINATED")


def instances(
    *,
    state: Annotated[str | None, Parameter(help="only instances in this state: ACTIVE, COMPLETED or TERMINATED")] = None,
    process_id: Annotated[str | None, Parameter(help="only instances of this process (BPMN process id)")] = None,
    limit: Annotated[int, Parameter(help="most instances listed (1 to 10000)")] = 50,
    as_json: AsJson = False,
) -> None:
    """List process instances, newest first."""
    if state is not None and state.upper() not in _STATES:
        raise CliError(f"instances: --state must be one of {', '.join(_STATES)}, got {state!r}", EXIT_USAGE)
    if not 1 <= limit <= 10_000:
        raise CliError(f"instances: --limit must be between 1 and 10000, got {limit}", EXIT_USAGE)
    from camunda_core.models import (
        LimitPagination,
        ProcessInstanceFilter,
        ProcessInstanceSearchQuery,
        ProcessInstanceSearchQuerySortRequest,
        ProcessInstanceSearchQuerySortRequestFieldEnum,
        ProcessInstanceStateEnum,
        SortOrderEnum,
    )
    from camunda_core.types import UNSET

    query = ProcessInstanceSearchQuery(
        filter=ProcessInstanceFilter(
            state=UNSET if state is None else ProcessInstanceStateEnum(state.upper()),
            process_definition_id=UNSET if process_id is None else process_id,
        ),
        sort=[ProcessInstanceSearchQuerySortRequest(
            field=ProcessInstanceSearchQuerySortRequestFieldEnum.START_DATE, order=SortOrderEnum.DESC)],
        page=LimitPagination(limit=limit),
    )
    with CamundaClient() as client:
        result = client.search_process_instances(data=query)
    if as_json:
        print_json({"items": [to_jsonable(item) for item in result.items],
                    "totalItems": result.page.total_items})
        return
    table = Table(title=f"{len(result.items)} of {result.page.total_items} process instances")
    for column in ("key", "process", "version", "state", "incident", "started", "ended"):
        table.add_column(column)
    for item in result.items:
        table.add_row(
            str(item.process_instance_key),
            str(item.process_definition_id),
            str(item.process_definition_version),
            str(item.state),
            "yes" if item.has_incident else "",
            item.start_date.isoformat(timespec="seconds"),
            item.end_date.isoformat(timespec="seconds") if item.end_date is not None else "",
        )
    console.print(table)


def cancel(key: str, /, *, as_json: AsJson = False) -> None:
    """Cancel the process instance KEY.

    Parameters
    ----------
    key
        the process instance key
    """
    from camunda_core.semantic_types import ProcessInstanceKey

    if not key.lstrip("-").isdigit():
        raise CliError(f"cancel: KEY must be a process instance key (digits), got {key!r}", EXIT_USAGE)
    with CamundaClient() as client:
        client.cancel_process_instance(process_instance_key=ProcessInstanceKey(key))
    if as_json:
        print_json({"processInstanceKey": key, "cancelled": True})
        return
    console.print(f"cancelled process instance {key}")


def publish(
    name: str,
    /,
    *,
    correlation_key: Annotated[str, Parameter(name="--key", help="the correlation key")],
    var: Variables = None,
    ttl: Annotated[int, Parameter(help="milliseconds the message waits for a subscription")] = 0,
    message_id: Annotated[str | None, Parameter(help="an id that makes the publication idempotent")] = None,
    tenant_id: Tenant = None,
    as_json: AsJson = False,
) -> None:
    """Publish the message NAME with a correlation key.

    Parameters
    ----------
    name
        the message name
    """
    if ttl < 0:
        raise CliError(f"publish: --ttl must be 0 or more milliseconds, got {ttl}", EXIT_USAGE)
    from camunda_core.models import MessagePublicationRequest
    from camunda_core.semantic_types import TenantId
    from camunda_core.types import UNSET

    request = MessagePublicationRequest(
        name=name,
        correlation_key=correlation_key,
        time_to_live=ttl,
        variables=parse_variables(var or []),
        message_id=UNSET if message_id is None else message_id,
        tenant_id=UNSET if tenant_id is None else TenantId(tenant_id),
    )
    with CamundaClient() as client:
        result = client.publish_message(data=request)
    if as_json:
        print_json(result)
        return
    console.print(f"published {name!r} (correlation key {correlation_key!r}): message {result.message_key}")
