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
CLASSIFICATION_PLOTS = ("roc", "precision_recall", "confusion_matrix", "calibration")
REGRESSION_PLOTS = ("residuals",)
MODEL_PLOTS = ("feature_importance", "training_curves")
"""Plots drawn from the model's own outputs (`feature_importance`, `history`), for any task."""
PLOTS = CLASSIFICATION_PLOTS + REGRESSION_PLOTS + MODEL_PLOTS
BOUNDS = ("min", "max", "min_delta", "max_delta")
"""A threshold's conditions: on the value itself, or on its change since the baseline."""

METRIC = NestedBlock(
    "metric",
    BlockSchema(
        attributes=(
            Attribute(
                "function",
                STRING,
                'The metric, "file.py:function": fn(y_true, y_pred, frame) -> float, where '
                "y_pred holds the positive class's probabilities (binary) or the predicted "
                "values, and frame the evaluated rows. Injected, and hashed with its file.",
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
            Attribute(
                "min_delta",
                NUMBER,
                "The lowest passing change since the baseline, the last applied evaluation of "
                "this address: 0 means no worse, -0.01 allows a drop of 0.01. Passes when there "
                "is no baseline.",
            ),
            Attribute(
                "max_delta",
                NUMBER,
                "The highest passing change since the baseline (for metrics where lower is "
                "better: rmse, logloss). Passes when there is no baseline.",
            ),
        )
    ),
    Nesting.LIST,
    description=(
        "A condition the evaluation must meet to pass (the gate before serving); an "
        "evaluation that fails one is recorded with passed = false and its apply fails."
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
                "Plots for the report: roc, precision_recall, confusion_matrix, calibration "
                "(classification), residuals (regression), feature_importance, "
                "training_curves. By default all those that suit the model.",
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
                'Metrics per slice, by "column=value": slices["plan=premium"].auc; null where '
                "a metric is undefined on the slice (a single class).",
                computed=True,
            ),
            Attribute(
                "passed",
                BOOL,
                "Whether every threshold was met.",
                computed=True,
            ),
            Attribute(
                "failed_thresholds",
                ListType(STRING),
                'The thresholds not met, in words: "auc 0.71 < min 0.8".',
                computed=True,
            ),
            Attribute(
                "baseline",
                MapType(ANY),
                "The metrics min_delta and max_delta were checked against: those of the last "
                "evaluation of this address that passed its gate (null when there was none).",
                computed=True,
            ),
            Attribute(
                "report",
                STRING,
                "The path of the stored HTML report (metrics, slices, thresholds and plots in "
                "one self-contained file): open it in a browser.",
                computed=True,
            ),
            Attribute(
                "plots",
                MapType(STRING),
                "The digest of each stored PNG plot, by name (roc, confusion_matrix, ...).",
                computed=True,
            ),
            Attribute(
                "predictions",
                STRING,
                "The digest of the stored predictions: a Parquet file with the part's row "
                "number, label, prediction and class probabilities.",
                computed=True,
            ),
            Attribute(
                "code_version",
                STRING,
                "The digest of the custom metrics' code and files, when there are any.",
                computed=True,
            ),
            Attribute(
                "code_files",
                MapType(STRING),
                "The blake3 digest of each file of custom metric code, by its path.",
                computed=True,
            ),
        ),
        blocks=(METRIC, THRESHOLD),
    ),
)
