"""A model's configuration as typed settings, once every value is known.

Validate works on raw values that may be unknown; read, plan and apply need the settings.
`settings_from` reads them through sensitive marks, with the schema's defaults, and reports
validate's errors, so that a configuration that skipped validation still gets a diagnostic
rather than a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlform.language.values import unmark
from mlform.sdk import ProviderDiagnostic, blocks_of, is_known, value_of
from providers.common import library_versions
from providers.model.code import CodeReference
from providers.model.schema import SCHEMA
from providers.model.training import TrainingSettings
from providers.model.validate import validate_model
from providers.problems import Problem

FORMATS = {"xgboost": "xgboost-json", "tensorflow": "keras", "python": "python"}
"""The stored format of each model type."""

LIBRARIES = {
    "xgboost": ("xgboost", "numpy", "pandas", "pyarrow"),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "keras", "numpy", "pandas", "pyarrow"),
    "python": ("numpy", "pandas", "pyarrow"),
}
"""The libraries whose versions shape each type's model (python adds those its code imports)."""


@dataclass(frozen=True)
class ModelSettings:
    type: str
    split: str
    label: str
    task: str | None
    code: CodeReference | None
    training: TrainingSettings

    @property
    def format(self) -> str:
        return FORMATS[self.type]

    @property
    def objective(self) -> str | None:
        """The xgboost objective, which decides the task; other types' params are theirs."""
        objective = self.training.params.get("objective") if self.type == "xgboost" else None
        return objective if isinstance(objective, str) else None


def type_libraries(model_type: str) -> dict[str, str]:
    return library_versions(*LIBRARIES.get(model_type, ()))


def settings_from(config: Mapping[str, Any]) -> ModelSettings:
    """The settings of a configuration; raises `Problem` with validate's errors, or when a
    value is still unknown (the core asks only once every input is known)."""
    config = SCHEMA.block.with_defaults(config)
    plain, _ = unmark(dict(config))
    unknown = [name for name, value in plain.items() if not is_known(value)]
    if unknown:
        raise Problem(
            [
                ProviderDiagnostic.error(
                    f"{name} is not known yet; a model is trained only once all of its inputs "
                    "are known. This is a bug in mlform, which should be reported.",
                    (name,),
                )
                for name in unknown
            ]
        )
    errors = [d for d in validate_model(config) if d.is_error]
    if errors:
        raise Problem(errors)
    code = value_of(config, "code")
    params = value_of(config, "params") or {}
    training = TrainingSettings(
        params=dict(params),
        seed=_whole(value_of(config, "seed")) or 0,
        nthread=_whole(value_of(config, "nthread")),
        rounds=_whole(value_of(config, "rounds")),
        early_stopping_rounds=_whole(value_of(config, "early_stopping_rounds")),
        epochs=_whole(value_of(config, "epochs")),
        batch_size=_whole(value_of(config, "batch_size")),
        optimizer=value_of(config, "optimizer"),
        learning_rate=_number(value_of(config, "learning_rate")),
        loss=value_of(config, "loss"),
        layers=[_layer(block.labels, block.config) for block in blocks_of(config, "layer")],
    )
    return ModelSettings(
        type=str(value_of(config, "type")),
        split=str(value_of(config, "split")),
        label=str(value_of(config, "label")),
        task=value_of(config, "task"),
        code=CodeReference.parse(code) if isinstance(code, str) else None,
        training=training,
    )


def _layer(labels: tuple[str, ...], config: Mapping[str, Any]) -> dict[str, Any]:
    """A layer block as the tensorflow trainer reads it: `{"type": "dense", "units": 64}`."""
    settings, _ = unmark(dict(config))
    return {
        "type": labels[0] if labels else "",
        **{name: value for name, value in settings.items() if value is not None},
    }


def _whole(value: Any) -> int | None:
    return int(value) if value is not None else None


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None
