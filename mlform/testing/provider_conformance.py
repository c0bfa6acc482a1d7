"""The provider conformance suite: what every provider must satisfy, checked the same way.

Use it from a provider's tests:

    class TestDatasetConformance(ProviderConformance):
        provider = providers.dataset.provider
        minimal_config = {"source": "data.csv"}

or call `schema_problems` and `provider_problems` directly; each returns a list of problems
described in words (empty when all is well), so a failure lists everything at once.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from mlform.diagnostics import Severity
from mlform.language.types import STRING, TypeMismatch
from mlform.language.values import UNKNOWN, Sensitive
from mlform.sdk import (
    AttributePath,
    BlockSchema,
    BlockValue,
    Nesting,
    Provider,
    ProviderDiagnostic,
    ResourceRef,
    ResourceSchema,
    ValidateRequest,
    ValidateResponse,
)

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def schema_problems(schema: ResourceSchema) -> list[str]:
    """What is wrong with a schema: names, the `id` output, flags, descriptions, defaults."""
    problems = []
    if not NAME.match(schema.kind):
        problems.append(f'kind "{schema.kind}" is not a lowercase identifier')
    if not schema.description.strip():
        problems.append(f'resource kind "{schema.kind}" has no description')
    identifier = schema.block.get_output("id")
    if identifier is None or identifier.type != STRING:
        problems.append('there is no computed "id" attribute of type string')
    if schema.block.get_input("id") is not None:
        problems.append('"id" is an input; it must only be computed')
    problems += _block_problems(schema.block, schema.kind, top=True)
    return problems


def _block_problems(block: BlockSchema, where: str, top: bool) -> list[str]:
    problems = []
    input_names: list[str] = []
    output_names: list[str] = []
    for attribute in block.attributes:
        name = f"{where}.{attribute.name}"
        (output_names if attribute.computed else input_names).append(attribute.name)
        input_names.extend(attribute.aliases)
        for label in (attribute.name, *attribute.aliases):
            if not NAME.match(label):
                problems.append(f'{name}: "{label}" is not a lowercase identifier')
        if not attribute.description.strip():
            problems.append(f"{name} has no description")
        if attribute.required and attribute.computed:
            problems.append(f"{name} is both required and computed")
        if attribute.computed and not top:
            problems.append(f"{name} is computed inside a nested block; outputs are top-level")
        if attribute.computed and attribute.default is not None:
            problems.append(f"{name} is computed and has a default")
        if attribute.required and attribute.default is not None:
            problems.append(f"{name} is required and has a default, which is never used")
        if attribute.default is not None:
            try:
                attribute.type.convert(attribute.default)
            except TypeMismatch as error:
                problems.append(
                    f"{name}: the default does not convert to {attribute.type}: {error}"
                )
        if isinstance(attribute.type, ResourceRef) and not NAME.match(attribute.type.kind):
            problems.append(f'{name} references kind "{attribute.type.kind}", not an identifier')
    for nested in block.blocks:
        name = f"{where}.{nested.name}"
        input_names.append(nested.name)
        if not NAME.match(nested.name):
            problems.append(f'{name}: "{nested.name}" is not a lowercase identifier')
        if not nested.description.strip():
            problems.append(f"{name} (block) has no description")
        if (nested.nesting is Nesting.LABELLED) != bool(nested.labels):
            problems.append(f"{name}: label names are required by, and only by, labelled blocks")
        problems += [
            f'{name}: label "{label}" is not an identifier'
            for label in nested.labels
            if not NAME.match(label)
        ]
        maximum = nested.max_items
        if nested.nesting is Nesting.SINGLE and maximum not in (None, 1):
            problems.append(f"{name}: a single block has at most one item, not {maximum}")
        if nested.min_items < 0 or (maximum is not None and maximum < nested.min_items):
            problems.append(
                f"{name}: min_items {nested.min_items} and max_items {maximum} conflict"
            )
        problems += _block_problems(nested.block, name, top=False)
    for names, what in ((input_names, "input or block"), (output_names, "output")):
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f'{where}: the {what} name "{duplicate}" is declared twice')
    return problems


def path_problem(schema: BlockSchema, path: AttributePath) -> str | None:
    """Why `path` does not point into `schema`, or None when it does."""
    block = schema
    steps = list(path)
    while steps:
        step = steps.pop(0)
        if not isinstance(step, str):
            return f"step {step!r} of {path} is not an attribute or block name"
        if block.get_input(step) is not None:
            return None  # what follows walks into the attribute's value
        nested = block.get_block(step)
        if nested is None:
            return f'"{step}" in {path} is neither an input nor a block'
        if not steps:
            return None
        index = steps.pop(0)
        if not isinstance(index, int) or isinstance(index, bool):
            return f"block {step!r} in {path} must be followed by the index of the block"
        block = nested.block
    return None


def validate_config(
    provider: Provider, config: Mapping[str, Any], address: str = ""
) -> list[ProviderDiagnostic]:
    """The diagnostics of validating `config` (errors and warnings)."""
    request = ValidateRequest(address or f"{provider.kind}.test", config)
    return list(provider.validate(request).diagnostics)


def assert_validate_errors(
    provider: Provider, config: Mapping[str, Any], expected: Mapping[AttributePath, str]
) -> None:
    """Validate reports exactly one error at each expected path, whose message contains the
    expected text, and no other error."""
    errors = [d for d in validate_config(provider, config) if d.is_error]
    found = sorted((d.path, d.message) for d in errors)
    paths = [path for path, _ in found]
    assert sorted(paths) == sorted(expected), f"expected errors at {sorted(expected)}, got {found}"
    for path, message in found:
        assert expected[path] in message, f"at {path}: {expected[path]!r} not in {message!r}"


def provider_problems(provider: Provider, minimal_config: Mapping[str, Any]) -> list[str]:
    """What is wrong with a provider: its schema, and validate on fixed configurations."""
    problems = schema_problems(provider.schema)
    if not isinstance(provider.version, str) or not provider.version:
        problems.append("the provider has no version")
    cases = {
        "the minimal configuration": dict(minimal_config),
        "the minimal configuration, every value sensitive": _mark_sensitive(minimal_config),
        "every input unknown": _all_unknown(provider.schema.block, minimal_config),
    }
    for what, config in cases.items():
        try:
            errors = [d for d in validate_config(provider, config) if d.is_error]
        except Exception as error:  # a provider must report, not raise
            problems.append(f"validate of {what} raised {type(error).__name__}: {error}")
            continue
        problems += [f"validate of {what} reported {d.path}: {d.message}" for d in errors]
    problems += diagnostics_problems(provider, {})
    return problems


def diagnostics_problems(provider: Provider, config: Mapping[str, Any]) -> list[str]:
    """Validate must not raise nor change the configuration, and must answer with
    well-formed diagnostics whose paths exist in the schema."""
    before = copy.deepcopy(dict(config))
    try:
        response = provider.validate(ValidateRequest(f"{provider.kind}.test", config))
    except Exception as error:
        return [f"validate of {config!r} raised {type(error).__name__}: {error}"]
    if not isinstance(response, ValidateResponse):
        return [f"validate returned {type(response).__name__}, not ValidateResponse"]
    problems = []
    if dict(config) != before:
        problems.append(f"validate changed its configuration {before!r}")
    for diagnostic in response.diagnostics:
        if not isinstance(diagnostic, ProviderDiagnostic) or not isinstance(
            diagnostic.severity, Severity
        ):
            problems.append(f"validate returned {diagnostic!r}, not a ProviderDiagnostic")
            continue
        if not diagnostic.message.strip():
            problems.append(f"a diagnostic at {diagnostic.path} has no message")
        problem = path_problem(provider.schema.block, diagnostic.path)
        if problem:
            problems.append(f'diagnostic "{diagnostic.message}": {problem}')
    return problems


def _mark_sensitive(config: Mapping[str, Any]) -> dict[str, Any]:
    marked: dict[str, Any] = {}
    for name, value in config.items():
        if isinstance(value, list) and value and all(isinstance(b, BlockValue) for b in value):
            marked[name] = [BlockValue(b.labels, _mark_sensitive(b.config)) for b in value]
        else:
            marked[name] = Sensitive(value)
    return marked


def _all_unknown(block: BlockSchema, config: Mapping[str, Any]) -> dict[str, Any]:
    unknown: dict[str, Any] = {attribute.name: UNKNOWN for attribute in block.inputs}
    for nested in block.blocks:
        values = config.get(nested.name)
        if isinstance(values, list):
            unknown[nested.name] = [
                BlockValue(b.labels, _all_unknown(nested.block, b.config)) for b in values
            ]
    return unknown


class ProviderConformance:
    """Subclass as `Test<Kind>Conformance`, setting `provider` and `minimal_config` (the
    smallest configuration validate must accept); pytest runs the inherited tests."""

    provider: ClassVar[Provider]
    minimal_config: ClassVar[Mapping[str, Any]]
    generated_examples: ClassVar[int] = 150

    def test_schema_is_well_formed(self) -> None:
        problems = schema_problems(self.provider.schema)
        assert not problems, "\n".join(problems)

    def test_kind_matches_schema(self) -> None:
        assert self.provider.kind == self.provider.schema.kind
        assert isinstance(self.provider.version, str) and self.provider.version

    def test_minimal_config_is_valid(self) -> None:
        errors = [d for d in validate_config(self.provider, self.minimal_config) if d.is_error]
        assert not errors, errors

    def test_validate_passes_fixed_cases(self) -> None:
        problems = provider_problems(self.provider, self.minimal_config)
        assert not problems, "\n".join(problems)

    def test_empty_config_does_not_raise(self) -> None:
        problems = diagnostics_problems(self.provider, {})
        assert not problems, "\n".join(problems)

    def test_generated_configs_do_not_raise(self) -> None:
        from hypothesis import HealthCheck, given, settings

        from mlform.testing.generated_configs import configs

        strategy = configs(self.provider.schema, self.minimal_config)

        @settings(
            max_examples=self.generated_examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(strategy)
        def check(config: dict[str, Any]) -> None:
            problems = diagnostics_problems(self.provider, config)
            assert not problems, "\n".join(problems)

        check()
