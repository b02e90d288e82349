"""One implementation of each wire rule: a value is written the same way wherever it is sent.

A datetime, an enum, a model or UNSET must come out identical in a model body (the converter),
inside a plain-dict body, and (for scalars) as a query or path value; a naive datetime is
refused everywhere, naming the operation and where the value is.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import subprocess
import sys
from typing import Any

import core_ops as ops
import pytest

from camunda_core.api import operations
from camunda_core.api.errors import SearchProcessInstancesBadRequest
from camunda_core.errors import ValidationError
from camunda_core.models.process_instance_filter import ProcessInstanceFilter
from camunda_core.models.process_instance_search_query import ProcessInstanceSearchQuery
from camunda_core.models.process_instance_state_enum import ProcessInstanceStateEnum
from camunda_core.runtime import request_builder
from camunda_core.runtime.operation import Operation, Param
from camunda_core.runtime.request_builder import build_request
from camunda_core.serialization import converter, wire
from camunda_core.serialization.converter import ConversionError, unstructure
from camunda_core.types import UNSET

UTC = dt.timezone.utc
#: Whole seconds, whole milliseconds, microseconds, and a non-UTC offset.
MOMENTS = [
    dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    dt.datetime(2025, 1, 2, 3, 4, 5, 123000, tzinfo=UTC),
    dt.datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
    dt.datetime(2025, 1, 2, 3, 4, 5, 120000, tzinfo=dt.timezone(dt.timedelta(hours=2))),
]
NAIVE = dt.datetime(2025, 1, 2, 3, 4, 5)


class Colour(enum.Enum):
    """A plain (not ``str``) enum: ``json`` cannot write it, so it reaches the default hook."""

    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


QUERY_OP: Operation[Any] = Operation(
    "listThings",
    "GET",
    "/things",
    query_params=(
        Param("since", "since", required=False, format="date-time"),
        Param("state", "state", required=False),
        Param("colour", "colour", required=False),
        Param("level", "level", required=False),
    ),
    response_kind="json",
)
PATH_OP: Operation[Any] = Operation(
    "getByState", "GET", "/things/{state}", path_params=(Param("state", "state"),), response_kind="json"
)


def _body(prepared: request_builder.PreparedRequest) -> Any:
    assert prepared.content is not None
    return json.loads(prepared.content)


def _query(**values: object) -> dict[str, str]:
    return dict(build_request(QUERY_OP, query=values).params)


# ------------------------------------------------------------------ datetimes


@pytest.mark.parametrize("when", MOMENTS, ids=["seconds", "millis", "micros", "offset"])
def test_a_datetime_is_written_the_same_in_a_model_a_dict_body_and_a_query(when: dt.datetime) -> None:
    expected = converter.format_datetime(when)
    model = ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(start_date=when))
    from_model = _body(build_request(operations.search_process_instances, body=model))
    from_dict = _body(build_request(operations.search_process_instances, body={"filter": {"startDate": when}}))
    assert from_model == from_dict == unstructure(model) == {"filter": {"startDate": expected}}
    assert _query(since=when) == {"since": expected}
    assert wire.scalar_text(when) == expected


def test_whole_milliseconds_stay_milliseconds_everywhere() -> None:
    when = dt.datetime(2025, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    assert build_request(ops.create_thing, body={"at": when}).content == b'{"at":"2025-01-02T03:04:05.123Z"}'
    assert _query(since=when) == {"since": "2025-01-02T03:04:05.123Z"}
    stats = build_request(operations.get_global_job_statistics, query={"from": when, "to": when})
    assert stats.params == (("from", "2025-01-02T03:04:05.123Z"), ("to", "2025-01-02T03:04:05.123Z"))


# ---------------------------------------------------------------- models, enums


def test_a_model_inside_a_dict_body_is_written_as_the_converter_writes_it() -> None:
    inner = ProcessInstanceFilter(
        start_date=MOMENTS[1], state=ProcessInstanceStateEnum.ACTIVE, process_definition_id="order"
    )
    prepared = build_request(operations.search_process_instances, body={"filter": inner})
    whole = build_request(operations.search_process_instances, body=ProcessInstanceSearchQuery(filter=inner))
    assert _body(prepared) == {"filter": unstructure(inner)} == _body(whole)
    assert _body(prepared)["filter"] == {
        "startDate": "2025-01-02T03:04:05.123Z",
        "state": "ACTIVE",
        "processDefinitionId": "order",
    }


@pytest.mark.parametrize("member", [ProcessInstanceStateEnum.ACTIVE, Colour.RED, Level.HIGH], ids=str)
def test_an_enum_is_written_by_value_in_a_dict_body_a_query_and_a_path(member: enum.Enum) -> None:
    expected = unstructure(member)
    assert expected == member.value
    assert _body(build_request(ops.create_thing, body={"v": member, "in": [member]})) == {
        "v": expected,
        "in": [expected],
    }
    assert _query(state=member) == {"state": str(expected)}
    assert build_request(PATH_OP, path={"state": member}).path == f"/things/{expected}"


def test_a_query_enum_and_datetime_match_the_model_field() -> None:
    model = ProcessInstanceFilter(start_date=MOMENTS[2], state=ProcessInstanceStateEnum.COMPLETED)
    written = unstructure(model)
    assert _query(since=MOMENTS[2], state=ProcessInstanceStateEnum.COMPLETED) == {
        "since": written["startDate"],
        "state": written["state"],
    }


def test_unset_is_left_out_of_dicts_as_it_is_left_out_of_models() -> None:
    prepared = build_request(ops.create_thing, body={"a": 1, "gone": UNSET, "inner": {"x": UNSET, "y": Colour.RED}})
    assert prepared.content == b'{"a":1,"inner":{"y":"red"}}'
    assert unstructure({"gone": UNSET, "kept": None}) == {"kept": None}
    assert unstructure(ProcessInstanceFilter()) == {}


def test_unset_where_it_cannot_be_left_out_is_refused_naming_the_position() -> None:
    with pytest.raises(ValidationError, match=r"createThing: data\['items'\]\[1\]: UNSET cannot be sent"):
        build_request(ops.create_thing, body={"items": [1, UNSET]})


# ------------------------------------------------------------ naive datetimes


def test_a_naive_datetime_in_a_dict_body_is_refused_naming_operation_and_field() -> None:
    with pytest.raises(ValidationError) as info:
        build_request(ops.create_thing, body={"filter": {"startDate": NAIVE}})
    assert str(info.value) == (
        "createThing: data['filter']['startDate']: expected a timezone-aware datetime, got a naive one"
    )


def test_a_naive_datetime_is_located_through_lists_and_models_inside_a_dict() -> None:
    body = {"filters": [ProcessInstanceFilter(), ProcessInstanceFilter(end_date=NAIVE)]}
    with pytest.raises(ValidationError, match=r"createThing: data\['filters'\]\[1\]\.end_date: expected a timezone-aware"):
        build_request(ops.create_thing, body=body)


def test_a_naive_datetime_in_a_dict_body_is_the_operations_400_like_an_invalid_model() -> None:
    body = {"filter": {"startDate": NAIVE}}
    with pytest.raises(SearchProcessInstancesBadRequest) as info:
        build_request(operations.search_process_instances, body=body)
    assert isinstance(info.value, ValidationError)
    assert "searchProcessInstances" in str(info.value) and "data['filter']['startDate']" in str(info.value)
    model = ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(start_date=NAIVE))
    with pytest.raises(SearchProcessInstancesBadRequest, match="expected a timezone-aware datetime, got a naive one"):
        build_request(operations.search_process_instances, body=model)


def test_a_naive_datetime_in_a_query_or_path_is_refused_naming_operation_and_parameter() -> None:
    with pytest.raises(ValidationError) as info:
        build_request(QUERY_OP, query={"since": NAIVE})
    assert str(info.value) == (
        "listThings: query parameter 'since': expected a timezone-aware datetime, got a naive one"
    )
    with pytest.raises(ValidationError, match=r"getGlobalJobStatistics: query parameter 'to': expected a timezone-aware"):
        build_request(operations.get_global_job_statistics, query={"from": MOMENTS[0], "to": NAIVE})
    with pytest.raises(ValidationError, match=r"getByState: path parameter 'state': expected a timezone-aware"):
        build_request(PATH_OP, path={"state": NAIVE})


def test_a_tzinfo_that_gives_no_offset_counts_as_naive() -> None:
    class NoOffset(dt.tzinfo):
        def utcoffset(self, d: dt.datetime | None) -> None:
            return None

    with pytest.raises(ValidationError, match="query parameter 'since'"):
        build_request(QUERY_OP, query={"since": NAIVE.replace(tzinfo=NoOffset())})


def test_the_converter_refuses_a_naive_datetime_too() -> None:
    with pytest.raises(ConversionError, match="timezone-aware") as info:
        unstructure({"at": [NAIVE]})
    assert isinstance(info.value, ValidationError)
    assert isinstance(info.value, wire.WireValueError) and info.value.path == "['at'][0]"
    with pytest.raises(ConversionError, match="timezone-aware"):
        converter.get_converter().unstructure(NAIVE)


# ------------------------------------------------------------- one place, fast


def test_there_is_one_implementation_of_each_rule() -> None:
    assert converter.format_datetime is wire.format_datetime
    assert converter.ConversionError is wire.ConversionError
    assert request_builder.encode_json is wire.encode_json
    assert not hasattr(request_builder, "_json_default")


def test_other_scalars_in_a_query_are_refused_naming_the_parameter() -> None:
    with pytest.raises(ValidationError, match=r"listThings: query parameter 'since': expected a string, got float"):
        build_request(QUERY_OP, query={"since": 1.5})
    assert _query(since=True, level=7) == {"since": "true", "level": "7"}


def test_plain_json_bodies_and_query_values_do_not_load_the_converter() -> None:
    # Plain JSON is encoded by json alone; only models (or UNSET to drop) need the converter.
    code = """
import datetime as dt, sys
from camunda_core.runtime.operation import Operation, Param
from camunda_core.runtime.request_builder import build_request
op = Operation("x", "POST", "/x", body_kind="json", query_params=(Param("since", "since"),))
when = dt.datetime(2025, 1, 2, tzinfo=dt.timezone.utc)
build_request(op, body={"a": [1, "b", None, {"c": when}]}, query={"since": when})
assert "camunda_core.serialization.converter" not in sys.modules
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def test_to_wire_for_paging_names_the_body_when_a_value_cannot_be_sent() -> None:
    # runtime/paging.py builds the first page of iter_<search> with to_wire.
    assert request_builder.to_wire({"page": {"limit": 5}, "gone": UNSET}) == {"page": {"limit": 5}}
    assert request_builder.to_wire(UNSET) is UNSET
    with pytest.raises(ValidationError, match=r"^data\['filter'\]\['startDate'\]: expected a timezone-aware"):
        request_builder.to_wire({"filter": {"startDate": NAIVE}})


def test_a_naive_datetime_in_a_pager_body_is_rejected_naming_the_operation() -> None:
    import datetime

    from camunda_core.client import CamundaClient
    from camunda_core.errors import ValidationError

    # Port 9: nothing listens; the error must come before anything is sent.
    with (
        CamundaClient({"CAMUNDA_REST_ADDRESS": "http://127.0.0.1:9"}, load_entry_points=False, environ={}) as client,
        pytest.raises(ValidationError) as caught,
    ):
        client.iter_search_process_instances(data={"filter": {"startDate": datetime.datetime(2026, 1, 1)}})
    assert str(caught.value) == (
        "searchProcessInstances: data['filter']['startDate']: expected a timezone-aware datetime, got a naive one"
    )


# ------------------------------------------------------------------ reading responses

#: Bodies orjson refuses that the stdlib json reads; they must read exactly as before.
STDLIB_ONLY = [b"NaN", b"[Infinity, -Infinity]", b"1E400", b'"\\ud800"', b"\xef\xbb\xbf{}", '{"a": "é"}'.encode("utf-16")]


def test_bodies_are_decoded_by_orjson_on_cpython() -> None:
    orjson = pytest.importorskip("orjson")
    assert wire.decode_json(b'{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}
    assert wire._fast_loads is orjson.loads


@pytest.mark.parametrize("body", STDLIB_ONLY)
def test_what_orjson_refuses_reads_as_the_stdlib_reads_it(body: bytes) -> None:
    assert repr(wire.decode_json(body)) == repr(json.loads(body))


@pytest.mark.parametrize("body", [b"", b"{", b'{"a":1}x', b"[1,]", b'"\x01"', b"\xff"])
def test_a_malformed_body_fails_with_the_stdlibs_own_error(body: bytes) -> None:
    with pytest.raises(ValueError) as ours:
        wire.decode_json(body)
    with pytest.raises(ValueError) as stdlib:
        json.loads(body)
    assert type(ours.value) is type(stdlib.value) and str(ours.value) == str(stdlib.value)


def test_integers_are_exact_across_the_64_bit_range() -> None:
    # The server's integers are int64 (fields) or MessagePack (variables): within this range.
    edges = [-(2**63), 2**63 - 1, 2**64 - 1, 9007199254740993, 0, -1]
    body = json.dumps({"values": edges}).encode()
    decoded = wire.decode_json(body)["values"]
    assert decoded == edges and all(type(v) is int for v in decoded)


def test_a_non_json_success_body_is_a_parse_error_naming_operation_and_position() -> None:
    from camunda_core.errors import ResponseParseError
    from camunda_core.runtime.response_handler import parse_success

    with pytest.raises(ResponseParseError, match=r"searchProcessInstances: HTTP 200 body is not valid JSON \(JSONDecodeError at position 9"):
        parse_success(operations.search_process_instances, 200, b'{"items":', {"content-type": "application/json"})


def test_a_datetime_fromisoformat_refuses_is_read_by_the_full_parser_inside_a_model() -> None:
    from camunda_core.models.process_instance_result import ProcessInstanceResult

    item = {
        "processDefinitionId": "p", "processDefinitionName": None, "processDefinitionVersion": 1,
        "processDefinitionVersionTag": None, "startDate": " 2025-01-02T03:04:05z", "endDate": None,
        "state": "ACTIVE", "hasIncident": False, "tenantId": "<default>", "processInstanceKey": "1",
        "processDefinitionKey": "2", "parentProcessInstanceKey": None, "parentElementInstanceKey": None,
        "rootProcessInstanceKey": None, "tags": [], "businessId": None,
    }  # fmt: skip
    parsed = converter.structure(item, ProcessInstanceResult)
    assert parsed.start_date == dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parsed.state is ProcessInstanceStateEnum.ACTIVE
    newer = converter.structure({**item, "state": "SUSPENDED"}, ProcessInstanceResult)
    assert newer.state == "SUSPENDED" and isinstance(newer.state, ProcessInstanceStateEnum)
    with pytest.raises(ConversionError, match=r"ProcessInstanceResult\.start_date"):
        converter.structure({**item, "startDate": "later"}, ProcessInstanceResult)
