"""Fixtures for the contract tests: the spec (8.9 and 8.10-dev), openapi-core, Prism."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contract_harness import (
    PRISM_BIN,
    PrismServer,
    load_openapi,
    start_prism,
)
from contract_spec import (
    SPEC_DIR_ENV,
    SPEC_FILE,
    SchemaResolver,
    SpecContract,
    SpecOperation,
    load_spec,
    prepare_for_openapi_core,
    prepare_for_prism,
    spec_dir,
    spec_dir_810,
    spec_operations,
    write_json,
)


def _require_spec(directory: Path) -> None:
    if not (directory / SPEC_FILE).is_file():
        pytest.skip(f"spec not found at {directory / SPEC_FILE}; set {SPEC_DIR_ENV} to the camunda-8.9 spec dir")


@pytest.fixture(scope="session")
def contract_89() -> SpecContract:
    directory = spec_dir()
    _require_spec(directory)
    prepared, normalisation = prepare_for_openapi_core(load_spec(directory))
    resolver = SchemaResolver(prepared)
    operations = {op.operation_id: op for op in spec_operations(prepared)}
    return SpecContract(directory, prepared, resolver, operations, load_openapi(prepared), normalisation)


def _prism(tmp_path_factory: pytest.TempPathFactory, directory: Path, label: str) -> Iterator[PrismServer]:
    _require_spec(directory)
    if not PRISM_BIN.exists():
        pytest.skip(f"Prism is not installed at {PRISM_BIN}; run `bash tools/setup.sh`")
    work = tmp_path_factory.mktemp(f"prism-{label}")
    prepared, _ = prepare_for_prism(load_spec(directory))
    spec_path = write_json(prepared, work / "prism-spec.json")
    with start_prism(spec_path, work / "prism.log") as server:
        yield server


@pytest.fixture(scope="session")
def prism_89(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismServer]:
    yield from _prism(tmp_path_factory, spec_dir(), "8.9")


@pytest.fixture(scope="session")
def prism_810(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismServer]:
    yield from _prism(tmp_path_factory, spec_dir_810(), "8.10-dev")


@pytest.fixture(scope="session")
def spec_810_operations() -> dict[str, SpecOperation]:
    directory = spec_dir_810()
    _require_spec(directory)
    return {op.operation_id: op for op in spec_operations(load_spec(directory))}
