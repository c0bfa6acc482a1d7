"""Finding providers: the `mlform.providers` entry-point group, read lazily.

Listing kinds reads installed package metadata only; a provider's module is imported the
first time its kind is used, and kept. The built-in providers are found the same way as
third-party ones, so the core never imports `providers` by name.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from mlform.sdk.errors import MissingDependencyError, ProviderLoadError, UnknownKindError
from mlform.sdk.imports import is_missing, package_for_module
from mlform.sdk.provider import Provider
from mlform.sdk.schema import ResourceSchema

ENTRY_POINT_GROUP = "mlform.providers"


@dataclass(frozen=True)
class ProviderSource:
    """Where a kind's provider comes from, and how to load it."""

    origin: str  # for messages: 'entry point "model = providers.model:provider"'
    # The module that loading imports: tells a broken entry point from a missing dependency.
    module: str | None
    load: Callable[[], object]


class ProviderRegistry:
    """Resource kind -> provider, loading each provider on first use.

    Safe to share between the threads of a parallel apply.
    """

    def __init__(
        self, sources: Mapping[str, ProviderSource], conflicts: Mapping[str, str] | None = None
    ):
        self._sources = dict(sources)
        self._conflicts = dict(conflicts or {})
        self._loaded: dict[str, Provider] = {}
        self._lock = threading.RLock()

    @classmethod
    def from_entry_points(
        cls, points: Iterable[EntryPoint] | None = None, group: str = ENTRY_POINT_GROUP
    ) -> ProviderRegistry:
        """The providers registered in `group` by installed packages (or the given points)."""
        if points is None:
            points = entry_points(group=group)
        sources: dict[str, ProviderSource] = {}
        values: dict[str, str] = {}
        conflicts: dict[str, str] = {}
        for point in points:
            origin = f'entry point "{point.name} = {point.value}"'
            if point.dist is not None:
                origin += f' of package "{point.dist.name}"'
            if point.name in values and values[point.name] != point.value:
                conflicts[point.name] = (
                    f'two installed packages provide resource kind "{point.name}": '
                    f"{sources[point.name].origin} and {origin}; uninstall one of them"
                )
                continue
            values[point.name] = point.value
            sources[point.name] = ProviderSource(origin, point.module, point.load)
        return cls(sources, conflicts)

    @classmethod
    def from_mapping(
        cls, providers: Mapping[str, Provider | str | Callable[[], object]]
    ) -> ProviderRegistry:
        """A registry from explicit providers, for tests and embedding.

        A value is a `Provider`, a `"module:attribute"` reference (imported lazily, like an
        entry point) or a callable returning the provider.
        """
        sources: dict[str, ProviderSource] = {}
        for kind, value in providers.items():
            if isinstance(value, Provider):
                sources[kind] = ProviderSource(f"{value!r}", None, _constant(value))
            elif isinstance(value, str):
                module, _, attribute = value.partition(":")
                sources[kind] = ProviderSource(f'"{value}"', module, _reference(module, attribute))
            else:
                sources[kind] = ProviderSource(f"{value!r}", None, value)
        return cls(sources)

    def kinds(self) -> list[str]:
        """The installed resource kinds, sorted; nothing is imported."""
        return sorted(self._sources)

    def __contains__(self, kind: object) -> bool:
        return kind in self._sources

    def get(self, kind: str) -> Provider:
        """The provider of `kind`, imported on first use.

        Raises `UnknownKindError` (with a suggestion) for a kind nobody provides,
        `MissingDependencyError` when the provider needs a package that is not installed,
        and `ProviderLoadError` for anything else that stops it from loading.
        """
        with self._lock:
            provider = self._loaded.get(kind)
            if provider is None:
                provider = self._load(kind)
                self._loaded[kind] = provider
            return provider

    def _load(self, kind: str) -> Provider:
        source = self._sources.get(kind)
        if source is None:
            raise UnknownKindError(kind, self.kinds())
        if kind in self._conflicts:
            raise ProviderLoadError(self._conflicts[kind])
        needed_by = f'the provider for resource kind "{kind}" ({source.origin})'
        try:
            loaded = source.load()
            if isinstance(loaded, type) and issubclass(loaded, Provider):
                loaded = loaded()
        except ImportError as error:
            if source.module and is_missing(error, source.module):
                raise ProviderLoadError(
                    f'{needed_by} cannot be loaded: module "{error.name}" does not exist. '
                    "The entry point is broken: reinstall the package that declares it, "
                    "or report it to its maintainers."
                ) from error
            if isinstance(error, ModuleNotFoundError) and error.name:
                raise MissingDependencyError(package_for_module(error.name), needed_by) from error
            raise ProviderLoadError(f"{needed_by} cannot be loaded: {error}") from error
        except Exception as error:
            raise ProviderLoadError(
                f"{needed_by} cannot be loaded: {type(error).__name__}: {error}. "
                "This is a bug in the provider; report it to its maintainers."
            ) from error
        if not isinstance(loaded, Provider):
            raise ProviderLoadError(
                f"{needed_by} gives an object of type {type(loaded).__name__}, not an "
                "mlform.sdk.Provider; the entry point must name a Provider instance."
            )
        if not isinstance(getattr(loaded, "schema", None), ResourceSchema):
            raise ProviderLoadError(
                f"{needed_by} has no schema; a provider must set `schema` to a ResourceSchema."
            )
        if loaded.kind != kind:
            raise ProviderLoadError(
                f'{needed_by} serves resource kind "{loaded.kind}", not "{kind}"; '
                "the entry point's name must be the kind its provider serves."
            )
        return loaded


@cache
def default_registry() -> ProviderRegistry:
    """The registry of the installed providers, read once per process."""
    return ProviderRegistry.from_entry_points()


def _constant(provider: Provider) -> Callable[[], object]:
    return lambda: provider


def _reference(module: str, attribute: str) -> Callable[[], object]:
    def load() -> object:
        target: object = importlib.import_module(module)
        for part in filter(None, attribute.split(".")):
            target = getattr(target, part)
        return target

    return load
