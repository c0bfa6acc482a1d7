"""The evaluator: operators and precedence, collections, for expressions, splats, templates,
and how unknown and sensitive values travel. (Functions have their own tests.)"""

from __future__ import annotations

from typing import Any

import pytest

from mlform.language.evaluator import EvaluationError, Scope, evaluate, values_equal
from mlform.language.syntax import parse_file
from mlform.language.values import UNKNOWN, Sensitive, contains_sensitive, contains_unknown

NAMES: dict[str, Any] = {
    "var": {
        "n": 3,
        "s": "hello",
        "t": True,
        "nothing": None,
        "l": [1, 2, 3],
        "m": {"b": 2, "a": 1},
        "objs": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
        "one": {"a": 5},
        "settings": {"learning_rate": 0.1},
        "u": UNKNOWN,
        "unknown_list": [1, UNKNOWN],
        "secret": Sensitive("hunter2"),
        "secret_n": Sensitive(4),
        "secret_flag": Sensitive(True),
        "secret_list": Sensitive(["p", "q"]),
        "secret_map": Sensitive({"k": "v"}),
        "partly_secret": ["open", Sensitive("shut")],
    },
    "local": {"deep": {"a": [{"b": {"c": "found"}}]}},
}


def expression(text: str) -> Any:
    file, diagnostics = parse_file(f"x = {text}\n", "main.mlf.hcl")
    assert not diagnostics, [str(d) for d in diagnostics]
    return file.body.attributes["x"].expression


def ev(text: str) -> Any:
    return evaluate(expression(text), Scope(NAMES))


def strict(value: Any) -> Any:
    """The value with bool and number told apart, for comparisons in assertions."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, list):
        return [strict(v) for v in value]
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    return value


# operators -----------------------------------------------------------------------------------

ARITHMETIC = [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 4 - 3", 3),  # left to right
    ("2 * 3 % 4", 2),  # same precedence, left to right
    ("12 / 4 / 3", 1),
    ("10 / 4", 2.5),
    ("10 / 2", 5),  # a whole result is a whole number
    ("-5 % 3", -2),  # the sign of the dividend, as in HCL
    ("5 % -3", 2),
    ("5.5 % 2", 1.5),
    ("-var.n", -3),
    ("1.5e3 + 0.5", 1500.5),
    ('"2" + 3', 5),  # numeric strings convert
    ('"2" * "3"', 6),
    ("var.n * var.n - 1", 8),
]

COMPARISON_AND_LOGIC = [
    ("1 < 2", True),
    ("2 <= 2", True),
    ("3 > 4", False),
    ('"10" > 9', True),
    ("1 + 1 == 2", True),  # arithmetic binds tighter than comparison
    ("1 < 2 == true", True),  # comparison binds tighter than equality
    ("true || false && false", True),  # && binds tighter than ||
    ("(true || false) && false", False),
    ("!true || true", True),  # ! binds tightest
    ("!(1 > 2)", True),
    ('"true" && true', True),  # "true" converts to a bool
    ("false && var.nothing", False),  # short-circuit: the right side is never needed
    ("true || var.nothing", True),
]

EQUALITY = [
    ('1 == "1"', False),  # types matter
    ("true == 1", False),
    ("1 == 1.0", True),
    ("null == null", True),
    ("var.nothing == null", True),
    ("[1, 2] == [1, 2]", True),
    ("[1, 2] == [2, 1]", False),
    ("{ a = 1 } == { a = 1 }", True),
    ("{ a = 1 } != { a = 2 }", True),
    ('"a" != "b"', True),
]


@pytest.mark.parametrize(("text", "expected"), ARITHMETIC + COMPARISON_AND_LOGIC + EQUALITY)
def test_operators(text: str, expected: Any) -> None:
    assert strict(ev(text)) == strict(expected)


def test_values_equal() -> None:
    assert values_equal({"a": [1, True]}, {"a": [1.0, True]})
    assert not values_equal([1], [True])
    assert not values_equal(None, 0)


CONDITIONALS = [
    ("true ? 1 : 2", 1),
    ("false ? 1 : 2", 2),
    ('var.n > 2 ? "big" : "small"', "big"),
    ('"false" ? 1 : 2', 2),
    ("true ? 1 : var.nothing.attribute", 1),  # the branch not taken is not evaluated
    ("false ? 1 : true ? 2 : 3", 2),
]


@pytest.mark.parametrize(("text", "expected"), CONDITIONALS)
def test_conditionals(text: str, expected: Any) -> None:
    assert ev(text) == expected


# collections, traversals, for expressions, splats -------------------------------------------

COLLECTIONS = [
    ("[]", []),
    ("[1, [2, [3]]]", [1, [2, [3]]]),
    ("{}", {}),
    ('{ a = 1, "b c" = 2, (var.s) = 3 }', {"a": 1, "b c": 2, "hello": 3}),
    ('{ 1 = "one" }', {"1": "one"}),  # keys are strings
    ("var.m.a", 1),
    ('var.m["b"]', 2),
    ("var.l[0]", 1),
    ('var.l["1"]', 2),  # a numeric string indexes a list
    ("var.objs[1].b", "y"),
    ('local.deep.a[0]["b"].c', "found"),
    ("[10, 20].1", 20),
    ("var.objs[*].a", [1, 2]),
    ("var.objs.*.b", ["x", "y"]),
    ("var.one[*].a", [5]),  # a single value splats as a list of one
    ("var.nothing[*]", []),  # null splats as an empty list
    ("var.objs[*]", [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]),
]


@pytest.mark.parametrize(("text", "expected"), COLLECTIONS)
def test_collections_and_traversals(text: str, expected: Any) -> None:
    assert ev(text) == expected


FOR_EXPRESSIONS = [
    ("[for v in var.l : v * 2]", [2, 4, 6]),
    ("[for i, v in var.l : i + v]", [1, 3, 5]),
    ("[for v in var.l : v if v != 2]", [1, 3]),
    ("[for k, v in var.m : k]", ["a", "b"]),  # a map iterates in key order
    ("{for k, v in var.m : v => k}", {"1": "a", "2": "b"}),
    ('{for v in ["ab", "ac", "b"] : substr(v, 0, 1) => v...}', {"a": ["ab", "ac"], "b": ["b"]}),
    ("{for o in var.objs : o.b => o.a if o.a > 1}", {"y": 2}),
    ("[for v in [] : v]", []),
    ("[for x in [1, 2] : [for y in [10, 20] : x * y]]", [[10, 20], [20, 40]]),
    ("[for v in var.l : v][1]", 2),
]


@pytest.mark.parametrize(("text", "expected"), FOR_EXPRESSIONS)
def test_for_expressions(text: str, expected: Any) -> None:
    assert ev(text) == expected


TEMPLATES = [
    ('"${var.s} world"', "hello world"),
    ('"${var.n}"', 3),  # a lone interpolation keeps its type
    ('"n=${var.n}"', "n=3"),
    ('"${var.t}/${1.5}"', "true/1.5"),
    ('"%{ for v in var.l }${v}%{ endfor }"', "123"),
    ('"%{ if var.n > 2 }big%{ else }small%{ endif }"', "big"),
]


@pytest.mark.parametrize(("text", "expected"), TEMPLATES)
def test_templates(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_try_and_can() -> None:
    assert ev("try(var.nothing.a, var.m.z, 7)") == 7
    assert ev("try(var.m.a, 7)") == 1
    assert ev("can(var.m.z)") is False
    assert ev("can(var.m.a)") is True
    assert ev("can(var.u)") is UNKNOWN


# errors --------------------------------------------------------------------------------------

ERRORS = [
    # (text, column of the fault, message fragment); x = starts at column 5
    ('1 + "a"', 9, '"+" needs a number here, got a string'),
    ("null + 1", 5, 'the operands of "+" cannot be null'),
    ("!1", 6, '"!" needs a bool here, got a number'),
    ("1 && true", 5, '"&&" needs a bool here, got a number'),
    ("1 / 0", 9, "division by zero"),
    ("1 % 0", 9, "modulo by zero"),
    ("1e308 * 10", 5, "not a finite number"),
    ("1 ? 2 : 3", 5, "the condition must be true or false, got a number"),
    ("null ? 2 : 3", 5, "the condition is null"),
    ("var.l[3]", 11, "index 3 is out of range for a list of 3 elements"),
    ('var.l["x"]', 11, "a list index must be a number, got a string"),
    ("var.l[0.5]", 11, "a list index must be a whole number"),
    ('var.m["c"]', 11, 'the map has no element "c"'),
    ("var.m.z", 5, 'this object has no attribute "z"'),
    ("var.settings.learning_rat", 5, 'did you mean "learning_rate"?'),
    ("var.l.a", 5, 'to take "a" from every element, write [*].a'),
    ("var.nothing.a", 5, 'cannot read attribute "a" of a null value'),
    ("var.nothing[0]", 17, "cannot index a null value"),
    ("var.s.a", 5, 'a string has no attribute "a"'),
    ("var.n[0]", 11, "a number cannot be indexed"),
    ("nope", 5, 'unknown name "nope"'),
    ("locl.deep", 5, 'unknown name "locl"; did you mean "local"?'),
    ('"${[1]}x"', 8, "a list cannot be included in a string template"),
    ('"${var.nothing}x"', 8, "a null value cannot be included"),
    ("{ a = 1, a = 2 }", 14, 'the key "a" is set twice'),
    ("{ (null) = 1 }", 7, "an object key must be a string, got null"),
    ("[for v in 5 : v]", 15, "needs a list or a map to iterate over, got a number"),
    ("[for v in null : v]", 15, "cannot iterate over null"),
    ('{for v in ["a", "a"] : v => 1}', 28, 'two elements produce the key "a"'),
    ("[for v in [1] : v if 1]", 26, '"if" needs a bool here'),
    ("nosuch(1)", 5, 'unknown function "nosuch"'),
    ('uppr("a")', 5, 'did you mean "upper"?'),
    ("upper()", 5, "upper takes 1 argument, got 0"),
    ("max()", 5, "max takes at least 1 argument, got 0"),
    ("max(1...)", 9, '"..." expands a list into arguments; this is a number'),
    ("try()", 5, "try takes at least 1 argument"),
    ("try(var.nothing.a)", 5, "no argument of try could be evaluated"),
    ("can(1, 2)", 5, "can takes exactly 1 argument"),
]


@pytest.mark.parametrize(("text", "column", "fragment"), ERRORS)
def test_errors_name_the_fault(text: str, column: int, fragment: str) -> None:
    with pytest.raises(EvaluationError) as error:
        ev(text)
    assert fragment in error.value.message
    assert (error.value.range.line, error.value.range.column) == (1, column), error.value.message


def test_hints_explain_missing_names() -> None:
    scope = Scope({}, hints={"each": "each exists only with for_each"})
    with pytest.raises(EvaluationError, match="each exists only with for_each"):
        evaluate(expression("each.key"), scope)


# unknown values ------------------------------------------------------------------------------

UNKNOWNS = [
    # (text, expected: UNKNOWN, or a known value that does not depend on the unknown)
    ("var.u", UNKNOWN),
    ("var.u + 1", UNKNOWN),
    ("-var.u", UNKNOWN),
    ("!var.u", UNKNOWN),
    ("var.u == 1", UNKNOWN),
    ("var.unknown_list == [1, 2]", UNKNOWN),
    ("var.u > 1", UNKNOWN),
    ("var.u.attribute", UNKNOWN),
    ("var.u[0]", UNKNOWN),
    ("var.l[var.u]", UNKNOWN),
    ("var.u[*].a", UNKNOWN),
    ('"a${var.u}b"', UNKNOWN),
    ("var.u ? 1 : 2", UNKNOWN),
    ("[for v in var.u : v]", UNKNOWN),
    ("[for v in var.l : v if var.u]", UNKNOWN),
    ("{ (var.u) = 1 }", UNKNOWN),
    ("upper(var.u)", UNKNOWN),
    ("max(var.unknown_list...)", UNKNOWN),
    ("false && var.u", False),
    ("true || var.u", True),
    ("var.u && false", False),
    ("var.u || true", True),
    ("var.u && true", UNKNOWN),
    ("true ? 1 : var.u", 1),
    ("[var.u, 1][1]", 1),
    ("{ a = var.u, b = 2 }.b", 2),
]


@pytest.mark.parametrize(("text", "expected"), UNKNOWNS)
def test_unknown_values_propagate(text: str, expected: Any) -> None:
    value = ev(text)
    if expected is UNKNOWN:
        assert value is UNKNOWN
    else:
        assert strict(value) == strict(expected)


def test_collections_keep_unknown_elements() -> None:
    value = ev("[var.u, 1]")
    assert value[0] is UNKNOWN and value[1] == 1
    assert contains_unknown(ev("{ a = { b = var.u } }"))


# sensitive values ----------------------------------------------------------------------------

SENSITIVE = [
    # (text, the value once unmarked); every result must be marked sensitive
    ("var.secret", "hunter2"),
    ('"${var.secret}!"', "hunter2!"),
    ("upper(var.secret)", "HUNTER2"),
    ('var.secret == "x"', False),
    ("var.secret_n + 1", 5),
    ("-var.secret_n", -4),
    ("!var.secret_flag", False),
    ("var.secret_flag ? 1 : 2", 1),
    ("var.secret_list[0]", "p"),
    ("var.secret_map.k", "v"),
    ("var.secret_list[*]", ["p", "q"]),
    ("[for v in var.secret_list : upper(v)]", ["P", "Q"]),
    ("length(var.secret_list)", 2),
    ("var.secret_flag && true", True),
    ("var.l[var.secret_n - 3]", 2),
]


@pytest.mark.parametrize(("text", "plain"), SENSITIVE)
def test_sensitive_values_propagate(text: str, plain: Any) -> None:
    value = ev(text)
    assert isinstance(value, Sensitive), value
    assert strict(value.value) == strict(plain)


def test_sensitive_marks_stay_on_their_element() -> None:
    value = ev('[var.secret, "open"]')
    assert isinstance(value, list) and isinstance(value[0], Sensitive) and value[1] == "open"
    assert ev("var.partly_secret[0]") == "open"
    assert isinstance(ev("var.partly_secret[1]"), Sensitive)
    assert contains_sensitive(ev("{ a = var.secret }"))
    assert not contains_sensitive(ev("{ a = var.s }"))


def test_sensitive_unknown_is_both() -> None:
    scope = Scope({"var": {"token": Sensitive(UNKNOWN)}})
    value = evaluate(expression('"Bearer ${var.token}"'), scope)
    assert isinstance(value, Sensitive) and value.value is UNKNOWN
