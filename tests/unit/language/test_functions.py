"""The standard library of functions: expected results, expected errors, and a property test
that no input makes a function raise anything but FunctionError."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mlform.language.functions import FUNCTIONS, FunctionContext, FunctionError
from mlform.language.functions._common import key
from mlform.language.values import normalize_number

REFERENCE = Path(__file__).parents[3] / "mlform" / "language" / "functions" / "REFERENCE.md"


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("config")
    (base / "hello.txt").write_text("hello\n", encoding="utf-8")
    (base / "data").mkdir()
    (base / "data" / "train.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (base / "data" / "test.csv").write_text("a,b\n3,4\n", encoding="utf-8")
    (base / "data" / "notes.md").write_text("# notes\n", encoding="utf-8")
    (base / "binary.bin").write_bytes(b"\xff\xfe\x00")
    return base


def call(base: Path, name: str, *args: Any) -> Any:
    return FUNCTIONS[name].impl(FunctionContext(base_dir=base), *args)


def same(result: Any, expected: Any) -> bool:
    """Equal, with bools, numbers and strings kept apart (True is not 1)."""
    return bool(key(result) == key(expected))


# --- expected results -----------------------------------------------------------------------

HELLO_SHA256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

RESULTS: list[tuple[str, tuple[Any, ...], Any]] = [
    # strings: case
    ("upper", ("hello",), "HELLO"),
    ("upper", ("алло!",), "АЛЛО!"),
    ("upper", ("straße",), "STRAßE"),
    ("upper", (5,), "5"),
    ("upper", (True,), "TRUE"),
    ("lower", ("HELLO",), "hello"),
    ("lower", ("АЛЛО!",), "алло!"),
    ("lower", ("",), ""),
    ("title", ("hello world",), "Hello World"),
    ("title", ("hello-world_foo bAR",), "Hello-World_foo BAR"),
    ("title", ("",), ""),
    # strings: trimming
    ("trim", ("?!hello?!", "!?"), "hello"),
    ("trim", ("foobar", "far"), "oob"),
    ("trim", ("  hello  ", ""), "  hello  "),
    ("trimspace", ("  hello\n\t",), "hello"),
    ("trimspace", ("\u00a0x\u3000",), "x"),
    ("trimspace", ("",), ""),
    ("trimprefix", ("helloworld", "hello"), "world"),
    ("trimprefix", ("helloworld", "cat"), "helloworld"),
    ("trimprefix", ("hellohello", "hello"), "hello"),
    ("trimsuffix", ("helloworld", "world"), "hello"),
    ("trimsuffix", ("helloworld", "cat"), "helloworld"),
    ("chomp", ("hello\n",), "hello"),
    ("chomp", ("hello\r\n",), "hello"),
    ("chomp", ("hello\n\n",), "hello"),
    ("chomp", ("hel\nlo",), "hel\nlo"),
    ("indent", (2, "[\n  foo,\n  bar,\n]\n"), "[\n    foo,\n    bar,\n  ]\n  "),
    ("indent", (0, "a\nb"), "a\nb"),
    ("indent", (4, "single"), "single"),
    # strings: search
    ("startswith", ("hello world", "hello"), True),
    ("startswith", ("hello world", "world"), False),
    ("startswith", ("hello", ""), True),
    ("endswith", ("hello world", "world"), True),
    ("endswith", ("hello world", "hello"), False),
    ("strcontains", ("hello world", "wor"), True),
    ("strcontains", ("hello world", "wod"), False),
    ("strcontains", ("", ""), True),
    # strings: split, join, reverse, substr
    ("split", (",", "foo,bar,baz"), ["foo", "bar", "baz"]),
    ("split", (",", "foo"), ["foo"]),
    ("split", (",", ""), [""]),
    ("split", ("", "abc"), ["a", "b", "c"]),
    ("split", (", ", "a, b,c"), ["a", "b,c"]),
    ("join", ("-", ["foo", "bar", "baz"]), "foo-bar-baz"),
    ("join", (", ", ["foo"]), "foo"),
    ("join", (", ", []), ""),
    ("join", (",", ["a"], ["b", "c"]), "a,b,c"),
    ("join", (",", [1, True, 2.5]), "1,true,2.5"),
    ("strrev", ("hello",), "olleh"),
    ("strrev", ("a☃b",), "b☃a"),
    ("strrev", ("e\u0301x",), "xe\u0301"),
    ("strrev", ("",), ""),
    ("substr", ("hello world", 1, 4), "ello"),
    ("substr", ("🤔🤷", 0, 1), "🤔"),
    ("substr", ("hello world", -5, -1), "world"),
    ("substr", ("hello world", 6, 100), "world"),
    ("substr", ("hello", 10, 2), ""),
    ("substr", ("hello", -10, 2), "he"),
    ("substr", ("hello", 1, 0), ""),
    ("substr", ("hello", "1", "2"), "el"),
    # strings: replace and regular expressions
    ("replace", ("1 + 2 + 3", "+", "-"), "1 - 2 - 3"),
    ("replace", ("hello world", "/w.*d/", "everybody"), "hello everybody"),
    ("replace", ("hello world", "/w(or)ld/", "$1-${1}x$$"), "hello or-orx$"),
    ("replace", ("abc", "/(?P<mid>b)/", "[$mid]"), "a[b]c"),
    ("replace", ("abc", "/(b)/", "$2"), "ac"),
    ("replace", ("abc", "", "-"), "-a-b-c-"),
    ("replace", ("a/b", "/", "_"), "a_b"),
    ("replace", ("aaa", "/a*/", "x"), "x"),
    ("regex", ("[a-z]+", "53453453.345345aaabbbccc23454"), "aaabbbccc"),
    ("regex", (r"(\d\d\d\d)-(\d\d)-(\d\d)", "2019-02-01"), ["2019", "02", "01"]),
    (
        "regex",
        ("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/"),
        {"authority": "terraform.io", "scheme": "https"},
    ),
    ("regex", ("(a)|(b)", "b"), [None, "b"]),
    ("regex", ("[[:digit:]]+", "ab123"), "123"),
    ("regex", (r"a\z", "xa"), "a"),
    ("regex", ("(?<year>[0-9]{4})", "in 2024"), {"year": "2024"}),
    ("regexall", ("[a-z]+", "1234abcd5678efgh9"), ["abcd", "efgh"]),
    ("regexall", ("[a-z]+", "123"), []),
    ("regexall", ("a*", "baaac"), ["", "aaa", ""]),
    ("regexall", ("(.)=(.)", "a=1 b=2"), [["a", "1"], ["b", "2"]]),
    # strings: format
    ("format", ("Hello, %s!", "Ander"), "Hello, Ander!"),
    ("format", ("There are %d lights", 4), "There are 4 lights"),
    ("format", ("%s-%d-%.2f-%t-%%", "a", 5, 3.14159, True), "a-5-3.14-true-%"),
    ("format", ("%q", 'x"<'), '"x\\"\\u003c"'),
    ("format", ("%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42), "   42|42   |00042|+42| 42"),
    ("format", ("%x|%#x|%X|%o|%b|%.4d", 255, 255, 255, 8, 5, 7), "ff|0xff|FF|10|101|0007"),
    ("format", ("%e|%E", 1234.5678, 0.000123), "1.234568e+03|1.230000E-04"),
    (
        "format",
        ("%g|%g|%g|%.3g", 1000000, 100000, 0.1234567, 1234.5678),
        "1e+06|100000|0.1234567|1.23e+03",
    ),
    (
        "format",
        ("%8.3f|%-8.2f|%08.3f|%+.1f", 3.14159, 2.5, -3.14159, 2.25),
        "   3.142|2.50    |-003.142|+2.2",
    ),
    ("format", ("%f", 2), "2.000000"),
    ("format", ("%.0f", 2.5), "2"),
    ("format", ("%[2]s %[1]s %s", "a", "b"), "b a b"),
    ("format", ("%.3s|%5s|%-5s|", "abcdef", "ab", "ab"), "abc|   ab|ab   |"),
    ("format", ("%v|%v|%v|%v", "s", 1.5, True, None), "s|1.5|true|null"),
    ("format", ("%v|%v|%5v|%-4v|", 1000000, -12, 7, 0.5), "1e+06|-12|    7|0.5 |"),
    ("format", ("%v|%#v", {"b": 1, "a": [True]}, "s"), '{"a":[true],"b":1}|"s"'),
    ("format", ("%d", "12"), "12"),
    ("format", ("%s", 12), "12"),
    ("format", ("%t", "true"), "true"),
    ("format", ("no verbs",), "no verbs"),
    ("format", ("%d", 2**70), "1180591620717411303424"),
    ("formatlist", ("Hello, %s!", ["Valentina", "Ander"]), ["Hello, Valentina!", "Hello, Ander!"]),
    ("formatlist", ("%s=%s", ["a", "b"], ["1", "2"]), ["a=1", "b=2"]),
    ("formatlist", ("%s, %s", "Hi", ["a", "b"]), ["Hi, a", "Hi, b"]),
    ("formatlist", ("%s", []), []),
    ("formatlist", ("%s", "x"), ["x"]),
    # numeric
    ("abs", (23,), 23),
    ("abs", (0,), 0),
    ("abs", (-12.4,), 12.4),
    ("abs", ("-3",), 3),
    ("ceil", (5,), 5),
    ("ceil", (5.1,), 6),
    ("ceil", (-5.1,), -5),
    ("floor", (5,), 5),
    ("floor", (4.9,), 4),
    ("floor", (-4.1,), -5),
    ("log", (16, 2), 4),
    ("log", (1000, 10), 3),
    ("log", (1, 7), 0),
    ("pow", (3, 2), 9),
    ("pow", (4, 0), 1),
    ("pow", (2, -1), 0.5),
    ("pow", (2, 0.5), math.sqrt(2)),
    ("pow", (2.5, 2), 6.25),
    ("pow", (2, 64), 18446744073709551616),
    ("pow", (-2, 3), -8),
    ("signum", (-13,), -1),
    ("signum", (0,), 0),
    ("signum", (344,), 1),
    ("signum", (0.5,), 1),
    ("max", (12, 54, 3), 54),
    ("max", (5,), 5),
    ("max", (1.5, "2"), 2),
    ("min", (12, 54, 3), 3),
    ("min", (-1.5, 2), -1.5),
    ("parseint", ("100", 10), 100),
    ("parseint", ("FF", 16), 255),
    ("parseint", ("ff", 16), 255),
    ("parseint", ("-10", 2), -2),
    ("parseint", ("+7", 8), 7),
    ("parseint", ("zz", 36), 1295),
    ("parseint", ("aZ", 62), 681),
    # collections
    ("length", ([],), 0),
    ("length", (["a", "b"],), 2),
    ("length", ({"a": "b"},), 1),
    ("length", ("hello",), 5),
    ("length", ("🤔🤷",), 2),
    ("length", ("e\u0301",), 1),
    ("length", ("",), 0),
    ("concat", (["a", ""], ["b", "c"]), ["a", "", "b", "c"]),
    ("concat", ([],), []),
    ("concat", ([1], [[2]]), [1, [2]]),
    ("contains", (["a", "b", "c"], "a"), True),
    ("contains", (["a", "b", "c"], "d"), False),
    ("contains", ([1, 2], True), False),
    ("contains", ([1.0, 2], 1), True),
    ("contains", ([[1]], [1]), True),
    ("distinct", (["a", "b", "a", "c", "d", "b"],), ["a", "b", "c", "d"]),
    ("distinct", ([1, True, 1, "1"],), [1, True, "1"]),
    ("distinct", ([],), []),
    ("element", (["a", "b", "c"], 1), "b"),
    ("element", (["a", "b", "c"], 3), "a"),
    ("element", (["a", "b", "c"], "2"), "c"),
    ("element", (["a", "b", "c"], -1), "c"),
    ("element", (["a", "b", "c"], -4), "c"),
    ("flatten", ([["a", "b"], [], ["c"]],), ["a", "b", "c"]),
    ("flatten", ([[["a", "b"], []], ["c"]],), ["a", "b", "c"]),
    ("flatten", ([1, {"a": [2]}],), [1, {"a": [2]}]),
    ("keys", ({"a": 1, "c": 2, "d": 3},), ["a", "c", "d"]),
    ("keys", ({"b": 1, "a": 2},), ["a", "b"]),
    ("keys", ({},), []),
    ("values", ({"a": 3, "c": 2, "d": 1},), [3, 2, 1]),
    ("values", ({"b": "x", "a": "y"},), ["y", "x"]),
    ("lookup", ({"a": "ay", "b": "bee"}, "a", "what?"), "ay"),
    ("lookup", ({"a": "ay", "b": "bee"}, "c", "what?"), "what?"),
    ("lookup", ({"a": "ay"}, "a"), "ay"),
    ("lookup", ({"a": None}, "a", "x"), None),
    ("merge", ({"a": "b", "c": "d"}, {"e": "f", "c": "z"}), {"a": "b", "c": "z", "e": "f"}),
    ("merge", ({"a": 1}, None, {"b": 2}), {"a": 1, "b": 2}),
    ("merge", (), {}),
    ("range", (3,), [0, 1, 2]),
    ("range", (1, 4), [1, 2, 3]),
    ("range", (1, 8, 2), [1, 3, 5, 7]),
    ("range", (1, 4, 0.5), [1, 1.5, 2, 2.5, 3, 3.5]),
    ("range", (4, 1), [4, 3, 2]),
    ("range", (10, 5, -2), [10, 8, 6]),
    ("range", (0, 0.5, 0.1), [0, 0.1, 0.2, 0.3, 0.4]),
    ("range", (0, 1, -1), []),
    ("range", (0,), []),
    ("reverse", ([1, 2, 3],), [3, 2, 1]),
    ("reverse", ([],), []),
    ("slice", (["a", "b", "c", "d"], 1, 3), ["b", "c"]),
    ("slice", (["a", "b"], 0, 0), []),
    ("slice", (["a", "b"], 0, 2), ["a", "b"]),
    ("sort", (["e", "d", "a", "x"],), ["a", "d", "e", "x"]),
    ("sort", ([10, 2],), ["10", "2"]),
    ("sort", (["b", "B", "a"],), ["B", "a", "b"]),
    ("zipmap", (["a", "b"], [1, 2]), {"a": 1, "b": 2}),
    ("zipmap", (["b", "a"], [[1], {"x": 2}]), {"a": {"x": 2}, "b": [1]}),
    ("zipmap", ([], []), {}),
    ("coalesce", ("a", "b"), "a"),
    ("coalesce", ("", "b"), "b"),
    ("coalesce", (1, 2), 1),
    ("coalesce", (None, "", 1, "a"), "1"),
    ("coalesce", (None, [1]), [1]),
    ("coalescelist", (["a", "b"], ["c", "d"]), ["a", "b"]),
    ("coalescelist", ([], ["c", "d"]), ["c", "d"]),
    ("coalescelist", (None, [], [1]), [1]),
    ("compact", (["a", "", "b", None, "c"],), ["a", "b", "c"]),
    ("compact", ([],), []),
    ("compact", ([1, ""],), ["1"]),
    ("index", (["a", "b", "c"], "b"), 1),
    ("index", ([1, 2, 1], 1), 0),
    ("one", ([],), None),
    ("one", (["hello"],), "hello"),
    ("one", ([[1, 2]],), [1, 2]),
    ("alltrue", (["true", True],), True),
    ("alltrue", ([True, False],), False),
    ("alltrue", ([],), True),
    ("alltrue", ([True, None],), False),
    ("anytrue", (["true"],), True),
    ("anytrue", ([False, "false"],), False),
    ("anytrue", ([],), False),
    ("anytrue", ([None, True],), True),
    ("sum", ([10, 13, 6, 2],), 31),
    ("sum", ([0.1, 0.2],), 0.3),
    ("sum", ([-1.5, 1.5],), 0),
    ("sum", (["1", 2],), 3),
    ("setunion", (["a", "b"], ["b", "c"], ["d"]), ["a", "b", "c", "d"]),
    ("setunion", ([3, 1], [2]), [1, 2, 3]),
    ("setunion", ([3, 1], ["x"]), ["1", "3", "x"]),
    ("setunion", ([],), []),
    ("setintersection", (["a", "b"], ["b", "c"], ["b", "d"]), ["b"]),
    ("setintersection", (["a"], ["b"]), []),
    ("setintersection", (["b", "a", "a"],), ["a", "b"]),
    ("setsubtract", (["a", "b", "c"], ["a", "c"]), ["b"]),
    ("setsubtract", (["a", "b"], []), ["a", "b"]),
    ("setproduct", (["a", "b"], ["x", "y"]), [["a", "x"], ["a", "y"], ["b", "x"], ["b", "y"]]),
    ("setproduct", (["a"], []), []),
    ("chunklist", (["a", "b", "c", "d", "e"], 2), [["a", "b"], ["c", "d"], ["e"]]),
    ("chunklist", (["a", "b"], 1), [["a"], ["b"]]),
    ("chunklist", ([1, 2], 0), [[1, 2]]),
    ("chunklist", ([], 3), []),
    ("transpose", ({"a": ["1", "2"], "b": ["2", "3"]},), {"1": ["a"], "2": ["a", "b"], "3": ["b"]}),
    ("transpose", ({},), {}),
    (
        "matchkeys",
        (["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"]),
        ["i-abc", "i-def"],
    ),
    ("matchkeys", ([], [], ["x"]), []),
    # conversion
    ("tostring", ("hello",), "hello"),
    ("tostring", (5,), "5"),
    ("tostring", (1.5,), "1.5"),
    ("tostring", (-0.25,), "-0.25"),
    ("tostring", (1e20,), "100000000000000000000"),
    ("tostring", (1e-7,), "0.0000001"),
    ("tostring", (True,), "true"),
    ("tostring", (False,), "false"),
    ("tostring", (None,), None),
    ("tonumber", (1,), 1),
    ("tonumber", ("1",), 1),
    ("tonumber", ("-1.5",), -1.5),
    ("tonumber", ("1e3",), 1000),
    ("tonumber", ("2.0",), 2),
    ("tonumber", (".5",), 0.5),
    ("tonumber", ("123456789012345678901234567890",), 123456789012345678901234567890),
    ("tonumber", (None,), None),
    ("tobool", (True,), True),
    ("tobool", ("true",), True),
    ("tobool", ("false",), False),
    ("tobool", (None,), None),
    ("tolist", (["a", "b"],), ["a", "b"]),
    ("tolist", (["a", 1, True],), ["a", "1", "true"]),
    ("tolist", ([[1], [2, 3]],), [[1], [2, 3]]),
    ("tolist", ([],), []),
    ("tolist", (None,), None),
    ("toset", (["c", "b", "b"],), ["b", "c"]),
    ("toset", ([3, 1, 3, 2.5],), [1, 2.5, 3]),
    ("toset", (["a", 1],), ["1", "a"]),
    ("toset", ([True, False, True],), [False, True]),
    ("toset", ([],), []),
    ("tomap", ({"b": 1, "a": "x"},), {"a": "x", "b": "1"}),
    ("tomap", ({"a": [1], "b": []},), {"a": [1], "b": []}),
    ("tomap", ({},), {}),
    # encoding
    ("jsonencode", ({"hello": "world"},), '{"hello":"world"}'),
    ("jsonencode", ({"b": [1, 2.5, True, None], "a": "x"},), '{"a":"x","b":[1,2.5,true,null]}'),
    ("jsonencode", ("<&>\u2028",), '"\\u003c\\u0026\\u003e\\u2028"'),
    ("jsonencode", ("é\n",), '"é\\n"'),
    ("jsonencode", (1e21,), "1000000000000000000000"),
    ("jsonencode", (None,), "null"),
    ("jsonencode", ([],), "[]"),
    ("jsondecode", ('{"hello": "world"}',), {"hello": "world"}),
    ("jsondecode", ("true",), True),
    ("jsondecode", ("[1, 2.0, 0.5, 1e2, null]",), [1, 2, 0.5, 100, None]),
    ("jsondecode", ('"\\u00e9"',), "é"),
    ("jsondecode", ('  {"b": 1, "a": {"c": []}} ',), {"a": {"c": []}, "b": 1}),
    ("base64encode", ("Hello World",), "SGVsbG8gV29ybGQ="),
    ("base64encode", ("",), ""),
    ("base64encode", ("☃",), "4piD"),
    ("base64decode", ("SGVsbG8gV29ybGQ=",), "Hello World"),
    ("base64decode", ("4piD",), "☃"),
    ("base64decode", ("",), ""),
    ("textencodebase64", ("Hello World", "UTF-16LE"), "SABlAGwAbABvACAAVwBvAHIAbABkAA=="),
    ("textdecodebase64", ("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE"), "Hello World"),
    ("urlencode", ("Hello World!",), "Hello+World%21"),
    ("urlencode", ("☃",), "%E2%98%83"),
    ("urlencode", ("a-b_c.d~e/f?g=h&i",), "a-b_c.d~e%2Ff%3Fg%3Dh%26i"),
    (
        "csvdecode",
        ("a,b,c\n1,2,3\n4,5,6",),
        [{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}],
    ),
    ("csvdecode", ('name,note\r\nx,"a, ""b"""\r\n',), [{"name": "x", "note": 'a, "b"'}]),
    ("csvdecode", ("a,b\n",), []),
    ("yamlencode", ({"a": "b", "c": [1, True]},), "a: b\nc:\n- 1\n- true\n"),
    ("yamlencode", ([{"b": "yes", "a": None}],), '- a: null\n  b: "yes"\n'),
    ("yamlencode", ("plain",), "plain\n"),
    ("yamlencode", ({},), "{}\n"),
    # hashing
    ("md5", ("hello world",), "5eb63bbbe01eeed093cb22bb8f5acdc3"),
    ("sha1", ("hello world",), "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
    ("sha256", ("hello\n",), HELLO_SHA256),
    ("sha256", ("",), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (
        "sha512",
        ("hello world",),
        "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f"
        "989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f",
    ),
    ("base64sha256", ("hello world",), "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
    (
        "base64sha512",
        ("hello world",),
        "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==",
    ),
    ("uuidv5", ("dns", "www.terraform.io"), "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ("uuidv5", ("url", "https://www.terraform.io/"), "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"),
    (
        "uuidv5",
        ("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io"),
        "a5008fae-b28c-5ba5-96cd-82b4c53552d6",
    ),
    # files and paths (relative to the configuration directory)
    ("file", ("hello.txt",), "hello\n"),
    ("file", ("data/../hello.txt",), "hello\n"),
    ("fileexists", ("hello.txt",), True),
    ("fileexists", ("nope.txt",), False),
    ("fileexists", ("hello.txt/x",), False),
    ("filesha256", ("hello.txt",), HELLO_SHA256),
    ("filemd5", ("hello.txt",), "b1946ac92492d2347c6235b4d2611184"),
    ("filesha1", ("hello.txt",), "f572d396fae9206628714fb2ce00f72e94f2258f"),
    ("filebase64", ("binary.bin",), "//4A"),
    (
        "filesha512",
        ("hello.txt",),
        "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931"
        "f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629",
    ),
    (
        "filebase64sha512",
        ("hello.txt",),
        "58IrmUxZ2c8rSOVJseJGZmNgRZMNPafBrLKZ0cO3+TH5Sq5B7dosKyB6NuEPi8uNRSI+VIePWzFufOO2vAGWKQ==",
    ),
    ("filebase64sha256", ("hello.txt",), "WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM="),
    ("fileset", ("data", "*.csv"), ["test.csv", "train.csv"]),
    ("fileset", (".", "**/*.csv"), ["data/test.csv", "data/train.csv"]),
    ("fileset", (".", "{hello.txt,data/notes.md}"), ["data/notes.md", "hello.txt"]),
    ("fileset", (".", "data/t???.csv"), ["data/test.csv"]),
    ("fileset", ("missing", "*"), []),
    ("basename", ("foo/bar/baz.txt",), "baz.txt"),
    ("basename", ("foo/bar/",), "bar"),
    ("basename", ("baz.txt",), "baz.txt"),
    ("basename", ("",), "."),
    ("basename", ("/",), "/"),
    ("dirname", ("foo/bar/baz.txt",), "foo/bar"),
    ("dirname", ("foo/bar/",), "foo/bar"),
    ("dirname", ("foo",), "."),
    ("dirname", ("/",), "/"),
    ("dirname", ("/foo",), "/"),
    ("dirname", ("a/./b/../c/d",), "a/c"),
    ("abspath", ("/etc/../x/y",), "/x/y"),
    # date and time
    ("formatdate", ("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"), "02 Jan 2018 23:12 UTC"),
    (
        "formatdate",
        ("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z"),
        "Tuesday, 02-Jan-18 23:12:01 UTC",
    ),
    (
        "formatdate",
        ("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00"),
        "Tue, 02 Jan 2018 23:12:01 -0800",
    ),
    ("formatdate", ("MMM DD, YYYY", "2018-01-02T23:12:01Z"), "Jan 02, 2018"),
    ("formatdate", ("HH:mmaa", "2018-01-02T23:12:01Z"), "11:12pm"),
    ("formatdate", ("H AA M/D MMMM", "2018-03-04T00:05:09Z"), "12 AM 3/4 March"),
    ("formatdate", ("h 'o''clock' ''", "2018-01-02T03:12:01Z"), "3 o'clock '"),
    ("formatdate", ("Z|ZZZZ|ZZZZZ", "2018-01-02T23:12:01+05:30"), "+05:30|+0530|+05:30"),
    ("formatdate", ("Z", "2018-01-02T23:12:01Z"), "Z"),
    ("formatdate", ("YYYY-MM-DD", "2018-01-02T23:12:01.123456789Z"), "2018-01-02"),
    ("timeadd", ("2017-11-22T00:00:00Z", "10m"), "2017-11-22T00:10:00Z"),
    ("timeadd", ("2017-11-22T00:00:00Z", "-1h30m"), "2017-11-21T22:30:00Z"),
    ("timeadd", ("2017-11-22T00:00:00Z", "1.5h"), "2017-11-22T01:30:00Z"),
    ("timeadd", ("2017-11-22T00:00:00Z", "0"), "2017-11-22T00:00:00Z"),
    ("timeadd", ("2017-11-22T00:00:00.5+01:00", "1.6s"), "2017-11-22T00:00:02+01:00"),
    ("timeadd", ("2017-11-22T00:00:00+00:00", "300ms"), "2017-11-22T00:00:00Z"),
    ("timeadd", ("2024-02-28T23:00:00Z", "2h"), "2024-02-29T01:00:00Z"),
    ("timecmp", ("2017-11-22T00:00:00Z", "2017-11-22T01:00:00+01:00"), 0),
    ("timecmp", ("2017-11-22T00:00:01Z", "2017-11-22T00:00:00Z"), 1),
    ("timecmp", ("2017-11-22T00:00:00Z", "2017-11-22T00:00:00.001Z"), -1),
]


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    RESULTS,
    ids=[f"{i}-{case[0]}" for i, case in enumerate(RESULTS)],
)
def test_result(config_dir: Path, name: str, args: tuple[Any, ...], expected: Any) -> None:
    result = call(config_dir, name, *args)
    assert same(result, expected), f"{name}{args!r} gave {result!r}, expected {expected!r}"
    assert_plain(result)


def test_abspath_is_relative_to_the_configuration_directory(config_dir: Path) -> None:
    assert call(config_dir, "abspath", "data/../x") == (config_dir / "x").as_posix()


# --- expected errors ------------------------------------------------------------------------

ERRORS: list[tuple[str, tuple[Any, ...], str, int | None]] = [
    # wrong types, named by argument
    ("upper", ([1],), "upper: argument 1 must be a string, got a list", 0),
    ("upper", (None,), "argument 1 must be a string, got null", 0),
    ("join", (",", 5), "join: argument 2 must be a list of strings, got a number", 1),
    ("join", ([1], ["a"]), "argument 1 must be a string, got a list", 0),
    (
        "join",
        (",", ["a"], [[1]]),
        "argument 3 must be a list of strings, but element 0 is a list",
        2,
    ),
    ("join", (",", ["a", None]), "element 1 of argument 2 is null", 1),
    ("split", (",", {"a": 1}), "argument 2 must be a string, got an object", 1),
    ("trimprefix", ("x", [1]), "argument 2 must be a string", 1),
    ("indent", (-1, "x"), "argument 1 must not be negative", 0),
    ("indent", (1.5, "x"), "argument 1 must be a whole number", 0),
    ("substr", ("hello", "x", 1), "argument 2 must be a number, got a string", 1),
    ("length", (5,), "length: argument 1 must be a string, list or map, got a number", 0),
    ("length", (None,), "got null", 0),
    ("keys", (["a"],), "keys: argument 1 must be a map or object, got a list", 0),
    ("merge", ({"a": 1}, [1]), "merge: argument 2 must be a map or object, got a list", 1),
    ("concat", ([1], "x"), "concat: argument 2 must be a list, got a string", 1),
    ("contains", ("abc", "a"), "argument 1 must be a list, got a string", 0),
    ("abs", ("x",), "abs: argument 1 must be a number, got a string (not a valid number)", 0),
    ("abs", (True,), "argument 1 must be a number, got a bool", 0),
    ("max", (1, "a"), "max: argument 2 must be a number", 1),
    ("sum", ([1, "a"],), "sum: argument 1 must be a list of numbers, but element 1 is a string", 0),
    ("alltrue", ([1],), "argument 1 must be a list of bools, but element 0 is a number", 0),
    ("sort", ([[1]],), "argument 1 must be a list of strings, but element 0 is a list", 0),
    ("sort", (["a", None],), "element 1 is null", 0),
    ("zipmap", (["a", None], [1, 2]), "key 1 is null", 0),
    ("transpose", ({"a": "x"},), "must be a map of lists of strings", 0),
    ("lower", ({},), "lower: argument 1 must be a string, got an object", 0),
    ("title", ([],), "argument 1 must be a string, got a list", 0),
    ("trim", ("x", None), "argument 2 must be a string, got null", 1),
    ("trimspace", ([],), "argument 1 must be a string", 0),
    ("trimsuffix", (None, "x"), "argument 1 must be a string, got null", 0),
    ("chomp", ([],), "argument 1 must be a string", 0),
    ("startswith", ("x", ["x"]), "argument 2 must be a string, got a list", 1),
    ("endswith", ({}, "x"), "argument 1 must be a string, got an object", 0),
    ("strcontains", ("x", None), "argument 2 must be a string, got null", 1),
    ("strrev", ([],), "argument 1 must be a string", 0),
    ("regexall", ("[", "x"), "argument 1 is not a valid regular expression", 0),
    ("floor", ("x",), "argument 1 must be a number", 0),
    ("min", ([1],), "min: argument 1 must be a number, got a list", 0),
    ("signum", (None,), "argument 1 must be a number, got null", 0),
    ("distinct", ({"a": 1},), "argument 1 must be a list, got an object", 0),
    ("flatten", ("x",), "argument 1 must be a list, got a string", 0),
    ("reverse", ("abc",), "argument 1 must be a list, got a string", 0),
    ("values", ([1],), "argument 1 must be a map or object, got a list", 0),
    ("compact", ([[1]],), "argument 1 must be a list of strings, but element 0 is a list", 0),
    ("anytrue", (["maybe"],), "argument 1 must be a list of bools, but element 0 is a string", 0),
    ("setunion", (["a"], "b"), "setunion: argument 2 must be a set or list, got a string", 1),
    ("setintersection", (["a"], {}), "argument 2 must be a set or list, got an object", 1),
    ("setsubtract", (None, ["a"]), "argument 1 must be a set or list, got null", 0),
    ("yamlencode", ([float("nan")],), "argument 1 cannot be encoded", 0),
    ("base64encode", ([],), "argument 1 must be a string", 0),
    ("urlencode", (None,), "argument 1 must be a string, got null", 0),
    ("textdecodebase64", ("!!", "UTF-8"), "argument 1 is not valid Base64", 0),
    ("textdecodebase64", ("/w==", "UTF-8"), "not valid utf-8 text", 0),
    ("md5", ([],), "md5: argument 1 must be a string, got a list", 0),
    ("sha1", (None,), "argument 1 must be a string, got null", 0),
    ("sha256", ({},), "argument 1 must be a string, got an object", 0),
    ("sha512", ([],), "argument 1 must be a string", 0),
    ("base64sha256", ([],), "argument 1 must be a string", 0),
    ("base64sha512", ([],), "argument 1 must be a string", 0),
    ("basename", ([],), "argument 1 must be a string", 0),
    ("dirname", (None,), "argument 1 must be a string, got null", 0),
    ("abspath", ([],), "argument 1 must be a string", 0),
    # wrong values
    ("element", ([], 0), "cannot use element function with an empty list", 0),
    ("element", (["a"], 0.5), "argument 2 must be a whole number", 1),
    ("slice", (["a"], 0, 2), "argument 3 (the end index) must not be greater", 2),
    ("slice", (["a", "b"], 2, 1), "argument 2 (the start index) must not be greater", 1),
    ("slice", (["a"], -1, 1), "argument 2 (the start index) must not be negative", 1),
    ("lookup", ({"a": 1}, "b"), "no element with the given key", 1),
    ("index", (["a"], "z"), "not found", None),
    ("one", ([1, 2],), "must have zero or one elements, but it has 2", 0),
    ("sum", ([],), "cannot sum an empty list", 0),
    ("range", (0, 2000), "more than 1024 values", None),
    ("range", (0, 1, 0), "must not be zero", 2),
    (
        "zipmap",
        (["a"], [1, 2]),
        "the number of keys (1) does not match the number of values (2)",
        1,
    ),
    ("coalesce", (None, ""), "no non-null, non-empty-string arguments", None),
    ("coalescelist", ([], None), "no non-empty list", None),
    ("matchkeys", (["a"], [], []), "must be the same", 1),
    ("chunklist", ([1], -1), "must not be negative", 1),
    ("setproduct", (list(range(1000)), list(range(1000))), "more than 100000", None),
    ("log", (0, 10), "argument 1 must be greater than zero", 0),
    ("log", (8, 1), "argument 2 must be greater than zero and not 1", 1),
    ("pow", (0, -1), "zero cannot be raised to a negative power", None),
    ("pow", (-8, 0.5), "not a real number", None),
    ("pow", (10.5, 400), "too large", None),
    ("ceil", (float("inf"),), "argument 1 must be a finite number", 0),
    ("parseint", ("12", 2), "argument 1 is not a valid base 2 integer", 0),
    ("parseint", ("", 10), "not a valid base 10 integer", 0),
    ("parseint", ("1", 63), "argument 2 must be a whole number from 2 to 62", 1),
    # regular expressions and format
    ("regex", ("(", "x"), "argument 1 is not a valid regular expression", 0),
    ("regex", ("x{1001}", "x"), "larger than 1000", 0),
    ("regex", ("x", "y"), "did not match", None),
    ("regex", ("(?P<a>x)(y)", "xy"), "cannot mix named and unnamed capture groups", 0),
    ("replace", ("x", "/(/", "y"), "argument 2 is not a valid regular expression", 1),
    ("format", ("%s", "a", "b"), "too many arguments; only 1 used by format string", 2),
    ("format", ("hello", "a"), "too many arguments; no verbs in format string", 1),
    ("format", ("%s %s", "a"), "not enough arguments", 0),
    ("format", ("%d", 1.5), 'unsupported value for "%d" at 0: an integer is required', 1),
    ("format", ("%d", "x"), "a number is required, got a string", 1),
    ("format", ("%s", [1]), "a string is required, got a list", 1),
    ("format", ("%t", 1), "a bool is required, got a number", 1),
    ("format", ("%s", None), "null value cannot be formatted", 1),
    ("format", ("%y", 1), 'unsupported format verb "y"', 1),
    ("format", ("abc %",), "invalid format string starting at offset 4", 0),
    ("format", ("%!", 1), "unrecognized format character", 0),
    ("format", ("%999999d", 1), "width", 0),
    (
        "formatlist",
        ("%s=%s", ["a", "b"], ["1"]),
        "argument 3 has length 1, which is inconsistent",
        2,
    ),
    ("formatlist", ("%d", ["a"]), "error on format iteration 0", 1),
    # conversion
    ("tostring", ([1],), "tostring: cannot convert a list to a string", 0),
    ("tostring", ({"a": 1},), "cannot convert an object to a string", 0),
    ("tonumber", ("x",), "tonumber: cannot convert the string to a number", 0),
    ("tonumber", ("0x10",), "cannot convert the string to a number", 0),
    ("tonumber", (" 1",), "cannot convert the string to a number", 0),
    ("tonumber", (True,), "cannot convert a bool to a number", 0),
    ("tonumber", ("1e999",), "cannot convert the string to a number", 0),
    ("tobool", ("yes",), 'only "true" and "false"', 0),
    ("tobool", (1,), "cannot convert a number to a bool", 0),
    ("tolist", ({"a": 1},), "cannot convert an object to a list", 0),
    ("tolist", ([1, [2]],), "the elements must all be of one type", 0),
    ("toset", ("a",), "cannot convert a string to a set", 0),
    ("tomap", ([1],), "cannot convert a list to a map", 0),
    ("tomap", ({"a": 1, "b": [1]},), "the values must all be of one type", 0),
    # encoding
    ("jsonencode", (float("inf"),), "argument 1 cannot be encoded", 0),
    ("jsondecode", ("{",), "argument 1 is not valid JSON", 0),
    ("jsondecode", ("NaN",), "not valid JSON", 0),
    ("jsondecode", ("",), "not valid JSON", 0),
    ("base64decode", ("SGVsbG8gV29ybGQ",), "argument 1 is not valid Base64", 0),
    ("base64decode", ("a b=",), "not valid Base64", 0),
    ("base64decode", ("/w==",), "not valid UTF-8", 0),
    ("textencodebase64", ("x", "no-such-encoding"), "not a known character encoding", 1),
    ("textencodebase64", ("☃", "ascii"), "cannot represent", 0),
    ("csvdecode", ("",), "no header line", 0),
    ("csvdecode", ("a,b\n1",), "record 2 has 1 fields but the header has 2", 0),
    ("csvdecode", ('a\n"x',), "not valid CSV", 0),
    # files
    ("file", ("missing.txt",), "no file exists at", 0),
    ("file", ("missing.txt",), "relative to the configuration directory", 0),
    ("file", ("binary.bin",), "not valid UTF-8; use filebase64", 0),
    ("file", ("data",), "is a directory", 0),
    ("file", ("a\x00b",), "not a valid path", 0),
    ("filesha256", ("missing.txt",), "filesha256: no file exists at", 0),
    ("fileexists", ("data",), "is a directory, not a file", 0),
    ("filebase64", ("missing.bin",), "filebase64: no file exists at", 0),
    ("filemd5", ("data",), "is a directory", 0),
    ("filesha1", ("missing",), "no file exists at", 0),
    ("filesha512", ("missing",), "no file exists at", 0),
    ("filebase64sha256", ("missing",), "no file exists at", 0),
    ("filebase64sha512", ("missing",), "no file exists at", 0),
    ("fileset", (".", None), "argument 2 must be a string, got null", 1),
    ("uuidv5", ("bad", "x"), 'argument 1 must be "dns", "url", "oid", "x500" or a UUID', 0),
    # date and time
    ("formatdate", ("YYY", "2018-01-02T23:12:01Z"), 'invalid date format verb "YYY"', 0),
    ("formatdate", ("q", "2018-01-02T23:12:01Z"), 'invalid date format verb "q"', 0),
    ("formatdate", ("'abc", "2018-01-02T23:12:01Z"), "unterminated literal", 0),
    ("formatdate", ("YYYY", "2018-01-02"), "argument 2 is not a valid RFC 3339 timestamp", 1),
    ("formatdate", ("YYYY", "2018-13-02T23:12:01Z"), "not a valid date and time", 1),
    ("formatdate", ("YYYY", "2018-01-02T23:12:01+24:00"), "invalid UTC offset", 1),
    ("timeadd", ("2017-11-22T00:00:00Z", "1d"), "argument 2 is not a valid duration", 1),
    ("timeadd", ("2017-11-22T00:00:00Z", ""), "not a valid duration", 1),
    ("timeadd", ("2017-11-22T00:00:00Z", ".s"), "not a valid duration", 1),
    ("timeadd", ("2017-11-22", "1h"), "argument 1 is not a valid RFC 3339 timestamp", 0),
    ("timeadd", ("9999-12-31T23:00:00Z", "2h"), "outside the years 1 to 9999", None),
    ("timecmp", ("2017-11-22T00:00:00Z", 5), "argument 2 is not a valid RFC 3339", 1),
]


@pytest.mark.parametrize(
    ("name", "args", "fragment", "argument"),
    ERRORS,
    ids=[f"{i}-{case[0]}" for i, case in enumerate(ERRORS)],
)
def test_error(
    config_dir: Path, name: str, args: tuple[Any, ...], fragment: str, argument: int | None
) -> None:
    with pytest.raises(FunctionError) as caught:
        call(config_dir, name, *args)
    assert fragment in caught.value.message
    assert caught.value.message.startswith(f"{name}: ")
    assert caught.value.argument == argument


def test_missing_file_names_the_resolved_path(config_dir: Path) -> None:
    with pytest.raises(FunctionError) as caught:
        call(config_dir, "file", "data/../missing.txt")
    assert f'"{config_dir / "missing.txt"}"' in caught.value.message
    assert str(config_dir) in caught.value.message


def test_errors_do_not_quote_argument_values(config_dir: Path) -> None:
    # The evaluator removes sensitive marks before the call, so a message must not echo
    # the value that failed (it may be a secret).
    secret = "hunter2-secret"
    for name, args in [
        ("tonumber", (secret,)),
        ("tobool", (secret,)),
        ("base64decode", (secret + "!",)),
        ("jsondecode", (secret,)),
        ("parseint", (secret, 10)),
        ("formatdate", ("YYYY", secret)),
        ("timeadd", ("2017-11-22T00:00:00Z", secret)),
        ("lookup", ({"a": 1}, secret)),
        ("index", (["a"], secret)),
        ("uuidv5", (secret, "x")),
    ]:
        with pytest.raises(FunctionError) as caught:
            call(Path("."), name, *args)
        assert secret not in caught.value.message, name


# --- the registry ---------------------------------------------------------------------------


def test_at_least_thirty_functions_are_registered() -> None:
    assert len(FUNCTIONS) >= 30


def test_there_is_no_timestamp_function() -> None:
    # The current time would make every plan different.
    assert "timestamp" not in FUNCTIONS
    assert "plantimestamp" not in FUNCTIONS


def test_registry_entries_are_consistent() -> None:
    for name, fn in FUNCTIONS.items():
        assert fn.name == name
        assert fn.signature.startswith(name + "(")
        assert fn.description
        assert fn.min_args >= 0
        assert fn.max_args is None or fn.max_args >= fn.min_args


def test_every_function_has_a_line_in_the_reference() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for name in FUNCTIONS:
        assert f"`{name}(" in text, f"{name} is missing from REFERENCE.md"


def test_every_tested_function_has_results_and_most_have_errors() -> None:
    with_results = {case[0] for case in RESULTS}
    with_errors = {case[0] for case in ERRORS}
    assert set(FUNCTIONS) - with_results == set()
    assert len(with_errors) >= 90


# --- property: nothing but FunctionError escapes --------------------------------------------

INTERESTING_STRINGS = [
    "",
    " ",
    "a",
    "0",
    "-1",
    "1.5",
    "1e3",
    "1e999",
    "true",
    "false",
    "null",
    "%",
    "%%",
    "%s",
    "%d",
    "%5.2f",
    "%[2]v",
    "%#v %q %t",
    "%-08.3e",
    "%x",
    "/a(b)/",
    "/(/",
    "$1${x}$",
    "(?P<n>a)",
    "(a)|(b)",
    "[[:alpha:]]+",
    "a*",
    r"\z",
    "{1001}",
    "dns",
    "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    "2018-01-02T23:12:01Z",
    "2018-01-02T23:12:01.5+05:30",
    "DD MMM YYYY hh:mm ZZZ",
    "'lit''eral'",
    "1h30m",
    "-1.5s",
    "9223372036854775807ns",
    "YYYY",
    "hello.txt",
    "data",
    "*.csv",
    "**/*",
    "{a,b}",
    "[x",
    "a,b\n1,2",
    '"',
    '{"a": [1, 2.5, null]}',
    "SGVsbG8=",
    "UTF-16LE",
    "utf-8",
    "%[1]s %[1]q",
    "%+-8.3g|%08b",
    "%.0s%v",
    "EEE, DD MMM YYYY hh:mm:ss ZZZ",
    "h:m:s aa 'at' Z",
    "2024-02-29T00:00:00.999999999-12:59",
    "-2562047h47m16.854775808s",
    "1.5us300µs",
    "0",
    "/(?P<a>x)|(?P<b>y)/",
    "([a-z]+)-(\\d+)",
    "/$/",
    "$$",
    "**",
    "data/*.csv",
    'x,y\n"q""",2\n',
    '"',
    '[1, {"a": true}]',
    "1e400",
    "4piD",
    "e\u0301",
    "🤔",
    "\r\n",
    "\ufffd",
    "\u2028",
]

numbers = (
    st.integers(min_value=-(10**6), max_value=10**6)
    | st.integers()
    | st.sampled_from([0, 1, -1, 2, 62, 1024, 2**63, 10**400])
    | st.floats().map(normalize_number)
)
texts = st.text(max_size=12) | st.sampled_from(INTERESTING_STRINGS)
scalars = st.none() | st.booleans() | numbers | texts
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)

# An argument is often of a plausible shape (so that calls get past the type checks and
# reach the interesting code), and sometimes anything at all.
small_numbers = st.integers(min_value=-3, max_value=70) | st.sampled_from([0.5, -1.5, 2.25])
arguments = st.one_of(
    texts,
    small_numbers,
    st.lists(texts | small_numbers, max_size=4),
    st.dictionaries(texts, texts | st.lists(texts, max_size=3), max_size=3),
    values,
)

FILE_FUNCTIONS = {name for name in FUNCTIONS if "file" in name or name == "abspath"}


def is_plain(value: Any) -> bool:
    if value is None or isinstance(value, bool | str):
        return True
    if isinstance(value, int | float):
        normalized = normalize_number(value)
        return type(normalized) is type(value) and (normalized == value or value != value)
    if isinstance(value, list):
        return all(is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain(v) for k, v in value.items())
    return False


def assert_plain(value: Any) -> None:
    assert is_plain(value), f"not a plain, normalized value: {value!r}"


def _path_is_safe(value: Any) -> bool:
    # Keep file functions inside the configuration directory: "/" or ".." would read or
    # walk the machine running the tests.
    if isinstance(value, str):
        return not value.startswith(("/", "~")) and ".." not in value and value.strip() != ""
    return True


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_only_function_errors_escape(config_dir: Path, name: str, data: st.DataObject) -> None:
    fn = FUNCTIONS[name]
    upper = fn.max_args if fn.max_args is not None else fn.min_args + 4
    arity = data.draw(st.integers(min_value=fn.min_args, max_value=upper), label="arity")
    args = [data.draw(arguments, label=f"argument {i + 1}") for i in range(arity)]
    if name in FILE_FUNCTIONS:
        assume(all(_path_is_safe(a) for a in args))
    ctx = FunctionContext(base_dir=config_dir)
    try:
        result = fn.impl(ctx, *args)
    except FunctionError as exc:
        assert exc.message.startswith(f"{name}: ")
        assert "internal error" not in exc.message, exc.__cause__
        assert exc.argument is None or 0 <= exc.argument < len(args)
        return
    assert_plain(result)
    assert same(fn.impl(ctx, *args), result), "not deterministic"


# --- properties of the mini-languages: format, regular expressions, dates ------------------

format_verbs = st.builds(
    lambda flags, index, width, precision, verb: f"%{flags}{index}{width}{precision}{verb}",
    st.text(alphabet="0#-+ ", max_size=3),
    st.sampled_from(["", "", "[1]", "[2]", "[3]", "[0]", "[x", "[99999999999]"]),
    st.sampled_from(["", "", "1", "5", "12", "0", "1000000"]),
    st.sampled_from(["", "", ".", ".0", ".2", ".10", ".1000000"]),
    st.sampled_from([*"vtbdoxXeEfgGsq", "y", "%", "!", "é", ""]),
)
format_strings = st.lists(format_verbs | st.text(alphabet="ab %", max_size=3), max_size=5).map(
    "".join
)
format_arguments = st.lists(
    arguments | st.integers() | st.floats().map(normalize_number), max_size=4
)


@settings(max_examples=500, deadline=None)
@given(fmt=format_strings, args=format_arguments)
def test_format_raises_only_function_errors(fmt: str, args: list[Any]) -> None:
    for name in ("format", "formatlist"):
        try:
            result = call(Path("."), name, fmt, *args)
        except FunctionError as exc:
            assert "internal error" not in exc.message, exc.__cause__
            assert exc.argument is None or 0 <= exc.argument <= len(args)
        else:
            assert_plain(result)


@settings(max_examples=300, deadline=None)
@given(value=small_numbers | st.integers() | st.floats().map(normalize_number))
def test_format_pads_to_the_width(value: Any) -> None:
    for verb in "vdefgsx":
        try:
            text = call(Path("."), "format", f"%-12{verb}|%12{verb}", value, value)
        except FunctionError:
            continue
        left, right = text.split("|")
        assert len(left) >= 12 and len(right) >= 12
        assert left.rstrip(" ") == right.lstrip(" ")


regex_patterns = st.lists(
    st.sampled_from(
        [
            "a",
            "b",
            ".",
            "*",
            "+",
            "?",
            "(",
            ")",
            "(?P<n>",
            "(?<m>",
            "(?:",
            "[",
            "]",
            "[[:alpha:]]",
            "[^a]",
            "^",
            "$",
            "\\z",
            "\\d",
            "\\",
            "|",
            "{2}",
            "{1,3}",
            "{1001}",
            "(?m)",
            "(?i)",
            "\\p{L}",
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(pattern=regex_patterns, text=st.text(alphabet="ab1\n ", max_size=8), template=texts)
def test_regular_expressions_raise_only_function_errors(
    pattern: str, text: str, template: str
) -> None:
    for name, args in [
        ("regex", (pattern, text)),
        ("regexall", (pattern, text)),
        ("replace", (text, f"/{pattern}/", template)),
    ]:
        try:
            result = call(Path("."), name, *args)
        except FunctionError as exc:
            assert "internal error" not in exc.message, exc.__cause__
        else:
            assert_plain(result)


date_specs = st.lists(
    st.sampled_from(
        [
            *"YMDEhHAamsZ",
            "YY",
            "YYYY",
            "MM",
            "MMM",
            "MMMM",
            "DD",
            "EEE",
            "EEEE",
            "hh",
            "HH",
            "AA",
            "aa",
            "mm",
            "ss",
            "ZZZ",
            "ZZZZ",
            "ZZZZZ",
            "ZZZZZZ",
            "'",
            "''",
            "'lit'",
            " ",
            ":",
            "-",
            "q",
            "é",
        ]
    ),
    max_size=8,
).map("".join)
timestamps = (
    st.builds(
        lambda y, mo, d, h, mi, s, frac, zone: (
            f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{frac}{zone}"
        ),
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 24),
        st.integers(0, 60),
        st.integers(0, 61),
        st.sampled_from(["", ".5", ".123456789123", "."]),
        st.sampled_from(["Z", "+00:00", "-12:59", "+23:59", "+24:00", "z", "+0100"]),
    )
    | texts
)
durations = st.lists(
    st.tuples(
        st.sampled_from(["0", "1", "1.5", ".5", "5.", "", ".", "9223372036854775807", "1" * 30]),
        st.sampled_from(["ns", "us", "µs", "ms", "s", "m", "h", "d", ""]),
    ),
    min_size=1,
    max_size=4,
).map(lambda parts: "".join(n + u for n, u in parts)) | st.sampled_from(["0", "-0", "+1h", "-"])


@settings(max_examples=500, deadline=None)
@given(spec=date_specs, a=timestamps, b=timestamps, duration=durations)
def test_dates_raise_only_function_errors(spec: str, a: str, b: str, duration: str) -> None:
    for name, args in [
        ("formatdate", (spec, a)),
        ("timeadd", (a, duration)),
        ("timecmp", (a, b)),
    ]:
        try:
            result = call(Path("."), name, *args)
        except FunctionError as exc:
            assert "internal error" not in exc.message, exc.__cause__
        else:
            assert_plain(result)


@settings(max_examples=300, deadline=None)
@given(a=timestamps)
def test_timeadd_of_zero_is_the_same_instant(a: str) -> None:
    try:
        later = call(Path("."), "timeadd", a, "0s")
    except FunctionError:
        return
    whole_second = (
        a if "." not in a else a[: a.index(".")] + a[a.index(".") :].lstrip(".0123456789")
    )
    assert call(Path("."), "timecmp", later, whole_second) == 0
