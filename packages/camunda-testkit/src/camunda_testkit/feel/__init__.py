"""FEEL (Friendly Enough Expression Language), the expression language of Camunda 8.

    from camunda_testkit.feel import compile, evaluate, evaluate_condition

    evaluate('= order.items[price > 10].name', {"order": order})
    gateway = compile('amount > 100 and customer.tier = "gold"')   # cached by text
    gateway.evaluate_condition({"amount": 150, "customer": {"tier": "gold"}})

Numbers are ``decimal.Decimal`` (34 digits, half-even), as FEEL's are: literals and results
are Decimal; ints and floats from the context are read as Decimal. ``to_json`` turns a
result into JSON-ready Python. See the FEEL section of ``docs/testkit.md``.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from functools import lru_cache

from ._builtins import BUILTINS, Clock, FeelFunction, utc_now
from ._compiler import Env, Node, Range, compile_tree, parse
from ._values import FeelError, YearsMonthsDuration, format_duration, parse_duration, to_json

__all__ = [
    "BUILTIN_FUNCTIONS",
    "Clock",
    "CompiledExpression",
    "FeelError",
    "FeelFunction",
    "Range",
    "YearsMonthsDuration",
    "compile",
    "evaluate",
    "evaluate_condition",
    "format_duration",
    "parse_duration",
    "to_json",
]

BUILTIN_FUNCTIONS: frozenset[str] = frozenset(BUILTINS)
_EMPTY: Mapping[str, object] = {}
_UNEXPECTED = (TypeError, ValueError, ArithmeticError, KeyError, IndexError, AttributeError,
               RecursionError)  # fmt: skip


class CompiledExpression:
    """A parsed expression, ready to evaluate many times against different contexts."""

    __slots__ = ("_node", "text")

    def __init__(self, text: str, node: Node) -> None:
        self.text = text
        self._node = node

    def evaluate(self, context: Mapping[str, object] | None = None, *,
                 clock: Clock | None = None) -> object:  # fmt: skip
        """The value; a missing variable is null. ``clock`` gives ``now()`` and ``today()``
        (default: the current UTC time)."""
        env = Env(_EMPTY if context is None else context, None, clock or utc_now)
        try:
            return self._node(env)
        except FeelError as exc:
            raise FeelError(exc.reason, self.text, exc.position) from None
        except _UNEXPECTED as exc:
            raise FeelError(f"evaluation failed: {type(exc).__name__}: {exc}", self.text) from None

    def evaluate_condition(self, context: Mapping[str, object] | None = None, *,
                           clock: Clock | None = None) -> bool:  # fmt: skip
        """True only when the expression is true: null (and any non-boolean) is false, as an
        exclusive gateway's condition is in Camunda."""
        return self.evaluate(context, clock=clock) is True

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"


@lru_cache(maxsize=2048)
def compile(expression: str) -> CompiledExpression:
    """Parse once (cached by text). A leading ``=`` (BPMN attribute form) is allowed."""
    if not isinstance(expression, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise FeelError(f"an expression must be a string, got {type(expression).__name__}")
    text = expression.strip()
    if text.startswith("="):
        text = text[1:]
    if not text.strip():
        raise FeelError("empty expression", expression, 0)
    offset = len(expression) - len(expression.lstrip()) + (len(expression.strip()) - len(text))
    try:
        tree = parse(text)
        node = compile_tree(tree)
    except FeelError as exc:
        position = None if exc.position is None else exc.position + offset
        raise FeelError(exc.reason, expression, position) from None
    except RecursionError:
        raise FeelError("expression is nested too deeply", expression) from None
    return CompiledExpression(expression, node)


def evaluate(expression: str, context: Mapping[str, object] | None = None, *,
             clock: Clock | None = None) -> object:  # fmt: skip
    return compile(expression).evaluate(context, clock=clock)


def evaluate_condition(expression: str, context: Mapping[str, object] | None = None, *,
                       clock: Clock | None = None) -> bool:  # fmt: skip
    return compile(expression).evaluate_condition(context, clock=clock)


del builtins
