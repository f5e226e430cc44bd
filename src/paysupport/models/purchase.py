"""What identifies a purchase's buyer, for Visa Compelling Evidence 3.0 (CE 3.0).

CE 3.0 lets a merchant answer a Visa 10.4 dispute with two earlier undisputed payments on
the same credential, 120 to 365 days old, whose buyer identifiers match the disputed
payment's (disputes.md §1.6; ``paysupport.networks.evidence.VISA_CE3``). A ``PurchaseRecord``
holds a payment's facts plus the identifiers the host knows (device, IP, shipping address,
account); ``ce3_prior_payments`` picks the prior payments that qualify.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import AwareDatetime

from paysupport.models._base import Identifier, PaysupportModel, SafeText
from paysupport.models.payment import Payment
from paysupport.networks import CompellingEvidence3, DisputeCategory
from paysupport.networks.evidence import VISA_CE3

__all__ = ["PurchaseRecord", "ce3_prior_payments"]

_DEVICE_OR_IP = ("device_id", "device_fingerprint", "ip_address")
_IDENTIFIERS = (*_DEVICE_OR_IP, "shipping_address", "account_id")


class PurchaseRecord(PaysupportModel):
    """One payment's facts and its buyer's identifiers.

    Attributes:
        payment_id: the payment.
        card_fingerprint: the credential (same fingerprint, same card).
        processed_at: when it was processed (captured, else created).
        disputed: a dispute was ever raised on it.
        fraud_reported: fraud was reported on it (a fraud dispute or an early fraud warning).
        device_id, device_fingerprint, ip_address, shipping_address, account_id: what the
            host recorded about the buyer (``None``: unknown).
    """

    payment_id: Identifier
    card_fingerprint: Identifier | None = None
    processed_at: AwareDatetime
    disputed: bool = False
    fraud_reported: bool = False
    device_id: Identifier | None = None
    device_fingerprint: Identifier | None = None
    ip_address: Identifier | None = None
    shipping_address: SafeText | None = None
    account_id: Identifier | None = None

    @classmethod
    def of(
        cls,
        payment: Payment,
        *,
        device_id: str | None = None,
        device_fingerprint: str | None = None,
        ip_address: str | None = None,
        shipping_address: str | None = None,
        account_id: str | None = None,
    ) -> PurchaseRecord:
        """The record of ``payment`` with the identifiers the host knows."""
        return cls(
            payment_id=payment.id,
            card_fingerprint=payment.payment_method.fingerprint,
            processed_at=payment.captured_at or payment.created_at,
            disputed=bool(payment.disputes),
            fraud_reported=payment.early_fraud_warning is not None
            or any(d.category is DisputeCategory.FRAUD for d in payment.disputes if d.catalogued),
            device_id=device_id,
            device_fingerprint=device_fingerprint,
            ip_address=ip_address,
            shipping_address=shipping_address,
            account_id=account_id,
        )

    def matching(self, other: PurchaseRecord) -> tuple[str, ...]:
        """The identifiers both records know and share, in a fixed order."""
        return tuple(
            name
            for name in _IDENTIFIERS
            if getattr(self, name) is not None and getattr(self, name) == getattr(other, name)
        )


def _days(earlier: datetime, later: datetime) -> int:
    return (later.date() - earlier.date()).days


def ce3_prior_payments(
    disputed: PurchaseRecord,
    prior: Iterable[PurchaseRecord],
    rule: CompellingEvidence3 = VISA_CE3,
) -> tuple[PurchaseRecord, ...]:
    """The prior payments that make CE 3.0 evidence available, or ``()`` when too few do.

    A prior payment qualifies when it is on the same credential, undisputed and without
    fraud reported, processed ``rule.min_age_days`` to ``rule.max_age_days`` days before the
    disputed one, and shares at least two identifiers with it, one of them the device ID,
    the device fingerprint or the IP address. The disputed payment must be processed on or
    after ``rule.effective_from``. Returns the qualifying payments, oldest first, when at
    least ``rule.prior_transactions`` qualify.
    """
    if disputed.card_fingerprint is None or disputed.processed_at.date() < rule.effective_from:
        return ()
    found = []
    for p in prior:
        if p.payment_id == disputed.payment_id or p.card_fingerprint != disputed.card_fingerprint:
            continue
        if p.disputed or p.fraud_reported:
            continue
        if not rule.accepts_age(_days(p.processed_at, disputed.processed_at)):
            continue
        shared = p.matching(disputed)
        if len(shared) >= 2 and any(s in _DEVICE_OR_IP for s in shared):
            found.append(p)
    if len(found) < rule.prior_transactions:
        return ()
    return tuple(sorted(found, key=lambda p: p.processed_at))
