"""Errors of a loaded model, raised to its caller (the evaluation, the endpoint): a model that
cannot be loaded, and rows it cannot predict. Training never raises them: its mistakes travel
as diagnostics (`providers.problems.Problem`)."""

from __future__ import annotations

from mlform.errors import MlformError


class ModelError(MlformError):
    """A stored model cannot be used."""


class ModelLoadError(ModelError):
    """The card or the model file cannot be loaded: an unknown format, a damaged file, the
    injected `load` failing."""


class PredictionError(ModelError):
    """Rows the model cannot predict: a feature column missing or not numeric, or injected
    code failing or returning the wrong shape."""


class FeatureError(PredictionError):
    """A frame lacks a feature column, or holds one that is not numeric."""
