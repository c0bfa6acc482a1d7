"""Errors of the state store. Lock errors live with the lock (`mlform.state.locking`)."""

from __future__ import annotations

from mlform.errors import MlformError


class StateError(MlformError):
    """The state database cannot be used as it is."""


class SchemaVersionError(StateError):
    """The database was written by a newer mlform than this one."""

    def __init__(self, where: str, found: int, supported: int, written_by: str | None):
        self.found = found
        self.supported = supported
        by = f" (written by mlform {written_by})" if written_by else ""
        super().__init__(
            f"the state database {where} has schema version {found}{by}, but this mlform "
            f"reads schema version {supported} at most; upgrade mlform "
            "(pip install --upgrade mlform) to use this state"
        )


class NotAStateDatabaseError(StateError):
    """The database holds tables, but not mlform's."""

    def __init__(self, where: str):
        super().__init__(
            f"{where} is a database, but not an mlform state (it has no schema_version table); "
            "point --state or MLFORM_STATE at an mlform state home, or at an empty directory"
        )
