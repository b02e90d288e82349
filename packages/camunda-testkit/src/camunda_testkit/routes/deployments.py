"""``POST /v2/deployments``: multipart ``resources`` parts and a ``tenantId`` part."""

from __future__ import annotations

from .._http import HttpResponse, parse_multipart
from ..engine import DEFAULT_TENANT, Engine
from .arguments import invalid_argument
from .router import ApiRequest, Route

__all__ = ["ROUTES"]


def create_deployment(engine: Engine, request: ApiRequest) -> HttpResponse:
    content_type = request.http.header("content-type")
    try:
        parts = parse_multipart(content_type, request.http.body)
    except ValueError as exc:
        raise invalid_argument(
            f"The deployment must be a multipart/form-data request: {exc}"
        ) from exc
    resources: list[tuple[str, bytes]] = []
    tenant_id = DEFAULT_TENANT
    for part in parts:
        if part.name == "tenantId":
            tenant_id = part.data.decode("utf-8", "replace").strip() or DEFAULT_TENANT
        elif part.name == "resources" or part.filename:
            if not part.filename:
                raise invalid_argument("Each 'resources' part needs a filename.")
            resources.append((part.filename, part.data))
    return HttpResponse.json(200, engine.deploy(resources, tenant_id))


ROUTES = (Route("POST", "/v2/deployments", "createDeployment", create_deployment),)
