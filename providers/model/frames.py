"""Frames of rows as the numeric matrix a library trains and predicts on.

One float32 matrix per frame, filled column by column in Fortran order: each column is
copied (and cast) once, contiguously, which is several times faster than building a C-order
matrix row by row; xgboost reads either layout through the array interface without another
copy. Missing values stay NaN, which xgboost treats as missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from providers.model.errors import FeatureError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def feature_matrix(frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """The frame's feature columns, in order, as a (rows x features) float32 matrix."""
    import numpy as np
    from pandas.api import types

    missing = [name for name in features if name not in frame.columns]
    if missing:
        raise FeatureError(
            f"the rows lack the feature column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}"
        )
    matrix = np.empty((len(frame), len(features)), dtype=np.float32, order="F")
    for index, name in enumerate(features):
        column = frame[name]
        if not types.is_numeric_dtype(column.dtype) and not types.is_bool_dtype(column.dtype):
            raise FeatureError(
                f'the feature column "{name}" holds {column.dtype} values, not numbers'
            )
        if isinstance(column.dtype, np.dtype):  # a view: cast while copied into the matrix
            matrix[:, index] = column.to_numpy()
        else:  # nullable and Arrow-backed types: missing values become NaN
            matrix[:, index] = column.to_numpy(dtype=np.float64, na_value=np.nan)
    return matrix
