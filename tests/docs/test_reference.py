"""The generated API reference (tools/docs_site): complete, one page per tag, nav consistent.

The mkdocs build (tools/test.sh) renders these pages; here the page plan itself is checked,
in a second, without rendering.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from camunda_core.api import operations
from camunda_core.runtime.operation import Operation

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.docs_site import spec_tags  # noqa: E402
from tools.docs_site.operation_tags import OPERATION_TAGS  # noqa: E402
from tools.docs_site.reference import Page, build_pages, nav_entries, uncovered_names  # noqa: E402

SPEC_DIR = Path(os.environ.get("CAMUNDA_SPEC_DIR", ROOT.parent / "shared" / "spec" / "camunda-8.9"))


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    return build_pages()


def test_every_public_name_is_documented_somewhere(pages: list[Page]) -> None:
    assert uncovered_names(pages) == []


def test_a_name_missing_from_the_pages_is_reported() -> None:
    assert "camunda_core.errors.CamundaError" in uncovered_names([])


def test_every_operation_is_on_exactly_one_tag_page(pages: list[Page]) -> None:
    method_names = sorted(name for name, value in vars(operations).items() if isinstance(value, Operation))
    documented: list[str] = []
    for page in pages:
        if page.path.startswith("reference/operations/") and page.path != "reference/operations/index.md":
            documented += re.findall(r"^::: camunda_core\.api\.sync_api\.SyncApi\.(?!iter_)(\w+)$", page.markdown, re.M)
    assert sorted(documented) == method_names
    assert len(method_names) == sum(len(ids) for ids in OPERATION_TAGS.values())


def test_each_operation_names_its_async_twin_and_its_errors(pages: list[Page]) -> None:
    page = next(p for p in pages if p.path == "reference/operations/process-instance.md")
    assert "camunda_core.api.async_api.AsyncApi.create_process_instance" in page.documents
    assert "camunda_core.api.errors.CreateProcessInstanceBadRequest" in page.documents
    assert "{#camunda_core.api.errors.CreateProcessInstanceError}" in page.markdown
    assert "`POST /process-instances`" in page.markdown


def test_the_nav_points_at_generated_pages_only(pages: list[Page]) -> None:
    paths = {page.path for page in pages}

    def walk(entry: object) -> list[str]:
        if isinstance(entry, str):
            return [entry]
        if isinstance(entry, dict):
            return [p for value in entry.values() for p in walk(value)]
        if isinstance(entry, list):
            return [p for item in entry for p in walk(item)]
        return []

    listed = walk(nav_entries(pages))
    assert set(listed) <= paths
    assert set(listed) == paths, sorted(paths - set(listed))


@pytest.mark.skipif(not (SPEC_DIR / "rest-api.bundle.json").is_file(), reason=f"no spec at {SPEC_DIR}")
def test_the_tag_map_matches_the_spec(capsys: pytest.CaptureFixture[str]) -> None:
    assert spec_tags.main(["--spec-dir", str(SPEC_DIR), "--check"]) == 0, capsys.readouterr().out


def test_an_operation_without_exactly_one_tag_is_refused() -> None:
    spec = {"paths": {"/x": {"get": {"operationId": "getX", "tags": ["A", "B"]}}}}
    with pytest.raises(ValueError, match=r"GET /x \(getX\): expected exactly one tag"):
        spec_tags.render(spec, "sha256:0")


def test_sphinx_roles_in_docstrings_become_code_spans() -> None:
    from tools.docs_site.griffe_roles import rewrite_roles

    assert rewrite_roles("call :meth:`close`, :class:`~camunda_core.errors.ApiError`, :py:func:`a.b`") == (
        "call `close`, `ApiError`, `a.b`"
    )


def test_the_built_site_check_needs_an_object_or_an_anchor_per_name(pages: list[Page]) -> None:
    from tools.docs_site.reference import missing_from_site, public_names

    names = public_names()
    nothing_rendered = missing_from_site(pages, names, inventory=set())
    # The per-operation errors and async methods have anchors of their own; classes do not.
    assert "camunda_core.errors.CamundaError" in nothing_rendered
    assert not [name for name in nothing_rendered if "CreateProcessInstanceBadRequest" in name]
    everything_rendered = {canonical for canonical in names.values()}
    assert missing_from_site(pages, names, everything_rendered) == []
