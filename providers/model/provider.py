"""The model provider: schema and validation now; training comes later."""

from __future__ import annotations

from mlform.sdk import Provider, ValidateRequest, ValidateResponse
from providers.common import VERSION
from providers.model.schema import SCHEMA
from providers.model.validate import validate_model


class ModelProvider(Provider):
    schema = SCHEMA
    version = VERSION

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse(validate_model(SCHEMA.block.with_defaults(request.config)))
