"""The split benchmark's reference: what a careful engineer writes with pandas and
scikit-learn to do what `split "big"` declares, in one script.

    python split_reference.py DATA.parquet OUTDIR

Read the table, shuffle its rows with a seed and cut them 70/10/20, fit a mean imputer and a
standard scaler on the numeric columns and a one-hot encoder on the string columns on the
train part only, transform every part and write it to Parquet with the label.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = [f"x{i}" for i in range(12)]
STRINGS = [f"c{i}" for i in range(6)]
RATIO = {"train": 0.7, "valid": 0.1, "test": 0.2}


def main(data: str, out: str) -> None:
    frame = pd.read_parquet(data)
    order = np.random.default_rng(42).permutation(len(frame))
    cuts = np.cumsum([round(share * len(frame)) for share in RATIO.values()])[:-1]
    parts = dict(zip(RATIO, np.split(order, cuts), strict=True))
    transform = ColumnTransformer(
        [
            (
                "numeric",
                Pipeline([("fill", SimpleImputer()), ("scale", StandardScaler())]),
                NUMERIC,
            ),
            ("strings", OneHotEncoder(handle_unknown="ignore", sparse_output=False), STRINGS),
        ],
        verbose_feature_names_out=False,
    )
    transform.fit(frame.iloc[parts["train"]])
    for name, rows in parts.items():
        part = frame.iloc[rows]
        features = pd.DataFrame(
            transform.transform(part), columns=transform.get_feature_names_out()
        )
        features["label"] = part["label"].to_numpy()
        features.to_parquet(Path(out) / f"{name}.parquet")


if __name__ == "__main__":
    main(*sys.argv[1:3])
