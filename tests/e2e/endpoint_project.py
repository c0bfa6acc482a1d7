"""A project for the endpoint tests, driven through the CLI: a churn CSV made here (no
network), a split with preprocessing, an xgboost model, an evaluation with a threshold and
an endpoint; the CLI run with the endpoints' runtime directory under the test's own, and a
loop of concurrent clients that counts failed and distinct answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "e2e-serving-token-7f3a"
ROWS = [
    {"customer_id": "x1", "tenure": 3, "plan": "basic", "monthly": 80.5, "region": "north"},
    {"customer_id": "x2", "tenure": 40, "plan": "pro", "monthly": 35.0, "region": "east"},
    {"customer_id": "x3", "tenure": 12, "plan": "plus", "monthly": None, "region": "west"},
]


def write_churn_csv(path: Path, rows: int = 800, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, rows)
    plan = rng.choice(["basic", "plus", "pro"], rows)
    monthly = rng.normal(60, 20, rows).round(2)
    region = rng.choice(["north", "south", "east", "west"], rows)
    score = -0.05 * tenure + 0.03 * monthly + np.where(plan == "basic", 1.0, 0.0)
    churned = (score + rng.normal(0, 0.5, rows) > 0.9).astype(int)
    lines = ["customer_id,tenure,plan,monthly,region,churned"]
    for index in range(rows):
        shown = "" if index % 23 == 0 else f"{monthly[index]}"
        lines.append(
            f"c{index:05d},{tenure[index]},{plan[index]},{shown},{region[index]},{churned[index]}"
        )
    path.write_text("\n".join(lines) + "\n")


CONFIGURATION = """\
variable "max_depth" {{
  type    = number
  default = 4
}}

variable "min_auc" {{
  type    = number
  default = 0.7
}}

variable "serving_token" {{
  type      = string
  sensitive = true
}}

dataset "churn" {{
  source = "churn.csv"
}}

split "churn" {{
  dataset = dataset.churn
  label   = "churned"
  ratio   = {{ train = 0.7, valid = 0.1, test = 0.2 }}
  seed    = 42

  fill {{
    columns = ["monthly"]
    method  = "mean"
  }}
  standardize {{
    columns = ["monthly", "tenure"]
  }}
  one_hot {{
    columns = ["plan", "region"]
  }}
}}

model "churn" {{
  type   = "xgboost"
  split  = split.churn
  label  = "churned"
  params = {{ max_depth = var.max_depth, eta = 0.3, objective = "binary:logistic" }}
  rounds = 30
  seed   = 1
}}

evaluation "churn" {{
  model   = model.churn
  metrics = ["auc", "accuracy"]
  threshold {{
    metric = "auc"
    min    = var.min_auc
  }}
}}

endpoint "churn" {{
  model      = model.churn
  evaluation = evaluation.churn
  token      = var.serving_token
{endpoint}}}

output "url" {{
  value = endpoint.churn.url
}}
"""


def write_project(directory: Path, endpoint: str = "") -> Path:
    """The project in `directory`; `endpoint` adds lines to the endpoint block."""
    directory.mkdir(parents=True, exist_ok=True)
    write_churn_csv(directory / "churn.csv")
    (directory / "main.mlf.hcl").write_text(CONFIGURATION.format(endpoint=endpoint))
    return directory


def set_endpoint(directory: Path, endpoint: str) -> None:
    (directory / "main.mlf.hcl").write_text(CONFIGURATION.format(endpoint=endpoint))


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Cli:
    """`mlform` in a separate process, as a user runs it, the endpoints' runtime directory
    and the token set for this project."""

    def __init__(
        self, directory: Path, runtime_dir: Path, environment: dict[str, str] | None = None
    ):
        self.directory = directory
        self.runtime_dir = runtime_dir
        self.environment = environment or {}

    def __call__(self, *args: str, timeout: float = 900) -> Run:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")}
        environment["MLFORM_RUNTIME_DIR"] = str(self.runtime_dir)
        environment["MLFORM_VAR_serving_token"] = TOKEN
        environment.update(self.environment)
        completed = subprocess.run(
            [sys.executable, "-m", "mlform", *args],
            cwd=self.directory,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert "Traceback" not in completed.stderr, completed.stderr
        return Run(completed.returncode, completed.stdout, completed.stderr)

    def state(self, address: str = "endpoint.churn") -> dict[str, Any]:
        """The instance's attributes, from `show --json` (the state in Terraform's shape)."""
        shown = json.loads(self("show", "--json").stdout)
        for resource in shown.get("values", {}).get("root_module", {}).get("resources", []):
            if resource.get("address") == address:
                return dict(resource.get("values", {}))
        return {}


def predict(url: str, rows: list[dict[str, Any]], token: str | None = TOKEN) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{url}/v1/models/churn:predict",
        json.dumps({"instances": rows}).encode(),
        {"Content-Type": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Clients:
    """Concurrent clients predicting the same rows until stopped."""

    def __init__(self, url: str, threads: int = 3):
        self.url = url
        self.answers: dict[str, int] = {}
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> Clients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                status, body = predict(self.url, ROWS)
            except Exception as error:
                with self._lock:
                    self.failures.append(f"{type(error).__name__}: {error}")
                continue
            with self._lock:
                if status == 200:
                    key = json.dumps(body, sort_keys=True)
                    self.answers[key] = self.answers.get(key, 0) + 1
                else:
                    self.failures.append(f"{status}: {body}")
