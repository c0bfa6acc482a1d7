"""Shared test suites that every implementation of an mlform contract reuses.

`provider_conformance` checks a provider against the SDK's contract (a well-formed schema, a
validate that accepts a minimal configuration, skips unknown values and never raises). A
provider's test module subclasses `ProviderConformance`; third-party providers use it too.
Importing this package needs neither pytest nor hypothesis; the generated-configuration test
imports hypothesis when it runs.
"""

from mlform.testing.provider_conformance import (
    ProviderConformance,
    assert_validate_errors,
    diagnostics_problems,
    path_problem,
    provider_problems,
    schema_problems,
    validate_config,
)

__all__ = [
    "ProviderConformance",
    "assert_validate_errors",
    "diagnostics_problems",
    "path_problem",
    "provider_problems",
    "schema_problems",
    "validate_config",
]
