"""Ask the quickstart's endpoint for a prediction, as any client would: plain HTTP and JSON.

    python examples/quickstart/predict.py [URL]

The URL defaults to the `endpoint_url` output of the last apply (`mlform output --raw
endpoint_url`); the bearer token to MLFORM_TOKEN, else the demo value in
quickstart.auto.mlfvars. One raw row goes in, the dataset's columns without the label: the
endpoint runs it through the split's fitted transform, then the model.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROW = {
    "customer_id": "C09999",
    "tenure": 3,
    "plan": "basic",
    "monthly": 79.5,
    "region": "south",
    "signup": "2026-08-14",
}


def endpoint_url() -> str:
    mlform = Path(sys.executable).with_name("mlform")
    found = subprocess.run(
        [str(mlform), "output", "--raw", "endpoint_url", str(HERE)],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        raise SystemExit(f"no endpoint_url output: {found.stderr.strip()} (run mlform apply first)")
    return found.stdout.strip()


def demo_token() -> str:
    text = (HERE / "quickstart.auto.mlfvars").read_text()
    match = re.search(r'^serving_token\s*=\s*"([^"]*)"', text, re.MULTILINE)
    return match.group(1) if match else ""


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else endpoint_url()
    token = os.environ.get("MLFORM_TOKEN") or demo_token()
    request = urllib.request.Request(
        f"{url}/v1/models/churn:predict",
        data=json.dumps({"instances": [ROW]}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    print(f"POST {url}/v1/models/churn:predict")
    print(json.dumps({"instances": [ROW]}))
    print(json.dumps(answer, indent=2))


if __name__ == "__main__":
    main()
