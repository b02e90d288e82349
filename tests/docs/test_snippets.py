"""Every ```python block in README.md and docs/**/*.md runs, against the test kit.

So the docs cannot drift from the code: a renamed attribute or a wrong import in a
snippet fails here. New pages are picked up without touching this file.

Conventions for writing snippets:

- **A page is a session.** Its blocks run in order in one namespace, so a block may use
  names an earlier block of the same page defined. Each page starts afresh.
- **The environment** of every page: a ``FakeCluster`` on loopback that
  ``CAMUNDA_REST_ADDRESS`` points at (no auth, other ``CAMUNDA_*`` variables cleared),
  a temporary working directory (also ``HOME``) holding ``process.bpmn`` and
  ``order.bpmn`` (copies of ``examples/order.bpmn``: process ``order-process``, job types
  ``charge-payment`` and ``ship-order``), and ``cluster``, that ``FakeCluster``, bound
  before every block (a block may rebind the name; the next block gets it back).
- ``<!-- snippet-cluster: oauth -->`` anywhere in a page: its cluster demands bearer
  tokens and ``CAMUNDA_CLIENT_ID``, ``CAMUNDA_CLIENT_SECRET`` and ``CAMUNDA_OAUTH_URL``
  point at its token endpoint.
- **Top-level ``await``** (``async with``, ``async for``) is allowed, as in
  ``python -m asyncio``: such a block runs in an event loop of its own.
- **Workers are stopped like a service:** once a block has installed signal handlers and
  its workers are idle (long-polling, no job of a polled type open), the process gets
  SIGTERM, which the SDK's handlers turn into a graceful stop.
- **Test functions run:** after a block that defines ``test_*`` functions, each is called
  with fresh test-kit fixtures for the parameters it names (``camunda_cluster``,
  ``camunda_cluster_env``, ``camunda_client``, ``camunda_async_client``).
- **Fragments** are blocks that cannot run by design: mark one with
  ``<!-- fragment: why it cannot run -->`` on the line before its fence. It is still
  compiled, and the reason must not be empty. Keep them few; fix a failing snippet
  rather than mark it.

A block has 60 s. Tracebacks name the Markdown file and its line numbers.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from camunda_testkit import FakeCluster

ROOT = Path(__file__).resolve().parents[2]
BLOCK_TIMEOUT = 60.0
ORDER_BPMN = ROOT / "examples" / "order.bpmn"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_FRAGMENT = re.compile(r"^\s*<!--\s*fragment:(?P<reason>.*?)-->\s*$")
_OAUTH_PAGE = re.compile(r"<!--\s*snippet-cluster:\s*oauth\s*-->")
_PYTHON_INFO = {"python", "py", "python3"}

# Variables cleared for every page, so the machine's own settings never leak in.
_CLEARED = (
    "ZEEBE_REST_ADDRESS",
    "CAMUNDA_AUTH_STRATEGY",
    "CAMUNDA_CLIENT_ID",
    "CAMUNDA_CLIENT_AUTH_CLIENTID",
    "ZEEBE_CLIENT_ID",
    "CAMUNDA_CLIENT_SECRET",
    "CAMUNDA_CLIENT_AUTH_CLIENTSECRET",
    "ZEEBE_CLIENT_SECRET",
    "CAMUNDA_OAUTH_URL",
    "ZEEBE_AUTHORIZATION_SERVER_URL",
    "CAMUNDA_BASIC_AUTH_USERNAME",
    "CAMUNDA_BASIC_AUTH_PASSWORD",
    "CAMUNDA_TENANT_ID",
    "CAMUNDA_LOAD_ENVFILE",
    "CAMUNDA_TOKEN_CACHE",
    "CAMUNDA_TOKEN_CACHE_DIR",
)


@dataclass(frozen=True)
class Snippet:
    page: str  # relative to the repository root
    line: int  # 1-based line of the first code line
    code: str
    fragment: str | None  # the reason, for a fragment

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    def compiled(self) -> Any:
        # Padding keeps the Markdown line numbers in tracebacks.
        source = "\n" * (self.line - 1) + self.code
        return compile(source, str(ROOT / self.page), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def doc_pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def snippets_of(path: Path, root: Path = ROOT) -> list[Snippet]:
    """The Python blocks of one Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    page = path.relative_to(root).as_posix()
    found: list[Snippet] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        language = opening["info"].strip().split(" ")[0].lower() if opening["info"].strip() else ""
        end = index + 1
        while end < len(lines):
            closing = _FENCE.match(lines[end])
            if closing and closing["fence"].startswith(fence[0] * len(fence)) and not closing["info"].strip():
                break
            end += 1
        if language in _PYTHON_INFO:
            body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[index + 1 : end]]
            previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
            marker = _FRAGMENT.match(previous)
            found.append(
                Snippet(page, index + 2, "\n".join(body) + "\n", marker["reason"].strip() if marker else None)
            )
        index = end + 1
    return found


def _all_snippets() -> list[Snippet]:
    return [snippet for path in doc_pages() for snippet in snippets_of(path)]


_PAGES_WITH_SNIPPETS = sorted({s.page for s in _all_snippets() if s.fragment is None})
_FRAGMENTS = [s for s in _all_snippets() if s.fragment is not None]


# ----------------------------------------------------------------------------- the session


@contextlib.contextmanager
def _page_environment(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCluster]:
    oauth = bool(_OAUTH_PAGE.search((ROOT / page).read_text(encoding="utf-8")))
    cluster = FakeCluster(require_auth="bearer" if oauth else None)
    cluster.start()
    try:
        for name in _CLEARED:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("CAMUNDA_REST_ADDRESS", cluster.rest_address)
        if oauth:
            monkeypatch.setenv("CAMUNDA_CLIENT_ID", "docs-client")
            monkeypatch.setenv("CAMUNDA_CLIENT_SECRET", "docs-secret")
            monkeypatch.setenv("CAMUNDA_OAUTH_URL", cluster.oauth_url)
        else:
            monkeypatch.setenv("CAMUNDA_AUTH_STRATEGY", "NONE")
        monkeypatch.setenv("HOME", str(tmp_path))
        for name in ("process.bpmn", "order.bpmn"):
            shutil.copyfile(ORDER_BPMN, tmp_path / name)
        monkeypatch.chdir(tmp_path)
        yield cluster
    finally:
        cluster.stop()


class _BlockTimeout(Exception):
    pass


@contextlib.contextmanager
def _deadline(snippet: Snippet) -> Iterator[None]:
    """Interrupt a blocking snippet after BLOCK_TIMEOUT (SIGALRM: main thread only)."""

    def expire(_signum: int, _frame: object) -> None:
        raise _BlockTimeout(f"{snippet.where}: still running after {BLOCK_TIMEOUT:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, BLOCK_TIMEOUT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _workers_idle(cluster: FakeCluster) -> bool:
    """Long-polling, with no job of a polled type activatable or running."""
    if cluster.pending_activations() == 0:
        return False
    open_jobs = cluster.jobs(state="ACTIVATABLE") + cluster.jobs(state="ACTIVATED")
    return not [
        job
        for job in open_jobs
        if job.state == "ACTIVATED" or cluster.pending_activations(job.job_type) > 0
    ]


@contextlib.contextmanager
def _stop_workers_when_idle(cluster: FakeCluster) -> Iterator[None]:
    """Send SIGTERM once the block has installed a handler for it and its workers are idle."""
    default_handler = signal.getsignal(signal.SIGTERM)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    done = threading.Event()

    def watch() -> None:
        idle_since: float | None = None
        while not done.wait(0.02):
            if signal.getsignal(signal.SIGTERM) in (default_handler, signal.SIG_DFL, None):
                idle_since = None
                continue
            if not _workers_idle(cluster):
                idle_since = None
                continue
            idle_since = idle_since or time.monotonic()
            # Idle twice in a row, not in passing; and the handler checked again right
            # before: never send it once the handler is gone.
            if time.monotonic() - idle_since >= 0.1 and signal.getsignal(signal.SIGTERM) not in (
                default_handler,
                signal.SIG_DFL,
                None,
            ):
                os.kill(os.getpid(), signal.SIGTERM)
                return

    watcher = threading.Thread(target=watch, name="docs-snippet-stopper", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
        for sig, handler in saved.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _run_block(snippet: Snippet, namespace: dict[str, Any], cluster: FakeCluster) -> None:
    namespace["cluster"] = cluster
    code = snippet.compiled()
    with _stop_workers_when_idle(cluster):
        if code.co_flags & inspect.CO_COROUTINE:
            asyncio.run(asyncio.wait_for(eval(code, namespace), BLOCK_TIMEOUT))
        else:
            with _deadline(snippet):
                exec(code, namespace)


# ----------------------------------------------------------------------------- test functions


def _fixture_configuration(cluster: FakeCluster) -> dict[str, str]:
    return {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}


@contextlib.contextmanager
def _fixtures(names: list[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Fresh test-kit fixtures, as the camunda_testkit pytest plugin would give them."""
    from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient

    unknown = sorted(set(names) - {"camunda_cluster", "camunda_cluster_env", "camunda_client", "camunda_async_client"})
    if unknown:
        raise AssertionError(f"a docs test function asks for fixtures the runner does not provide: {unknown}")
    with contextlib.ExitStack() as stack:
        cluster = stack.enter_context(FakeCluster())
        values: dict[str, Any] = {"camunda_cluster": cluster, "camunda_cluster_env": cluster}
        if "camunda_cluster_env" in names:
            monkeypatch.setenv("CAMUNDA_REST_ADDRESS", cluster.rest_address)
            monkeypatch.setenv("CAMUNDA_AUTH_STRATEGY", "NONE")
        if "camunda_client" in names:
            values["camunda_client"] = stack.enter_context(CamundaClient(configuration=_fixture_configuration(cluster)))
        if "camunda_async_client" in names:
            client = CamundaAsyncClient(configuration=_fixture_configuration(cluster))
            values["camunda_async_client"] = client
            stack.callback(lambda: None if client._closed else asyncio.run(client.close()))  # pyright: ignore[reportPrivateUsage]
        yield {name: values[name] for name in names}


def _run_test_functions(snippet: Snippet, namespace: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Call the ``test_*`` functions this block defined; their names."""
    defined = [
        node.name
        for node in ast.parse(snippet.code).body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
    ]
    for name in defined:
        function: Callable[..., Any] = namespace[name]
        with monkeypatch.context() as patch, _fixtures(list(inspect.signature(function).parameters), patch) as kwargs:
            with _deadline(snippet):
                result = function(**kwargs)
            if inspect.iscoroutine(result):
                asyncio.run(asyncio.wait_for(result, BLOCK_TIMEOUT))
    return defined


# ----------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("page", _PAGES_WITH_SNIPPETS)
def test_the_snippets_of_a_page_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snippets = [s for s in snippets_of(ROOT / page) if s.fragment is None]
    namespace: dict[str, Any] = {"__name__": "__docs_snippet__"}
    with _page_environment(page, tmp_path, monkeypatch) as cluster:
        for snippet in snippets:
            try:
                _run_block(snippet, namespace, cluster)
                _run_test_functions(snippet, namespace, monkeypatch)
            except BaseException as error:
                if isinstance(error, (KeyboardInterrupt, SystemExit)):
                    raise
                raise AssertionError(f"the snippet at {snippet.where} failed: {type(error).__name__}: {error}") from error


def test_every_fragment_compiles_and_says_why_it_does_not_run() -> None:
    for snippet in _FRAGMENTS:
        assert snippet.fragment, f"{snippet.where}: a fragment marker needs a reason: <!-- fragment: why -->"
        snippet.compiled()


def test_the_runner_finds_the_snippets() -> None:
    everything = _all_snippets()
    assert len(everything) >= 20, [s.where for s in everything]
    assert any(s.page == "README.md" for s in everything)
    # Fragments stay the exception.
    assert len(_FRAGMENTS) <= len(everything) // 5, [(s.where, s.fragment) for s in _FRAGMENTS]


def test_the_parser_reads_fences_markers_and_indentation(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n```python\nx = 1\n```\n\n<!-- fragment: needs a SaaS cluster -->\n```py\ny = x\n```\n\n"
        "- item\n\n  ```python\n  z = 2\n  ```\n\n```bash\necho no\n```\n",
        encoding="utf-8",
    )
    found = snippets_of(page, root=tmp_path)
    assert [(s.line, s.code, s.fragment) for s in found] == [
        (4, "x = 1\n", None),
        (9, "y = x\n", "needs a SaaS cluster"),
        (15, "z = 2\n", None),
    ]
