"""The generated operation layer: all operations, sync/async parity, descriptors that resolve."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from camunda_core.api import errors as api_errors
from camunda_core.api import operations
from camunda_core.api.async_api import AsyncApi
from camunda_core.api.sync_api import SyncApi
from camunda_core.errors import ApiError, BadRequest, NotFound, ServerError, ServiceUnavailable
from camunda_core.runtime.operation import Operation

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_89 = (REPO_ROOT / "../shared/spec/camunda-8.9").resolve()


def _descriptors() -> dict[str, Operation[object]]:
    return {name: getattr(operations, name) for name in operations.__all__}


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if callable(member) and not name.startswith("_")
    }


def test_there_are_183_operations() -> None:
    assert len(_descriptors()) == 183


@pytest.mark.skipif(not SPEC_89.is_dir(), reason="the 8.9 spec is not on this machine")
def test_every_spec_operation_has_a_descriptor() -> None:
    spec = json.loads((SPEC_89 / "rest-api.bundle.json").read_text(encoding="utf-8"))
    ids = {
        op["operationId"]
        for item in spec["paths"].values()
        for m, op in item.items()
        if m != "parameters"
    }
    assert {d.operation_id for d in _descriptors().values()} == ids


def test_sync_and_async_have_the_same_methods_and_parameters() -> None:
    sync, asynchronous = _public_methods(SyncApi), _public_methods(AsyncApi)
    assert sync.keys() == asynchronous.keys()
    for name in _descriptors():
        assert name in sync, name
    for name, signature in sync.items():
        assert list(signature.parameters) == list(asynchronous[name].parameters), name
        assert signature.return_annotation == asynchronous[
            name
        ].return_annotation or name.startswith("iter_")
        is_async = inspect.iscoroutinefunction(getattr(AsyncApi, name))
        assert is_async != name.startswith("iter_"), name
        for param in list(signature.parameters.values())[1:]:
            assert param.kind is inspect.Parameter.KEYWORD_ONLY, (name, param.name)
    assert inspect.getdoc(SyncApi.create_process_instance) == inspect.getdoc(
        AsyncApi.create_process_instance
    )


def test_signatures_follow_the_conventions() -> None:
    params = inspect.signature(SyncApi.create_process_instance).parameters
    assert list(params) == ["self", "data", "retry", "timeout"]
    assert params["data"].default is inspect.Parameter.empty
    search = inspect.signature(SyncApi.search_process_instances).parameters
    assert list(search) == ["self", "data", "retry", "timeout", "wait"]
    iterate = inspect.signature(SyncApi.iter_search_process_instances).parameters
    assert list(iterate) == ["self", "data", "page_size", "retry", "timeout"]
    assert iterate["page_size"].default == 100
    deploy = inspect.signature(SyncApi.create_deployment).parameters
    assert list(deploy) == ["self", "resources", "tenant_id", "retry", "timeout"]
    cancel = inspect.signature(SyncApi.cancel_process_instance).parameters
    assert list(cancel)[:3] == ["self", "process_instance_key", "data"]


def test_descriptor_flags() -> None:
    ops = _descriptors()
    assert ops["activate_jobs"].long_poll
    assert {n for n, o in ops.items() if o.backpressure_exempt} == {
        "complete_job",
        "fail_job",
        "throw_job_error",
    }
    assert (
        ops["search_process_instances"].idempotent
        and ops["search_process_instances"].eventually_consistent
    )
    assert not ops["create_process_instance"].idempotent
    assert ops["create_process_instance"].tenant_field == "tenantId"
    # Derived from the body's shape (a top-level tenantIds list), not named by hand.
    assert {n: o.tenant_list_field for n, o in ops.items() if o.tenant_list_field} == {
        "activate_jobs": "tenantIds"
    }
    assert ops["get_topology"].response_kind == "model" and ops["get_topology"].method == "GET"
    assert ops["get_process_definition_xml"].response_kind == "text"
    assert ops["get_document"].response_kind == "bytes"
    assert ops["create_deployment"].body_kind == "multipart"
    assert ops["cancel_process_instance"].response_kind == "none"
    assert [p.wire_name for p in ops["get_process_instance"].path_params] == ["processInstanceKey"]
    paged = {n for n, o in ops.items() if o.search_item_field == "items"}
    assert len(paged) >= 40 and all(ops[n].idempotent for n in paged)


def test_every_reference_resolves() -> None:
    for name, op in _descriptors().items():
        if op.response_kind == "model":
            assert op.response_type is not None, name
        if op.body_ref is not None:
            assert op.body_type is not None, name
        for status in op.error_refs:
            cls = op.error_class(status)
            assert cls is not None and issubclass(cls, ApiError), (name, status)
            assert cls.__name__ in api_errors.__all__


def test_typed_errors_are_both_operation_and_status_errors() -> None:
    cls = api_errors.CreateProcessInstanceBadRequest
    assert issubclass(cls, api_errors.CreateProcessInstanceError) and issubclass(cls, BadRequest)
    assert issubclass(api_errors.GetProcessInstanceNotFound, NotFound)
    assert issubclass(api_errors.CreateProcessInstanceServiceUnavailable, ServiceUnavailable)
    assert issubclass(api_errors.CreateProcessInstanceServiceUnavailable, ServerError)
    error = cls(status=400, operation_id="createProcessInstance", title="INVALID_ARGUMENT")
    assert error.status_code == 400 and "createProcessInstance" in str(error)


def test_docstrings_name_waitfor_as_it_is_exported() -> None:
    # The flag sentence once went through str.capitalize(), which wrote ``waitfor(...)``.
    from camunda_core.api import async_api, sync_api

    for module in (sync_api, async_api):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        assert "waitfor(" not in source
        assert "wait=WaitFor(...)" in source
