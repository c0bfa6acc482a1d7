"""The `dataset` resource kind: rows read from a CSV, Parquet or JSON Lines file, a SQL
database or a bundled sample, filtered and sampled, and stored as Parquet."""

from providers.dataset.provider import DatasetProvider

provider = DatasetProvider()

__all__ = ["DatasetProvider", "provider"]
