"""Hypothesis strategies for money and every model, valid by construction.

Every strategy only produces objects whose invariants hold (amounts within what was captured,
one currency per payment, aware datetimes, reason codes from the catalogue), so a property can
quantify over them without filtering. Keyword knobs narrow the space: currencies, amount
ranges, networks, reason-code categories, states, and dates relative to a given ``now``.

    >>> from hypothesis import given
    >>> from paysupport.testing import strategies as ps
    >>> @given(ps.payments(currencies=["EUR"], max_minor=10_000))
    ... def test_refundable_never_negative(payment):
    ...     assert not payment.amount_refundable.is_negative()

Importing this module registers a strategy for every model with
`hypothesis.strategies.register_type_strategy`, so ``st.from_type(Payment)`` works; the
Hypothesis plugin entry point does that import for you.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from paysupport.models import (
    Capture,
    Card,
    CardBrand,
    CaseStatus,
    Channel,
    ClaimKind,
    Customer,
    Dispute,
    DisputeStatus,
    EarlyFraudWarning,
    Evidence,
    Funding,
    Initiator,
    Merchant,
    MerchantSegment,
    Operator,
    PastRefund,
    Payment,
    PaymentFailure,
    PaymentMethod,
    PaymentStatus,
    Portfolio,
    Priority,
    RecoveryStatus,
    Refund,
    RefundReason,
    RefundRequest,
    RefundStatus,
    RequesterKind,
    SupportCase,
    Tier,
)
from paysupport.models.dispute import DISPUTE_STATES
from paysupport.money import Currency, Money, currencies, currency
from paysupport.networks import (
    DisputeCategory,
    DisputeStage,
    EvidenceKind,
    Network,
    ReasonCode,
    decline_codes,
    network_rules,
    reason_codes,
)
from paysupport.providers import stripe_declines

__all__ = [
    "DEFAULT_NOW",
    "cards",
    "currencies_",
    "customers",
    "disputes",
    "evidence",
    "merchants",
    "money",
    "operators",
    "payment_failures",
    "payments",
    "portfolios",
    "reason_codes_",
    "refund_requests",
    "refunds",
    "support_cases",
]

#: The reference "now" strategies date things relative to, unless one is passed.
DEFAULT_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

_COMMON = ("EUR", "USD", "GBP", "JPY", "KWD", "CLF", "BRL", "INR")
_CARD_BRAND = {
    Network.VISA: CardBrand.VISA,
    Network.MASTERCARD: CardBrand.MASTERCARD,
    Network.AMEX: CardBrand.AMEX,
    Network.DISCOVER: CardBrand.DISCOVER,
}
_STRIPE_DECLINES = list(stripe_declines())
_ISO_DECLINES = [d.code for d in decline_codes() if d.severity is not None]
_STATUS_ORDER = (
    PaymentStatus.CAPTURED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.PARTIALLY_CAPTURED,
    PaymentStatus.AUTHORIZED,
    PaymentStatus.PENDING,
    PaymentStatus.CANCELED,
    PaymentStatus.FAILED,
)
_UNCAPTURED = frozenset(
    {PaymentStatus.PENDING, PaymentStatus.AUTHORIZED, PaymentStatus.CANCELED, PaymentStatus.FAILED}
)
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_LETTERS = _LOWER + _LOWER.upper()
_DIGITS = "0123456789"
# Plain text strategies rather than regex ones: the same shapes at a fraction of the cost
# per draw (regex drawing dominated the kit's generation time).
_ids = st.builds(
    "{}_{}".format,
    st.text(_LOWER, min_size=2, max_size=4),
    st.text(_DIGITS + _LETTERS, min_size=1, max_size=10),
)
_last4 = st.integers(0, 9999).map("{:04d}".format)
_fingerprints = st.text(_LETTERS, min_size=8, max_size=16)
_doc_references = st.text(_LOWER + _DIGITS, min_size=4, max_size=4).map("doc_{}".format)


def _sorted_codes(codes: Sequence[str] | None) -> list[Currency]:
    return [currency(c) for c in (codes or _COMMON)]


def currencies_(codes: Sequence[str] | None = None) -> st.SearchStrategy[Currency]:
    """Currencies: the given codes, or common ones mixed with every ISO exponent (0, 2, 3, 4).

    Without codes, half the draws come from a few common currencies and half from all of
    ISO 4217 by exponent (0 decimals in two draws of five; 2, 3 and 4 in one each).
    """
    return _currencies_cached(None if codes is None else tuple(codes))


@functools.cache
def _currencies_cached(codes: tuple[str, ...] | None) -> st.SearchStrategy[Currency]:
    # Strategies are immutable: building one per draw only costs Hypothesis validation time.
    if codes is None:
        by_exponent: dict[int, list[Currency]] = {}
        for c in currencies():
            by_exponent.setdefault(c.exponent, []).append(c)
        # Every exponent often, zero decimals (JPY, KRW: the usual victim of code that
        # assumes cents) twice as often: such a rule meets them in every run.
        exponents = st.sampled_from([0, *sorted(by_exponent)])
        return st.sampled_from(_sorted_codes(None)) | exponents.flatmap(
            lambda e: st.sampled_from(by_exponent[e])
        )
    return st.sampled_from(_sorted_codes(codes))


def money(
    currencies: Sequence[str] | None = None,
    *,
    min_minor: int = 0,
    max_minor: int = 10**9,
) -> st.SearchStrategy[Money]:
    """Money between ``min_minor`` and ``max_minor`` minor units in the given currencies."""
    return st.builds(Money.from_minor, st.integers(min_minor, max_minor), currencies_(currencies))


def _before(now: datetime, max_days: int, min_seconds: int = 0) -> st.SearchStrategy[datetime]:
    """Aware datetimes between ``max_days`` before ``now`` and ``min_seconds`` before it."""
    return st.integers(min_seconds, max(min_seconds, max_days * 86_400)).map(
        lambda s: now - timedelta(seconds=s)
    )


def cards(brands: Sequence[CardBrand] | None = None) -> st.SearchStrategy[Card]:
    """Cards: brand, last four digits and a fingerprint; never a full number."""
    return _cards_cached(tuple(brands or (CardBrand.VISA, CardBrand.MASTERCARD)))


@functools.cache
def _cards_cached(brands: tuple[CardBrand, ...]) -> st.SearchStrategy[Card]:
    return st.builds(
        Card,
        brand=st.sampled_from(brands),
        last4=_last4,
        fingerprint=_fingerprints,
        funding=st.sampled_from(list(Funding)),
    )


def reason_codes_(
    networks: Sequence[Network | str] | None = None,
    categories: Sequence[DisputeCategory] | None = None,
) -> st.SearchStrategy[ReasonCode]:
    """Catalogue reason codes, narrowed by network and category."""
    nets = {Network.parse(n) if isinstance(n, str) else n for n in networks or list(Network)}
    cats = set(categories or list(DisputeCategory))
    # Network, then category, then code: every (network, category) pair is drawn evenly,
    # however many codes each holds.
    groups: dict[tuple[Network, DisputeCategory], list[ReasonCode]] = {}
    for rc in reason_codes():
        if rc.network in nets and rc.category in cats:
            groups.setdefault((rc.network, rc.category), []).append(rc)
    if not groups:
        raise ValueError("no reason code matches the given networks and categories")
    return st.sampled_from(sorted(groups)).flatmap(lambda key: st.sampled_from(groups[key]))


def evidence(kinds: Sequence[EvidenceKind] | None = None) -> st.SearchStrategy[Evidence]:
    """Evidence records of the given kinds."""
    return st.builds(
        Evidence,
        kind=st.sampled_from(list(kinds or list(EvidenceKind))),
        description=st.sampled_from(["", "tracking 1Z999", "signed delivery note", "refund re_1"]),
        reference=st.none() | _doc_references,
    )


@st.composite
def disputes(
    draw: st.DrawFn,
    *,
    payment_id: str = "pay_gen",
    amount: Money | None = None,
    currencies: Sequence[str] | None = None,
    networks: Sequence[Network | str] | None = None,
    categories: Sequence[DisputeCategory] | None = None,
    stages: Sequence[DisputeStage] | None = None,
    statuses: Sequence[DisputeStatus] | None = None,
    now: datetime = DEFAULT_NOW,
) -> Dispute:
    """Disputes with a catalogue reason code, a stage the network has, and a deadline."""
    rc = draw(reason_codes_(networks, categories))
    allowed = [s for s in network_rules(rc.network).stages if s in rc.stages] or [
        DisputeStage.CHARGEBACK
    ]
    if stages is not None:
        allowed = [s for s in allowed if s in stages] or allowed
    stage = draw(st.sampled_from(allowed))
    # The model's one table of declared stage x status pairs decides which statuses exist
    # at the stage (a status the table does not declare there would be refused).
    declared = [st_.status for st_ in DISPUTE_STATES if st_.stage is stage]
    wanted = [x for x in declared if statuses is None or x in statuses] or declared
    status = draw(st.sampled_from(wanted))
    opened = draw(_before(now, 120))
    due = draw(st.none() | st.integers(1, 45).map(lambda d: opened + timedelta(days=d)))
    value = amount if amount is not None else draw(money(currencies, min_minor=1, max_minor=10**7))
    return Dispute(
        id=draw(_ids),
        payment_id=payment_id,
        network=rc.network,
        reason_code=rc.code,
        stage=stage,
        status=status,
        amount=value,
        opened_at=opened,
        due_by=due,
        evidence=tuple(draw(st.lists(evidence(rc.evidence or None), max_size=3))),
        is_charge_refundable=draw(st.booleans()),
    )


@st.composite
def payments(
    draw: st.DrawFn,
    *,
    currencies: Sequence[str] | None = None,
    max_minor: int = 10**8,
    now: datetime = DEFAULT_NOW,
    with_refunds: bool = True,
    with_disputes: bool = True,
    networks: Sequence[Network | str] | None = None,
    payment_id: str = "pay_gen",
    merchant_id: str = "m_gen",
    customer_id: str = "cus_gen",
    statuses: Sequence[PaymentStatus] | None = None,
) -> Payment:
    """A whole payment history: captures, partial refunds and disputes whose totals fit.

    The status is drawn first (from ``statuses``, default all; captured first, so examples
    shrink toward a plain captured payment) and the history is built to agree with it:
    uncaptured payments have no capture; a partial capture leaves some authorization
    unused; a partially refunded payment has succeeded refunds below the capture, a refunded
    one exactly the capture. Captures never exceed the authorization, refunds holding funds
    never exceed the captures, and each dispute is for at most the captured amount.
    """
    wanted = [s for s in _STATUS_ORDER if statuses is None or s in statuses]
    if not wanted:
        raise ValueError("statuses is empty")
    status = draw(st.sampled_from(wanted))
    cur = draw(currencies_(currencies))
    # A partial capture leaves at least one minor unit; a partial refund needs two captured.
    min_captured = 2 if status is PaymentStatus.PARTIALLY_REFUNDED else 1
    min_authorized = 2 if status is PaymentStatus.PARTIALLY_CAPTURED else min_captured
    authorized = draw(st.integers(min_authorized, max(min_authorized, max_minor)))
    created = draw(_before(now, 365, min_seconds=3 * 86_400))
    card = draw(cards())
    if status in _UNCAPTURED:
        return Payment(
            id=payment_id,
            merchant_id=merchant_id,
            customer_id=customer_id,
            amount=Money.from_minor(authorized, cur),
            status=status,
            payment_method=PaymentMethod(type="card", card=card),
            created_at=created,
        )
    top = authorized - 1 if status is PaymentStatus.PARTIALLY_CAPTURED else authorized
    n_caps = draw(st.integers(1, min(3, top)))
    cap_total = draw(st.integers(max(n_caps, min_captured), top))
    caps = Money.from_minor(cap_total, cur).split(n_caps)
    captures = tuple(
        Capture(id=f"cap_{i}", amount=m, captured_at=created + timedelta(minutes=i))
        for i, m in enumerate(caps)
    )
    refund_list = _refunds_for(draw, status, cap_total, cur, created, payment_id, with_refunds)
    dispute_list = [
        draw(_dispute_on(draw, payment_id, cap_total, cur, networks, now)).evolve(id=f"dp_{i}")
        for i in range(draw(st.integers(0, 1)) if with_disputes else 0)
    ]
    if dispute_list and isinstance(dispute_list[0].network, Network):
        card = draw(cards([_CARD_BRAND[dispute_list[0].network]]))
    return Payment(
        id=payment_id,
        merchant_id=merchant_id,
        customer_id=customer_id,
        amount=Money.from_minor(authorized, cur),
        status=status,
        payment_method=PaymentMethod(type="card", card=card),
        created_at=created,
        captures=captures,
        refunds=tuple(refund_list),
        disputes=tuple(dispute_list),
        multicapture=n_caps > 1,
        early_fraud_warning=draw(st.none() | _early_fraud_warnings(created)),
    )


def _early_fraud_warnings(created: datetime) -> st.SearchStrategy[EarlyFraudWarning]:
    """An early fraud warning the issuer sent a day after the payment."""
    return st.builds(
        EarlyFraudWarning,
        id=st.just("issfr_gen"),
        fraud_type=st.sampled_from(["made_with_stolen_card", "unauthorized_use_of_card"]),
        actionable=st.booleans(),
        created_at=st.just(created + timedelta(days=1)),
    )


def _dispute_on(
    draw: st.DrawFn,
    payment_id: str,
    cap_total: int,
    cur: Currency,
    networks: Sequence[Network | str] | None,
    now: datetime,
) -> st.SearchStrategy[Dispute]:
    """A dispute on the payment, for at most what was captured."""
    amount = Money.from_minor(draw(st.integers(1, cap_total)), cur)
    return disputes(payment_id=payment_id, amount=amount, networks=networks, now=now)


def _refunds_for(
    draw: st.DrawFn,
    status: PaymentStatus,
    cap_total: int,
    cur: Currency,
    created: datetime,
    payment_id: str,
    with_refunds: bool,
) -> list[Refund]:
    """Refunds that agree with the payment's status, then some that do not change it."""
    refund_list: list[Refund] = []

    def add_refund(amount: int, refund_status: RefundStatus) -> None:
        refund_list.append(
            Refund(
                id=f"re_{len(refund_list)}",
                payment_id=payment_id,
                amount=Money.from_minor(amount, cur),
                reason=draw(st.sampled_from(list(RefundReason))),
                status=refund_status,
                created_at=created + timedelta(hours=1 + len(refund_list)),
            )
        )

    left = cap_total
    if status is PaymentStatus.REFUNDED:
        for part in Money.from_minor(cap_total, cur).split(draw(st.integers(1, min(2, cap_total)))):
            add_refund(part.minor, RefundStatus.SUCCEEDED)
        left = 0
    elif status is PaymentStatus.PARTIALLY_REFUNDED:
        first = draw(st.integers(1, cap_total - 1))
        add_refund(first, RefundStatus.SUCCEEDED)
        left -= first
    # Further refunds that do not change the status: in flight, or ended without money.
    others = [r for r in RefundStatus if r is not RefundStatus.SUCCEEDED]
    settled = [r for r in others if not r.holds_funds]
    for _ in range(draw(st.integers(0, 2)) if with_refunds else 0):
        pool = others if left >= 1 else settled
        refund_status = draw(st.sampled_from(pool))
        amount = draw(st.just(max(left, 1)) | st.integers(1, max(left, 1)))
        if refund_status.holds_funds:
            left -= amount
        add_refund(amount, refund_status)
    return refund_list


@st.composite
def refunds(
    draw: st.DrawFn,
    *,
    payment_id: str = "pay_gen",
    currencies: Sequence[str] | None = None,
    statuses: Sequence[RefundStatus] | None = None,
    max_minor: int = 10**7,
    now: datetime = DEFAULT_NOW,
) -> Refund:
    """Refunds in the given statuses."""
    return Refund(
        id=draw(_ids),
        payment_id=payment_id,
        amount=draw(money(currencies, min_minor=1, max_minor=max_minor)),
        reason=draw(st.sampled_from(list(RefundReason))),
        status=draw(st.sampled_from(list(statuses or list(RefundStatus)))),
        created_at=draw(_before(now, 60)),
    )


@st.composite
def refund_requests(
    draw: st.DrawFn,
    payment: Payment | None = None,
    *,
    now: datetime = DEFAULT_NOW,
    reasons: Sequence[RefundReason] | None = None,
) -> RefundRequest:
    """Refund requests; for a given payment, in its currency and up to a bit over its capture.

    Amounts may exceed what is refundable on purpose: a policy must cope with that.
    """
    pay = payment if payment is not None else draw(payments(now=now))
    reason = draw(st.sampled_from(list(reasons or list(RefundReason))))
    captured = max(1, pay.amount_captured.minor)
    amount = draw(
        st.none()
        | st.integers(1, captured + captured // 10 + 1).map(
            lambda m: Money.from_minor(m, pay.currency)
        )
    )
    correct = None
    if reason is RefundReason.OVERCHARGE:
        correct = Money.from_minor(draw(st.integers(0, captured)), pay.currency)
    return RefundRequest(
        id=draw(_ids),
        payment_id=pay.id,
        amount=amount,
        reason=reason,
        requested_by=draw(st.sampled_from(list(RequesterKind))),
        requested_at=now,
        goods_returned=draw(st.sampled_from([None, True, False])),
        correct_amount=correct,
    )


@st.composite
def payment_failures(
    draw: st.DrawFn,
    *,
    currencies: Sequence[str] | None = None,
    networks: Sequence[Network | str] | None = None,
    statuses: Sequence[RecoveryStatus] | None = None,
    now: datetime = DEFAULT_NOW,
) -> PaymentFailure:
    """Declines with catalogue codes (Stripe and ISO 8583) and, for Mastercard, advice codes."""
    pool = [Network.parse(n) if isinstance(n, str) else n for n in networks or ()]
    net = draw(st.sampled_from(pool or [Network.VISA, Network.MASTERCARD]))
    mac = None
    if net is Network.MASTERCARD:
        mac = draw(st.none() | st.sampled_from(["01", "02", "03", "04", "21", "24", "25", "27"]))
    declined = draw(_before(now, 30, min_seconds=3600))
    stripe = draw(st.none() | st.sampled_from(_STRIPE_DECLINES))
    return PaymentFailure(
        id=draw(_ids),
        merchant_id="m_gen",
        customer_id="cus_gen",
        amount=draw(money(currencies, min_minor=1, max_minor=10**6)),
        network=net,
        decline_code=stripe.code if stripe else None,
        provider_decline=stripe,  # as the provider boundary fills it
        network_decline_code=draw(st.sampled_from(_ISO_DECLINES)),
        merchant_advice_code=mac,
        initiator=draw(st.sampled_from(list(Initiator))),
        recurring=draw(st.booleans()),
        declined_at=declined,
        status=draw(st.sampled_from(list(statuses or list(RecoveryStatus)))),
    )


@st.composite
def support_cases(
    draw: st.DrawFn,
    *,
    claims: Sequence[ClaimKind] | None = None,
    statuses: Sequence[CaseStatus] | None = None,
    now: datetime = DEFAULT_NOW,
) -> SupportCase:
    """Support cases with an SLA clock that started before ``now``."""
    claim = draw(st.sampled_from(list(claims or list(ClaimKind))))
    opened = draw(_before(now, 10))
    pids: tuple[str, ...]
    if claim is ClaimKind.DUPLICATE_CHARGE:
        pids = ("pay_a", "pay_b")
    elif claim is ClaimKind.FAILED_PAYMENT:
        pids = ()
    else:
        pids = ("pay_a",)
    return SupportCase(
        id=draw(_ids),
        claim=claim,
        customer_id="cus_gen",
        merchant_id="m_gen",
        payment_ids=pids,
        channel=draw(st.sampled_from(list(Channel))),
        priority=draw(st.sampled_from(list(Priority))),
        status=draw(st.sampled_from(list(statuses or list(CaseStatus)))),
        tier=draw(st.none() | st.sampled_from(list(Tier))),
        opened_at=opened,
        sla_due_at=opened + timedelta(hours=draw(st.integers(1, 72))),
        contacts=draw(st.integers(1, 6)),
    )


def merchants(segments: Sequence[MerchantSegment] | None = None) -> st.SearchStrategy[Merchant]:
    """Merchants of the given segments."""
    return st.builds(
        Merchant,
        id=_ids,
        name=st.sampled_from(["Acme", "Globex", "Initech", "Umbrella"]),
        segment=st.sampled_from(list(segments or list(MerchantSegment))),
        market=st.sampled_from(["US", "DE", "GB", "JP", "BR"]),
    )


@st.composite
def customers(
    draw: st.DrawFn,
    *,
    currencies: Sequence[str] | None = ("EUR",),
    max_past_refunds: int = 8,
    now: datetime = DEFAULT_NOW,
) -> Customer:
    """Customers with a refund history (serial refunders included)."""
    cur = draw(currencies_(currencies))
    past = draw(
        st.lists(
            st.builds(
                PastRefund,
                at=_before(now, 365),
                amount=st.integers(1, 50_000).map(lambda m: Money.from_minor(m, cur)),
            ),
            max_size=max_past_refunds,
        )
    )
    return Customer(
        id=draw(_ids),
        past_refunds=tuple(sorted(past, key=lambda r: r.at)),
        disputes_filed=draw(st.integers(0, 3)),
        payments_count=draw(st.integers(len(past), len(past) + 50)),
        support_contacts=draw(st.integers(0, 10)),
    )


@st.composite
def operators(
    draw: st.DrawFn, *, tiers: Sequence[Tier] | None = None, currencies: Sequence[str] = ("EUR",)
) -> Operator:
    """Operators with per-currency refund limits that grow with the tier."""
    tier = draw(st.sampled_from(list(tiers or list(Tier))))
    base = {Tier.JUNIOR: 5_000, Tier.MIDDLE: 50_000, Tier.SENIOR: 500_000}[tier]
    limits = {
        code: Money.from_minor(base * 10 ** currency(code).exponent // 100, code)
        for code in currencies
    }
    return Operator(id=draw(_ids), name="op", tier=tier, refund_limits=limits)


@st.composite
def portfolios(draw: st.DrawFn, *, max_payments: int = 6, now: datetime = DEFAULT_NOW) -> Portfolio:
    """A merchant portfolio: merchants, customers, payments with their histories, declines."""
    ms = draw(st.lists(merchants(), min_size=1, max_size=3, unique_by=lambda m: m.id))
    cs = draw(st.lists(customers(now=now), min_size=1, max_size=4, unique_by=lambda c: c.id))
    n = draw(st.integers(0, max_payments))
    pays = [
        draw(
            payments(
                now=now,
                payment_id=f"pay_{i}",
                merchant_id=draw(st.sampled_from(ms)).id,
                customer_id=draw(st.sampled_from(cs)).id,
            )
        )
        for i in range(n)
    ]
    fails = [
        f.evolve(id=f"pf_{i}", merchant_id=draw(st.sampled_from(ms)).id, customer_id=None)
        for i, f in enumerate(draw(st.lists(payment_failures(now=now), max_size=3)))
    ]
    return Portfolio(
        merchants=tuple(ms), customers=tuple(cs), payments=tuple(pays), failures=tuple(fails)
    )


def _register() -> None:
    st.register_type_strategy(Money, money())
    st.register_type_strategy(Card, cards())
    st.register_type_strategy(Evidence, evidence())
    st.register_type_strategy(Dispute, disputes())
    st.register_type_strategy(Payment, payments())
    st.register_type_strategy(Refund, refunds())
    st.register_type_strategy(RefundRequest, refund_requests())
    st.register_type_strategy(PaymentFailure, payment_failures())
    st.register_type_strategy(SupportCase, support_cases())
    st.register_type_strategy(Merchant, merchants())
    st.register_type_strategy(Customer, customers())
    st.register_type_strategy(Operator, operators())
    st.register_type_strategy(Portfolio, portfolios())


_register()
