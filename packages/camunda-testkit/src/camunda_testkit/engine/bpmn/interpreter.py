"""The token interpreter: element instances are activated along sequence flows, wait
(jobs, message subscriptions, joins) and complete; scopes complete when nothing is left in
them. It is a part (mixin) of the engine, over the engine's state and job activation.

Activations go through an agenda (a FIFO queue) that each command drains before it
answers, so long chains of pass-through elements need no recursion.
"""

from __future__ import annotations

import heapq
from collections import ChainMap
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, cast

from ...feel import FeelError, to_json
from ..activation import JobActivation
from ..model import CANCELED, ERROR_THROWN, OPEN_JOB_STATES, Job, ProcessDefinition, ProcessInstance
from ..problem import Problem
from .events import correlation_key_text, find_error_catch, find_escalation_catch
from .gateways import NoFlowTaken, outgoing_flows
from .mappings import evaluate_expression, evaluate_mappings
from .model import Element, Expression, Flow, TaskModel
from .runtime import (
    ACTIVE,
    COMPLETED,
    TERMINATED,
    ElementInstance,
    Incident,
    MessageSubscription,
    MultiInstanceState,
    Timer,
    UserTask,
)
from .timers import add_interval, timer_schedule
from .variables import propagate, visible

__all__ = ["ProcessInterpreter"]

_JOINS = ("parallelGateway", "inclusiveGateway")


class ProcessInterpreter(JobActivation):
    # -- starting and driving ---------------------------------------------------------------

    def _new_instance(self, definition: ProcessDefinition, variables: dict[str, Any],
                      tenant_id: str, tags: list[str], business_id: str | None, start: Element,
                      caller: ElementInstance | None = None) -> ProcessInstance:  # fmt: skip
        """Create an instance and run it from ``start`` until it waits."""
        instance = ProcessInstance(key=self.new_key(), definition=definition,
                                   variables=dict(variables), tenant_id=tenant_id, tags=tags,
                                   business_id=business_id, start_ms=self.clock.now_ms(),
                                   caller=caller)  # fmt: skip
        self.instances[instance.key] = instance
        self.counters.created_instances += 1
        if caller is not None:
            caller.child_instance = instance
        self._start_instance(instance, start)
        return instance

    def _start_instance(self, instance: ProcessInstance, start: Element) -> None:
        root = ElementInstance(instance.key, instance.definition.model.root, instance, None,
                               instance.start_ms, instance.variables)  # fmt: skip
        instance.root = root
        instance.element_instances[root.key] = root
        self._schedule(start, root, None)
        self._run_agenda()

    def _schedule(self, element: Element, scope: ElementInstance, flow: Flow | None) -> None:
        scope.in_transit += 1
        self._agenda.append((element, scope, flow))

    def _run_agenda(self) -> None:
        agenda = self._agenda
        while agenda:
            element, scope, flow = agenda.popleft()
            scope.in_transit -= 1
            if scope.state == ACTIVE:
                self._arrive(element, scope, flow)

    def _arrive(self, element: Element, scope: ElementInstance, flow: Flow | None) -> None:
        if element.type in _JOINS and len(element.incoming) > 1 and flow is not None:
            waiting = scope.joins.setdefault(element.id, {})
            waiting[flow.id] = waiting.get(flow.id, 0) + 1
            if element.type == "parallelGateway":
                if all(waiting.get(f.id, 0) > 0 for f in element.incoming):
                    self._fire_join(element, scope)
            elif scope.in_transit == 0:
                self._try_inclusive_joins(scope)
            return
        self._enter(self._new_element_instance(element, scope))

    def _new_element_instance(self, element: Element, scope: ElementInstance) -> ElementInstance:
        instance = scope.instance
        element_instance = ElementInstance(self.new_key(), element, instance, scope, self.clock.now_ms())
        scope.children[element_instance.key] = element_instance
        instance.element_instances[element_instance.key] = element_instance
        return element_instance

    def _fire_join(self, gateway: Element, scope: ElementInstance) -> None:
        waiting = scope.joins[gateway.id]
        for flow_id in list(waiting):
            waiting[flow_id] -= 1
            if waiting[flow_id] == 0:
                del waiting[flow_id]
        if not waiting:
            del scope.joins[gateway.id]
        self._enter(self._new_element_instance(gateway, scope))

    def _try_inclusive_joins(self, scope: ElementInstance) -> None:
        """Fire each inclusive join with waiting tokens that no other token can still reach."""
        elements = scope.element.scope
        assert elements is not None
        for gateway_id in list(scope.joins):
            gateway = elements.elements[gateway_id]
            if gateway.type != "inclusiveGateway" or gateway_id not in scope.joins:
                continue
            blocked = any(gateway_id in child.element.reachable for child in scope.children.values())
            blocked = blocked or any(
                gateway_id in elements.elements[other].reachable
                for other in scope.joins
                if other != gateway_id
            )
            if not blocked:
                self._fire_join(gateway, scope)

    # -- element behaviour ------------------------------------------------------------------

    def _enter(self, element_instance: ElementInstance) -> None:
        element = element_instance.element
        kind = element.type
        if element_instance.is_body:
            self._enter_body(element_instance)
            return
        if element.inputs and not self._apply_inputs(element_instance):
            return
        if not element_instance.is_inner:
            self._arm_boundary_timers(element_instance)
            if not self._open_boundary_subscriptions(element_instance):
                return  # an incident, or a buffered message already interrupted it
        if element.task is not None:
            self._create_job(element_instance)
        elif kind == "userTask":
            self._create_user_task(element_instance)
        elif kind == "callActivity":
            self._call(element_instance)
        elif kind == "intermediateCatchEvent" and element.event == "timer":
            self._arm_timer(element_instance, element)
        elif kind == "subProcess":
            assert element.scope is not None and element.scope.none_start is not None
            self._schedule(element.scope.none_start, element_instance, None)
        elif kind in ("intermediateCatchEvent", "receiveTask"):
            self._open_subscription(element_instance, element_instance, element)
        elif kind == "eventBasedGateway":
            assert element_instance.parent is not None
            targets = element_instance.parent.element.scope
            assert targets is not None
            for flow in element.outgoing:
                if element_instance.state != ACTIVE:
                    break  # a buffered message already chose
                target = targets.elements[flow.target]
                if target.event == "timer":
                    self._arm_timer(element_instance, target)
                else:
                    self._open_subscription(element_instance, element_instance, target)
        elif element.event == "escalation":  # an intermediate throw or end event
            self._throw_escalation(element_instance)
        elif kind == "endEvent" and element.event == "terminate":
            parent = element_instance.parent
            assert parent is not None
            for child in list(parent.children.values()):
                if child is not element_instance:
                    self._terminate(child)
            parent.joins.clear()
            # Tokens on their way inside the scope are gone too.
            agenda = self._agenda
            kept = [entry for entry in agenda if entry[1] is not parent]
            agenda.clear()
            agenda.extend(kept)
            parent.in_transit = 0
            self._finish(element_instance)
        else:  # start and end events, pass-through tasks and events, gateways
            self._finish(element_instance)

    def _apply_inputs(self, element_instance: ElementInstance) -> bool:
        try:
            values = evaluate_mappings(element_instance.element.inputs, visible(element_instance))
        except FeelError as exc:
            self._raise_incident(element_instance, "IO_MAPPING_ERROR", str(exc),
                                 retry=lambda: self._enter(element_instance))  # fmt: skip
            return False
        element_instance.variables.update(values)
        return True

    def _complete_with(self, element_instance: ElementInstance, variables: dict[str, Any]) -> None:
        """Complete a waiting element with the variables it received (a job's, a message's)."""
        element = element_instance.element
        if element.outputs:
            element_instance.variables.update(variables)
            try:
                values = evaluate_mappings(element.outputs, visible(element_instance))
            except FeelError as exc:
                self._raise_incident(element_instance, "IO_MAPPING_ERROR", str(exc),
                                     retry=lambda: self._complete_with(element_instance, {}))  # fmt: skip
                return
            assert element_instance.parent is not None
            propagate(element_instance.parent, values)
        elif variables:
            # As in Zeebe: from the element itself outwards (a local variable of the same
            # name, from an input mapping, takes the value and keeps it local).
            propagate(element_instance, variables)
        self._finish(element_instance)

    def _finish(self, element_instance: ElementInstance) -> None:
        """Complete the element and take its outgoing flows (an incident if it cannot)."""
        element = element_instance.element
        if element_instance.is_inner:
            self._finish_inner(element_instance)
            return
        try:
            flows = outgoing_flows(element, visible(element_instance)) if element.outgoing else []
        except (NoFlowTaken, FeelError) as exc:
            self._raise_incident(element_instance, "CONDITION_ERROR", str(exc),
                                 retry=lambda: self._finish(element_instance))  # fmt: skip
            return
        self._close(element_instance, COMPLETED)
        scope = element_instance.parent
        if scope is None:
            return
        targets = scope.element.scope
        assert targets is not None
        for flow in flows:
            self._schedule(targets.elements[flow.target], scope, flow)
        self._check_scope(scope)

    def _close(self, element_instance: ElementInstance, state: str) -> None:
        element_instance.state = state
        element_instance.end_ms = self.clock.now_ms()
        for subscription in element_instance.subscriptions:
            self._drop_subscription(subscription)
        element_instance.subscriptions.clear()
        for timer in element_instance.timers:
            if timer.state == "ACTIVE":
                timer.state = "CANCELED"
        element_instance.timers.clear()
        if element_instance.incident is not None:
            self._resolve_incident_record(element_instance.incident)
        if element_instance.parent is not None:
            element_instance.parent.children.pop(element_instance.key, None)

    def _check_scope(self, scope: ElementInstance) -> None:
        """Complete ``scope`` when no token is left in it."""
        if scope.state != ACTIVE or scope.in_transit:
            return
        if scope.joins:
            self._try_inclusive_joins(scope)
        if scope.children or scope.in_transit or scope.joins:
            return
        if scope.parent is None:
            self._complete_instance(scope.instance)
        else:
            self._complete_with(scope, {})

    def _complete_instance(self, instance: ProcessInstance) -> None:
        assert instance.root is not None
        instance.root.state = COMPLETED
        instance.root.end_ms = self.clock.now_ms()
        instance.state = "COMPLETED"
        instance.end_ms = instance.root.end_ms
        self.counters.completed_instances += 1
        self._resolve_completion_waiters(instance)
        caller = instance.caller
        if caller is not None and caller.state == ACTIVE and caller.child_instance is instance:
            # The call activity moves on with the child's variables (all of them, unless
            # propagateAllChildVariables="false" and no output mappings say otherwise).
            caller.child_instance = None
            called = caller.element.called
            assert called is not None
            passed = caller.element.outputs or called.propagate_all_child
            self._complete_with(caller, dict(instance.variables) if passed else {})

    def _terminate_instance(self, instance: ProcessInstance) -> None:
        """Terminate a whole instance (and the instances it called)."""
        root = instance.root
        assert root is not None
        self._terminate(root)
        instance.state = "TERMINATED"
        instance.end_ms = root.end_ms
        self._resolve_completion_waiters(instance)

    def _terminate(self, element_instance: ElementInstance) -> None:
        """Terminate an element instance and everything inside it (jobs are cancelled)."""
        for child in list(element_instance.children.values()):
            self._terminate(child)
        element_instance.joins.clear()
        if element_instance.job_key is not None:
            job = self.jobs[element_instance.job_key]
            if job.state in OPEN_JOB_STATES and job.state != ERROR_THROWN:
                self._leave(job, CANCELED, "CANCELED", self.clock.now_ms())
            element_instance.job_key = None
        if element_instance.user_task_key is not None:
            task = self.user_tasks[element_instance.user_task_key]
            if task.state == "CREATED":
                task.state = "CANCELED"
        child = element_instance.child_instance
        if child is not None and child.state == "ACTIVE":
            element_instance.child_instance = None
            self._terminate_instance(child)
        self._close(element_instance, TERMINATED)

    def _resolve_completion_waiters(self, instance: ProcessInstance) -> None:
        for waiter in instance.completion_waiters:
            if not waiter.done():
                waiter.set_result(None)
        instance.completion_waiters.clear()

    # -- jobs -------------------------------------------------------------------------------

    def _create_job(self, element_instance: ElementInstance) -> None:
        def retry() -> None:
            self._create_job(element_instance)

        element = element_instance.element
        task = element.task
        assert task is not None and element.job_type is not None and element.retries is not None
        retries = task.retries
        if not (element.job_type.is_static and element.retries.is_static):
            view = visible(element_instance)
            try:
                job_type = evaluate_expression(element.job_type, view)
                retries_value = evaluate_expression(element.retries, view)
            except FeelError as exc:
                self._raise_incident(element_instance, "EXTRACT_VALUE_ERROR", str(exc), retry=retry)
                return
            if not isinstance(job_type, str) or not job_type:
                self._raise_incident(element_instance, "EXTRACT_VALUE_ERROR",
                                     f"Expected the job type of {element.describe()} to be a "
                                     f"non-empty string, but was {job_type!r}", retry=retry)  # fmt: skip
                return
            if isinstance(retries_value, bool) or not isinstance(retries_value, (int, float)):
                self._raise_incident(element_instance, "EXTRACT_VALUE_ERROR",
                                     f"Expected the retries of {element.describe()} to be a "
                                     f"number, but was {retries_value!r}", retry=retry)  # fmt: skip
                return
            retries = int(retries_value)
            task = TaskModel(task.element_id, task.element_type, job_type, retries,
                             task.custom_headers)  # fmt: skip
        job = Job(key=self.new_key(), instance=element_instance.instance, task=task,
                  element_instance_key=element_instance.key, retries=retries,
                  created_ms=self.clock.now_ms(), element_instance=element_instance)  # fmt: skip
        self.jobs[job.key] = job
        element_instance.job_key = job.key
        self._make_activatable(job)

    def _job_completed(self, job: Job, variables: dict[str, Any]) -> None:
        element_instance = job.element_instance
        if element_instance is None or element_instance.state != ACTIVE:
            return
        element_instance.job_key = None
        self._complete_with(element_instance, variables)
        self._run_agenda()

    def _job_error(self, job: Job, error_code: str, message: str | None,
                   variables: dict[str, Any]) -> None:  # fmt: skip
        """Catch a thrown BPMN error with a boundary event, else raise an incident."""
        element_instance = job.element_instance
        if element_instance is None or element_instance.state != ACTIVE:
            return
        caught = find_error_catch(element_instance, error_code)
        if caught is None:
            propagate(element_instance, variables)  # kept for inspection, as before
            detail = f"Expected to throw an error event with the code '{error_code}'"
            if message:
                detail += f" with message '{message}'"
            self._raise_incident(element_instance, "UNHANDLED_ERROR_EVENT",
                                 f"{detail}, but it was not caught. No error events are "
                                 "available in the scope.", job_key=job.key,
                                 retry=lambda: self._retry_job(job))  # fmt: skip
            return
        host, boundary = caught
        self._trigger_boundary(host, boundary, variables)
        self._run_agenda()

    def _job_incident(self, job: Job, message: str | None) -> None:
        element_instance = job.element_instance
        if element_instance is not None and element_instance.state == ACTIVE:
            self._raise_incident(element_instance, "JOB_NO_RETRIES",
                                 message or "No more retries left.", job_key=job.key,
                                 retry=lambda: self._retry_job(job))  # fmt: skip
        else:
            job.instance.has_incident = True

    def _retry_job(self, job: Job) -> None:
        """Resolving a job's incident offers the job again if it has retries (update them
        first, as on a broker); without, the incident is raised again."""
        if job.retries > 0:
            job.error_code = None
            self._make_activatable(job)
        else:
            self._job_incident(job, job.error_message)

    # -- incidents --------------------------------------------------------------------------

    def _raise_incident(self, element_instance: ElementInstance, error_type: str, message: str,
                        job_key: str | None = None,
                        retry: Callable[[], None] | None = None) -> None:  # fmt: skip
        incident = Incident(self.new_key(), element_instance, error_type, message, self.clock.now_ms(),
                            job_key, retry=retry)  # fmt: skip
        element_instance.incident = incident
        self.incidents[incident.key] = incident
        element_instance.instance.has_incident = True

    def resolve_incident(self, key: str) -> None:
        """Resolve an active incident: the step that failed runs again."""
        incident = self.incidents.get(key)
        if incident is None or incident.state != "ACTIVE":
            raise Problem(
                404,
                "NOT_FOUND",
                f"Command 'RESOLVE' rejected with code 'NOT_FOUND': Expected to resolve "
                f"incident with key '{key}', but no such incident was found",
            )
        self._resolve_incident_record(incident)
        if incident.retry is not None:
            incident.retry()
        self._run_agenda()

    def find_element_instance(self, key: str) -> ElementInstance:
        for instance in self.instances.values():
            found = instance.element_instances.get(key)
            if found is not None:
                return found
        raise Problem(404, "NOT_FOUND", f"Element instance with key '{key}' not found")

    def set_variables(self, key: str, variables: dict[str, Any], local: bool) -> None:
        """Set variables at an active element instance: into its own scope (``local``), or
        each where it is defined on the way out, else at the process scope."""
        element_instance = self.find_element_instance(key)
        if element_instance.state != ACTIVE:
            raise Problem(
                404,
                "NOT_FOUND",
                f"Command 'UPDATE' rejected with code 'NOT_FOUND': Expected to update variables "
                f"for element with key '{key}', but no such element was found",
            )
        if local:
            element_instance.variables.update(variables)
        else:
            propagate(element_instance, variables)

    def _resolve_incident_record(self, incident: Incident) -> None:
        incident.state = "RESOLVED"
        incident.element_instance.incident = None
        instance = incident.element_instance.instance
        instance.has_incident = any(
            e.incident is not None for e in instance.element_instances.values()
        )

    # -- messages ---------------------------------------------------------------------------

    def _open_subscription(self, owner: ElementInstance, context: ElementInstance, catch: Element,
                           retry: Callable[[], None] | None = None) -> bool:  # fmt: skip
        """Subscribe ``owner`` to the message of ``catch`` (correlation key evaluated in
        ``context``) and correlate a buffered message; False after an incident."""

        def reopen() -> None:  # open them all again
            for subscription in owner.subscriptions:
                self._drop_subscription(subscription)
            owner.subscriptions.clear()
            self._enter(owner)

        retry = retry or reopen

        message = catch.message
        assert message is not None and message.correlation_key is not None
        view = visible(context)
        try:
            name = evaluate_expression(message.name, view)
            key_value = evaluate_expression(message.correlation_key, view)
        except FeelError as exc:
            self._raise_incident(owner, "EXTRACT_VALUE_ERROR", str(exc), retry=retry)
            return False
        key = correlation_key_text(key_value)
        if key is None or not isinstance(name, str):
            self._raise_incident(owner, "EXTRACT_VALUE_ERROR",
                                 f"Failed to extract the correlation key for "
                                 f"'{message.correlation_key.text}': The value must be either "
                                 f"a string or a number, but was {key_value!r}", retry=retry)  # fmt: skip
            return False
        tenant = owner.instance.tenant_id
        subscription = MessageSubscription(name, key, tenant, owner, catch)
        owner.subscriptions.append(subscription)
        self.subscriptions.setdefault((name, key, tenant), []).append(subscription)
        stamp = self.clock.now_ms()
        for buffered in self.buffered_messages:
            message_record, expires_ms, correlated = buffered
            if expires_ms <= stamp or owner.instance.key in correlated:
                continue
            if (message_record.name, message_record.correlation_key,
                    message_record.tenant_id) == (name, key, tenant):  # fmt: skip
                correlated.add(owner.instance.key)
                self._correlate(subscription, dict(message_record.variables))
                break
        return True

    def _open_boundary_subscriptions(self, host: ElementInstance) -> bool:
        """Open the subscriptions of the message boundary events of an activity being
        entered (correlation keys evaluated in its scope, after its input mappings). False
        after an incident, or when a buffered message interrupted the activity."""
        for boundary in host.element.boundaries:
            if host.state != ACTIVE:
                break
            if boundary.event != "message" or any(s.catch is boundary for s in host.subscriptions):
                continue
            if not self._open_subscription(host, host, boundary, retry=lambda: self._enter(host)):
                return False
        return host.state == ACTIVE

    def _drop_subscription(self, subscription: MessageSubscription) -> None:
        subscription.open = False
        index = (subscription.name, subscription.correlation_key, subscription.tenant_id)
        subscriptions = self.subscriptions.get(index)
        if subscriptions is not None:
            if subscription in subscriptions:
                subscriptions.remove(subscription)
            if not subscriptions:
                del self.subscriptions[index]

    def _correlate(self, subscription: MessageSubscription, variables: dict[str, Any]) -> None:
        """Deliver a message to an open subscription: its element completes (for an
        event-based gateway, the gateway completes and the caught event runs)."""
        owner = subscription.element_instance
        catch_instance = owner
        if subscription.catch.type == "boundaryEvent":
            # Interrupting: the activity ends (closing its subscriptions); non-interrupting:
            # the subscription stays open for the next message while the activity runs.
            self._trigger_boundary(owner, subscription.catch, variables)
            return
        if owner.element.type == "eventBasedGateway":
            scope = owner.parent
            assert scope is not None
            self._close(owner, COMPLETED)
            catch_instance = self._new_element_instance(subscription.catch, scope)
        else:
            for other in owner.subscriptions:
                self._drop_subscription(other)
            owner.subscriptions.clear()
        self._complete_with(catch_instance, variables)

    def _correlate_subscriptions(self, name: str, correlation_key: str, tenant_id: str,
                                 variables: dict[str, Any]) -> list[str]:  # fmt: skip
        """Correlate a message to the open subscriptions (one per instance); returns the
        keys of the instances it reached."""
        reached: list[str] = []
        for subscription in list(self.subscriptions.get((name, correlation_key, tenant_id), ())):
            instance_key = subscription.element_instance.instance.key
            if subscription.open and instance_key not in reached:
                reached.append(instance_key)
                self._correlate(subscription, dict(variables))
        self._run_agenda()
        return reached

    # -- boundary events and escalations ----------------------------------------------------

    def _trigger_boundary(self, host: ElementInstance, boundary: Element,
                          variables: dict[str, Any]) -> None:  # fmt: skip
        """A boundary event of ``host`` occurs: an interrupting one terminates the activity
        (its job, user task, called instance or inner tokens); either way a token leaves
        from the boundary event, with ``variables`` (a message's, an error's)."""
        scope = host.parent
        assert scope is not None
        if boundary.interrupting:
            self._terminate(host)
        self._complete_with(self._new_element_instance(boundary, scope), variables)

    def _throw_escalation(self, throw: ElementInstance) -> None:
        """An escalation throw event: the innermost escalation boundary event of an enclosing
        sub-process or call activity with its code (else a catch-all one) occurs. An
        interrupting one ends that activity, the throw event with it; otherwise (caught
        by a non-interrupting one, or not caught at all: no incident, as in Zeebe) the throw
        event completes and its token goes on."""
        code = throw.element.escalation_code
        assert code is not None
        caught = find_escalation_catch(throw, code)
        if caught is not None:
            host, boundary = caught
            self._trigger_boundary(host, boundary, {})
        if throw.state == ACTIVE:
            self._finish(throw)

    # -- timers -----------------------------------------------------------------------------

    def _feel_clock(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now_ms() / 1000, tz=timezone.utc)

    def _timer_value(self, expression: Expression, context: ChainMap[str, Any]) -> object:
        if expression.compiled is None:
            return expression.text
        value = expression.compiled.evaluate(context, clock=self._feel_clock)
        return to_json(value) if isinstance(value, Decimal) else value

    def _push_timer(self, timer: Timer) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (timer.due_ms, self._timer_seq, timer))
        if self.loop is not None:  # the wall clock may reach it before a test advances
            delay = max(0.0, (timer.due_ms - self.clock.now_ms()) / 1000)
            if delay < 86_400:
                self.loop.call_later(delay, self.release_due)

    def _arm_timer(self, owner: ElementInstance, catch: Element) -> None:
        """Start the timer of ``catch`` (a timer catch event or boundary event) for ``owner``;
        a value that is no timer is an incident."""
        timer_def = catch.timer
        assert timer_def is not None
        try:
            value = self._timer_value(timer_def.expression, visible(owner))
            schedule = timer_schedule(timer_def.kind, value, self.clock.now_ms())
        except (FeelError, ValueError) as exc:
            self._raise_incident(owner, "EXTRACT_VALUE_ERROR",
                                 f"Expected a valid timer for {catch.describe()}: {exc}",
                                 retry=lambda: self._arm_timer(owner, catch))  # fmt: skip
            return
        timer = Timer(self.new_key(), schedule.due_ms, catch, owner, None, schedule.interval,
                      schedule.remaining)  # fmt: skip
        owner.timers.append(timer)
        self._push_timer(timer)

    def _arm_boundary_timers(self, host: ElementInstance) -> None:
        for boundary in host.element.boundaries:
            if boundary.event == "timer" and not any(t.catch is boundary for t in host.timers):
                self._arm_timer(host, boundary)

    def _arm_start_timers(self, definition: ProcessDefinition) -> None:
        """Arm the timer start events of a new definition; those of the version it replaces
        are cancelled."""
        index = (definition.model.process_id, definition.tenant_id)
        for old in self._start_timers.pop(index, []):
            old.state = "CANCELED"
        scope = definition.model.root.scope
        assert scope is not None
        armed: list[Timer] = []
        for start in scope.timer_starts:
            assert start.timer is not None
            value = self._timer_value(start.timer.expression, ChainMap({}))
            schedule = timer_schedule(start.timer.kind, value, self.clock.now_ms())
            timer = Timer(self.new_key(), schedule.due_ms, start, None, definition,
                          schedule.interval, schedule.remaining)  # fmt: skip
            armed.append(timer)
            self._push_timer(timer)
        if armed:
            self._start_timers[index] = armed

    def release_due(self, stamp: int | None = None) -> None:
        """Job timeouts and back-offs, then the timers that are due."""
        super().release_due(stamp)
        current = self.clock.now_ms() if stamp is None else stamp
        timers = self._timers
        while timers and timers[0][0] <= current:
            _, _, timer = heapq.heappop(timers)
            if timer.state == "ACTIVE":
                self._fire_timer(timer)
                self._run_agenda()

    def next_due(self) -> int | None:
        due = super().next_due()
        while self._timers and self._timers[0][2].state != "ACTIVE":
            heapq.heappop(self._timers)
        if self._timers and (due is None or self._timers[0][0] < due):
            return self._timers[0][0]
        return due

    def _repeat(self, timer: Timer) -> bool:
        """Arm a cycle's next firing, if any is left."""
        if timer.interval is None or timer.remaining == 0:
            timer.state = "TRIGGERED"
            return False
        if timer.remaining is not None:
            timer.remaining -= 1
        timer.due_ms = add_interval(timer.due_ms, timer.interval)
        self._push_timer(timer)
        return True

    def _fire_timer(self, timer: Timer) -> None:
        catch = timer.catch
        owner = timer.owner
        if owner is None:  # a timer start event
            definition = timer.definition
            assert definition is not None
            self._repeat(timer)
            self._new_instance(definition, {}, definition.tenant_id, [], None, catch)
            return
        if owner.state != ACTIVE:
            timer.state = "CANCELED"
            return
        if catch.type == "boundaryEvent":
            if catch.interrupting:
                timer.state = "TRIGGERED"
            else:
                self._repeat(timer)
            self._trigger_boundary(owner, catch, {})
        elif owner.element.type == "eventBasedGateway":
            timer.state = "TRIGGERED"
            scope = owner.parent
            assert scope is not None
            self._close(owner, COMPLETED)
            self._complete_with(self._new_element_instance(catch, scope), {})
        else:  # an intermediate timer catch event
            timer.state = "TRIGGERED"
            owner.timers.remove(timer)
            self._complete_with(owner, {})

    # -- user tasks -------------------------------------------------------------------------

    def _create_user_task(self, element_instance: ElementInstance) -> None:
        spec = element_instance.element.user_task
        assert spec is not None
        view = visible(element_instance)

        def value(expression: Expression | None) -> Any:
            if expression is None:
                return None
            return to_json(self._timer_value(expression, view))

        try:
            assignee = value(spec.assignee)
            groups = _string_list(value(spec.candidate_groups), "candidateGroups")
            users = _string_list(value(spec.candidate_users), "candidateUsers")
            due = value(spec.due_date)
            follow_up = value(spec.follow_up_date)
            priority = value(spec.priority)
            if assignee is not None and not isinstance(assignee, str):
                raise ValueError(f"the assignee must be a string, got {assignee!r}")
            for name, date in (("dueDate", due), ("followUpDate", follow_up)):
                if date is not None:
                    timer_schedule("date", date, 0)  # validates
                    if not isinstance(date, str):
                        raise ValueError(f"{name} must be a date and time, got {date!r}")
            if priority is None:
                priority = 50
            elif isinstance(priority, str) and priority.isdigit():
                priority = int(priority)
            if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= 100:
                raise ValueError(f"the priority must be a number from 0 to 100, got {priority!r}")
        except (FeelError, ValueError) as exc:
            self._raise_incident(element_instance, "EXTRACT_VALUE_ERROR",
                                 f"Expected to create {element_instance.element.describe()}: {exc}",
                                 retry=lambda: self._create_user_task(element_instance))  # fmt: skip
            return
        form_key: str | None = None
        if spec.form_id is not None:
            tenant = element_instance.instance.tenant_id
            forms = [f for f in self.forms if f["formId"] == spec.form_id and f["tenantId"] == tenant]
            if not forms:
                self._raise_incident(element_instance, "FORM_NOT_FOUND",
                                     f"Expected to find a form with id '{spec.form_id}', but "
                                     "no form with this id is found, at least a form with this "
                                     "id should be available.",
                                     retry=lambda: self._create_user_task(element_instance))  # fmt: skip
                return
            form_key = str(max(forms, key=lambda f: int(f["version"]))["formKey"])
        task = UserTask(self.new_key(), element_instance, self.clock.now_ms(), assignee=assignee,
                        candidate_groups=groups, candidate_users=users, due_date=due,
                        follow_up_date=follow_up, priority=priority, form_key=form_key,
                        external_form_reference=spec.external_reference,
                        headers=dict(spec.headers))  # fmt: skip
        self.user_tasks[task.key] = task
        element_instance.user_task_key = task.key

    # -- call activities --------------------------------------------------------------------

    def _call(self, element_instance: ElementInstance) -> None:
        def retry() -> None:
            self._call(element_instance)

        element = element_instance.element
        called = element.called
        assert called is not None
        view = visible(element_instance)
        try:
            process_id = evaluate_expression(called.process_id, view)
        except FeelError as exc:
            self._raise_incident(element_instance, "EXTRACT_VALUE_ERROR", str(exc), retry=retry)
            return
        if not isinstance(process_id, str) or not process_id:
            self._raise_incident(element_instance, "EXTRACT_VALUE_ERROR",
                                 f"Expected the processId of {element.describe()} to be a "
                                 f"non-empty string, but was {process_id!r}", retry=retry)  # fmt: skip
            return
        tenant = element_instance.instance.tenant_id
        definition = self._latest.get((process_id, tenant))
        scope = None if definition is None else definition.model.root.scope
        if definition is None or scope is None or scope.none_start is None:
            why = "to be deployed, but not found" if definition is None else (
                "to have a none start event, but it has none")
            self._raise_incident(element_instance, "CALLED_ELEMENT_ERROR",
                                 f"Expected process with BPMN process id '{process_id}' {why}.",
                                 retry=retry)  # fmt: skip
            return
        variables = dict(view) if called.propagate_all_parent else dict(element_instance.variables)
        self._new_instance(definition, variables, tenant, [], None, scope.none_start,
                           caller=element_instance)  # fmt: skip

    # -- multi-instance ---------------------------------------------------------------------

    def _enter_body(self, body: ElementInstance) -> None:
        loop = body.element.loop
        assert loop is not None
        self._arm_boundary_timers(body)
        if not self._open_boundary_subscriptions(body):
            return
        try:
            items = evaluate_expression(loop.input_collection, visible(body))
        except FeelError as exc:
            self._raise_incident(body, "EXTRACT_VALUE_ERROR", str(exc),
                                 retry=lambda: self._enter_body(body))  # fmt: skip
            return
        if not isinstance(items, list):
            self._raise_incident(body, "EXTRACT_VALUE_ERROR",
                                 f"Expected result of the expression "
                                 f"'{loop.input_collection.text}' to be 'ARRAY', but was "
                                 f"{items!r}", retry=lambda: self._enter_body(body))  # fmt: skip
            return
        collection = cast("list[Any]", items)
        body.multi = MultiInstanceState(list(collection))
        if loop.output_collection is not None:
            body.variables[loop.output_collection] = [None] * len(collection)
        if not collection:
            self._finish_body(body)
            return
        for _ in range(1 if loop.sequential else len(collection)):
            if body.state != ACTIVE:
                break
            self._next_inner(body)

    def _next_inner(self, body: ElementInstance) -> None:
        loop, state = body.element.loop, body.multi
        assert loop is not None and state is not None
        index = state.created
        state.created += 1
        inner = self._new_element_instance(body.element, body)
        inner.inner_index = index
        if loop.input_element is not None:
            inner.variables[loop.input_element] = state.items[index]
        inner.variables["loopCounter"] = index + 1
        output = loop.output_element
        if output is not None and output.text.strip().lstrip("=").strip().isidentifier():
            # As in Zeebe: the output element's variable is local to each inner instance.
            inner.variables.setdefault(output.text.strip().lstrip("=").strip(), None)
        self._enter(inner)

    def _finish_inner(self, inner: ElementInstance) -> None:
        body = inner.parent
        assert body is not None and inner.inner_index is not None
        loop, state = body.element.loop, body.multi
        assert loop is not None and state is not None
        view = visible(inner)
        try:
            value = None
            if loop.output_element is not None:
                value = evaluate_expression(loop.output_element, view)
            done = False
            if loop.completion_condition is not None:
                counts = {"numberOfInstances": len(state.items),
                          "numberOfCompletedInstances": state.completed + 1,
                          "numberOfActiveInstances": len(body.children) - 1}  # fmt: skip
                done = loop.completion_condition.evaluate_condition(view.new_child(counts))
        except FeelError as exc:
            self._raise_incident(inner, "EXTRACT_VALUE_ERROR", str(exc),
                                 retry=lambda: self._finish_inner(inner))  # fmt: skip
            return
        if loop.output_collection is not None:
            collected = list(body.variables.get(loop.output_collection) or [])
            if inner.inner_index < len(collected):
                collected[inner.inner_index] = value
            body.variables[loop.output_collection] = collected
        self._close(inner, COMPLETED)
        state.completed += 1
        if done:
            for child in list(body.children.values()):
                self._terminate(child)
            self._finish_body(body)
        elif state.created < len(state.items):
            if loop.sequential:
                self._next_inner(body)
        elif not body.children:
            self._finish_body(body)

    def _finish_body(self, body: ElementInstance) -> None:
        loop = body.element.loop
        assert loop is not None and body.parent is not None
        if loop.output_collection is not None:
            propagate(body.parent, {loop.output_collection: body.variables[loop.output_collection]})
        self._finish(body)


def _string_list(value: Any, name: str) -> list[str]:
    """Candidate users or groups: a list of strings or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in cast("list[Any]", value)):
        return list(cast("list[str]", value))
    raise ValueError(f"{name} must be a list of strings, got {value!r}")
