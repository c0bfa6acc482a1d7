"""Errors of the provider SDK: a resource kind nobody provides, a provider that will not load."""

from __future__ import annotations

from collections.abc import Sequence

from mlform.errors import MlformError
from mlform.sdk.wording import did_you_mean


class ProviderError(MlformError):
    """A provider could not be found or loaded."""


class UnknownKindError(ProviderError):
    """No installed provider serves a resource kind the configuration uses."""

    def __init__(self, kind: str, installed: Sequence[str]):
        self.kind = kind
        self.installed = sorted(installed)
        if self.installed:
            message = (
                f'no provider for resource kind "{kind}"'
                f"{did_you_mean(kind, self.installed, otherwise='.')}"
                f" Installed kinds: {', '.join(self.installed)}."
            )
        else:
            message = (
                f'no provider for resource kind "{kind}", and no provider is installed at all; '
                "reinstall mlform so that its built-in providers are registered."
            )
        super().__init__(message)


class ProviderLoadError(ProviderError):
    """A provider's package is installed but cannot be loaded (a broken entry point, a bug)."""


class MissingDependencyError(ProviderLoadError):
    """A provider needs a Python package that is not installed."""

    def __init__(self, package: str, needed_by: str):
        self.package = package
        self.needed_by = needed_by
        super().__init__(
            f'{needed_by} needs the Python package "{package}", which is not installed; '
            f"install it with: pip install {package}"
        )
