"""Single-row prediction latency and throughput of an endpoint's serving process, beside a
minimal starlette app serving the same xgboost model without preprocessing
(serving_reference.py), under the same load from a generator outside the servers' processes:
wrk when installed (Debian: apt-get install wrk), else a multi-process Python client.

    python tests/benchmarks/serving_bench.py [--seconds 10] [--clients 1,8] [--workers 1]

The model: xgboost, 100 trees of depth 4, trained through the split's real fitted transform
(fill, standardize, one_hot: 5 raw columns, 12 features) on a synthetic churn table. The
endpoint takes raw rows (`POST /v1/models/churn:predict`, and the Open Inference Protocol's
`/v2/models/churn/infer`); the reference takes the 12 features. Targets (issue 8): p50 under
0.6 ms with one client, and at 8 clients at least the reference's throughput.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
if importlib.util.find_spec("xgboost") is None and VENV_PYTHON.exists():
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])
sys.path.insert(0, str(ROOT))

WARM_UP_SECONDS = 2.0
READY_SECONDS = 120.0


@dataclass(frozen=True)
class Target:
    label: str
    port: int
    path: str
    body: bytes


@dataclass(frozen=True)
class Result:
    label: str
    clients: int
    p50_ms: float
    p99_ms: float
    requests_per_second: float
    errors: int
    generator: str


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(workdir: Path) -> tuple[Path, dict[str, Any], list[float]]:
    """The endpoint's directory, a raw row, and that row's features (the reference's input)."""
    from tests.benchmarks.serving_model import (
        churn_table,
        point_current,
        rows_of,
        train,
        write_version,
    )

    table = churn_table(5000, seed=0)
    trained = train(table, rounds=100, depth=4, seed=0)
    root = workdir / "endpoint"
    write_version(root, "v1", trained)
    point_current(root, "v1")
    row = rows_of(table, 1)[0]
    features = trained.transform.apply_rows([row])
    vector = [float(features.column(name)[0].as_py()) for name in trained.features]
    return root, row, vector


def start(command: list[str], log: Path, environment: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def post(port: int, path: str, body: bytes) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until(check: Any, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited:\n{log.read_text()}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"a server was not ready in {READY_SECONDS} s:\n{log.read_text()}")


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = io.open(os.getenv("BENCH_BODY"), "rb"):read("*a")
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d\\n", latency:percentile(50),
    latency:percentile(99), summary.requests, summary.duration, errors))
end
"""


def run_wrk(target: Target, clients: int, seconds: float, workdir: Path) -> Result:
    script = workdir / "post.lua"
    script.write_text(WRK_SCRIPT)
    body = workdir / f"body-{target.port}.json"
    body.write_bytes(target.body)
    threads = min(clients, 2)
    url = f"http://127.0.0.1:{target.port}{target.path}"
    environment = {**os.environ, "BENCH_BODY": str(body)}
    for duration in (WARM_UP_SECONDS, seconds):
        output = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{clients}",
                f"-d{max(1, round(duration))}s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            env=environment,
            check=True,
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    p50, p99, requests, duration, errors = (int(field) for field in line.split()[1:])
    return Result(
        target.label,
        clients,
        p50 / 1000,
        p99 / 1000,
        requests / (duration / 1e6),
        errors,
        "wrk",
    )


def _client(port: int, path: str, body: bytes, seconds: float, queue: Any) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds
    while (now := time.perf_counter()) < deadline:
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - now)
        errors += response.status != 200
    connection.close()
    queue.put((latencies, errors))


def run_python(target: Target, clients: int, seconds: float, workdir: Path) -> Result:
    context = multiprocessing.get_context("fork")
    for duration in (WARM_UP_SECONDS, seconds):
        queue = context.Queue()
        processes = [
            context.Process(
                target=_client, args=(target.port, target.path, target.body, duration, queue)
            )
            for _ in range(clients)
        ]
        for process in processes:
            process.start()
        results = [queue.get() for _ in processes]
        for process in processes:
            process.join()
    latencies = sorted(latency for found, _ in results for latency in found)
    errors = sum(count for _, count in results)

    def percentile(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000

    return Result(
        target.label,
        clients,
        percentile(0.50),
        percentile(0.99),
        len(latencies) / seconds,
        errors,
        "python client",
    )


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds; the median is shown"
    )
    parser.add_argument("--clients", default="1,8", help="comma-separated client counts")
    parser.add_argument("--workers", type=int, default=1, help="processes of each server")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args(arguments)
    generator = options.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    run = run_wrk if generator == "wrk" else run_python

    workdir = Path(tempfile.mkdtemp(prefix="mlform-serving-bench-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        root, row, vector = prepare(workdir)
        mine, reference = free_port(), free_port()
        python = sys.executable
        endpoint = start(
            [
                python, "-m", "providers.endpoint.serving", "--root", str(root), "--name",
                "churn", "--port", str(mine), "--workers", str(options.workers),
            ],
            workdir / "endpoint.log",
            {"PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        processes.append(endpoint)
        starlette = start(
            [
                python, "-m", "uvicorn", "--factory", "serving_reference:create_app",
                "--app-dir", str(HERE), "--port", str(reference), "--workers",
                str(options.workers), "--no-access-log", "--log-level", "warning",
            ],
            workdir / "reference.log",
            {"MLFORM_REFERENCE_MODEL": str(root / "versions" / "v1" / "model.json")},
        )  # fmt: skip
        processes.append(starlette)
        raw = json.dumps({"instances": [row]}).encode()
        features = json.dumps({"instances": [vector]}).encode()
        tensors = json.dumps({"inputs": _tensors(row)}).encode()
        wait_until(
            lambda: post(mine, "/v1/models/churn:predict", raw)[0] == 200,
            endpoint,
            workdir / "endpoint.log",
        )
        wait_until(
            lambda: post(reference, "/predict", features)[0] == 200,
            starlette,
            workdir / "reference.log",
        )
        served = json.loads(post(mine, "/v1/models/churn:predict", raw)[1])["predictions"][0]
        limit = json.loads(post(reference, "/predict", features)[1])["predictions"][0]
        same = abs(served["probabilities"]["true"] - limit) < 1e-6
        targets = [
            Target(
                "mlform endpoint, raw row (/v1 :predict)", mine, "/v1/models/churn:predict", raw
            ),
            Target("mlform endpoint, raw row (/v2 infer)", mine, "/v2/models/churn/infer", tensors),
            Target("starlette reference, features", reference, "/predict", features),
        ]
        counts = [int(count) for count in options.clients.split(",")]
        runs: dict[tuple[str, int], list[Result]] = {}
        for _ in range(options.rounds):  # interleaved: a change in machine load hits all alike
            for clients in counts:
                for target in targets:
                    result = run(target, clients, options.seconds, workdir)
                    runs.setdefault((target.label, clients), []).append(result)
        results = [median(found) for found in runs.values()]
        report(results, options, generator, same)
        if options.json is not None:
            options.json.write_text(json.dumps([r.__dict__ for r in results], indent=2))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def median(results: list[Result]) -> Result:
    """Each measure's median over the rounds."""

    def middle(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[len(ordered) // 2]

    first = results[0]
    return Result(
        first.label,
        first.clients,
        middle([r.p50_ms for r in results]),
        middle([r.p99_ms for r in results]),
        middle([r.requests_per_second for r in results]),
        sum(r.errors for r in results),
        first.generator,
    )


def _tensors(row: dict[str, Any]) -> list[dict[str, Any]]:
    datatypes = {bool: "BOOL", int: "INT64", float: "FP64", str: "BYTES"}
    return [
        {"name": name, "shape": [1], "datatype": datatypes[type(value)], "data": [value]}
        for name, value in row.items()
        if value is not None
    ]


def report(results: list[Result], options: Any, generator: str, same: bool) -> None:
    print(
        f"serving: xgboost 100 trees depth 4, single-row requests, {options.workers} worker "
        f"process(es) per server, {generator}, median of {options.rounds} rounds of "
        f"{options.seconds:g} s, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"same prediction from both servers: {'yes' if same else 'NO'}")
    width = max(len(r.label) for r in results)
    print(f"{'server':<{width}}  clients   p50 ms   p99 ms     req/s  errors")
    for r in results:
        print(
            f"{r.label:<{width}}  {r.clients:>7}  {r.p50_ms:>7.3f}  {r.p99_ms:>7.3f}  "
            f"{r.requests_per_second:>8.0f}  {r.errors:>6}"
        )
    by = {(r.label.split(",")[0], r.clients, r.label): r for r in results}
    for clients in sorted({r.clients for r in results}):
        mine = [r for key, r in by.items() if key[1] == clients and "/v1" in key[2]]
        theirs = [r for key, r in by.items() if key[1] == clients and "starlette" in key[2]]
        if mine and theirs:
            ratio = mine[0].requests_per_second / theirs[0].requests_per_second
            print(f"{clients} client(s): endpoint / reference throughput = {ratio:.2f}")


if __name__ == "__main__":
    sys.exit(main())
