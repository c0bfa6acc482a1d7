"""How a frame's feature columns become a Keras network's inputs, the same way when training
and when predicting.

A network declared with layer blocks takes the numeric features as one float32 vector
(`numeric_features`) and each embedded vocabulary column as an integer input of its own
(`embedded_0`, `embedded_1`, ... in the order of `embedded`); a network from injected code
takes every feature as one float32 vector. The card records which, so that a loaded model
is fed exactly as it was trained. No tensorflow here: this is numpy and pandas only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

NUMERIC_INPUT = "numeric_features"


def embedded_input(position: int) -> str:
    """The name of the input of the `position`th embedded column (column names may hold
    characters a Keras name may not)."""
    return f"embedded_{position}"


@dataclass(frozen=True)
class NetworkInputs:
    """Which features go into the float vector, and which columns into integer inputs."""

    numeric: tuple[str, ...]
    embedded: tuple[str, ...] = ()

    @classmethod
    def single_vector(cls, features: Sequence[str]) -> NetworkInputs:
        return cls(numeric=tuple(features))

    @classmethod
    def from_card(cls, card: Mapping[str, Any]) -> NetworkInputs:
        inputs = card.get("keras_inputs")
        if inputs is None:
            return cls.single_vector(card["features"])
        return cls(numeric=tuple(inputs["numeric"]), embedded=tuple(inputs["embedded"]))

    def card(self) -> dict[str, Any]:
        return {"keras_inputs": {"numeric": list(self.numeric), "embedded": list(self.embedded)}}

    @property
    def is_single_vector(self) -> bool:
        return not self.embedded

    def names(self) -> list[str]:
        numeric = [NUMERIC_INPUT] if self.numeric else []
        return numeric + [embedded_input(position) for position in range(len(self.embedded))]

    def arrays(self, frame: pd.DataFrame) -> np.ndarray | dict[str, np.ndarray]:
        """The network's input for the rows of `frame`: one float32 matrix for a single
        vector, else a dict keyed by input name."""
        import numpy as np

        numeric = frame[list(self.numeric)].to_numpy(dtype=np.float32, na_value=np.nan)
        if self.is_single_vector:
            return numeric
        arrays: dict[str, np.ndarray] = {NUMERIC_INPUT: numeric} if self.numeric else {}
        for position, column in enumerate(self.embedded):
            indices = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
            if np.isnan(indices).any():
                raise ValueError(
                    f"column {column} has missing values; an embedded column holds the "
                    "split's vocabulary indices, never missing ones"
                )
            arrays[embedded_input(position)] = indices.astype(np.int32).reshape(-1, 1)
        return arrays

    def columns_with_missing_values(self, frame: pd.DataFrame) -> list[str]:
        """The numeric feature columns of `frame` holding a missing value, which a network
        cannot train on (unlike xgboost)."""
        columns = list(self.numeric) + list(self.embedded)
        missing = frame[columns].isna().any()
        return [column for column in columns if bool(missing[column])]
