"""The web API: FastAPI routes over the service layer, and the app factory.

Routes translate HTTP to use cases and the library's errors to status codes; they hold no
business logic. :func:`create_app` is the composition root: it builds the engine, the
session factory, the gateway adapter and the clock, and resumes effects a previous process
left unfinished.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from examples.support_desk.db import make_engine
from examples.support_desk.gateway import FakeGateway
from examples.support_desk.schemas import (
    CaseAction,
    CaseIn,
    EvidenceIn,
    OperatorAction,
    RefundRequestIn,
    RespondIn,
    RetryResultIn,
)
from examples.support_desk.service import Handled, SupportDesk
from fastapi import Body, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import sessionmaker

from paysupport.errors import (
    ConflictError,
    InvalidTransition,
    NotAuthorized,
    NotFound,
    PaysupportError,
    ValidationFailed,
)
from paysupport.models import (
    Customer,
    Dispute,
    Evidence,
    Merchant,
    Operator,
    Payment,
    PaymentFailure,
    RefundRequest,
    SupportCase,
)
from paysupport.providers import event_from_adyen, event_from_stripe
from paysupport.workflows import RetryResult

Clock = Callable[[], datetime]

#: A body that is one of the library's records, validated by the model itself.
JsonBody = Annotated[dict[str, Any], Body()]


def _system_clock() -> datetime:
    return datetime.now(UTC)


def _error(status: int, exc: Exception, **extra: Any) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": type(exc).__name__, "detail": str(exc), **extra},
    )


def _install_error_handlers(app: FastAPI) -> None:
    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        named = {k: getattr(exc, k, None) for k in ("kind", "id", "field")}
        return _error(404, exc, **named)

    async def conflict(request: Request, exc: Exception) -> JSONResponse:
        return _error(409, exc)

    async def forbidden(request: Request, exc: Exception) -> JSONResponse:
        return _error(403, exc)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        rules = [
            {"field": v.field, "rule": v.rule, "message": v.message}
            for v in getattr(exc, "violations", ())
        ]
        return _error(422, exc, violations=rules)

    async def refused(request: Request, exc: Exception) -> JSONResponse:
        return _error(400, exc)

    app.add_exception_handler(NotFound, not_found)  # the library's and the store's
    app.add_exception_handler(ConflictError, conflict)
    app.add_exception_handler(InvalidTransition, conflict)
    app.add_exception_handler(NotAuthorized, forbidden)
    app.add_exception_handler(ValidationFailed, invalid)
    app.add_exception_handler(PaysupportError, refused)


def create_app(
    database_url: str,
    gateway: FakeGateway | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Build the support-desk app over ``database_url`` (created if needed).

    Args:
        database_url: a SQLAlchemy URL (``sqlite:///desk.db``).
        gateway: the payment gateway adapter (default: a new :class:`FakeGateway`).
        clock: the time source (default: the system clock, in UTC). The library never reads
            a clock; this is the one place the desk does.
    """
    engine = make_engine(database_url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    desk = SupportDesk(sessions, gateway or FakeGateway(), clock or _system_clock)
    desk.resume()  # effects a previous process planned or started and never recorded

    app = FastAPI(title="paysupport support desk", version="0.1.0")
    app.state.service = desk
    app.state.engine = engine
    _install_error_handlers(app)

    for add_routes in (
        _reference_routes,
        _payment_routes,
        _refund_routes,
        _dispute_routes,
        _webhook_routes,
        _failure_routes,
        _case_routes,
        _effect_routes,
    ):
        add_routes(app, desk)
    return app


def _done(handled: Handled, **extra: Any) -> dict[str, Any]:
    return {**extra, **handled.to_dict()}


def _reference_routes(app: FastAPI, desk: SupportDesk) -> None:
    """The reference data routes."""

    @app.post("/operators", status_code=201)
    def add_operator(body: JsonBody) -> dict[str, Any]:
        desk.register(Operator.model_validate(body))
        return {"id": body.get("id")}

    @app.post("/merchants", status_code=201)
    def add_merchant(body: JsonBody) -> dict[str, Any]:
        desk.register(Merchant.model_validate(body))
        return {"id": body.get("id")}

    @app.post("/customers", status_code=201)
    def add_customer(body: JsonBody) -> dict[str, Any]:
        desk.register(Customer.model_validate(body))
        return {"id": body.get("id")}


def _payment_routes(app: FastAPI, desk: SupportDesk) -> None:
    """The payments routes."""

    @app.post("/payments", status_code=201)
    def add_payment(body: JsonBody) -> dict[str, Any]:
        payment = Payment.model_validate(body)
        desk.register(payment)
        return {"id": payment.id, "status": payment.status.value}

    @app.get("/payments/{payment_id}")
    def get_payment(payment_id: str) -> dict[str, Any]:
        payment: Payment = desk.get(Payment, payment_id)
        return {
            "payment": payment.model_dump(mode="json"),
            "history": desk.history("payment", payment_id),
            "refunds": {r.id: desk.history("refund", r.id) for r in payment.refunds},
            "disputes": {d.id: desk.history("dispute", d.id) for d in payment.disputes},
        }


def _refund_routes(app: FastAPI, desk: SupportDesk) -> None:
    """The refunds routes."""

    @app.post("/refund-requests", status_code=200)
    def post_refund_request(body: RefundRequestIn) -> dict[str, Any]:
        fields = body.request_fields()
        fields.setdefault("requested_at", desk.clock())
        request = RefundRequest.model_validate(fields)
        handled = desk.request_refund(request, operator_id=body.operator_id)
        return _refund_answer(desk, request.id, handled)

    @app.get("/refunds/{refund_id}")
    def get_refund(refund_id: str) -> dict[str, Any]:
        payment, rid = desk.refund(refund_id)
        return {
            "refund": payment.refund(rid).model_dump(mode="json"),
            "history": desk.history("refund", rid),
        }

    @app.post("/refunds/{refund_id}/approve")
    def approve(refund_id: str, body: OperatorAction) -> dict[str, Any]:
        handled = desk.approve_refund(refund_id, body.operator_id)
        return _done(handled, refund=_refund_of(desk, refund_id))

    @app.post("/refunds/{refund_id}/deny")
    def deny(refund_id: str, body: OperatorAction) -> dict[str, Any]:
        handled = desk.deny_refund(refund_id, body.operator_id, body.reason)
        return _done(handled, refund=_refund_of(desk, refund_id))

    @app.post("/refunds/{refund_id}/reconcile")
    def reconcile(refund_id: str) -> dict[str, Any]:
        handled = desk.reconcile_refund(refund_id)
        return _done(handled, refund=_refund_of(desk, refund_id))

    @app.get("/approvals")
    def approvals() -> list[dict[str, Any]]:
        return desk.effects("request_approval")


def _dispute_routes(app: FastAPI, desk: SupportDesk) -> None:
    """The disputes routes."""

    @app.post("/disputes")
    def post_dispute(body: JsonBody) -> dict[str, Any]:
        if body.get("due_by") is None:
            body = {k: v for k, v in body.items() if k != "due_by"}
            opened = Dispute.model_validate(body)  # validates every field first
            fields = opened.model_dump(exclude={"id", "payment_id", "network", "reason_code"})
            for name in ("amount", "opened_at", "stage"):
                fields.pop(name)
            dispute = Dispute.opened(
                id=opened.id,
                payment_id=opened.payment_id,
                network=opened.network,
                reason_code=opened.reason_code,
                amount=opened.amount,
                opened_at=opened.opened_at,
                stage=opened.stage,
                **{k: v for k, v in fields.items() if k != "due_by"},
            )
        else:
            dispute = Dispute.model_validate(body)
        handled = desk.receive_dispute(dispute)
        return _done(handled, dispute=_dispute_of(desk, dispute.id))

    @app.post("/disputes/{dispute_id}/evidence")
    def post_evidence(dispute_id: str, body: EvidenceIn) -> dict[str, Any]:
        items = [Evidence.model_validate(e) for e in body.evidence]
        on_file = desk.add_evidence(dispute_id, items)
        return {"dispute_id": dispute_id, "evidence": [e.model_dump(mode="json") for e in on_file]}

    @app.post("/disputes/{dispute_id}/respond")
    def respond(dispute_id: str, body: RespondIn) -> dict[str, Any]:
        handled = desk.respond_to_dispute(
            dispute_id,
            operator_id=body.operator_id,
            contest=body.contest,
            force=body.force,
            due_by=body.due_by,
        )
        return _done(handled, dispute=_dispute_of(desk, dispute_id))

    @app.get("/disputes/{dispute_id}")
    def get_dispute(dispute_id: str) -> dict[str, Any]:
        return {
            "dispute": _dispute_of(desk, dispute_id),
            "history": desk.history("dispute", dispute_id),
        }


def _webhook_routes(app: FastAPI, desk: SupportDesk) -> None:
    """The webhooks routes."""

    @app.post("/webhooks/stripe")
    def stripe_webhook(body: JsonBody) -> dict[str, Any]:
        event = event_from_stripe(body)
        return _done(desk.apply_provider_event(event), event_id=event.event_id)

    @app.post("/webhooks/adyen")
    def adyen_webhook(body: JsonBody) -> dict[str, Any]:
        live = str(body.get("live", "false")).lower() == "true"
        answers = []
        for item in body.get("notificationItems", []):
            event = event_from_adyen(item, live=live)
            answers.append(_done(desk.apply_provider_event(event), event_id=event.event_id))
        return {"notificationResponse": "[accepted]", "items": answers}


def _failure_routes(app: FastAPI, desk: SupportDesk) -> None:
    """The failed payments routes."""

    @app.post("/declines")
    def post_decline(body: JsonBody) -> dict[str, Any]:
        failure = PaymentFailure.model_validate(body)
        handled = desk.handle_decline(failure)
        return _done(handled, failure=desk.get(PaymentFailure, failure.id).model_dump(mode="json"))

    @app.get("/failures/{failure_id}")
    def get_failure(failure_id: str) -> dict[str, Any]:
        return {
            "failure": desk.get(PaymentFailure, failure_id).model_dump(mode="json"),
            "history": desk.history("failure", failure_id),
        }

    @app.post("/failures/{failure_id}/retry-result")
    def post_retry_result(failure_id: str, body: RetryResultIn) -> dict[str, Any]:
        handled = desk.record_retry_result(failure_id, RetryResult(**body.model_dump()))
        return _done(handled, failure=desk.get(PaymentFailure, failure_id).model_dump(mode="json"))

    @app.post("/retries/run")
    def run_retries() -> dict[str, Any]:
        return {"executed": desk.run_due_retries()}


def _case_routes(app: FastAPI, desk: SupportDesk) -> None:
    """The cases routes."""

    @app.post("/cases")
    def post_case(body: CaseIn) -> dict[str, Any]:
        case = SupportCase.model_validate(body.case)
        handled = desk.open_case(case, operator_id=body.operator_id, failure_id=body.failure_id)
        return _done(handled, case=desk.get(SupportCase, case.id).model_dump(mode="json"))

    @app.get("/cases/{case_id}")
    def get_case(case_id: str) -> dict[str, Any]:
        return {
            "case": desk.get(SupportCase, case_id).model_dump(mode="json"),
            "history": desk.history("case", case_id),
        }

    @app.post("/cases/{case_id}/resolve")
    def post_resolve(case_id: str, body: CaseAction) -> dict[str, Any]:
        handled = desk.resolve_case(case_id, operator_id=body.operator_id, note=body.reason)
        return _done(handled, case=desk.get(SupportCase, case_id).model_dump(mode="json"))

    @app.post("/cases/{case_id}/reopen")
    def post_reopen(case_id: str, body: CaseAction) -> dict[str, Any]:
        handled = desk.reopen_case(case_id, operator_id=body.operator_id, note=body.reason)
        return _done(handled, case=desk.get(SupportCase, case_id).model_dump(mode="json"))

    @app.get("/cases")
    def list_cases(status: str | None = None) -> list[dict[str, Any]]:
        return desk.case_queue(status)


def _effect_routes(app: FastAPI, desk: SupportDesk) -> None:
    """The effects routes."""

    @app.get("/effects")
    def list_effects(kind: str | None = None) -> list[dict[str, Any]]:
        return desk.effects(kind)


def _refund_of(desk: SupportDesk, refund_id: str) -> dict[str, Any]:
    payment, rid = desk.refund(refund_id)
    dumped: dict[str, Any] = payment.refund(rid).model_dump(mode="json")
    return dumped


def _dispute_of(desk: SupportDesk, dispute_id: str) -> dict[str, Any]:
    payment, did = desk.dispute(dispute_id)
    dumped: dict[str, Any] = payment.dispute(did).model_dump(mode="json")
    return dumped


def _refund_answer(desk: SupportDesk, request_id: str, handled: Handled) -> dict[str, Any]:
    from paysupport.workflows import refund_id_for

    out = handled.to_dict()
    with desk.uow() as uow:
        request = uow.aggregates.get(RefundRequest, request_id)
        found = uow.aggregates.locate(refund_id_for(request), "refund")
    out["refund"] = _refund_of(desk, found[0]) if found is not None else None
    return out
