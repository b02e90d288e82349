"""Parse with lark, then turn the tree into nested closures (one per node), so evaluating a
compiled expression is plain Python calls with no tree walking."""

from __future__ import annotations

# pyright: reportUnknownArgumentType=false, reportUnknownVariableType=false
# pyright: reportUnknownMemberType=false
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation
from typing import Any, cast

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ._builtins import BUILTINS, Builtin, Clock, FeelFunction, num
from ._grammar import grammar
from ._values import FeelError, YearsMonthsDuration, feel_type, parse_duration

__all__ = ["Env", "Node", "Range", "compile_tree", "parse"]

DECIMAL = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero])


class Env:
    """One scope: the caller's context at the top, iteration or filter variables below."""

    __slots__ = ("clock", "parent", "vars")

    def __init__(self, variables: Mapping[str, object], parent: Env | None, clock: Clock):
        self.vars = variables
        self.parent = parent
        self.clock = clock

    def child(self, variables: Mapping[str, object]) -> Env:
        return Env(variables, self, self.clock)

    def lookup(self, name: str) -> object:
        env: Env | None = self
        while env is not None:
            scope = env.vars
            if name in scope:
                return num(scope[name])
            env = env.parent
        return None


Node = Callable[[Env], object]


@dataclass(frozen=True)
class Range:
    """``[1..10]``, ``(1..10]`` and the like: an interval value that ``in`` tests against."""

    start: object
    end: object
    start_included: bool
    end_included: bool

    def contains(self, value: object, pos: int | None) -> object:
        if value is None:
            return None
        low = _compare(value, self.start, pos)
        high = _compare(value, self.end, pos)
        if low is None or high is None:
            return None
        ok_low = low > 0 or (low == 0 and self.start_included)
        ok_high = high < 0 or (high == 0 and self.end_included)
        return ok_low and ok_high


_MULTI_WORD = [name for name in BUILTINS if " " in name]
_PARSERS: list[Lark] = []


def _parser() -> Lark:
    """Built on first use: making the LALR tables takes a few hundred milliseconds."""
    if not _PARSERS:
        _PARSERS.append(Lark(grammar(_MULTI_WORD), parser="lalr", lexer="contextual",
                             propagate_positions=True, maybe_placeholders=False))  # fmt: skip
    return _PARSERS[0]

_TERMINAL_TEXT = {
    "RPAR": "')'", "RSQB": "']'", "RBRACE": "'}'", "COMMA": "','", "NAME": "a name",
    "NUMBER": "a number", "STRING": "a string", "THEN": "'then'", "ELSE": "'else'",
    "RETURN": "'return'", "SATISFIES": "'satisfies'", "IN": "'in'", "AND": "'and'",
    "KEY": "a name and ':'", "COLON": "':'", "$END": "the end",
}  # fmt: skip


def parse(text: str) -> Tree[Token]:
    try:
        return _parser().parse(text)
    except UnexpectedEOF:
        raise FeelError("unexpected end of expression", text, len(text)) from None
    except UnexpectedCharacters as exc:
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        raise FeelError(f"unexpected character {char!r}", text, exc.pos_in_stream) from None
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            raise FeelError("unexpected end of expression", text, len(text)) from None
        expected = sorted(
            {_TERMINAL_TEXT[t] for t in exc.expected if t in _TERMINAL_TEXT}  # pyright: ignore[reportUnknownVariableType, reportUnknownMemberType]
        )
        hint = f" (expected {', '.join(expected)})" if expected and len(expected) <= 4 else ""
        raise FeelError(f"unexpected {str(token)!r}{hint}", text, token.start_pos) from None
    except UnexpectedInput as exc:  # pragma: no cover - the three above are all lark raises
        raise FeelError("syntax error", text, exc.pos_in_stream) from None


# -- values -------------------------------------------------------------------------------


def _kind(value: object) -> str:
    return feel_type(value)


def _compare(a: object, b: object, pos: int | None) -> int | None:
    """-1/0/1 for ordered values of one kind; None if either is null; FeelError otherwise."""
    a, b = num(a), num(b)
    if a is None or b is None:
        return None
    same = (
        (isinstance(a, Decimal) and isinstance(b, Decimal))
        or (isinstance(a, str) and isinstance(b, str))
        or (isinstance(a, datetime) and isinstance(b, datetime))
        or (isinstance(a, date) and not isinstance(a, datetime)
            and isinstance(b, date) and not isinstance(b, datetime))
        or (isinstance(a, time) and isinstance(b, time))
        or (isinstance(a, timedelta) and isinstance(b, timedelta))
        or (isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration))
    )  # fmt: skip
    if not same:
        raise FeelError(f"cannot compare {_kind(a)} with {_kind(b)}", position=pos)
    x, y = cast(Any, a), cast(Any, b)
    try:
        return -1 if x < y else (1 if x > y else 0)
    except TypeError:
        raise FeelError("cannot compare a date and time with a time zone to one without",
                        position=pos) from None  # fmt: skip


def _equal(a: object, b: object) -> object:
    """FEEL ``=``: null only equals null; values of different kinds give null."""
    a, b = num(a), num(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b if isinstance(a, bool) and isinstance(b, bool) else None
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        la, lb = cast("list[object]", list(a)), cast("list[object]", list(b))  # pyright: ignore[reportUnknownArgumentType]
        if len(la) != len(lb):
            return False
        for x, y in zip(la, lb, strict=True):
            same = _equal(x, y)
            if same is not True:
                return same
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        da, db = cast("dict[str, object]", a), cast("dict[str, object]", b)
        if da.keys() != db.keys():
            return False
        return all(_equal(da[k], db[k]) is True for k in da)
    if _kind(a) != _kind(b):
        return None
    try:
        return bool(a == b)
    except TypeError:
        return None


def _add_months(moment: date, months: int) -> date:
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    day = min(moment.day, (following - timedelta(days=1)).day)
    return moment.replace(year=year, month=month, day=day)


def _arith(op: str, a: object, b: object, pos: int) -> object:
    a, b = num(a), num(b)
    if a is None or b is None:
        return None
    try:
        if isinstance(a, Decimal) and isinstance(b, Decimal):
            if op == "+":
                return DECIMAL.add(a, b)
            if op == "-":
                return DECIMAL.subtract(a, b)
            if op == "*":
                return DECIMAL.multiply(a, b)
            if op == "/":
                return None if b == 0 else DECIMAL.divide(a, b)
            return DECIMAL.power(a, b)
        result = _temporal_arith(op, a, b)
    except (InvalidOperation, DivisionByZero, OverflowError):
        return None
    except TypeError:
        result = NotImplemented
    if result is NotImplemented:
        verb = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "**": "raise"}[op]
        raise FeelError(f"cannot {verb} {_kind(a)} and {_kind(b)} ({op})", position=pos)
    return result


def _temporal_arith(op: str, a: object, b: object) -> object:
    if op == "+":
        if isinstance(a, str) and isinstance(b, str):
            return a + b
        if isinstance(a, (timedelta, YearsMonthsDuration)) and not isinstance(
            b, (timedelta, YearsMonthsDuration)
        ):
            a, b = b, a
        if isinstance(b, YearsMonthsDuration):
            if isinstance(a, YearsMonthsDuration):
                return YearsMonthsDuration(a.months + b.months)
            if isinstance(a, date):
                return _add_months(a, b.months)
        if isinstance(b, timedelta):
            if isinstance(a, time):
                moment = datetime.combine(date(2000, 1, 1), a) + b
                return moment.timetz() if a.tzinfo else moment.time()
            if isinstance(a, (date, timedelta)):
                return a + b
    elif op == "-":
        if isinstance(b, YearsMonthsDuration):
            if isinstance(a, YearsMonthsDuration):
                return YearsMonthsDuration(a.months - b.months)
            if isinstance(a, date):
                return _add_months(a, -b.months)
        if isinstance(b, timedelta):
            if isinstance(a, time):
                moment = datetime.combine(date(2000, 1, 1), a) - b
                return moment.timetz() if a.tzinfo else moment.time()
            if isinstance(a, (date, timedelta)):
                return a - b
        if isinstance(a, datetime) and isinstance(b, datetime):
            return a - b
        if type(a) is date and type(b) is date:
            return a - b
        if isinstance(a, time) and isinstance(b, time):
            day = date(2000, 1, 1)
            return datetime.combine(day, a) - datetime.combine(day, b)
    elif op == "*":
        if isinstance(a, Decimal):
            a, b = b, a
        if isinstance(b, Decimal):
            if isinstance(a, timedelta):
                return timedelta(seconds=float(Decimal(a.total_seconds()) * b))
            if isinstance(a, YearsMonthsDuration):
                return YearsMonthsDuration(int(a.months * b))
    elif op == "/":
        if isinstance(a, timedelta) and isinstance(b, timedelta):
            return None if not b else DECIMAL.divide(Decimal(a.total_seconds()), Decimal(b.total_seconds()))
        if isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration):
            return None if not b.months else DECIMAL.divide(Decimal(a.months), Decimal(b.months))
        if isinstance(b, Decimal) and b != 0:
            if isinstance(a, timedelta):
                return timedelta(seconds=float(Decimal(a.total_seconds()) / b))
            if isinstance(a, YearsMonthsDuration):
                return YearsMonthsDuration(int(a.months / b))
    return NotImplemented


def _truth(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


_PROPERTIES: dict[str, Callable[[Any], object]] = {
    "year": lambda v: v.year, "month": lambda v: v.month, "day": lambda v: v.day,
    "weekday": lambda v: v.isoweekday(), "hour": lambda v: v.hour, "minute": lambda v: v.minute,
    "second": lambda v: v.second, "days": lambda v: v.days,
    "hours": lambda v: v.seconds // 3600, "minutes": lambda v: v.seconds % 3600 // 60,
    "seconds": lambda v: v.seconds % 60, "years": lambda v: v.months // 12,
    "months": lambda v: v.months % 12,
}  # fmt: skip


def _property(value: object, name: str, pos: int) -> object:
    if value is None:
        return None
    if isinstance(value, dict):
        return num(cast("dict[str, object]", value).get(name))
    if isinstance(value, (list, tuple)):
        return [_property(item, name, pos) for item in cast("list[object]", value)]
    if isinstance(value, (date, time, timedelta, YearsMonthsDuration)):
        getter = _PROPERTIES.get(name)
        if getter is not None:
            try:
                return num(getter(value))
            except AttributeError:
                pass
        return None
    raise FeelError(f"cannot read '{name}' of a {_kind(value)}", position=pos)


def _iterable(value: object, pos: int) -> list[object]:
    if isinstance(value, (list, tuple)):
        return [num(v) for v in cast("list[object]", value)]
    if value is None:
        return []
    raise FeelError(f"cannot iterate over a {_kind(value)}", position=pos)


# -- compiling ----------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{6}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "'": "'"}


def _unescape(token: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, "\\" + code)  # unknown: kept, as regexes need

    return _ESCAPE.sub(one, token[1:-1])


def _temporal_literal(text: str, pos: int) -> object:
    from ._builtins import BUILTINS as B

    if text.startswith(("P", "-P")):
        value = parse_duration(text)
    elif "T" in text:
        value = B["date and time"].fn(text)
    elif ":" in text:
        value = B["time"].fn(text)
    else:
        value = B["date"].fn(text)
    if value is None:
        raise FeelError(f"@{text!r} is not a date, time, date and time or duration", position=pos)
    return value


def _pos(node: Tree[Token] | Token) -> int:
    if isinstance(node, Token):
        return node.start_pos or 0
    return getattr(node.meta, "start_pos", 0)


def compile_tree(tree: Tree[Token] | Token) -> Node:
    if isinstance(tree, Token):  # a bare primary inlined by ?rules never happens: tokens
        raise FeelError(f"unexpected token {tree!s}", position=_pos(tree))  # are wrapped
    handler = _HANDLERS.get(str(tree.data))
    if handler is None:  # pragma: no cover - every rule of the grammar has a handler
        raise FeelError(f"unsupported construct {tree.data}", position=_pos(tree))
    return handler(tree)


def _kids(tree: Tree[Token]) -> list[Node]:
    return [compile_tree(c) for c in tree.children if isinstance(c, Tree)]


def _tok(tree: Tree[Token], index: int = 0) -> Token:
    token = tree.children[index]
    assert isinstance(token, Token)
    return token


def _literal(value: object) -> Node:
    return lambda env: value


def _number(tree: Tree[Token]) -> Node:
    return _literal(Decimal(str(_tok(tree))))


def _string(tree: Tree[Token]) -> Node:
    return _literal(_unescape(str(_tok(tree))))


def _temporal(tree: Tree[Token]) -> Node:
    return _literal(_temporal_literal(_unescape(str(_tok(tree))[1:]), _pos(tree)))


def _name(tree: Tree[Token]) -> Node:
    name = " ".join(str(_tok(tree)).split())

    def lookup(env: Env) -> object:
        return env.lookup(name)

    return lookup


def _list(tree: Tree[Token]) -> Node:
    items = _kids(tree)
    return lambda env: [item(env) for item in items]


def _context(tree: Tree[Token]) -> Node:
    entries: list[tuple[str, Node]] = []
    for entry in tree.children:
        assert isinstance(entry, Tree)
        key_token = _tok(entry)
        if key_token.type == "KEY":
            key = " ".join(str(key_token).rstrip()[:-1].split())
        else:
            key = _unescape(str(key_token))
        value = entry.children[-1]
        assert isinstance(value, Tree)
        entries.append((key, compile_tree(value)))

    def build(env: Env) -> object:
        result: dict[str, object] = {}
        scope = env.child(result)  # later entries see earlier ones
        for key, value in entries:
            result[key] = value(scope)
        return result

    return build


def _range(start_in: bool, end_in: bool) -> Callable[[Tree[Token]], Node]:
    def make(tree: Tree[Token]) -> Node:
        start, end = _kids(tree)
        return lambda env: Range(start(env), end(env), start_in, end_in)

    return make


def _binary(op: str) -> Callable[[Tree[Token]], Node]:
    def make(tree: Tree[Token]) -> Node:
        left, right = _kids(tree)
        pos = _pos(tree.children[1]) if len(tree.children) > 1 else _pos(tree)
        return lambda env: _arith(op, left(env), right(env), pos)

    return make


def _neg(tree: Tree[Token]) -> Node:
    (operand,) = _kids(tree)
    pos = _pos(tree)

    def negate(env: Env) -> object:
        value = num(operand(env))
        if value is None:
            return None
        if isinstance(value, (Decimal, timedelta)):
            return -value
        if isinstance(value, YearsMonthsDuration):
            return YearsMonthsDuration(-value.months)
        raise FeelError(f"cannot negate a {_kind(value)}", position=pos)

    return negate


def _comparison(test: Callable[[int], bool]) -> Callable[[Tree[Token]], Node]:
    def make(tree: Tree[Token]) -> Node:
        left, right = _kids(tree)
        pos = _pos(tree)

        def compare(env: Env) -> object:
            order = _compare(left(env), right(env), pos)
            return None if order is None else test(order)

        return compare

    return make


def _eq(tree: Tree[Token]) -> Node:
    left, right = _kids(tree)
    return lambda env: _equal(left(env), right(env))


def _ne(tree: Tree[Token]) -> Node:
    left, right = _kids(tree)

    def differ(env: Env) -> object:
        same = _equal(left(env), right(env))
        return None if same is None else not same

    return differ


def _and(tree: Tree[Token]) -> Node:
    left, right = _kids(tree)

    def both(env: Env) -> object:
        a = _truth(left(env))
        if a is False:
            return False
        b = _truth(right(env))
        if b is False:
            return False
        return True if a is True and b is True else None

    return both


def _or(tree: Tree[Token]) -> Node:
    left, right = _kids(tree)

    def either(env: Env) -> object:
        a = _truth(left(env))
        if a is True:
            return True
        b = _truth(right(env))
        if b is True:
            return True
        return False if a is False and b is False else None

    return either


def _between(tree: Tree[Token]) -> Node:
    value, low, high = _kids(tree)
    pos = _pos(tree)

    def within(env: Env) -> object:
        v = value(env)
        return Range(low(env), high(env), True, True).contains(v, pos)

    return within


def _test(value: object, test: object, pos: int) -> object:
    if isinstance(test, Range):
        return test.contains(value, pos)
    if isinstance(test, (list, tuple)):
        found: object = False
        for item in cast("list[object]", test):
            hit = _test(value, item, pos) if isinstance(item, Range) else _equal(value, item)
            if hit is True:
                return True
            if hit is None:
                found = None
        return found
    return _equal(value, test)


def _in(tree: Tree[Token]) -> Node:
    value, target = _kids(tree)
    pos = _pos(tree)
    return lambda env: _test(value(env), target(env), pos)


def _in_list(tree: Tree[Token]) -> Node:
    value, *tests = _kids(tree)
    pos = _pos(tree)
    return lambda env: _test(value(env), [t(env) for t in tests], pos)


def _if(tree: Tree[Token]) -> Node:
    cond, then, other = _kids(tree)
    return lambda env: then(env) if cond(env) is True else other(env)


def _iterations(tree: Tree[Token]) -> tuple[list[tuple[str, Node, Node | None, int]], Node]:
    iterations: list[tuple[str, Node, Node | None, int]] = []
    children = [c for c in tree.children if isinstance(c, Tree)]
    for it in children[:-1]:
        name = str(_tok(it))
        parts = _kids(it)
        iterations.append((name, parts[0], parts[1] if len(parts) > 1 else None, _pos(it)))
    return iterations, compile_tree(children[-1])


def _bindings(
    env: Env, iterations: list[tuple[str, Node, Node | None, int]]
) -> Iterator[Env]:
    if not iterations:
        yield env
        return
    (name, source, end, pos), rest = iterations[0], iterations[1:]
    if end is None:
        items = _iterable(source(env), pos)
    else:
        low, high = num(source(env)), num(end(env))
        if not isinstance(low, Decimal) or not isinstance(high, Decimal):
            raise FeelError(f"a range to iterate needs numbers, got {_kind(low)}..{_kind(high)}",
                            position=pos)  # fmt: skip
        step = 1 if high >= low else -1
        items = [Decimal(i) for i in range(int(low), int(high) + step, step)]
    for item in items:
        yield from _bindings(env.child({name: item}), rest)


def _for(tree: Tree[Token]) -> Node:
    iterations, body = _iterations(tree)
    return lambda env: [body(scope) for scope in _bindings(env, iterations)]


def _some(tree: Tree[Token]) -> Node:
    iterations, body = _iterations(tree)
    return lambda env: any(body(scope) is True for scope in _bindings(env, iterations))


def _every(tree: Tree[Token]) -> Node:
    iterations, body = _iterations(tree)
    return lambda env: all(body(scope) is True for scope in _bindings(env, iterations))


def _function_def(tree: Tree[Token]) -> Node:
    params = [str(c) for c in tree.children if isinstance(c, Token)]
    (body,) = _kids(tree)

    def define(env: Env) -> object:
        def run(args: list[object]) -> object:
            return body(env.child(dict(zip(params, args, strict=False))))

        return FeelFunction("anonymous function", params, run)

    return define


def _path(tree: Tree[Token]) -> Node:
    (target,) = _kids(tree)
    name = str(_tok(tree, 1))
    pos = _pos(tree.children[1])
    return lambda env: _property(target(env), name, pos)


def _filter(tree: Tree[Token]) -> Node:
    target, condition = _kids(tree)
    pos = _pos(tree.children[1])

    def select(env: Env) -> object:
        value = target(env)
        if value is None:
            return None
        items = _iterable(value, pos) if isinstance(value, (list, tuple)) else [num(value)]
        try:
            index = condition(env)
        except FeelError:
            index = None
        if isinstance(index, Decimal):
            if index != index.to_integral_value():
                return None
            i = int(index)
            real = i - 1 if i > 0 else len(items) + i
            return items[real] if i != 0 and 0 <= real < len(items) else None
        chosen: list[object] = []
        for item in items:
            scope: dict[str, object] = {}
            if isinstance(item, dict):
                scope.update(cast("dict[str, object]", item))
            scope["item"] = item
            if condition(env.child(scope)) is True:
                chosen.append(item)
        return chosen

    return select


def _bind_builtin(name: str, builtin: Builtin, positional: list[Node] | None,
                  named: dict[str, Node] | None, pos: int) -> Callable[[Env], list[object]]:  # fmt: skip
    params = builtin.params
    minimum = len(params) if builtin.min_args is None else builtin.min_args
    if positional is not None:
        count = len(positional)
        if count < minimum or (count > len(params) and not builtin.variadic):
            want = (f"{minimum}" if minimum == len(params) else f"{minimum} to {len(params)}")
            if builtin.variadic:
                want = f"at least {minimum}"
            raise FeelError(f"{name}() takes {want} argument(s), got {count}", position=pos)
        nodes = positional
        return lambda env: [n(env) for n in nodes]
    assert named is not None
    unknown = [k for k in named if k not in params]
    if unknown:
        raise FeelError(f"{name}() has no parameter {unknown[0]!r} (it takes: "
                        f"{', '.join(params)})", position=pos)  # fmt: skip
    last = max((params.index(k) for k in named), default=-1)
    missing = [p for p in params[: max(last + 1, minimum)] if p not in named]
    if any(params.index(p) < minimum for p in missing):
        raise FeelError(f"{name}() is missing parameter {missing[0]!r}", position=pos)
    order = [named.get(p) for p in params[: last + 1]]
    return lambda env: [None if n is None else n(env) for n in order]


def _call(tree: Tree[Token]) -> Node:
    callee_tree = tree.children[0]
    assert isinstance(callee_tree, Tree)
    pos = _pos(tree)
    positional: list[Node] | None = []
    named: dict[str, Node] | None = None
    if len(tree.children) > 1:
        args = tree.children[1]
        assert isinstance(args, Tree)
        if args.data == "named":
            positional, named = None, {}
            pairs = args.children
            for i in range(0, len(pairs), 2):
                key = " ".join(str(pairs[i]).rstrip()[:-1].split())
                value = pairs[i + 1]
                assert isinstance(value, Tree)
                named[key] = compile_tree(value)
        else:
            positional = _kids(args)
    if callee_tree.data == "name":
        fname = " ".join(str(_tok(callee_tree)).split())
        builtin = BUILTINS.get(fname)
        if builtin is not None:
            return _builtin_call(fname, builtin, positional, named, pos)
        callee = compile_tree(callee_tree)
        label = fname
    else:
        callee = compile_tree(callee_tree)
        label = "the called value"
    arg_nodes = positional or []
    named_nodes = named

    def call_value(env: Env) -> object:
        fn = callee(env)
        if not isinstance(fn, FeelFunction):
            if fn is None and label != "the called value":
                raise FeelError(f"unknown function '{label}'", position=pos)
            raise FeelError(f"{label} is a {_kind(fn)}, not a function", position=pos)
        if named_nodes is not None:
            values = [named_nodes[p](env) if p in named_nodes else None for p in fn.params]
        else:
            values = [n(env) for n in arg_nodes]
            values += [None] * (len(fn.params) - len(values))
        return fn.body(values)

    return call_value


def _builtin_call(name: str, builtin: Builtin, positional: list[Node] | None,
                  named: dict[str, Node] | None, pos: int) -> Node:  # fmt: skip
    arguments = _bind_builtin(name, builtin, positional, named, pos)
    fn = builtin.fn
    uses_clock = builtin.clock

    def call(env: Env) -> object:
        values = arguments(env)
        try:
            return fn(env.clock, *values) if uses_clock else fn(*values)
        except FeelError as exc:
            if exc.position is None:
                raise FeelError(exc.reason, position=pos) from None
            raise
        except (TypeError, ValueError, ArithmeticError, OverflowError) as exc:
            raise FeelError(f"{name}() failed: {exc}", position=pos) from None

    return call


_HANDLERS: dict[str, Callable[[Tree[Token]], Node]] = {
    "number": _number, "string": _string, "temporal": _temporal,
    "true": lambda t: _literal(True), "false": lambda t: _literal(False),
    "null": lambda t: _literal(None), "name": _name, "list": _list, "context": _context,
    "range_cc": _range(True, True), "range_co": _range(True, False),
    "range_oc": _range(False, True), "range_oo": _range(False, False),
    "add": _binary("+"), "sub": _binary("-"), "mul": _binary("*"), "div": _binary("/"),
    "pow": _binary("**"), "neg": _neg,
    "eq": _eq, "ne": _ne,
    "lt": _comparison(lambda o: o < 0), "le": _comparison(lambda o: o <= 0),
    "gt": _comparison(lambda o: o > 0), "ge": _comparison(lambda o: o >= 0),
    "and_": _and, "or_": _or, "between": _between, "in_": _in, "in_list": _in_list,
    "if_expr": _if, "for_expr": _for, "some_expr": _some, "every_expr": _every,
    "function_def": _function_def, "path": _path, "filter": _filter, "call": _call,
}  # fmt: skip
