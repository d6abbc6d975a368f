"""The XLSForm expressions of a prison checklist, evaluated on the server.

A checklist's ``relevant`` and ``constraint`` columns hold ODK XPath expressions. pyxform reads the
form but does not evaluate expressions, and Kordon has to, when an auditor's answers arrive: to know
which questions applied and which answers break a constraint. This is deliberately a subset of XPath,
the operators and functions the checklists use, with XPath 1.0 semantics. Anything else is refused
when the form is loaded, with the character where it went wrong, rather than misread later.
"""

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["Expression", "ExpressionError", "parse"]

Value = str | float | bool

# The regular expression only cuts the text into tokens; the parser below gives them meaning.
_TOKEN = re.compile(
    r"""(?P<space>\s+)
    | (?P<number>\d+(?:\.\d*)?|\.\d+)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<ref>\$\{[^}]*\})
    | (?P<name>[^\W\d][\w\-]*)
    | (?P<dot>\.)
    | (?P<symbol>!=|<=|>=|[=<>+\-*(),])""",
    re.VERBOSE,
)
_QUESTION_NAME = re.compile(r"[\w.\-]+")
# XPath's Number: no "+", exponent, "inf" or "nan", all of which Python's float() would accept.
_DECIMAL = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
# name: fewest and most arguments, and how it is written (shown when the number of arguments is wrong).
_FUNCTIONS: dict[str, tuple[int, float, Promise]] = {
    "selected": (2, 2, gettext_lazy("selected(${question}, 'choice')")),
    "count-selected": (1, 1, gettext_lazy("count-selected(${question})")),
    "if": (3, 3, gettext_lazy("if(condition, value, value)")),
    "coalesce": (2, 2, gettext_lazy("coalesce(value, value)")),
    "not": (1, 1, gettext_lazy("not(condition)")),
    "true": (0, 0, gettext_lazy("true()")),
    "false": (0, 0, gettext_lazy("false()")),
    "string-length": (1, 1, gettext_lazy("string-length(value)")),
    "number": (1, 1, gettext_lazy("number(value)")),
    "string": (1, 1, gettext_lazy("string(value)")),
    "int": (1, 1, gettext_lazy("int(number)")),
    "round": (1, 2, gettext_lazy("round(number, digits)")),
    "regex": (2, 2, gettext_lazy("regex(value, 'pattern')")),
    "concat": (1, math.inf, gettext_lazy("concat(value, value, ...)")),
}


class ExpressionError(ValueError):
    """An expression Kordon cannot read: says what and where (character position)."""

    position: int

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position  # 0-based; the message counts from 1, as a person does


def _error(message: str, position: int, **values: object) -> ExpressionError:
    return ExpressionError(message % {"position": position + 1, **values}, position)


class _Token(NamedTuple):
    kind: str  # a group name of _TOKEN, or "end"
    text: str
    position: int


@dataclass(frozen=True)
class Literal:
    value: Value


@dataclass(frozen=True)
class Reference:
    name: str


@dataclass(frozen=True)
class Current:
    pass


@dataclass(frozen=True)
class Binary:
    operator: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Call:
    name: str
    arguments: tuple["Node", ...]
    position: int


Node = Literal | Reference | Current | Binary | Call


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position] in "'\"":
                raise _error(_("The text at character %(position)d has no closing quote."), position)
            if text.startswith("${", position):
                raise _error(_("The reference at character %(position)d has no closing '}'."), position)
            message = _("Unexpected character '%(char)s' at character %(position)d.")
            raise _error(message, position, char=text[position])
        kind = match.lastgroup or ""
        if kind == "ref" and not _QUESTION_NAME.fullmatch(match.group()[2:-1]):
            message = _("The reference '%(ref)s' at character %(position)d does not hold a question name.")
            raise _error(message, position, ref=match.group())
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    # Lowest precedence first, as in XPath 1.0; "and", "or", "div" and "mod" arrive as name tokens.
    LEVELS = (("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "div", "mod"))

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.references: set[str] = set()
        self.uses_current = False

    def at(self, *texts: str) -> bool:
        token = self.tokens[self.index]
        return token.kind in ("symbol", "name") and token.text in texts

    def take(self) -> _Token:
        self.index += 1
        return self.tokens[self.index - 1]

    def unexpected(self, token: _Token, expected: str = "") -> ExpressionError:
        if token.kind == "end":
            message = _("Expected %(expected)s at the end of the expression.")
            if not expected:
                message = _("The expression ends too early.")
        else:
            message = _("Expected %(expected)s at character %(position)d.")
            if not expected:
                message = _("Unexpected '%(token)s' at character %(position)d.")
        return _error(message, token.position, expected=expected, token=token.text)

    def expect(self, symbol: str) -> None:
        if not self.at(symbol):
            raise self.unexpected(self.tokens[self.index], f"'{symbol}'")
        self.take()

    def parse(self) -> Node:
        node = self.binary(0)
        if self.tokens[self.index].kind != "end":
            raise self.unexpected(self.tokens[self.index])
        return node

    def binary(self, level: int) -> Node:
        if level == len(self.LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while self.at(*self.LEVELS[level]):
            node = Binary(self.take().text, node, self.binary(level + 1))
        return node

    def unary(self) -> Node:
        if self.at("-"):
            self.take()
            return Binary("*", Literal(-1.0), self.unary())  # exactly -x, even for 0 (1 div -0 is -Infinity)
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Literal(float(token.text))
        if token.kind == "string":
            return Literal(token.text[1:-1])
        if token.kind == "ref":
            self.references.add(token.text[2:-1])
            return Reference(token.text[2:-1])
        if token.kind == "dot":
            self.uses_current = True
            return Current()
        if token.kind == "symbol" and token.text == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if token.kind == "name" and self.at("("):
            return self.call(token)
        raise self.unexpected(token)

    def call(self, name: _Token) -> Call:
        if name.text not in _FUNCTIONS:
            raise _error(
                _("Unknown function '%(name)s' at character %(position)d."), name.position, name=name.text
            )
        self.expect("(")
        arguments: list[Node] = []
        if not self.at(")"):
            arguments.append(self.binary(0))
            while self.at(","):
                self.take()
                arguments.append(self.binary(0))
        self.expect(")")
        fewest, most, usage = _FUNCTIONS[name.text]
        if not fewest <= len(arguments) <= most:
            message = _(
                "Wrong number of arguments for '%(name)s' at character %(position)d: write %(usage)s."
            )
            raise _error(message, name.position, name=name.text, usage=usage)
        if name.text == "regex" and isinstance(pattern := arguments[1], Literal):
            _compile(str(pattern.value), name.position)  # a mistyped pattern is the form's fault: say so now
        return Call(name.text, tuple(arguments), name.position)


def _compile(pattern: str, position: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        message = _(
            "The pattern '%(pattern)s' of regex() at character %(position)d is not valid: %(reason)s."
        )
        raise _error(message, position, pattern=pattern, reason=error.msg) from None


def _value(raw: object) -> Value:
    """An answer as XPath sees it: unanswered is the empty string, never None."""
    if raw is None:
        return ""
    if isinstance(raw, bool | str):
        return raw
    if isinstance(raw, int | float):
        return float(raw)
    return str(raw)  # a date becomes 2013-06-18 and a Decimal 3.50, as ODK would submit them


def _number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    text = value.strip()
    return float(text) if _DECIMAL.fullmatch(text) else math.nan


def _boolean(value: Value) -> bool:
    if isinstance(value, str):
        return value != ""
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value


def _string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer():
        return str(int(value))  # XPath writes 12, not 12.0
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text else text  # and 0.0000001, not 1e-07


def _equal(left: Value, right: Value) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return _boolean(left) == _boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return _number(left) == _number(right)  # NaN equals nothing, itself included
    return left == right


def _divide(left: float, right: float) -> float:
    if right == 0:  # IEEE division, as XPath has it, where Python would raise
        return (
            math.nan
            if left == 0 or math.isnan(left)
            else math.copysign(math.inf, left) * math.copysign(1, right)
        )
    return left / right


def _modulo(left: float, right: float) -> float:
    if right == 0 or math.isinf(left):  # XPath answers NaN where math.fmod raises
        return math.nan
    return math.fmod(left, right)  # the sign of the dividend, as in XPath; Python's % takes the divisor's


def _round(number: float, digits: float) -> float:
    if math.isnan(digits) or not math.isfinite(number):
        return math.nan if math.isnan(digits) else number
    try:  # half away from zero, as a person rounds 2.5 and 2.675 (Python's round() gives 2 and 2.67)
        places = Decimal(1).scaleb(-int(digits))
        return float(Decimal(repr(number)).quantize(places, rounding=ROUND_HALF_UP))
    except ArithmeticError:  # more digits asked for than a float has: nothing to round
        return number


_NUMERIC: dict[str, Callable[[float, float], Value]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "div": _divide,
    "mod": _modulo,
}


def _evaluate(node: Node, values: Mapping[str, object], current: object) -> Value:
    match node:
        case Literal(value):
            return value
        case Reference(name):
            return _value(values.get(name))
        case Current():
            return _value(current)
        case Binary("or", left, right):
            return _boolean(_evaluate(left, values, current)) or _boolean(_evaluate(right, values, current))
        case Binary("and", left, right):
            return _boolean(_evaluate(left, values, current)) and _boolean(_evaluate(right, values, current))
        case Binary(symbol, left, right):
            a, b = _evaluate(left, values, current), _evaluate(right, values, current)
            if symbol in ("=", "!="):
                return _equal(a, b) == (symbol == "=")
            return _NUMERIC[symbol](_number(a), _number(b))
        case Call():
            return _call(node, values, current)
    raise AssertionError(node)


def _call(call: Call, values: Mapping[str, object], current: object) -> Value:
    def argument(index: int) -> Value:
        return _evaluate(call.arguments[index], values, current)

    match call.name:
        case "if":  # only the branch taken is evaluated
            return argument(1) if _boolean(argument(0)) else argument(2)
        case "coalesce":
            first = argument(0)
            return argument(1) if first == "" else first
        case "selected":
            return _string(argument(1)).strip() in _string(argument(0)).split()
        case "count-selected":
            return float(len(_string(argument(0)).split()))
        case "not":
            return not _boolean(argument(0))
        case "true" | "false":
            return call.name == "true"
        case "string-length":
            return float(len(_string(argument(0))))
        case "number":
            return _number(argument(0))
        case "string":
            return _string(argument(0))
        case "int":
            number = _number(argument(0))
            return float(math.trunc(number)) if math.isfinite(number) else number
        case "round":
            return _round(_number(argument(0)), _number(argument(1)) if len(call.arguments) == 2 else 0.0)
        case "regex":  # parse() checked a literal pattern; one built from answers can only fail here
            return _compile(_string(argument(1)), call.position).search(_string(argument(0))) is not None
        case "concat":
            return "".join(_string(argument(i)) for i in range(len(call.arguments)))
    raise AssertionError(call.name)


@dataclass(frozen=True)
class Expression:
    """A parsed expression, ready for each submission's answers."""

    text: str
    references: frozenset[str]  # the ${name}s it refers to
    uses_current: bool  # whether it uses "." (the question's own value), as constraints do
    _tree: Node = field(repr=False, compare=False)

    def evaluate(self, values: Mapping[str, object], current: object = None) -> Value:
        """The value, where a missing or None answer is unanswered: the empty string."""
        return _evaluate(self._tree, values, current)

    def holds(self, values: Mapping[str, object], current: object = None) -> bool:
        """Whether the question is relevant, or its answer meets the constraint."""
        return _boolean(self.evaluate(values, current))


def parse(text: str) -> Expression:
    """The expression in text, or an ExpressionError that says what is wrong and where."""
    if not text.strip():
        raise ExpressionError(_("The expression is empty."), 0)
    parser = _Parser(text)
    try:
        tree = parser.parse()
    except RecursionError:  # only a mangled or generated form nests brackets hundreds deep
        raise ExpressionError(_("The expression is nested too deeply."), 0) from None
    return Expression(text, frozenset(parser.references), parser.uses_current, tree)
