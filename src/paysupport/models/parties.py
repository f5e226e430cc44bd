"""The people and businesses around a payment: merchant, customer, operator."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, Field, NonNegativeInt

from paysupport.models._base import Identifier, PaysupportModel, SafeText, model_rule, rule_error
from paysupport.money import Money

__all__ = [
    "Customer",
    "Merchant",
    "MerchantSegment",
    "Operator",
    "PastRefund",
    "Tier",
]


class Tier(StrEnum):
    """Operator seniority: juniors work simple cases under supervision, seniors the risky ones."""

    JUNIOR = "junior"
    MIDDLE = "middle"
    SENIOR = "senior"

    @property
    def rank(self) -> int:
        """0 for junior, 1 for middle, 2 for senior: compare tiers by rank."""
        return _TIER_RANK[self]

    def bump(self, steps: int = 1) -> Tier:
        """The tier ``steps`` above this one, capped at senior."""
        return _TIERS[min(self.rank + steps, len(_TIERS) - 1)]

    def __ge__(self, other: object) -> bool:
        if isinstance(other, Tier):
            return self.rank >= other.rank
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, Tier):
            return self.rank > other.rank
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, Tier):
            return self.rank <= other.rank
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, Tier):
            return self.rank < other.rank
        return NotImplemented


_TIERS = (Tier.JUNIOR, Tier.MIDDLE, Tier.SENIOR)
_TIER_RANK = {t: i for i, t in enumerate(_TIERS)}


class MerchantSegment(StrEnum):
    """The merchant's size and importance; enterprise and VIP merchants get senior operators."""

    SMALL = "small"
    MEDIUM = "medium"
    ENTERPRISE = "enterprise"
    VIP = "vip"


class Merchant(PaysupportModel):
    """A business that takes payments."""

    id: Identifier
    name: SafeText
    segment: MerchantSegment = MerchantSegment.SMALL
    market: str = Field(default="US", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    mcc: str | None = Field(default=None, pattern=r"^\d{4}$", description="merchant category code")


class PastRefund(PaysupportModel):
    """A refund the customer received before: when, how much, and why."""

    at: AwareDatetime
    amount: Money
    reason: str = "requested_by_customer"
    merchant_id: Identifier | None = None


class Customer(PaysupportModel):
    """A paying customer, with the history summary that refund and risk policies read."""

    id: Identifier
    created_at: AwareDatetime | None = None
    past_refunds: tuple[PastRefund, ...] = ()
    disputes_filed: NonNegativeInt = 0
    payments_count: NonNegativeInt = 0
    support_contacts: NonNegativeInt = 0
    note: SafeText | None = None

    def refunds_since(self, since: AwareDatetime) -> tuple[PastRefund, ...]:
        """The past refunds at or after ``since`` (the host passes ``now - window``)."""
        return tuple(r for r in self.past_refunds if r.at >= since)


class Operator(PaysupportModel):
    """A support operator: their tier and, optionally, personal approval limits.

    The tier's limits come from the authority policy
    (`OperatorAuthority`). ``refund_limits`` can only narrow
    them: when it is set, the operator may approve alone at most the smaller of their tier's
    limit and their own in that currency, and nothing in a currency it does not list; when
    it is empty, the tier's limits apply as they are.
    """

    id: Identifier
    name: SafeText = ""
    tier: Tier
    refund_limits: dict[str, Money] = Field(default_factory=dict)
    active: bool = True

    @model_rule
    def _limits_match_their_currency(self) -> Self:
        for code, limit in self.refund_limits.items():
            if limit.currency.code != code:
                raise rule_error(
                    f"refund_limits.{code}",
                    "limit_currency_matches_key",
                    f"refund_limits[{code!r}] is in {limit.currency.code}",
                )
            if limit.is_negative():
                raise rule_error(
                    f"refund_limits.{code}",
                    "limit_non_negative",
                    f"refund_limits[{code!r}] is negative",
                )
        return self

    def limit_for(self, currency_code: str) -> Money | None:
        """The approval limit in a currency, or ``None`` when the operator has none in it."""
        return self.refund_limits.get(currency_code)
