"""Checks of a split's partitioning: ratio, strategy and categories."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from mlform.sdk import (
    ProviderDiagnostic,
    did_you_mean,
    is_known,
    number_of,
    quoted_choices,
    value_of,
)
from providers.common import PART_NAMES, check_positive_whole
from providers.split.preprocessing import check_preprocessing

Config = Mapping[str, Any]

STRATEGIES = ("index_by", "categorize_by", "hash_by", "stratify_by")
COMPATIBLE_STRATEGIES = frozenset({"index_by", "categorize_by"})
RATIO_TOLERANCE = 1e-9


def validate_split(config: Config) -> list[ProviderDiagnostic]:
    return [
        *check_ratio(config),
        *check_strategy(config),
        *check_categories(config),
        *check_positive_whole(value_of(config, "seed"), ("seed",), minimum=0),
        *check_preprocessing(config),
    ]


def check_part_names(parts: Mapping[str, Any], attribute: str) -> list[ProviderDiagnostic]:
    found = [
        ProviderDiagnostic.error(
            f'unknown part "{name}" in {attribute}{did_you_mean(name, PART_NAMES, otherwise=".")} '
            f"A split's parts are {quoted_choices(PART_NAMES)}.",
            (attribute, name),
        )
        for name in parts
        if name not in PART_NAMES
    ]
    if "train" not in parts:
        found.append(
            ProviderDiagnostic.error(
                f'{attribute} needs a "train" part: the rows models are trained on', (attribute,)
            )
        )
    return found


def check_ratio(config: Config) -> list[ProviderDiagnostic]:
    ratio = value_of(config, "ratio")
    if ratio is None:
        if value_of(config, "categories") is None:
            return [
                ProviderDiagnostic.error(
                    "a split needs ratio, such as ratio = { train = 0.8, test = 0.2 } "
                    "(or categories, with categorize_by)",
                    (),
                )
            ]
        return []
    if not isinstance(ratio, dict):
        return []
    found = check_part_names(ratio, "ratio")
    shares = {name: number_of(share) for name, share in ratio.items()}
    for name, share in shares.items():
        if share is not None and not 0 < share <= 1:
            found.append(
                ProviderDiagnostic.error(
                    f'the share of part "{name}" must be more than 0 and at most 1, not {share}',
                    ("ratio", name),
                )
            )
    if ratio and all(share is not None for share in shares.values()):
        total = sum(share for share in shares.values() if share is not None)
        if abs(total - 1) > RATIO_TOLERANCE:
            found.append(
                ProviderDiagnostic.error(
                    f"the shares in ratio must sum to 1, but they sum to {total:.12g}",
                    ("ratio",),
                )
            )
    return found


def check_strategy(config: Config) -> list[ProviderDiagnostic]:
    values = {name: value_of(config, name) for name in STRATEGIES}
    if not all(is_known(value) for value in values.values()):
        return []
    chosen = [name for name in STRATEGIES if values[name] is not None]
    return [
        ProviderDiagnostic.error(
            f"{first} and {second} cannot be used together: a split takes at most one of "
            "index_by, categorize_by, hash_by and stratify_by (only categorize_by may be "
            f"combined with index_by); remove {first} or {second}",
            (second,),
        )
        for first, second in itertools.combinations(chosen, 2)
        if {first, second} != COMPATIBLE_STRATEGIES
    ]


def check_categories(config: Config) -> list[ProviderDiagnostic]:
    categories = value_of(config, "categories")
    unknown_part = value_of(config, "unknown")
    found: list[ProviderDiagnostic] = []
    if categories is not None:
        if value_of(config, "categorize_by") is None:
            found.append(
                ProviderDiagnostic.error(
                    "categories needs categorize_by, the column whose values it assigns to parts",
                    ("categories",),
                )
            )
        ratio = value_of(config, "ratio")
        if ratio is not None and is_known(ratio):
            found.append(
                ProviderDiagnostic.error(
                    "ratio and categories cannot be used together: categories choose the part "
                    "of each category, ratio draws them at random; remove one of them",
                    ("ratio",),
                )
            )
        if isinstance(value_of(config, "index_by"), str) and isinstance(categories, dict):
            found.append(
                ProviderDiagnostic.error(
                    "index_by cannot be used with categories: categories put whole categories "
                    "in parts, so there is nothing left to cut by index; use index_by with a "
                    "ratio (the hybrid split), or remove it",
                    ("index_by",),
                )
            )
        if isinstance(categories, dict):
            found += check_part_names(categories, "categories")
            found += _check_listed_once(categories)
    if isinstance(unknown_part, str):
        if categories is None:
            found.append(
                ProviderDiagnostic.error(
                    "unknown is only used with categories: it names the part that gets the "
                    "values of categorize_by that categories does not list; remove it",
                    ("unknown",),
                )
            )
        elif isinstance(categories, dict) and unknown_part not in categories:
            found.append(
                ProviderDiagnostic.error(
                    f'unknown names part "{unknown_part}", which categories does not list'
                    f"{did_you_mean(unknown_part, categories, otherwise='.')} Use one of "
                    f"{quoted_choices(categories)}.",
                    ("unknown",),
                )
            )
    return found


def _check_listed_once(categories: Mapping[str, Any]) -> list[ProviderDiagnostic]:
    found = []
    part_of: dict[str, str] = {}
    for part, values in categories.items():
        if not isinstance(values, list):
            continue
        for index, category in enumerate(values):
            if not isinstance(category, str):
                continue
            if category in part_of:
                found.append(
                    ProviderDiagnostic.error(
                        f'category "{category}" is listed in both "{part_of[category]}" and '
                        f'"{part}"; a category goes to one part: remove it from one of them'
                        if part_of[category] != part
                        else f'category "{category}" is listed twice in "{part}"; remove one',
                        ("categories", part, index),
                    )
                )
            else:
                part_of[category] = part
    return found
