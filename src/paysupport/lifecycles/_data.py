"""Reading event data (text) back into values, for guards and effects.

Guards call these to refuse missing or malformed data with a reason; effects call them
again once the guards have passed, so they never see bad data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from paysupport.errors import PaysupportError
from paysupport.money import Currency, Money

__all__ = ["data_datetime", "data_money", "missing", "money_problem"]


def missing(data: Mapping[str, str], *keys: str) -> str | None:
    """The refusal for the first key absent from ``data`` (or ``None``)."""
    for key in keys:
        if not data.get(key):
            return f"event data needs {key!r}"
    return None


def money_problem(text: str | None, currency: Currency, key: str = "amount") -> str | None:
    """Why ``text`` is not a positive amount in ``currency`` (``None`` when it is)."""
    if not text:
        return f"event data needs {key!r}"
    try:
        value = Money.parse(text)
    except (PaysupportError, ValueError) as exc:
        return f"{key} {text!r} is not an amount: {exc}"
    if value.currency is not currency:
        return f"{key} is in {value.currency.code}, the aggregate in {currency.code}"
    if not value.is_positive():
        return f"{key} must be above zero"
    return None


def data_money(text: str) -> Money:
    """Parse an amount a guard has already checked."""
    return Money.parse(text)


def data_datetime(text: str | None) -> datetime | None:
    """Parse an ISO 8601 timezone-aware datetime, or ``None`` if absent or not one."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        return None
    return value
