"""A merchant portfolio: the records an account manager or a support desk works from.

A container with referential integrity: every payment's merchant is known, every case names
payments that exist, ids are unique. Hosts load one from their store; the command-line front
end loads the bundled sample.
"""

from __future__ import annotations

from typing import Self, TypeVar

from paysupport.errors import NotFound
from paysupport.models._base import PaysupportModel, SafeText, model_rule, rule_error
from paysupport.models.case import SupportCase
from paysupport.models.failure import PaymentFailure
from paysupport.models.parties import Customer, Merchant, Operator
from paysupport.models.payment import Payment

__all__ = ["Portfolio"]

_T = TypeVar("_T", Merchant, Customer, Payment)


class Portfolio(PaysupportModel):
    """Merchants, customers, operators, payments, failures and cases, cross-checked."""

    description: SafeText = ""
    merchants: tuple[Merchant, ...] = ()
    customers: tuple[Customer, ...] = ()
    operators: tuple[Operator, ...] = ()
    payments: tuple[Payment, ...] = ()
    failures: tuple[PaymentFailure, ...] = ()
    cases: tuple[SupportCase, ...] = ()

    @model_rule
    def _references_resolve(self) -> Self:
        for kind in ("merchants", "customers", "operators", "payments", "failures", "cases"):
            ids = [r.id for r in getattr(self, kind)]
            if len(ids) != len(set(ids)):
                raise rule_error(kind, "unique_ids", f"{kind} has repeated ids")
        merchants = {m.id for m in self.merchants}
        customers = {c.id for c in self.customers}
        payments = {p.id for p in self.payments}
        disputes = {d.id for p in self.payments for d in p.disputes}
        for i, p in enumerate(self.payments):
            if p.merchant_id not in merchants:
                raise rule_error(f"payments.{i}.merchant_id", "known_merchant", p.merchant_id)
            if p.customer_id is not None and p.customer_id not in customers:
                raise rule_error(f"payments.{i}.customer_id", "known_customer", p.customer_id)
        for i, f in enumerate(self.failures):
            if f.merchant_id not in merchants:
                raise rule_error(f"failures.{i}.merchant_id", "known_merchant", f.merchant_id)
        for i, c in enumerate(self.cases):
            for pid in c.payment_ids:
                if pid not in payments:
                    raise rule_error(f"cases.{i}.payment_ids", "known_payment", pid)
            if c.dispute_id is not None and c.dispute_id not in disputes:
                raise rule_error(f"cases.{i}.dispute_id", "known_dispute", c.dispute_id)
        return self

    def merchant(self, merchant_id: str) -> Merchant:
        """The merchant with this id.

        Raises:
            NotFound: no merchant has that id (``field="merchant_id"``).
        """
        return _find(self.merchants, merchant_id, "merchant")

    def customer(self, customer_id: str) -> Customer:
        """The customer with this id.

        Raises:
            NotFound: no customer has that id (``field="customer_id"``).
        """
        return _find(self.customers, customer_id, "customer")

    def payment(self, payment_id: str) -> Payment:
        """The payment with this id.

        Raises:
            NotFound: no payment has that id (``field="payment_id"``).
        """
        return _find(self.payments, payment_id, "payment")


def _find(items: tuple[_T, ...], key: str, kind: str) -> _T:
    for item in items:
        if item.id == key:
            return item
    raise NotFound(kind, str(key), f"{kind}_id")
