"""Counters kept by each worker on the request path (a dict increment and a bucket count per
request), and their rendering in the Prometheus text format.

With several workers, each one writes a snapshot of its counters to `DIR/metrics/<pid>.json`
about once a second, and `/metrics` adds up every snapshot (the answering worker's own
counters taken live), so a scrape sees the whole server, up to a second behind.
"""

from __future__ import annotations

import bisect
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LATENCY_BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
)
PREFIX = "mlform_endpoint"
COUNTERS = ("predicted_rows", "model_swaps", "model_load_failures")


@dataclass(frozen=True)
class ServedModel:
    """What one worker serves, for the info metric."""

    version: str
    model_id: str
    transform_id: str


class Metrics:
    def __init__(self) -> None:
        self.requests: dict[tuple[str, int], int] = {}
        self.latency: dict[str, list[int]] = {}
        self.latency_sum: dict[str, float] = {}
        self.counters: dict[str, int] = dict.fromkeys(COUNTERS, 0)

    def observe(self, route: str, status: int, seconds: float) -> None:
        key = (route, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        counts = self.latency.get(route)
        if counts is None:
            counts = self.latency[route] = [0] * (len(LATENCY_BUCKETS) + 1)
            self.latency_sum[route] = 0.0
        counts[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.latency_sum[route] += seconds

    def count(self, name: str, amount: int = 1) -> None:
        self.counters[name] += amount

    def snapshot(self) -> dict[str, Any]:
        """A copy, safe to take from another thread: each dict is first copied whole (one C
        call, which the event loop's thread cannot interleave with)."""
        requests, latency = list(self.requests.items()), list(self.latency.items())
        return {
            "requests": [[route, status, n] for (route, status), n in requests],
            "latency": {route: list(counts) for route, counts in latency},
            "latency_sum": dict(self.latency_sum),
            "counters": dict(self.counters),
        }


def merge(snapshots: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The sum of several workers' snapshots."""
    total = Metrics()
    for snapshot in snapshots:
        for route, status, n in snapshot.get("requests", []):
            key = (str(route), int(status))
            total.requests[key] = total.requests.get(key, 0) + int(n)
        for route, counts in snapshot.get("latency", {}).items():
            mine = total.latency.setdefault(route, [0] * (len(LATENCY_BUCKETS) + 1))
            for index, n in enumerate(counts[: len(mine)]):
                mine[index] += int(n)
        for route, seconds in snapshot.get("latency_sum", {}).items():
            total.latency_sum[route] = total.latency_sum.get(route, 0.0) + float(seconds)
        for name, n in snapshot.get("counters", {}).items():
            if name in total.counters:
                total.counters[name] += int(n)
    return total.snapshot()


class SnapshotFiles:
    """Each worker's latest snapshot, one file per process id under `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def write(self, pid: int, snapshot: Mapping[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{pid}.json"
        temporary = path.with_name(f".{pid}.json.tmp")
        temporary.write_text(json.dumps(snapshot))
        os.replace(temporary, path)

    def read_others(self, pid: int) -> list[dict[str, Any]]:
        found = []
        for path in sorted(self.directory.glob("*.json")):
            if path.stem == str(pid):
                continue
            try:
                found.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue  # a worker replacing its file right now, or gone
        return found

    def remove(self, pid: int) -> None:
        (self.directory / f"{pid}.json").unlink(missing_ok=True)


def render(
    snapshot: Mapping[str, Any], endpoint: str, served: Iterable[ServedModel], workers: int
) -> str:
    """The Prometheus text exposition (format 0.0.4) of a (merged) snapshot."""
    name = _escape(endpoint)
    lines: list[str] = []

    def header(metric: str, kind: str, help_text: str) -> None:
        lines.append(f"# HELP {PREFIX}_{metric} {help_text}")
        lines.append(f"# TYPE {PREFIX}_{metric} {kind}")

    requests = sorted((str(r), int(s), int(n)) for r, s, n in snapshot["requests"])
    header("requests_total", "counter", "Requests answered, by route and status.")
    for route, status, n in requests:
        labels = f'endpoint="{name}",route="{_escape(route)}",status="{status}"'
        lines.append(f"{PREFIX}_requests_total{{{labels}}} {n}")
    header("request_errors_total", "counter", "Requests answered with a 4xx or 5xx status.")
    for route, status, n in requests:
        if status >= 400:
            labels = f'endpoint="{name}",route="{_escape(route)}",status="{status}"'
            lines.append(f"{PREFIX}_request_errors_total{{{labels}}} {n}")
    header("request_duration_seconds", "histogram", "Time from request to response.")
    for route in sorted(snapshot["latency"]):
        counts = snapshot["latency"][route]
        labels = f'endpoint="{name}",route="{_escape(route)}"'
        cumulative = 0
        for bound, n in zip((*map(repr, LATENCY_BUCKETS), "+Inf"), counts, strict=True):
            cumulative += n
            lines.append(
                f'{PREFIX}_request_duration_seconds_bucket{{{labels},le="{bound}"}} {cumulative}'
            )
        seconds = snapshot["latency_sum"].get(route, 0.0)
        lines.append(f"{PREFIX}_request_duration_seconds_sum{{{labels}}} {seconds!r}")
        lines.append(f"{PREFIX}_request_duration_seconds_count{{{labels}}} {cumulative}")
    texts = {
        "predicted_rows": "Rows predicted.",
        "model_swaps": "Model versions swapped in after the first.",
        "model_load_failures": "Model versions that failed to load (the previous one stays).",
    }
    for counter, help_text in texts.items():
        header(f"{counter}_total", "counter", help_text)
        lines.append(
            f'{PREFIX}_{counter}_total{{endpoint="{name}"}} {snapshot["counters"][counter]}'
        )
    header("model_info", "gauge", "The model version served, by the number of workers serving it.")
    tally: dict[ServedModel, int] = {}
    for model in served:
        tally[model] = tally.get(model, 0) + 1
    for model, n in sorted(tally.items(), key=lambda item: item[0].version):
        labels = (
            f'endpoint="{name}",version="{_escape(model.version)}",'
            f'model_id="{_escape(model.model_id)}",transform_id="{_escape(model.transform_id)}"'
        )
        lines.append(f"{PREFIX}_model_info{{{labels}}} {n}")
    header("workers", "gauge", "Worker processes answering requests.")
    lines.append(f'{PREFIX}_workers{{endpoint="{name}"}} {workers}')
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
