"""A plan in Terraform's JSON plan format (`terraform show -json PLANFILE`), for scripts and
CI: `plan --json` and `show --json PLANFILE` print this document.

Sensitive values are removed, not only flagged: Terraform keeps them in `before`/`after`
and marks them in `before_sensitive`/`after_sensitive`; mlform marks them the same way but
leaves them out, so the document can be stored and shared (DESIGN §7). Values known only
after apply are left out of `after` and marked in `after_unknown`, as Terraform does.

The state does not record which values came from sensitive variables, so a value the
configuration marks sensitive is also hidden where it appears unmarked: in `before`, in
the drift and in the prior state of the same instance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mlform.addresses import Address
from mlform.errors import MlformError
from mlform.language import ast
from mlform.language.config import Configuration
from mlform.language.evaluator import EvaluationError, Scope, evaluate
from mlform.language.values import UNKNOWN, Sensitive, contains_unknown
from mlform.plans.action import Action, ActionReason
from mlform.plans.changes import DriftNote, OutputChange, Plan, ResourceChange
from mlform.sdk import BlockSchema, BlockValue, ProviderRegistry, ResourceRef
from mlform.validation.check import ValidationResult
from mlform.views.state import output_type, resource_header, state_json

FORMAT_VERSION = "1.2"

Path = tuple[str | int, ...]
_ABSENT: Any = object()  # a value left out: unknown, or sensitive
_SCOPES = frozenset({"var", "local", "path", "each", "count", "self"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][\w-]*$")


def plan_json(
    plan: Plan, result: ValidationResult, registry: ProviderRegistry, version: str
) -> dict[str, Any]:
    """Terraform's JSON plan representation of `plan`, with every sensitive value removed."""
    schemas = _Schemas(registry)
    # the top-level attributes the configuration marks sensitive, per instance
    marked = {c.address: {p[:1] for p in _marked_paths(_plain(c.after), ())} for c in plan.changes}
    errored = result.diagnostics.has_errors
    document: dict[str, Any] = {"format_version": FORMAT_VERSION, "mlform_version": version}
    variables = _variables(result)
    if variables:
        document["variables"] = variables
    changes = sorted(plan.changes, key=lambda c: c.address.sort_key)
    entries = [_resource_change(c, schemas, marked.get(c.address, set())) for c in changes]
    document["planned_values"] = _planned_values(entries, plan.outputs)
    document["resource_drift"] = [
        _drift(note, schemas, marked.get(note.address, set()))
        for note in sorted(plan.drift, key=lambda n: n.address.sort_key)
    ]
    document["resource_changes"] = entries
    document["output_changes"] = {
        name: _output_change(change) for name, change in sorted(plan.outputs.items())
    }
    if plan.prior is not None and (plan.prior.instances or plan.prior.outputs):
        prior = state_json(plan.prior, registry, version)
        document["prior_state"] = _hide_in_state(prior, schemas, marked, plan.outputs)
    document["configuration"] = _configuration(result.config, schemas)
    document["applyable"] = not errored and plan.has_changes
    document["complete"] = not plan.targets
    document["errored"] = errored
    return document


# resource changes ------------------------------------------------------------------------


class _Schemas:
    """Each kind's block schema, looked up once; None for a kind no provider serves."""

    def __init__(self, registry: ProviderRegistry):
        self.registry = registry
        self.found: dict[str, BlockSchema | None] = {}

    def __call__(self, kind: str) -> BlockSchema | None:
        if kind not in self.found:
            block = None
            if kind in self.registry:
                try:
                    block = self.registry.get(kind).schema.block
                except MlformError:
                    block = None
            self.found[kind] = block
        return self.found[kind]


def _resource_change(
    change: ResourceChange, schemas: _Schemas, marked: set[Path]
) -> dict[str, Any]:
    before, after = _plain(change.before), _plain(change.after)
    declared = set(change.sensitive_paths)
    before_marks = {p[:1] for p in _marked_paths(before, ())}
    entry = resource_header(change.address)
    entry["change"] = _change(
        change.action,
        before,
        after,
        _hidden(schemas, change.kind, before, declared | marked),
        _hidden(schemas, change.kind, after, declared | before_marks),
    )
    paths = _replace_paths(change, schemas(change.kind), after)
    if paths:
        entry["change"]["replace_paths"] = paths
    reason = change.reason.json_name
    if reason is not None:
        entry["action_reason"] = reason
    return entry


def _drift(note: DriftNote, schemas: _Schemas, marked: set[Path]) -> dict[str, Any]:
    before, after = _plain(note.before), _plain(note.after)
    declared = set(note.sensitive_paths) | marked
    action = Action.DELETE if note.after is None else Action.UPDATE
    entry = resource_header(note.address)
    entry["change"] = _change(
        action,
        before,
        after,
        _hidden(schemas, note.address.kind, before, declared),
        _hidden(schemas, note.address.kind, after, declared),
    )
    return entry


def _change(
    action: Action,
    before: Any,
    after: Any,
    before_hidden: set[Path],
    after_hidden: set[Path],
) -> dict[str, Any]:
    """Terraform's change object: `before` is null for a create, `after` for a delete."""
    return {
        "actions": action.json_actions,
        "before": None if before is None else _known(before, (), before_hidden),
        "after": None if after is None else _known(after, (), after_hidden),
        "after_unknown": (
            _unknown_as_bool(after, (), after_hidden) if contains_unknown(after) else {}
        ),
        "before_sensitive": _sensitive_as_bool(before, (), before_hidden),
        "after_sensitive": _sensitive_as_bool(after, (), after_hidden),
    }


def _replace_paths(
    change: ResourceChange, block: BlockSchema | None, after: Any
) -> list[list[str | int]]:
    """The paths forcing replacement; with an upstream replacement, the references whose id
    becomes unknown, which is what forces it in Terraform's terms."""
    paths = [list(p) for p in change.replace_paths]
    if change.reason is ActionReason.REPLACE_BECAUSE_UPSTREAM and block is not None:
        for attribute in block.inputs:
            value = after.get(attribute.name) if isinstance(after, Mapping) else None
            if (
                isinstance(attribute.type, ResourceRef)
                and attribute.forces_replacement
                and value is UNKNOWN
                and [attribute.name] not in paths
            ):
                paths.append([attribute.name])
    return paths


def _hidden(schemas: _Schemas, kind: str, value: Any, extra: set[Path]) -> set[Path]:
    """Where `value` holds something sensitive: marked, declared by the schema, or `extra`."""
    if value is None:
        return set()
    hidden = _marked_paths(value, ()) | extra
    block = schemas(kind)
    if block is not None and isinstance(value, Mapping):
        hidden |= _schema_paths(block, value, ())
    return hidden


def _schema_paths(block: BlockSchema, value: Mapping[str, Any], prefix: Path) -> set[Path]:
    paths = {(*prefix, a.name) for a in block.attributes if a.sensitive}
    for nested in block.blocks:
        items = _unwrapped(value.get(nested.name))
        if isinstance(items, list):
            for index, item in enumerate(items):
                item = _unwrapped(item)
                if isinstance(item, Mapping):
                    paths |= _schema_paths(nested.block, item, (*prefix, nested.name, index))
    return paths


# outputs, planned values, prior state ----------------------------------------------------


def _output_change(change: OutputChange) -> dict[str, Any]:
    """Terraform's output change; a sensitive output's values are left out entirely."""
    entry: dict[str, Any] = {"actions": change.action.json_actions}
    hidden: set[Path] = {()} if change.sensitive else set()
    before = None if change.before is None else _known(change.before, (), hidden)
    after = None
    if change.action is not Action.DELETE and change.after is not None:
        after = _known(change.after, (), hidden)
    if before is not _ABSENT:
        entry["before"] = before
    if after is not _ABSENT:
        entry["after"] = after
    entry["after_unknown"] = (
        _unknown_as_bool(change.after, (), hidden)
        if change.action is not Action.DELETE and contains_unknown(change.after)
        else False
    )
    entry["before_sensitive"] = change.sensitive
    entry["after_sensitive"] = change.sensitive
    return entry


def _planned_values(
    entries: list[dict[str, Any]], outputs: Mapping[str, OutputChange]
) -> dict[str, Any]:
    """The state as it will be after apply, as far as it is known now."""
    planned: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    for name, change in sorted(outputs.items()):
        if change.action is Action.DELETE:
            continue
        output: dict[str, Any] = {"sensitive": change.sensitive}
        if not change.sensitive and not contains_unknown(change.after):
            output["type"] = output_type(change.after)
            output["value"] = _known(change.after, (), set())
        shown[name] = output
    if shown:
        planned["outputs"] = shown
    resources = []
    for entry in entries:
        change = entry["change"]
        if change["after"] is None:
            continue
        resource = {k: v for k, v in entry.items() if k not in ("change", "action_reason")}
        resource["schema_version"] = 0
        resource["values"] = change["after"]
        resource["sensitive_values"] = change["after_sensitive"]
        resources.append(resource)
    planned["root_module"] = {"resources": resources}
    return planned


def _hide_in_state(
    prior: dict[str, Any],
    schemas: _Schemas,
    marked: Mapping[Address, set[Path]],
    outputs: Mapping[str, OutputChange],
) -> dict[str, Any]:
    """The prior state without what the configuration or the schema marks sensitive."""
    values = prior.get("values", {})
    for resource in values.get("root_module", {}).get("resources", []):
        address = Address.parse(resource["address"])
        recorded = _plain(resource["values"])
        hidden = _hidden(schemas, address.kind, recorded, marked.get(address, set()))
        resource["values"] = _known(recorded, (), hidden)
        sensitive = _sensitive_as_bool(recorded, (), hidden)
        resource["sensitive_values"] = dict(
            sorted({**sensitive, **resource["sensitive_values"]}.items())
        )
    for name, output in values.get("outputs", {}).items():
        change = outputs.get(name)
        if change is not None and change.sensitive:
            output["sensitive"] = True
            output.pop("value", None)
            output.pop("type", None)
    return prior


def _variables(result: ValidationResult) -> dict[str, Any]:
    """The root variables' values; a sensitive one is listed without its value."""
    shown: dict[str, Any] = {}
    for name, value in sorted(result.variables.items()):
        declared = result.config.variables.get(name)
        hidden: set[Path] = {()} if declared is not None and declared.sensitive else set()
        known = _known(value, (), hidden)
        shown[name] = {} if known is _ABSENT else {"value": known}
    return shown


# configuration ---------------------------------------------------------------------------


def _configuration(config: Configuration, schemas: _Schemas) -> dict[str, Any]:
    """The configuration's resources, outputs and variables, with each expression as a
    constant or as the references it makes; constants of sensitive values are left out."""
    kinds = sorted({r.kind for r in config.resources.values()})
    module: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for name, output in sorted(config.outputs.items()):
        shown: dict[str, Any] = {
            "expression": _expression(output.value, config, hide=output.sensitive),
            "sensitive": output.sensitive,
        }
        if output.description:
            shown["description"] = output.description
        if output.depends_on:
            shown["depends_on"] = [_traversal_text(t) for t in output.depends_on]
        outputs[name] = shown
    if outputs:
        module["outputs"] = outputs
    resources = []
    for address, resource in sorted(config.resources.items()):
        shown = {
            "address": address,
            "mode": "managed",
            "type": resource.kind,
            "name": resource.name,
            "provider_config_key": resource.kind,
            "expressions": _body_expressions(resource.body, schemas(resource.kind), config),
            "schema_version": 0,
        }
        if resource.count is not None:
            shown["count_expression"] = _expression(resource.count, config)
        if resource.for_each is not None:
            shown["for_each_expression"] = _expression(resource.for_each, config)
        if resource.depends_on:
            shown["depends_on"] = [_traversal_text(t) for t in resource.depends_on]
        resources.append(shown)
    module["resources"] = resources
    variables: dict[str, Any] = {}
    for name, variable in sorted(config.variables.items()):
        declared: dict[str, Any] = {}
        if variable.default is not None and not variable.sensitive:
            constant = _constant(variable.default, config)
            if constant is not _ABSENT:
                declared["default"] = constant
        if variable.description:
            declared["description"] = variable.description
        if variable.sensitive:
            declared["sensitive"] = True
        variables[name] = declared
    if variables:
        module["variables"] = variables
    return {
        "provider_config": {k: {"name": k, "full_name": f"mlform/{k}"} for k in kinds},
        "root_module": module,
    }


def _body_expressions(
    body: ast.Body, block: BlockSchema | None, config: Configuration
) -> dict[str, Any]:
    """A block's attributes as expressions, and its nested blocks as lists of those."""
    expressions: dict[str, Any] = {}
    for name, attribute in sorted(body.attributes.items()):
        declared = block.get_input(name) if block is not None else None
        hide = declared is not None and declared.sensitive
        expressions[name] = _expression(attribute.expression, config, hide=hide)
    for nested_block in body.blocks:
        nested = block.get_block(nested_block.type) if block is not None else None
        inner = _body_expressions(nested_block.body, nested.block if nested else None, config)
        expressions.setdefault(nested_block.type, []).append(inner)
    return dict(sorted(expressions.items()))


def _expression(expression: ast.Expression, config: Configuration, hide: bool = False) -> Any:
    """`{"references": [...]}` for an expression that refers to others, `{"constant_value":
    ...}` for one that is constant, `{}` otherwise (a function call) or when hidden."""
    references = _references(expression, config)
    if references:
        return {"references": references}
    if not hide:
        constant = _constant(expression, config)
        if constant is not _ABSENT:
            return {"constant_value": constant}
    return {}


def _constant(expression: ast.Expression, config: Configuration) -> Any:
    if _calls_functions(expression) or next(ast.traversals(expression), None) is not None:
        return _ABSENT
    try:
        value = evaluate(expression, Scope({}, config.directory))
    except EvaluationError:
        return _ABSENT
    return _known(value, (), set())


def _calls_functions(expression: ast.Expression) -> bool:
    return isinstance(expression, ast.FunctionCall) or any(
        _calls_functions(child) for child in ast.children(expression)
    )


def _references(expression: ast.Expression, config: Configuration) -> list[str]:
    """Each reference, then the shorter addresses it contains, as Terraform lists them:
    `model.churn["deep"].id` gives that, `model.churn["deep"]` and `model.churn`."""
    found: list[str] = []
    for traversal in ast.traversals(expression):
        steps = list(traversal.steps)
        parts = [traversal.root]
        subject = 1  # the parts naming what is referred to: `var.x`, `dataset.churn`
        if steps:
            parts.append("." + str(steps[0]))
            subject = 2
            resource = config.resources.get(f"{traversal.root}.{steps[0]}")
            repeated = resource is not None and (
                resource.count is not None or resource.for_each is not None
            )
            if traversal.root not in _SCOPES and repeated and len(steps) > 1:
                key = steps[1]
                parts.append(f"[{key}]" if isinstance(key, int) else f"[{_quoted(key)}]")
                subject = 3
            parts += [_step_text(step) for step in steps[subject - 1 :]]
        for length in range(len(parts), subject - 1, -1):
            found.append("".join(parts[:length]))
        if subject == 3:
            found.append("".join(parts[:2]))
    return list(dict.fromkeys(found))


def _traversal_text(traversal: ast.Traversal) -> str:
    return traversal.root + "".join(_step_text(step) for step in traversal.steps)


def _step_text(step: str | int) -> str:
    if isinstance(step, int):
        return f"[{step}]"
    return f".{step}" if _IDENTIFIER.match(step) else f"[{_quoted(step)}]"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# values ----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Nested blocks as lists of their attributes, whether they come as `BlockValue`s (from
    the configuration) or as `{"labels", "config"}` objects (from the state)."""
    if isinstance(value, Sensitive):
        return Sensitive(_plain(value.value))
    if isinstance(value, BlockValue):
        return _plain(dict(value.config))
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        if value and all(
            isinstance(item, Mapping) and set(item) == {"labels", "config"} for item in value
        ):
            return [_plain(item["config"]) for item in value]
        return [_plain(item) for item in value]
    return value


def _unwrapped(value: Any) -> Any:
    return value.value if isinstance(value, Sensitive) else value


def _is_hidden(path: Path, hidden: set[Path]) -> bool:
    return any(path[: len(prefix)] == prefix for prefix in hidden)


def _marked_paths(value: Any, path: Path) -> set[Path]:
    if isinstance(value, Sensitive):
        return {path}
    return {found for key, item in _items(value) for found in _marked_paths(item, (*path, key))}


def _items(value: Any) -> Iterable[tuple[str | int, Any]]:
    if isinstance(value, Mapping):
        return ((str(key), value[key]) for key in sorted(value, key=str))
    if isinstance(value, list | tuple):
        return enumerate(value)
    return ()


def _known(value: Any, path: Path, hidden: set[Path]) -> Any:
    """The value without what is unknown or sensitive: left out of objects, null in lists
    (so the other elements keep their index, as in Terraform)."""
    if value is UNKNOWN or isinstance(value, Sensitive) or _is_hidden(path, hidden):
        return _ABSENT
    if isinstance(value, Mapping):
        kept = ((key, _known(item, (*path, key), hidden)) for key, item in _items(value))
        return {key: item for key, item in kept if item is not _ABSENT}
    if isinstance(value, list | tuple):
        known = (_known(item, (*path, index), hidden) for index, item in _items(value))
        return [None if item is _ABSENT else item for item in known]
    return value


def _unknown_as_bool(value: Any, path: Path, hidden: set[Path]) -> Any:
    """`true` where unknown, objects without their known attributes, lists element by
    element; a sensitive value is one boolean, so its shape never shows."""
    if isinstance(value, Sensitive) or _is_hidden(path, hidden):
        return contains_unknown(value)
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        flags = ((key, _unknown_as_bool(item, (*path, key), hidden)) for key, item in _items(value))
        return {key: flag for key, flag in flags if flag is not False}
    if isinstance(value, list | tuple):
        return [_unknown_as_bool(item, (*path, index), hidden) for index, item in _items(value)]
    return False


def _sensitive_as_bool(value: Any, path: Path, hidden: set[Path]) -> Any:
    """`true` where sensitive, objects without their other attributes, lists element by
    element: Terraform's `before_sensitive`/`after_sensitive`."""
    if isinstance(value, Sensitive) or _is_hidden(path, hidden):
        return True
    if isinstance(value, Mapping):
        flags = (
            (key, _sensitive_as_bool(item, (*path, key), hidden)) for key, item in _items(value)
        )
        return {key: flag for key, flag in flags if flag is not False}
    if isinstance(value, list | tuple):
        return [_sensitive_as_bool(item, (*path, index), hidden) for index, item in _items(value)]
    return False
