"""The practical limit the endpoint is measured against: a minimal starlette app serving the
same xgboost model, with no preprocessing (the client sends the model's feature vectors).

    MLFORM_REFERENCE_MODEL=DIR/model.json uvicorn --factory serving_reference:create_app

`POST /predict` with `{"instances": [[feature, ...], ...]}` answers
`{"predictions": [p, ...]}`: xgboost's output for each row, one thread, as the endpoint does.
"""

from __future__ import annotations

import os

import numpy as np
import xgboost
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def create_app() -> Starlette:
    booster = xgboost.Booster(model_file=os.environ["MLFORM_REFERENCE_MODEL"])
    booster.set_param({"nthread": 1})

    async def predict(request: Request) -> JSONResponse:
        data = await request.json()
        matrix = np.asarray(data["instances"], dtype=np.float32)
        return JSONResponse({"predictions": booster.inplace_predict(matrix).tolist()})

    return Starlette(routes=[Route("/predict", predict, methods=["POST"])])
