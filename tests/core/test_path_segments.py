"""Path parameter values become exactly one encoded segment, or a ValidationError before sending.

The raw request lines each transport writes are checked for every generated
operation in tests/generator/test_gen_path_params.py; these are the rules.
"""

from __future__ import annotations

import enum
from urllib.parse import unquote

import pytest

from camunda_core.errors import ValidationError
from camunda_core.runtime.operation import Operation, Param
from camunda_core.runtime.request_builder import build_request

UNASSIGN = Operation(
    "unassignUserFromTenant",
    "DELETE",
    "/tenants/{tenantId}/users/{username}",
    path_params=(Param("tenant_id", "tenantId"), Param("username", "username")),
)
GET_INSTANCE = Operation(
    "getProcessInstance",
    "GET",
    "/process-instances/{processInstanceKey}",
    path_params=(Param("process_instance_key", "processInstanceKey"),),
)


def _segment(value: object) -> str:
    path = build_request(GET_INSTANCE, path={"processInstanceKey": value}).path
    prefix = "/process-instances/"
    assert path.startswith(prefix)
    return path[len(prefix) :]


def test_unreserved_characters_are_sent_as_they_are() -> None:
    assert _segment("AZaz09-._~") == "AZaz09-._~"


@pytest.mark.parametrize("char", list(":/?#[]@!$&'()*+,;=% \"<>\\^`{|}\t\r\n\x00\x7f"))
def test_every_other_ascii_character_is_percent_encoded(char: str) -> None:
    segment = _segment(f"a{char}b")
    assert segment == f"a%{ord(char):02X}b"


def test_unicode_is_utf8_percent_encoded_and_decodes_back() -> None:
    value = "ünï©ødé-✓-𝄞"
    segment = _segment(value)
    assert segment.isascii() and "/" not in segment
    assert unquote(segment, errors="strict") == value


@pytest.mark.parametrize("value", ["../x", "a/../b", "%2E%2E", ".%2e", "...", "..;", "./"])
def test_values_that_look_like_dot_segments_stay_inside_one_segment(value: str) -> None:
    segment = _segment(value)
    assert "/" not in segment and segment not in (".", "..")
    assert unquote(segment) == value


@pytest.mark.parametrize("value", [".", "..", ""])
@pytest.mark.parametrize("target", ["tenant_id", "username"])
def test_dot_segments_and_empty_values_are_rejected_naming_operation_and_parameter(
    value: str, target: str
) -> None:
    values = {"tenantId": "t", "username": "bob"}
    values["tenantId" if target == "tenant_id" else "username"] = value
    with pytest.raises(ValidationError) as caught:
        build_request(UNASSIGN, path=values)
    message = str(caught.value)
    assert "unassignUserFromTenant" in message and repr(target) in message


class _Empty(enum.Enum):
    BLANK = ""
    DOTS = ".."


@pytest.mark.parametrize("value", [_Empty.BLANK, _Empty.DOTS])
def test_values_are_checked_after_conversion_to_text(value: _Empty) -> None:
    with pytest.raises(ValidationError, match="process_instance_key"):
        _segment(value)


def test_whitespace_is_a_value_not_an_empty_segment() -> None:
    assert _segment(" ") == "%20"


def test_integers_and_booleans_are_converted() -> None:
    assert _segment(2251799813685249) == "2251799813685249"
    assert _segment(True) == "true"


def test_lone_surrogate_is_a_validation_error_not_a_unicode_error() -> None:
    with pytest.raises(ValidationError, match=r"getProcessInstance.*process_instance_key"):
        _segment("a\ud800b")


@pytest.mark.parametrize("value", [None, 1.5, b"..", ["a"]])
def test_missing_and_unsupported_types_are_validation_errors(value: object) -> None:
    with pytest.raises(ValidationError, match=r"getProcessInstance.*process_instance_key"):
        _segment(value)


def test_a_value_cannot_inject_into_another_parameter_placeholder() -> None:
    path = build_request(UNASSIGN, path={"tenantId": "{username}", "username": "bob"}).path
    assert path == "/tenants/%7Busername%7D/users/bob"
