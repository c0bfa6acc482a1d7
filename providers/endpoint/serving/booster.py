"""The model provider's xgboost predictor, called on a float32 feature matrix instead of a
pandas frame.

`Predictor.predict(frame)` first copies the frame into a float32 matrix column by column;
for one served row that copy and the frame cost more than the trees. The serving process
builds the matrix itself (`RowPlan`) and asks the booster for its output the way the
predictor's `outputs(matrix)` does, then decodes it as `predict` does.

For a few rows, `Booster.inplace_predict` spends most of its time around the trees: Python
building the array interface and the arguments as JSON and copying the result out through
several helpers, and in C a new proxy DMatrix per call, whose construction reads the cgroup's
CPU quota files (five file system calls, about 90 us on this machine, measured with strace).
`DensePrediction` makes the same C call (`XGBoosterPredictFromDense`, with the arguments
`inplace_predict` passes) with the arguments prepared once and one proxy DMatrix kept for all
calls (the C API's own parameter for that), which halves the time of a one-row prediction. `Pipeline` uses all this only once
it has checked, on probe rows, that it gives exactly what `predict(frame)` gives. The booster
predicts with one thread: on two cores, more threads are slower and much noisier (FACTS.md).
"""

from __future__ import annotations

import ctypes
import logging
import math
from typing import Any

import numpy as np

from providers.model.labels import class_array
from providers.model.training import Predictions, Task

logger = logging.getLogger("mlform.serving")


class DensePrediction:
    """`booster.inplace_predict(matrix, predict_type=...)` for a float32 matrix, without the
    Python around the C call and with one proxy DMatrix for every call. Built only where
    xgboost exposes what it needs. Not for concurrent calls: the proxy holds each call's
    input, and a worker predicts on one thread."""

    def __init__(self, booster: Any, margin: bool) -> None:
        from xgboost.core import _LIB, XGBoostError, c_bst_ulong, make_jcargs

        self.booster = booster  # keeps the handle alive
        self.library = _LIB
        self.proxy = ctypes.c_void_p()
        if _LIB.XGProxyDMatrixCreate(ctypes.byref(self.proxy)) != 0:
            raise AttributeError("xgboost could not create a proxy DMatrix")
        self.function = _LIB.XGBoosterPredictFromDense
        self.last_error = _LIB.XGBGetLastError
        self.error_type = XGBoostError
        self.size_type = c_bst_ulong
        self.arguments = make_jcargs(
            type=1 if margin else 0,
            training=False,
            iteration_begin=0,
            iteration_end=0,
            missing=float("nan"),
            strict_shape=False,
            cache_id=0,
        )

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        rows, columns = matrix.shape
        interface = (
            b'{"data":[%d,true],"shape":[%d,%d],"strides":null,"typestr":"<f4","version":3}'
            % (
                matrix.ctypes.data,
                rows,
                columns,
            )
        )
        predictions = ctypes.POINTER(ctypes.c_float)()
        shape = ctypes.POINTER(self.size_type)()
        dimensions = self.size_type()
        status = self.function(
            self.booster.handle,
            interface,
            self.arguments,
            self.proxy,
            ctypes.byref(shape),
            ctypes.byref(dimensions),
            ctypes.byref(predictions),
        )
        if status != 0:
            raise self.error_type(self.last_error().decode("utf-8", "replace"))
        sizes = tuple(int(shape[index]) for index in range(dimensions.value))
        count = math.prod(sizes)
        copied = ctypes.string_at(predictions, count * 4)  # the booster reuses its buffer
        return np.frombuffer(copied, dtype=np.float32).reshape(sizes)

    def __del__(self) -> None:
        proxy = getattr(self, "proxy", None)
        if proxy is not None and proxy.value:
            self.library.XGDMatrixFree(proxy)
            self.proxy = ctypes.c_void_p()


class BoosterModel:
    def __init__(self, predictor: Any, direct: bool = True) -> None:
        from providers.model.xgboost_predictor import PROBABILITY_OBJECTIVES

        self.predictor = predictor
        self.task: Task = predictor.task
        self.objective = str(getattr(predictor, "objective", ""))
        self.classes = class_array(predictor.classes or ())
        margin = self.task.is_classification and self.objective not in PROBABILITY_OBJECTIVES
        self.outputs = predictor.outputs
        if direct:
            try:
                self.outputs = DensePrediction(predictor.booster, margin)
            except (ImportError, AttributeError) as error:
                logger.info("predicting through inplace_predict: %s", error)

    @classmethod
    def wrap(cls, predictor: Any, direct: bool = True) -> BoosterModel | None:
        """The fast route for an xgboost predictor; None for another kind of model."""
        from providers.model.xgboost_predictor import XGBoostPredictor

        if type(predictor) is not XGBoostPredictor:
            return None
        predictor.booster.set_param({"nthread": 1})
        return cls(predictor, direct)

    def predict(self, matrix: np.ndarray) -> Predictions:
        """Predictions for a (rows x features) float32 matrix in the model's feature order."""
        from providers.model.xgboost_predictor import _sigmoid, _softmax

        output = self.outputs(matrix)
        if self.task is Task.REGRESSION:
            return Predictions(values=output.astype(np.float64, copy=False))
        if self.task is Task.BINARY:
            positive = output if self.objective == "binary:logistic" else _sigmoid(output)
            probabilities = np.column_stack([1.0 - positive, positive])
        else:
            shaped = output.reshape(len(matrix), -1)
            probabilities = shaped if self.objective == "multi:softprob" else _softmax(shaped)
        values = self.classes[np.argmax(probabilities, axis=1)]
        return Predictions(values=values, probabilities=probabilities)
