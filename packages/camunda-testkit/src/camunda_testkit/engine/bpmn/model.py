"""The parsed process graph: elements, sequence flows and scopes, with their zeebe extensions.

Built once at deployment (``parser.py``); FEEL expressions in it are compiled there, so a
syntax error rejects the deployment and running an instance only evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...feel import CompiledExpression

__all__ = ["CalledElement", "Element", "Expression", "Flow", "LoopDef", "Mapping", "MessageRef",
           "Scope", "TaskModel", "TimerDef", "UserTaskDef"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Expression:
    """A zeebe attribute value: a FEEL expression (text starting with ``=``) or a static one."""

    text: str
    compiled: CompiledExpression | None  # None: static text

    @property
    def is_static(self) -> bool:
        return self.compiled is None


@dataclass(frozen=True, slots=True)
class TaskModel:
    """A job-based task as a job sees it (static values; an expression's text as written)."""

    element_id: str
    element_type: str  # BPMN local name, e.g. "serviceTask"
    job_type: str
    retries: int
    custom_headers: dict[str, str] = field(default_factory=lambda: {})


@dataclass(frozen=True, slots=True)
class Mapping:
    """One zeebe:input or zeebe:output: ``target`` (a name or a dotted path) from ``source``."""

    source: Expression
    target: str


@dataclass(frozen=True, slots=True)
class MessageRef:
    name: Expression
    correlation_key: Expression | None


@dataclass(frozen=True, slots=True)
class TimerDef:
    """A timerEventDefinition: ``kind`` is "duration", "date" or "cycle"."""

    kind: str
    expression: Expression


@dataclass(frozen=True, slots=True)
class UserTaskDef:
    """A Camunda user task (``zeebe:userTask``) with its assignment, schedule and form."""

    assignee: Expression | None = None
    candidate_groups: Expression | None = None
    candidate_users: Expression | None = None
    due_date: Expression | None = None
    follow_up_date: Expression | None = None
    priority: Expression | None = None
    form_id: str | None = None
    external_reference: str | None = None
    headers: dict[str, str] = field(default_factory=lambda: {})


@dataclass(frozen=True, slots=True)
class CalledElement:
    """``zeebe:calledElement``: the called process (latest version) and variable passing."""

    process_id: Expression
    propagate_all_child: bool = True
    propagate_all_parent: bool = True


@dataclass(frozen=True, slots=True)
class LoopDef:
    """``multiInstanceLoopCharacteristics`` with ``zeebe:loopCharacteristics``."""

    sequential: bool
    input_collection: Expression
    input_element: str | None = None
    output_collection: str | None = None
    output_element: Expression | None = None
    completion_condition: CompiledExpression | None = None


@dataclass(eq=False, slots=True)
class Flow:
    id: str
    source: str
    target: str
    condition: CompiledExpression | None = None


@dataclass(eq=False, slots=True)
class Element:
    """A flow node (or the process itself, type ``process``, the root scope)."""

    id: str
    type: str  # BPMN local name
    name: str | None = None
    # The event definition: "message", "error", "escalation", "timer", "terminate", None.
    event: str | None = None
    outgoing: list[Flow] = field(default_factory=lambda: [])
    incoming: list[Flow] = field(default_factory=lambda: [])
    default_flow: str | None = None
    task: TaskModel | None = None
    job_type: Expression | None = None
    retries: Expression | None = None
    inputs: tuple[Mapping, ...] = ()
    outputs: tuple[Mapping, ...] = ()
    message: MessageRef | None = None
    error_code: str | None = None  # an error boundary event's code; None catches any
    # An escalation throw event's code, or an escalation boundary event's (None catches any).
    escalation_code: str | None = None
    attached_to: str | None = None
    interrupting: bool = True  # a boundary event's cancelActivity
    timer: TimerDef | None = None
    user_task: UserTaskDef | None = None
    called: CalledElement | None = None
    loop: LoopDef | None = None
    boundaries: list[Element] = field(default_factory=lambda: [])
    scope: Scope | None = None  # the inner scope of a sub-process or the process
    # Ids of the elements reachable from here along sequence flows (inclusive joins).
    reachable: frozenset[str] = frozenset()

    def describe(self) -> str:
        return f"{self.type} '{self.id}'"


@dataclass(eq=False, slots=True)
class Scope:
    """The elements and flows directly inside a process or an embedded sub-process."""

    elements: dict[str, Element] = field(default_factory=lambda: {})
    flows: list[Flow] = field(default_factory=lambda: [])
    none_start: Element | None = None
    message_starts: dict[str, Element] = field(default_factory=lambda: {})
    timer_starts: list[Element] = field(default_factory=lambda: [])
