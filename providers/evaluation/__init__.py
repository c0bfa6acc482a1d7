"""The `evaluation` resource kind: a model's metrics on one part of its split, overall and per
slice, with custom metrics from injected code and thresholds that gate serving."""

from providers.evaluation.provider import EvaluationProvider

provider = EvaluationProvider()

__all__ = ["EvaluationProvider", "provider"]
