"""Builders for backtest tests: small, explicit cases of every kind (no hidden randomness)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paysupport.analytics.backtest import DeclineCase, DisputeCase, RefundCase, TriageCase
from paysupport.models import (
    Capture,
    Card,
    Customer,
    Dispute,
    Merchant,
    Operator,
    PastRefund,
    Payment,
    PaymentFailure,
    PaymentMethod,
    RefundRequest,
    SupportCase,
)
from paysupport.money import Money
from paysupport.workflows import CaseContext

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SHOP = Merchant(id="m_shop", name="Shop", segment="medium", market="DE")
BIG = Merchant(id="m_big", name="Big", segment="enterprise", market="JP")
JUNIOR = Operator(id="op_junior", tier="junior")


def payment(
    pid: str,
    minor: int,
    *,
    currency: str = "EUR",
    age_days: int = 10,
    at: datetime = T0,
    merchant: Merchant = SHOP,
    brand: str = "visa",
) -> Payment:
    captured = at - timedelta(days=age_days)
    amount = Money.from_minor(minor, currency)
    return Payment(
        id=pid,
        merchant_id=merchant.id,
        customer_id="cus_1",
        amount=amount,
        status="captured",
        created_at=captured,
        captures=(Capture(id=f"cap_{pid}", amount=amount, captured_at=captured),),
        payment_method=PaymentMethod(card=Card(brand=brand, last4="4242")),
    )


def refund_case(
    cid: str,
    minor: int,
    *,
    ask: int | None = None,
    age_days: int = 10,
    at: datetime = T0,
    operator: Operator | None = None,
    past_refunds: int = 0,
    merchant: Merchant = SHOP,
    currency: str = "EUR",
) -> RefundCase:
    p = payment(f"pay_{cid}", minor, age_days=age_days, at=at, merchant=merchant, currency=currency)
    amount = Money.from_minor(ask, currency) if ask is not None else None
    request = RefundRequest(id=f"rq_{cid}", payment_id=p.id, amount=amount, requested_at=at)
    past = tuple(
        PastRefund(at=at - timedelta(days=i + 1), amount=Money.from_minor(1_000, currency))
        for i in range(past_refunds)
    )
    return RefundCase(
        id=cid,
        at=at,
        payment=p,
        request=request,
        customer=Customer(id="cus_1", past_refunds=past),
        merchant=merchant,
        operator=operator,
    )


def dispute_case(
    cid: str,
    minor: int,
    *,
    network: str = "visa",
    code: str = "13.1",
    at: datetime = T0,
    result: str | None = None,
    merchant: Merchant = SHOP,
) -> DisputeCase:
    p = payment(f"pay_{cid}", minor, at=at, merchant=merchant, brand=network)
    d = Dispute.opened(
        id=f"dp_{cid}",
        payment_id=p.id,
        network=network,
        reason_code=code,
        amount=p.amount,
        opened_at=at,
    )
    return DisputeCase(
        id=cid, at=at, payment=p, dispute=d, merchant=merchant, realised_result=result
    )


def decline_case(cid: str, minor: int, *, code: str = "51", at: datetime = T0) -> DeclineCase:
    failure = PaymentFailure(
        id=f"f_{cid}",
        merchant_id=SHOP.id,
        amount=Money.from_minor(minor, "EUR"),
        network="visa",
        network_decline_code=code,
        declined_at=at,
    )
    return DeclineCase(id=cid, at=at, failure=failure, merchant=SHOP)


def triage_case(
    cid: str,
    minor: int,
    *,
    claim: str = "refund_request",
    at: datetime = T0,
    resolved_after_hours: int | None = None,
    operator: Operator | None = None,
) -> TriageCase:
    p = payment(f"pay_{cid}", minor, at=at)
    case = SupportCase(id=f"case_{cid}", claim=claim, payment_ids=(p.id,), opened_at=at)
    resolved = at + timedelta(hours=resolved_after_hours) if resolved_after_hours else None
    return TriageCase(
        id=cid,
        at=at,
        case=case,
        context=CaseContext(payments=(p,), merchant=SHOP, operator=operator),
        realised_resolved_at=resolved,
    )


def mixed_cases(n: int = 40) -> list[RefundCase | DisputeCase | DeclineCase | TriageCase]:
    """``n`` cases of every kind with amounts on both sides of the default limits."""
    out: list[RefundCase | DisputeCase | DeclineCase | TriageCase] = []
    for i in range(n):
        minor = 2_000 + 7_919 * i % 150_000
        at = T0 + timedelta(days=i % 60, hours=i)
        kind = i % 4
        if kind == 0:
            out.append(
                refund_case(
                    f"r{i}",
                    minor,
                    age_days=5 + 13 * i % 240,
                    at=at,
                    operator=JUNIOR if i % 8 == 0 else None,
                    past_refunds=i % 6,
                )
            )
        elif kind == 1:
            code = ("13.1", "10.4", "13.3")[i % 3]
            result = ("won", "lost", None)[i % 3]
            out.append(
                dispute_case(
                    f"d{i}",
                    minor,
                    code=code,
                    at=at,
                    result=result,
                    merchant=BIG if i % 5 == 0 else SHOP,
                )
            )
        elif kind == 2:
            out.append(decline_case(f"f{i}", minor, code=("51", "05", "54")[i % 3], at=at))
        else:
            out.append(triage_case(f"s{i}", minor, at=at, resolved_after_hours=1 + 11 * i % 100))
    return out
