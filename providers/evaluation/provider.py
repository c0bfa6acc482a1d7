"""The evaluation provider: schema and validation now; scoring comes later."""

from __future__ import annotations

from mlform.sdk import Provider, ValidateRequest, ValidateResponse
from providers.common import VERSION
from providers.evaluation.schema import SCHEMA
from providers.evaluation.validate import validate_evaluation


class EvaluationProvider(Provider):
    schema = SCHEMA
    version = VERSION

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse(validate_evaluation(SCHEMA.block.with_defaults(request.config)))
