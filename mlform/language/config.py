"""The typed configuration of a directory: variables, locals, outputs, providers, settings
and resources, each keeping the source range it was declared at.

This is the declared shape only; values come from `evaluator` once the variables are known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlform.diagnostics import SourceRange
from mlform.language import ast
from mlform.language.types import ANY, TypeConstraint

META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider"})
LIFECYCLE_ATTRIBUTES = frozenset(
    {"prevent_destroy", "create_before_destroy", "ignore_changes", "replace_triggered_by"}
)


@dataclass(frozen=True)
class ValidationRule:
    condition: ast.Expression
    error_message: ast.Expression
    range: SourceRange


@dataclass(frozen=True)
class VariableDecl:
    name: str
    range: SourceRange
    type: TypeConstraint = ANY
    default: ast.Expression | None = None
    description: str = ""
    sensitive: bool = False
    nullable: bool = True
    validations: tuple[ValidationRule, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class LocalDecl:
    name: str
    expression: ast.Expression
    range: SourceRange


@dataclass(frozen=True)
class OutputDecl:
    name: str
    value: ast.Expression
    range: SourceRange
    description: str = ""
    sensitive: bool = False
    depends_on: tuple[ast.Traversal, ...] = ()


@dataclass(frozen=True)
class Lifecycle:
    prevent_destroy: bool = False
    create_before_destroy: bool = False
    ignore_changes: tuple[str, ...] = ()  # attribute names, or ("all",)
    replace_triggered_by: tuple[ast.Traversal, ...] = ()
    range: SourceRange | None = None


@dataclass(frozen=True)
class ResourceDecl:
    kind: str
    name: str
    body: ast.Body  # the block's body without meta-arguments and lifecycle
    range: SourceRange
    name_range: SourceRange
    count: ast.Expression | None = None
    for_each: ast.Expression | None = None
    depends_on: tuple[ast.Traversal, ...] = ()
    lifecycle: Lifecycle = field(default_factory=Lifecycle)

    @property
    def address(self) -> str:
        return f"{self.kind}.{self.name}"


@dataclass(frozen=True)
class ProviderDecl:
    name: str
    body: ast.Body
    range: SourceRange


@dataclass
class Configuration:
    directory: Path
    files: dict[str, ast.File] = field(default_factory=dict)
    variables: dict[str, VariableDecl] = field(default_factory=dict)
    locals: dict[str, LocalDecl] = field(default_factory=dict)
    outputs: dict[str, OutputDecl] = field(default_factory=dict)
    resources: dict[str, ResourceDecl] = field(default_factory=dict)  # by "kind.name"
    providers: dict[str, ProviderDecl] = field(default_factory=dict)
    settings: ast.Body | None = None  # the `mlform { }` block
    # the lines of the variables files read (*.auto.mlfvars, --var-file), for quoting
    variable_files: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def source_line(self, range: SourceRange) -> str | None:
        """The text of the line a range starts on, for quoting in diagnostics."""
        for file in self.files.values():
            if file.filename == range.filename and 0 < range.line <= len(file.lines):
                return file.lines[range.line - 1]
        lines = self.variable_files.get(range.filename, ())
        if 0 < range.line <= len(lines):
            return lines[range.line - 1]
        return None
