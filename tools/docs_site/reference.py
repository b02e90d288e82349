"""The API reference pages, written at build time from the code itself.

Nothing here is committed as Markdown: the mkdocs hook (``hooks.py``) calls
:func:`build_pages` and serves the pages from memory, so the reference cannot drift
from the code. Each page is mostly mkdocstrings directives (``::: dotted.path``);
what is listed comes from the packages' ``__all__``, the operation descriptors of
``camunda_core.api.operations`` and the tag map in ``operation_tags.py``.

Every public name (see :data:`PUBLIC_MODULES`) is documented on one page, so each
object has one anchor. :func:`uncovered_names` reports those that no page plans to
document; after the build, :func:`missing_from_site` reports those the built site has
no anchor for (mkdocstrings leaves out what it cannot render). The hook turns both into
build warnings, which ``mkdocs build --strict`` fails on.
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
import inspect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import attrs

from camunda_core.api import operations as _operations
from camunda_core.runtime.operation import Operation
from tools.docs_site.operation_tags import OPERATION_TAGS

__all__ = [
    "PUBLIC_MODULES",
    "Page",
    "build_pages",
    "nav_entries",
    "public_names",
    "uncovered_names",
]

#: The modules whose ``__all__`` is the public surface: what the guides tell users to import.
PUBLIC_MODULES: tuple[str, ...] = (
    "camunda_orchestration_sdk",
    "camunda_orchestration_sdk.client",
    "camunda_orchestration_sdk.models",
    "camunda_orchestration_sdk.errors",
    "camunda_orchestration_sdk.semantic_types",
    "camunda_orchestration_sdk.runtime.job_worker",
    "camunda_core",
    "camunda_core.config",
    "camunda_core.types",
    "camunda_core.errors",
    "camunda_core.retry",
    "camunda_core.auth",
    "camunda_core.hookspecs",
    "camunda_core.logging",
    "camunda_workers",
    "camunda_workers.metrics",
    "camunda_auth_oauth",
    "camunda_testkit",
    "camunda_testkit.testing",
    "camunda_testkit.feel",
)

#: Distributions documented when they are installed (the reference builds without them).
OPTIONAL_MODULES: tuple[str, ...] = ("camunda_otel",)

# Module-level names that are not objects worth a section of their own.
_NOT_DOCUMENTED = frozenset({"__version__"})

_MODELS_PACKAGE = "camunda_core.models"
_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Page:
    """One generated page: its path under docs/, its nav title and its Markdown."""

    path: str
    title: str
    lines: list[str] = field(default_factory=list)
    # Dotted paths this page documents: objects rendered by mkdocstrings (their own
    # heading) and objects given an autorefs anchor (`anchors`, a line each).
    documents: set[str] = field(default_factory=set)
    anchors: set[str] = field(default_factory=set)

    @property
    def markdown(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def directive(self, identifier: str, **options: Any) -> None:
        """A mkdocstrings block for ``identifier`` (and its explicit ``members``)."""
        self.documents.add(identifier)
        members = options.get("members")
        if isinstance(members, list):
            self.documents |= {f"{identifier}.{member}" for member in members}  # pyright: ignore[reportUnknownVariableType]
        self.lines.append(f"::: {identifier}")
        if options:
            self.lines.append("    options:")
            for key, value in options.items():
                self.lines.append(f"      {key}: {_yaml(value)}")
        self.lines.append("")


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml(item) for item in value) + "]"  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, int):
        return str(value)
    return f'"{value}"'


def _anchor(page: Page, identifier: str) -> str:
    """An autorefs anchor: ``[text][identifier]`` anywhere in the site links here."""
    page.documents.add(identifier)
    page.anchors.add(identifier)
    return f"[](){{#{identifier}}}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _public_modules() -> list[str]:
    return [*PUBLIC_MODULES, *(m for m in OPTIONAL_MODULES if importlib.util.find_spec(m) is not None)]


def _griffe_loader() -> Any:
    import griffe

    loader = griffe.GriffeLoader(search_paths=[str(path) for path in sorted(_REPO_ROOT.glob("packages/*/src"))])
    for package in sorted({module.partition(".")[0] for module in _public_modules()}):
        loader.load(package)
    loader.resolve_aliases(external=False)
    return loader


def public_names() -> dict[str, str]:
    """``module.name`` -> where it is defined, for every name in :data:`PUBLIC_MODULES`.

    Read statically with griffe (as mkdocstrings reads it), so re-exports, ``NewType``s and
    constants all resolve to their defining module.
    """
    loader = _griffe_loader()
    names: dict[str, str] = {}
    for module_path in _public_modules():
        module = loader.modules_collection[module_path]
        for name in importlib.import_module(module_path).__all__:
            if name in _NOT_DOCUMENTED:
                continue
            member = module.get_member(name) if name in module.members else None
            names[f"{module_path}.{name}"] = member.canonical_path if member is not None else f"{module_path}.{name}"
    return names


def _missing(names: dict[str, str], present: set[str]) -> list[str]:
    """Names none of whose paths is present: its own, where it is defined, or another
    public path of the same object (``camunda_workers.WorkerConfig`` documents
    ``camunda_orchestration_sdk.WorkerConfig``)."""
    present_objects = present | {names[path] for path in present if path in names}
    return [
        public if public == canonical else f"{public} ({canonical})"
        for public, canonical in names.items()
        if public not in present and canonical not in present_objects
    ]


def uncovered_names(pages: Iterable[Page], names: dict[str, str] | None = None) -> list[str]:
    """Public names that no page documents, under their own path or where they are defined."""
    documented: set[str] = set()
    for page in pages:
        documented |= page.documents
    return _missing(public_names() if names is None else names, documented)


def missing_from_site(pages: Iterable[Page], names: dict[str, str], inventory: set[str]) -> list[str]:
    """Public names the built site has neither an object (``objects.inv``) nor an anchor for."""
    anchored: set[str] = set()
    for page in pages:
        anchored |= page.anchors
    return _missing(names, inventory | anchored)


# ----------------------------------------------------------------------------- pages


def _operation_descriptors() -> dict[str, tuple[str, Operation[Any]]]:
    """operationId -> (method name on the clients, descriptor)."""
    found: dict[str, tuple[str, Operation[Any]]] = {}
    for name, value in vars(_operations).items():
        if isinstance(value, Operation):
            found[value.operation_id] = (name, value)
    return found


def _error_classes(operation: Operation[Any]) -> list[str]:
    """The generated error classes of one operation: its base class, then one per status."""
    per_status = [ref.partition(":")[2] for _, ref in sorted(operation.error_refs.items())]
    base = _operation_error_base(operation)
    errors_module = importlib.import_module("camunda_core.api.errors")
    return ([base] if hasattr(errors_module, base) else []) + per_status


def _operation_error_base(operation: Operation[Any]) -> str:
    operation_id = operation.operation_id
    return operation_id[:1].upper() + operation_id[1:] + "Error"


def _operation_pages() -> Iterator[Page]:
    descriptors = _operation_descriptors()
    tagged = {operation_id for ids in OPERATION_TAGS.values() for operation_id in ids}
    untagged = sorted(set(descriptors) - tagged)
    if untagged:
        # The tag map is older than the generated code: say which, rather than drop them.
        raise ValueError(
            f"operations without a tag in tools/docs_site/operation_tags.py: {untagged}; "
            "run `uv run python -m tools.docs_site.spec_tags --spec-dir ...`"
        )
    sync_api = importlib.import_module("camunda_core.api.sync_api").SyncApi
    for tag, operation_ids in OPERATION_TAGS.items():
        page = Page(f"reference/operations/{_slug(tag)}.md", tag)
        present = [descriptors[o] for o in operation_ids if o in descriptors]
        page.add(
            f"# {tag}",
            "",
            f"{len(present)} operation{'s' if len(present) != 1 else ''} of the `{tag}` tag. Each is a "
            "method of both clients with the same parameters: `client.NAME(...)` on "
            "[`CamundaClient`][camunda_core.client.CamundaClient] and `await client.NAME(...)` on "
            "[`CamundaAsyncClient`][camunda_orchestration_sdk.client.CamundaAsyncClient]. "
            "Searches also have an auto-paging `iter_NAME(...)` (an async iterator on the async client). "
            "Each operation raises its own error classes, listed after it; every one is also one of "
            "the [general errors](../errors.md) (`except NotFound` works).",
            "",
            "| method | request |",
            "|---|---|",
        )
        for name, operation in present:
            page.add(
                f"| [`{name}`](#camunda_core.api.sync_api.SyncApi.{name}) "
                f"| `{operation.method} {operation.path}` |"
            )
        page.add("")
        for name, operation in present:
            page.directive(f"camunda_core.api.sync_api.SyncApi.{name}", heading_level=2)
            iterator = f"iter_{name}" if hasattr(sync_api, f"iter_{name}") else None
            if iterator:
                page.directive(f"camunda_core.api.sync_api.SyncApi.{iterator}", heading_level=3)
            # The async methods have the same parameters and docstrings: an anchor and a line
            # each instead of the whole rendering again.
            async_names = [name] + ([iterator] if iterator else [])
            anchors = "".join(
                _anchor(page, f"camunda_core.api.async_api.AsyncApi.{method}") for method in async_names
            )
            async_line = f"`await client.{name}(...)`"
            if iterator:
                async_line += f", and `async for item in client.{iterator}(...)`"
            page.add(f"{anchors}**Async:** {async_line} on `CamundaAsyncClient`, same parameters.", "")
            errors = _error_classes(operation)
            if errors:
                page.add(
                    f"**Errors of `{name}`** (in `camunda_orchestration_sdk.errors`): "
                    + ", ".join(
                        f"{_anchor(page, 'camunda_core.api.errors.' + error)}`{error}`" for error in errors
                    )
                    + f". Each is a `{errors[0]}`; the others are also the general class of their status "
                    "(`BadRequest`, `NotFound`, ...).",
                    "",
                )
        yield page


def _models_by_letter() -> dict[str, list[tuple[str, str]]]:
    """First letter -> [(module, name)] for every exported model name, sorted by name."""
    models = importlib.import_module(_MODELS_PACKAGE)
    # The package's lazy index: name -> the module that declares it.
    modules: dict[str, str] = models._MODULES  # pyright: ignore[reportPrivateUsage]
    grouped: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(models.__all__):
        grouped.setdefault(name[0].upper(), []).append((f"{_MODELS_PACKAGE}.{modules[name]}", name))
    return grouped


def _model_pages() -> Iterator[Page]:
    for letter, entries in _models_by_letter().items():
        page = Page(f"reference/models/{letter.lower()}.md", letter)
        page.add(
            f"# Models: {letter}",
            "",
            "Import any of them from `camunda_orchestration_sdk.models` (or its module, "
            "`camunda_orchestration_sdk.models.<snake_case_name>`). Fields are keyword-only; "
            "optional ones default to `UNSET` and are left out of the request.",
            "",
        )
        for module, name in entries:
            obj = getattr(importlib.import_module(module), name)
            if (
                inspect.isclass(obj)
                and obj.__module__.startswith(_MODELS_PACKAGE + ".")
                and obj.__name__ != name
            ):
                # A second name (the schema's title) for a class documented under its own name.
                target = f"{obj.__module__}.{obj.__qualname__}"
                page.add(
                    f"## {name}",
                    "",
                    f"{_anchor(page, f'{module}.{name}')}The same class as "
                    f"[`{obj.__qualname__}`][{target}] (the schema's title).",
                    "",
                )
                continue
            if attrs.has(obj):
                # The class docstring's Attributes section lists every field with its wire
                # name and constraints; the members (attrs.field(...) values, the checking
                # __init__) would only repeat it less readably.
                page.directive(f"{module}.{name}", heading_level=2, members=False,
                               merge_init_into_class=False)  # fmt: skip
            elif inspect.isclass(obj) and issubclass(obj, enum.Enum):
                # One line of values instead of a heading per member.
                page.directive(f"{module}.{name}", heading_level=2, members=False)
                values = ", ".join(f"`{member.value}`" for member in obj)
                page.add(f"Values: {values}.", "")
            else:
                page.directive(f"{module}.{name}", heading_level=2)
        yield page


def _section_page(path: str, title: str, intro: str, modules: Iterable[str]) -> Page:
    """Whole modules: each renders exactly its ``__all__``, documented or not."""
    page = Page(path, title)
    page.add(f"# {title}", "", intro, "")
    for module in modules:
        exported = [name for name in importlib.import_module(module).__all__ if name not in _NOT_DOCUMENTED]
        page.directive(module, members=exported, members_order="source", show_if_no_docstring=True)
    return page


_CLIENT_MEMBERS_OPTIONS: dict[str, Any] = {"inherited_members": True, "heading_level": 2}


def _client_page() -> Page:
    from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient

    operation_names = {name for name, _ in _operation_descriptors().values()}

    def own_members(cls: type) -> list[str]:
        return sorted(
            name
            for name in dir(cls)
            if not name.startswith("_")
            and name not in operation_names
            and not (name.startswith("iter_") and name[5:] in operation_names)
        )

    page = Page("reference/clients.md", "Clients")
    page.add(
        "# Clients",
        "",
        "`CamundaClient` (blocking) and `CamundaAsyncClient` (asyncio) have the same "
        f"{len(operation_names)} operation methods, documented [by tag](operations/index.md); this "
        "page shows the rest of each client. Both are context managers (`with` / `async with`).",
        "",
    )
    page.directive(
        "camunda_core.client.CamundaClient",
        members=["__init__", *own_members(CamundaClient)],
        **_CLIENT_MEMBERS_OPTIONS,
    )
    page.directive(
        "camunda_orchestration_sdk.client.CamundaAsyncClient",
        members=["__init__", *own_members(CamundaAsyncClient)],
        **_CLIENT_MEMBERS_OPTIONS,
    )
    # camunda-core alone (without camunda-workers) has the async client without workers.
    page.directive("camunda_core.client.CamundaAsyncClient", heading_level=2, members=False)
    for name in ("camunda_core.runtime.deployment.DeploymentSummary",
                 "camunda_core.runtime.consistency.WaitFor",
                 "camunda_core.runtime.multipart.File",
                 "camunda_core.runtime.client_runtime.ClientRuntime",
                 "camunda_core.runtime.clock.Clock"):
        page.directive(name, heading_level=2)
    return page


def _operations_index(tag_pages: list[Page]) -> Page:
    page = Page("reference/operations/index.md", "Operations by tag")
    page.add(
        "# Operations by tag",
        "",
        "Every REST operation of the Orchestration Cluster API is a method of both clients, named "
        "as the snake_case of its operation id, grouped here as the API groups them.",
        "",
        "| tag | operations |",
        "|---|---|",
    )
    for tag_page in tag_pages:
        count = sum(1 for line in tag_page.lines if line.startswith("::: camunda_core.api.sync_api.SyncApi.") and ".iter_" not in line)
        page.add(f"| [{tag_page.title}]({tag_page.path.removeprefix('reference/operations/')}) | {count} |")
    return page


def _models_index(model_pages: list[Page]) -> Page:
    page = Page("reference/models/index.md", "Models")
    count = sum(len(p.documents) for p in model_pages)
    page.add(
        "# Models",
        "",
        f"{count} generated models: one attrs class per object schema of the OpenAPI spec, "
        "a `str` enum per enumeration (unknown values from a newer server become pseudo-members), "
        "and a type alias per union. Request bodies are passed as `data=`; responses come back as "
        "these classes. Alphabetically:",
        "",
        " · ".join(f"[{p.title}]({p.path.removeprefix('reference/models/')})" for p in model_pages),
        "",
    )
    return page


def _index_page() -> Page:
    page = Page("reference/index.md", "Overview")
    page.add(
        "# API reference",
        "",
        "Generated from the code at build time. Users import from `camunda_orchestration_sdk`, "
        "which re-exports the names documented here under their defining module.",
        "",
        "| page | what |",
        "|---|---|",
        "| [Clients](clients.md) | `CamundaClient`, `CamundaAsyncClient`, deployments, `WaitFor`, files |",
        "| [Operations by tag](operations/index.md) | the operations, grouped by the API's tags, each with its errors |",
        "| [Models](models/index.md) | request and response models, enums and unions |",
        "| [Errors](errors.md) | the exception hierarchy |",
        "| [Semantic types](semantic-types.md) | the typed keys and ids (`ProcessInstanceKey`, ...) |",
        "| [Configuration](configuration.md) | `CamundaConfig`, the variables, `Secret`, `UNSET`, logging |",
        "| [Retries](retries.md) | retry policies and their parts |",
        "| [Plugins and auth](plugins.md) | hook specifications, auth strategies, token caches |",
        "| [Job workers](workers.md) | `JobRouter`, `WorkerConfig`, `JobContext`, outcomes, metrics |",
        "| [OAuth](oauth.md) | `camunda-auth-oauth`: client credentials and token caches |",
        "| [Test kit](testkit.md) | `camunda-testkit`: `FakeCluster`, the testing API, FEEL, pytest fixtures |",
    )
    if importlib.util.find_spec("camunda_otel") is not None:
        page.add("| [Tracing](tracing.md) | `camunda-otel`: OpenTelemetry tracing of API calls and jobs |")
    page.add("")
    return page


def build_pages() -> list[Page]:
    """Every reference page, the index first."""
    tag_pages = list(_operation_pages())
    model_pages = list(_model_pages())
    pages = [
        _index_page(),
        _client_page(),
        _operations_index(tag_pages),
        *tag_pages,
        _models_index(model_pages),
        *model_pages,
        _section_page(
            "reference/errors.md",
            "Errors",
            "One hierarchy rooted at `CamundaError`. Each operation also has its own classes, "
            "listed on its [tag page](operations/index.md): `CreateProcessInstanceBadRequest` is a "
            "`CreateProcessInstanceError` and a `BadRequest`, and so an `ApiError`.",
            ["camunda_core.errors"],
        ),
        _section_page(
            "reference/semantic-types.md",
            "Semantic types",
            "`NewType`s over `str` for keys and ids: pyright catches a key passed where another kind "
            "is expected; at run time they are plain strings.",
            ["camunda_core.semantic_types"],
        ),
        _section_page(
            "reference/configuration.md",
            "Configuration",
            "How a client's settings are resolved (see the [guide](../configuration.md)), the "
            "markers for unset values and secrets, and logging.",
            ["camunda_core.config", "camunda_core.types",
             "camunda_core.logging"],
        ),
        _section_page(
            "reference/retries.md",
            "Retries",
            "Retry policies and the pieces they are built from (see the [guide](../retries.md)).",
            ["camunda_core.retry"],
        ),
        _section_page(
            "reference/plugins.md",
            "Plugins and auth",
            "The pluggy hook specifications and the auth strategy interface (see the "
            "[guide](../plugins.md)).",
            ["camunda_core.hookspecs", "camunda_core.auth",
             "camunda_workers.hookspecs"],
        ),
        _section_page(
            "reference/workers.md",
            "Job workers",
            "`camunda-workers`; the meta package re-exports these from "
            "`camunda_orchestration_sdk.runtime.job_worker` (see the [guide](../workers.md)).",
            ["camunda_workers", "camunda_workers.metrics"],
        ),
        _section_page(
            "reference/oauth.md",
            "OAuth",
            "`camunda-auth-oauth`: the OAuth 2.0 client-credentials strategy and its token caches "
            "(see the [guide](../oauth.md)).",
            ["camunda_auth_oauth"],
        ),
        _section_page(
            "reference/testkit.md",
            "Test kit",
            "`camunda-testkit`: the fake cluster, the testing API, FEEL and the pytest fixtures "
            "(see the [guide](../testkit.md)).",
            ["camunda_testkit", "camunda_testkit.testing",
             "camunda_testkit.feel", "camunda_testkit.pytest_plugin"],
        ),
    ]
    if importlib.util.find_spec("camunda_otel") is not None:
        pages.append(
            _section_page(
                "reference/tracing.md",
                "Tracing",
                "`camunda-otel`: OpenTelemetry spans for API calls and jobs, and trace context "
                "carried through requests and, opt-in, process variables.",
                ["camunda_otel"],
            )
        )
    return pages


def nav_entries(pages: list[Page]) -> list[Any]:
    """The mkdocs ``nav`` entries for the reference section."""
    by_path = {page.path: page for page in pages}
    tags = [p for p in pages if p.path.startswith("reference/operations/") and not p.path.endswith("index.md")]
    models = [p for p in pages if p.path.startswith("reference/models/") and not p.path.endswith("index.md")]
    nav: list[Any] = [{"Overview": "reference/index.md"}, {"Clients": "reference/clients.md"}]
    nav.append({"Operations by tag": ["reference/operations/index.md", *({p.title: p.path} for p in tags)]})
    nav.append({"Models": ["reference/models/index.md", *({p.title: p.path} for p in models)]})
    for path in ("errors", "semantic-types", "configuration", "retries", "plugins", "workers", "oauth",
                 "testkit", "tracing"):
        page = by_path.get(f"reference/{path}.md")
        if page is not None:
            nav.append({page.title: page.path})
    return nav
