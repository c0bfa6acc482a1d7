"""The training benchmark's reference: the steps `examples`-style configuration
`dataset -> split -> model -> evaluation` declares, written as one plain Python script.

    python training_reference.py DATA.csv

Read the CSV (pyarrow's reader, as mlform does), keep `tenure > 0`, shuffle the rows with a
seed and cut them 70/10/20, fill the numeric columns' missing values with their train mean
and standardize them, one-hot encode the string columns, train xgboost (100 rounds, depth 6,
hist, 2 threads), and score the test part (auc, accuracy, logloss). Nothing is stored.
"""

from __future__ import annotations

import sys

import numpy as np
import pyarrow.csv as pacsv
import xgboost as xgb
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

NUMERIC = [f"x{i}" for i in range(14)]
STRINGS = [f"c{i}" for i in range(4)]


def main(path: str) -> None:
    frame = pacsv.read_csv(path).to_pandas()
    frame = frame[frame["tenure"] > 0].reset_index(drop=True)
    order = np.random.default_rng(42).permutation(len(frame))
    cuts = np.cumsum([round(share * len(frame)) for share in (0.7, 0.1)])
    train, valid, test = (frame.iloc[rows] for rows in np.split(order, cuts))
    means = train[NUMERIC].mean()
    stds = train[NUMERIC].std(ddof=0).replace(0, 1)
    categories = {c: sorted(train[c].dropna().unique()) for c in STRINGS}

    def features(part):  # type: ignore[no-untyped-def]
        numeric = ((part[NUMERIC].fillna(means) - means) / stds).to_numpy(np.float32)
        encoded = [
            (part[c].to_numpy()[:, None] == np.array(values)[None, :]).astype(np.float32)
            for c, values in categories.items()
        ]
        return np.hstack([numeric, part[["tenure"]].to_numpy(np.float32), *encoded])

    params = {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1,
              "tree_method": "hist", "nthread": 2, "seed": 0}  # fmt: skip
    dtrain = xgb.DMatrix(features(train), label=train["label"].to_numpy())
    dvalid = xgb.DMatrix(features(valid), label=valid["label"].to_numpy())
    booster = xgb.train(params, dtrain, 100, evals=[(dtrain, "train"), (dvalid, "valid")],
                        verbose_eval=False)  # fmt: skip
    scores = booster.predict(xgb.DMatrix(features(test)))
    labels = test["label"].to_numpy()
    print(
        f"auc {roc_auc_score(labels, scores):.4f} "
        f"accuracy {accuracy_score(labels, scores > 0.5):.4f} "
        f"logloss {log_loss(labels, scores):.4f}"
    )


if __name__ == "__main__":
    main(sys.argv[1])
