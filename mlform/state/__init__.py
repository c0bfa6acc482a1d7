"""The state: what mlform last applied, per workspace, and the records around it.

A state home (`home`) holds one database with, per workspace, a lineage, a serial, and the
resource instances and root outputs last applied (`objects`, stored through `models` and
`migrations`), plus what outlives them: the artifacts stored, finished builds for the build
cache, the history of runs and metrics, the workspace locks and the stat cache of source
fingerprints. `StateStore` is the one way in: plans read a `StateSnapshot` and never wait;
apply records each instance the moment it completes, under the workspace lock (`locking`),
in a short transaction that a killed process cannot leave half-done.
"""

from mlform.state.errors import NotAStateDatabaseError, SchemaVersionError, StateError
from mlform.state.home import (
    DEFAULT_WORKSPACE,
    StateHome,
    find_git_root,
    resolve_state_home,
    split_workspace_key,
    workspace_key,
)
from mlform.state.locking import (
    AcquiredLock,
    Locker,
    LockInfo,
    LockNotFoundError,
    StateLockedError,
    acquire,
    holding,
    parse_duration,
)
from mlform.state.migrations import SCHEMA_VERSION
from mlform.state.objects import (
    ArtifactRecord,
    ArtifactReference,
    Build,
    MetricPoint,
    ObjectStatus,
    ResourceInstance,
    RootOutput,
    Run,
    RunOperation,
    RunStatus,
    StateSnapshot,
    Workspace,
)
from mlform.state.store import StateStore

__all__ = [
    "DEFAULT_WORKSPACE",
    "SCHEMA_VERSION",
    "AcquiredLock",
    "ArtifactRecord",
    "ArtifactReference",
    "Build",
    "LockInfo",
    "LockNotFoundError",
    "Locker",
    "MetricPoint",
    "NotAStateDatabaseError",
    "ObjectStatus",
    "ResourceInstance",
    "RootOutput",
    "Run",
    "RunOperation",
    "RunStatus",
    "SchemaVersionError",
    "StateError",
    "StateHome",
    "StateLockedError",
    "StateSnapshot",
    "StateStore",
    "Workspace",
    "acquire",
    "find_git_root",
    "holding",
    "parse_duration",
    "resolve_state_home",
    "split_workspace_key",
    "workspace_key",
]
