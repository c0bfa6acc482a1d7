"""The endpoint provider: schema and validation now; serving comes later."""

from __future__ import annotations

from mlform.sdk import Provider, ValidateRequest, ValidateResponse
from providers.common import VERSION
from providers.endpoint.schema import SCHEMA
from providers.endpoint.validate import validate_endpoint


class EndpointProvider(Provider):
    schema = SCHEMA
    version = VERSION

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse(validate_endpoint(SCHEMA.block.with_defaults(request.config)))
