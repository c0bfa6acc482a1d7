"""Loading a configuration directory: every `*.mlf.hcl`, in sorted order, into `Configuration`.

The loader reads declarations only. It checks what can be checked from the text alone:
block types and labels, duplicate declarations, meta-arguments and their shapes, and the
constant settings of variables and outputs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlform.diagnostics import Diagnostics, SourceRange, error
from mlform.language import ast
from mlform.language.config import (
    LIFECYCLE_ATTRIBUTES,
    Configuration,
    Lifecycle,
    LocalDecl,
    OutputDecl,
    ProviderDecl,
    ResourceDecl,
    ValidationRule,
    VariableDecl,
)
from mlform.language.evaluator import EvaluationError, Scope, evaluate, suggest
from mlform.language.parse_cache import parse_file_cached
from mlform.language.syntax import SyntaxFailure, source_lines
from mlform.language.types import ANY, TypeConstraint, TypeSyntaxError, type_from_expression
from mlform.language.values import contains_unknown, quote

CONFIG_SUFFIX = ".mlf.hcl"
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_RESERVED_VARIABLE_NAMES = {
    "count",
    "for_each",
    "depends_on",
    "lifecycle",
    "provider",
    "source",
    "version",
}
_VARIABLE_ATTRIBUTES = {"type", "default", "description", "sensitive", "nullable"}
_OUTPUT_ATTRIBUTES = {"value", "description", "sensitive", "depends_on"}
_CORE_BLOCKS = ("mlform", "variable", "locals", "output", "provider")


def display_path(path: Path) -> str:
    """A path as diagnostics show it: relative to the working directory when below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def config_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*" + CONFIG_SUFFIX) if p.is_file())


def load_configuration(
    directory: Path, known_kinds: Iterable[str]
) -> tuple[Configuration, Diagnostics]:
    diagnostics = Diagnostics()
    config = Configuration(directory)
    kinds = set(known_kinds)
    files = config_files(directory)
    decoder = _Decoder(config, diagnostics, kinds)
    if not files:
        diagnostics.add(
            error(
                f"no configuration files in {display_path(directory) or '.'}: mlform reads every "
                f"*{CONFIG_SUFFIX} file of the directory; create one or give the right directory"
            )
        )
        return config, diagnostics
    for path in files:
        name = display_path(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            diagnostics.add(
                error(
                    f"the file is not valid UTF-8 (byte {exc.start}); save it as UTF-8",
                    SourceRange(name, 1, 1),
                )
            )
            continue
        except OSError as exc:
            diagnostics.add(error(f"cannot read the file: {exc.strerror}", SourceRange(name, 1, 1)))
            continue
        try:
            parsed, syntax_diagnostics = parse_file_cached(text, name)
        except SyntaxFailure as failure:
            for diagnostic in failure.diagnostics:
                diagnostics.add(diagnostic)
            config.files[name] = ast.File(
                name, ast.Body({}, (), SourceRange(name, 1, 1)), source_lines(text)
            )
            continue
        diagnostics.extend(syntax_diagnostics)
        config.files[name] = parsed
        decoder.file(parsed)
    return config, diagnostics


class _Decoder:
    def __init__(self, config: Configuration, diagnostics: Diagnostics, kinds: set[str]):
        self.config = config
        self.diagnostics = diagnostics
        self.kinds = kinds
        self.declared: dict[str, SourceRange] = {}

    def fail(self, message: str, range: SourceRange | None, address: str | None = None) -> None:
        self.diagnostics.add(error(message, range, address))

    def file(self, file: ast.File) -> None:
        for name, attribute in file.body.attributes.items():
            self.fail(
                f'unexpected argument "{name}" at the top level; arguments belong inside a block '
                "(variables go in variable blocks, values in locals { })",
                attribute.name_range,
            )
        for block in file.body.blocks:
            handler = getattr(self, "_" + block.type, None) if block.type in _CORE_BLOCKS else None
            if handler is not None:
                handler(block)
            elif block.type in self.kinds:
                self._resource(block)
            else:
                self.fail(_unknown_kind_message(block.type, self.kinds), block.type_range)

    # helpers -------------------------------------------------------------------------------

    def _labels(self, block: ast.Block, names: tuple[str, ...]) -> bool:
        if len(block.labels) != len(names):
            if names:
                wanted = " ".join(f'"{n.upper()}"' for n in names)
                message = f"a {block.type} block takes {len(names)} label{'s' if len(names) > 1 else ''}: {block.type} {wanted} {{ ... }}"
            else:
                message = f"a {block.type} block takes no labels: {block.type} {{ ... }}"
            self.fail(message, block.type_range)
            return False
        for label, range in zip(block.labels, block.label_ranges, strict=True):
            if not _NAME_RE.fullmatch(label):
                self.fail(
                    f"{quote(label)} is not a valid name; names start with a letter or underscore and "
                    "hold letters, digits, underscores and dashes",
                    range,
                )
                return False
        return True

    def _unique(self, key: str, range: SourceRange, what: str) -> bool:
        first = self.declared.get(key)
        if first is not None:
            self.fail(f"{what} is declared twice; the first declaration is at {first}", range, key)
            return False
        self.declared[key] = range
        return True

    def _constant(self, attribute: ast.Attribute | None, address: str) -> Any:
        if attribute is None:
            return None
        try:
            value = evaluate(attribute.expression, Scope({}))
        except EvaluationError as exc:
            self.fail(
                f'"{attribute.name}" must be a constant value: {exc.message}', exc.range, address
            )
            return None
        if contains_unknown(value):
            self.fail(
                f'"{attribute.name}" must be a constant value', attribute.expression.range, address
            )
            return None
        return value

    def _bool(self, attribute: ast.Attribute | None, address: str, default: bool) -> bool:
        value = self._constant(attribute, address)
        if value is None:
            return default
        if not isinstance(value, bool):
            assert attribute is not None
            self.fail(
                f'"{attribute.name}" must be true or false', attribute.expression.range, address
            )
            return default
        return value

    def _string(self, attribute: ast.Attribute | None, address: str) -> str:
        value = self._constant(attribute, address)
        if value is None:
            return ""
        if not isinstance(value, str):
            assert attribute is not None
            self.fail(f'"{attribute.name}" must be a string', attribute.expression.range, address)
            return ""
        return value

    def _unexpected(self, body: ast.Body, allowed: set[str], address: str, what: str) -> None:
        for name, attribute in body.attributes.items():
            if name not in allowed:
                self.fail(
                    f'{what} has no argument "{name}"{suggest(name, allowed)}',
                    attribute.name_range,
                    address,
                )

    def _references(
        self, attribute: ast.Attribute | None, address: str
    ) -> tuple[ast.Traversal, ...]:
        if attribute is None:
            return ()
        expression = attribute.expression
        if not isinstance(expression, ast.TupleCons):
            self.fail(
                f'"{attribute.name}" must be a list of references, like [dataset.churn]',
                expression.range,
                address,
            )
            return ()
        found = []
        for item in expression.items:
            traversal = next(iter(ast.traversals(item)), None)
            if traversal is None or not isinstance(item, ast.Variable | ast.GetAttr | ast.Index):
                self.fail(
                    f'each element of "{attribute.name}" must be a reference, like dataset.churn',
                    item.range,
                    address,
                )
                continue
            found.append(traversal)
        return tuple(found)

    # blocks --------------------------------------------------------------------------------

    def _mlform(self, block: ast.Block) -> None:
        if not self._labels(block, ()) or not self._unique(
            "mlform", block.type_range, "the mlform block"
        ):
            return
        self._unexpected(
            block.body, {"state", "artifacts", "required_version"}, "mlform", "the mlform block"
        )
        self.config.settings = block.body

    def _variable(self, block: ast.Block) -> None:
        if not self._labels(block, ("name",)):
            return
        name = block.labels[0]
        address = f"var.{name}"
        if name in _RESERVED_VARIABLE_NAMES:
            self.fail(
                f'"{name}" is reserved and cannot name a variable; choose another name',
                block.label_ranges[0],
                address,
            )
            return
        if not self._unique(address, block.label_ranges[0], f'variable "{name}"'):
            return
        body = block.body
        self._unexpected(body, _VARIABLE_ATTRIBUTES, address, "a variable block")
        type_constraint: TypeConstraint = ANY
        if "type" in body.attributes:
            try:
                type_constraint = type_from_expression(body.attributes["type"].expression)
            except TypeSyntaxError as exc:
                self.fail(exc.message, exc.range, address)
        validations = []
        for nested in body.blocks:
            if nested.type != "validation":
                self.fail(
                    f'a variable block has no "{nested.type}" block; only validation blocks',
                    nested.type_range,
                    address,
                )
                continue
            self._unexpected(
                nested.body, {"condition", "error_message"}, address, "a validation block"
            )
            condition = nested.body.attributes.get("condition")
            message = nested.body.attributes.get("error_message")
            if condition is None or message is None:
                missing = "condition" if condition is None else "error_message"
                self.fail(f'a validation block needs "{missing}"', nested.type_range, address)
                continue
            validations.append(
                ValidationRule(condition.expression, message.expression, nested.range)
            )
        self.config.variables[name] = VariableDecl(
            name=name,
            range=block.label_ranges[0],
            type=type_constraint,
            default=body.attributes["default"].expression if "default" in body.attributes else None,
            description=self._string(body.attributes.get("description"), address),
            sensitive=self._bool(body.attributes.get("sensitive"), address, False),
            nullable=self._bool(body.attributes.get("nullable"), address, True),
            validations=tuple(validations),
        )

    def _locals(self, block: ast.Block) -> None:
        if not self._labels(block, ()):
            return
        for nested in block.body.blocks:
            self.fail("a locals block holds only arguments, not blocks", nested.type_range)
        for name, attribute in block.body.attributes.items():
            if self._unique(f"local.{name}", attribute.name_range, f'local value "{name}"'):
                self.config.locals[name] = LocalDecl(
                    name, attribute.expression, attribute.name_range
                )

    def _output(self, block: ast.Block) -> None:
        if not self._labels(block, ("name",)):
            return
        name = block.labels[0]
        address = f"output.{name}"
        if not self._unique(address, block.label_ranges[0], f'output "{name}"'):
            return
        body = block.body
        self._unexpected(body, _OUTPUT_ATTRIBUTES, address, "an output block")
        for nested in body.blocks:
            self.fail(f'an output block has no "{nested.type}" block', nested.type_range, address)
        value = body.attributes.get("value")
        if value is None:
            self.fail('an output needs a "value"', block.type_range, address)
            return
        self.config.outputs[name] = OutputDecl(
            name,
            value.expression,
            block.label_ranges[0],
            description=self._string(body.attributes.get("description"), address),
            sensitive=self._bool(body.attributes.get("sensitive"), address, False),
            depends_on=self._references(body.attributes.get("depends_on"), address),
        )

    def _provider(self, block: ast.Block) -> None:
        if not self._labels(block, ("name",)):
            return
        name = block.labels[0]
        if self._unique(f"provider.{name}", block.label_ranges[0], f'provider "{name}"'):
            self.config.providers[name] = ProviderDecl(name, block.body, block.range)

    def _resource(self, block: ast.Block) -> None:
        if not self._labels(block, ("name",)):
            return
        name = block.labels[0]
        address = f"{block.type}.{name}"
        if not self._unique(address, block.label_ranges[0], address):
            return
        attributes = dict(block.body.attributes)
        count = attributes.pop("count", None)
        for_each = attributes.pop("for_each", None)
        depends_on = attributes.pop("depends_on", None)
        provider = attributes.pop("provider", None)
        if provider is not None:
            self.fail(
                '"provider" is not supported: a kind has one provider', provider.name_range, address
            )
        if count is not None and for_each is not None:
            self.fail(
                '"count" and "for_each" cannot both be set; use one of them',
                for_each.name_range,
                address,
            )
        blocks = []
        lifecycle = Lifecycle()
        for nested in block.body.blocks:
            if nested.type == "lifecycle":
                lifecycle = self._lifecycle(nested, address)
            else:
                blocks.append(nested)
        body = ast.Body(attributes, tuple(blocks), block.body.range)
        self.config.resources[address] = ResourceDecl(
            kind=block.type,
            name=name,
            body=body,
            range=block.range,
            name_range=block.label_ranges[0],
            count=count.expression if count is not None else None,
            for_each=for_each.expression if for_each is not None else None,
            depends_on=self._references(depends_on, address),
            lifecycle=lifecycle,
        )

    def _lifecycle(self, block: ast.Block, address: str) -> Lifecycle:
        body = block.body
        self._unexpected(body, set(LIFECYCLE_ATTRIBUTES), address, "a lifecycle block")
        for nested in body.blocks:
            self.fail(f'a lifecycle block has no "{nested.type}" block', nested.type_range, address)
        ignore: tuple[str, ...] = ()
        attribute = body.attributes.get("ignore_changes")
        if attribute is not None:
            expression = attribute.expression
            if isinstance(expression, ast.Variable) and expression.name == "all":
                ignore = ("all",)
            elif isinstance(expression, ast.TupleCons):
                names = []
                for item in expression.items:
                    if isinstance(item, ast.Variable):
                        names.append(item.name)
                    else:
                        self.fail(
                            "ignore_changes lists attribute names, like [description, tags]",
                            item.range,
                            address,
                        )
                ignore = tuple(names)
            else:
                self.fail(
                    "ignore_changes is a list of attribute names, or all", expression.range, address
                )
        return Lifecycle(
            prevent_destroy=self._bool(body.attributes.get("prevent_destroy"), address, False),
            create_before_destroy=self._bool(
                body.attributes.get("create_before_destroy"), address, False
            ),
            ignore_changes=ignore,
            replace_triggered_by=self._references(
                body.attributes.get("replace_triggered_by"), address
            ),
            range=block.range,
        )


def _unknown_kind_message(kind: str, kinds: set[str]) -> str:
    hint = suggest(kind, [*kinds, *_CORE_BLOCKS])
    installed = ", ".join(sorted(kinds)) or "none"
    if hint:
        return f'no provider for resource kind "{kind}"{hint} Installed kinds: {installed}.'
    return f'no provider for resource kind "{kind}". Installed kinds: {installed}.'
