"""Validation: every check that needs no state and runs nothing.

`validate_directory` loads a configuration, resolves its variables, checks references,
types, schemas and the dependency graph, and asks each provider to validate its resources.
The plan engine starts from the same result.
"""

from mlform.validation.check import Instance, ValidationResult, validate_directory

__all__ = ["Instance", "ValidationResult", "validate_directory"]
