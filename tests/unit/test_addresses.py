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


def test_sort_key_orders_by_resource_then_no_key_numbers_strings():
    texts = ['model.b["x"]', "model.b[10]", "dataset.z", "model.b[2]", "model.b", 'model.b["a"]']
    ordered = sorted((Address.parse(t) for t in texts), key=lambda a: a.sort_key)
    assert [str(a) for a in ordered] == [
        "dataset.z",
        "model.b",
        "model.b[2]",
        "model.b[10]",
        'model.b["a"]',
        'model.b["x"]',
    ]
