"""How many requests a client has in flight: one shared budget and its adaptive (AIMD) limit.

See ``docs/retries.md`` ("Backpressure and the adaptive concurrency limit").
"""

from camunda_core.backpressure.aimd import DEFAULT_DECREASE_FACTOR, AimdRule
from camunda_core.backpressure.budget import BudgetResult, ConcurrencyBudget, budget_result

__all__ = [
    "DEFAULT_DECREASE_FACTOR",
    "AimdRule",
    "BudgetResult",
    "ConcurrencyBudget",
    "budget_result",
]
