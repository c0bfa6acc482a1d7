"""The samples bundled with scikit-learn: `sklearn:iris`, `sklearn:breast_cancer`,
`sklearn:wine` and `sklearn:diabetes`.

They ship inside the scikit-learn package, so reading them needs no network, and they change
only when scikit-learn does: the fingerprint is the sample's name and scikit-learn's version,
known without importing scikit-learn (which takes over a second).
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING

from mlform.sdk import import_optional
from providers.dataset.problems import DatasetProblem
from providers.dataset.source import SKLEARN_DATASETS

if TYPE_CHECKING:
    import pyarrow as pa

LABEL = "target"
"""The name of the label column in every bundled sample, as scikit-learn calls it."""


def scikit_learn_version() -> str:
    try:
        return metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        raise DatasetProblem.at(
            ("source",),
            'the bundled samples come with the Python package "scikit-learn", which is not '
            "installed; install it with: pip install scikit-learn",
        ) from None


def bundled_fingerprint(name: str) -> str:
    return f"sklearn:{name}@scikit-learn=={scikit_learn_version()}"


def load_bundled(name: str) -> pa.Table:
    """The sample's features, in scikit-learn's order, then the `target` column."""
    if name not in SKLEARN_DATASETS:
        raise DatasetProblem.at(("source",), f'there is no bundled sample "{name}"')
    scikit_learn_version()
    datasets = import_optional("sklearn.datasets", "reading a bundled sample", "scikit-learn")
    arrow = import_optional("pyarrow", "reading a bundled sample")
    bunch = getattr(datasets, f"load_{name}")()
    names = [str(feature) for feature in bunch.feature_names]
    columns = [arrow.array(bunch.data[:, index]) for index in range(len(names))]
    return arrow.Table.from_arrays([*columns, arrow.array(bunch.target)], names=[*names, LABEL])
