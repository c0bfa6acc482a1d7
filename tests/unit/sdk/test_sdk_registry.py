"""The provider registry: lazy loading, did-you-mean, and the errors of a provider that
will not load."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from mlform.errors import MlformError
from mlform.sdk import (
    ENTRY_POINT_GROUP,
    BlockSchema,
    MissingDependencyError,
    Provider,
    ProviderLoadError,
    ProviderRegistry,
    ResourceSchema,
    UnknownKindError,
    default_registry,
    import_optional,
)

BUILT_IN = ["dataset", "endpoint", "evaluation", "model", "split"]
MakeModule = Callable[[str, str], str]

PROVIDER_SOURCE = """
from mlform.sdk import BlockSchema, Provider, ResourceSchema

LOADS = globals().get("LOADS", 0) + 1

class WidgetProvider(Provider):
    schema = ResourceSchema("widget", BlockSchema(), description="A widget.")

provider = WidgetProvider()
not_a_provider = 42
"""


@pytest.fixture
def make_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeModule]:
    """Writes a module under a fresh name on sys.path; returns the module's name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    created: list[str] = []

    def make(stem: str, source: str) -> str:
        name = f"{stem}_{tmp_path.name.replace('-', '_')}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        created.append(name)
        return name

    yield make
    for name in created:
        sys.modules.pop(name, None)


def point(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def widget() -> Provider:
    class WidgetProvider(Provider):
        schema = ResourceSchema("widget", BlockSchema(), description="A widget.")

    return WidgetProvider()


# --- the installed providers -------------------------------------------------------------


def test_installed_kinds_come_from_entry_points() -> None:
    assert default_registry().kinds() == BUILT_IN
    assert default_registry() is default_registry()


@pytest.mark.parametrize("kind", BUILT_IN)
def test_installed_providers_load(kind: str) -> None:
    provider = default_registry().get(kind)
    assert isinstance(provider, Provider)
    assert provider.kind == kind
    assert default_registry().get(kind) is provider


def test_listing_kinds_imports_no_provider() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        from mlform.sdk import default_registry
        registry = default_registry()
        assert registry.kinds() == {BUILT_IN!r}
        assert "model" in registry
        assert not [m for m in sys.modules if m == "providers" or m.startswith("providers.")]
        registry.get("model")
        assert "providers.model" in sys.modules and "providers.dataset" not in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_kind_suggests_the_closest() -> None:
    with pytest.raises(UnknownKindError) as raised:
        default_registry().get("modle")
    assert str(raised.value) == (
        'no provider for resource kind "modle"; did you mean "model"? '
        "Installed kinds: dataset, endpoint, evaluation, model, split."
    )
    assert isinstance(raised.value, MlformError)
    assert raised.value.kind == "modle" and raised.value.installed == BUILT_IN


def test_unknown_kind_without_a_close_one() -> None:
    with pytest.raises(UnknownKindError) as raised:
        default_registry().get("spaceship")
    assert str(raised.value) == (
        'no provider for resource kind "spaceship". '
        "Installed kinds: dataset, endpoint, evaluation, model, split."
    )


def test_no_provider_installed() -> None:
    with pytest.raises(UnknownKindError, match="no provider is installed"):
        ProviderRegistry.from_mapping({}).get("model")


# --- lazy loading and caching ------------------------------------------------------------


def test_reference_is_imported_on_first_use_only(make_module: MakeModule) -> None:
    module = make_module("lazy_widget", PROVIDER_SOURCE)
    registry = ProviderRegistry.from_mapping({"widget": f"{module}:provider"})
    assert registry.kinds() == ["widget"]
    assert module not in sys.modules
    provider = registry.get("widget")
    assert module in sys.modules
    assert registry.get("widget") is provider
    assert sys.modules[module].LOADS == 1


def test_entry_points_are_imported_on_first_use_only(make_module: MakeModule) -> None:
    module = make_module("lazy_point", PROVIDER_SOURCE)
    registry = ProviderRegistry.from_entry_points([point("widget", f"{module}:provider")])
    assert registry.kinds() == ["widget"]
    assert module not in sys.modules
    assert registry.get("widget").kind == "widget"


def test_mapping_accepts_instances_and_factories() -> None:
    instance = widget()
    registry = ProviderRegistry.from_mapping({"widget": instance, "gadget": widget})
    assert registry.get("widget") is instance
    with pytest.raises(ProviderLoadError, match='serves resource kind "widget", not "gadget"'):
        registry.get("gadget")


def test_concurrent_gets_load_once() -> None:
    calls: list[int] = []
    lock = threading.Lock()

    def factory() -> Provider:
        with lock:
            calls.append(1)
        return widget()

    registry = ProviderRegistry.from_mapping({"widget": factory})
    with ThreadPoolExecutor(8) as pool:
        providers = list(pool.map(lambda _: registry.get("widget"), range(32)))
    assert len(calls) == 1
    assert all(p is providers[0] for p in providers)


def test_a_provider_without_schema() -> None:
    registry = ProviderRegistry.from_mapping({"widget": Provider()})
    with pytest.raises(ProviderLoadError, match="has no schema"):
        registry.get("widget")


def test_a_provider_class_is_instantiated(make_module: MakeModule) -> None:
    module = make_module("class_widget", PROVIDER_SOURCE)
    registry = ProviderRegistry.from_entry_points([point("widget", f"{module}:WidgetProvider")])
    assert registry.get("widget").kind == "widget"


# --- providers that will not load --------------------------------------------------------


def test_entry_point_to_a_missing_module() -> None:
    registry = ProviderRegistry.from_entry_points([point("widget", "no_such_module_xyz:provider")])
    with pytest.raises(ProviderLoadError) as raised:
        registry.get("widget")
    assert not isinstance(raised.value, MissingDependencyError)
    message = str(raised.value)
    assert 'module "no_such_module_xyz" does not exist' in message
    assert "widget = no_such_module_xyz:provider" in message
    assert "reinstall" in message


def test_entry_point_to_a_missing_attribute(make_module: MakeModule) -> None:
    module = make_module("attribute_widget", PROVIDER_SOURCE)
    registry = ProviderRegistry.from_entry_points([point("widget", f"{module}:nothing")])
    with pytest.raises(ProviderLoadError, match="AttributeError"):
        registry.get("widget")


def test_entry_point_to_something_else(make_module: MakeModule) -> None:
    module = make_module("int_widget", PROVIDER_SOURCE)
    registry = ProviderRegistry.from_entry_points([point("widget", f"{module}:not_a_provider")])
    with pytest.raises(
        ProviderLoadError, match="gives an object of type int, not an mlform.sdk.Provider"
    ):
        registry.get("widget")


def test_entry_point_name_must_match_the_kind(make_module: MakeModule) -> None:
    module = make_module("misnamed_widget", PROVIDER_SOURCE)
    registry = ProviderRegistry.from_entry_points([point("gizmo", f"{module}:provider")])
    with pytest.raises(ProviderLoadError, match='serves resource kind "widget", not "gizmo"'):
        registry.get("gizmo")


def test_missing_dependency_names_the_package(make_module: MakeModule) -> None:
    module = make_module("needy_widget", "import some_missing_package_xyz\n" + PROVIDER_SOURCE)
    registry = ProviderRegistry.from_entry_points([point("widget", f"{module}:provider")])
    with pytest.raises(MissingDependencyError) as raised:
        registry.get("widget")
    assert raised.value.package == "some_missing_package_xyz"
    assert str(raised.value).startswith('the provider for resource kind "widget"')
    assert 'needs the Python package "some_missing_package_xyz", which is not installed' in str(
        raised.value
    )
    assert str(raised.value).endswith("install it with: pip install some_missing_package_xyz")
    assert isinstance(raised.value, MlformError)


def test_missing_dependency_uses_the_package_name(make_module: MakeModule) -> None:
    source = "raise ModuleNotFoundError(\"No module named 'sklearn'\", name='sklearn.datasets')\n"
    module = make_module("sklearn_widget", source)
    registry = ProviderRegistry.from_mapping({"widget": f"{module}:provider"})
    with pytest.raises(MissingDependencyError, match="pip install scikit-learn"):
        registry.get("widget")


def test_import_error_that_is_not_a_missing_package(make_module: MakeModule) -> None:
    module = make_module("stale_widget", "from mlform.sdk import NoSuchName\n")
    registry = ProviderRegistry.from_mapping({"widget": f"{module}:provider"})
    with pytest.raises(ProviderLoadError, match="cannot import name 'NoSuchName'") as raised:
        registry.get("widget")
    assert not isinstance(raised.value, MissingDependencyError)


def test_a_crash_on_import_is_a_provider_bug(make_module: MakeModule) -> None:
    module = make_module("crashing_widget", "1 / 0\n")
    registry = ProviderRegistry.from_mapping({"widget": f"{module}:provider"})
    with pytest.raises(ProviderLoadError, match="ZeroDivisionError.*bug in the provider"):
        registry.get("widget")


def test_two_packages_providing_one_kind(make_module: MakeModule) -> None:
    module = make_module("twin_widget", PROVIDER_SOURCE)
    registry = ProviderRegistry.from_entry_points(
        [
            point("widget", f"{module}:provider"),
            point("widget", f"{module}:provider"),  # the same one twice is harmless
            point("gadget", f"{module}:provider"),
            point("gadget", f"{module}:WidgetProvider"),
        ]
    )
    assert registry.kinds() == ["gadget", "widget"]
    assert registry.get("widget").kind == "widget"
    with pytest.raises(
        ProviderLoadError, match='two installed packages provide resource kind "gadget"'
    ):
        registry.get("gadget")


# --- optional imports inside providers ---------------------------------------------------


def test_import_optional_returns_the_module() -> None:
    assert import_optional("json", "reading JSON").dumps([]) == "[]"


def test_import_optional_names_the_package() -> None:
    with pytest.raises(MissingDependencyError) as raised:
        import_optional("no_such_parquet_lib", "reading Parquet", package="no-such-parquet")
    assert str(raised.value) == (
        'reading Parquet needs the Python package "no-such-parquet", which is not installed; '
        "install it with: pip install no-such-parquet"
    )


def test_import_optional_names_a_missing_dependency_of_the_module(make_module: MakeModule) -> None:
    module = make_module("half_installed", "import yaml_missing_dependency_xyz\n")
    with pytest.raises(MissingDependencyError, match="pip install yaml_missing_dependency_xyz"):
        import_optional(module, "training", package="something-else")
