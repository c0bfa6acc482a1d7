"""Importing Keras quietly, and making its training repeatable.

tensorflow takes seconds to import and prints C++ logs on the way; mlform imports it only in
the process that trains or loads a tensorflow model, through `import_keras`, never when a
module is imported. `make_deterministic` is what "same inputs and seed, same weights" needs:
seeded generators, TensorFlow's deterministic kernels, and a fixed number of threads, since
how Eigen splits a sum between threads changes its rounding.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def import_keras() -> tuple[Any, Any]:
    """keras and tensorflow, imported with TensorFlow's C++ info and warning logs off
    (unless TF_CPP_MIN_LOG_LEVEL says otherwise) and Keras on its tensorflow backend."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"Keras runs on its {keras.backend.backend()} backend (KERAS_BACKEND); mlform's "
            "tensorflow models need KERAS_BACKEND=tensorflow"
        )
    return keras, tf


def make_deterministic(seed: int, threads: int | None) -> None:
    """Seed Python's, numpy's and TensorFlow's generators, ask TensorFlow for deterministic
    kernels, and run its ops on `threads` threads (1 by default).

    The thread counts can only be set before TensorFlow starts its runtime; in a process that
    has run TensorFlow already they stay as they were, which keeps runs within that process
    repeatable but not necessarily equal to a fresh process's with another count.
    """
    keras, tf = import_keras()
    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
    count = int(threads or 1)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(count)
        tf.config.threading.set_inter_op_parallelism_threads(count)
    except RuntimeError:  # the runtime is initialised already: the counts cannot change
        pass


@contextmanager
def numpy_copy_warnings_ignored() -> Iterator[None]:
    """Keras 3.15 turns TensorFlow tensors into numpy arrays in a way numpy 2 deprecates, for
    every metric of every epoch and every variable saved: a warning nobody can act on."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "__array__ implementation doesn't accept a copy keyword", DeprecationWarning
        )
        yield
