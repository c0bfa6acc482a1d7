"""The evaluation kind: a model's metrics on one part of its split, and the gate it must pass."""

from __future__ import annotations

from mlform.language.types import ANY, BOOL, NUMBER, STRING, ListType, MapType
from mlform.sdk import (
    DESCRIPTION_ATTRIBUTE,
    TAGS_ATTRIBUTE,
    Attribute,
    BlockSchema,
    NestedBlock,
    Nesting,
    ResourceRef,
    ResourceSchema,
)

CLASSIFICATION_METRICS = (
    "accuracy", "precision", "recall", "f1", "auc", "logloss", "confusion_matrix",
)  # fmt: skip
REGRESSION_METRICS = ("rmse", "mae", "r2", "mape")
BUILTIN_METRICS = CLASSIFICATION_METRICS + REGRESSION_METRICS
NON_SCALAR_METRICS = ("confusion_matrix",)
PLOTS = (
    "roc", "precision_recall", "confusion_matrix", "calibration", "residuals",
    "feature_importance",
)  # fmt: skip

METRIC = NestedBlock(
    "metric",
    BlockSchema(
        attributes=(
            Attribute(
                "function",
                STRING,
                'The metric, "file.py:function", called with the true and predicted values; '
                "injected, and hashed with its file.",
                required=True,
            ),
        )
    ),
    Nesting.LABELLED,
    labels=("name",),
    description='A custom metric: metric "lift" { function = "metrics.py:top_decile_lift" }.',
)

THRESHOLD = NestedBlock(
    "threshold",
    BlockSchema(
        attributes=(
            Attribute("metric", STRING, "The metric the condition is on.", required=True),
            Attribute("min", NUMBER, "The lowest passing value."),
            Attribute("max", NUMBER, "The highest passing value."),
        )
    ),
    Nesting.LIST,
    description=(
        "A condition the evaluation must meet to pass (the gate before serving); "
        "the evaluation fails its apply when one is not met."
    ),
)

SCHEMA = ResourceSchema(
    kind="evaluation",
    description=(
        "Scores a model on one part of its split: metrics overall and per slice, plots, raw "
        "predictions, and thresholds that gate serving."
    ),
    block=BlockSchema(
        attributes=(
            Attribute("model", ResourceRef("model"), "The model to evaluate.", required=True),
            Attribute(
                "part",
                STRING,
                'The split part to score: by default "test" when the split has one, else "eval".',
            ),
            Attribute(
                "metrics",
                ListType(STRING),
                "Built-in metrics: accuracy, precision, recall, f1, auc, logloss, "
                "confusion_matrix (classification); rmse, mae, r2, mape (regression). "
                "By default those that suit the label.",
            ),
            Attribute(
                "slice_by",
                ListType(STRING),
                "Columns whose values the metrics are also computed for, one slice per value.",
            ),
            Attribute(
                "plots",
                ListType(STRING),
                "Plots for the report: roc, precision_recall, confusion_matrix, calibration, "
                "residuals, feature_importance.",
            ),
            DESCRIPTION_ATTRIBUTE,
            TAGS_ATTRIBUTE,
            Attribute(
                "metrics",
                MapType(ANY),
                "The value of each metric asked for, built-in or custom: metrics.auc.",
                computed=True,
            ),
            Attribute(
                "slices",
                MapType(ANY),
                "Metrics per slice: slices.plan.premium.auc.",
                computed=True,
            ),
            Attribute(
                "passed",
                BOOL,
                "Whether every threshold was met.",
                computed=True,
            ),
            Attribute(
                "report",
                STRING,
                "The digest of the stored report (metrics, plots, predictions).",
                computed=True,
            ),
        ),
        blocks=(METRIC, THRESHOLD),
    ),
)
