"""`mlform state list | show ADDR | rm ADDR`: the recorded instances of a workspace."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlform.addresses import Address
from mlform.errors import MlformError
from mlform.urls import masked


def run(args: argparse.Namespace, directory: Path) -> int:
    from mlform.engine.workspace import StateOptions, open_workspace
    from mlform.sdk import default_registry

    registry = default_registry()
    options = StateOptions(args.state, args.workspace, dict(os.environ))
    with open_workspace(directory, options) as ws:
        home, snapshot = ws.home, ws.snapshot()
    if args.state_command == "list":
        for address in sorted(snapshot.addresses(), key=str):
            sys.stdout.write(f"{address}\n")
        return 0
    address = Address.parse(args.address)
    instance = snapshot.instance(address)
    if instance is None:
        raise MlformError(
            f"{address} is not in the state of workspace {snapshot.workspace_key} ({masked(home)}); "
            "`mlform state list` shows what is"
        )
    if args.state_command == "show":
        _show(registry, instance)
        return 0
    return _remove(args, home, snapshot.workspace_key, address)


def _show(registry: object, instance: object) -> None:
    from mlform.plans.planner import shown_inputs
    from mlform.sdk import ProviderRegistry
    from mlform.state.objects import ResourceInstance
    from mlform.views.state import assignments, sensitive_names

    assert isinstance(registry, ProviderRegistry) and isinstance(instance, ResourceInstance)
    sensitive = sensitive_names(registry, instance.address.kind)
    values = {**shown_inputs(registry, instance), **instance.outputs}
    if instance.id is not None:
        values["id"] = instance.id
    sys.stdout.write("".join(line + "\n" for line in assignments(values, sensitive)))


def _remove(args: argparse.Namespace, home: object, key: str, address: Address) -> int:
    from mlform.state.home import StateHome
    from mlform.state.locking import holding, parse_duration
    from mlform.state.store import StateStore

    assert isinstance(home, StateHome)
    store = StateStore.open(home.database)
    try:
        with holding(store, key, "state rm", parse_duration(args.lock_timeout)):
            store.remove_instance(key, address)
    finally:
        store.close()
    sys.stdout.write(f"Removed {address}\nSuccessfully removed 1 resource instance(s).\n")
    return 0
