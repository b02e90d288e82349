"""require_auth, the OAuth token endpoint, and Basic auth."""

from __future__ import annotations

import base64

import httpx
import pytest

from camunda_testkit import FakeCluster


def _token(cluster: FakeCluster, **form: str) -> httpx.Response:
    data = {
        "grant_type": "client_credentials",
        "client_id": "app",
        "client_secret": "s3cret",
        "audience": "zeebe.camunda.io",
        **form,
    }
    return httpx.post(cluster.oauth_url, data=data)


def test_bearer_tokens_from_the_token_endpoint() -> None:
    with FakeCluster(require_auth="bearer", oauth_clients={"app": "s3cret"}) as cluster:
        assert httpx.get(f"{cluster.rest_address}/topology").status_code == 401
        issued = _token(cluster)
        assert issued.status_code == 200
        body = issued.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        assert httpx.get(f"{cluster.rest_address}/topology", headers=headers).status_code == 200
        assert (
            httpx.get(
                f"{cluster.rest_address}/topology", headers={"Authorization": "Bearer nope"}
            ).status_code
            == 401
        )
        cluster.expire_tokens()
        rejected = httpx.get(f"{cluster.rest_address}/topology", headers=headers)
        assert rejected.status_code == 401
        assert rejected.headers["www-authenticate"] == "Bearer"
        assert cluster.stats.token_requests == 1


def test_token_endpoint_rejects_bad_clients_and_grants() -> None:
    with FakeCluster(require_auth="bearer", oauth_clients={"app": "s3cret"}) as cluster:
        wrong = _token(cluster, client_secret="guess")
        assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
        grant = _token(cluster, grant_type="password")
        assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")


def test_client_secret_basic_is_accepted() -> None:
    with FakeCluster(require_auth="bearer", oauth_clients={"app": "s3cret"}) as cluster:
        credentials = base64.b64encode(b"app:s3cret").decode()
        issued = httpx.post(
            cluster.oauth_url,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {credentials}"},
        )
        assert issued.status_code == 200


def test_tokens_expire_after_their_lifetime() -> None:
    with FakeCluster(require_auth="bearer", token_lifetime=0.05) as cluster:
        token = _token(cluster).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        cluster.wait_for(
            lambda c: httpx.get(f"{c.rest_address}/status", headers=headers).status_code == 401,
            description="token expiry",
        )


def test_added_tokens() -> None:
    with FakeCluster(require_auth="bearer") as cluster:
        cluster.add_token("t-1", expires_in=60)
        ok = httpx.get(f"{cluster.rest_address}/status", headers={"Authorization": "Bearer t-1"})
        assert ok.status_code == 204
        with pytest.raises(ValueError, match="token"):
            cluster.add_token("")


def test_basic_auth() -> None:
    with FakeCluster(require_auth="basic", basic_users={"demo": "demo"}) as cluster:
        url = f"{cluster.rest_address}/topology"
        assert httpx.get(url, auth=("demo", "demo")).status_code == 200
        assert httpx.get(url, auth=("demo", "wrong")).status_code == 401
        missing = httpx.get(url)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Basic")


def test_constructor_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="require_auth"):
        FakeCluster(require_auth="oauth")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="port"):
        FakeCluster(port=70000)
    with pytest.raises(ValueError, match="token_lifetime"):
        FakeCluster(token_lifetime=0)
