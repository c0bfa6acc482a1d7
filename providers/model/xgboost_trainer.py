"""Training a `type = "xgboost"` model: boosting rounds on the split's train part, watched on
its valid part, saved in xgboost's native JSON.

Repeatable: the seed is xgboost's `seed`, the data goes in as the same float32 matrix every
time, and the saved JSON holds no time, so the same inputs, seed and thread count give the
same trees and the same bytes. With early stopping the saved model is cut to the best round,
so that every loader predicts with the model the history calls best.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mlform.sdk import AttributePath, did_you_mean, import_optional
from providers.model.frames import FeatureError, feature_matrix
from providers.model.training import Task, Trained, TrainingData, TrainingSettings
from providers.problems import Problem

FORMAT = "xgboost-json"
MODEL_FILE = "model.json"
DEFAULT_ROUNDS = 100
DEFAULT_OBJECTIVES = {
    Task.BINARY: "binary:logistic",
    Task.MULTICLASS: "multi:softprob",
    Task.REGRESSION: "reg:squarederror",
}
# Booster parameters most used, for "did you mean" when xgboost ignores one.
COMMON_PARAMETERS = (
    "eta", "learning_rate", "gamma", "min_split_loss", "max_depth", "min_child_weight",
    "max_delta_step", "subsample", "sampling_method", "colsample_bytree", "colsample_bylevel",
    "colsample_bynode", "lambda", "reg_lambda", "alpha", "reg_alpha", "tree_method",
    "scale_pos_weight", "grow_policy", "max_leaves", "max_bin", "num_parallel_tree",
    "monotone_constraints", "interaction_constraints", "objective", "eval_metric",
    "base_score", "booster", "num_class", "max_cat_to_onehot", "multi_strategy",
    "huber_slope", "quantile_alpha", "tweedie_variance_power", "validate_parameters",
)  # fmt: skip
_UNUSED_WARNING = r"(?s).*Parameters: \{.*\} (?:are|is) not used"
NOT_IN_CONFIG = ("eval_metric", "verbosity", "use_rmm")
"""Parameters xgboost takes without keeping them under their name in its configuration."""
_LOG_PREFIX = re.compile(r"^\[[0-9:]+\] (?:\S+:\d+: )?")
PARAMS: AttributePath = ("params",)


def train_xgboost(data: TrainingData, settings: TrainingSettings, workdir: Path) -> Trained:
    """Train, save `workdir/model.json`, and return it with its history and importance.
    Raises `Problem` for the user's mistakes (a parameter xgboost refuses, early stopping
    without a valid part, a label that does not fit the objective)."""
    xgb = import_optional("xgboost", "training an xgboost model")
    if settings.early_stopping_rounds is not None and data.valid is None:
        raise Problem.at(
            ("early_stopping_rounds",),
            "early stopping watches the split's valid part, and this split has none; add "
            "valid to the split's ratio, or remove early_stopping_rounds",
        )
    params = booster_params(data, settings)
    rounds = settings.rounds or DEFAULT_ROUNDS
    names = xgboost_feature_names(data.features)
    history: dict[str, dict[str, list[float]]] = {}
    # xgboost warns (through Python's warnings, on stderr) about parameters it does not use;
    # they come back as diagnostics instead. A filter, not catch_warnings: models train in
    # parallel threads, and catch_warnings is not thread-safe.
    warnings.filterwarnings("ignore", message=_UNUSED_WARNING, category=UserWarning)
    try:
        train = matrix(xgb, params, data, data.train, names, None)
        valid = None
        if data.valid is not None:
            valid = matrix(xgb, params, data, data.valid, names, train)
        watched = [(train, "train")] + ([(valid, "valid")] if valid is not None else [])
        booster = xgb.train(
            params,
            train,
            num_boost_round=rounds,
            evals=watched,
            evals_result=history,
            early_stopping_rounds=settings.early_stopping_rounds,
            verbose_eval=False,
            callbacks=[progress_callback(xgb, settings.progress, rounds)],
        )
    except FeatureError as error:
        raise Problem.at(
            ("split",), f"the split's parts cannot be used as features: {error}"
        ) from None
    except xgb.core.XGBoostError as error:
        raise parameter_problem(str(error), params) from None
    unused = unused_parameters(booster, settings.params)
    best_iteration = None
    if settings.early_stopping_rounds is not None:
        best_iteration = int(booster.best_iteration)
        if booster.num_boosted_rounds() > best_iteration + 1:
            booster = booster[: best_iteration + 1]
        booster.set_attr(best_iteration=str(best_iteration))
    path = workdir / MODEL_FILE
    booster.save_model(str(path))
    return Trained(
        path=path,
        format=FORMAT,
        history={
            f"{part}-{metric}": [float(value) for value in values]
            for part, metrics in history.items()
            for metric, values in metrics.items()
        },
        feature_importance=importance(booster, data.features, names),
        best_iteration=best_iteration,
        card={"objective": params["objective"]},
        warnings=unused,
    )


def booster_params(data: TrainingData, settings: TrainingSettings) -> dict[str, Any]:
    """The user's params, with the objective, the classes, the seed and the thread count the
    model block decides."""
    params = {name: _plain_number(value) for name, value in settings.params.items()}
    params["objective"] = params.get("objective") or DEFAULT_OBJECTIVES[data.task]
    if data.task is Task.MULTICLASS:
        count = len(data.classes or ())
        given = params.get("num_class")
        if given is not None and given != count:
            raise Problem.at(
                ("params", "num_class"),
                f"num_class is {given}, but the label has {count} classes; remove num_class "
                "(it is set from the label)",
            )
        params["num_class"] = count
    params["seed"] = settings.seed
    if settings.nthread is not None:
        params["nthread"] = settings.nthread
    return params


def matrix(
    xgb: Any,
    params: Mapping[str, Any],
    data: TrainingData,
    frame: Any,
    names: list[str] | None,
    reference: Any,
) -> Any:
    """A `QuantileDMatrix` for the hist method (the default: binned once, no copy of the raw
    values kept), a `DMatrix` for the others; the valid part is binned like train."""
    features = feature_matrix(frame, data.features)
    label = data.encoded(frame)
    threads = int(params.get("nthread") or 0) or -1
    if params.get("tree_method", "hist") in ("hist", "auto") and params.get(
        "booster", "gbtree"
    ) in ("gbtree", "dart"):
        return xgb.QuantileDMatrix(
            features,
            label=label,
            feature_names=names,
            nthread=threads,
            max_bin=int(params.get("max_bin", 256)),
            ref=reference,
        )
    return xgb.DMatrix(features, label=label, feature_names=names, nthread=threads)


def xgboost_feature_names(features: list[str] | Any) -> list[str] | None:
    """The features' names for xgboost, or None (f0, f1, ...) when one has a character xgboost
    refuses in a name."""
    names = [str(name) for name in features]
    if any(bad in name for name in names for bad in "[]<") or len(set(names)) != len(names):
        return None
    return names


def progress_callback(xgb: Any, report: Callable[[str], None], rounds: int) -> Any:
    class Progress(xgb.callback.TrainingCallback):
        def after_iteration(
            self, model: Any, epoch: int, evals_log: Mapping[str, Mapping[str, list[Any]]]
        ) -> bool:
            line = f"round {epoch + 1}/{rounds}"
            if evals_log:
                part, metrics = list(evals_log.items())[-1]
                metric, values = list(metrics.items())[-1]
                value = values[-1]
                value = value[0] if isinstance(value, tuple) else value
                line += f", {part}-{metric} {float(value):.4f}"
            report(line)
            return False

    return Progress()


def importance(
    booster: Any, features: list[str] | Any, names: list[str] | None
) -> dict[str, float] | None:
    """The average gain of the splits on each feature (0 for a feature no tree splits on)."""
    try:
        gains = booster.get_score(importance_type="gain")
    except Exception:  # gblinear has no trees to weigh
        return None
    keys = names or [f"f{index}" for index in range(len(features))]
    return {
        str(feature): float(gains.get(key, 0.0))
        for feature, key in zip(features, keys, strict=True)
    }


def parameter_problem(message: str, params: Mapping[str, Any]) -> Problem:
    """An error xgboost raised about the parameters, at the parameter it names."""
    first = _LOG_PREFIX.sub("", message.strip().splitlines()[0] if message.strip() else message)
    path: AttributePath = PARAMS
    for name in params:
        if re.search(rf"\b{re.escape(str(name))}\b", message):
            path = ("params", name)
            break
    return Problem.at(path, f"xgboost refused the parameters: {first.rstrip('.')}")


def unused_parameters(booster: Any, params: Mapping[str, Any]) -> list[tuple[AttributePath, str]]:
    """The user's parameters xgboost did not take: those its configuration does not hold."""
    known = set(NOT_IN_CONFIG)
    pending: list[Any] = [json.loads(booster.save_config())]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            known.update(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return [
        (
            ("params", name),
            f'xgboost does not use the parameter "{name}"'
            f"{did_you_mean(name, COMMON_PARAMETERS, otherwise='')}; remove it",
        )
        for name in params
        if name not in known
    ]


def _plain_number(value: Any) -> Any:
    """A whole number as an int: xgboost reads `max_depth = 6.0` as an error."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
