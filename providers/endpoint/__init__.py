"""The `endpoint` resource kind: a model served over HTTP (Open Inference Protocol and TF
Serving style), raw rows in and predictions out, in a local process or a Docker container."""

from providers.endpoint.provider import EndpointProvider

provider = EndpointProvider()

__all__ = ["EndpointProvider", "provider"]
