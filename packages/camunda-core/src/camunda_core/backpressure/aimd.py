"""The AIMD rule of the adaptive concurrency limit: pure arithmetic, no state.

:class:`~camunda_core.backpressure.budget.ConcurrencyBudget` keeps the state
(the limit as a float, the round number) under its lock and asks this rule how
to move it. Kept apart so the rule can be read and tested on its own.

* **Additive increase**: each success adds ``1 / limit``, so the limit grows by
  about one per limit-worth of successes (one per "round trip" of the whole
  window), whatever the request rate; four times slower from the in-flight
  count of the last refusal to 1.5 times that.
* **Multiplicative decrease**: a backpressure signal sets the limit to
  ``decrease_factor`` times the number of requests that were in flight when it
  arrived (or times the limit, if that is smaller). The in-flight count is what
  the server actually refused; a limit far above it says nothing about capacity.
* **Once per round**: the budget only cuts for a request that started after
  the previous cut. Later refusals of the round just cut only *cap* the limit
  at ``decrease_factor`` times what is still in flight (:meth:`AimdRule.capped`),
  so one overloaded round brings a far-too-high limit down in one step
  without compounding. See ``docs/retries.md``.
"""

from __future__ import annotations

import math

from camunda_core.errors import ConfigurationError, ConfigurationProblem

__all__ = ["AimdRule", "DEFAULT_DECREASE_FACTOR", "PROBE_SLOWDOWN"]

#: Share of the in-flight count kept on backpressure. 0.5 (TCP's choice) lets
#: the sawtooth fall to half the capacity; 0.7 keeps it within ~30% of it while
#: still backing off fast enough from a far-too-high start (64 -> 16 in 4 rounds).
DEFAULT_DECREASE_FACTOR = 0.7


#: How much slower the limit grows once past the point of the last refusal.
#: Fewer probes past a known capacity means fewer refusals; a capacity that
#: really grew is still found, a slot per four rounds.
PROBE_SLOWDOWN = 4.0


class AimdRule:
    """Bounds and step sizes of the limit; methods map an old value to a new one."""

    __slots__ = ("decrease_factor", "max_limit", "min_limit")

    def __init__(
        self,
        *,
        max_limit: int = 64,
        min_limit: int = 1,
        decrease_factor: float = DEFAULT_DECREASE_FACTOR,
    ) -> None:
        problems: list[ConfigurationProblem] = []
        if not _is_int(min_limit) or min_limit < 1:
            problems.append(
                ConfigurationProblem("min_limit", f"must be an integer >= 1, got {min_limit!r}")
            )
        if not _is_int(max_limit) or max_limit < 1:
            problems.append(
                ConfigurationProblem("max_limit", f"must be an integer >= 1, got {max_limit!r}")
            )
        elif _is_int(min_limit) and max_limit < min_limit:
            problems.append(
                ConfigurationProblem(
                    "max_limit", f"must be >= min_limit ({min_limit}), got {max_limit!r}"
                )
            )
        if (
            isinstance(decrease_factor, bool)
            or not isinstance(decrease_factor, (int, float))
            or not math.isfinite(decrease_factor)
            or not 0 < decrease_factor < 1
        ):
            problems.append(
                ConfigurationProblem(
                    "decrease_factor", f"must be a number in (0, 1), got {decrease_factor!r}"
                )
            )
        if problems:
            raise ConfigurationError(problems)
        self.max_limit = max_limit
        self.min_limit = min_limit
        self.decrease_factor = float(decrease_factor)

    def clamp(self, value: float) -> int:
        """The whole number of slots a value allows, within the bounds."""
        # The epsilon keeps 1/limit steps that sum to a whole number from
        # flooring to the one below.
        return max(self.min_limit, min(self.max_limit, math.floor(value + 1e-9)))

    def increased(self, value: float, limit: int, ceiling: float) -> float:
        """The value after one success while ``limit`` slots are allowed.

        ``ceiling`` is how many were in flight when the last refusal came:
        from there to half as much again the limit probes
        :data:`PROBE_SLOWDOWN` times slower, since that is where the server
        last said no. Further up the ceiling is taken as stale.
        """
        step = 1.0 / (limit * PROBE_SLOWDOWN) if ceiling <= value < ceiling * 1.5 else 1.0 / limit
        return min(float(self.max_limit), value + step)

    def decreased(self, value: float, in_flight: int) -> float:
        """The value after a backpressure signal that arrived with ``in_flight`` requests out."""
        return max(float(self.min_limit), min(value, float(in_flight)) * self.decrease_factor)

    def capped(self, value: float, in_flight: int) -> float:
        """The value after a further refusal from the round that was just cut."""
        return min(value, max(float(self.min_limit), in_flight * self.decrease_factor))

    def __repr__(self) -> str:
        return (
            f"AimdRule(min_limit={self.min_limit}, max_limit={self.max_limit}, "
            f"decrease_factor={self.decrease_factor})"
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
