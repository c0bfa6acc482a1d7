"""The `split` resource kind: a dataset partitioned into train and valid/eval/test parts by
ratio, order, category, hash or strata, with preprocessing fitted on the train part only."""

from providers.split.provider import SplitProvider

provider = SplitProvider()

__all__ = ["SplitProvider", "provider"]
