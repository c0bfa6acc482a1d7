"""A toy provider for testing the engine: cheap, deterministic, and observable.

`toy` resources take a `value` (forces replacement) and may refer to an `upstream` toy. The
id depends on the value's lower-cased text only, so "A" -> "a" replaces the resource but
gives the same id: the case for early cutoff. `fail = true` makes apply fail; `reject = true` makes it return a complete result with an
error (a failed gate); `score` comes back as `metrics.score`; `sleep` makes it take a while. Every call is recorded in `calls`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from mlform.language.types import BOOL, NUMBER, STRING, MapType
from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    Artifact,
    Attribute,
    BlockSchema,
    DeleteRequest,
    DeleteResponse,
    PlanRequest,
    PlanResponse,
    Provider,
    ProviderDiagnostic,
    ProviderRegistry,
    ReadRequest,
    ReadResponse,
    ResourceRef,
    ResourceSchema,
)

SCHEMA = ResourceSchema(
    "toy",
    BlockSchema(
        attributes=(
            Attribute("value", STRING, required=True),
            Attribute("upstream", ResourceRef("toy")),
            Attribute("fail", BOOL, default=False),
            Attribute("sleep", NUMBER, default=0),
            Attribute("description", STRING, forces_replacement=False),
            Attribute("secret", STRING, sensitive=True),
            Attribute("score", NUMBER),
            Attribute("reject", BOOL, default=False),
            Attribute("result", STRING, computed=True),
            Attribute("metrics", MapType(NUMBER), computed=True),
            Attribute("out", STRING, computed=True),
        )
    ),
)


class ToyProvider(Provider):
    schema = SCHEMA
    version = "1.0.0"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.running = 0
        self.most_running = 0
        self.drifted: set[str] = set()
        self.upstream: dict[str, dict[str, Any]] = {}
        self.flavour = "plain"
        self._lock = threading.Lock()

    def read(self, request: ReadRequest) -> ReadResponse:
        with self._lock:
            self.calls.append(("read", request.address))
        if request.address in self.drifted:
            return ReadResponse({**request.outputs, "result": "changed"}, drift="it was poked")
        return ReadResponse(request.outputs)

    def plan(self, request: PlanRequest) -> PlanResponse:
        """Cacheable: nothing but the inputs shapes a toy (and the `flavour` of the day)."""
        return PlanResponse(build_inputs={"flavour": self.flavour})

    def apply(self, request: ApplyRequest) -> ApplyResponse:
        with self._lock:
            self.calls.append(("apply", request.address))
            self.upstream[request.address] = dict(request.upstream)
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            time.sleep(float(request.inputs.get("sleep") or 0))
            if request.inputs.get("fail"):
                return ApplyResponse(
                    diagnostics=[ProviderDiagnostic.error("it was told to fail", ("fail",))]
                )
            if request.prior_outputs is not None:  # update in place: description only
                return ApplyResponse(outputs=dict(request.prior_outputs))
            value = str(request.inputs["value"])
            text = f"{value.lower()}<-{request.inputs.get('upstream')}"
            path = request.workdir / "out.txt"
            path.write_text(text)
            digest = hashlib.sha256(text.encode()).hexdigest()
            outputs: dict[str, Any] = {"id": digest, "result": value.lower()}
            if request.inputs.get("score") is not None:
                outputs["metrics"] = {"score": request.inputs["score"]}
            rejected = []
            if request.inputs.get("reject"):  # a complete result that fails its gate
                rejected = [ProviderDiagnostic.error("the score is too low", ("reject",))]
            return ApplyResponse(outputs, [Artifact("out", path)], rejected)
        finally:
            with self._lock:
                self.running -= 1

    def delete(self, request: DeleteRequest) -> DeleteResponse:
        with self._lock:
            self.calls.append(("delete", request.address))
        return DeleteResponse()

    def applied(self) -> list[str]:
        return [address for verb, address in self.calls if verb == "apply"]

    def deleted(self) -> list[str]:
        return [address for verb, address in self.calls if verb == "delete"]


def registry(provider: ToyProvider) -> ProviderRegistry:
    return ProviderRegistry.from_mapping({"toy": provider})
