"""Checks of a split's preprocessing blocks: each step's settings, and no column claimed
twice by steps of the same family."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mlform.sdk import (
    BlockValue,
    ProviderDiagnostic,
    blocks_of,
    did_you_mean,
    is_known,
    number_of,
    quoted_choices,
    value_of,
)
from providers.common import check_positive_whole

Config = Mapping[str, Any]
Path = tuple[str | int, ...]

FILL_METHODS = ("mean", "median", "mode", "constant", "min", "max", "ffill", "bfill", "drop_rows")
DEFAULT_CHOICES = {
    ("numeric", "fill"): ("mean", "median", "mode", "min", "max", "ffill", "bfill", "drop_rows", "none"),
    ("numeric", "transform"): ("standardize", "normalize", "log1p", "none"),
    ("string", "fill"): ("mode", "ffill", "bfill", "drop_rows", "none"),
    ("string", "transform"): ("one_hot", "vocabulary", "none"),
}  # fmt: skip

# Steps of one family are alternatives: a column gets at most one of them. Steps of different
# families compose, applied in this order: fill, clip, log1p, then one encoding.
FAMILIES = {
    "fill": ("fill",),
    "clip": ("clip",),
    "log1p": ("log1p",),
    "encoding": ("standardize", "normalize", "bucketize", "one_hot", "vocabulary", "hash_buckets"),
}


def check_preprocessing(config: Config) -> list[ProviderDiagnostic]:
    found: list[ProviderDiagnostic] = []
    for index, block in enumerate(blocks_of(config, "fill")):
        found += check_fill(block.config, ("fill", index))
    for index, block in enumerate(blocks_of(config, "clip")):
        found += check_clip(block.config, ("clip", index))
    for index, block in enumerate(blocks_of(config, "bucketize")):
        found += check_bucketize(block.config, ("bucketize", index))
    for index, block in enumerate(blocks_of(config, "one_hot")):
        found += check_positive_whole(
            value_of(block.config, "max_categories"), ("one_hot", index, "max_categories")
        )
    for index, block in enumerate(blocks_of(config, "vocabulary")):
        path = ("vocabulary", index)
        found += check_positive_whole(value_of(block.config, "max_size"), (*path, "max_size"))
        found += check_positive_whole(
            value_of(block.config, "num_oov_buckets"), (*path, "num_oov_buckets"), minimum=0
        )
    for index, block in enumerate(blocks_of(config, "hash_buckets")):
        found += check_positive_whole(
            value_of(block.config, "buckets"), ("hash_buckets", index, "buckets")
        )
    found += check_defaults(config)
    found += check_columns(config)
    for steps in FAMILIES.values():
        for step in steps:
            for index, block in enumerate(blocks_of(config, step)):
                if value_of(block.config, "columns") == []:
                    found.append(
                        ProviderDiagnostic.error(
                            f"columns is empty; name the columns to {step}, or remove the block",
                            (step, index, "columns"),
                        )
                    )
    return found


def check_fill(config: Config, path: Path) -> list[ProviderDiagnostic]:
    method = value_of(config, "method")
    value = value_of(config, "value")
    if not isinstance(method, str):
        return []
    if method not in FILL_METHODS:
        return [
            ProviderDiagnostic.error(
                f'unknown fill method "{method}"{did_you_mean(method, FILL_METHODS, otherwise=".")} '
                f"Use {quoted_choices(FILL_METHODS)}.",
                (*path, "method"),
            )
        ]
    if method == "constant" and value is None:
        return [
            ProviderDiagnostic.error(
                'method "constant" needs value, the value that replaces missing entries',
                path,
            )
        ]
    if method != "constant" and value is not None and is_known(value):
        return [
            ProviderDiagnostic.error(
                f'value is only used with method = "constant", not with "{method}"; remove it',
                (*path, "value"),
            )
        ]
    return []


def check_clip(config: Config, path: Path) -> list[ProviderDiagnostic]:
    low, high = value_of(config, "min"), value_of(config, "max")
    if low is None and high is None:
        return [ProviderDiagnostic.error("clip needs min, max or both", path)]
    if number_of(low) is not None and number_of(high) is not None and low > high:
        return [
            ProviderDiagnostic.error(
                f"clip min ({low}) is greater than its max ({high})", (*path, "min")
            )
        ]
    return []


def check_bucketize(config: Config, path: Path) -> list[ProviderDiagnostic]:
    boundaries, quantiles = value_of(config, "boundaries"), value_of(config, "quantiles")
    if not is_known(boundaries) or not is_known(quantiles):
        return []
    if (boundaries is None) == (quantiles is None):
        return [
            ProviderDiagnostic.error(
                "bucketize needs exactly one of boundaries (such as [18, 35, 65]) and "
                "quantiles (a number of equal-frequency buckets)"
                + (", not both" if boundaries is not None else ""),
                path,
            )
        ]
    if quantiles is not None:
        return check_positive_whole(quantiles, (*path, "quantiles"), minimum=2)
    if not isinstance(boundaries, list):
        return []
    if not boundaries:
        return [
            ProviderDiagnostic.error(
                "boundaries is empty; list at least one", (*path, "boundaries")
            )
        ]
    for index in range(1, len(boundaries)):
        before, after = boundaries[index - 1], boundaries[index]
        if number_of(before) is not None and number_of(after) is not None and after <= before:
            return [
                ProviderDiagnostic.error(
                    f"boundaries must increase, but {after} follows {before}; sort them and "
                    "remove duplicates",
                    (*path, "boundaries", index),
                )
            ]
    return []


def check_defaults(config: Config) -> list[ProviderDiagnostic]:
    found = []
    for index, defaults in enumerate(blocks_of(config, "defaults")):
        for group in ("numeric", "string"):
            for inner, block in enumerate(blocks_of(defaults.config, group)):
                for setting in ("fill", "transform"):
                    value = value_of(block.config, setting)
                    choices = DEFAULT_CHOICES[(group, setting)]
                    if isinstance(value, str) and value not in choices:
                        hint = (
                            ' To fill with a constant, use a fill block with method = "constant".'
                            if value == "constant"
                            else ""
                        )
                        found.append(
                            ProviderDiagnostic.error(
                                f'unknown {setting} "{value}" for {group} columns'
                                f"{did_you_mean(value, choices, otherwise='.')} Use "
                                f"{quoted_choices(choices)}.{hint}",
                                ("defaults", index, group, inner, setting),
                            )
                        )
    return found


def check_columns(config: Config) -> list[ProviderDiagnostic]:
    """A column in two steps of one family, twice in one step, or the label transformed."""
    label = value_of(config, "label")
    found = []
    for family, steps in FAMILIES.items():
        claimed: dict[str, str] = {}
        for step, index, position, column in _columns(config, steps):
            path = (step, index, "columns", position)
            if column == label and family != "fill":
                found.append(
                    ProviderDiagnostic.error(
                        f'column "{column}" is the split\'s label, which passes through to the '
                        f"model unchanged; remove it from {step}",
                        path,
                    )
                )
            elif column in claimed:
                other = claimed[column]
                found.append(
                    ProviderDiagnostic.error(
                        f'column "{column}" is in both {other} and {step}; a column gets one '
                        f"{_family_phrase(family)}: remove it from one of them"
                        if other != step
                        else f'column "{column}" is named twice in {step} blocks; remove one',
                        path,
                    )
                )
            else:
                claimed[column] = step
    return found


def _family_phrase(family: str) -> str:
    if family == "encoding":
        return "encoding (" + ", ".join(FAMILIES["encoding"]) + ")"
    return f"{family} step"


def _columns(config: Config, steps: tuple[str, ...]) -> Iterator[tuple[str, int, int, str]]:
    for step in steps:
        for index, block in enumerate(blocks_of(config, step)):
            columns = _known_columns(block)
            for position, column in columns:
                yield step, index, position, column


def _known_columns(block: BlockValue) -> list[tuple[int, str]]:
    columns = value_of(block.config, "columns")
    if not isinstance(columns, list):
        return []
    return [(i, c) for i, c in enumerate(columns) if isinstance(c, str)]
