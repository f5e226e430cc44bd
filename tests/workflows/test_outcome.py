from __future__ import annotations

import pytest

from paysupport.errors import ConflictError, NotFound, ValidationFailed
from paysupport.workflows import (
    IssueRefund,
    Outcome,
    combine,
    commit,
    idempotency_key,
    key_of,
    request_refund,
    version_of,
)
from paysupport.workflows.outcome import Change

from ._support import at, captured, case, eur, request


def test_commit_is_all_or_nothing() -> None:
    p = captured()
    c = case()
    changed = c.evolve(version=3)
    out = Outcome(
        changes=(Change(key_of(c), 0, changed), Change(key_of(p), 99, p.evolve(description="x")))
    )
    current = {key_of(c): c, key_of(p): p}
    with pytest.raises(ConflictError) as info:
        commit(out, current)
    assert info.value.expected == 99
    assert current == {key_of(c): c, key_of(p): p}


def test_commit_new_aggregate_and_conflicting_creation() -> None:
    c = case()
    out = Outcome(changes=(Change(key_of(c), None, c),))
    assert commit(out, {}) == {key_of(c): c}
    assert commit(out, {key_of(c): c}) == {key_of(c): c}
    with pytest.raises(ConflictError):
        commit(out, {key_of(c): c.evolve(version=2)})


def test_version_of_payment_counts_children() -> None:
    p = captured()
    out = request_refund(p, request(amount=eur("1")), now=at())
    assert version_of(out.after("payment", "pay_1")) == version_of(p) + 1


def test_key_of_refuses_non_aggregates() -> None:
    with pytest.raises(ValidationFailed) as info:
        key_of(request())  # type: ignore[arg-type]
    assert info.value.field == "model"


def test_commit_names_a_missing_aggregate_instead_of_a_version() -> None:
    p = captured()
    out = request_refund(p, request(amount=eur("1")), now=at())
    with pytest.raises(NotFound) as info:
        commit(out, {})
    assert (info.value.kind, info.value.id, info.value.field) == ("payment", "pay_1", "current")
    assert "version -1" not in str(info.value)


def test_merge_and_to_dict() -> None:
    p = captured()
    a = request_refund(p, request(id="a", amount=eur("1")), now=at())
    b = request_refund(a.after("payment", "pay_1"), request(id="b", amount=eur("2")), now=at())
    both = combine([a, b])
    (change,) = both.changes
    assert change.base_version == version_of(p)
    assert len(both.effects) == 2
    assert combine([a, a]).effects == a.effects
    d = both.to_dict()
    assert d["changes"][0]["version"] == version_of(p) + 2
    assert d["effects"][0]["kind"] == "issue_refund"


def test_effect_keys_derive_from_cause_only() -> None:
    e1 = IssueRefund(payment_id="pay_1", refund_id="rf_rr_1", amount=eur("49.90"))
    e2 = IssueRefund(payment_id="pay_1", refund_id="rf_rr_1", amount=eur("49.90"), provider="x")
    e3 = IssueRefund(payment_id="pay_1", refund_id="rf_rr_1", amount=eur("49.91"))
    assert e1.idempotency_key == e2.idempotency_key != e3.idempotency_key
    assert e1.idempotency_key == idempotency_key(
        "issue_refund", {"payment_id": "pay_1", "refund_id": "rf_rr_1", "amount": eur("49.90")}
    )
    assert len(e1.idempotency_key) <= 64
    with pytest.raises(AttributeError):
        e1.amount = eur("1")  # type: ignore[misc]


def test_a_key_read_or_not_changes_no_comparison_copy_or_dump() -> None:
    import pickle

    from paysupport.workflows import Effect

    made = [IssueRefund(payment_id="pay_1", refund_id="rf_1", amount=eur("5")) for _ in range(2)]
    read, unread = made
    key = read.idempotency_key  # derived on first read, then kept
    assert read.idempotency_key is key
    assert read == unread and hash(read) == hash(unread)
    copy = pickle.loads(pickle.dumps(unread))
    assert copy == read and copy.idempotency_key == key
    dump = unread.to_dict()
    assert list(dump)[:2] == ["kind", "idempotency_key"] and dump["idempotency_key"] == key
    assert "_key" not in dump and Effect.from_dict(dump) == read


def test_same_key_agrees_with_the_keys_whether_they_were_read_or_not() -> None:
    from datetime import timedelta, timezone

    from paysupport.workflows import AssignCase, ScheduleRetry

    def made() -> list[object]:
        t = at()
        return [
            IssueRefund(payment_id="pay_1", refund_id="rf_1", amount=eur("5")),
            IssueRefund(payment_id="pay_1", refund_id="rf_1", amount=eur("5"), provider="x"),
            IssueRefund(payment_id="pay_1", refund_id="rf_1", amount=eur("5.01")),
            IssueRefund(payment_id="pay_1", refund_id="rf_2", amount=eur("5")),
            AssignCase(case_id="c1", tier="junior", reason="triage"),
            AssignCase(case_id="c1", tier="middle", reason="triage"),
            # the same instant in another zone: the same cause, so the same key
            ScheduleRetry(failure_id="f1", attempt=1, at=t, amount=eur("5")),
            ScheduleRetry(
                failure_id="f1",
                attempt=1,
                at=t.astimezone(timezone(timedelta(hours=2))),
                amount=eur("5"),
            ),
            ScheduleRetry(
                failure_id="f1", attempt=1, at=t + timedelta(microseconds=1), amount=eur("5")
            ),
        ]

    for read in ("none", "left", "both"):
        effects, keyed = made(), made()
        for i, a in enumerate(effects):
            for j, b in enumerate(effects):
                if read == "both" or (read == "left" and i % 2 == 0):
                    a.idempotency_key  # noqa: B018 - derived now, compared as keys
                if read == "both":
                    b.idempotency_key  # noqa: B018
                want = keyed[i].idempotency_key == keyed[j].idempotency_key  # type: ignore[attr-defined]
                assert a.same_key(b) is want, (read, a, b)  # type: ignore[attr-defined]


def test_same_key_of_effects_sharing_their_cause_objects_agrees_with_the_keys() -> None:
    """The same objects in every cause field: the same key, whatever the other fields hold."""
    from datetime import timedelta

    from paysupport.networks import DisputeStage
    from paysupport.workflows import RequestEvidence

    missing = ("proof_of_delivery", "receipt")
    first = RequestEvidence(
        payment_id="pay_1", dispute_id="dp_1", stage=DisputeStage.CHARGEBACK, missing=missing
    )
    again = RequestEvidence(
        payment_id="pay_2",
        dispute_id=first.dispute_id,
        stage=first.stage,
        missing=missing,
        submit_by=at() + timedelta(days=1),
    )
    other = RequestEvidence(
        payment_id="pay_1", dispute_id="dp_1", stage=DisputeStage.CHARGEBACK, missing=("receipt",)
    )
    assert first.same_key(again) and again.same_key(first)
    assert first.idempotency_key == again.idempotency_key
    assert not first.same_key(other) and not other.same_key(first)
    assert first.idempotency_key != other.idempotency_key


def test_merging_drops_only_effects_with_a_key_already_there() -> None:
    from paysupport.workflows import RecordDisputeLoss

    first = IssueRefund(payment_id="pay_1", refund_id="rf_1", amount=eur("5"))
    same_cause = IssueRefund(payment_id="pay_1", refund_id="rf_1", amount=eur("5"), provider="x")
    other = IssueRefund(payment_id="pay_1", refund_id="rf_2", amount=eur("5"))
    loss = RecordDisputeLoss(
        payment_id="pay_1", dispute_id="rf_1", stage="chargeback", amount=eur("5"), outcome="lost"
    )
    merged = Outcome(effects=(first,)).merge(Outcome(effects=(same_cause, other, loss, other)))
    assert merged.effects == (first, other, loss)
    assert combine([Outcome(effects=(loss,)), Outcome(effects=(first, loss))]).effects == (
        loss,
        first,
    )
