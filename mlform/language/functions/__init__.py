"""The standard library of functions, callable from any expression.

Each function is a plain Python callable on plain values: the evaluator checks the number of
arguments, turns a call with an unknown argument into an unknown result, and removes and
re-applies sensitive marks, so implementations never see `UNKNOWN` or `Sensitive`. A wrong
argument raises `FunctionError`, which the evaluator reports at the call's position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FunctionContext:
    """What a function may know about its surroundings."""

    base_dir: Path  # the configuration directory: file() and friends resolve against it


class FunctionError(Exception):
    """A call that cannot be made with these arguments.

    `argument` is the 0-based index of the argument at fault, when one is.
    """

    def __init__(self, message: str, argument: int | None = None):
        super().__init__(message)
        self.message = message
        self.argument = argument


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable[..., Any]  # impl(ctx: FunctionContext, *args) -> value
    min_args: int
    max_args: int | None  # None: variadic
    signature: str  # as documented, e.g. "join(separator, list)"
    description: str


class _Library(dict[str, Function]):
    """The functions by name, imported on first use: a configuration that calls none (and
    a command that evaluates nothing) does not pay for loading ninety-odd functions."""

    _loaded = False

    def _load(self) -> None:
        if not self._loaded:
            type(self)._loaded = True
            from mlform.language.functions import (  # noqa: F401 - they register themselves
                collections,
                conversion,
                datetime,
                encoding,
                filesystem,
                numeric,
                strings,
            )

    def __getitem__(self, name: str) -> Function:
        self._load()
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        self._load()
        return super().get(name, default)

    def __contains__(self, name: object) -> bool:
        self._load()
        return super().__contains__(name)

    def __iter__(self) -> Iterator[str]:
        self._load()
        return super().__iter__()

    def __len__(self) -> int:
        self._load()
        return super().__len__()

    def items(self) -> Any:
        self._load()
        return super().items()

    def keys(self) -> Any:
        self._load()
        return super().keys()

    def values(self) -> Any:
        self._load()
        return super().values()


FUNCTIONS: dict[str, Function] = _Library()


def register(
    name: str, min_args: int, max_args: int | None, signature: str, description: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(impl: Callable[..., Any]) -> Callable[..., Any]:
        dict.__setitem__(
            FUNCTIONS, name, Function(name, impl, min_args, max_args, signature, description)
        )
        return impl

    return decorate
