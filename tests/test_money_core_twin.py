"""H-core: `Money._make` (arithmetic, ``of``, ``zero``...) fills a mutable twin, then a Money."""

from __future__ import annotations

import pickle

import pytest

from paysupport import money
from paysupport.money import Money


def test_arithmetic_builds_an_immutable_money_without_the_slot_setters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(instance: object, value: object) -> None:
        raise AssertionError("a slot setter was called")

    a = Money.of("1.50", "EUR")
    monkeypatch.setattr(money, "_set_minor", refuse)
    monkeypatch.setattr(money, "_set_currency", refuse)
    total = a + a
    assert type(total) is Money
    assert (total.minor, total.currency.code) == (300, "EUR")
    assert total == Money.of("3.00", "EUR") and hash(total) == hash(Money.of("3.00", "EUR"))
    assert pickle.loads(pickle.dumps(total)) == total
    with pytest.raises(AttributeError, match="immutable"):
        total.minor = 1  # type: ignore[misc]
