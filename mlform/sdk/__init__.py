"""The provider SDK: everything a provider author imports, and nothing else.

A provider serves one resource kind. It declares a `ResourceSchema` (attributes with their
types, which are required, computed or sensitive, and which force replacement) and answers
one request per verb (`validate`, `read`, `plan`, `apply`, `delete`) with one response,
reporting problems as `ProviderDiagnostic`s that point at an attribute path. Providers are
registered in the `mlform.providers` entry-point group and loaded lazily by
`ProviderRegistry`; built-in and third-party providers are found the same way.
"""

from mlform.sdk.artifacts import Artifact, ArtifactStore, Fingerprinter
from mlform.sdk.config import (
    BlockValue,
    blocks_of,
    is_known,
    is_set,
    is_whole_number,
    number_of,
    value_of,
)
from mlform.sdk.errors import (
    MissingDependencyError,
    ProviderError,
    ProviderLoadError,
    UnknownKindError,
)
from mlform.sdk.imports import import_optional
from mlform.sdk.provider import (
    ApplyRequest,
    ApplyResponse,
    DeleteRequest,
    DeleteResponse,
    PlanRequest,
    PlanResponse,
    Provider,
    ProviderDiagnostic,
    ReadRequest,
    ReadResponse,
    ValidateRequest,
    ValidateResponse,
    Values,
    has_errors,
)
from mlform.sdk.registry import ENTRY_POINT_GROUP, ProviderRegistry, default_registry
from mlform.sdk.schema import (
    DESCRIPTION_ATTRIBUTE,
    ID_ATTRIBUTE,
    TAGS_ATTRIBUTE,
    Attribute,
    AttributePath,
    BlockSchema,
    NestedBlock,
    Nesting,
    ResourceRef,
    ResourceSchema,
)
from mlform.sdk.wording import did_you_mean, quoted_choices

__all__ = [
    "DESCRIPTION_ATTRIBUTE",
    "ENTRY_POINT_GROUP",
    "ID_ATTRIBUTE",
    "TAGS_ATTRIBUTE",
    "ApplyRequest",
    "ApplyResponse",
    "Artifact",
    "ArtifactStore",
    "Attribute",
    "AttributePath",
    "BlockSchema",
    "BlockValue",
    "DeleteRequest",
    "DeleteResponse",
    "Fingerprinter",
    "MissingDependencyError",
    "NestedBlock",
    "Nesting",
    "PlanRequest",
    "PlanResponse",
    "Provider",
    "ProviderDiagnostic",
    "ProviderError",
    "ProviderLoadError",
    "ProviderRegistry",
    "ReadRequest",
    "ReadResponse",
    "ResourceRef",
    "ResourceSchema",
    "UnknownKindError",
    "ValidateRequest",
    "ValidateResponse",
    "Values",
    "blocks_of",
    "default_registry",
    "did_you_mean",
    "has_errors",
    "import_optional",
    "is_known",
    "is_set",
    "is_whole_number",
    "number_of",
    "quoted_choices",
    "value_of",
]
