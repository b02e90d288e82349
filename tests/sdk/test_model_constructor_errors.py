"""A typo in a model's constructor, through the public import path of the seed's examples."""

from __future__ import annotations

import pytest

from camunda_orchestration_sdk.models.process_creation_by_key import ProcessCreationByKey


def test_a_typo_names_the_class_as_imported_and_suggests_the_field() -> None:
    with pytest.raises(TypeError) as caught:
        ProcessCreationByKey(process_defintion_key="2251799813685249")  # type: ignore[call-arg]
    assert str(caught.value) == (
        "ProcessCreationByKey() got an unexpected keyword argument 'process_defintion_key' "
        "(did you mean 'process_definition_key'?)"
    )
