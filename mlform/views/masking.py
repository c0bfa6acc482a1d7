"""What renderings that leave the machine hide beyond the `Sensitive` marks.

A plan hides what the configuration marks sensitive. Text that is posted on a pull request
or saved in a plan file also goes through a `Mask`: the literal values of the sensitive
variables (where they are known, at plan time), the patterns a user gives with `--mask`,
and the password of any URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mlform.errors import MlformError
from mlform.urls import masked

HIDDEN = "(sensitive value)"
MASKED = "(masked)"
SHORTEST_SECRET = 4
"""Shorter sensitive values are not searched for in text: hiding every "1" or "yes" would
make the plan unreadable, and the marks hide them where they are used."""


class Mask:
    """Replaces secrets and `--mask` patterns in text. Build it with `Mask.of`."""

    def __init__(self, secrets: Iterable[str] = (), patterns: Iterable[re.Pattern[str]] = ()):
        self.secrets = sorted({s for s in secrets if len(s) >= SHORTEST_SECRET}, key=len)[::-1]
        self.patterns = list(patterns)

    @classmethod
    def of(cls, secrets: Iterable[str] = (), patterns: Iterable[str] = ()) -> Mask:
        """A mask of literal `secrets` and of regular expressions `patterns` (`--mask`)."""
        compiled = []
        for pattern in patterns:
            try:
                expression = re.compile(pattern)
            except re.error as exc:
                raise MlformError(
                    f'--mask "{pattern}" is not a valid regular expression ({exc}); '
                    "write a Python regular expression, e.g. --mask 'sk-[A-Za-z0-9]+'"
                ) from exc
            if expression.search(""):
                raise MlformError(
                    f'--mask "{pattern}" matches the empty string, so it would mask everything '
                    "and nothing; give a pattern that matches at least one character"
                )
            compiled.append(expression)
        return cls(secrets, compiled)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        for pattern in self.patterns:
            text = pattern.sub(MASKED, text)
        return masked(text)


def secret_strings(values: Mapping[str, Any]) -> list[str]:
    """The text forms of sensitive values, collections walked: what a `Mask` searches for."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, bool) or value is None:
            return
        elif isinstance(value, int | float):
            found.append(str(value))
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for value in values.values():
        walk(value)
    return found
