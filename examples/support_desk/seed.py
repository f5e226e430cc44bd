"""Seed a database with the bundled sample portfolio and a few operators.

The sample (``paysupport/sample/portfolio.json``) is package data, read through
:mod:`importlib.resources`; reading files is the host's job, never the library's.
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources

from examples.support_desk.repository import UnitOfWork

from paysupport.models import (
    Customer,
    Merchant,
    Operator,
    Payment,
    PaymentFailure,
    Portfolio,
    SupportCase,
    Tier,
)
from paysupport.money import Money

#: Operators the sample desk starts with: one of each tier, limits per currency.
DEFAULT_OPERATORS: tuple[Operator, ...] = (
    Operator(
        id="op_junior",
        name="Jo Junior",
        tier=Tier.JUNIOR,
        refund_limits={"EUR": Money.of("100", "EUR"), "USD": Money.of("100", "USD")},
    ),
    Operator(id="op_middle", name="Mo Middle", tier=Tier.MIDDLE),
    Operator(id="op_senior", name="Sam Senior", tier=Tier.SENIOR),
)


def sample_portfolio() -> tuple[Portfolio, datetime]:
    """The bundled sample portfolio, validated, and the "now" its data is written for."""
    text = resources.files("paysupport.sample").joinpath("portfolio.json").read_text("utf-8")
    raw = json.loads(text)
    now = datetime.fromisoformat(raw.pop("now"))
    return Portfolio.model_validate(raw), now


def seed(uow: UnitOfWork, portfolio: Portfolio | None = None) -> int:
    """Store a portfolio (default: the sample) and the default operators; return the count.

    Records already stored are left as they are, so seeding twice is harmless.
    """
    portfolio = portfolio if portfolio is not None else sample_portfolio()[0]
    stored = 0
    with uow:
        records: tuple[
            Merchant | Customer | Operator | Payment | PaymentFailure | SupportCase, ...
        ] = (
            *portfolio.merchants,
            *portfolio.customers,
            *(portfolio.operators or DEFAULT_OPERATORS),
            *portfolio.payments,
            *portfolio.failures,
            *portfolio.cases,
        )
        for record in records:
            if uow.aggregates.find(type(record), record.id) is None:
                uow.aggregates.save(record)
                stored += 1
        uow.commit()
    return stored
