"""The `model` resource kind: a model trained on a split with XGBoost, TensorFlow (layers in
HCL or a Keras model from injected code) or injected Python training code."""

from providers.model.provider import ModelProvider

provider = ModelProvider()

__all__ = ["ModelProvider", "provider"]
