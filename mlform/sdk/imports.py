"""Importing optional dependencies, with a message that says what to install.

Providers import heavy libraries (pandas, xgboost, tensorflow, docker) inside the method
that needs them, through `import_optional`, so that `mlform --help` stays fast and a missing
library is reported as "install X" rather than as a traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Import names whose package on PyPI is called something else.
PACKAGE_NAMES = {
    "sklearn": "scikit-learn",
    "yaml": "PyYAML",
    "PIL": "Pillow",
    "cv2": "opencv-python",
    "google": "google-cloud-storage",
    "psycopg2": "psycopg2-binary",
    "MySQLdb": "mysqlclient",
    "dateutil": "python-dateutil",
}


def package_for_module(module: str) -> str:
    """The package to `pip install` for an import name (`sklearn` -> `scikit-learn`)."""
    top = module.split(".")[0]
    return PACKAGE_NAMES.get(top, top)


def is_missing(error: ImportError, module: str) -> bool:
    """Whether `error` says that `module` itself (or a parent package of it) is not installed,
    as opposed to a failure inside it."""
    missing = error.name
    if not isinstance(error, ModuleNotFoundError) or not missing:
        return False
    return module == missing or module.startswith(missing + ".")


def import_optional(module: str, needed_by: str, package: str | None = None) -> ModuleType:
    """Import `module`, or raise `MissingDependencyError` naming the package to install.

    `needed_by` completes the message: `reading Parquet needs the Python package "pyarrow"`.
    `package` names the package when `module` itself is missing and its name differs; when a
    dependency of `module` is missing instead, that dependency is named.
    """
    from mlform.sdk.errors import MissingDependencyError

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if not error.name:
            raise
        if is_missing(error, module):
            raise MissingDependencyError(
                package or package_for_module(error.name), needed_by
            ) from error
        raise MissingDependencyError(package_for_module(error.name), needed_by) from error
