"""Typed resource addresses: `Address("model", "churn", key="deep")` is `model.churn["deep"]`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from mlform.errors import MlformError

_ADDRESS_RE = re.compile(r'^([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?$')


@dataclass(frozen=True, order=True)
class Address:
    kind: str
    name: str
    key: str | int | None = None

    def __str__(self) -> str:
        if self.key is None:
            return f"{self.kind}.{self.name}"
        if isinstance(self.key, int):
            return f"{self.kind}.{self.name}[{self.key}]"
        return f"{self.kind}.{self.name}[{json.dumps(self.key)}]"

    @property
    def sort_key(self) -> tuple[str, str, int, int, str]:
        """The order plans, the state and Terraform list instances in: by resource, then no
        key, whole-number keys in numeric order, string keys."""
        key = self.key
        if key is None:
            return (self.kind, self.name, 0, 0, "")
        if isinstance(key, int):
            return (self.kind, self.name, 1, key, "")
        return (self.kind, self.name, 2, 0, key)

    @property
    def resource(self) -> str:
        """The address of the resource block, without the instance key."""
        return f"{self.kind}.{self.name}"

    @classmethod
    def parse(cls, text: str) -> Address:
        match = _ADDRESS_RE.match(text.strip())
        if match is None:
            raise MlformError(
                f'"{text}" is not a resource address; write KIND.NAME, KIND.NAME[0] or KIND.NAME["key"]'
            )
        kind, name, key = match.groups()
        if key is None:
            return cls(kind, name)
        if key.startswith('"'):
            return cls(kind, name, json.loads(key))
        return cls(kind, name, int(key))
