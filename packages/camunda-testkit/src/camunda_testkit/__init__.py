"""A stateful fake Camunda 8 Orchestration Cluster on loopback, for tests.

    with FakeCluster() as cluster:
        cluster.deploy_bpmn(xml)
        ...  # point a client at cluster.rest_address

See ``docs/testkit.md`` for what it models and what it does not.
"""

from __future__ import annotations

from .cluster import ClusterClock, FakeCluster, RecordedRequest
from .engine import ClusterStats, DeployedProcess, InstanceView, JobView, PublishedMessage
from .faults import FaultInjector, FaultRule

__all__ = [
    "ClusterClock",
    "ClusterStats",
    "DeployedProcess",
    "FakeCluster",
    "FaultInjector",
    "FaultRule",
    "InstanceView",
    "JobView",
    "PublishedMessage",
    "RecordedRequest",
]
