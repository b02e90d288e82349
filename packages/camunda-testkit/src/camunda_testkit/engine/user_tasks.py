"""Commands on Camunda user tasks (``zeebe:userTask``): assign, unassign, update, complete.

A user task is created when the token reaches it (``bpmn/interpreter.py``); completing it
merges the variables as a job completion does and the token moves on.
"""

from __future__ import annotations

from typing import Any

from .bpmn.runtime import UserTask
from .instances import InstanceLifecycle
from .problem import Problem

__all__ = ["UserTaskCommands"]


class UserTaskCommands(InstanceLifecycle):
    def get_user_task(self, key: str) -> UserTask:
        task = self.user_tasks.get(key)
        if task is None:
            raise Problem(404, "NOT_FOUND", f"User task with key '{key}' not found")
        return task

    def _open_user_task(self, key: str, verb: str) -> UserTask:
        task = self.user_tasks.get(key)
        if task is None or task.state != "CREATED":
            raise Problem(
                404,
                "NOT_FOUND",
                f"Command '{verb.upper()}' rejected with code 'NOT_FOUND': Expected to {verb} "
                f"user task with key '{key}', but no such user task was found",
            )
        return task

    def complete_user_task(self, key: str, variables: dict[str, Any]) -> None:
        task = self._open_user_task(key, "complete")
        task.state = "COMPLETED"
        task.completion_ms = self.clock.now_ms()
        element_instance = task.element_instance
        element_instance.user_task_key = None
        self._complete_with(element_instance, dict(variables))
        self._run_agenda()

    def assign_user_task(self, key: str, assignee: str, allow_override: bool) -> None:
        task = self._open_user_task(key, "assign")
        if task.assignee is not None and not allow_override and task.assignee != assignee:
            raise Problem(
                409,
                "INVALID_STATE",
                f"Command 'ASSIGN' rejected with code 'INVALID_STATE': Expected to assign user "
                f"task with key '{key}', but it is already assigned to '{task.assignee}'",
            )
        task.assignee = assignee

    def unassign_user_task(self, key: str) -> None:
        self._open_user_task(key, "unassign").assignee = None

    def update_user_task(self, key: str, changes: dict[str, Any]) -> None:
        """Apply a ``Changeset`` (validated by the route): null keeps a value, an empty
        string or list resets it."""
        task = self._open_user_task(key, "update")
        if changes.get("candidateGroups") is not None:
            task.candidate_groups = list(changes["candidateGroups"])
        if changes.get("candidateUsers") is not None:
            task.candidate_users = list(changes["candidateUsers"])
        if changes.get("dueDate") is not None:
            task.due_date = changes["dueDate"] or None
        if changes.get("followUpDate") is not None:
            task.follow_up_date = changes["followUpDate"] or None
        if changes.get("priority") is not None:
            task.priority = changes["priority"]
