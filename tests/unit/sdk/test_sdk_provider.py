"""The provider base class and the protocol's messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlform.diagnostics import Severity
from mlform.language.values import is_unknown
from mlform.sdk import (
    ApplyRequest,
    BlockSchema,
    DeleteRequest,
    PlanRequest,
    Provider,
    ProviderDiagnostic,
    ReadRequest,
    ResourceSchema,
    ValidateRequest,
    has_errors,
)


class Store:
    def exists(self, digest: str) -> bool:
        return False

    def local_path(self, digest: str) -> Path:
        raise FileNotFoundError(digest)


class WidgetProvider(Provider):
    schema = ResourceSchema("widget", BlockSchema(), description="A widget.")
    version = "1.2.3"


def test_kind_comes_from_the_schema() -> None:
    provider = WidgetProvider()
    assert provider.kind == "widget"
    assert repr(provider) == "<WidgetProvider kind='widget' version='1.2.3'>"


def test_the_base_validate_accepts_anything() -> None:
    assert WidgetProvider().validate(ValidateRequest("widget.a", {"x": 1})).diagnostics == []


@pytest.mark.parametrize(
    ("verb", "call"),
    [
        ("apply", lambda p: p.apply(ApplyRequest("widget.a", {}, None, Path("/tmp"), Store()))),
        ("delete", lambda p: p.delete(DeleteRequest("widget.a", {}, {"id": "ab"}))),
    ],
)
def test_other_verbs_are_not_supported_yet(verb: str, call: object) -> None:
    response = call(WidgetProvider())  # type: ignore[operator]
    [diagnostic] = response.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert (
        f'the "widget" provider (version 1.2.3) does not support "{verb}" yet' in diagnostic.message
    )
    assert "not of your configuration" in diagnostic.message
    assert diagnostic.path == ()


def test_the_base_plan_knows_nothing_before_apply_and_never_caches() -> None:
    response = WidgetProvider().plan(PlanRequest("widget.a", None, None, {}))
    assert response.diagnostics == [] and response.build_inputs is None
    assert all(is_unknown(v) for v in response.planned_outputs.values())
    assert set(response.planned_outputs) == {"id"}


def test_the_base_read_keeps_the_recorded_outputs() -> None:
    """Reading is optional: the core checks stored artifacts itself, so a provider with
    nothing outside the store to look at reports no drift."""
    response = WidgetProvider().read(ReadRequest("widget.a", {}, {"id": "ab"}, verify=True))
    assert response.outputs == {"id": "ab"}
    assert response.drift is None and response.gone is False
    assert response.diagnostics == []


def test_diagnostics() -> None:
    error = ProviderDiagnostic.error("bad ratio", ("ratio", "train"))
    warning = ProviderDiagnostic.warning("exposed")
    assert error == ProviderDiagnostic(Severity.ERROR, "bad ratio", ("ratio", "train"))
    assert error.is_error and not warning.is_error
    assert warning.path == ()
    assert has_errors([warning, error]) and not has_errors([warning])
