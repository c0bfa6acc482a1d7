"""Models through the CLI, as a user drives them: a dataset, a split and models trained on it;
a change to injected code seen as drift and retrained; a failure in the user's code named at
its attribute, without a traceback."""

from __future__ import annotations

import csv
import random
from pathlib import Path

CONFIG = """dataset "churn" {
  source = "churn.csv"
  where  = "tenure > 0"
}

split "churn" {
  dataset = dataset.churn
  ratio   = { train = 0.7, valid = 0.1, test = 0.2 }
  seed    = 42
  label   = "churned"

  standardize {
    columns = ["monthly", "tenure"]
  }
  one_hot {
    columns = ["plan"]
  }
}

model "churn" {
  type                  = "xgboost"
  split                 = split.churn
  label                 = "churned"
  params                = { max_depth = 3, eta = 0.3, objective = "binary:logistic" }
  rounds                = 200
  early_stopping_rounds = 5
  nthread               = 1
}

output "task" {
  value = model.churn.task
}
"""

PYTHON_MODEL = """
model "python" {
  type   = "python"
  split  = split.churn
  label  = "churned"
  code   = "train.py:train"
  params = { threshold = 0.5 }
}
"""

# A model with no library at all: the mean label per plan, saved as JSON.
TRAIN_PY = """\
import json


class Rates:
    def __init__(self, rates, columns):
        self.rates, self.columns = rates, columns

    def predict(self, frame):
        return [int(self.score(row) >= 0.5) for row in frame[self.columns].itertuples(index=False)]

    def predict_proba(self, frame):
        scores = [self.score(row) for row in frame[self.columns].itertuples(index=False)]
        return [[1 - score, score] for score in scores]

    def score(self, row):
        return max((rate for rate, on in zip(self.rates, row) if on), default=0.0)


def train(train, valid, params, seed):
    columns = [name for name in train.columns if name.startswith("plan=")]
    rates = [float(train.loc[train[name] == 1, "churned"].mean() or 0.0) for name in columns]
    return Rates(rates, columns)


def save(model, path):
    path.write_text(json.dumps({"rates": model.rates, "columns": model.columns}))


def load(path):
    document = json.loads(path.read_text())
    return Rates(document["rates"], document["columns"])
"""


def write_churn(path: Path, rows: int = 400) -> None:
    generator = random.Random(7)
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["customer_id", "tenure", "plan", "monthly", "churned"])
        for index in range(rows):
            plan = generator.choice(["basic", "standard", "premium"])
            tenure = generator.randint(0, 72)
            monthly = round(generator.uniform(20, 120), 2)
            risk = 0.6 if plan == "basic" else 0.2
            churned = int(generator.random() < risk * (1.5 if tenure < 12 else 0.7))
            writer.writerow([f"C{index:05d}", tenure, plan, monthly, churned])


def project(tmp_path: Path, extra: str = "") -> Path:
    directory = tmp_path / "churn"
    directory.mkdir()
    write_churn(directory / "churn.csv")
    (directory / "main.mlf.hcl").write_text(CONFIG + extra)
    (directory / "train.py").write_text(TRAIN_PY)
    return directory


def test_an_xgboost_model_on_a_split(mlform, tmp_path: Path) -> None:
    directory = project(tmp_path)
    run = lambda *args: mlform(*args, cwd=directory)  # noqa: E731
    applied = run("apply", "--auto-approve")
    assert applied.code == 0, applied.output
    assert "model.churn: Creation complete after" in applied.stdout
    assert 'task = "binary"' in applied.stdout

    shown = run("state", "show", "model.churn")
    assert shown.code == 0, shown.output
    assert 'format                = "xgboost-json"' in shown.stdout
    assert "best_iteration" in shown.stdout and 'features              = ["tenure"' in shown.stdout
    assert "churned" not in shown.stdout.split("features")[1].split("\n")[0]

    again = run("plan", "--detailed-exitcode")
    assert again.code == 0, again.output


def test_a_python_model_is_retrained_when_its_code_changes(mlform, tmp_path: Path) -> None:
    directory = project(tmp_path, PYTHON_MODEL)
    run = lambda *args: mlform(*args, cwd=directory)  # noqa: E731
    applied = run("apply", "--auto-approve", "--target", "model.python")
    assert applied.code == 0, applied.output
    shown = run("state", "show", "model.python").stdout
    assert 'format                = "python"' in shown and "code_version" in shown

    with (directory / "train.py").open("a") as file:
        file.write("\n# rates by plan\n")
    planned = run("plan", "--detailed-exitcode", "--target", "model.python")
    assert planned.code == 2, planned.output
    assert "code changed: train.py" in planned.stdout
    assert "model.python" in planned.stdout and "must be replaced" in planned.stdout


def test_a_failure_in_the_users_code_is_an_error_at_code(mlform, tmp_path: Path) -> None:
    directory = project(tmp_path, PYTHON_MODEL)
    (directory / "train.py").write_text(
        TRAIN_PY.replace("    columns = [", "    raise KeyError('plan')\n    columns = [")
    )
    applied = mlform("apply", "--auto-approve", "--target", "model.python", cwd=directory)
    assert applied.code == 1, applied.output
    assert "main.mlf.hcl:" in applied.output and "model.python" in applied.output
    assert "train.py:train failed: KeyError: 'plan' (line 20)" in applied.output
    assert "Traceback" not in applied.output
