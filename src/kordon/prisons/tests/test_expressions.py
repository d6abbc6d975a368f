"""The checklist's relevant and constraint expressions: what they answer, and how a bad one is refused."""

import math
import operator
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kordon.prisons.expressions import ExpressionError, parse


@pytest.mark.parametrize(("answer", "relevant"), [("yes", True), ("no", True), ("na", False), ("", True)])
def test_a_question_is_relevant_unless_the_earlier_one_was_not_applicable(
    answer: str, relevant: bool
) -> None:
    assert parse("${p_cel_02} != 'na'").holds({"p_cel_02": answer}) is relevant


@pytest.mark.parametrize(
    ("answer", "relevant"), [("yes", True), ("partial", True), ("no", False), ("", False), ("Yes", False)]
)
def test_either_of_two_answers_makes_a_question_relevant(answer: str, relevant: bool) -> None:
    expression = parse("${r_con_01} = 'yes' or ${r_con_01} = 'partial'")
    assert expression.holds({"r_con_01": answer}) is relevant


def test_a_missing_answer_counts_as_unanswered() -> None:
    assert parse("${p_cel_02} != 'na'").holds({}) is True
    assert parse("${p_cel_02} = ''").holds({}) is True


@pytest.mark.parametrize(
    ("working", "total", "valid"),
    [
        ("5", "12", True),
        ("0", "12", True),
        ("12", "12", True),
        ("13", "12", False),
        ("-1", "12", False),
        ("3.5", "12", True),
        (5, 12, True),  # numbers, as an API client may send them
        ("5", "", False),  # the total is unanswered: nothing can be checked against it
        ("", "12", False),
        ("five", "12", False),
    ],
)
def test_working_cameras_lie_between_none_and_the_total(working: object, total: object, valid: bool) -> None:
    constraint = parse(". >= 0 and . <= ${p_cctv_01_total}")
    assert constraint.holds({"p_cctv_01_total": total}, current=working) is valid


@pytest.mark.parametrize(
    ("choices", "selected", "count"),
    [("bars locks", True, 2), ("locks bars cameras", True, 3), ("barsx locks", False, 2), ("", False, 0)],
)
def test_selected_and_count_selected_read_space_separated_choices(
    choices: str, selected: bool, count: int
) -> None:
    assert parse("selected(${p_sec_03}, 'bars')").holds({"p_sec_03": choices}) is selected
    assert parse("count-selected(${p_sec_03})").evaluate({"p_sec_03": choices}) == count


def test_selected_ignores_extra_spaces() -> None:
    assert parse("selected(${m}, ' bars ')").holds({"m": "  locks   bars "}) is True
    assert parse("count-selected(${m})").evaluate({"m": "  locks   bars "}) == 2


def test_if_and_coalesce() -> None:
    level = parse("if(${a} = 'yes', 'full', 'none')")
    assert level.evaluate({"a": "yes"}) == "full"
    assert level.evaluate({"a": "no"}) == "none"
    fallback = parse("coalesce(${a}, ${b})")
    assert fallback.evaluate({"a": "", "b": "7"}) == "7"
    assert fallback.evaluate({"a": "3", "b": "7"}) == "3"
    assert fallback.evaluate({"b": "7"}) == "7"
    assert fallback.evaluate({"a": 0, "b": "7"}) == 0.0  # zero is an answer, not an empty one


def test_if_evaluates_only_the_branch_it_takes() -> None:
    # The other branch would fail (the pattern is bad), so reaching it would raise.
    expression = parse("if(${a} = 'yes', 1, regex('x', ${pattern}))")
    assert expression.evaluate({"a": "yes", "pattern": "["}) == 1.0
    with pytest.raises(ExpressionError):
        expression.evaluate({"a": "no", "pattern": "["})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3 = 7", True),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("12 div 3 div 2", 2.0),
        ("-2 * 3", -6.0),
        ("- -2", 2.0),
        ("2 - -2", 4.0),
        ("not(1 > 2) and 2 >= 2", True),
        ("1 = 1 or 1 = 2 and 1 = 3", True),  # and binds tighter than or
        ("(1 = 1 or 1 = 2) and 1 = 3", False),
        ("1 < 2 = 2 < 3", True),  # comparisons bind tighter than equality
        ("1 + 1 = 2 and 3 mod 2 = 1", True),
        ("3-1", 2.0),
        ("7 mod 4 * 2", 6.0),
    ],
)
def test_xpath_precedence(text: str, expected: object) -> None:
    assert parse(text).evaluate({}) == expected


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("'10' < '9'", {}, False),  # relational operators compare numbers, never text
        ("'10' = '10.0'", {}, False),  # two strings compare as text
        ("'10' = 10.0", {}, True),  # a number on either side makes it numeric
        ("${x} = 'yes'", {"x": "yes"}, True),
        ("${x} = 'yes'", {"x": "Yes"}, False),
        ("${x} = 10", {"x": " 10.0 "}, True),
        ("${x} = '3'", {"x": 3}, True),
        ("${x} = '3.0'", {"x": "3"}, False),
        ("${x} = 'yes'", {"x": 1}, False),
        ("true() = 'false'", {}, True),  # with a boolean, both sides are booleans: a non-empty string is true
        ("false() = ''", {}, True),
        ("true() = 2", {}, True),
        ("${x} > 9", {"x": "10"}, True),
    ],
)
def test_strings_and_numbers_compare_as_xpath_says(
    text: str, values: dict[str, object], expected: bool
) -> None:
    assert parse(text).evaluate(values) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${x} < 5", False),
        ("${x} >= 5", False),
        ("${x} = 0", False),
        ("${x} != 0", True),
        ("${x} = ''", True),
        ("${x} + 1 > 0", False),
    ],
)
def test_an_empty_answer_is_not_a_number(text: str, expected: bool) -> None:
    assert parse(text).holds({"x": ""}) is expected


def test_arithmetic_on_an_empty_answer_is_nan() -> None:
    result = parse("${x} + 1").evaluate({"x": ""})
    assert isinstance(result, float)
    assert math.isnan(result)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 div 0", math.inf),
        ("-1 div 0", -math.inf),
        ("1 div -0", -math.inf),
        ("7 mod 3", 1.0),
        ("-7 mod 3", -1.0),  # the sign of the dividend, unlike Python's %
        ("7 mod -3", 1.0),
        ("7.5 mod 2", 1.5),
    ],
)
def test_division_and_remainder_follow_xpath(text: str, expected: float) -> None:
    assert parse(text).evaluate({}) == expected


@pytest.mark.parametrize("text", ["0 div 0", "5 mod 0", "(1 div 0) mod 2", "${x} div 2"])
def test_undefined_arithmetic_is_nan_not_an_exception(text: str) -> None:
    result = parse(text).evaluate({"x": "n/a"})
    assert isinstance(result, float)
    assert math.isnan(result)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("string-length(${a})", 5.0),
        ("string-length('')", 0.0),
        ("number(' 12 ')", 12.0),
        ("number(${a})", None),
        ("number('1e3')", None),  # XPath numbers have no exponent
        ("number(true())", 1.0),
        ("string(3)", "3"),
        ("string(2.5)", "2.5"),
        ("string(0.0000001)", "0.0000001"),
        ("string(1 div 0)", "Infinity"),
        ("string(0 div 0)", "NaN"),
        ("string(1 = 1)", "true"),
        ("int(-3.7)", -3.0),
        ("int(3.7)", 3.0),
        ("round(2.5)", 3.0),
        ("round(3.14159, 2)", 3.14),
        ("round(2.675, 2)", 2.68),
        ("round(1250, -2)", 1300.0),
        ("concat(${a}, '-', 3, '-', true())", "cells-3-true"),
        ("regex(${a}, '^c[a-z]+s$')", True),
        ("regex(${a}, '^[0-9]+$')", False),
        ("regex('A-12', '[0-9]')", True),  # a search, not a full match, as ODK does
        ("not('')", True),
        ("not(0)", True),
        ("not(0 div 0)", True),
        ("true() and not(false())", True),
    ],
)
def test_functions(text: str, expected: object) -> None:
    result = parse(text).evaluate({"a": "cells"})
    if expected is None:
        assert isinstance(result, float)
        assert math.isnan(result)
    else:
        assert result == expected
        assert type(result) is type(expected)


def test_results_are_booleans_or_floats() -> None:
    assert parse("1 + 1").evaluate({}) == 2.0
    assert type(parse("1 + 1").evaluate({})) is float
    assert type(parse("1 < 2").evaluate({})) is bool
    assert type(parse("${a} or ${b}").evaluate({"a": "x"})) is bool
    assert parse("${a} and ${b}").holds({"a": "x", "b": ""}) is False


def test_references_and_current() -> None:
    constraint = parse(". >= 0 and . <= ${p_cctv_01_total} and ${p_cctv_01_total} != ${p_x}")
    assert constraint.references == frozenset({"p_cctv_01_total", "p_x"})
    assert constraint.uses_current is True
    relevant = parse("selected(${r.sec-01_b}, 'x')")
    assert relevant.references == frozenset({"r.sec-01_b"})
    assert relevant.uses_current is False
    assert parse("string-length('.') > 0.5").uses_current is False
    assert parse(".5 < 1").uses_current is False


def test_a_bad_pattern_built_from_answers_fails_at_evaluation() -> None:
    expression = parse("regex(${code}, ${pattern})")
    assert expression.holds({"code": "A12", "pattern": "^A[0-9]+$"}) is True
    with pytest.raises(ExpressionError) as caught:
        expression.holds({"code": "A12", "pattern": "A[0-9"})
    assert caught.value.position == 0


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("", 0, "The expression is empty."),
        ("   ", 0, "The expression is empty."),
        ("${a} = 'yes", 7, "The text at character 8 has no closing quote."),
        ("${a = 'yes'", 0, "The reference at character 1 has no closing '}'."),
        ("1 = ${a b}", 4, "The reference '${a b}' at character 5 does not hold a question name."),
        ("1 # 2", 2, "Unexpected character '#' at character 3."),
        ("${a} == 1", 6, "Unexpected '=' at character 7."),
        ("(1 + 2", 6, "Expected ')' at the end of the expression."),
        ("not(1 2)", 6, "Expected ')' at character 7."),
        ("1 +", 3, "The expression ends too early."),
        ("1 2", 2, "Unexpected '2' at character 3."),
        ("yes = 1", 0, "Unexpected 'yes' at character 1."),
        ("1.2.3", 3, "Unexpected '.3' at character 4."),
        ("1 + foo(2)", 4, "Unknown function 'foo' at character 5."),
        (
            "if(${a}, 1)",
            0,
            "Wrong number of arguments for 'if' at character 1: write if(condition, value, value).",
        ),
        ("1 and true(1)", 6, "Wrong number of arguments for 'true' at character 7: write true()."),
        (
            "round(1, 2, 3)",
            0,
            "Wrong number of arguments for 'round' at character 1: write round(number, digits).",
        ),
        (
            "concat()",
            0,
            "Wrong number of arguments for 'concat' at character 1: write concat(value, value, ...).",
        ),
        (
            "${a} and regex(., '[0-9')",
            9,
            "The pattern '[0-9' of regex() at character 10 is not valid: unterminated character set.",
        ),
    ],
)
def test_errors_say_what_and_where(text: str, position: int, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.position == position
    assert str(caught.value) == message


def test_absurd_nesting_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError):
        parse("(" * 2000 + "1" + ")" * 2000)


def test_an_expression_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Unknown function 'today'"):
        parse("today()")


PYTHON: dict[str, Callable[[int, int], object]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
}


def literal(number: int) -> str:
    # XPath has no negative literals: -3 is unary minus applied to 3.
    return f"-{-number}" if number < 0 else str(number)


@given(
    a=st.integers(min_value=-(10**6), max_value=10**6),
    b=st.integers(min_value=-(10**6), max_value=10**6),
    symbol=st.sampled_from(sorted(PYTHON)),
)
def test_integer_operations_agree_with_python(a: int, b: int, symbol: str) -> None:
    result = parse(f"{literal(a)} {symbol} {literal(b)}").evaluate({})
    assert result == PYTHON[symbol](a, b)
    assert type(result) is (float if symbol in "+-*" else bool)


@given(a=st.integers(min_value=-(10**6), max_value=10**6), b=st.integers(min_value=-(10**6), max_value=10**6))
def test_answers_compare_like_the_numbers_they_hold(a: int, b: int) -> None:
    values = {"a": str(a), "b": f" {b} "}
    assert parse("${a} < ${b}").holds(values) is (a < b)
    assert parse("${a} - ${b}").evaluate(values) == a - b


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_string_then_number_gives_the_number_back(value: float) -> None:
    assert parse("number(string(${x}))").evaluate({"x": value}) == value
