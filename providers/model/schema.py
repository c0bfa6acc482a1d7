"""The model kind: a model trained on a split, with XGBoost, TensorFlow or injected code."""

from __future__ import annotations

from mlform.language.types import ANY, NUMBER, STRING, ListType, MapType
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

MODEL_TYPES = ("xgboost", "tensorflow", "python")

LAYER = NestedBlock(
    "layer",
    BlockSchema(
        attributes=(
            Attribute("units", NUMBER, "dense: the number of units."),
            Attribute(
                "activation",
                STRING,
                "dense: the activation (relu, sigmoid, softmax, tanh, linear, ...).",
            ),
            Attribute("rate", NUMBER, "dropout: the share of inputs dropped, in [0, 1)."),
            Attribute(
                "input_dim",
                NUMBER,
                "embedding: the vocabulary size; by default the size of the split's "
                "vocabulary for these columns.",
            ),
            Attribute("output_dim", NUMBER, "embedding: the size of each embedding vector."),
            Attribute(
                "columns",
                ListType(STRING),
                "embedding: the vocabulary-encoded columns it embeds.",
            ),
        )
    ),
    Nesting.LABELLED,
    labels=("type",),
    unique_labels=False,
    description=(
        'A Keras layer, in order: layer "dense", "dropout", "batch_normalization" or '
        '"embedding". Only for type = "tensorflow"; the output layer is added from the label.'
    ),
)

SCHEMA = ResourceSchema(
    kind="model",
    description=(
        "Trains a model on a split's train part (early stopping watches its valid part) and "
        "stores it in its native format with its training history."
    ),
    block=BlockSchema(
        attributes=(
            Attribute(
                "type",
                STRING,
                '"xgboost", "tensorflow" (layer blocks, or code returning a Keras model) or '
                '"python" (code = "file.py:train", full control).',
                required=True,
            ),
            Attribute("split", ResourceRef("split"), "The split to train on.", required=True),
            Attribute(
                "label",
                STRING,
                "The column to predict; never used as a feature.",
                required=True,
            ),
            Attribute(
                "task",
                STRING,
                '"classification", "binary", "multiclass" or "regression"; by default from '
                "the xgboost objective, else from the label (strings, booleans and integers "
                "with two values are classes, other numbers a regression).",
            ),
            Attribute(
                "params",
                MapType(ANY),
                "Library parameters: XGBoost booster parameters (max_depth, eta, objective, "
                "...), or anything injected code reads.",
            ),
            Attribute("rounds", NUMBER, "xgboost: the number of boosting rounds (default 100)."),
            Attribute(
                "early_stopping_rounds",
                NUMBER,
                "Stop when the metric on the split's valid part has not improved for this many "
                "rounds (xgboost) or epochs (tensorflow).",
            ),
            Attribute(
                "seed", NUMBER, "The random seed, so that training is repeatable.", default=0
            ),
            Attribute("nthread", NUMBER, "The number of threads training may use."),
            Attribute(
                "code",
                STRING,
                'Injected code, "file.py:function": for python, a train function; for '
                "tensorflow, a function returning a Keras model. Hashed with its file.",
            ),
            Attribute("optimizer", STRING, "tensorflow: adam (default), sgd, rmsprop, ..."),
            Attribute("learning_rate", NUMBER, "tensorflow: the optimizer's learning rate."),
            Attribute("loss", STRING, "tensorflow: the loss; by default chosen from the label."),
            Attribute("epochs", NUMBER, "tensorflow: the number of epochs (default 10)."),
            Attribute("batch_size", NUMBER, "tensorflow: the batch size (default 32)."),
            DESCRIPTION_ATTRIBUTE,
            TAGS_ATTRIBUTE,
            Attribute(
                "format",
                STRING,
                'The stored format: "xgboost-json", "keras" or "python".',
                computed=True,
            ),
            Attribute(
                "task",
                STRING,
                'What the model predicts: "binary", "multiclass" or "regression".',
                computed=True,
            ),
            Attribute(
                "history",
                MapType(ListType(NUMBER)),
                "Each metric by round or epoch, on the train and valid parts.",
                computed=True,
            ),
            Attribute(
                "feature_importance",
                MapType(NUMBER),
                "The importance of each feature, when the library reports it.",
                computed=True,
            ),
            Attribute(
                "code_version",
                STRING,
                "The digest of the injected code and its file, when there is code.",
                computed=True,
            ),
            Attribute("duration", NUMBER, "Training time in seconds.", computed=True),
            Attribute(
                "best_iteration",
                NUMBER,
                "With early stopping: the round or epoch (counted from 0) whose model is kept.",
                computed=True,
            ),
            Attribute(
                "features",
                ListType(STRING),
                "The model's features, in order: the split's features without the label.",
                computed=True,
            ),
            Attribute(
                "classes",
                ListType(ANY),
                "For classification: the label's classes, sorted, in the order of the "
                "predicted probabilities.",
                computed=True,
            ),
            Attribute(
                "model",
                STRING,
                "The digest of the stored model file (in its native format).",
                computed=True,
            ),
            Attribute(
                "card",
                STRING,
                "The digest of the stored card: the JSON document that says how to load and "
                "use the model (format, features, label, task, classes).",
                computed=True,
            ),
            Attribute(
                "predictions",
                MapType(STRING),
                "The digest of the stored predictions on each part of the split (Parquet: "
                "label, prediction, probability_<class>), for custom evaluation.",
                computed=True,
            ),
            Attribute(
                "tensorboard_dir",
                STRING,
                "Where the TensorBoard logs are, for tensorflow.",
                computed=True,
            ),
        ),
        blocks=(LAYER,),
    ),
)
