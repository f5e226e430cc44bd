"""Delivery faults and concurrency: a host's store under duplicate, late and racing writes.

A Hypothesis state machine plays a host with one captured Stripe payment. Its store holds
aggregates by `key_of` and changes only through `commit`. Operators request refunds and
approve them, two at a time from the same (possibly stale) loaded copy; the host carries out
`IssueRefund` effects at a fake provider that keeps its own books; the provider's refund,
charge and dispute notifications (Stripe event bodies built from the published fixtures)
arrive once, twice, out of order, or are applied to a stale copy. After every step:

- nothing pays twice: one idempotency key per refund, the provider executes a key once, and
  what it paid never exceeds what was captured (nor does what the payment says was refunded);
- nothing regresses: a refund's or a dispute's history only grows, a dispute's stage only
  moves forward;
- a stale write gets `ConflictError` and changes nothing; a notification delivered again
  changes nothing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from paysupport.errors import ConflictError, InvalidTransition
from paysupport.models import (
    Capture,
    Operator,
    Payment,
    RefundRequest,
    RefundStatus,
    RequesterKind,
    Tier,
)
from paysupport.money import Money
from paysupport.policies import PolicySet
from paysupport.providers import event_from_stripe
from paysupport.workflows import (
    AggregateKey,
    IssueRefund,
    Outcome,
    RefundResult,
    apply_provider_event,
    approve_refund,
    commit,
    key_of,
    request_refund,
    settle_refund,
)

FIXTURES = Path(__file__).parents[1] / "providers" / "fixtures" / "stripe"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CHARGE = "ch_3Pcaptured"  # the charge the published fixtures name
CAPTURED = Money.of("100.00", "EUR")
POLICIES = PolicySet()
# Above 20.00 EUR the requester needs a second operator's approval.
REQUESTER = Operator(id="op_ann", tier=Tier.JUNIOR, refund_limits={"EUR": Money.of("20", "EUR")})
APPROVERS = (Operator(id="op_bea", tier=Tier.SENIOR), Operator(id="op_cid", tier=Tier.SENIOR))
#: Stripe dispute statuses in the order they can follow each other.
DISPUTE_FLOW = ("needs_response", "under_review", "won", "lost")


def _fixture(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return body


REFUND_EVENT = _fixture("event_charge_refund_updated_reversed.json")
CHARGE_EVENT = _fixture("event_charge_refunded_no_refunds_list.json")
DISPUTE_EVENT = _fixture("event_charge_dispute_created.json")


def refund_event(n: int, at: datetime, re_id: str, amount: Money, status: str) -> dict[str, Any]:
    """A Stripe ``charge.refund.updated`` body for the provider's refund ``re_id``."""
    body = copy.deepcopy(REFUND_EVENT)
    body.update(id=f"evt_r{n}", created=int(at.timestamp()))
    obj = body["data"]["object"]
    obj.update(id=re_id, amount=amount.minor, charge=CHARGE, status=status)
    obj["failure_reason"] = "lost_or_stolen_card" if status == "failed" else None
    return body


def charge_event(n: int, at: datetime, refunded: Money) -> dict[str, Any]:
    """A Stripe ``charge.refunded`` body saying how much of the charge is refunded."""
    body = copy.deepcopy(CHARGE_EVENT)
    body.update(id=f"evt_c{n}", created=int(at.timestamp()))
    obj = body["data"]["object"]
    total = CAPTURED.minor
    obj.update(id=CHARGE, amount=total, amount_captured=total, amount_refunded=refunded.minor)
    obj.update(refunded=refunded.minor == total, payment_intent="pi_3Pcaptured")
    return body


def dispute_event(n: int, at: datetime, status: str) -> dict[str, Any]:
    """A Stripe dispute event (created, updated or closed) for dispute ``dp_1`` in ``status``."""
    body = copy.deepcopy(DISPUTE_EVENT)
    kind = {"needs_response": "created", "under_review": "updated"}.get(status, "closed")
    body.update(id=f"evt_d{n}", created=int(at.timestamp()), type=f"charge.dispute.{kind}")
    obj = body["data"]["object"]
    obj.update(id="dp_1", amount=5_000, charge=CHARGE, status=status)
    obj["evidence_details"]["due_by"] = int((T0 + timedelta(days=20)).timestamp())
    return body


def the_payment() -> Payment:
    """The host's one payment: 100.00 EUR captured through Stripe."""
    return Payment(
        id="pay_1",
        merchant_id="m_1",
        customer_id="cus_1",
        amount=CAPTURED,
        status="captured",
        created_at=T0 - timedelta(days=3),
        captures=(Capture(id="cap_1", amount=CAPTURED, captured_at=T0 - timedelta(days=3)),),
        provider="stripe",
        provider_reference=CHARGE,
    )


@dataclass
class ProviderRefund:
    """The provider's own record of a refund it executed."""

    re_id: str
    amount: Money
    status: str = "pending"


class Host(RuleBasedStateMachine):
    """A host with one payment, its operators, a fake Stripe and a webhook endpoint."""

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[AggregateKey, Any] = {}
        self.key: AggregateKey = ("payment", "pay_1")
        self.now = T0
        self.copies: list[Payment] = []  # copies operators loaded earlier
        self.issued: dict[str, str] = {}  # idempotency key -> refund id
        self.calls: list[IssueRefund] = []  # IssueRefund effects the host must carry out
        self.executed: dict[str, ProviderRefund] = {}  # at the provider, by idempotency key
        self.sent: list[dict[str, Any]] = []  # notifications the provider sent
        self.applied: set[str] = set()  # event ids whose first delivery changed the store
        self.seen: dict[str, tuple[Any, ...]] = {}  # last history of each refund / dispute
        self.stages: dict[str, int] = {}
        self.disputed = 0  # dispute notifications sent
        self.n = 0

    # ------------------------------------------------------------------ the host
    @property
    def payment(self) -> Payment:
        stored: Payment = self.store[self.key]
        return stored

    def tick(self) -> datetime:
        self.now += timedelta(minutes=7)
        return self.now

    def write(self, outcome: Outcome, base: Payment) -> bool:
        """Commit ``outcome`` (computed from ``base``): a stale base must conflict."""
        before = dict(self.store)
        self.calls.extend(e for e in outcome.effects if isinstance(e, IssueRefund))
        try:
            self.store = commit(outcome, self.store)
        except ConflictError:
            assert self.store == before, "a refused write changed the store"
            assert base is not before[self.key] and base != before[self.key]
            note(f"conflict: {outcome.note_codes}")
            event("stale write refused")
            return False
        for e in outcome.effects:
            if isinstance(e, IssueRefund):
                owner = self.issued.setdefault(e.idempotency_key, e.refund_id)
                assert owner == e.refund_id, f"refunds {owner} and {e.refund_id} share a key"
        return True

    def deliver(self, body: dict[str, Any], payment: Payment) -> Outcome:
        event = event_from_stripe(body)
        assert event.payment_reference in (None, CHARGE, "pi_3Pcaptured"), event
        return apply_provider_event(payment, event, now=self.tick())

    # ------------------------------------------------------------------ rules
    @initialize()
    def open_shop(self) -> None:
        payment = the_payment()
        self.store = {key_of(payment): payment}

    @rule()
    def load_copy(self) -> None:
        """An operator opens the payment (the copy may go stale while they look at it)."""
        self.copies.append(self.payment)

    @precondition(lambda self: len(self.payment.refunds) < 6)
    @rule(minor=st.integers(1, 12_000))
    def request(self, minor: int) -> None:
        """An operator asks to refund an amount (above their limit: someone must approve)."""
        self.n += 1
        req = RefundRequest(
            id=f"rr_{self.n}",
            payment_id="pay_1",
            amount=Money.from_minor(minor, "EUR"),
            requested_by=RequesterKind.OPERATOR,
            requester_id=REQUESTER.id,
            requested_at=self.now,
        )
        base = self.payment
        out = request_refund(base, req, policies=POLICIES, operator=REQUESTER, now=self.tick())
        assert self.write(out, base)  # computed on the current copy: no conflict

    @precondition(
        lambda self: any(r.status is RefundStatus.AWAITING_APPROVAL for r in self.payment.refunds)
    )
    @rule(data=st.data())
    def two_approve(self, data: st.DataObject) -> None:
        """Two operators approve the same refund from the same loaded copy: one wins."""
        copies = [c for c in [*self.copies, self.payment] if _awaiting(c)]
        base = data.draw(st.sampled_from(copies), label="loaded copy")
        rid = data.draw(st.sampled_from(_awaiting(base)), label="refund")
        wins = []
        for approver in APPROVERS:
            try:
                out = approve_refund(base, rid, approver, policies=POLICIES, now=self.tick())
            except InvalidTransition:
                continue
            wins.append(self.write(out, base))
        assert wins.count(True) <= 1, "both approvals of one refund were written"
        event(f"two approvals: {wins.count(True)} written of {len(wins)}")

    @precondition(lambda self: bool(self.calls))
    @rule(data=st.data(), answer=st.sampled_from(["pending", "succeeded", "unknown"]))
    def call_provider(self, data: st.DataObject, answer: str) -> None:
        """The host carries out an IssueRefund (maybe again); the provider dedups by key."""
        call = data.draw(st.sampled_from(self.calls), label="IssueRefund")
        done = self.executed.get(call.idempotency_key)
        if done is None:
            done = ProviderRefund(f"re_{len(self.executed) + 1}", call.amount)
            self.executed[call.idempotency_key] = done
        if done.status == "pending" and answer == "succeeded":
            done.status = "succeeded"
        result = {
            "pending": RefundResult.pending(done.re_id),
            "succeeded": RefundResult(
                status=RefundStatus(done.status), provider_reference=done.re_id
            ),
            "unknown": RefundResult.unknown(),
        }[answer]
        holding = [c for c in self.copies[-2:] if any(r.id == call.refund_id for r in c.refunds)]
        base = data.draw(st.sampled_from([self.payment, *holding]), label="base")
        out = settle_refund(base, call.refund_id, result, now=self.tick())
        written = self.write(out, base)
        event(f"provider answer {answer}: {out.note_codes or 'recorded'}, written={written}")

    @precondition(lambda self: any(r.status == "pending" for r in self.executed.values()))
    @rule(data=st.data(), outcome=st.sampled_from(["succeeded", "failed"]))
    def provider_settles(self, data: st.DataObject, outcome: str) -> None:
        """The provider settles a pending refund and notifies (delivery comes later)."""
        pending = [r for r in self.executed.values() if r.status == "pending"]
        done = data.draw(st.sampled_from(pending), label="provider refund")
        done.status = outcome
        self.sent.append(
            refund_event(len(self.sent), self.tick(), done.re_id, done.amount, outcome)
        )
        paid = sum(
            (r.amount for r in self.executed.values() if r.status == "succeeded"), Money.zero("EUR")
        )
        self.sent.append(charge_event(len(self.sent), self.tick(), paid))

    @precondition(lambda self: self.disputed < len(DISPUTE_FLOW) - 1)
    @rule(lost=st.booleans())
    def provider_disputes(self, lost: bool) -> None:
        """The card network opens, reviews and closes a dispute; the provider notifies."""
        status = DISPUTE_FLOW[self.disputed] if self.disputed < 2 else DISPUTE_FLOW[2 + lost]
        self.disputed += 1
        self.sent.append(dispute_event(len(self.sent), self.tick(), status))

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def webhook(self, data: st.DataObject) -> None:
        """A notification arrives: in any order, maybe again, maybe onto a stale copy."""
        body = data.draw(st.sampled_from(self.sent), label="notification")
        stale = bool(self.copies) and data.draw(st.booleans(), label="stale copy")
        base = self.copies[-1] if stale else self.payment
        before = dict(self.store)
        written = self.write(self.deliver(body, base), base)
        event(f"notification {body['type']}{' on a stale copy' if stale else ''}")
        if body["id"] in self.applied:
            event("notification delivered again")
            assert self.store == before, f"{body['id']} delivered again changed the store"
        elif written and self.store != before:
            self.applied.add(body["id"])

    # ------------------------------------------------------------------ invariants
    @invariant()
    def nothing_pays_twice(self) -> None:
        if not self.store:
            return
        p = self.payment
        refunds = {r.id for r in p.refunds}
        assert len(set(self.issued.values())) == len(self.issued)  # one key per refund
        assert set(self.issued.values()) <= refunds
        paid = sum(
            (r.amount for r in self.executed.values() if r.status == "succeeded"), Money.zero("EUR")
        )
        assert paid <= p.amount_captured, f"the provider paid {paid} of {p.amount_captured}"
        assert p.amount_refunded <= p.amount_captured

    @invariant()
    def nothing_regresses(self) -> None:
        if not self.store:
            return
        p = self.payment
        for item in (*p.refunds, *p.disputes):
            last = self.seen.get(item.id, ())
            assert item.history[: len(last)] == last, f"{item.id} lost history"
            self.seen[item.id] = item.history
        for d in p.disputes:
            assert d.stage.rank >= self.stages.get(d.id, d.stage.rank), f"{d.id} stage went back"
            self.stages[d.id] = d.stage.rank


def _awaiting(p: Payment) -> list[str]:
    return [r.id for r in p.refunds if r.status is RefundStatus.AWAITING_APPROVAL]


Host.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    phases=[p for p in Phase if p is not Phase.explain],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestHost = Host.TestCase
