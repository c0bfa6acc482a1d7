from __future__ import annotations

import pytest

from mlform.addresses import Address
from mlform.errors import MlformError


@pytest.mark.parametrize(
    ("address", "text"),
    [
        (Address("model", "churn"), "model.churn"),
        (Address("model", "churn", "deep"), 'model.churn["deep"]'),
        (Address("dataset", "d", 0), "dataset.d[0]"),
        (Address("model", "m", 'a"b'), 'model.m["a\\"b"]'),
    ],
)
def test_round_trip(address, text):
    assert str(address) == text
    assert Address.parse(text) == address


@pytest.mark.parametrize("text", ["model", "model.", "model.churn[", "1model.x", 'model.x["a]'])
def test_parse_rejects_with_a_hint(text):
    with pytest.raises(MlformError, match="KIND.NAME"):
        Address.parse(text)


def test_resource_drops_the_key():
    assert Address("model", "m", "deep").resource == "model.m"
