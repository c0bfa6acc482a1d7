"""Every built-in provider passes the provider conformance suite."""

from __future__ import annotations

from typing import Any, ClassVar

import providers.dataset
import providers.endpoint
import providers.evaluation
import providers.model
import providers.split
from mlform.sdk import BlockValue, Provider
from mlform.testing import ProviderConformance

REFERENCE = "5f2a9c"  # a resolved reference: the referenced resource's id


class TestDatasetConformance(ProviderConformance):
    provider: ClassVar[Provider] = providers.dataset.provider
    minimal_config: ClassVar[dict[str, Any]] = {"source": "data/churn.csv"}


class TestSplitConformance(ProviderConformance):
    provider: ClassVar[Provider] = providers.split.provider
    minimal_config: ClassVar[dict[str, Any]] = {
        "dataset": REFERENCE,
        "ratio": {"train": 0.8, "test": 0.2},
        "fill": [BlockValue((), {"columns": ["monthly"], "method": "mean"})],
        "defaults": [
            BlockValue(
                (), {"numeric": [BlockValue((), {"fill": "median", "transform": "standardize"})]}
            )
        ],
    }


class TestModelConformance(ProviderConformance):
    provider: ClassVar[Provider] = providers.model.provider
    minimal_config: ClassVar[dict[str, Any]] = {
        "type": "xgboost",
        "split": REFERENCE,
        "label": "churned",
    }


class TestEvaluationConformance(ProviderConformance):
    provider: ClassVar[Provider] = providers.evaluation.provider
    minimal_config: ClassVar[dict[str, Any]] = {
        "model": REFERENCE,
        "metrics": ["auc", "lift"],
        "metric": [BlockValue(("lift",), {"function": "metrics.py:top_decile_lift"})],
        "threshold": [BlockValue((), {"metric": "auc", "min": 0.8})],
    }


class TestEndpointConformance(ProviderConformance):
    provider: ClassVar[Provider] = providers.endpoint.provider
    minimal_config: ClassVar[dict[str, Any]] = {"model": REFERENCE}
