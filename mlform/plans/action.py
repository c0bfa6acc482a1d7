"""The actions a plan can take on a resource instance, and the reasons it gives for them."""

from __future__ import annotations

import enum


class Action(enum.Enum):
    """What apply does to one instance; the values are Terraform's internal names."""

    NO_OP = "no-op"
    CREATE = "create"
    UPDATE = "update"
    DELETE_THEN_CREATE = "delete-then-create"
    CREATE_THEN_DELETE = "create-then-delete"
    DELETE = "delete"

    @property
    def symbol(self) -> str:
        """The mark plans print before the instance: `+`, `~`, `-/+`, `+/-`, `-`."""
        return _SYMBOLS[self]

    @property
    def is_replace(self) -> bool:
        return self in (Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE)

    @property
    def json_actions(self) -> list[str]:
        """The `actions` list of Terraform's JSON plan format: `["delete", "create"]`."""
        return list(_JSON_ACTIONS[self])


_SYMBOLS = {
    Action.NO_OP: " ",
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE_THEN_CREATE: "-/+",
    Action.CREATE_THEN_DELETE: "+/-",
    Action.DELETE: "-",
}

_JSON_ACTIONS: dict[Action, tuple[str, ...]] = {
    Action.NO_OP: ("no-op",),
    Action.CREATE: ("create",),
    Action.UPDATE: ("update",),
    Action.DELETE_THEN_CREATE: ("delete", "create"),
    Action.CREATE_THEN_DELETE: ("create", "delete"),
    Action.DELETE: ("delete",),
}


class ActionReason(enum.Enum):
    """Why a plan replaces or deletes an instance; the values are the JSON plan spellings.

    The first seven are Terraform's own; `REPLACE_BECAUSE_UPSTREAM` (an upstream resource
    will be replaced, so its id changes) and `DRIFT` (a source changed outside mlform) are
    mlform's, spelled the same way.
    """

    NONE = "none"
    REPLACE_BECAUSE_TAINTED = "replace_because_tainted"
    REPLACE_BY_REQUEST = "replace_by_request"
    REPLACE_BECAUSE_CANNOT_UPDATE = "replace_because_cannot_update"
    REPLACE_BECAUSE_UPSTREAM = "replace_because_upstream"
    REPLACE_BY_TRIGGERS = "replace_by_triggers"
    DRIFT = "drift"
    DELETE_BECAUSE_NO_RESOURCE_CONFIG = "delete_because_no_resource_config"
    DELETE_BECAUSE_EACH_KEY = "delete_because_each_key"
    DELETE_BECAUSE_COUNT_INDEX = "delete_because_count_index"

    @property
    def json_name(self) -> str | None:
        """The `action_reason` of Terraform's JSON plan format; None (omitted) for NONE."""
        return None if self is ActionReason.NONE else self.value
