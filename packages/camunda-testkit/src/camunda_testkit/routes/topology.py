"""``GET /v2/topology`` and ``GET /v2/status``: one healthy broker with one partition."""

from __future__ import annotations

from .._http import HttpResponse
from ..engine import Engine
from .router import ApiRequest, Route

__all__ = ["ROUTES"]

_TOPOLOGY = {
    "brokers": [
        {
            "nodeId": 0,
            "host": "127.0.0.1",
            "port": 26501,
            "partitions": [{"partitionId": 1, "role": "leader", "health": "healthy"}],
            "version": "8.9.0",
        }
    ],
    "clusterId": "camunda-testkit",
    "clusterSize": 1,
    "partitionsCount": 1,
    "replicationFactor": 1,
    "gatewayVersion": "8.9.0",
    "lastCompletedChangeId": "-1",
}


def get_topology(engine: Engine, request: ApiRequest) -> HttpResponse:
    return HttpResponse.json(200, _TOPOLOGY)


def get_status(engine: Engine, request: ApiRequest) -> HttpResponse:
    return HttpResponse.empty(204)


ROUTES = (
    Route("GET", "/v2/topology", "getTopology", get_topology),
    Route("GET", "/v2/status", "getStatus", get_status),
)
