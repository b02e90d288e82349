"""Request bodies are checked against their models' types and the spec's constraints before sending."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from camunda_core.api import operations
from camunda_core.client import CamundaAsyncClient, CamundaClient
from camunda_core.errors import ValidationError
from camunda_core.models import (
    AdvancedProcessInstanceStateFilter,
    ProcessCreationById,
    ProcessCreationByKey,
    ProcessInstanceCreationStartInstruction,
    ProcessInstanceFilter,
    ProcessInstanceSearchQuery,
    ProcessInstanceStateEnum,
)
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.request_builder import build_request
from camunda_core.serialization import structure
from camunda_core.serialization.validation import RequestValidationError, problems, validate
from camunda_core.types import UNSET
from camunda_testkit import FakeCluster

CREATE = operations.create_process_instance
SEARCH = operations.search_process_instances
MODEL = "ProcessInstanceCreationInstructionByKey"


def _error(op: Operation[Any], body: object) -> RequestValidationError:
    with pytest.raises(RequestValidationError) as caught:
        build_request(op, body=body)
    return caught.value


def _problems_text(error: RequestValidationError) -> str:
    """The message after the operation's prefix (which words it as that operation's 400)."""
    prefix = f"{error.operation_id}: HTTP 400 (found before sending, nothing sent) - "
    message = str(error)
    assert message.startswith(prefix), message
    return message[len(prefix) :]


# ------------------------------------------------------------------ the four reported cases


def test_an_int_key_is_rejected_naming_operation_model_field_and_pattern() -> None:
    error = _error(CREATE, ProcessCreationByKey(process_definition_key=123))  # type: ignore[arg-type]
    assert _problems_text(error) == (
        f"{MODEL}.process_definition_key: expected a string matching ^-?[0-9]+$, got int 123"
    )
    assert isinstance(error, ValidationError)
    assert error.operation_id == "createProcessInstance" and error.model == MODEL


def test_variables_that_are_not_a_dict_are_rejected() -> None:
    body = ProcessCreationByKey(process_definition_key="1", variables="notadict")  # type: ignore[arg-type]
    assert str(_error(CREATE, body)).endswith(
        f"{MODEL}.variables: expected a dict (a JSON object), got str"
    )


def test_eleven_tags_where_ten_are_allowed_are_rejected() -> None:
    body = ProcessCreationByKey(process_definition_key="1", tags=[f"tag{i}" for i in range(11)])  # type: ignore[arg-type]
    assert _problems_text(_error(CREATE, body)) == f"{MODEL}.tags: at most 10 items allowed, got 11"
    ten = ProcessCreationByKey(process_definition_key="1", tags=[f"tag{i}" for i in range(10)])  # type: ignore[arg-type]
    assert build_request(CREATE, body=ten).content is not None


@pytest.mark.parametrize("body", [123, "text", [1, 2], 1.5])
def test_a_body_of_the_wrong_type_names_the_operation_and_the_expected_model(body: object) -> None:
    with pytest.raises(ValidationError) as caught:
        build_request(CREATE, body=body)
    message = str(caught.value)
    assert message.startswith("createProcessInstance: data must be ")
    assert "ProcessInstanceCreationInstructionByKey | ProcessInstanceCreationInstructionById" in message
    assert message.endswith(f"got {type(body).__name__}" + (f" {body!r}" if isinstance(body, (int, float)) else ""))


def test_a_plain_dict_body_is_the_callers_raw_json_and_is_sent_as_it_is() -> None:
    prepared = build_request(CREATE, body={"processDefinitionKey": 123})
    assert prepared.content == b'{"processDefinitionKey":123}'


def test_a_model_of_another_operation_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"createProcessInstance: data must be .*, got ProcessInstanceSearchQuery"):
        build_request(CREATE, body=ProcessInstanceSearchQuery())


# ------------------------------------------------------------------ the model tree


def test_a_nested_model_problem_names_the_whole_path() -> None:
    body = ProcessCreationByKey(
        process_definition_key="1",
        start_instructions=[
            ProcessInstanceCreationStartInstruction(element_id="ok"),
            ProcessInstanceCreationStartInstruction(element_id=5),  # type: ignore[arg-type]
        ],
    )
    assert problems(body) == [f"{MODEL}.start_instructions[1].element_id: expected a string, got int 5"]
    wrong_item = ProcessCreationByKey(process_definition_key="1", start_instructions=[{"elementId": "x"}])  # type: ignore[list-item]
    assert problems(wrong_item) == [
        f"{MODEL}.start_instructions[0]: expected ProcessInstanceCreationStartInstruction, got dict"
    ]


def test_a_union_body_accepts_each_branch_and_checks_the_one_given() -> None:
    by_id = ProcessCreationById(process_definition_id="order-process", process_definition_version=3)
    assert build_request(CREATE, body=by_id).content == (
        b'{"processDefinitionId":"order-process","processDefinitionVersion":3}'
    )
    assert build_request(CREATE, body=ProcessCreationByKey(process_definition_key="42")).content == (
        b'{"processDefinitionKey":"42"}'
    )
    error = _error(CREATE, ProcessCreationById(process_definition_id="x", process_definition_version=2**31))
    assert "ProcessInstanceCreationInstructionById.process_definition_version: must be at most 2147483647 (int32)" in str(error)


def test_a_union_field_takes_any_branch_and_names_all_branches_when_none_fits() -> None:
    advanced = ProcessInstanceFilter(state=AdvancedProcessInstanceStateFilter(in_=[ProcessInstanceStateEnum.ACTIVE]))
    assert problems(ProcessInstanceSearchQuery(filter=advanced)) == []
    assert problems(ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(process_definition_key="12"))) == []
    bad = ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(process_definition_key=12))  # type: ignore[arg-type]
    assert problems(bad) == [
        "ProcessInstanceSearchQuery.filter.process_definition_key: "
        "expected ProcessDefinitionKey | AdvancedProcessDefinitionKeyFilter, got int 12"
    ]
    # The key branch of the union keeps the key's own pattern.
    not_a_key = ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(process_definition_key="twelve"))  # type: ignore[arg-type]
    assert problems(not_a_key) == [
        "ProcessInstanceSearchQuery.filter.process_definition_key: expected a string matching ^-?[0-9]+$, "
        "got a string that does not match (6 characters)"
    ]


def test_an_enum_field_accepts_only_declared_values_when_sending() -> None:
    assert problems(ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(state=ProcessInstanceStateEnum.ACTIVE))) == []
    assert problems(ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(state="ACTIVE"))) == []  # type: ignore[arg-type]
    error = _error(SEARCH, ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(state="RUNNING")))  # type: ignore[arg-type]
    assert _problems_text(error) == (
        "ProcessInstanceSearchQuery.filter.state: "
        "'RUNNING' is not a value of ProcessInstanceStateEnum (ACTIVE, COMPLETED, TERMINATED)"
    )
    typo = problems(ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(state="active")))  # type: ignore[arg-type]
    assert typo[0].endswith("; did you mean 'ACTIVE'?")
    close = problems(ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(state="COMPLETD")))  # type: ignore[arg-type]
    assert close[0].endswith("; did you mean 'COMPLETED'?")


def test_responses_stay_open_to_unknown_enum_values_but_resending_them_is_checked() -> None:
    state = structure("SUSPENDED_IN_A_NEWER_SERVER", ProcessInstanceStateEnum)
    assert isinstance(state, ProcessInstanceStateEnum) and state == "SUSPENDED_IN_A_NEWER_SERVER"
    found = problems(ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(state=state)))
    assert found and "is not a value of ProcessInstanceStateEnum" in found[0]


def test_many_problems_are_reported_at_once() -> None:
    body = ProcessCreationByKey(
        process_definition_key=123,  # type: ignore[arg-type]
        variables="notadict",  # type: ignore[arg-type]
        tags=["dup", "dup", "1starts-with-a-digit"],  # type: ignore[list-item]
        operation_reference=0,
        await_completion="yes",  # type: ignore[arg-type]
        tenant_id="",  # type: ignore[arg-type]
    )
    error = _error(CREATE, body)
    assert error.problems == (
        f"{MODEL}.process_definition_key: expected a string matching ^-?[0-9]+$, got int 123",
        f"{MODEL}.variables: expected a dict (a JSON object), got str",
        f"{MODEL}.tenant_id: at least 1 characters required, got 0",
        f"{MODEL}.operation_reference: must be at least 1 (int64), got 0",
        f"{MODEL}.await_completion: expected a boolean, got str",
        f"{MODEL}.tags: items must be unique, got duplicates",
        f"{MODEL}.tags[2]: expected a string matching ^[A-Za-z][A-Za-z0-9_\\-:.]{{0,99}}$, "
        "got a string that does not match (20 characters)",
    )
    message = _problems_text(error)
    assert message.startswith(f"7 problems in {MODEL}:\n  - ")
    assert all(p in message for p in error.problems)


def test_a_long_list_of_problems_is_cut_in_the_message_but_kept_whole() -> None:
    body = ProcessCreationByKey(process_definition_key="1", start_instructions=[
        ProcessInstanceCreationStartInstruction(element_id=i) for i in range(25)  # type: ignore[arg-type]
    ])
    error = _error(CREATE, body)
    assert len(error.problems) == 25
    assert str(error).endswith("... and 15 more (see .problems)")


def test_required_fields_must_be_set_and_none_only_where_nullable() -> None:
    assert problems(ProcessCreationByKey(process_definition_key=UNSET)) == [  # type: ignore[arg-type]
        f"{MODEL}.process_definition_key: required, but UNSET"
    ]
    assert problems(ProcessCreationByKey(process_definition_key=None)) == [  # type: ignore[arg-type]
        f"{MODEL}.process_definition_key: must not be None"
    ]
    assert problems(ProcessCreationByKey(process_definition_key="1", tenant_id=None)) == [  # type: ignore[arg-type]
        f"{MODEL}.tenant_id: must not be None (leave it UNSET to omit it)"
    ]


def test_unicode_letter_patterns_are_translated_not_skipped() -> None:
    def by_id(process_id: str) -> list[str]:
        return problems(ProcessCreationById(process_definition_id=process_id))  # type: ignore[arg-type]

    for fine in ("order-process", "_x", "überweisung.v2", "注文_1"):
        assert by_id(fine) == [], fine
    for wrong in ("1order", "-order", "order process", "order/1"):
        assert by_id(wrong) and "does not match" in by_id(wrong)[0], wrong


def test_string_values_never_appear_in_messages() -> None:
    secret = "s3cr3t-password-value!"
    body = ProcessCreationByKey(process_definition_key=secret, tags=[secret])  # type: ignore[arg-type]
    message = str(_error(CREATE, body))
    assert secret not in message and "process_definition_key" in message


def test_datetimes_must_be_timezone_aware() -> None:
    from camunda_core.models import DateTimeFilterProperty  # noqa: F401 - the union this field uses

    aware = ProcessInstanceFilter(start_date=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    assert problems(ProcessInstanceSearchQuery(filter=aware)) == []
    naive = ProcessInstanceFilter(start_date=dt.datetime(2024, 1, 1))
    assert problems(ProcessInstanceSearchQuery(filter=naive)) == [
        "ProcessInstanceSearchQuery.filter.start_date: expected a timezone-aware datetime, got a naive one"
    ]


def test_validate_can_be_called_directly() -> None:
    validate(ProcessCreationById(process_definition_id="p"))
    with pytest.raises(RequestValidationError, match=r"^ProcessInstanceCreationInstructionByKey\.tags"):
        validate(ProcessCreationByKey(process_definition_key="1", tags=[f"t{i}" for i in range(11)]))  # type: ignore[list-item]


# ------------------------------------------------------------------ both clients, nothing sent


@pytest.fixture(scope="module")
def cluster() -> Iterator[FakeCluster]:
    with FakeCluster() as running:
        yield running


def _configuration(cluster: FakeCluster) -> dict[str, object]:
    return {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}


INVALID_SEARCH = ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(state="RUNNING"))  # type: ignore[arg-type]
VALID_SEARCH = ProcessInstanceSearchQuery(filter=ProcessInstanceFilter(state=ProcessInstanceStateEnum.ACTIVE))


def _sent(cluster: FakeCluster) -> list[str]:
    return [r.path for r in cluster.requests if "process-instances" in r.path]


def test_sync_client_raises_before_sending(cluster: FakeCluster) -> None:
    cluster.clear_requests()
    with CamundaClient(_configuration(cluster), load_entry_points=False, environ={}) as client:
        with pytest.raises(RequestValidationError, match=r"searchProcessInstances: .*filter\.state"):
            client.search_process_instances(data=INVALID_SEARCH)
        with pytest.raises(ValidationError, match="createProcessInstance: data must be"):
            client.create_process_instance(data=123)  # type: ignore[arg-type]
        assert _sent(cluster) == []
        assert client.search_process_instances(data=VALID_SEARCH).items == []
    assert len(_sent(cluster)) == 1


def test_async_client_raises_before_sending(cluster: FakeCluster) -> None:
    async def scenario() -> int:
        async with CamundaAsyncClient(_configuration(cluster), load_entry_points=False, environ={}) as client:
            with pytest.raises(RequestValidationError, match=r"searchProcessInstances: .*filter\.state"):
                await client.search_process_instances(data=INVALID_SEARCH)
            with pytest.raises(ValidationError, match="createProcessInstance: data must be"):
                await client.create_process_instance(data=123)  # type: ignore[arg-type]
            assert _sent(cluster) == []
            return len((await client.search_process_instances(data=VALID_SEARCH)).items)

    cluster.clear_requests()
    assert asyncio.run(scenario()) == 0
    assert len(_sent(cluster)) == 1


# ------------------------------------------------------------------ every operation's body


def _contract_modules() -> Any:
    contract_dir = Path(__file__).resolve().parents[1] / "contract"
    if str(contract_dir) not in sys.path:
        sys.path.insert(0, str(contract_dir))
    import contract_spec
    import contract_values

    return contract_spec, contract_values


def test_every_operations_valid_body_passes_and_its_constraints_are_enforced() -> None:
    """A spec-valid body of every JSON operation (from the contract tests' value generator)
    passes; then each string, integer or list constraint of its top-level fields is broken
    once and must be reported for exactly that field."""
    contract_spec, contract_values = _contract_modules()
    directory = contract_spec.spec_dir()
    if not (directory / contract_spec.SPEC_FILE).is_file():
        pytest.skip(f"spec not found at {directory}")
    prepared, _ = contract_spec.prepare_for_openapi_core(contract_spec.load_spec(directory))
    resolver = contract_spec.SchemaResolver(prepared)
    checked = broken = 0
    failures: list[str] = []
    for spec_op in contract_spec.spec_operations(prepared):
        op = getattr(operations, spec_op.snake_name)
        if op.body_kind != "json" or op.body_ref is None:
            continue
        arguments = contract_values.build_call_arguments(CamundaClient, op, spec_op, resolver)
        body = arguments.kwargs.get("data", UNSET)
        if body is UNSET:
            continue
        checked += 1
        found = problems(body)
        if found:
            failures.append(f"{spec_op.operation_id}: valid body rejected: {found}")
            continue
        path = {p.wire_name: arguments.kwargs[p.python_name] for p in op.path_params}
        build_request(op, path=path, body=body)
        for owner, name, value in _broken_fields(body):
            broken += 1
            original = getattr(owner, name)
            setattr(owner, name, value)
            try:
                found = problems(body)
            finally:
                setattr(owner, name, original)
            if not any(f".{name}: " in p or f".{name}[" in p for p in found):
                failures.append(f"{spec_op.operation_id}: broken {type(owner).__name__}.{name} not reported: {found}")
    assert not failures, "\n".join(failures)
    assert checked >= 90 and broken >= 200, (checked, broken)


def _broken_fields(model: object) -> Iterator[tuple[object, str, object]]:
    """(model, attribute, a value that breaks one of its constraints) for every constrained
    attribute that is set, in the model and the models nested in it."""
    import attrs

    for a in attrs.fields(type(model)):
        meta = a.metadata
        current = getattr(model, a.name)
        if current is UNSET:
            continue
        if "max_length" in meta:
            yield model, a.name, "x" * (meta["max_length"] + 1)
        elif "min_length" in meta and meta["min_length"] > 0:
            yield model, a.name, ""
        elif "pattern" in meta:
            yield model, a.name, " "
        elif "minimum" in meta:
            yield model, a.name, int(meta["minimum"]) - 1
        elif "max_items" in meta:
            yield model, a.name, [*current] * (meta["max_items"] + 1)
        for nested in current if isinstance(current, list) else [current]:
            if attrs.has(type(nested)):
                yield from _broken_fields(nested)


def test_an_enum_error_lists_every_allowed_value_however_many() -> None:
    from camunda_core.models import (
        ElementInstanceFilter,
        ElementInstanceFilterTypeEnum,
        ElementInstanceSearchQuery,
    )

    found = problems(ElementInstanceSearchQuery(filter=ElementInstanceFilter(type="SERVICETASK")))  # type: ignore[arg-type]
    assert len(found) == 1 and found[0].startswith("ElementInstanceSearchQuery.filter.type: 'SERVICETASK' is not a value")
    declared = [m.value for m in ElementInstanceFilterTypeEnum]
    assert len(declared) > 20 and ", ".join(declared) in found[0]
    assert found[0].endswith("; did you mean 'SERVICE_TASK'?")
