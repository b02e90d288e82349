"""``/v2/documents``: upload (multipart ``file`` and optional JSON ``metadata``), get, delete."""

from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import parse_qsl

from .._http import HttpResponse, parse_multipart
from ..engine import Engine, Problem
from .arguments import invalid_argument
from .router import ApiRequest, Route

__all__ = ["ROUTES"]


def create_document(engine: Engine, request: ApiRequest) -> HttpResponse:
    try:
        parts = parse_multipart(request.http.header("content-type"), request.http.body)
    except ValueError as exc:
        raise Problem(415, "UNSUPPORTED_MEDIA_TYPE", f"Expected a multipart upload: {exc}") from exc
    files = [p for p in parts if p.name == "file"]
    if len(files) != 1:
        raise invalid_argument("Expected exactly one 'file' part.")
    metadata: dict[str, Any] = {}
    for part in parts:
        if part.name == "metadata":
            try:
                loaded = json.loads(part.data)
            except ValueError as exc:
                raise invalid_argument("The 'metadata' part is not valid JSON.") from exc
            if not isinstance(loaded, dict):
                raise invalid_argument("The 'metadata' part must be a JSON object.")
            metadata = cast("dict[str, Any]", loaded)
    upload = files[0]
    metadata.setdefault("fileName", upload.filename)
    if upload.content_type:
        metadata.setdefault("contentType", upload.content_type)
    query = dict(parse_qsl(request.http.query))
    reference = engine.store_document(
        upload.data, metadata, query.get("documentId"), query.get("storeId", "in-memory")
    )
    return HttpResponse.json(201, reference)


def get_document(engine: Engine, request: ApiRequest) -> HttpResponse:
    stored = engine.get_document(request.params[0])
    return HttpResponse(200, stored.content, str(stored.metadata["contentType"]))


def delete_document(engine: Engine, request: ApiRequest) -> HttpResponse:
    engine.delete_document(request.params[0])
    return HttpResponse.empty(204)


ROUTES = (
    Route("POST", "/v2/documents", "createDocument", create_document),
    Route("GET", "/v2/documents/{documentId}", "getDocument", get_document),
    Route("DELETE", "/v2/documents/{documentId}", "deleteDocument", delete_document),
)
