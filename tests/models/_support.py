from __future__ import annotations

from datetime import UTC, datetime

from paysupport.money import Money

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")
