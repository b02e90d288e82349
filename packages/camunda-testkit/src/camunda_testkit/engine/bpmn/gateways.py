"""Which outgoing flows a gateway (or any other element) takes."""

from __future__ import annotations

from collections import ChainMap
from typing import Any

from .model import Element, Flow

__all__ = ["NoFlowTaken", "outgoing_flows"]


class NoFlowTaken(Exception):
    """No condition was true and there is no default flow: an incident."""


def outgoing_flows(element: Element, context: ChainMap[str, Any]) -> list[Flow]:
    """The flows ``element`` takes when it completes (FeelError if a condition fails)."""
    flows = element.outgoing
    kind = element.type
    if kind not in ("exclusiveGateway", "inclusiveGateway") or not flows:
        return list(flows) if kind != "eventBasedGateway" else []
    default: Flow | None = None
    chosen: list[Flow] = []
    for flow in flows:
        if flow.id == element.default_flow:
            default = flow
            continue
        if flow.condition is None or flow.condition.evaluate_condition(context):
            chosen.append(flow)
            if kind == "exclusiveGateway":
                return chosen
    if chosen:
        return chosen
    if default is not None:
        return [default]
    raise NoFlowTaken(f"Expected at least one condition to evaluate to true, or to have a "
                      f"default flow, but no outgoing sequence flow of {element.describe()} "
                      "was taken")  # fmt: skip
