"""Code written for the official SDK, run against ours: the rows of docs/compatibility.md.

Each snippet below is written as a user of the official SDK (PyPI ``camunda-orchestration-sdk``,
pinned in tools/setup.sh) would write it, from its public surface. A row that says *keeps* runs
the same text twice, each time against a fresh test kit: in-process with our SDK, and with the
official SDK's interpreter in its own venv; both must produce the same ``result``. A row that
says *changes* runs the official text on ours to show the documented failure, then the
replacement the table gives, which must produce the official text's result.

``@row("id")`` ties a test to its table row; test_compatibility_table.py checks that every row
has a test and every test a row.
"""

from __future__ import annotations

import asyncio
import json
import os
import textwrap
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import attrs
import pytest
from official_sdk import run_official_batch

from camunda_testkit import FakeCluster

BPMN = Path(__file__).resolve().parents[1] / "fidelity" / "order.bpmn"
F = TypeVar("F", bound=Callable[..., Any])


def row(*ids: str) -> Callable[[F], F]:
    """Marks the table rows (docs/compatibility.md) a test backs; read from the source by the table test."""

    def mark(test: F) -> F:
        return test

    return mark


@contextmanager
def _environment(values: dict[str, str]) -> Generator[None, None, None]:
    """Exactly ``values`` as the CAMUNDA_*/ZEEBE_* environment (plus any other names in it), restored after."""
    saved = dict(os.environ)
    for name in [k for k in os.environ if k.startswith(("CAMUNDA_", "ZEEBE_"))]:
        del os.environ[name]
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_ours(snippet: str, env: dict[str, str]) -> Any:
    """Run ``snippet`` in-process with our SDK; it sets ``result``, returned as JSON would carry it."""
    namespace: dict[str, Any] = {"__name__": "snippet"}
    with _environment({"CAMUNDA_SDK_LOG_LEVEL": "error", **env}):
        exec(compile(textwrap.dedent(snippet), "<snippet>", "exec"), namespace)
    return json.loads(json.dumps(namespace["result"]))


@attrs.frozen
class Job:
    """A snippet for the official SDK: its code, its environment (from its kit) and its kit's options."""

    code: str
    env: Callable[[FakeCluster], dict[str, str]]
    kit: dict[str, Any] = attrs.field(factory=dict[str, Any])


#: Every snippet the official SDK runs, by name: run in one process (its import takes seconds).
OFFICIAL: dict[str, Job] = {}


def official_job(name: str, code: str, env: Callable[[FakeCluster], dict[str, str]] | None = None, **kit: Any) -> str:
    OFFICIAL[name] = Job(code, env or (lambda cluster: kit_env(cluster)), dict(kit))
    return code


class OfficialRuns:
    """The official SDK's results, and the kit each snippet ran against."""

    def __init__(self, results: dict[str, dict[str, Any]], kits: dict[str, FakeCluster]) -> None:
        self.results = results
        self.kits = kits

    def result(self, name: str) -> Any:
        outcome = self.results[name]
        assert "error" not in outcome, f"the official SDK failed {name}:\n{outcome.get('trace')}"
        return outcome["result"]

    def error(self, name: str) -> str:
        outcome = self.results[name]
        assert "error" in outcome, f"the official SDK ran {name} without error: {outcome}"
        return str(outcome["error"])


@pytest.fixture(scope="module")
def official() -> Iterator[OfficialRuns]:
    kits: dict[str, FakeCluster] = {}
    try:
        for name, job in OFFICIAL.items():
            kits[name] = FakeCluster(**job.kit).start()
        results = run_official_batch({name: (job.code, job.env(kits[name])) for name, job in OFFICIAL.items()})
        yield OfficialRuns(results, kits)
    finally:
        for kit in kits.values():
            kit.stop()


def ours_against_a_fresh_kit(name: str) -> tuple[Any, FakeCluster]:
    """The official snippet ``name`` run by our SDK against a kit like the one it had."""
    job = OFFICIAL[name]
    with FakeCluster(**job.kit) as kit:
        return run_ours(job.code, job.env(kit)), kit


def kit_env(cluster: FakeCluster) -> dict[str, str]:
    return {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}


def _token_requests(cluster: FakeCluster) -> int:
    return sum(1 for r in cluster.requests if r.operation == "oauthToken")


# -- constructing and closing clients ---------------------------------------------------------------

TOPOLOGY = official_job(
    "topology",
    """
    from camunda_orchestration_sdk import CamundaClient

    with CamundaClient() as client:
        topology = client.get_topology()
    result = {"partitions": topology.partitions_count, "brokers": len(topology.brokers)}
    """,
)
official_job("zeebe-alias", TOPOLOGY, lambda c: {"ZEEBE_REST_ADDRESS": c.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"})


@row("ctor-env")
def test_zero_config_from_the_environment(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("topology")
    assert ours == official.result("topology") == {"partitions": 1, "brokers": 1}


@row("ctor-zeebe-alias")
def test_zeebe_rest_address_alone(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("zeebe-alias")
    assert ours == official.result("zeebe-alias")


official_job(
    "configuration",
    """
    import os
    from camunda_orchestration_sdk import CamundaClient

    client = CamundaClient(configuration={"CAMUNDA_REST_ADDRESS": os.environ["KIT"], "CAMUNDA_AUTH_STRATEGY": "NONE"})
    try:
        result = {"partitions": client.get_topology().partitions_count}
    finally:
        client.close()
    """,
    lambda c: {"KIT": c.rest_address},
)


@row("ctor-configuration")
def test_explicit_configuration_dict(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("configuration")
    assert "KIT" not in os.environ
    assert ours == official.result("configuration") == {"partitions": 1}


official_job(
    "logger",
    """
    import logging
    from camunda_orchestration_sdk import CamundaClient

    with CamundaClient(logger=logging.getLogger("orders")) as client:
        result = {"partitions": client.get_topology().partitions_count}
    """,
)


@row("ctor-logger")
def test_a_stdlib_logger(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("logger")
    assert ours == official.result("logger")


official_job(
    "async-aclose",
    """
    import asyncio
    from camunda_orchestration_sdk import CamundaAsyncClient

    async def main():
        async with CamundaAsyncClient() as client:
            first = await client.get_topology()
        other = CamundaAsyncClient()
        second = await other.get_topology()
        await other.aclose()
        return [first.partitions_count, second.partitions_count]

    result = asyncio.run(main())
    """,
)


@row("async-client")
def test_async_client_with_aclose(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("async-aclose")
    assert ours == official.result("async-aclose") == [1, 1]


official_job(
    "base-url",
    """
    from camunda_orchestration_sdk import CamundaClient

    result = {}
    for key in ("base_url", "token"):
        try:
            CamundaClient(**{key: "http://localhost:8080/v2"})
        except TypeError:
            result[key] = "TypeError"
    """,
)


@row("ctor-base-url")
def test_base_url_and_token_are_refused_by_both(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("base-url")
    assert ours == official.result("base-url") == {"base_url": "TypeError", "token": "TypeError"}


official_job(
    "client-keywords",
    """
    import httpx
    from camunda_orchestration_sdk import CamundaClient

    with CamundaClient(headers={"X-Team": "orders"}, timeout=httpx.Timeout(20.0), follow_redirects=False) as client:
        result = {"partitions": client.get_topology().partitions_count}
    """,
)


@row("ctor-client-keywords")
def test_the_client_keywords_for_httpx(official: OfficialRuns) -> None:
    ours, kit = ours_against_a_fresh_kit("client-keywords")
    assert ours == official.result("client-keywords") == {"partitions": 1}
    for cluster in (kit, official.kits["client-keywords"]):
        assert [r.headers.get("x-team") for r in cluster.requests] == ["orders"]


official_job(
    "verify-ssl",
    """
    from camunda_orchestration_sdk import CamundaClient

    with CamundaClient(verify_ssl=False) as client:
        result = {"partitions": client.get_topology().partitions_count}
    """,
)


@row("ctor-verify-ssl")
def test_turning_tls_verification_off_is_refused(official: OfficialRuns, camunda_cluster: FakeCluster) -> None:
    assert official.result("verify-ssl") == {"partitions": 1}
    from camunda_orchestration_sdk import ConfigurationError

    with pytest.raises(ConfigurationError, match=r"httpx_args\['verify'\].*CAMUNDA_CUSTOM_ROOT_CERT_PATH"):
        run_ours(OFFICIAL["verify-ssl"].code, kit_env(camunda_cluster))


official_job(
    "raise-on-unexpected",
    """
    from camunda_orchestration_sdk import CamundaClient

    with CamundaClient(raise_on_unexpected_status=True) as client:
        result = {"partitions": client.get_topology().partitions_count}
    """,
)


@row("ctor-raise-on-unexpected")
def test_raise_on_unexpected_status_is_not_taken(official: OfficialRuns, camunda_cluster: FakeCluster) -> None:
    assert official.result("raise-on-unexpected") == {"partitions": 1}
    with pytest.raises(TypeError, match="raise_on_unexpected_status"):
        run_ours(OFFICIAL["raise-on-unexpected"].code, kit_env(camunda_cluster))


# -- httpx_args -------------------------------------------------------------------------------------

official_job(
    "httpx-transport",
    """
    import httpx
    from camunda_orchestration_sdk import CamundaClient

    seen = []

    def answer(request):
        seen.append(request.url.path)
        return httpx.Response(200, json={
            "brokers": [], "clusterId": None, "clusterSize": 3, "partitionsCount": 6, "replicationFactor": 3,
            "gatewayVersion": "8.9.0", "lastCompletedChangeId": "-1",
        })

    with CamundaClient(
        configuration={"CAMUNDA_REST_ADDRESS": "http://camunda.invalid/v2", "CAMUNDA_AUTH_STRATEGY": "NONE"},
        httpx_args={"transport": httpx.MockTransport(answer)},
    ) as client:
        topology = client.get_topology()
    result = {"clusterSize": topology.cluster_size, "paths": seen}
    """,
)


@row("httpx-transport")
def test_httpx_args_transport(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("httpx-transport")
    assert ours == official.result("httpx-transport") == {"clusterSize": 3, "paths": ["/v2/topology"]}


official_job(
    "httpx-event-hooks",
    """
    from camunda_orchestration_sdk import CamundaClient

    seen = []
    with CamundaClient(httpx_args={"event_hooks": {"response": [lambda response: seen.append(response.status_code)]}}) as client:
        client.get_topology()
    result = {"statuses": seen}
    """,
)


@row("httpx-event-hooks")
def test_httpx_args_event_hooks(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("httpx-event-hooks")
    assert ours == official.result("httpx-event-hooks") == {"statuses": [200]}


official_job(
    "httpx-headers",
    """
    from camunda_orchestration_sdk import CamundaClient

    with CamundaClient(httpx_args={"headers": {"X-Trace": "t-1"}, "timeout": 20.0}) as client:
        result = {"partitions": client.get_topology().partitions_count}
    """,
)


@row("httpx-headers-timeout")
def test_httpx_args_headers_and_timeout(official: OfficialRuns) -> None:
    # The official client passes its own headers= and timeout= to httpx as well: these fail there.
    assert "multiple values for keyword argument 'headers'" in official.error("httpx-headers")
    ours, kit = ours_against_a_fresh_kit("httpx-headers")
    assert ours == {"partitions": 1}
    assert [r.headers.get("x-trace") for r in kit.requests] == ["t-1"]


# -- authentication -----------------------------------------------------------------------------------

official_job(
    "auth-provider",
    """
    import base64
    from camunda_orchestration_sdk import CamundaClient

    class TeamCredentials:
        # The official SDK's AuthProvider protocol: get_headers() -> Mapping[str, str].
        def get_headers(self):
            return {"Authorization": "Basic " + base64.b64encode(b"demo:demo").decode()}

    with CamundaClient(auth_provider=TeamCredentials()) as client:
        result = {"partitions": client.get_topology().partitions_count}
    """,
    require_auth="basic",
    basic_users={"demo": "demo"},
)


@row("auth-provider")
def test_a_get_headers_auth_provider(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("auth-provider")
    assert ours == official.result("auth-provider") == {"partitions": 1}


@row("auth-provider-official-classes")
def test_the_official_provider_classes_are_backed_elsewhere() -> None:
    # Backed by test_auth_provider.py, which hands the official SDK's own BasicAuthProvider and
    # (Async)OAuthClientCredentialsAuthProvider objects (loaded from its venv) to our clients.
    source = (Path(__file__).parent / "test_auth_provider.py").read_text()
    for test in (
        "test_the_official_basic_auth_provider_works_on_both_clients",
        "test_the_official_oauth_provider_works_on_the_sync_client",
        "test_the_official_async_oauth_provider_works_on_the_async_client",
    ):
        assert f"def {test}(" in source


def _basic_env(cluster: FakeCluster) -> dict[str, str]:
    return {
        "CAMUNDA_REST_ADDRESS": cluster.rest_address,
        "CAMUNDA_AUTH_STRATEGY": "BASIC",
        "CAMUNDA_BASIC_AUTH_USERNAME": "demo",
        "CAMUNDA_BASIC_AUTH_PASSWORD": "demo",
    }


official_job("basic-env", TOPOLOGY, _basic_env, require_auth="basic", basic_users={"demo": "demo"})


@row("auth-basic-env")
def test_basic_auth_from_the_environment(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("basic-env")
    assert ours == official.result("basic-env")


def _oauth_env(secret: str) -> Callable[[FakeCluster], dict[str, str]]:
    def env(cluster: FakeCluster) -> dict[str, str]:
        return {
            "CAMUNDA_REST_ADDRESS": cluster.rest_address,
            "CAMUNDA_AUTH_STRATEGY": "OAUTH",
            "CAMUNDA_CLIENT_ID": "orders",
            "CAMUNDA_CLIENT_SECRET": secret,
            "CAMUNDA_OAUTH_URL": cluster.oauth_url,
            "CAMUNDA_TOKEN_AUDIENCE": "zeebe.camunda.io",
            "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": "true",
        }

    return env


official_job(
    "oauth-env",
    """
    from camunda_orchestration_sdk import CamundaClient

    with CamundaClient() as client:
        calls = [client.get_topology().partitions_count for _ in range(3)]
    result = {"calls": calls}
    """,
    _oauth_env("s3cret"),
    require_auth="bearer",
    oauth_clients={"orders": "s3cret"},
)


@row("auth-oauth-env")
def test_oauth_client_credentials_from_the_environment(official: OfficialRuns) -> None:
    ours, kit = ours_against_a_fresh_kit("oauth-env")
    assert ours == official.result("oauth-env") == {"calls": [1, 1, 1]}
    assert _token_requests(kit) == _token_requests(official.kits["oauth-env"]) == 1


official_job(
    "oauth-rejected",
    """
    from camunda_orchestration_sdk import CamundaClient

    failures = []
    with CamundaClient() as client:
        for _ in range(3):
            try:
                client.get_topology()
            except Exception as exc:
                failures.append(type(exc).__name__)
    result = {"failures": failures}
    """,
    _oauth_env("wrong"),
    require_auth="bearer",
    oauth_clients={"orders": "s3cret"},
)


@row("auth-oauth-rejected")
def test_a_rejected_secret_is_asked_for_once(official: OfficialRuns) -> None:
    ours, kit = ours_against_a_fresh_kit("oauth-rejected")
    theirs = official.result("oauth-rejected")
    assert _token_requests(kit) == _token_requests(official.kits["oauth-rejected"]) == 1
    assert len(ours["failures"]) == len(theirs["failures"]) == 3
    # What is raised differs (the "changes" half of the row).
    assert set(ours["failures"]) == {"AuthenticationError"}
    assert set(theirs["failures"]) == {"HTTPStatusError"}


# -- operations, models and results ---------------------------------------------------------------------

official_job(
    "deploy-create",
    f"""
    from camunda_orchestration_sdk import CamundaClient
    from camunda_orchestration_sdk.models import ProcessCreationByKey

    with CamundaClient() as client:
        deployment = client.deploy_resources_from_files([{str(BPMN)!r}])
        process = deployment.processes[0]
        created = client.create_process_instance(
            data=ProcessCreationByKey(process_definition_key=process.process_definition_key)
        )
        fetched = client.get_process_instance(process_instance_key=created.process_instance_key)
    result = {{
        "processId": str(process.process_definition_id),
        "keysAreStr": isinstance(created.process_instance_key, str),
        "sameInstance": str(fetched.process_instance_key) == str(created.process_instance_key),
    }}
    """,
)


@row("ops-deploy-create")
def test_deploy_and_create_by_key(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("deploy-create")
    assert ours == official.result("deploy-create") == {"processId": "fidelity-order", "keysAreStr": True, "sameInstance": True}


official_job(
    "activate",
    f"""
    from camunda_orchestration_sdk import CamundaClient
    from camunda_orchestration_sdk.models import (
        JobActivationRequest, ProcessCreationByKey, ProcessInstanceCreationInstructionByKeyVariables,
    )

    with CamundaClient() as client:
        process = client.deploy_resources_from_files([{str(BPMN)!r}]).processes[0]
        client.create_process_instance(data=ProcessCreationByKey(
            process_definition_key=process.process_definition_key,
            variables=ProcessInstanceCreationInstructionByKeyVariables.from_dict({{"orderId": "A-1", "amount": 150}}),
        ))
        jobs = client.activate_jobs(data=JobActivationRequest(
            type_="fidelity-high-review", timeout=30000, max_jobs_to_activate=5, request_timeout=2000,
        )).jobs
    result = {{"types": [str(j.type_) for j in jobs], "variables": [j.variables.to_dict() for j in jobs]}}
    """,
)
ACTIVATE_OURS = f"""
from camunda_orchestration_sdk import CamundaClient
from camunda_orchestration_sdk.models import JobActivationRequest, ProcessCreationByKey

with CamundaClient() as client:
    process = client.deploy_resources_from_files([{str(BPMN)!r}]).processes[0]
    client.create_process_instance(data=ProcessCreationByKey(
        process_definition_key=process.process_definition_key,
        variables={{"orderId": "A-1", "amount": 150}},
    ))
    jobs = client.activate_jobs(data=JobActivationRequest(
        type="fidelity-high-review", timeout=30000, max_jobs_to_activate=5, request_timeout=2000,
    )).jobs
result = {{"types": [j.type for j in jobs], "variables": [dict(j.variables) for j in jobs]}}
"""


@row("models-variables", "models-trailing-underscore")
def test_variables_are_dicts_and_fields_lose_their_underscore(official: OfficialRuns, camunda_cluster: FakeCluster) -> None:
    with pytest.raises(ImportError, match="ProcessInstanceCreationInstructionByKeyVariables"):
        run_ours(OFFICIAL["activate"].code, kit_env(camunda_cluster))
    ours = run_ours(ACTIVATE_OURS, kit_env(camunda_cluster))
    assert ours == official.result("activate") == {
        "types": ["fidelity-high-review"],
        "variables": [{"orderId": "A-1", "amount": 150}],
    }


official_job(
    "search",
    f"""
    from camunda_orchestration_sdk import CamundaClient
    from camunda_orchestration_sdk.models import (
        ProcessCreationByKey, ProcessInstanceSearchQuery, ProcessInstanceSearchQueryFilter,
    )

    with CamundaClient() as client:
        process = client.deploy_resources_from_files([{str(BPMN)!r}]).processes[0]
        client.create_process_instance(data=ProcessCreationByKey(process_definition_key=process.process_definition_key))
        found = client.search_process_instances(data=ProcessInstanceSearchQuery(
            filter_=ProcessInstanceSearchQueryFilter(process_definition_id="fidelity-order")
        ))
    result = {{"items": len(found.items), "total": found.page.total_items}}
    """,
)
SEARCH_OURS = f"""
from camunda_orchestration_sdk import CamundaClient
from camunda_orchestration_sdk.models import ProcessCreationByKey, ProcessInstanceFilter, ProcessInstanceSearchQuery

with CamundaClient() as client:
    process = client.deploy_resources_from_files([{str(BPMN)!r}]).processes[0]
    client.create_process_instance(data=ProcessCreationByKey(process_definition_key=process.process_definition_key))
    found = client.search_process_instances(data=ProcessInstanceSearchQuery(
        filter=ProcessInstanceFilter(process_definition_id="fidelity-order")
    ))
result = {{"items": len(found.items), "total": found.page.total_items}}
"""


@row("models-filter-names", "results-shape")
def test_search_filters_have_the_schema_names(official: OfficialRuns, camunda_cluster: FakeCluster) -> None:
    with pytest.raises(ImportError, match="ProcessInstanceSearchQueryFilter"):
        run_ours(OFFICIAL["search"].code, kit_env(camunda_cluster))
    with FakeCluster() as mine:
        ours = run_ours(SEARCH_OURS, kit_env(mine))
    assert ours == official.result("search") == {"items": 1, "total": 1}


@row("ops-positional-path")
def test_path_parameters_are_keywords(camunda_cluster: FakeCluster) -> None:
    snippet = """
    from camunda_orchestration_sdk import CamundaClient

    with CamundaClient() as client:
        client.get_process_instance("2251799813685249")
    result = {}
    """
    with pytest.raises(TypeError, match="positional"):
        run_ours(snippet, kit_env(camunda_cluster))


official_job(
    "to-dict",
    """
    from camunda_orchestration_sdk.models import ProcessCreationByKey

    result = ProcessCreationByKey(process_definition_key="2251799813685249").to_dict()
    """,
)


@row("models-to-dict")
def test_models_to_and_from_wire_dicts(official: OfficialRuns) -> None:
    with pytest.raises(AttributeError, match="to_dict"):
        run_ours(OFFICIAL["to-dict"].code, {})
    replacement = """
    from camunda_core.serialization.converter import structure, unstructure
    from camunda_orchestration_sdk.models import ProcessCreationByKey

    model = ProcessCreationByKey(process_definition_key="2251799813685249")
    result = unstructure(model)
    assert structure(result, ProcessCreationByKey) == model
    """
    assert run_ours(replacement, {}) == official.result("to-dict") == {"processDefinitionKey": "2251799813685249"}


official_job(
    "semantic-types",
    """
    from camunda_orchestration_sdk.semantic_types import ProcessDefinitionKey, ProcessInstanceKey

    key = ProcessDefinitionKey("2251799813685249")
    result = {"str": isinstance(key, str), "value": key, "same": ProcessInstanceKey("1") == "1"}
    """,
)


@row("semantic-types")
def test_semantic_key_types(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("semantic-types")
    assert ours == official.result("semantic-types") == {"str": True, "value": "2251799813685249", "same": True}
    # What changes: ours are typing.NewType (nothing checked when built).
    from camunda_orchestration_sdk.semantic_types import ProcessDefinitionKey

    assert ProcessDefinitionKey("not-a-number") == "not-a-number"


# -- errors -------------------------------------------------------------------------------------------------

official_job(
    "api-error",
    """
    from camunda_orchestration_sdk import CamundaClient
    from camunda_orchestration_sdk.errors import ApiError

    with CamundaClient() as client:
        try:
            client.get_process_instance(process_instance_key="2251799813685249")
        except ApiError as error:
            result = {"status_code": error.status_code, "is_api_error": True}
    """,
)


@row("errors-api-error")
def test_api_error_and_its_status_code(official: OfficialRuns) -> None:
    ours, _ = ours_against_a_fresh_kit("api-error")
    assert ours == official.result("api-error") == {"status_code": 404, "is_api_error": True}


official_job(
    "status-classes",
    """
    from camunda_orchestration_sdk import CamundaClient
    from camunda_orchestration_sdk.errors import NotFoundError

    with CamundaClient() as client:
        try:
            client.get_process_instance(process_instance_key="2251799813685249")
        except NotFoundError as error:
            result = {"class": "not found", "content": bool(error.content), "op": error.operation_id}
    """,
)


@row("errors-status-classes")
def test_per_status_classes_keep_their_names_and_content(official: OfficialRuns, camunda_cluster: FakeCluster) -> None:
    assert official.result("status-classes") == {"class": "not found", "content": True, "op": "get_process_instance"}
    # The same snippet runs here unchanged: NotFoundError is our NotFound, content the body's bytes.
    ours = run_ours(OFFICIAL["status-classes"].code, kit_env(camunda_cluster))
    assert ours == {"class": "not found", "content": True, "op": "getProcessInstance"}


@row("errors-parsed-and-operation-id")
def test_parsed_operation_id_and_unsent_statuses_change(camunda_cluster: FakeCluster) -> None:
    ours = run_ours(
        """
        from camunda_orchestration_sdk import CamundaClient
        from camunda_orchestration_sdk.errors import NotFoundError

        with CamundaClient() as client:
            try:
                client.get_process_instance(process_instance_key="2251799813685249")
            except NotFoundError as error:
                result = {
                    "parsed": hasattr(error, "parsed"),
                    "title": error.problem.get("title"),
                    "op": error.operation_id,
                }
        """,
        kit_env(camunda_cluster),
    )
    assert ours == {"parsed": False, "title": "NOT_FOUND", "op": "getProcessInstance"}
    import camunda_orchestration_sdk.errors as errors

    for absent in ("UnexpectedStatus", "GoneError", "NotImplementedError_", "UnprocessableEntityError"):
        assert not hasattr(errors, absent)


TRANSPORT = official_job(
    "transport-error",
    """
    from camunda_orchestration_sdk import CamundaClient

    client = CamundaClient(configuration={
        "CAMUNDA_REST_ADDRESS": "http://127.0.0.1:9/v2", "CAMUNDA_AUTH_STRATEGY": "NONE",
    })
    try:
        client.get_topology()
    except Exception as exc:
        result = {"mro": [c.__module__.split(".")[0] + "." + c.__name__ for c in type(exc).__mro__]}
    finally:
        client.close()
    """,
    lambda c: {},
)


@row("errors-transport")
def test_transport_failures_are_sdk_errors(official: OfficialRuns) -> None:
    assert "httpx.ConnectError" in official.result("transport-error")["mro"]
    ours = run_ours(TRANSPORT, {"CAMUNDA_RETRY_MAX_ATTEMPTS": "1"})
    assert "camunda_core.TransportConnectionError" in ours["mro"]
    assert "camunda_core.CamundaError" in ours["mro"]


official_job(
    "configuration-error",
    """
    from camunda_orchestration_sdk import CamundaClient

    try:
        CamundaClient(configuration={"CAMUNDA_AUTH_STRATEGY": "BASIC"})
    except ValueError as exc:
        result = {"value_error": True, "names_variable": "CAMUNDA_BASIC_AUTH_USERNAME" in str(exc)}
    """,
    lambda c: {},
)


@row("errors-configuration")
def test_configuration_errors_are_value_errors(official: OfficialRuns) -> None:
    ours = run_ours(OFFICIAL["configuration-error"].code, {})
    assert ours == official.result("configuration-error") == {"value_error": True, "names_variable": True}


# -- job workers -------------------------------------------------------------------------------------------

official_job(
    "worker",
    f"""
    import asyncio, time
    from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient, WorkerConfig
    from camunda_orchestration_sdk.models import ProcessCreationByKey, ProcessInstanceCreationInstructionByKeyVariables

    with CamundaClient() as client:
        process = client.deploy_resources_from_files([{str(BPMN)!r}]).processes[0]
        client.create_process_instance(data=ProcessCreationByKey(
            process_definition_key=process.process_definition_key,
            variables=ProcessInstanceCreationInstructionByKeyVariables.from_dict({{"orderId": "A-1", "amount": 150}}),
        ))

    handled = []

    async def main():
        async with CamundaAsyncClient() as client:
            async def review(job):
                handled.append(job.variables.to_dict()["orderId"])
                return {{"reviewedBy": "bot"}}

            worker = client.create_job_worker(
                config=WorkerConfig(job_type="fidelity-high-review", job_timeout_milliseconds=30000),
                callback=review,
                execution_strategy="async",
            )
            deadline = time.monotonic() + 10
            while not handled and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.3)
            worker.stop()

    asyncio.run(main())
    result = {{"handled": handled}}
    """,
)
WORKER_OURS = f"""
import asyncio, time
from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient, WorkerConfig
from camunda_orchestration_sdk.models import ProcessCreationByKey

with CamundaClient() as client:
    process = client.deploy_resources_from_files([{str(BPMN)!r}]).processes[0]
    client.create_process_instance(data=ProcessCreationByKey(
        process_definition_key=process.process_definition_key,
        variables={{"orderId": "A-1", "amount": 150}},
    ))

handled = []

async def main():
    async with CamundaAsyncClient() as client:
        async def review(job):
            handled.append(job.variables["orderId"])
            return {{"reviewedBy": "bot"}}

        worker = client.create_job_worker(
            config=WorkerConfig(job_type="fidelity-high-review", job_timeout_milliseconds=30000, execution_strategy="async"),
            callback=review,
        )
        deadline = time.monotonic() + 10
        while not handled and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await worker.stop()

asyncio.run(main())
result = {{"handled": handled}}
"""


def _reviewed(cluster: FakeCluster) -> bool:
    bodies: list[dict[str, Any]] = [r.json or {} for r in cluster.requests if r.operation == "completeJob"]
    variables: list[dict[str, Any]] = [body.get("variables") or {} for body in bodies]
    return any(v.get("reviewedBy") == "bot" for v in variables)


@row("workers-create", "workers-handler-variables")
def test_a_job_worker(official: OfficialRuns) -> None:
    assert official.result("worker") == {"handled": ["A-1"]}
    assert _reviewed(official.kits["worker"])
    # execution_strategy= beside config= (the official way) is a TypeError here: it is a WorkerConfig field.
    official_style = WORKER_OURS.replace(
        ', execution_strategy="async"),', '),\n            execution_strategy="async",'
    )
    with FakeCluster() as mine, pytest.raises(TypeError, match="execution_strategy"):
        run_ours(official_style, kit_env(mine))
    with FakeCluster() as mine:
        ours = run_ours(WORKER_OURS, kit_env(mine))
        assert _reviewed(mine)
    assert ours == {"handled": ["A-1"]}


official_job(
    "job-error",
    """
    from camunda_orchestration_sdk import JobError, JobFailure

    error = JobError("NO_STOCK", "nothing left")
    failure = JobFailure("try later", retries=2, retry_back_off=1000)
    result = {"message": error.message, "retries": failure.retries, "back_off": failure.retry_back_off}
    """,
    lambda c: {},
)


@row("workers-job-error")
def test_job_error_and_failure(official: OfficialRuns) -> None:
    ours = run_ours(OFFICIAL["job-error"].code, {})
    assert ours == official.result("job-error") == {"message": "nothing left", "retries": 2, "back_off": 1000}
    # What changes: the code attribute, and retries only by keyword.
    from camunda_orchestration_sdk import JobError, JobFailure

    assert JobError("NO_STOCK").code == "NO_STOCK"
    assert not hasattr(JobError("NO_STOCK"), "error_code")
    with pytest.raises(TypeError):
        JobFailure("try later", 2)  # type: ignore[misc]  # pyright: ignore[reportCallIssue]


def test_snippets_do_not_leak_the_environment() -> None:
    before = {k: v for k, v in os.environ.items() if k.startswith(("CAMUNDA_", "ZEEBE_"))}
    run_ours("result = 1", {"CAMUNDA_REST_ADDRESS": "http://elsewhere/v2"})
    assert {k: v for k, v in os.environ.items() if k.startswith(("CAMUNDA_", "ZEEBE_"))} == before


def test_a_snippet_leaves_no_event_loop_running() -> None:
    run_ours("import asyncio\nresult = asyncio.run(asyncio.sleep(0, 3))", {})
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
