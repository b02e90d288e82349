"""``POST /v2/messages/publication`` and ``/correlation``."""

from __future__ import annotations

from typing import Any

from .._http import HttpResponse
from ..engine import Engine
from .arguments import int_arg, optional_str_arg, str_arg, tenant_arg, variables_arg
from .router import ApiRequest, Route

__all__ = ["ROUTES"]


def publish_message(engine: Engine, request: ApiRequest) -> HttpResponse:
    body = request.required_body()
    name, correlation_key, variables, tenant_id = _message_args(body)
    message = engine.publish_message(
        name,
        correlation_key,
        variables,
        tenant_id,
        int_arg(body, "timeToLive", 0),
        optional_str_arg(body, "messageId"),
        require_correlation=False,
    )
    return HttpResponse.json(200, {"tenantId": tenant_id, "messageKey": message.message_key})


def correlate_message(engine: Engine, request: ApiRequest) -> HttpResponse:
    body = request.required_body()
    name, correlation_key, variables, tenant_id = _message_args(body)
    message = engine.publish_message(
        name, correlation_key, variables, tenant_id, 0, None, require_correlation=True
    )
    return HttpResponse.json(
        200,
        {
            "tenantId": tenant_id,
            "messageKey": message.message_key,
            "processInstanceKey": message.correlated_process_instance_key,
        },
    )


def _message_args(body: dict[str, Any]) -> tuple[str, str, dict[str, Any], str]:
    """What both routes share: name, correlation key, variables and tenant."""
    return (
        str_arg(body, "name", required=True),
        str_arg(body, "correlationKey"),
        variables_arg(body),
        tenant_arg(body),
    )


ROUTES = (
    Route("POST", "/v2/messages/publication", "publishMessage", publish_message),
    Route("POST", "/v2/messages/correlation", "correlateMessage", correlate_message),
)
