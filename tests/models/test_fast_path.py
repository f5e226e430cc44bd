"""The fast paths (evolve, evolve_trusted, with_refund, with_dispute, with_capture) agree with a
full validation.

Each step is applied twice: through the fast path, and by building the payment again from all
its fields (``Payment.model_validate``). Both must give the same payment, or the same broken
rules on the same fields; a rejected step leaves the payment as it was.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paysupport.errors import ModelValidationError
from paysupport.models import Capture, Dispute, DisputeStatus, Payment
from paysupport.models._base import _violations
from paysupport.models.dispute import DISPUTE_STATES
from paysupport.money import Money
from paysupport.networks import DisputeStage
from paysupport.testing import strategies as gen


def full_validation(cls: Any, data: Any) -> Any:
    """``cls`` validated from ``data`` by its full pydantic schema (no fast path)."""
    try:
        return cls.__pydantic_validator__.validate_python(data)
    except pydantic.ValidationError as exc:
        raise ModelValidationError(cls.__name__, _violations(exc)) from None


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        return ("ok", fn())
    except ModelValidationError as exc:
        return ("error", sorted((v.field, v.rule, v.message) for v in exc.violations))


def _full(p: Payment, **changes: Any) -> Payment:
    data = {name: getattr(p, name) for name in Payment.model_fields}
    data.update(changes)
    return full_validation(Payment, data)


def _replaced(records: tuple[Any, ...], record: Any) -> tuple[Any, ...]:
    ids = [r.id for r in records]
    if record.id in ids:
        i = ids.index(record.id)
        return (*records[:i], record, *records[i + 1 :])
    return (*records, record)


@st.composite
def steps(draw: st.DrawFn, p: Payment) -> tuple[str, Any]:
    cur = [p.currency.code, "USD"]
    kind = draw(
        st.sampled_from(
            ["refund", "dispute", "capture", "status", "unitemised", "amount", "text", "id"]
        )
    )
    if kind == "refund":
        r = draw(gen.refunds(payment_id=draw(st.sampled_from([p.id, "pay_other"])), currencies=cur))
        if p.refunds and draw(st.booleans()):
            r = r.evolve(id=p.refunds[0].id)
        return kind, r
    if kind == "dispute":
        pid = draw(st.sampled_from([p.id, p.id, "pay_other"]))
        d = draw(gen.disputes(payment_id=pid, currencies=cur))
        if p.disputes and draw(st.booleans()):
            d = d.evolve(id=p.disputes[0].id)
        return kind, d
    if kind == "capture":
        minor = draw(st.integers(1, max(1, p.amount.minor)))
        at = p.created_at
        return kind, Capture(
            id=draw(st.sampled_from(["cap_x", "cap_y"])),
            amount=Money.from_minor(minor, draw(st.sampled_from(cur))),
            captured_at=at,
        )
    if kind == "status":
        return kind, {
            "status": draw(
                st.sampled_from(["authorized", "captured", "refunded", "canceled", "bogus"])
            )
        }
    if kind == "unitemised":
        value = draw(st.none() | gen.money(cur, min_minor=-5, max_minor=max(1, p.amount.minor)))
        return kind, {"refunded_unitemised": value}
    if kind == "amount":
        return kind, {
            "amount": draw(gen.money(cur, min_minor=-1, max_minor=p.amount.minor * 2 + 1))
        }
    if kind == "text":
        return kind, {
            "description": draw(st.text(max_size=30) | st.just("pan 4242 4242 4242 4242")),
            "metadata": {"k": "v"},
        }
    return kind, {"id": draw(st.sampled_from(["pay_new", "", "has space", "4242424242424242"]))}


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fast_paths_agree_with_full_validation(data: st.DataObject) -> None:
    p = data.draw(gen.payments())
    for _ in range(data.draw(st.integers(1, 6))):
        kind, arg = data.draw(steps(p))
        if kind in ("refund", "dispute", "capture"):
            field = {"refund": "refunds", "dispute": "disputes", "capture": "captures"}[kind]
            method = getattr(p, f"with_{kind}")
            fast = _outcome(lambda method=method, arg=arg: method(arg))
            full = _outcome(
                lambda p=p, field=field, arg=arg: _full(
                    p, **{field: _replaced(getattr(p, field), arg)}
                )
            )
        else:
            fast = _outcome(lambda p=p, arg=arg: p.evolve(**arg))
            full = _outcome(lambda p=p, arg=arg: _full(p, **arg))
        assert fast[0] == full[0], (kind, fast, full)
        if fast[0] == "error":
            assert fast[1] == full[1]
            continue
        assert fast[1] == full[1]
        assert repr(fast[1]) == repr(full[1])
        assert fast[1].amounts() == full[1].amounts() == fast[1]._sums()
        p = fast[1]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_with_refund_and_dispute_agree_at_the_captured_bound(data: st.DataObject) -> None:
    """A refund or dispute whose amount lands on, just under or just over what the payment
    can take (refundable, captured), added or replacing one of the same id."""
    p = data.draw(gen.payments())
    sums = p.amounts()
    delta = data.draw(st.sampled_from([-1, 0, 1]))
    cur = p.currency.code
    if data.draw(st.booleans()):
        field = "refunds"
        r = data.draw(gen.refunds(payment_id=p.id, currencies=[cur]))
        if p.refunds and data.draw(st.booleans()):
            r = r.evolve(id=data.draw(st.sampled_from([x.id for x in p.refunds])))
        record: Any = r.evolve(amount=Money.from_minor(max(1, sums.refundable + delta), cur))
        method: Any = p.with_refund
    else:
        field = "disputes"
        d = data.draw(gen.disputes(payment_id=p.id, currencies=[cur]))
        if p.disputes and data.draw(st.booleans()):
            d = d.evolve(id=data.draw(st.sampled_from([x.id for x in p.disputes])))
        record = d.evolve(amount=Money.from_minor(max(1, sums.captured + delta), cur))
        method = p.with_dispute
    fast = _outcome(lambda: method(record))
    full = _outcome(lambda: _full(p, **{field: _replaced(getattr(p, field), record)}))
    assert fast == full
    if fast[0] == "ok":
        assert repr(fast[1]) == repr(full[1])
        assert fast[1].amounts() == full[1].amounts() == fast[1]._sums()


# --------------------------------------------------------------------------- disputes
def _full_dispute(d: Dispute, **changes: Any) -> Dispute:
    data = {name: getattr(d, name) for name in Dispute.model_fields}
    data.update(changes)
    return full_validation(Dispute, data)


@st.composite
def dispute_changes(draw: st.DrawFn, d: Dispute) -> dict[str, Any]:
    """One or two field changes, valid or not, touching every rule's fields."""
    opened = d.opened_at
    options: dict[str, st.SearchStrategy[Any]] = {
        "stage": st.sampled_from(list(DisputeStage)),
        "status": st.sampled_from(list(DisputeStatus)),
        "evidence_submitted_at": st.none()
        | st.sampled_from([-3, -1, 0, 1, 5, 40]).map(lambda n: opened + timedelta(days=n)),
        "due_by": st.none()
        | st.sampled_from([-1, 0, 1, 10]).map(lambda n: opened + timedelta(days=n)),
        "opened_at": st.sampled_from([-40, -5, 0, 5, 40]).map(lambda n: opened + timedelta(days=n)),
        "amount": gen.money([d.amount.currency.code], min_minor=-2, max_minor=10**5),
        "reason_code": st.sampled_from(["13.1", "10.4", "4853", "c08", "99.9", "4808"]),
        "network": st.sampled_from(["visa", "mastercard", "amex", "acme"]),
        "catalogued": st.booleans(),
        "note": st.text(max_size=20) | st.just("card 4242 4242 4242 4242"),
        "provider_reference": st.sampled_from(["dp_ref_1", "4242424242424242"]),
    }
    names = draw(st.lists(st.sampled_from(sorted(options)), min_size=1, max_size=2, unique=True))
    return {n: draw(options[n]) for n in names}


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_dispute_evolve_agrees_with_full_validation(data: st.DataObject) -> None:
    """Only the rules reading a changed field run again; the answer is a full validation's."""
    d = data.draw(gen.disputes())
    for _ in range(data.draw(st.integers(1, 5))):
        changes = data.draw(dispute_changes(d))
        fast = _outcome(lambda d=d, changes=changes: d.evolve(**changes))
        full = _outcome(lambda d=d, changes=changes: _full_dispute(d, **changes))
        assert fast[0] == full[0], (changes, fast, full)
        assert fast[1] == full[1], changes
        if fast[0] == "ok":
            assert repr(fast[1]) == repr(full[1])
            d = fast[1]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_evolve_trusted_agrees_with_full_validation(data: st.DataObject) -> None:
    """Trusted state fields (as a lifecycle sets them) still go through every rule reading them."""
    d = data.draw(gen.disputes())
    state = data.draw(st.sampled_from(DISPUTE_STATES))
    trusted = {"stage": state.stage, "status": state.status, "version": d.version + 1}
    changes = data.draw(st.just({}) | dispute_changes(d))
    fast = _outcome(lambda: d.evolve_trusted(trusted, **changes))
    full = _outcome(lambda: _full_dispute(d, **{**trusted, **changes}))
    assert fast[0] == full[0], (trusted, changes, fast, full)
    assert fast[1] == full[1]


def test_rules_reading_follow_helpers_and_properties() -> None:
    """The fields a rule reads are found through its helper methods and module functions."""
    assert Payment.rules_reading(frozenset({"description"})) == ()
    assert Payment.rules_reading(frozenset({"refunds"})) == Payment.__rules__
    names = [r.__name__ for r in Dispute.rules_reading(frozenset({"evidence_submitted_at"}))]
    assert names == ["_evidence_after_opened"]
    names = [r.__name__ for r in Dispute.rules_reading(frozenset({"reason_code"}))]
    assert names == ["_catalogued_code", "_stage_exists"]


def test_a_rule_reading_a_field_indirectly_counts_as_reading_it() -> None:
    """A rule that reaches fields through getattr (or a helper) is re-run on any change."""
    from paysupport.models._base import PaysupportModel, model_rule, rule_error

    def _helper(m: Any) -> int:
        return int(m.a)

    class Indirect(PaysupportModel):
        a: int
        b: int

        @model_rule
        def _via_getattr(self) -> Any:
            if getattr(self, "a") > 5:  # noqa: B009
                raise rule_error("a", "small", "a is at most 5")
            return self

        @model_rule
        def _via_helper(self) -> Any:
            if _helper(self) < 0:
                raise rule_error("a", "non_negative", "a is not negative")
            return self

    assert Indirect.__rule_reads__[0] is None
    assert Indirect.__rule_reads__[1] == frozenset({"a"})
    m = Indirect(a=1, b=1)
    assert _outcome(lambda: m.evolve(b=2))[0] == "ok"
    assert _outcome(lambda: m.evolve(a=9)) == ("error", [("a", "small", "a is at most 5")])
    assert _outcome(lambda: m.evolve(a=-1)) == (
        "error",
        [("a", "non_negative", "a is not negative")],
    )


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_check_rules_reading_agrees_with_full_validation(data: st.DataObject) -> None:
    """A copy with other state fields passes the rules reading them iff a full validation does."""
    d = data.draw(gen.disputes())
    stage = data.draw(st.sampled_from(list(DisputeStage)))
    status = data.draw(st.sampled_from(list(DisputeStatus)))
    copied = d.model_copy(update={"stage": stage, "status": status})
    fast = _outcome(lambda: copied.check_rules_reading(frozenset({"stage", "status"})))
    full = _outcome(lambda: _full_dispute(d, stage=stage, status=status))
    assert fast[0] == full[0], (stage, status, fast, full)
    if fast[0] == "error":
        assert fast[1] == full[1]


_IDS = [
    "op_1",
    "o" * 255,
    "o" * 256,
    "",
    "op 1",
    "op\t1",
    "opé",
    "op_١",
    "4242424242424242",
    "ref-4242-4242-4242-4242",
    "x" * 12,
    None,
    7,
]


def test_an_identifier_a_plain_id_test_takes_is_not_validated_again(monkeypatch: Any) -> None:
    """evolve takes a plain id (`plain_id`) as it is; every other value as full validation does."""
    from datetime import UTC, datetime

    from paysupport.models import SupportCase
    from paysupport.models._base import plain_id

    case = SupportCase(
        id="case_1", claim="refund_request", opened_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    for value in _IDS:
        fast = _outcome(lambda v=value: case.evolve(assignee=v))
        full = _outcome(lambda v=value: full_validation(SupportCase, {**dict(case), "assignee": v}))
        assert fast == full, value
        if plain_id(value):
            assert fast[0] == "ok" and fast[1].assignee is value
    # A plain id never reaches the field's adapter (pydantic's Python wrapper).
    monkeypatch.setattr(SupportCase, "_adapter", classmethod(lambda cls, name: 1 / 0))
    assert case.evolve(assignee="op_2").assignee == "op_2"
