from __future__ import annotations

import datetime as dt
from pathlib import Path

import core_ops as ops
import pytest

from camunda_core.errors import ValidationError
from camunda_core.runtime.multipart import File
from camunda_core.runtime.request_builder import build_request


def test_path_parameters_are_quoted_and_required() -> None:
    prepared = build_request(ops.get_thing, path={"thingKey": "a/b c"})
    assert prepared.path == "/things/a%2Fb%20c"
    with pytest.raises(ValidationError, match=r"getThing: path parameter 'thing_key' is required"):
        build_request(ops.get_thing, path={})
    with pytest.raises(ValidationError, match="thing_key"):
        build_request(ops.get_thing, path={"thingKey": ""})


def test_query_parameters_are_serialised() -> None:
    prepared = build_request(ops.search_things, query={"truncateValues": False}, body={})
    assert prepared.params == (("truncateValues", "false"),)
    assert build_request(ops.search_things, body={}).params == ()


def test_naive_datetime_in_query_is_rejected() -> None:
    from camunda_core.runtime.operation import Operation, Param

    op: Operation[object] = Operation("stats", "GET", "/stats", query_params=(Param("from_", "from", format="date-time"),))
    with pytest.raises(ValidationError, match="timezone-aware"):
        build_request(op, query={"from": dt.datetime(2024, 1, 1)})
    prepared = build_request(op, query={"from": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)})
    assert prepared.params == (("from", "2024-01-01T00:00:00Z"),)


def test_json_body_required_and_tenant_defaulted() -> None:
    with pytest.raises(ValidationError, match="createThing: a request body"):
        build_request(ops.create_thing)
    prepared = build_request(ops.create_thing, body={"name": "x"}, default_tenant_id="tenant-a")
    assert prepared.content == b'{"name":"x","tenantId":"tenant-a"}'
    explicit = build_request(ops.create_thing, body={"tenantId": "mine"}, default_tenant_id="tenant-a")
    assert explicit.content == b'{"tenantId":"mine"}'


def test_non_serialisable_body_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="createThing"):
        build_request(ops.create_thing, body={"x": object()})


def test_body_on_bodiless_operation_is_rejected() -> None:
    with pytest.raises(ValidationError, match="takes no request body"):
        build_request(ops.get_thing, path={"thingKey": "1"}, body={"a": 1})


def test_multipart_files_and_tenant(tmp_path: Path) -> None:
    bpmn = tmp_path / "order.bpmn"
    bpmn.write_text("<definitions/>")
    prepared = build_request(
        ops.upload,
        multipart={"resources": [bpmn, File(content=b"{}", filename="f.form", content_type="application/json")]},
        default_tenant_id="t1",
    )
    names = [(name, part[0], part[2]) for name, part in prepared.files]
    assert names == [
        ("resources", "order.bpmn", "application/xml"),
        ("resources", "f.form", "application/json"),
        ("tenantId", None, "text/plain; charset=utf-8"),
    ]


def test_multipart_missing_file_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="upload: cannot read file for 'resources'"):
        build_request(ops.upload, multipart={"resources": [tmp_path / "missing.bpmn"]})


def test_non_json_operations_send_their_own_accept_header() -> None:
    from camunda_core.runtime.operation import Operation

    xml: Operation[str] = Operation("getXml", "GET", "/xml", response_kind="text", accept="text/xml, application/problem+json")
    assert build_request(xml).headers == {"Accept": "text/xml, application/problem+json"}
    assert "Accept" not in build_request(ops.get_thing, path={"thingKey": "1"}).headers


def test_models_and_datetimes_inside_a_plain_dict_body_are_converted() -> None:
    from camunda_core.models.process_instance_creation_instruction_by_id import (
        ProcessInstanceCreationInstructionById,
    )
    from camunda_core.types import UNSET

    when = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    model = ProcessInstanceCreationInstructionById(process_definition_id="p")  # type: ignore[arg-type]
    prepared = build_request(ops.create_thing, body={"at": when, "inner": model, "gone": UNSET})
    assert prepared.content == b'{"at":"2025-01-02T03:04:05Z","inner":{"processDefinitionId":"p"}}'


def test_returning_json_keeps_everything_but_the_response_model() -> None:
    from camunda_core.api import operations

    op = operations.activate_jobs
    raw = op.returning_json()
    assert raw is op.returning_json()
    assert (raw.response_kind, raw.response_ref) == ("json", None)
    assert (raw.path, raw.long_poll, raw.error_refs) == (op.path, op.long_poll, op.error_refs)
    assert op.response_kind == "model"
