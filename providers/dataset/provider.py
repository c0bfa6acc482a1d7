"""The dataset provider: schema and validation now; reading and storing come later."""

from __future__ import annotations

from mlform.sdk import Provider, ValidateRequest, ValidateResponse
from providers.common import VERSION
from providers.dataset.schema import SCHEMA
from providers.dataset.validate import validate_dataset


class DatasetProvider(Provider):
    schema = SCHEMA
    version = VERSION

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse(validate_dataset(SCHEMA.block.with_defaults(request.config)))
