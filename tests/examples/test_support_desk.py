"""End-to-end tests of the example support desk: HTTP in, SQLite underneath, fake PSP out.

Each scenario from the issue is one test. Every test runs over a fresh SQLite file in
``tmp_path`` and a fixed, hand-advanced clock.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
pytest.importorskip("httpx")

from examples.support_desk.app import create_app
from examples.support_desk.gateway import FakeGateway
from fastapi import FastAPI
from fastapi.testclient import TestClient

from paysupport.money import Money

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A fixed clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'desk.db'}"


@pytest.fixture
def start(
    db_url: str, gateway: FakeGateway, clock: Clock
) -> Iterator[Callable[[], tuple[FastAPI, TestClient]]]:
    """Start (or restart) the service on the test's database file."""
    apps: list[FastAPI] = []

    def _start() -> tuple[FastAPI, TestClient]:
        app = create_app(db_url, gateway=gateway, clock=clock)
        apps.append(app)
        return app, TestClient(app)

    yield _start
    for app in apps:
        app.state.engine.dispose()


@pytest.fixture
def client(start: Callable[[], tuple[FastAPI, TestClient]]) -> TestClient:
    _, c = start()
    setup_desk(c)
    return c


def setup_desk(c: TestClient) -> None:
    """Operators, a merchant, a customer: the reference data every scenario needs."""
    ok = [
        c.post("/merchants", json={"id": "m_acme", "name": "ACME Outdoor"}),
        c.post("/customers", json={"id": "cus_anna"}),
        c.post(
            "/operators",
            json={
                "id": "op_junior",
                "tier": "junior",
                "refund_limits": {"EUR": eur("100.00")},
            },
        ),
        c.post("/operators", json={"id": "op_middle", "tier": "middle"}),
        c.post("/operators", json={"id": "op_senior", "tier": "senior"}),
    ]
    assert [r.status_code for r in ok] == [201] * 5, [r.json() for r in ok]


def payment(
    id: str,
    amount: str,
    *,
    created_at: datetime = T0 - timedelta(days=3),
    fingerprint: str = "fpAnna0001",
    provider_reference: str | None = None,
    provider: str = "stripe",
) -> dict[str, Any]:
    return {
        "id": id,
        "merchant_id": "m_acme",
        "customer_id": "cus_anna",
        "amount": eur(amount),
        "status": "captured",
        "payment_method": {
            "type": "card",
            "card": {"brand": "visa", "last4": "4242", "fingerprint": fingerprint},
        },
        "created_at": created_at.isoformat(),
        "captures": [
            {
                "id": f"cap_{id}",
                "amount": eur(amount),
                "captured_at": (created_at + timedelta(minutes=1)).isoformat(),
            }
        ],
        "provider": provider,
        "provider_reference": provider_reference or f"ch_{id}",
    }


def add_payment(c: TestClient, body: dict[str, Any]) -> None:
    r = c.post("/payments", json=body)
    assert r.status_code == 201, r.json()


def kinds(response: dict[str, Any]) -> list[str]:
    return [e["kind"] for e in response["effects"]]


# ---------------------------------------------------------------------- the scenarios
def test_duplicate_charge_refunded_once_even_when_the_request_is_sent_twice(
    client: TestClient, gateway: FakeGateway
) -> None:
    first_at = T0 - timedelta(days=1)
    add_payment(client, payment("pay_1", "59.90", created_at=first_at))
    add_payment(client, payment("pay_2", "59.90", created_at=first_at + timedelta(seconds=40)))
    request = {
        "id": "req_dup_1",
        "payment_id": "pay_2",
        "reason": "duplicate",
        "duplicate_of": "pay_1",
    }

    first = client.post("/refund-requests", json=request)
    second = client.post("/refund-requests", json=request)

    assert first.status_code == second.status_code == 200
    one, two = first.json(), second.json()
    assert one["decisions"][0]["outcome"] == "approve"
    assert "duplicate_charge" in [r["code"] for r in one["decisions"][0]["reasons"]]
    assert one["refund"]["status"] == "succeeded"
    assert two["refund"]["id"] == one["refund"]["id"]
    assert two["refund"]["status"] == "succeeded"
    assert "already_requested" in [n["code"] for n in two["notes"]]
    assert two["executed"] == []
    refunds = gateway.entries("refund")
    assert len(refunds) == 1
    assert refunds[0].amount == Money.of("59.90", "EUR")
    assert refunds[0].target == "ch_pay_2"
    issued = client.get("/effects", params={"kind": "issue_refund"}).json()
    assert [e["status"] for e in issued] == ["done"]
    paid = client.get("/payments/pay_2").json()
    assert paid["payment"]["status"] == "refunded"
    assert [e["event"] for e in paid["refunds"][one["refund"]["id"]]] == ["succeed"]


def test_visa_13_1_dispute_contested_with_evidence_and_won(
    client: TestClient, gateway: FakeGateway, clock: Clock
) -> None:
    add_payment(client, payment("pay_tent", "120.00"))
    notice = {
        "id": "dp_1",
        "payment_id": "pay_tent",
        "network": "visa",
        "reason_code": "13.1",
        "amount": eur("120.00"),
        "opened_at": clock().isoformat(),
        "provider": "stripe",
        "provider_reference": "du_1",
    }
    received = client.post("/disputes", json=notice)
    assert received.status_code == 200, received.json()
    assert received.json()["dispute"]["status"] == "needs_response"
    assert received.json()["dispute"]["due_by"] is not None

    clock.advance(days=2)
    evidence = client.post(
        "/disputes/dp_1/evidence",
        json={
            "evidence": [
                {"kind": "proof_of_delivery", "reference": "doc://pod/123"},
                {"kind": "customer_communication", "reference": "doc://mail/9"},
                {"kind": "refund_policy", "reference": "doc://policy"},
            ]
        },
    )
    assert evidence.status_code == 200, evidence.json()

    clock.advance(hours=1)
    answered = client.post(
        "/disputes/dp_1/respond", json={"operator_id": "op_middle", "contest": True, "force": True}
    )
    assert answered.status_code == 200, answered.json()
    body = answered.json()
    assert "submit_evidence" in kinds(body)
    assert body["dispute"]["status"] == "under_review"
    filed = gateway.entries("submit_evidence", "du_1")
    assert len(filed) == 1
    assert "proof_of_delivery:doc://pod/123" in filed[0].detail

    clock.advance(days=20)
    won = gateway.stripe_dispute_event(
        dispute_id="du_1",
        charge_id="ch_pay_tent",
        amount=Money.of("120.00", "EUR"),
        status="won",
        at=clock(),
    )
    applied = client.post("/webhooks/stripe", json=won)
    assert applied.status_code == 200, applied.json()
    again = client.post("/webhooks/stripe", json=won)
    assert "duplicate_event" in [n["code"] for n in again.json()["notes"]]

    final = client.get("/disputes/dp_1").json()
    assert final["dispute"]["status"] == "won"
    assert [e["event"] for e in final["history"]] == ["submit_evidence", "win"]
    assert gateway.entries("accept_dispute") == []


def test_soft_decline_retried_and_recovered(
    client: TestClient, gateway: FakeGateway, clock: Clock
) -> None:
    decline = {
        "id": "pf_soft",
        "payment_id": "pay_sub_1",
        "merchant_id": "m_acme",
        "customer_id": "cus_anna",
        "amount": eur("29.00"),
        "network": "visa",
        "decline_code": "insufficient_funds",
        "network_decline_code": "51",
        "initiator": "merchant",
        "recurring": True,
        "declined_at": clock().isoformat(),
    }
    r = client.post("/declines", json=decline)
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["failure"]["status"] == "retry_scheduled"
    assert kinds(body) == ["schedule_retry"]
    retry_at = datetime.fromisoformat(body["failure"]["next_retry_at"])

    early = client.post("/retries/run").json()
    assert early["executed"] == []
    assert gateway.entries("retry_payment") == []

    clock.now = retry_at
    ran = client.post("/retries/run").json()
    assert [e["kind"] for e in ran["executed"]][:1] == ["schedule_retry"]
    assert len(gateway.entries("retry_payment")) == 1
    assert client.post("/retries/run").json()["executed"] == []  # never charged twice

    final = client.get("/failures/pf_soft").json()
    assert final["failure"]["status"] == "recovered"
    assert [e["event"] for e in final["history"]] == [
        "schedule_retry",
        "start_retry",
        "retry_succeeded",
    ]
    notes = client.get("/effects", params={"kind": "notify_customer"}).json()
    assert [n["effect"]["template"] for n in notes] == ["payment_recovered"]


def test_hard_decline_is_stopped(client: TestClient, gateway: FakeGateway) -> None:
    decline = {
        "id": "pf_hard",
        "merchant_id": "m_acme",
        "customer_id": "cus_anna",
        "amount": eur("80.00"),
        "network": "visa",
        "decline_code": "stolen_card",
        "network_decline_code": "43",
        "declined_at": T0.isoformat(),
    }
    r = client.post("/declines", json=decline)
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["failure"]["status"] in ("needs_customer_action", "exhausted")
    assert "schedule_retry" not in kinds(body)
    assert client.get("/effects", params={"kind": "schedule_retry"}).json() == []
    assert client.post("/retries/run").json()["executed"] == []
    assert gateway.entries("retry_payment") == []
    again = client.post("/declines", json=decline).json()
    assert "schedule_retry" not in kinds(again)


def test_junior_large_refund_waits_for_a_senior_approval(
    client: TestClient, gateway: FakeGateway, clock: Clock
) -> None:
    add_payment(client, payment("pay_big", "1500.00"))
    r = client.post(
        "/refund-requests",
        json={
            "id": "req_big",
            "payment_id": "pay_big",
            "amount": eur("1500.00"),
            "requested_by": "operator",
            "operator_id": "op_junior",
        },
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    refund_id = body["refund"]["id"]
    assert body["refund"]["status"] == "awaiting_approval"
    assert kinds(body) == ["request_approval"]
    assert body["effects"][0]["tier"] == "senior"
    # one answer: the recorded review decision names the tier the approval asks for
    review = [d for d in body["decisions"] if d["outcome"] == "review"]
    assert [d["tier"] for d in review] == ["senior"]
    assert gateway.ledger == []
    queue = client.get("/approvals").json()
    assert [q["effect"]["refund_id"] for q in queue] == [refund_id]

    clock.advance(minutes=5)
    own = client.post(f"/refunds/{refund_id}/approve", json={"operator_id": "op_junior"})
    assert own.status_code == 403
    middle = client.post(f"/refunds/{refund_id}/approve", json={"operator_id": "op_middle"})
    assert middle.status_code == 403
    assert gateway.ledger == []

    senior = client.post(f"/refunds/{refund_id}/approve", json={"operator_id": "op_senior"})
    assert senior.status_code == 200, senior.json()
    assert senior.json()["refund"]["status"] == "succeeded"
    assert senior.json()["refund"]["approved_by"] == "op_senior"
    assert len(gateway.entries("refund")) == 1
    twice = client.post(f"/refunds/{refund_id}/approve", json={"operator_id": "op_senior"})
    assert twice.status_code in (200, 409)
    assert len(gateway.entries("refund")) == 1


def test_restart_in_the_middle_of_a_workflow_loses_nothing(
    start: Callable[[], tuple[FastAPI, TestClient]], gateway: FakeGateway, clock: Clock
) -> None:
    app, c = start()
    setup_desk(c)
    add_payment(c, payment("pay_rs", "1500.00"))
    asked = c.post(
        "/refund-requests",
        json={
            "id": "req_rs",
            "payment_id": "pay_rs",
            "amount": eur("1500.00"),
            "requested_by": "operator",
            "operator_id": "op_junior",
        },
    ).json()
    refund_id = asked["refund"]["id"]
    before = c.get("/payments/pay_rs").json()
    assert before["refunds"][refund_id][0]["event"] == "require_approval"

    # The process stops: drop the client, the app and its engine.
    app.state.engine.dispose()
    del app, c
    gc.collect()

    clock.advance(hours=3)
    _app2, c2 = start()
    reloaded = c2.get("/payments/pay_rs").json()
    assert reloaded == before  # state and full history, as stored
    assert c2.get("/approvals").json()[0]["effect"]["refund_id"] == refund_id

    done = c2.post(f"/refunds/{refund_id}/approve", json={"operator_id": "op_senior"})
    assert done.status_code == 200, done.json()
    after = c2.get("/payments/pay_rs").json()
    assert after["payment"]["status"] == "refunded"
    assert [e["event"] for e in after["refunds"][refund_id]] == [
        "require_approval",
        "approve",
        "succeed",
    ]
    assert [e["event"] for e in after["history"]] == ["settle_refund"]
    assert len(gateway.entries("refund")) == 1


def test_restart_after_a_crash_before_the_gateway_call_runs_the_refund_once(
    start: Callable[[], tuple[FastAPI, TestClient]],
    gateway: FakeGateway,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, c = start()
    setup_desk(c)
    add_payment(c, payment("pay_crash", "40.00"))

    def down(**_: object) -> object:
        raise ConnectionError("the provider is unreachable")

    monkeypatch.setattr(gateway, "refund", down)
    r = c.post("/refund-requests", json={"id": "req_crash", "payment_id": "pay_crash"}).json()
    assert r["refund"]["status"] == "requested"
    assert [e["status"] for e in c.get("/effects", params={"kind": "issue_refund"}).json()] == [
        "planned"
    ]
    app.state.engine.dispose()
    del app, c
    monkeypatch.undo()  # the provider is back

    _app2, c2 = start()  # start-up resumes the planned refund
    _app3, c3 = start()  # and a second start-up finds nothing left to do
    refund = c3.get(f"/refunds/{r['refund']['id']}").json()
    assert refund["refund"]["status"] == "succeeded"
    assert len(gateway.entries("refund")) == 1
    assert [e["status"] for e in c2.get("/effects", params={"kind": "issue_refund"}).json()] == [
        "done"
    ]


# ---------------------------------------------------------------------- more behaviour
def test_a_timed_out_refund_is_unknown_until_reconciled(
    client: TestClient, gateway: FakeGateway
) -> None:
    add_payment(client, payment("pay_to", "30.99"))
    r = client.post("/refund-requests", json={"id": "req_to", "payment_id": "pay_to"}).json()
    assert r["refund"]["status"] == "unknown"
    assert len(gateway.entries("refund")) == 1  # the provider did take it

    again = client.post(f"/refunds/{r['refund']['id']}/reconcile").json()
    assert again["refund"]["status"] == "succeeded"
    assert len(gateway.entries("refund")) == 1  # same key: the provider answers, pays once


def test_a_refund_the_provider_declines_is_failed(client: TestClient, gateway: FakeGateway) -> None:
    add_payment(client, payment("pay_13", "20.13"))
    r = client.post("/refund-requests", json={"id": "req_13", "payment_id": "pay_13"}).json()
    assert r["refund"]["status"] == "failed"
    assert r["refund"]["failure_reason"] == "declined"
    assert gateway.ledger == []
    paid = client.get("/payments/pay_13").json()
    assert paid["payment"]["status"] == "captured"
    # history records what happened: the provider's answer, once
    assert [e["event"] for e in paid["refunds"][r["refund"]["id"]]] == ["fail"]


def test_a_request_id_reused_for_another_request_is_a_conflict(client: TestClient) -> None:
    add_payment(client, payment("pay_a", "10.00"))
    add_payment(client, payment("pay_b", "10.00", fingerprint="other"))
    assert client.post("/refund-requests", json={"id": "r1", "payment_id": "pay_a"}).is_success
    reused = client.post("/refund-requests", json={"id": "r1", "payment_id": "pay_b"})
    assert reused.status_code == 409


def test_invalid_records_are_refused_with_the_rules_they_break(client: TestClient) -> None:
    body = payment("pay_bad", "10.00")
    body["amount"] = eur("5.00")  # captured more than authorized
    r = client.post("/payments", json=body)
    assert r.status_code == 422
    assert "captured_exceeds_authorized" in [v["rule"] for v in r.json()["violations"]]
    assert client.get("/payments/nope").status_code == 404
    assert client.post("/operators", json={"id": "op_senior", "tier": "senior"}).status_code == 409


def test_a_case_is_triaged_routed_and_listed(client: TestClient, gateway: FakeGateway) -> None:
    add_payment(client, payment("pay_case", "25.00"))
    case = {
        "id": "case_1",
        "claim": "refund_request",
        "customer_id": "cus_anna",
        "payment_ids": ["pay_case"],
        "opened_at": T0.isoformat(),
        "description": "The tent arrived torn",
    }
    r = client.post("/cases", json={"case": case, "operator_id": "op_junior"})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["case"]["status"] == "in_progress"
    assert body["case"]["tier"] == "junior"
    assert "assign_case" in kinds(body)
    assert len(gateway.entries("refund")) == 1
    got = client.get("/cases/case_1").json()
    assert [e["event"] for e in got["history"]] == ["triage", "start"]
    assert client.get("/cases", params={"status": "in_progress"}).json()[0]["id"] == "case_1"


# ---------------------------------------------------------------------- issues 11 and 18
def test_an_operators_request_is_checked_against_that_operators_authority(
    client: TestClient, gateway: FakeGateway
) -> None:
    # Issue 18: op_junior (100 EUR) files 300 EUR, naming themself but not acting as operator_id.
    add_payment(client, payment("pay_300", "300.00"))
    request = {
        "id": "req_300",
        "payment_id": "pay_300",
        "requested_by": "operator",
        "requester_id": "op_junior",
    }
    r = client.post("/refund-requests", json=request)
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["refund"]["status"] == "awaiting_approval"
    assert kinds(body) == ["request_approval"] and body["effects"][0]["tier"] == "middle"
    assert gateway.entries("refund") == []

    ghost = client.post(
        "/refund-requests", json={**request, "id": "req_ghost", "requester_id": "op_ghost"}
    )
    assert ghost.status_code == 403 and ghost.json()["error"] == "NotAuthorized"
    assert gateway.entries("refund") == []
    assert (
        client.get("/payments/pay_300").json()["payment"]["refunds"][0]["id"]
        == (body["refund"]["id"])
    )

    # four eyes on the actor, ids compared normalised: OP_JUNIOR is op_junior
    added = client.post("/operators", json={"id": "OP_JUNIOR", "tier": "senior"})
    assert added.status_code == 201
    own = client.post(f"/refunds/{body['refund']['id']}/approve", json={"operator_id": "OP_JUNIOR"})
    assert own.status_code == 403, own.json()
    ok = client.post(f"/refunds/{body['refund']['id']}/approve", json={"operator_id": "op_middle"})
    assert ok.status_code == 200, ok.json()
    assert ok.json()["refund"]["approved_by"] == "op_middle"
    assert len(gateway.entries("refund")) == 1


def test_unknown_ids_are_not_found_naming_what_is_missing(client: TestClient) -> None:
    for path in ("/refunds/rf_nope/approve", "/refunds/rf_nope/deny"):
        r = client.post(path, json={"operator_id": "op_senior"})
        assert r.status_code == 404, r.json()
        body = r.json()
        assert (body["error"], body["kind"], body["id"]) == ("NotFound", "refund", "rf_nope")
        assert body["field"] == "refund_id"
    gone = client.post("/cases/case_nope/reopen", json={})
    assert gone.status_code == 404 and gone.json()["kind"] == "case"
    absent = client.post("/refunds/rf_nope/approve", json={"operator_id": "op_nobody"})
    assert absent.status_code == 404


def test_amounts_in_the_librarys_own_money_json_are_accepted(
    client: TestClient, gateway: FakeGateway
) -> None:
    add_payment(client, payment("pay_mj", "80.00"))
    shown = client.get("/payments/pay_mj").json()["payment"]["amount"]
    assert shown == {"minor": 8000, "currency": "EUR"}
    part = {"minor": 2500, "currency": "EUR"}
    r = client.post(
        "/refund-requests", json={"id": "req_mj", "payment_id": "pay_mj", "amount": part}
    )
    assert r.status_code == 200, r.json()
    assert r.json()["refund"]["amount"] == part
    assert gateway.entries("refund")[0].amount == Money.of("25.00", "EUR")


def test_a_resolved_case_is_reopened_when_the_customer_writes_back(
    client: TestClient, clock: Clock
) -> None:
    case = {
        "id": "case_re",
        "claim": "unrecognized_charge",
        "customer_id": "cus_anna",
        "opened_at": T0.isoformat(),
        "description": "What is this charge?",
    }
    assert client.post("/cases", json={"case": case}).status_code == 200
    clock.advance(hours=2)
    done = client.post("/cases/case_re/resolve", json={"reason": "customer recognised it"})
    assert done.status_code == 200, done.json()
    assert done.json()["case"]["status"] == "resolved"
    clock.advance(days=3)
    again = client.post("/cases/case_re/reopen", json={"reason": "customer wrote back"})
    assert again.status_code == 200, again.json()
    assert again.json()["case"]["status"] == "in_progress"
    assert again.json()["case"]["contacts"] == 2
    assert "assign_case" in kinds(again.json())
    events = [e["event"] for e in client.get("/cases/case_re").json()["history"]]
    assert events[-2:] == ["resolve", "reopen"]
    assert client.post("/cases/case_re/resolve", json={}).status_code == 200
    clock.advance(days=30)
    late = client.post("/cases/case_re/reopen", json={})
    assert late.status_code == 409  # past the reopen window: open a new case


def test_a_refund_the_provider_reports_failed_after_accepting_it_ends_failed_once(
    client: TestClient, gateway: FakeGateway, clock: Clock
) -> None:
    # Adyen REFUND_FAILED on a refund still pending: failed, never "succeeded then reversed".
    add_payment(client, payment("pay_ad", "64.42", provider="adyen", provider_reference="8816"))
    r = client.post("/refund-requests", json={"id": "req_ad", "payment_id": "pay_ad"}).json()
    refund = r["refund"]
    assert refund["status"] == "pending", r
    clock.advance(hours=1)
    body = gateway.adyen_refund_notification(
        psp_reference=refund["provider_reference"],
        original_reference="8816",
        amount=Money.of("64.42", "EUR"),
        at=clock(),
    )
    hook = client.post("/webhooks/adyen", json=body)
    assert hook.status_code == 200, hook.json()
    got = client.get(f"/refunds/{refund['id']}").json()
    assert got["refund"]["status"] == "failed"
    assert [e["event"] for e in got["history"]] == ["submit", "fail"]
    told = [
        e["effect"]["template"]
        for e in client.get("/effects").json()
        if e["kind"] == "notify_customer"
    ]
    assert "refund_failed" in told and "refund_reversed" not in told
    paid = client.get("/payments/pay_ad").json()["payment"]
    assert paid["status"] == "captured"
