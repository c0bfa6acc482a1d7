"""A dataset's configuration as typed settings, once every value is known.

Validate works on raw values that may be unknown; read, plan and apply need the settings
themselves. `settings_from` reads them (through sensitive marks, with the schema's defaults)
and reports validate's errors, so that a configuration that skipped validation still gets a
diagnostic rather than a crash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlform.language.values import unmark
from mlform.sdk import ProviderDiagnostic, has_errors, is_known, value_of
from providers.dataset.problems import DatasetProblem
from providers.dataset.schema import SCHEMA
from providers.dataset.source import Source, parse_source
from providers.dataset.validate import validate_dataset

_PASSWORD = re.compile(r"(?P<user>://[^:/@]*:)[^@]*@")
HIDDEN = "(sensitive value)"

INPUT_NAMES = ("source", "query", "fingerprint", "columns", "where", "sample", "limit")
"""The inputs that shape the data (description and tags do not)."""


@dataclass(frozen=True)
class Sample:
    """`rows` or `fraction` of the rows, chosen with `seed`."""

    rows: int | None
    fraction: float | None
    seed: int


@dataclass(frozen=True)
class DatasetSettings:
    text: str  # the source as written in the configuration
    source: Source
    query: str | None = None
    fingerprint: str | None = None
    columns: tuple[str, ...] | None = None
    where: str | None = None
    sample: Sample | None = None
    limit: int | None = None
    sensitive: frozenset[str] = frozenset()  # the inputs marked sensitive: never in a message

    @property
    def shown(self) -> str:
        """The source for a message: as written, without a database password."""
        if "source" in self.sensitive:
            return HIDDEN
        return _PASSWORD.sub(r"\g<user>***@", self.text)

    def quoted(self, name: str, value: str) -> str:
        """An input's value for a message: quoted, or hidden when it is sensitive."""
        return HIDDEN if name in self.sensitive else f'"{value}"'


def sources_known(config: Mapping[str, Any]) -> bool:
    """Whether the attributes that locate the source are known (so it can be fingerprinted)."""
    return all(is_known(value_of(config, name)) for name in ("source", "query", "fingerprint"))


def settings_from(config: Mapping[str, Any]) -> DatasetSettings:
    """The settings of a configuration; raises `DatasetProblem` with validate's errors, or when
    a value is still unknown (the core asks only once every input is known)."""
    config = SCHEMA.block.with_defaults(config)
    unknown = [name for name in INPUT_NAMES if not is_known(value_of(config, name))]
    if unknown:
        raise DatasetProblem(
            [
                ProviderDiagnostic.error(
                    f"{name} is not known yet; a dataset is read only once all of its inputs "
                    "are known. This is a bug in mlform, which should be reported.",
                    (name,),
                )
                for name in unknown
            ]
        )
    errors = [d for d in validate_dataset(config) if d.is_error]
    if has_errors(errors):
        raise DatasetProblem(errors)
    text = value_of(config, "source")
    if not isinstance(text, str):
        raise DatasetProblem.at(("source",), "source is required: name a file, a URL or a sample")
    sample = value_of(config, "sample")
    columns = value_of(config, "columns")
    limit = value_of(config, "limit")
    return DatasetSettings(
        text=text,
        source=parse_source(text),
        query=value_of(config, "query"),
        fingerprint=value_of(config, "fingerprint"),
        columns=tuple(columns) if columns is not None else None,
        where=value_of(config, "where"),
        sample=_sample(sample) if isinstance(sample, dict) else None,
        limit=int(limit) if limit is not None else None,
        sensitive=frozenset(name for name in INPUT_NAMES if unmark(config.get(name))[1]),
    )


def _sample(sample: dict[str, Any]) -> Sample:
    rows, fraction, seed = (value_of(sample, name) for name in ("rows", "fraction", "seed"))
    return Sample(
        rows=int(rows) if rows is not None else None,
        fraction=float(fraction) if fraction is not None else None,
        seed=int(seed) if seed is not None else 0,
    )
