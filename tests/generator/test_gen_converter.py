"""The wire converter on real generated models."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import textwrap
from typing import Any

import attrs
import pytest

import camunda_core.models as core_models
from camunda_core.models.advanced_string_filter import AdvancedStringFilter
from camunda_core.models.job_result import JobResult
from camunda_core.models.job_result_ad_hoc_sub_process import JobResultAdHocSubProcess
from camunda_core.models.job_result_user_task import JobResultUserTask
from camunda_core.models.limit_pagination import LimitPagination
from camunda_core.models.offset_pagination import OffsetPagination
from camunda_core.models.process_creation_by_id import ProcessCreationById
from camunda_core.models.process_creation_by_key import ProcessCreationByKey
from camunda_core.models.process_instance_creation_instruction import (
    ProcessInstanceCreationInstruction,
)
from camunda_core.models.process_instance_creation_instruction_by_id import (
    ProcessInstanceCreationInstructionById,
)
from camunda_core.models.process_instance_creation_instruction_by_key import (
    ProcessInstanceCreationInstructionByKey,
)
from camunda_core.models.process_instance_result import ProcessInstanceResult
from camunda_core.models.process_instance_search_query_result import (
    ProcessInstanceSearchQueryResult,
)
from camunda_core.models.process_instance_state_enum import ProcessInstanceStateEnum
from camunda_core.models.search_query_page_request import SearchQueryPageRequest
from camunda_core.models.string_filter_property import StringFilterProperty
from camunda_core.semantic_types import ProcessDefinitionKey
from camunda_core.serialization.converter import (
    ConversionError,
    format_datetime,
    get_converter,
    parse_datetime,
    structure,
    unstructure,
)
from camunda_core.serialization.enums import OpenStrEnum, is_known_member
from camunda_core.types import UNSET

ITEM: dict[str, Any] = {
    "processDefinitionId": "order",
    "processDefinitionName": "Order",
    "processDefinitionVersion": 3,
    "processDefinitionVersionTag": None,
    "startDate": "2025-01-02T03:04:05.123Z",
    "endDate": None,
    "state": "ACTIVE",
    "hasIncident": False,
    "tenantId": "<default>",
    "processInstanceKey": "2251799813685249",
    "processDefinitionKey": "2251799813685100",
    "parentProcessInstanceKey": None,
    "parentElementInstanceKey": None,
    "rootProcessInstanceKey": "2251799813685249",
    "tags": ["a"],
    "businessId": None,
}
PAGE = {"totalItems": 1, "hasMoreTotalItems": False, "startCursor": None, "endCursor": "YQ=="}


def test_search_result_round_trips() -> None:
    data = {"items": [ITEM], "page": PAGE}
    result = structure(data, ProcessInstanceSearchQueryResult)
    assert isinstance(result, ProcessInstanceSearchQueryResult)
    item = result.items[0]
    assert item.state is ProcessInstanceStateEnum.ACTIVE
    assert item.start_date == datetime.datetime(
        2025, 1, 2, 3, 4, 5, 123000, tzinfo=datetime.timezone.utc
    )
    assert item.end_date is None and item.process_definition_key == "2251799813685100"
    assert unstructure(result) == data


def test_unset_is_omitted_and_none_is_kept() -> None:
    body = ProcessCreationByKey(
        process_definition_key=ProcessDefinitionKey("1"), variables={"x": None}
    )
    assert unstructure(body) == {"processDefinitionKey": "1", "variables": {"x": None}}
    assert body.tenant_id is UNSET
    item = structure(ITEM, ProcessInstanceResult)
    assert unstructure(item)["parentProcessInstanceKey"] is None


def test_extra_fields_unknown_enums_and_missing_optionals_are_tolerated() -> None:
    data = {**ITEM, "state": "HIBERNATING", "fieldFromTheFuture": {"x": 1}}
    del data["businessId"]
    item = structure(data, ProcessInstanceResult)
    assert item.state == "HIBERNATING"
    assert isinstance(item.state, ProcessInstanceStateEnum) and not is_known_member(item.state)
    assert item.state is ProcessInstanceStateEnum("HIBERNATING")
    assert item.business_id is None  # required but nullable, and left out: reads as null
    by_key = structure({"processDefinitionKey": "1"}, ProcessInstanceCreationInstructionByKey)
    assert by_key.tenant_id is UNSET and by_key.variables is UNSET
    assert unstructure(item)["state"] == "HIBERNATING"


def test_open_enum_members_behave_like_strings() -> None:
    assert ProcessInstanceStateEnum.ACTIVE == "ACTIVE"
    assert str(ProcessInstanceStateEnum.ACTIVE) == "ACTIVE"
    assert is_known_member(ProcessInstanceStateEnum.ACTIVE)
    assert issubclass(ProcessInstanceStateEnum, OpenStrEnum)
    assert json.dumps(unstructure({"s": ProcessInstanceStateEnum.ACTIVE})) == '{"s": "ACTIVE"}'


def test_structural_union_picks_each_branch() -> None:
    by_key = structure(
        {"processDefinitionKey": "1", "variables": {"a": 1}}, ProcessInstanceCreationInstruction
    )
    by_id = structure(
        {"processDefinitionId": "order", "tenantId": "t"}, ProcessInstanceCreationInstruction
    )
    assert type(by_key) is ProcessInstanceCreationInstructionByKey
    assert type(by_id) is ProcessInstanceCreationInstructionById
    assert unstructure(by_id) == {"processDefinitionId": "order", "tenantId": "t"}
    with pytest.raises(ConversionError, match="fit none"):
        structure({"neither": 1}, ProcessInstanceCreationInstruction)


def test_structural_union_prefers_the_tightest_fit() -> None:
    assert type(structure({"limit": 5}, SearchQueryPageRequest)) is LimitPagination
    assert type(structure({"from": 0, "limit": 5}, SearchQueryPageRequest)) is OffsetPagination


def test_union_with_a_primitive_branch() -> None:
    assert structure("exact", StringFilterProperty) == "exact"
    advanced = structure({"$like": "ord*", "$in": ["a"]}, StringFilterProperty)
    assert isinstance(advanced, AdvancedStringFilter)
    assert advanced.like == "ord*" and advanced.in_ == ["a"]
    assert unstructure(advanced) == {"$like": "ord*", "$in": ["a"]}


def test_discriminated_union_uses_the_mapping() -> None:
    user_task = structure({"type": "userTask", "denied": True}, JobResult)
    ad_hoc = structure({"type": "adHocSubProcess", "activateElements": []}, JobResult)
    assert type(user_task) is JobResultUserTask and user_task.denied is True
    assert type(ad_hoc) is JobResultAdHocSubProcess


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2025-01-02T03:04:05Z",
            datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        ),
        (
            "2025-01-02T03:04:05.1Z",
            datetime.datetime(2025, 1, 2, 3, 4, 5, 100000, tzinfo=datetime.timezone.utc),
        ),
        (
            "2025-01-02T03:04:05.123456789Z",
            datetime.datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc),
        ),
        (
            "2025-01-02T03:04:05.12+02:00",
            datetime.datetime(
                2025, 1, 2, 3, 4, 5, 120000, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
        ),
        (
            "2025-01-02T03:04:05-0130",
            datetime.datetime(
                2025,
                1,
                2,
                3,
                4,
                5,
                tzinfo=datetime.timezone(-datetime.timedelta(hours=1, minutes=30)),
            ),
        ),
        ("2025-01-02T03:04:05", datetime.datetime(2025, 1, 2, 3, 4, 5)),
    ],
)
def test_datetimes_parse(text: str, expected: datetime.datetime) -> None:
    assert parse_datetime(text) == expected
    assert parse_datetime(text).utcoffset() == expected.utcoffset()


def test_datetime_slow_path_is_used_for_python_3_10_shapes() -> None:
    from camunda_core.serialization import converter

    # The fallback parser handles what 3.10's fromisoformat rejects (Z, odd fractions).
    assert converter._parse_datetime_slow("2025-01-02T03:04:05.1234Z") == datetime.datetime(
        2025, 1, 2, 3, 4, 5, 123400, tzinfo=datetime.timezone.utc
    )
    with pytest.raises(ConversionError, match="not an ISO 8601"):
        parse_datetime("yesterday")


def test_datetimes_format_with_z_for_utc() -> None:
    utc = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert format_datetime(utc) == "2025-01-02T03:04:05Z"
    assert format_datetime(utc.replace(microsecond=120000)) == "2025-01-02T03:04:05.120Z"
    assert format_datetime(utc.replace(microsecond=5)) == "2025-01-02T03:04:05.000005Z"
    offset = datetime.datetime(
        2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )
    assert format_datetime(offset) == "2025-01-02T03:04:05+01:00"


def test_errors_name_model_and_field_but_not_the_value() -> None:
    bad = {**ITEM, "startDate": "secret-value-not-a-date"}
    with pytest.raises(ConversionError) as info:
        structure({"items": [bad], "page": PAGE}, ProcessInstanceSearchQueryResult)
    message = str(info.value)
    assert (
        "ProcessInstanceSearchQueryResult.items" in message
        and "ProcessInstanceResult.start_date" in message
    )
    missing = dict(ITEM)
    del missing["processDefinitionId"]
    with pytest.raises(ConversionError, match="required field 'processDefinitionId'") as info2:
        structure(missing, ProcessInstanceResult)
    assert (
        info2.value.model == "ProcessInstanceResult"
        and info2.value.field == "process_definition_id"
    )
    with pytest.raises(ConversionError, match="expected a JSON object"):
        structure([1], ProcessInstanceResult)


def test_cattrs_converter_gives_the_same_results() -> None:
    converter = get_converter()
    item = converter.structure(ITEM, ProcessInstanceResult)
    assert item == structure(ITEM, ProcessInstanceResult)
    assert converter.unstructure(item) == unstructure(item)


def test_title_aliases_and_sdk_reexports_are_the_same_objects() -> None:
    import camunda_orchestration_sdk.models as sdk_models
    from camunda_orchestration_sdk.models.process_creation_by_key import (
        ProcessCreationByKey as SdkByKey,
    )
    from camunda_orchestration_sdk.semantic_types import ProcessDefinitionKey as SdkKey

    assert ProcessCreationByKey is ProcessInstanceCreationInstructionByKey
    assert ProcessCreationById is ProcessInstanceCreationInstructionById
    assert SdkByKey is ProcessInstanceCreationInstructionByKey
    assert sdk_models.ProcessInstanceResult is core_models.ProcessInstanceResult
    assert SdkKey is ProcessDefinitionKey
    assert set(sdk_models.__all__) == set(core_models.__all__)
    with pytest.raises(AttributeError):
        _ = core_models.NoSuchModel  # type: ignore[attr-defined]


def test_every_model_builds_hooks_and_round_trips_an_empty_object() -> None:
    count = 0
    for name in core_models.__all__:
        obj = getattr(core_models, name)
        if not (isinstance(obj, type) and attrs.has(obj)):
            continue
        count += 1
        if all(f.default is not attrs.NOTHING for f in attrs.fields(obj)):
            assert unstructure(structure({}, obj)) == {}
        else:
            get_converter().get_structure_hook(obj)
    assert count > 350


def test_importing_the_converter_and_one_model_is_lazy() -> None:
    script = textwrap.dedent(
        """
        import sys
        import camunda_core.serialization.converter
        import camunda_core.models.process_instance_result
        loaded = [m for m in sys.modules if m.startswith("camunda_core.models.")]
        assert len(loaded) < 10, loaded
        import camunda_core.api.sync_api, camunda_core.api.async_api, camunda_core.api.operations
        loaded = [m for m in sys.modules if m.startswith("camunda_core.models.")]
        assert len(loaded) < 10, loaded
        print("ok")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr


def test_discriminated_branches_default_their_discriminator() -> None:
    from camunda_core.models.job_result_user_task import JobResultUserTask
    from camunda_core.models.source_element_id_instruction import SourceElementIdInstruction
    from camunda_core.semantic_types import ElementId
    from camunda_core.serialization.converter import unstructure

    assert unstructure(JobResultUserTask()) == {"type": "userTask"}
    instruction = SourceElementIdInstruction(source_element_id=ElementId("task"))
    assert unstructure(instruction)["sourceType"] == "byId"
