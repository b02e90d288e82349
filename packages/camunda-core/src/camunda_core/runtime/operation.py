"""Operation descriptors: the static shape of one REST operation.

The generator writes one :class:`Operation` per spec operation into
``camunda_core/api/operations.py``. The runtime reads everything it needs from
it: how to build the request, how to parse the response, which typed errors
to raise, whether a retry is safe. Generated client methods only pass the
descriptor and the caller's arguments to ``_invoke``.

Model and error classes are named by string and imported on first use, so
that importing the client does not import 550 model modules.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Mapping
from typing import Any, Generic, Literal, TypeVar

__all__ = ["Operation", "Param", "BodyKind", "ResponseKind", "resolve_ref"]

R = TypeVar("R")

#: How the request body is sent.
BodyKind = Literal["none", "json", "multipart"]
#: How the success body is read: a model (or union/list) via the converter,
#: ``none`` for 204, raw ``bytes``, decoded ``text``, or untyped ``json``.
ResponseKind = Literal["model", "none", "bytes", "text", "json"]


class Param:
    """A path or query parameter: its Python name, wire name and wire format."""

    __slots__ = ("format", "python_name", "required", "wire_name")

    def __init__(
        self, python_name: str, wire_name: str, *, required: bool = True, format: str | None = None
    ) -> None:
        self.python_name = python_name
        self.wire_name = wire_name
        self.required = required
        # "date-time" values are sent as ISO 8601; booleans as true/false.
        self.format = format

    def __repr__(self) -> str:
        return f"Param({self.python_name!r}, {self.wire_name!r})"


def resolve_ref(ref: str) -> Any:
    """Import ``"package.module:Name"`` and return the attribute."""
    module_name, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module_name), attr)


class Operation(Generic[R]):
    """One REST operation. Immutable after construction, apart from lazy caches."""

    __slots__ = (
        "_body_type",
        "_error_classes",
        "_json_variant",
        "_response_type",
        "accept",
        "backpressure_exempt",
        "body_kind",
        "body_ref",
        "body_required",
        "error_refs",
        "eventually_consistent",
        "file_fields",
        "idempotent",
        "long_poll",
        "method",
        "operation_id",
        "path",
        "path_params",
        "query_params",
        "response_kind",
        "response_ref",
        "search_item_field",
        "success_statuses",
        "tenant_field",
        "tenant_list_field",
    )

    def __init__(
        self,
        operation_id: str,
        method: str,
        path: str,
        *,
        path_params: tuple[Param, ...] = (),
        query_params: tuple[Param, ...] = (),
        body_kind: BodyKind = "none",
        body_required: bool = False,
        body_ref: str | None = None,
        response_kind: ResponseKind = "none",
        response_ref: str | None = None,
        success_statuses: tuple[int, ...] = (200,),
        error_refs: Mapping[int, str] | None = None,
        idempotent: bool | None = None,
        eventually_consistent: bool = False,
        tenant_field: str | None = None,
        tenant_list_field: str | None = None,
        long_poll: bool = False,
        backpressure_exempt: bool = False,
        search_item_field: str | None = None,
        file_fields: tuple[str, ...] = (),
        accept: str | None = None,
    ) -> None:
        self.operation_id = operation_id
        self.method = method.upper()
        self.path = path
        self.path_params = path_params
        self.query_params = query_params
        self.body_kind: BodyKind = body_kind
        self.body_required = body_required
        # "module:Name" of the request body type (a model or a union alias).
        self.body_ref = body_ref
        self.response_kind: ResponseKind = response_kind
        # "module:Name" of the success body type, for response_kind == "model".
        self.response_ref = response_ref
        self.success_statuses = success_statuses
        # status -> "module:Name" of the generated per-operation error class.
        self.error_refs: Mapping[int, str] = error_refs or {}
        # Safe to replay after the request may have reached the server.
        # Default: GET/HEAD/PUT/DELETE are; POST/PATCH are not. The generator
        # marks query-style POSTs (searches, statistics) idempotent.
        self.idempotent = (
            idempotent if idempotent is not None else self.method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        )
        self.eventually_consistent = eventually_consistent
        # Wire name of an optional top-level "tenantId" in the JSON body, filled
        # from CAMUNDA_TENANT_ID when the caller leaves it unset.
        self.tenant_field = tenant_field
        # Wire name of a top-level list of tenants in the JSON body (activateJobs' "tenantIds"),
        # filled from CAMUNDA_TENANT_IDS (else CAMUNDA_TENANT_ID) when the caller gives none.
        self.tenant_list_field = tenant_list_field
        # Long-polling operations get a read timeout longer than their poll.
        self.long_poll = long_poll
        # Never held back by the adaptive backpressure limiter (job complete/fail):
        # finishing work is what relieves a loaded server.
        self.backpressure_exempt = backpressure_exempt
        # For search operations: the wire name of the result's item list, for paging.
        self.search_item_field = search_item_field
        # For multipart operations: wire names of the binary (file) parts.
        self.file_fields = file_fields
        # The Accept header when the success body is not JSON (XML, text, binary);
        # None keeps the client's default, application/json.
        self.accept = accept
        self._response_type: Any = None
        self._body_type: Any = None
        self._error_classes: dict[int, type[Exception]] = {}
        self._json_variant: Operation[Any] | None = None

    def __repr__(self) -> str:
        return f"Operation({self.operation_id!r}, {self.method} {self.path})"

    @property
    def response_type(self) -> Any:
        if self._response_type is None and self.response_ref is not None:
            self._response_type = resolve_ref(self.response_ref)
        return self._response_type

    @property
    def body_type(self) -> Any:
        if self._body_type is None and self.body_ref is not None:
            self._body_type = resolve_ref(self.body_ref)
        return self._body_type

    def error_class(self, status: int) -> type[Exception] | None:
        """The generated error class for a documented status, else None."""
        cls = self._error_classes.get(status)
        if cls is None:
            ref = self.error_refs.get(status)
            if ref is None:
                return None
            cls = resolve_ref(ref)
            self._error_classes[status] = cls
        return cls

    def returning_json(self) -> Operation[Any]:
        """This operation, answering plain parsed JSON instead of a model.

        For hot paths that read a few fields of a large response (a job worker
        reading activated jobs) and would rather not build a model per item.
        Everything else, typed errors included, is the same.
        """
        variant = self._json_variant
        if variant is None:
            variant = copy.copy(self)
            variant.response_kind = "json"
            variant.response_ref = None
            variant._response_type = None
            variant._json_variant = variant
            self._json_variant = variant
        return variant
