"""A wrong argument to a generated model names the class as the caller wrote it and suggests the field.

Python's own error would name the class the model is defined as (for ``ProcessCreationByKey``,
``ProcessInstanceCreationInstructionByKey``) and suggest nothing. Parsing never calls ``__init__``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import attrs
import pytest

from camunda_core import models
from camunda_core.errors import CamundaError
from camunda_core.models import ProcessInstanceCreationInstructionByKey
from camunda_core.models.process_creation_by_key import ProcessCreationByKey
from camunda_core.models.process_instance_result import ProcessInstanceResult
from camunda_core.serialization import converter
from camunda_core.serialization.construction import ModelArgumentError
from camunda_core.types import UNSET

NAMES_ALIAS = "ProcessCreationByKey"


def _error(call: Any) -> ModelArgumentError:
    with pytest.raises(ModelArgumentError) as caught:
        call()
    return caught.value


def test_a_typo_names_the_title_alias_the_caller_used_and_suggests_the_field() -> None:
    error = _error(lambda: ProcessCreationByKey(process_defintion_key="1"))  # type: ignore[call-arg]
    assert str(error) == (
        "ProcessCreationByKey() got an unexpected keyword argument 'process_defintion_key' "
        "(did you mean 'process_definition_key'?)"
    )
    assert isinstance(error, TypeError) and isinstance(error, CamundaError)
    assert error.model == NAMES_ALIAS
    assert error.unexpected == ("process_defintion_key",)
    assert error.suggestions == {"process_defintion_key": "process_definition_key"}
    assert error.missing == ()  # the typo was meant for it: not reported twice


def test_the_name_is_found_through_a_module_attribute_and_an_import_alias() -> None:
    via_module = _error(lambda: models.ProcessCreationByKey(process_definition_key="1", tenantid="t"))  # type: ignore[call-arg]
    assert str(via_module).startswith("ProcessCreationByKey() got an unexpected keyword argument 'tenantid'")
    assert via_module.suggestions == {"tenantid": "tenant_id"}

    from camunda_core.models.process_creation_by_key import (
        ProcessCreationByKey as ByKey,
    )

    assert _error(lambda: ByKey(process_definition_key="1", tags_=[])).model == "ByKey"  # type: ignore[call-arg]
    canonical = _error(lambda: ProcessInstanceCreationInstructionByKey(process_definition_key="1", x=1))  # type: ignore[call-arg]
    assert canonical.model == "ProcessInstanceCreationInstructionByKey"


def test_a_local_name_and_a_subclass_are_the_callers_own() -> None:
    def build() -> ModelArgumentError:
        local_name = ProcessCreationByKey
        return _error(lambda: local_name(process_definition_key="1", bogus=2))  # type: ignore[call-arg]

    assert build().model == "local_name"

    class MyRequest(ProcessCreationByKey):
        pass

    error = _error(lambda: MyRequest(process_defintion_key="1"))  # type: ignore[call-arg]
    assert str(error).startswith("MyRequest() got an unexpected keyword argument 'process_defintion_key'")


def test_a_wire_name_or_other_spelling_suggests_the_attribute() -> None:
    assert _error(lambda: ProcessCreationByKey(processDefinitionKey="1")).suggestions == {  # type: ignore[call-arg]
        "processDefinitionKey": "process_definition_key"
    }
    assert _error(lambda: ProcessCreationByKey(PROCESS_DEFINITION_KEY="1")).suggestions == {  # type: ignore[call-arg]
        "PROCESS_DEFINITION_KEY": "process_definition_key"
    }
    far = _error(lambda: ProcessCreationByKey(process_definition_key="1", zzz=1))  # type: ignore[call-arg]
    assert str(far) == "ProcessCreationByKey() got an unexpected keyword argument 'zzz'"


def test_missing_required_and_positional_arguments_name_the_callers_class() -> None:
    missing = _error(lambda: ProcessCreationByKey())  # type: ignore[call-arg]
    assert str(missing) == "ProcessCreationByKey() missing required argument 'process_definition_key'"
    assert missing.missing == ("process_definition_key",)
    positional = _error(lambda: ProcessCreationByKey("1"))  # type: ignore[misc]
    assert str(positional) == (
        "ProcessCreationByKey() takes keyword arguments only, got 1 positional; "
        "missing required argument 'process_definition_key'"
    )
    assert positional.positional == 1


def test_argument_values_never_appear_in_the_message() -> None:
    secret = "s3cr3t-token-value"
    error = _error(lambda: ProcessCreationByKey(process_definition_key=secret, pasword=secret))  # type: ignore[call-arg]
    assert secret not in str(error) and secret not in repr(error)


def test_a_library_call_such_as_attrs_evolve_names_the_class_itself() -> None:
    original = ProcessCreationByKey(process_definition_key="1")
    error = _error(lambda: attrs.evolve(original, tenantid="t"))
    assert error.model == "ProcessInstanceCreationInstructionByKey"
    assert error.suggestions == {"tenantid": "tenant_id"}


def test_code_without_source_finds_the_name_bound_in_its_module() -> None:
    namespace: dict[str, Any] = {"ProcessCreationByKey": ProcessCreationByKey}
    with pytest.raises(ModelArgumentError, match=r"^ProcessCreationByKey\(\) got an unexpected"):
        exec("ProcessCreationByKey(process_defintion_key='1')", namespace)


def test_the_name_is_found_in_a_script_run_as_a_user_would(tmp_path: Any) -> None:
    script = tmp_path / "user_script.py"
    script.write_text(
        textwrap.dedent(
            """
            from camunda_core.models.process_creation_by_key import ProcessCreationByKey

            try:
                ProcessCreationByKey(
                    process_defintion_key="2251799813685249",
                )
            except TypeError as error:
                print(error)
            """
        )
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == (
        "ProcessCreationByKey() got an unexpected keyword argument 'process_defintion_key' "
        "(did you mean 'process_definition_key'?)"
    )


def test_a_correct_call_stores_every_argument_as_attrs_would() -> None:
    built = ProcessCreationByKey(process_definition_key="1", tenant_id="t")  # type: ignore[arg-type]
    assert built.process_definition_key == "1" and built.tenant_id == "t"
    assert built.tags is UNSET and built.variables is UNSET
    assert attrs.evolve(built, tags=["a"]).tags == ["a"]  # type: ignore[list-item]


def test_parsing_builds_models_without_calling_init() -> None:
    assert converter._builds_directly(ProcessInstanceResult)

    @attrs.define
    class Checked:
        value: int = attrs.field(validator=attrs.validators.instance_of(int))

    @attrs.define
    class PostInit:
        value: int

        def __attrs_post_init__(self) -> None:
            self.value *= 2

    @attrs.frozen
    class Frozen:
        value: int

    @attrs.define
    class Plain:
        value: int

    assert not converter._builds_directly(Checked)
    assert not converter._builds_directly(PostInit)
    assert not converter._builds_directly(Frozen)
    assert converter._builds_directly(Plain)
    # Classes whose __init__ does more than store still get it called.
    assert converter.structure({"value": 2}, PostInit).value == 4
    assert converter.structure({"value": 2}, Frozen) == Frozen(2)
    assert converter.structure({"value": 2}, Plain) == Plain(2)
    with pytest.raises(converter.ConversionError, match="Checked"):
        converter.structure({"value": "2"}, Checked)


def test_without_column_positions_python_3_10_reads_the_names_called_on_the_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from camunda_core.serialization import construction

    monkeypatch.setattr(construction, "_call_span", lambda frame: None)
    error = _error(lambda: str(ProcessCreationByKey(process_defintion_key="1")))  # type: ignore[call-arg]
    assert error.model == NAMES_ALIAS
    via_module = _error(lambda: models.ProcessCreationByKey(tenantid="t"))  # type: ignore[call-arg]
    assert via_module.model == NAMES_ALIAS
