"""The one-call commands: deploy, start, instances, cancel, publish (blocking client)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from camunda_cli.clients import CamundaClient
from camunda_cli.errors import EXIT_USAGE, CliError
from camunda_cli.output import console, print_json, to_jsonable
from camunda_cli.variables import parse_variables

__all__ = ["cancel", "deploy", "instances", "publish", "start"]

_JSON_HELP = "print the result as JSON (for scripts)"


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", "tenant_id", default=None, help="tenant to deploy to (default: CAMUNDA_TENANT_ID)")
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def deploy(files: Sequence[Path], tenant_id: str | None, as_json: bool) -> None:
    """Deploy BPMN, DMN and form files in one deployment."""
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise CliError(f"deploy: no such file: {', '.join(missing)}", EXIT_USAGE)
    with CamundaClient() as client:
        summary = client.deploy_resources_from_files(list(files), tenant_id=tenant_id)
    rows: list[dict[str, Any]] = []
    for process in summary.processes:
        rows.append({"kind": "process", "id": process.process_definition_id,
                     "version": process.process_definition_version,
                     "key": process.process_definition_key, "resource": process.resource_name})  # fmt: skip
    for decision in summary.decisions:
        rows.append({"kind": "decision", "id": decision.decision_definition_id,
                     "version": decision.version, "key": decision.decision_definition_key,
                     "resource": decision.decision_requirements_id})  # fmt: skip
    for drg in summary.decision_requirements:
        rows.append({"kind": "decision requirements", "id": drg.decision_requirements_id,
                     "version": drg.version, "key": drg.decision_requirements_key,
                     "resource": drg.resource_name})  # fmt: skip
    for form in summary.forms:
        rows.append({"kind": "form", "id": form.form_id, "version": form.version,
                     "key": form.form_key, "resource": form.resource_name})  # fmt: skip
    for resource in summary.resources:
        rows.append({"kind": "resource", "id": resource.resource_id, "version": resource.version,
                     "key": resource.resource_key, "resource": resource.resource_name})  # fmt: skip
    if as_json:
        print_json({"deploymentKey": summary.deployment_key, "tenantId": summary.tenant_id, "deployed": rows})
        return
    table = Table(title=f"deployment {summary.deployment_key}")
    for column in ("kind", "id", "version", "key", "resource"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[column]) for column in ("kind", "id", "version", "key", "resource")))
    console.print(table)


@click.command()
@click.argument("process_id")
@click.option("--var", "var", multiple=True, metavar="NAME=VALUE",
              help="a variable (repeatable); VALUE is JSON when it parses, else text")  # fmt: skip
@click.option("--process-version", "version", type=int, default=None, help="process version (default: latest)")
@click.option("--wait", is_flag=True, help="wait until the instance completes and show its variables")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="with --wait: seconds to wait for the result")  # fmt: skip
@click.option("--tenant", "tenant_id", default=None, help="tenant (default: CAMUNDA_TENANT_ID)")
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def start(
    process_id: str,
    var: Sequence[str],
    version: int | None,
    wait: bool,
    timeout: float,
    tenant_id: str | None,
    as_json: bool,
) -> None:
    """Start an instance of the latest version of PROCESS_ID."""
    from camunda_core.models import ProcessCreationById
    from camunda_core.semantic_types import ProcessDefinitionId, TenantId
    from camunda_core.types import UNSET

    variables = parse_variables(var)
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


@click.command()
@click.option("--state", type=click.Choice(["ACTIVE", "COMPLETED", "TERMINATED"], case_sensitive=False),
              default=None, help="only instances in this state")  # fmt: skip
@click.option("--process-id", default=None, help="only instances of this process (BPMN process id)")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True,
              help="most instances listed (newest first)")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def instances(state: str | None, process_id: str | None, limit: int, as_json: bool) -> None:
    """List process instances, newest first."""
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
    )  # fmt: skip
    with CamundaClient() as client:
        result = client.search_process_instances(data=query)
    if as_json:
        print_json({"items": [to_jsonable(item) for item in result.items],
                    "totalItems": result.page.total_items})  # fmt: skip
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


@click.command()
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def cancel(key: str, as_json: bool) -> None:
    """Cancel the process instance KEY."""
    from camunda_core.semantic_types import ProcessInstanceKey

    if not key.lstrip("-").isdigit():
        raise CliError(f"cancel: KEY must be a process instance key (digits), got {key!r}", EXIT_USAGE)
    with CamundaClient() as client:
        client.cancel_process_instance(process_instance_key=ProcessInstanceKey(key))
    if as_json:
        print_json({"processInstanceKey": key, "cancelled": True})
        return
    console.print(f"cancelled process instance {key}")


@click.command()
@click.argument("name")
@click.option("--key", "correlation_key", required=True, help="the correlation key")
@click.option("--var", "var", multiple=True, metavar="NAME=VALUE",
              help="a message variable (repeatable); VALUE is JSON when it parses, else text")  # fmt: skip
@click.option("--ttl", type=click.IntRange(min=0), default=0, show_default=True,
              help="milliseconds the message waits for a subscription")  # fmt: skip
@click.option("--message-id", default=None, help="an id that makes the publication idempotent")
@click.option("--tenant", "tenant_id", default=None, help="tenant (default: CAMUNDA_TENANT_ID)")
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def publish(
    name: str,
    correlation_key: str,
    var: Sequence[str],
    ttl: int,
    message_id: str | None,
    tenant_id: str | None,
    as_json: bool,
) -> None:
    """Publish the message NAME with a correlation key."""
    from camunda_core.models import MessagePublicationRequest
    from camunda_core.semantic_types import TenantId
    from camunda_core.types import UNSET

    request = MessagePublicationRequest(
        name=name,
        correlation_key=correlation_key,
        time_to_live=ttl,
        variables=parse_variables(var),
        message_id=UNSET if message_id is None else message_id,
        tenant_id=UNSET if tenant_id is None else TenantId(tenant_id),
    )
    with CamundaClient() as client:
        result = client.publish_message(data=request)
    if as_json:
        print_json(result)
        return
    console.print(f"published {name!r} (correlation key {correlation_key!r}): message {result.message_key}")
