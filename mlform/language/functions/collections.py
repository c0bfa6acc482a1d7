"""Functions on lists, sets (lists without duplicates, sorted when their elements are all
strings, numbers or bools) and maps."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from mlform.language.functions._common import (
    FunctionContext,
    Number,
    bool_list_arg,
    describe,
    equal,
    exact,
    fail,
    finite_arg,
    function,
    graphemes,
    int_arg,
    key,
    list_arg,
    make_set,
    map_arg,
    num,
    num_list_arg,
    str_arg,
    str_list_arg,
    unify,
    wrong,
)

MAX_RANGE = 1024
MAX_PRODUCT = 100_000


@function(
    "length",
    1,
    1,
    "length(value)",
    "The number of elements of a list or map, or of characters of a string.",
)
def _length(ctx: FunctionContext, value: Any) -> int:
    if isinstance(value, str):
        return len(graphemes(value))
    if isinstance(value, list | dict):
        return len(value)
    raise wrong("length", 0, "a string, list or map", value)


@function("concat", 1, None, "concat(list, ...)", "Joins lists into one list.")
def _concat(ctx: FunctionContext, *lists: Any) -> list[Any]:
    out: list[Any] = []
    for index, value in enumerate(lists):
        out.extend(list_arg("concat", index, value))
    return out


@function("contains", 2, 2, "contains(list, value)", "Whether the list or set holds the value.")
def _contains(ctx: FunctionContext, items: Any, value: Any) -> bool:
    return any(equal(item, value) for item in list_arg("contains", 0, items))


@function(
    "distinct",
    1,
    1,
    "distinct(list)",
    "The list without duplicates, keeping the first occurrence of each element.",
)
def _distinct(ctx: FunctionContext, items: Any) -> list[Any]:
    seen: set[Any] = set()
    out: list[Any] = []
    for item in list_arg("distinct", 0, items):
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


@function(
    "element",
    2,
    2,
    "element(list, index)",
    "The element at `index`, wrapping around (index modulo length; -1 is the last element).",
)
def _element(ctx: FunctionContext, items: Any, index: Any) -> Any:
    elements = list_arg("element", 0, items)
    position = int_arg("element", 1, index)
    if not elements:
        raise fail("element", "cannot use element function with an empty list", 0)
    return elements[position % len(elements)]


@function(
    "flatten",
    1,
    1,
    "flatten(list)",
    "Replaces every element that is a list by its elements, recursively.",
)
def _flatten(ctx: FunctionContext, items: Any) -> list[Any]:
    out: list[Any] = []

    def walk(values: list[Any]) -> None:
        for value in values:
            if isinstance(value, list):
                walk(value)
            else:
                out.append(value)

    walk(list_arg("flatten", 0, items))
    return out


@function("keys", 1, 1, "keys(map)", "The keys of the map, in lexicographical order.")
def _keys(ctx: FunctionContext, mapping: Any) -> list[str]:
    return sorted(map_arg("keys", 0, mapping, "a map or object"))


@function("values", 1, 1, "values(map)", "The values of the map, in the order of their keys.")
def _values(ctx: FunctionContext, mapping: Any) -> list[Any]:
    source = map_arg("values", 0, mapping, "a map or object")
    return [source[k] for k in sorted(source)]


@function(
    "lookup",
    2,
    3,
    "lookup(map, key, default)",
    "The value of `key` in the map, or `default` when the key is absent.",
)
def _lookup(ctx: FunctionContext, mapping: Any, name: Any, *default: Any) -> Any:
    source = map_arg("lookup", 0, mapping, "a map or object")
    wanted = str_arg("lookup", 1, name)
    if wanted in source:
        return source[wanted]
    if default:
        return default[0]
    raise fail("lookup", "the map has no element with the given key, and no default was given", 1)


@function(
    "merge",
    0,
    None,
    "merge(map, ...)",
    "One map with the elements of all the maps; a key in a later map wins. Null arguments "
    "are skipped.",
)
def _merge(ctx: FunctionContext, *maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for index, value in enumerate(maps):
        if value is None:
            continue
        out.update(map_arg("merge", index, value, "a map or object"))
    return {k: out[k] for k in sorted(out)}


@function(
    "range",
    1,
    3,
    "range(limit) / range(start, limit, step)",
    "A list of numbers from `start` (default 0) up to but not including `limit`, by `step` "
    "(default 1, or -1 when limit < start); at most 1024 numbers.",
)
def _range(ctx: FunctionContext, *args: Any) -> list[Number]:
    numbers = [finite_arg("range", index, value) for index, value in enumerate(args)]
    start: Number
    limit: Number
    step: Number
    if len(numbers) == 1:
        start, limit, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        start, limit = numbers
        step = 1 if limit >= start else -1
    else:
        start, limit, step = numbers[0], numbers[1], numbers[2]
    if step == 0:
        raise fail("range", "argument 3 (the step) must not be zero", 2)
    current: Fraction = exact(start)
    end, increment = exact(limit), exact(step)
    out: list[Number] = []
    while (current < end) if increment > 0 else (current > end):
        if len(out) >= MAX_RANGE:
            raise fail("range", f"more than {MAX_RANGE} values were generated; the limit is 1024")
        out.append(num(current))
        current += increment
    return out


@function("reverse", 1, 1, "reverse(list)", "The list in reverse order.")
def _reverse(ctx: FunctionContext, items: Any) -> list[Any]:
    return list(reversed(list_arg("reverse", 0, items)))


@function(
    "slice",
    3,
    3,
    "slice(list, start, end)",
    "The elements from index `start` up to but not including index `end`.",
)
def _slice(ctx: FunctionContext, items: Any, start: Any, end: Any) -> list[Any]:
    elements = list_arg("slice", 0, items)
    first = int_arg("slice", 1, start)
    last = int_arg("slice", 2, end)
    if first < 0:
        raise fail("slice", "argument 2 (the start index) must not be negative", 1)
    if last > len(elements):
        raise fail(
            "slice", "argument 3 (the end index) must not be greater than the list's length", 2
        )
    if first > last:
        raise fail("slice", "argument 2 (the start index) must not be greater than the end", 1)
    return elements[first:last]


@function(
    "sort",
    1,
    1,
    "sort(list)",
    "The strings of the list in lexicographical order (numbers are sorted as strings).",
)
def _sort(ctx: FunctionContext, items: Any) -> list[str]:
    strings = str_list_arg("sort", 0, items, allow_null=True)
    for position, item in enumerate(strings):
        if item is None:
            raise fail("sort", f"element {position} is null; a null string cannot be sorted", 0)
    return sorted(strings)


@function(
    "zipmap",
    2,
    2,
    "zipmap(keys, values)",
    "A map from the list of keys and the list of values, paired by position.",
)
def _zipmap(ctx: FunctionContext, keys: Any, values: Any) -> dict[str, Any]:
    names = str_list_arg("zipmap", 0, keys, allow_null=True)
    elements = list_arg("zipmap", 1, values)
    if len(names) != len(elements):
        raise fail(
            "zipmap",
            f"the number of keys ({len(names)}) does not match the number of values "
            f"({len(elements)})",
            1,
        )
    out: dict[str, Any] = {}
    for position, (name, element) in enumerate(zip(names, elements, strict=True)):
        if name is None:
            raise fail("zipmap", f"key {position} is null; map keys must be strings", 0)
        out[name] = element
    return {k: out[k] for k in sorted(out)}


@function(
    "coalesce",
    1,
    None,
    "coalesce(value, ...)",
    "The first argument that is neither null nor an empty string.",
)
def _coalesce(ctx: FunctionContext, *values: Any) -> Any:
    unified = unify(list(values))
    candidates = unified if unified is not None else list(values)
    for value in candidates:
        if value is not None and value != "":
            return value
    raise fail("coalesce", "no non-null, non-empty-string arguments")


@function(
    "coalescelist",
    1,
    None,
    "coalescelist(list, ...)",
    "The first of the lists that is not empty.",
)
def _coalescelist(ctx: FunctionContext, *lists: Any) -> list[Any]:
    for index, value in enumerate(lists):
        if value is None:
            continue
        elements = list_arg("coalescelist", index, value)
        if elements:
            return elements
    raise fail("coalescelist", "no non-empty list arguments")


@function(
    "compact",
    1,
    1,
    "compact(list)",
    "The list of strings without its null and empty-string elements.",
)
def _compact(ctx: FunctionContext, items: Any) -> list[str]:
    return [s for s in str_list_arg("compact", 0, items, allow_null=True) if s]


@function(
    "index",
    2,
    2,
    "index(list, value)",
    "The index of the first element equal to the value; an error if there is none.",
)
def _index(ctx: FunctionContext, items: Any, value: Any) -> int:
    for position, item in enumerate(list_arg("index", 0, items)):
        if equal(item, value):
            return position
    raise fail("index", "the value was not found in the list")


@function(
    "one",
    1,
    1,
    "one(list)",
    "null for an empty list, the element of a one-element list, an error otherwise.",
)
def _one(ctx: FunctionContext, items: Any) -> Any:
    elements = list_arg("one", 0, items, "a list or set")
    if not elements:
        return None
    if len(elements) > 1:
        raise fail(
            "one",
            f"argument 1 must have zero or one elements, but it has {len(elements)}",
            0,
        )
    return elements[0]


@function("alltrue", 1, 1, "alltrue(list)", "Whether every element is true (true if empty).")
def _alltrue(ctx: FunctionContext, items: Any) -> bool:
    return all(flag is True for flag in bool_list_arg("alltrue", 0, items))


@function("anytrue", 1, 1, "anytrue(list)", "Whether any element is true (false if empty).")
def _anytrue(ctx: FunctionContext, items: Any) -> bool:
    return any(flag is True for flag in bool_list_arg("anytrue", 0, items))


@function("sum", 1, 1, "sum(list)", "The sum of a non-empty list of numbers.")
def _sum(ctx: FunctionContext, items: Any) -> Number:
    numbers = num_list_arg("sum", 0, items)
    if not numbers:
        raise fail("sum", "cannot sum an empty list", 0)
    if all(isinstance(n, int) for n in numbers):
        return num(sum(numbers))
    for position, n in enumerate(numbers):
        if isinstance(n, float) and not math.isfinite(n):
            raise fail("sum", f"element {position} of argument 1 is not a finite number", 0)
    return num(sum((exact(n) for n in numbers), Fraction(0)))


@function(
    "setunion",
    1,
    None,
    "setunion(set, ...)",
    "The set of the elements found in any of the given sets.",
)
def _setunion(ctx: FunctionContext, *sets: Any) -> list[Any]:
    out: list[Any] = []
    for index, value in enumerate(sets):
        out.extend(list_arg("setunion", index, value, "a set or list"))
    return make_set(out)


@function(
    "setintersection",
    1,
    None,
    "setintersection(set, ...)",
    "The set of the elements found in all of the given sets.",
)
def _setintersection(ctx: FunctionContext, *sets: Any) -> list[Any]:
    groups = [
        make_set(list_arg("setintersection", index, value, "a set or list"))
        for index, value in enumerate(sets)
    ]
    others = [{key(v) for v in group} for group in groups[1:]]
    return make_set([v for v in groups[0] if all(key(v) in keys for keys in others)])


@function(
    "setsubtract",
    2,
    2,
    "setsubtract(a, b)",
    "The set of the elements of `a` that are not in `b`.",
)
def _setsubtract(ctx: FunctionContext, a: Any, b: Any) -> list[Any]:
    first = make_set(list_arg("setsubtract", 0, a, "a set or list"))
    removed = {key(v) for v in make_set(list_arg("setsubtract", 1, b, "a set or list"))}
    return [v for v in first if key(v) not in removed]


@function(
    "setproduct",
    2,
    None,
    "setproduct(set, set, ...)",
    "Every combination of one element from each argument, as a list of lists.",
)
def _setproduct(ctx: FunctionContext, *sets: Any) -> list[list[Any]]:
    groups = [list_arg("setproduct", i, v, "a set or list") for i, v in enumerate(sets)]
    total = 1
    for group in groups:
        total *= len(group)
        if total > MAX_PRODUCT:
            raise fail("setproduct", f"the result would have more than {MAX_PRODUCT} elements")
    combos: list[list[Any]] = [[]]
    for group in groups:
        combos = [[*combo, item] for combo in combos for item in group]
    return combos


@function(
    "chunklist",
    2,
    2,
    "chunklist(list, size)",
    "The list cut into lists of `size` elements (the last may be shorter; size 0: one chunk).",
)
def _chunklist(ctx: FunctionContext, items: Any, size: Any) -> list[list[Any]]:
    elements = list_arg("chunklist", 0, items)
    width = int_arg("chunklist", 1, size)
    if width < 0:
        raise fail("chunklist", "argument 2 (the chunk size) must not be negative", 1)
    if not elements:
        return []
    if width == 0:
        return [list(elements)]
    return [elements[i : i + width] for i in range(0, len(elements), width)]


@function(
    "transpose",
    1,
    1,
    "transpose(map)",
    "Swaps the keys and values of a map of lists of strings.",
)
def _transpose(ctx: FunctionContext, mapping: Any) -> dict[str, list[str]]:
    source = map_arg("transpose", 0, mapping, "a map of lists of strings")
    out: dict[str, list[str]] = {}
    for name in sorted(source):
        value = source[name]
        if not isinstance(value, list):
            raise fail(
                "transpose",
                f"argument 1 must be a map of lists of strings, but one element is "
                f"{describe(value)}",
                0,
            )
        for position, item in enumerate(str_list_arg("transpose", 0, value, allow_null=True)):
            if item is None:
                raise fail("transpose", f"element {position} of one of the lists is null", 0)
            out.setdefault(item, []).append(name)
    return {k: out[k] for k in sorted(out)}


@function(
    "matchkeys",
    3,
    3,
    "matchkeys(values, keys, searchset)",
    "The elements of `values` whose element at the same index in `keys` is in `searchset`.",
)
def _matchkeys(ctx: FunctionContext, values: Any, keys: Any, searchset: Any) -> list[Any]:
    elements = list_arg("matchkeys", 0, values)
    names = list_arg("matchkeys", 1, keys)
    wanted = {key(v) for v in list_arg("matchkeys", 2, searchset)}
    if len(elements) != len(names):
        raise fail("matchkeys", "the length of argument 1 and argument 2 must be the same", 1)
    return [e for e, k in zip(elements, names, strict=True) if key(k) in wanted]
