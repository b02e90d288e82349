"""The fake cluster's engine: its state and behaviour, one concern per module, behind the
``Engine`` facade that the routes and ``FakeCluster`` use.

Everything here runs on the server's event loop thread, so no locks are needed. Errors
are raised as :class:`Problem` and become RFC 9457 responses.
"""

from __future__ import annotations

from .activation import ActivationRequest
from .clock import EngineClock, iso_timestamp, wall_ms
from .deployments import Deployments
from .documents import DocumentStore
from .jobs import JobCommands
from .messages import MessageCorrelation
from .model import DEFAULT_TENANT, ProcessDefinition, selected_variables
from .problem import Problem
from .resources import ProcessModel
from .stats import ClusterStats
from .user_tasks import UserTaskCommands
from .views import DeployedProcess, InstanceView, JobView, PublishedMessage, instance_view, job_view

__all__ = [
    "DEFAULT_TENANT",
    "ActivationRequest",
    "ClusterStats",
    "DeployedProcess",
    "Engine",
    "InstanceView",
    "JobView",
    "Problem",
    "ProcessDefinition",
    "PublishedMessage",
    "instance_view",
    "iso_timestamp",
    "job_view",
    "EngineClock",
    "wall_ms",
    "selected_variables",
]


class Engine(Deployments, JobCommands, MessageCorrelation, UserTaskCommands, DocumentStore):
    """Deployments, process instances, job activation and commands, messages and documents
    over one shared :class:`~.state.EngineState`.

    The parts build on each other where the behaviour does: instances on job activation
    (starting or cancelling one offers or withdraws a job), job commands and messages on
    instances (completing a job advances its instance; a message can start one).
    """

    def __init__(self, first_key: int | None = None) -> None:
        super().__init__(first_key)
        # Advancing the clock runs what became due: job timeouts, back-offs and timers.
        self.clock.on_advance(self.release_due)

    def _add_process(self, model: ProcessModel, resource_name: str, content: bytes,
                     tenant_id: str, deployment_key: str) -> ProcessDefinition:  # fmt: skip
        definition = super()._add_process(model, resource_name, content, tenant_id, deployment_key)
        self._arm_start_timers(definition)
        return definition

    def stats(self) -> ClusterStats:
        return self.counters.snapshot()

    def reset_stats(self) -> None:
        self.counters = self.counters.restarted()
