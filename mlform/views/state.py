"""The recorded state as `mlform show` prints it: text like `terraform show`, or Terraform's
JSON state format (`show --json`), sensitive values left out of both."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from mlform.addresses import Address
from mlform.language.values import render
from mlform.sdk import ProviderRegistry
from mlform.state.objects import ResourceInstance, StateSnapshot

Line = tuple[str, str | None]

FORMAT_VERSION = "1.0"


def sensitive_names(registry: ProviderRegistry, kind: str) -> set[str]:
    """The attributes (inputs and outputs) a kind's schema marks sensitive, to be shown as
    `(sensitive value)`; none when the kind is not installed."""
    if kind not in registry:
        return set()
    return {a.name for a in registry.get(kind).schema.block.attributes if a.sensitive}


def _values(instance: ResourceInstance) -> dict[str, Any]:
    values = {**_plain_blocks(instance.inputs), **instance.outputs}
    if instance.id is not None:
        values["id"] = instance.id
    return {name: value for name, value in values.items() if value is not None}


def _plain_blocks(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Nested blocks as the configuration writes them: a list of their attributes."""
    shown: dict[str, Any] = {}
    for name, value in inputs.items():
        if (
            isinstance(value, list)
            and value
            and all(isinstance(item, dict) and set(item) == {"labels", "config"} for item in value)
        ):
            shown[name] = [item["config"] for item in value]
        elif value != []:
            shown[name] = value
    return shown


def state_lines(snapshot: StateSnapshot, registry: ProviderRegistry) -> list[Line]:
    if snapshot.empty and not snapshot.outputs:
        return [("No state.", None)]
    lines: list[Line] = []
    for instance in snapshot.instances:
        address = instance.address
        tainted = " (tainted)" if instance.tainted else ""
        lines.append((f"# {address}:{tainted}", "bold"))
        lines.append((f'resource "{address.kind}" "{address.name}" {{', None))
        hidden = sensitive_names(registry, address.kind)
        lines += [(text, None) for text in assignments(_values(instance), hidden, indent="    ")]
        lines += [("}", None), ("", None)]
    if snapshot.outputs:
        lines += [("Outputs:", "bold"), ("", None)]
        values = {name: recorded.value for name, recorded in snapshot.outputs.items()}
        hidden = {name for name, recorded in snapshot.outputs.items() if recorded.sensitive}
        lines += [(text, None) for text in assignments(values, hidden)]
    while lines and lines[-1] == ("", None):
        lines.pop()
    return lines


def assignments(
    values: Mapping[str, Any],
    hidden: Collection[str] = (),
    *,
    marker: str = "(sensitive value)",
    indent: str = "",
) -> list[str]:
    """`name = value` lines, names sorted and padded so that the `=` signs align, as
    Terraform prints attributes and outputs; a hidden name shows `marker` instead."""
    width = max((len(name) for name in values), default=0)
    return [
        f"{indent}{name.ljust(width)} = {marker if name in hidden else render(values[name])}"
        for name in sorted(values)
    ]


def state_json(snapshot: StateSnapshot, registry: ProviderRegistry, version: str) -> dict[str, Any]:
    """Terraform's JSON state representation (`terraform show -json`)."""
    document: dict[str, Any] = {"format_version": FORMAT_VERSION, "mlform_version": version}
    if snapshot.empty and not snapshot.outputs:
        return document
    resources = []
    for instance in snapshot.instances:
        address = instance.address
        hidden = sensitive_names(registry, address.kind)
        values = _values(instance)
        resource = resource_header(address)
        resource.update(
            {
                "schema_version": 0,
                "values": {k: v for k, v in values.items() if k not in hidden},
                "sensitive_values": {k: True for k in values if k in hidden},
            }
        )
        if instance.tainted:
            resource["tainted"] = True
        if instance.dependencies:
            resource["depends_on"] = [str(a) for a in instance.dependencies]
        resources.append(resource)
    outputs = {
        name: {"sensitive": recorded.sensitive, "type": output_type(recorded.value)}
        | ({} if recorded.sensitive else {"value": recorded.value})
        for name, recorded in sorted(snapshot.outputs.items())
    }
    module: dict[str, Any] = {}
    if outputs:
        module["outputs"] = outputs
    module["root_module"] = {"resources": resources}
    document["values"] = module
    return document


def resource_header(address: Address) -> dict[str, Any]:
    """What identifies an instance in Terraform's JSON formats, state and plan alike."""
    header: dict[str, Any] = {
        "address": str(address),
        "mode": "managed",
        "type": address.kind,
        "name": address.name,
    }
    if address.key is not None:
        header["index"] = address.key
    header["provider_name"] = f"mlform/{address.kind}"
    return header


def output_type(value: Any) -> Any:
    """A value's type in Terraform's JSON type notation (`"string"`, `["object", {...}]`)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return ["tuple", [output_type(item) for item in value]]
    if isinstance(value, dict):
        return ["object", {key: output_type(item) for key, item in value.items()}]
    return "dynamic"
