"""The contract harness itself: it catches broken requests, and the spec rewrites are exactly the documented ones."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from contract_harness import OpenApiRequest, describe_validation_error
from contract_spec import (
    UNICODE_PATTERN_REWRITES,
    SpecContract,
    load_spec,
    prepare_for_openapi_core,
    prepare_for_prism,
    spec_dir,
)

BASE = "http://localhost:8080/v2"


def _validate(contract: SpecContract, request: httpx.Request) -> str | None:
    request.read()
    try:
        contract.openapi.validate_request(OpenApiRequest(request))
    except Exception as exc:
        return describe_validation_error(exc)
    return None


def test_a_valid_request_passes(contract_89: SpecContract) -> None:
    request = httpx.Request(
        "POST", f"{BASE}/process-instances", json={"processDefinitionId": "order_process"}
    )
    assert _validate(contract_89, request) is None


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("GET", "/process-instances/not-a-key", None, "processInstanceKey"),
        ("POST", "/process-instances", {"processDefinitionId": "p", "unknownField": 1}, "unknownField"),
        ("POST", "/process-instances", {"processDefinitionId": "1starts-with-digit"}, "processDefinitionId"),
        ("POST", "/jobs/activation", {"type": "t", "timeout": "soon", "maxJobsToActivate": 1}, "timeout"),
        ("POST", "/process-instances/search", {"page": {"limit": 0}}, "limit"),
        ("POST", "/jobs/1/completion", {"result": {"type": "nope"}}, "result"),
    ],
)
def test_a_broken_request_is_reported_with_the_field(
    contract_89: SpecContract, method: str, path: str, body: Any, expected: str
) -> None:
    request = httpx.Request(method, f"{BASE}{path}", json=body) if body is not None else httpx.Request(method, f"{BASE}{path}")
    problem = _validate(contract_89, request)
    assert problem is not None, f"{method} {path} should not validate"
    assert expected in problem


def test_the_bearer_token_is_required_where_security_is_declared(contract_89: SpecContract) -> None:
    assert _validate(contract_89, httpx.Request("GET", f"{BASE}/authentication/me")) is not None
    with_token = httpx.Request("GET", f"{BASE}/authentication/me", headers={"Authorization": "Bearer t"})
    assert _validate(contract_89, with_token) is None


def test_the_unicode_pattern_rewrite_agrees_on_samples() -> None:
    (original, rewritten), = UNICODE_PATTERN_REWRITES.items()
    compiled = re.compile(rewritten)
    # \p{L} is any letter (any script), \p{N} any number; first char a letter or "_".
    for good in ("order", "_x", "Bestellung_ä", "заказ-1.v2", "注文", "a٣"):
        assert compiled.match(good), good
    for bad in ("1abc", "-x", ".x", "a b", "a/b", "", "a$"):
        assert not compiled.match(bad), bad
    assert "\\p{" in original


def test_the_spec_itself_is_never_changed(contract_89: SpecContract) -> None:
    before = json.dumps(load_spec(spec_dir()), sort_keys=True)
    prepare_for_openapi_core(load_spec(spec_dir()))
    spec = load_spec(spec_dir())
    prepare_for_prism(spec)
    assert json.dumps(spec, sort_keys=True) == before


def test_the_rewrites_touch_a_known_number_of_places(contract_89: SpecContract) -> None:
    # If a new spec changes these numbers, re-read docs/contract-tests.md: each rewrite
    # must still be a quirk of the spec, not a way around a real client bug.
    normalisation = contract_89.normalisation
    assert normalisation.patterns == 2
    assert normalisation.merged_all_of == 29
    assert normalisation.one_of_to_any_of == 50
    assert normalisation.dropped_types == 1
    assert normalisation.encoded_discriminators == 8
    assert normalisation.nullable_all_of == 63


def test_prism_copy_has_v2_paths_no_security_and_open_multipart(contract_89: SpecContract) -> None:
    prepared, _ = prepare_for_prism(load_spec(spec_dir()))
    assert all(path.startswith("/v2/") for path in prepared["paths"])
    assert "security" not in prepared
    for item in prepared["paths"].values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            assert "security" not in op
            for media_type, media in op.get("requestBody", {}).get("content", {}).items():
                if media_type.startswith("multipart/"):
                    assert media["schema"] == {}
