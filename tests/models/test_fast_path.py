"""The fast paths (evolve, with_refund, with_dispute, with_capture) agree with a full validation.

Each step is applied twice: through the fast path, and by building the payment again from all
its fields (``Payment.model_validate``). Both must give the same payment, or the same broken
rules on the same fields; a rejected step leaves the payment as it was.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paysupport.errors import ModelValidationError
from paysupport.models import Capture, Payment
from paysupport.money import Money
from paysupport.testing import strategies as gen


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        return ("ok", fn())
    except ModelValidationError as exc:
        return ("error", sorted((v.field, v.rule) for v in exc.violations))


def _full(p: Payment, **changes: Any) -> Payment:
    data = {name: getattr(p, name) for name in Payment.model_fields}
    data.update(changes)
    return Payment.model_validate(data)


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
        return kind, draw(gen.disputes(payment_id=p.id, currencies=cur))
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
        assert fast[1].amounts() == full[1].amounts()
        p = fast[1]
