"""Which steps each column of a split's dataset goes through, decided from the preprocessing
blocks, the `defaults` block and the column's type, before anything is fitted.

A column some block names gets exactly what the blocks say; `defaults` covers only the
numeric and string columns that no block names (never the label). Without defaults, numeric
columns are features as they are and other columns are passed through, left out of the
features.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from mlform.sdk import (
    AttributePath,
    ProviderDiagnostic,
    blocks_of,
    did_you_mean,
    quoted_choices,
    value_of,
)
from providers.problems import Problem
from providers.split.preprocessing import FAMILIES
from providers.split.transform_values import Kind, Role, kind_of

CATEGORICAL_STEPS = ("one_hot", "vocabulary", "hash_buckets")
NUMERIC_FILLS = ("mean", "median", "min", "max")
LISTED_COLUMNS = 20


@dataclass(frozen=True)
class Step:
    """One step given to one column: its block's settings (columns aside), and the path of
    the entry that gave it, which errors found later point at."""

    name: str
    settings: Mapping[str, Any]
    path: AttributePath

    def setting(self, name: str) -> Any:
        return self.settings.get(name)


@dataclass(frozen=True)
class ColumnSpec:
    """The steps of one input column, in the order they compose."""

    name: str
    kind: Kind
    role: Role
    fill: Step | None = None
    clip: Step | None = None
    log1p: Step | None = None
    encoding: Step | None = None

    @property
    def categorical(self) -> bool:
        """Whether the column is encoded as categories (else it is treated as numbers)."""
        return self.encoding is not None and self.encoding.name in CATEGORICAL_STEPS

    @property
    def steps(self) -> list[Step]:
        return [s for s in (self.fill, self.clip, self.log1p, self.encoding) if s is not None]


def decide_columns(
    config: Mapping[str, Any], schema: pa.Schema, label: str | None
) -> tuple[list[ColumnSpec], list[str]]:
    """The spec of every input column in schema order, and the columns left out of the
    features that nothing names; raises a Problem listing every error found."""
    kinds = {field.name: kind_of(field.type) for field in schema}
    problems: list[ProviderDiagnostic] = []
    if label is not None and label not in kinds:
        problems.append(ProviderDiagnostic.error(_not_in_dataset(label, kinds), ("label",)))
    named, found = _named_steps(config, kinds, label)
    problems += found
    defaults = _Defaults.of(config)
    specs, dropped = [], []
    for name, kind in kinds.items():
        steps = named.get(name)
        if steps is None and name != label:
            steps = defaults.steps_for(kind)
        family = steps or {}
        encoding = family.get("encoding")
        if name == label:
            role = Role.LABEL
        elif encoding is not None or kind.numeric:
            role = Role.FEATURE
        else:
            role = Role.PASSTHROUGH
            if name not in named and not (kind is Kind.STRING and defaults.strings_left_out):
                dropped.append(name)
        spec = ColumnSpec(
            name,
            kind,
            role,
            family.get("fill"),
            family.get("clip"),
            family.get("log1p"),
            encoding,
        )
        problems += check_kinds(spec)
        specs.append(spec)
    if problems:
        raise Problem(problems)
    return specs, dropped


def _named_steps(
    config: Mapping[str, Any], kinds: Mapping[str, Kind], label: str | None
) -> tuple[dict[str, dict[str, Step]], list[ProviderDiagnostic]]:
    """column -> family -> the step a block gives it."""
    named: dict[str, dict[str, Step]] = {}
    problems = []
    for family, names in FAMILIES.items():
        for step_name in names:
            for index, block in enumerate(blocks_of(config, step_name)):
                settings = {key: value_of(block.config, key) for key in block.config}
                columns = settings.pop("columns", None) or []
                for position, column in enumerate(columns):
                    path = (step_name, index, "columns", position)
                    claimed = named.setdefault(column, {}) if column in kinds else {}
                    if column not in kinds:
                        message = _not_in_dataset(column, kinds)
                    elif column == label and family != "fill":
                        message = (
                            f'column "{column}" is the split\'s label, which passes through to '
                            f"the model unchanged; remove it from {step_name}"
                        )
                    elif family in claimed:
                        message = (
                            f'column "{column}" is in both {claimed[family].name} and '
                            f"{step_name}; a column gets one {family} step: remove it from one"
                        )
                    else:
                        claimed[family] = Step(step_name, settings, path)
                        continue
                    problems.append(ProviderDiagnostic.error(message, path))
    return {column: steps for column, steps in named.items() if steps}, problems


@dataclass(frozen=True)
class _Defaults:
    """The `defaults` block: steps for the numeric and string columns no block names."""

    numeric: Mapping[str, Any]
    string: Mapping[str, Any]

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> _Defaults:
        groups: dict[str, Mapping[str, Any]] = {"numeric": {}, "string": {}}
        for index, defaults in enumerate(blocks_of(config, "defaults")[:1]):
            for group in groups:
                for inner, block in enumerate(blocks_of(defaults.config, group)[:1]):
                    path = ("defaults", index, group, inner)
                    groups[group] = {
                        setting: (value, (*path, setting))
                        for setting in ("fill", "transform")
                        if (value := value_of(block.config, setting)) is not None
                    }
        return cls(groups["numeric"], groups["string"])

    @property
    def strings_left_out(self) -> bool:
        """Whether string columns are left out by choice (transform = "none"): no warning."""
        return self.string.get("transform", (None,))[0] == "none"

    def steps_for(self, kind: Kind) -> dict[str, Step] | None:
        group = self.numeric if kind.numeric else self.string if kind is Kind.STRING else {}
        steps = {}
        if "fill" in group and group["fill"][0] != "none":
            method, path = group["fill"]
            steps["fill"] = Step("fill", {"method": method}, path)
        if "transform" in group and group["transform"][0] != "none":
            name, path = group["transform"]
            settings: dict[str, dict[str, Any]] = {
                "one_hot": {"other": True},
                "vocabulary": {"num_oov_buckets": 1},
            }
            steps["log1p" if name == "log1p" else "encoding"] = Step(
                name, settings.get(name, {}), path
            )
        return steps or None


def check_kinds(spec: ColumnSpec) -> list[ProviderDiagnostic]:
    """Errors for the steps that do not fit the column's type."""
    problems = []
    column, holds = spec.name, spec.kind.noun
    if spec.fill is not None:
        message = _fill_problem(spec, spec.fill)
        if message is not None:
            problems.append(ProviderDiagnostic.error(message, spec.fill.path))
    for step in (spec.clip, spec.log1p):
        if step is None:
            continue
        if not spec.kind.numeric:
            message = f'{step.name} needs numbers, but column "{column}" holds {holds}'
        elif spec.categorical and spec.encoding is not None:
            message = (
                f'{step.name} works on numbers, but column "{column}" is encoded as categories '
                f"by {spec.encoding.name}"
            )
        else:
            continue
        problems.append(
            ProviderDiagnostic.error(f"{message}; remove it from {step.name}", step.path)
        )
    encoding = spec.encoding
    if encoding is not None:
        if spec.categorical and not spec.kind.categorical:
            hint = "bucketize it instead" if spec.kind is Kind.FLOAT else "remove it"
            problems.append(
                ProviderDiagnostic.error(
                    f"{encoding.name} encodes strings, integers or booleans, but column "
                    f'"{column}" holds {holds}; {hint}',
                    encoding.path,
                )
            )
        elif not spec.categorical and not spec.kind.numeric:
            hint = (
                "encode it with one_hot, vocabulary or hash_buckets instead"
                if spec.kind is Kind.STRING
                else f"remove it from {encoding.name}"
            )
            problems.append(
                ProviderDiagnostic.error(
                    f'{encoding.name} needs numbers, but column "{column}" holds {holds}; {hint}',
                    encoding.path,
                )
            )
    return problems


def _fill_problem(spec: ColumnSpec, fill: Step) -> str | None:
    method, column, kind = fill.setting("method"), spec.name, spec.kind
    if method in NUMERIC_FILLS and not kind.numeric:
        other = '"mode", "constant"' if kind is Kind.STRING else '"ffill", "bfill"'
        return (
            f'fill method "{method}" needs numbers, but column "{column}" holds {kind.noun}; '
            f'use {other} or "drop_rows"'
        )
    if method in ("mean", "median") and spec.categorical and spec.encoding is not None:
        return (
            f'fill method "{method}" can give a value column "{column}" never holds, and '
            f"{spec.encoding.name} encodes its values as categories; use "
            f"{quoted_choices(('mode', 'min', 'max', 'constant', 'drop_rows'))}"
        )
    if method == "mode" and kind is Kind.OTHER:
        return (
            f'fill method "mode" needs numbers or strings, but column "{column}" holds '
            f'{kind.noun}; use "ffill", "bfill" or "drop_rows"'
        )
    if method == "constant":
        return _constant_problem(spec, fill.setting("value"))
    return None


def _constant_problem(spec: ColumnSpec, value: Any) -> str | None:
    column, kind = spec.name, spec.kind
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    numbers = spec.role is Role.FEATURE and not spec.categorical and kind.numeric
    if numbers or kind is Kind.FLOAT:
        fits = is_number or (isinstance(value, bool) and kind is Kind.BOOL)
        wanted = "a number"
    elif kind is Kind.INTEGER:
        fits = is_number and float(value).is_integer()
        wanted = "a whole number"
    elif kind is Kind.BOOL:
        fits, wanted = isinstance(value, bool), "true or false"
    elif kind is Kind.STRING:
        fits, wanted = isinstance(value, str), "a string"
    else:
        return (
            f'fill method "constant" cannot fill column "{column}", which holds {kind.noun}; '
            'use "ffill", "bfill" or "drop_rows"'
        )
    if fits:
        return None
    return f'column "{column}" holds {kind.noun}, so its fill value must be {wanted}, not {value!r}'


def _not_in_dataset(column: str, kinds: Mapping[str, Kind]) -> str:
    names = list(kinds)
    hint = did_you_mean(column, names, otherwise="")
    if hint:
        return f'column "{column}" is not in the dataset{hint}'
    listed = quoted_choices(names[:LISTED_COLUMNS], conjunction="and")
    more = f" and {len(names) - LISTED_COLUMNS} more" if len(names) > LISTED_COLUMNS else ""
    return f'column "{column}" is not in the dataset; its columns are {listed}{more}'
