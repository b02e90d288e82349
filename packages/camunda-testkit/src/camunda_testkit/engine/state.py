"""Everything the engine holds, in one place; the engine's parts (mixins) share it.

All of it lives on the server's event loop thread (the public ``FakeCluster`` methods
hop onto it), so no locks are needed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from .bpmn.model import Element, Flow
from .bpmn.runtime import ElementInstance, Incident, MessageSubscription, Timer, UserTask
from .clock import EngineClock
from .model import Job, ProcessDefinition, ProcessInstance, StoredDocument
from .stats import Counters
from .views import PublishedMessage

__all__ = ["FIRST_KEY", "EngineState"]

# Keys count up from here, as on a fresh broker's first partition.
FIRST_KEY = 2251799813685249


class EngineState:
    def __init__(self, first_key: int | None = None) -> None:
        # Set by the server thread once its loop runs: timers and long polls need it.
        self.loop: asyncio.AbstractEventLoop | None = None
        # The engine's time; tests move it with FakeCluster.clock.advance(...).
        self.clock = EngineClock()
        self._next_key: int = FIRST_KEY if first_key is None else first_key
        self.counters = Counters()
        # Deployments.
        self.definitions: dict[str, ProcessDefinition] = {}
        self._latest: dict[tuple[str, str], ProcessDefinition] = {}  # (process id, tenant)
        self._versions: dict[tuple[str, str, str], int] = {}  # (kind, resource id, tenant)
        self.decisions: list[dict[str, Any]] = []
        self.forms: list[dict[str, Any]] = []
        # Process instances and their jobs, in creation order.
        self.instances: dict[str, ProcessInstance] = {}
        self.jobs: dict[str, Job] = {}
        # Job activation: queues per job type (FIFO), heaps of (due ms, activation_seq, job key).
        self._activatable: dict[str, dict[str, Job]] = {}
        self._deadlines: list[tuple[int, int, str]] = []
        self._backoffs: list[tuple[int, int, str]] = []
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}  # long polls per job type
        self._activation_seq: int = 0
        # The interpreter's agenda: (element, scope, incoming flow) to activate, in order.
        self._agenda: deque[tuple[Element, ElementInstance, Flow | None]] = deque()
        self.incidents: dict[str, Incident] = {}
        # Timers on the engine clock: a heap of (due ms, sequence, timer); cancelled ones
        # stay in it until they come up. Timer start events by (process id, tenant).
        self._timers: list[tuple[int, int, Timer]] = []
        self._timer_seq: int = 0
        self._start_timers: dict[tuple[str, str], list[Timer]] = {}
        # User tasks by key, in creation order.
        self.user_tasks: dict[str, UserTask] = {}
        # Open message subscriptions by (name, correlation key, tenant), in opening order.
        self.subscriptions: dict[tuple[str, str, str], list[MessageSubscription]] = {}
        # Messages with a time to live: (message, expiry ms, keys of instances it reached).
        self.buffered_messages: list[tuple[PublishedMessage, int, set[str]]] = []
        # Messages and documents.
        self.messages: list[PublishedMessage] = []
        self.documents: dict[str, StoredDocument] = {}

    def new_key(self) -> str:
        key = self._next_key
        self._next_key += 1
        return str(key)
