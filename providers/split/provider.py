"""The split provider: schema and validation now; splitting and fitting come later."""

from __future__ import annotations

from mlform.sdk import Provider, ValidateRequest, ValidateResponse
from providers.common import VERSION
from providers.split.schema import SCHEMA
from providers.split.validate import validate_split


class SplitProvider(Provider):
    schema = SCHEMA
    version = VERSION

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse(validate_split(SCHEMA.block.with_defaults(request.config)))
